"""Addresses as a manager types or pastes them into an invitation form: one per line, or
separated by commas, semicolons or spaces; each alone, or as a mail program copies it, with
the person's name («Amina Yusuf <amina@…>», «"Berg, Per" <per@…>», Outlook's «Berg, Per
<per@…>; …»). Only the address is kept, never the name. No I/O: the same parsing serves the
new-round form's «Inviter nye personer» and /kommune's «Inviter en ansatt».
"""

from email.utils import getaddresses

from app.accounts.service import valid_email
from app.errors import InvalidInput
from app.i18n import _

# The longest field one address may come in: the address (254 at most) with the name a mail
# program copies with it.
ONE_ADDRESS_CHARS = 400
_SEPARATORS = ",;"  # outside quotes and <…>; a line break always separates


def entries(text: str) -> list[str]:
    """Each address in the text as typed (with its name, if it came with one), in order."""
    pieces = _split(text)
    found: list[str] = []
    for index, (piece, comma) in enumerate(pieces):
        following = pieces[index + 1][0] if index + 1 < len(pieces) else ""
        if comma and _name_word(piece) and _named(following):
            continue  # «Berg, Per <per@…>», as Outlook copies it: the first part of a name
        found.extend([piece] if _named(piece) else piece.split())
    return found


def address_of(entry: str) -> str:
    """The stored form of one entry's address; InvalidInput naming the entry if it has none."""
    try:
        return valid_email(_address_in(entry))
    except InvalidInput:
        raise InvalidInput(
            _("«%(address)s» er ikke en gyldig e-postadresse.") % {"address": entry[:254]}
        ) from None


def one_address(text: str) -> str:
    """The address in a field for one person (/kommune's invitation); InvalidInput if the
    field holds none, or more than one."""
    found = entries(text)
    if len(found) > 1 and all(_is_address(entry) for entry in found):
        raise InvalidInput(
            _(
                "Skriv bare én e-postadresse: her inviterer du én person om gangen. Flere kan "
                "du invitere samtidig når du starter en runde."
            )
        )
    # One entry, or a typing error («kari @kommune.no»): the field's own message.
    return valid_email(_address_in(found[0]) if len(found) == 1 else "")


def _is_address(entry: str) -> bool:
    try:
        valid_email(_address_in(entry))
    except InvalidInput:
        return False
    return True


def _address_in(entry: str) -> str:
    """The address part of an entry, as typed: what is between < and > when named."""
    if not _named(entry):
        return entry
    found = {address for _name, address in getaddresses([entry])}
    return found.pop() if len(found) == 1 else ""


def _name_word(piece: str) -> bool:
    """Whether a piece can be a surname («Berg», «Van der Berg», «O'Neill»): letters, spaces,
    hyphens, apostrophes. A mistyped address («kari.kommune.no») is not, so it is named as
    one, not dropped as part of the next person's name."""
    return all(char.isalpha() or char in " -'’" for char in piece)


def _named(piece: str) -> bool:
    """Whether a piece is an address with a name (or in <…>), for getaddresses to read."""
    return any(mark in piece for mark in '<"(')


def _split(text: str) -> list[tuple[str, bool]]:
    """The text's pieces, stripped and not empty, each with whether a comma ended it: cut at
    line breaks, and at commas and semicolons outside a quoted name and outside <…>."""
    pieces: list[tuple[str, bool]] = []
    current: list[str] = []
    quoted = angled = False

    def cut(comma: bool) -> None:
        piece = "".join(current).strip()
        if piece:
            pieces.append((piece, comma))
        current.clear()

    for char in text:
        if char in "\r\n":
            cut(False)
            quoted = angled = False
        elif char in _SEPARATORS and not quoted and not angled:
            cut(char == ",")
        else:
            if char == '"' and not angled:
                quoted = not quoted
            elif char in "<>" and not quoted:
                angled = char == "<"
            current.append(char)
    cut(False)
    return pieces
