"""Plain factory functions for tests: make_x(session, **overrides)."""

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
from app.rounds.models import Answer, Response, Round, RoundRespondent
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


def submit_answers(
    session: Session,
    rnd: Round,
    user: User,
    level_of: Any = 3,
    comments: dict[str, str] | None = None,
) -> None:
    """A submitted response: `level_of` is a level for every statement, or a function of the
    statement id giving its level (0 = "Vet ikke")."""
    from datetime import UTC, datetime

    from app.content.service import guidance_for
    from app.rounds.models import Answer, AreaComment, Response

    response = Response(round_id=rnd.id, user_id=user.id, submitted_at=datetime.now(UTC))
    session.add(response)
    session.flush()
    for area in guidance_for(session, rnd.content_version_id).areas:
        for st in area.statements:
            level = level_of(st.id) if callable(level_of) else level_of
            session.add(Answer(response_id=response.id, statement_id=st.id, level=level))
        if comments and area.id in comments:
            session.add(
                AreaComment(response_id=response.id, area_id=area.id, text=comments[area.id])
            )
    session.commit()


def make_closed_round(
    session: Session, municipality: Municipality, answers: list[tuple[User, Any]], **overrides: Any
) -> Round:
    """A round whose respondents submitted `answers` and that was closed, with its snapshot."""
    from app.rounds.lifecycle import close_and_snapshot

    rnd = make_round(session, municipality, **overrides)
    for user, level_of in answers:
        submit_answers(session, rnd, user, level_of)
    assert close_and_snapshot(session, rnd, None)
    session.commit()
    return rnd


def make_closed_round_at(
    session: Session,
    municipality: Municipality,
    respondents: list[User],
    level: int | list[int] = 3,
    comment: str = "",
    **overrides: Any,
) -> Round:
    """A round every given respondent answered (all statements at `level`, or at the level
    given for each respondent), closed with its snapshot as the manager or the job would."""
    from datetime import UTC, datetime

    from app.rounds.lifecycle import close_and_snapshot
    from app.rounds.models import Answer, AreaComment, Response
    from app.rounds.service import guidance_of

    rnd = make_round(session, municipality, **overrides)
    guidance = guidance_of(session, rnd)
    levels = level if isinstance(level, list) else [level] * len(respondents)
    for user, user_level in zip(respondents, levels, strict=True):
        response = Response(round_id=rnd.id, user_id=user.id, submitted_at=datetime.now(UTC))
        session.add(response)
        session.flush()
        for area in guidance.areas:
            for st in area.statements:
                session.add(Answer(response_id=response.id, statement_id=st.id, level=user_level))
            if comment:
                session.add(AreaComment(response_id=response.id, area_id=area.id, text=comment))
    session.flush()
    assert close_and_snapshot(session, rnd, None)
    session.commit()
    return rnd


def content_version_of(session: Session, folder: str) -> ContentVersion:
    """The stored snapshot of a content version on disk (guidance/v1, …), as a round of that
    time would have it."""
    return store_version(session, load_guidance(GUIDANCE / folder))[0]


def make_closed_round_with(
    session: Session,
    municipality: Municipality,
    users: list[User],
    levels: dict[str, int] | None = None,
    *,
    default: int = 3,
    closed_at: datetime | None = None,
    folder: str | None = None,
    **overrides: Any,
) -> Round:
    """A round the users answered (levels by statement or area id, else `default`), closed
    with its snapshot; `closed_at` moves it back in time."""
    if folder is not None:
        overrides["content_version_id"] = content_version_of(session, folder).id
    rnd = make_round(session, municipality, **overrides)
    guidance = guidance_of(session, rnd)
    levels = levels or {}
    for user in users:
        response = Response(round_id=rnd.id, user_id=user.id, submitted_at=utcnow())
        session.add(response)
        session.flush()
        for area in guidance.areas:
            for st in area.statements:
                level = levels.get(st.id, levels.get(area.id, default))
                session.add(Answer(response_id=response.id, statement_id=st.id, level=level))
    session.flush()
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
