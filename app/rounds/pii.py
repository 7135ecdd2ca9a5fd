"""Refuse free text that looks like a Norwegian national identity number (pure).

Participants' personal data must never be stored. An 11-digit number (optionally written
as 6 + 5 digits with a space) whose two mod-11 check digits are valid is treated as a
fødselsnummer or D-number, and the text is refused.
"""

import re

_CANDIDATE = re.compile(r"(?<!\d)(\d{6})[ .-]?(\d{5})(?!\d)")
_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    rest = 11 - sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
    if rest == 11:
        return 0
    return None if rest == 10 else rest


def is_national_id(number: str) -> bool:
    """True if the 11 digits pass both mod-11 checks."""
    if len(number) != 11 or not number.isdigit():
        return False
    digits = [int(c) for c in number]
    return _check_digit(digits[:9], _WEIGHTS_1) == digits[9] and (
        _check_digit(digits[:10], _WEIGHTS_2) == digits[10]
    )


def contains_national_id(text: str) -> bool:
    return any(is_national_id(m.group(1) + m.group(2)) for m in _CANDIDATE.finditer(text))
