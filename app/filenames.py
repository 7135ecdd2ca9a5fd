"""Names of downloaded files in plain letters, which people save, attach and find again."""

import re
import unicodedata

NORWEGIAN_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})  # NFKD leaves ø and æ


def plain_words(text: str, limit: int = 60) -> str:
    """«Høst 2026» -> «host-2026»: lower-case ASCII words joined by hyphens, at most `limit`
    characters; "" where nothing is left."""
    plain = text.lower().translate(NORWEGIAN_LETTERS)
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", plain))[:limit].strip("-")
