"""What every Excel file says about itself: a title, who made it and its language, which
spreadsheet programs and screen readers read from the file's properties."""

from typing import Any

from app import i18n


def describe(book: Any, title: str) -> None:
    """Set an openpyxl workbook's title, creator and language (the reader's)."""
    book.properties.title = title
    book.properties.creator = "Gode grep"
    book.properties.language = i18n.current_locale()  # nb, nn or en, as pages mark theirs
