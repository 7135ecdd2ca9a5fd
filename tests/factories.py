"""Plain factory functions for tests: make_x(session, **overrides)."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from app.accounts.models import Municipality, Role, SizeClass, User, utcnow
from app.accounts.service import hash_password
from app.content.loader import load_guidance
from app.content.models import ContentVersion
from app.content.service import current_version, store_version
from app.results.models import SnapshotAreaScore
from app.rounds.lifecycle import close_and_snapshot
from app.rounds.models import Answer, AreaComment, Response, Round, RoundRespondent
from app.rounds.respondents import possible_respondents
from app.rounds.service import guidance_of

PASSWORD = "riktig hest batteri stift"
GUIDANCE = Path(__file__).resolve().parent.parent / "guidance"


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per test run


def make_municipality(session: Session, **overrides: Any) -> Municipality:
    values: dict[str, Any] = {
        "number": "9990",
        "name": "Testkommune",
        "size_class": SizeClass.MEDIUM,
    }
    values.update(overrides)
    municipality = Municipality(**values)
    session.add(municipality)
    session.flush()
    return municipality


def make_user(
    session: Session,
    email: str,
    role: Role,
    municipality: Municipality | None = None,
    **overrides: Any,
) -> User:
    user = User(
        email=email,
        password_hash=password_hash(),
        role=role,
        municipality_id=municipality.id if municipality else None,
        **overrides,
    )
    session.add(user)
    session.flush()
    return user


def make_round(session: Session, municipality: Municipality, **overrides: Any) -> Round:
    version = current_version(session)
    values: dict[str, Any] = {
        "municipality_id": municipality.id,
        "name": "Vår 2027",
        "content_version_id": version.id,
    }
    values.update(overrides)
    rnd = Round(**values)
    session.add(rnd)
    session.flush()
    # Everyone of the municipality who answers rounds is invited, as the form does by default.
    assert rnd.id is not None
    for user in possible_respondents(session, municipality.id):
        session.add(RoundRespondent(round_id=rnd.id, user_id=user.id))
    session.commit()
    return rnd


def invited_staff(session: Session, rnd: Round, email: str) -> User:
    """A new staff member of the round's municipality, invited to the round (open or not)."""
    municipality = session.get(Municipality, rnd.municipality_id)
    assert municipality is not None
    user = make_user(session, email, Role.STAFF, municipality)
    session.add(RoundRespondent(round_id=rnd.id, user_id=user.id))
    session.commit()
    return user


@dataclass(frozen=True)
class Levels:
    """Levels by statement or area id (a statement's own wins), else `default`."""

    by_id: dict[str, int] = field(default_factory=dict)
    default: int = 3


def submit_answers(
    session: Session,
    rnd: Round,
    user: User,
    level_of: Any = 3,
    comments: dict[str, str] | str | None = None,
) -> None:
    """A submitted response. `level_of` is one level for every statement, a function of the
    statement id, a dict by statement or area id, or Levels (0 = "Vet ikke"); `comments` is a
    comment per area id, or one text for every area."""
    response = Response(round_id=rnd.id, user_id=user.id, submitted_at=utcnow())
    session.add(response)
    session.flush()
    for area in guidance_of(session, rnd).areas:
        for st in area.statements:
            level = _level(level_of, st.id, area.id)
            session.add(Answer(response_id=response.id, statement_id=st.id, level=level))
        text = comments if isinstance(comments, str) else (comments or {}).get(area.id)
        if text:
            session.add(AreaComment(response_id=response.id, area_id=area.id, text=text))
    session.commit()


def _level(level_of: Any, statement_id: str, area_id: str) -> int:
    if callable(level_of):
        return int(level_of(statement_id))
    if isinstance(level_of, dict):
        level_of = Levels(level_of)
    if isinstance(level_of, Levels):
        return level_of.by_id.get(statement_id, level_of.by_id.get(area_id, level_of.default))
    return int(level_of)


def make_closed_round(
    session: Session,
    municipality: Municipality,
    answers: list[tuple[User, Any]],
    *,
    comments: dict[str, str] | str | None = None,
    closed_at: datetime | None = None,
    folder: str | None = None,
    **overrides: Any,
) -> Round:
    """The one closed-round factory: the respondents submitted `answers` (user, level_of as in
    submit_answers), each with `comments`, and the round was closed with its snapshot as the
    manager or the job would; `closed_at` moves it back in time, `folder` (guidance/v1, …)
    gives it an older content version."""
    if folder is not None:
        overrides["content_version_id"] = content_version_of(session, folder).id
    rnd = make_round(session, municipality, **overrides)
    for user, level_of in answers:
        submit_answers(session, rnd, user, level_of, comments)
    assert close_and_snapshot(session, rnd, None)
    if closed_at is not None:
        rnd.closed_at = closed_at
        session.add(rnd)
        session.execute(
            update(SnapshotAreaScore)
            .where(col(SnapshotAreaScore.round_id) == rnd.id)
            .values(closed_at=closed_at)
        )
    session.commit()
    return rnd


def close_round(session: Session, rnd: Round) -> None:
    """Close an open round with its snapshot, as the deadline job would: its people may then
    be chosen for a new round (nobody is asked to answer two open rounds at once)."""
    assert close_and_snapshot(session, rnd, None)
    session.commit()


def make_closed_round_at(
    session: Session,
    municipality: Municipality,
    respondents: list[User],
    level: int | list[int] = 3,
    comment: str = "",
    **overrides: Any,
) -> Round:
    """make_closed_round where each respondent answers every statement at one level (`level`,
    or one per respondent) and writes `comment` in every area."""
    levels = level if isinstance(level, list) else [level] * len(respondents)
    answers = list(zip(respondents, levels, strict=True))
    return make_closed_round(session, municipality, answers, comments=comment, **overrides)


def make_closed_round_with(
    session: Session,
    municipality: Municipality,
    users: list[User],
    levels: dict[str, int] | None = None,
    *,
    default: int = 3,
    **overrides: Any,
) -> Round:
    """make_closed_round where every user answers alike: `levels` by statement or area id,
    else `default`."""
    alike = Levels(levels or {}, default)
    return make_closed_round(session, municipality, [(u, alike) for u in users], **overrides)


def content_version_of(session: Session, folder: str) -> ContentVersion:
    """The stored snapshot of a content version on disk (guidance/v1, …), as a round of that
    time would have it."""
    return store_version(session, load_guidance(GUIDANCE / folder))[0]
