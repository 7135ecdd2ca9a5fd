"""Translations (Babel/gettext). Bokmål is the source language and the default.

The current locale lives in a context variable set once per request (app.web.LocaleMiddleware),
so code and templates translate with plain `_()` and never pass a locale around.
"""

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.support import Translations

LOCALES = ("nb", "nn", "en")
DEFAULT_LOCALE = "nb"
LOCALE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
LOCALE_DIR = Path(__file__).parent / "locale"

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    if locale == DEFAULT_LOCALE:
        return _gettext.NullTranslations()
    return Translations.load(str(LOCALE_DIR), [locale], domain="messages")


def current_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> None:
    _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


@contextmanager
def speaking(locale: str) -> Iterator[None]:
    """Translate into `locale` inside the block: for mail, in the recipient's language."""
    before = current_locale()
    set_locale(locale)
    try:
        yield
    finally:
        set_locale(before)


def _(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A word that needs two translations (the plural «Tiltak» of a sheet, the singular of a
    column): `context` tells them apart for the translator."""
    return translations(_current.get()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later with _()."""
    return message
