"""The council report as a tagged PDF, and a small cache of the PDFs made.

Making the PDF (WeasyPrint: parse, lay out, draw about a dozen pages) costs about a second of
CPU, far more than gathering and rendering the report's HTML. The PDF is a pure function of
that HTML (it inlines its stylesheet and SVG and loads nothing else), so the cache is keyed
on a hash of the HTML itself: anything that changes what the report says — a reading, a
measure or its follow-up, the reader's own figures, the language, the date it was made —
changes the HTML and so the key. Nothing has to be invalidated, and a PDF can never be served stale.

The cache is per process and bounded in bytes; the least recently used PDFs go first.

While WeasyPrint runs, the cyclic garbage collector is paused: WeasyPrint makes so many
objects that it set off full collections walking the whole app, a fifth of the PDF's CPU time
(bench-compare data: 262 ms of 1214 ms). The objects made at start-up are frozen for good
(app.main), so the collections after the PDF stay short too.
"""

import gc
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from app.settings import ROOT

CACHE_BYTES = 16 * 1024 * 1024  # some two hundred reports of about 75 kB


class PdfCache:
    """PDFs by the SHA-256 of their HTML, least recently used dropped past `limit` bytes."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit = limit
        self._pdfs: OrderedDict[bytes, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # sync routes run in a thread pool

    def get(self, key: bytes) -> bytes | None:
        with self._lock:
            pdf = self._pdfs.get(key)
            if pdf is not None:
                self._pdfs.move_to_end(key)
            return pdf

    def put(self, key: bytes, pdf: bytes) -> None:
        if len(pdf) > self.limit:
            return
        with self._lock:
            old = self._pdfs.pop(key, None)
            self._size += len(pdf) - (len(old) if old is not None else 0)
            self._pdfs[key] = pdf
            while self._size > self.limit:
                _, dropped = self._pdfs.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._pdfs.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._pdfs)


cache = PdfCache()


def pdf_bytes(html: str) -> bytes:
    """The report as a tagged PDF (PDF/UA-1) with its title and language from the HTML; the
    same HTML gives the PDF made before."""
    key = hashlib.sha256(html.encode("utf-8")).digest()
    pdf = cache.get(key)
    if pdf is None:
        pdf = make_pdf(html)
        cache.put(key, pdf)
    return pdf


def make_pdf(html: str) -> bytes:
    """WeasyPrint, every time."""
    from weasyprint import HTML  # imported lazily: it loads pango and takes a moment

    with _collector_paused():
        document = HTML(string=html, base_url=str(ROOT / "static"))
        pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1")
    return pdf


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic collection while WeasyPrint makes its many objects (it set off full collections
    walking the whole app, a fifth of the PDF's time); it runs again as usual after. With two
    PDFs at once the first to finish turns it on again: the other is merely slower, never wrong.
    (Not gc.freeze/unfreeze: the app freezes its start-up objects for good, see app.main.)"""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
