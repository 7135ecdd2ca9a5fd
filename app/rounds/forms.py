"""Parse the questionnaire form: `a.<statement id>` = level, `c.<area id>` = comment.

The same shape serves the htmx autosave (one field) and the plain form post (all fields).
The plain form also carries each field's value as the page showed it (`was.a.…`, `was.c.…`),
and a field left as it was is not written: a page open since before another tab (or another
device) saved that field must not put the old value back when its button is pressed.

A changed comment is written only over the text the page showed (`AnswerForm.replaces`; the
autosave sends `was.c.…` too): a comment saved from another tab or device meanwhile is not
written over unseen. Levels are one click to redo, so the last one chosen counts.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from fastapi import Request

from app.errors import InvalidInput
from app.i18n import _


@dataclass
class AnswerForm:
    answers: dict[str, int] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    # area -> the saved comment the new text replaces, as the page showed it (where it said)
    replaces: dict[str, str] = field(default_factory=dict)
    # areas whose comment was sent as the page knew it saved: nothing to write, but saved
    unchanged: set[str] = field(default_factory=set)
    # Where the plain form post goes after saving: "next", "previous" or "overview".
    goto: str = ""


def parse_answer_form(form: Mapping[str, object]) -> AnswerForm:
    parsed = AnswerForm()
    shown: dict[str, str] = {}  # was.<field> -> the value the page showed
    for key, value in form.items():
        if not isinstance(value, str):
            raise InvalidInput(_("Skjemaet inneholdt noe vi ikke kan ta imot."))
        if key.startswith("a."):
            if value not in ("0", "1", "2", "3", "4"):
                raise InvalidInput(_("Svaret må være et av nivåene 1–4 eller «Vet ikke»."))
            parsed.answers[key[2:]] = int(value)
        elif key.startswith("c."):
            parsed.comments[key[2:]] = _comment(value)
        elif key.startswith("was."):
            shown[key[4:]] = value
        elif key == "goto" and value in ("next", "previous", "overview"):
            parsed.goto = value
    for statement, level in list(parsed.answers.items()):
        if shown.get(f"a.{statement}") == str(level):
            del parsed.answers[statement]
    for area, text in list(parsed.comments.items()):
        if f"c.{area}" not in shown:
            continue
        before = _comment(shown[f"c.{area}"])
        if before == text:
            del parsed.comments[area]
            parsed.unchanged.add(area)
        else:
            parsed.replaces[area] = before
    return parsed


def _comment(value: str) -> str:
    return value.replace("\r\n", "\n").strip()


async def answer_form(request: Request) -> AnswerForm:
    return parse_answer_form(await request.form())
