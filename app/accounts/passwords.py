"""Password rules after NIST SP 800-63B-4: length, not composition, and no common passwords.

A password that is the only factor must have at least 15 characters; any characters are
allowed (spaces and emoji included) and no mix of character classes is demanded. Passwords
found in a list of 30 000 common passwords (shipped with zxcvbn) are refused, as are ones
built from the user's own e-mail address or the service's name, and, since that list is
English, ones made of little but a few Norwegian words that come first to mind here (NIST's
"context-specific words"): «passordpassord1», «Sommer2026Sommer2026».
"""

import unicodedata
from functools import cache

from app.i18n import _

MIN_LENGTH = 15
MAX_LENGTH = 128
# Words a password here is often made of: "password", "secret", "welcome", the seasons, the
# country, the service's own words. A password that is little else is refused.
CONTEXT_WORDS = (
    "passord",
    "hemmelig",
    "velkommen",
    "sommer",
    "vinter",
    "høst",
    "vår",
    "norge",
    "kommune",
    "veileder",
    "introduksjon",
    "integrering",
)
LEFT_OVER = 3  # letters a password may have besides those words and still be refused


@cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problems(password: str, email: str = "") -> list[str]:
    """What is wrong with a new password, in words a user understands (empty: it is fine)."""
    if len(password) < MIN_LENGTH:
        return [
            _("Passordet må ha minst %(n)s tegn. Et langt passord med flere ord er lett å huske.")
            % {"n": MIN_LENGTH}
        ]
    if len(password) > MAX_LENGTH:
        return [_("Passordet kan ha høyst %(n)s tegn.") % {"n": MAX_LENGTH}]
    folded = "".join(password.lower().split())
    local = email.split("@")[0].lower()
    if (
        folded in _common()
        or len(set(folded)) <= 2
        or _repeats_common(folded)
        or _mostly_common(folded)
        or _sequence(folded)
        or _context_words_only(folded)
    ):
        return [
            _("Passordet er blant de mest brukte passordene og er lett å gjette. Velg et annet.")
        ]
    if (local and len(local) >= 4 and local in folded) or "godegrep" in folded:
        return [_("Passordet kan ikke bygge på e-postadressen din eller navnet på tjenesten.")]
    return []


def _repeats_common(folded: str) -> bool:
    """'passwordpassword' or 'qwertyqwertyqwerty': a common password said again."""
    for times in (2, 3, 4):
        size, rest = divmod(len(folded), times)
        if not rest and folded == folded[:size] * times and folded[:size] in _common():
            return True
    return False


def _mostly_common(folded: str) -> bool:
    """'123456789012345' or 'password2024!!!!': a common password with a little added."""
    return any(len(w) >= 6 and len(w) * 5 >= len(folded) * 3 and w in folded for w in _common())


def _context_words_only(folded: str) -> bool:
    """'passordpassord1' or 'sommer2026sommer2026': context words, digits and signs. A
    password without any of the words is not judged here (random digits are fine)."""
    letters = "".join(c for c in unicodedata.normalize("NFC", folded) if c.isalpha())
    rest = letters
    for word in CONTEXT_WORDS:
        rest = rest.replace(word, "")
    return rest != letters and len(rest) <= LEFT_OVER


def _sequence(folded: str) -> bool:
    """'123456789012345' or 'abcdefghijklmnop': mostly one step up or down each time."""
    steps = [(ord(b) - ord(a)) for a, b in zip(folded, folded[1:], strict=False)]
    runs = sum(step in (1, -1, -9, 9) for step in steps)
    return runs * 5 >= len(steps) * 4
