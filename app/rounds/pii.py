"""Refuse free text that looks like a Norwegian national identity number (pure).

Participants' personal data must never be stored. Eleven digits whose two mod-11 check digits
are valid are treated as a fødselsnummer or D-number, and the text is refused, however they
are written: in groups with spaces, dots, dashes, slashes or underscores between them, across
a line break, with no-break or zero-width spaces, in full-width or other scripts' digits.

Numbers people do write in comments stay allowed: phone numbers (8 digits, or 10 with +47),
amounts ("kr 12 500", "1 000 000"), dates, postcodes. A run of digit groups is checked only
where whole groups add up to exactly 11 digits, so such numbers rarely line up into a
candidate, and a candidate must still pass both check digits (about 1 in 120 do by chance).
"""

import re
import unicodedata

# Digit groups joined by up to three spaces or punctuation marks, or by any run of whitespace.
_RUN = re.compile(r"[0-9]+(?:(?:[\W_]{1,3}|\s+)[0-9]+)*")
_GROUP = re.compile(r"[0-9]+")
_LENGTH = 11
_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    rest = 11 - sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
    if rest == 11:
        return 0
    return None if rest == 10 else rest


def is_national_id(number: str) -> bool:
    """True if the 11 digits pass both mod-11 checks."""
    if len(number) != _LENGTH or not number.isascii() or not number.isdigit():
        return False
    digits = [int(c) for c in number]
    return _check_digit(digits[:9], _WEIGHTS_1) == digits[9] and (
        _check_digit(digits[:10], _WEIGHTS_2) == digits[10]
    )


def contains_national_id(text: str) -> bool:
    """True if any run of digit groups in the text holds a valid national identity number."""
    return any(_holds_national_id(run.group()) for run in _RUN.finditer(normalise(text)))


def normalise(text: str) -> str:
    """The text as the scan reads it: NFKC, format characters gone, every digit ASCII."""
    text = unicodedata.normalize("NFKC", text)
    # Zero-width spaces and joiners, soft hyphens, direction marks: invisible, so dropped.
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def _holds_national_id(run: str) -> bool:
    """Whether whole consecutive groups of the run make up 11 digits that pass the checks."""
    groups = _GROUP.findall(run)
    for start in range(len(groups)):
        digits = ""
        for group in groups[start:]:
            digits += group
            if len(digits) >= _LENGTH:
                break
        if len(digits) == _LENGTH and is_national_id(digits):
            return True
    return False
