"""Parse KS's feedback form (`f.<area id>`, `f.` for the round as a whole) and the filters."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Form, Request

from app.accounts.models import SizeClass
from app.errors import InvalidInput
from app.i18n import _


@dataclass
class FeedbackForm:
    texts: dict[str, str] = field(default_factory=dict)
    send: bool = False  # «Send til kommunen»: saved, then shown for confirmation
    # area id -> the draft the page showed in that field (`s.<area id>`; absent: none), so a
    # colleague's draft saved since is never overwritten or dropped unseen
    shown: dict[str, str] = field(default_factory=dict)


def parse_feedback_form(form: Mapping[str, object]) -> FeedbackForm:
    parsed = FeedbackForm(send=form.get("action") == "send")
    for key, value in form.items():
        if not isinstance(value, str):
            raise InvalidInput(_("Skjemaet inneholdt noe vi ikke kan ta imot."))
        if key.startswith("f."):
            parsed.texts[key[2:]] = value
        elif key.startswith("s."):
            parsed.shown[key[2:]] = value
    return parsed


async def feedback_form(request: Request) -> FeedbackForm:
    return parse_feedback_form(await request.form())


def size_filter(value: str) -> SizeClass | None:
    """A size class from the query string; anything else is a clear 422."""
    if not value:
        return None
    try:
        return SizeClass(value)
    except ValueError:
        raise InvalidInput(_("Velg en av størrelsesgruppene.")) from None


def feedback_id(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        raise InvalidInput(_("Velg en tilbakemelding å svare på."))
    return int(value)


@dataclass(frozen=True)
class ShareChoice:
    comments: bool
    plan: bool
    confirmed: bool  # pressed on the page showing the comments to be shared (share_check)


async def share_form(
    comments: Annotated[str, Form(max_length=5)] = "",
    plan: Annotated[str, Form(max_length=5)] = "",
    bekreftet: Annotated[str, Form(max_length=5)] = "",
) -> ShareChoice:
    """The two boxes of the share form, as the share and its change both read them."""
    return ShareChoice(share_choice(comments), share_choice(plan), share_choice(bekreftet))


def share_choice(value: str) -> bool:
    """A ticked box on the share form ("ja") or an unticked one (absent); anything else is a
    clear 422, so a share never includes more or less than the manager chose."""
    if value not in ("", "ja"):
        raise InvalidInput(_("Skjemaet inneholdt noe vi ikke kan ta imot."))
    return value == "ja"
