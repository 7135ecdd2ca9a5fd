"""The cache of council report PDFs: bounded in bytes, least recently used dropped first."""

from app.trend.pdf import PdfCache


def test_the_least_recently_used_pdf_goes_when_the_cache_is_full():
    cache = PdfCache(limit=10)
    cache.put(b"a", b"1234")
    cache.put(b"b", b"1234")
    assert cache.get(b"a") == b"1234"  # a is now the more recently used
    cache.put(b"c", b"1234")
    assert cache.get(b"b") is None
    assert cache.get(b"a") == b"1234"
    assert cache.get(b"c") == b"1234"


def test_a_pdf_larger_than_the_cache_is_not_kept_and_keeps_the_others():
    cache = PdfCache(limit=10)
    cache.put(b"a", b"1234")
    cache.put(b"big", b"x" * 11)
    assert cache.get(b"big") is None
    assert cache.get(b"a") == b"1234"


def test_putting_the_same_key_again_counts_its_bytes_once():
    cache = PdfCache(limit=10)
    for _ in range(5):
        cache.put(b"a", b"12345")
    cache.put(b"b", b"12345")
    assert len(cache) == 2
