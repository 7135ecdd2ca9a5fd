"""The one way the demo builds a closed round: made-up people answer it, and the app's own
close (rounds.lifecycle) takes its snapshot, so the demo holds what a real close produces.
Dates count back from today in half-years, so the demo reads right in any year."""

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache

from sqlalchemy import update
from sqlmodel import Session, col

from app.accounts.models import Municipality, Role, User
from app.accounts.service import hash_password
from app.content.loader import load_guidance
from app.content.schema import Guidance
from app.content.service import current_guidance, current_version, store_version
from app.results.models import RoundSnapshot, SnapshotAreaScore
from app.rounds.lifecycle import close_and_snapshot
from app.rounds.models import Answer, AreaComment, Response, Round, RoundRespondent
from app.settings import get_settings
from app.synthetic import Version

DEMO_PASSWORD = "demo"
# A made-up answer: (person, area id, statement id, position in the area) → level, 0 "Vet ikke".
Level = Callable[[int, str, str, int], int]


@cache
def password_hash() -> str:
    return hash_password(DEMO_PASSWORD)  # argon2 is slow on purpose: hash once


def add_user(session: Session, email: str, role: Role, municipality: Municipality | None) -> User:
    municipality_id = municipality.id if municipality else None
    user = User(email=email, password_hash=password_hash(), role=role,
                municipality_id=municipality_id)  # fmt: skip
    session.add(user)
    session.flush()
    return user


def newest(session: Session) -> Version:
    """The current content version (what new rounds use), without reading the files again."""
    found = current_version(session)
    assert found.id is not None
    return Version(found.id, current_guidance())


def first(session: Session) -> Version:
    """Content version 1, which the demo's oldest rounds use (its files read once)."""
    found = store_version(session, _on_disk("v1"))[0]
    assert found.id is not None
    return Version(found.id, _on_disk("v1"))


@cache
def _on_disk(folder: str) -> Guidance:
    return load_guidance(get_settings().guidance_dir / folder)


def season(when: date) -> str:
    return f"{'Vår' if when.month <= 6 else 'Høst'} {when.year}"


def closed_in(back: int) -> datetime:
    """When a round `back` half-years before the current one closed: mid-April or mid-October."""
    today = datetime.now(UTC).date()
    half = today.year * 2 + (today.month > 6) - back
    return datetime(half // 2, 10 if half % 2 else 4, 15, 14, tzinfo=UTC)


def closed_round(
    session: Session,
    municipality: Municipality,
    version: Version,
    closed_at: datetime,
    people: Sequence[User],
    level: Level,
    comments: Mapping[str, Sequence[str]] = {},  # noqa: B006 (never changed)
    modules: str = "",
) -> Round:
    """A round `people` answered (each area's comments[area][i] written by person i), closed
    through the app's own close and then dated back to `closed_at`. Name: its season."""
    assert municipality.id is not None
    opened = closed_at - timedelta(days=42)
    rnd = Round(municipality_id=municipality.id, name=season(closed_at), participants=24,
                content_version_id=version.id, modules=modules, created_at=opened,
                deadline=closed_at.date())  # fmt: skip
    session.add(rnd)
    session.flush()
    assert rnd.id is not None
    guidance = version.guidance.with_modules(modules.split())
    for person, user in enumerate(people):
        assert user.id is not None
        session.add(RoundRespondent(round_id=rnd.id, user_id=user.id, added_at=opened))
        response = Response(round_id=rnd.id, user_id=user.id,
                            submitted_at=opened + timedelta(days=2 + 3 * person))  # fmt: skip
        session.add(response)
        session.flush()
        assert response.id is not None
        for area in guidance.areas:
            for n, st in enumerate(area.statements):
                answer = level(person, area.id, st.id, n)
                session.add(Answer(response_id=response.id, statement_id=st.id, level=answer))
            texts = comments.get(area.id, ())
            if person < len(texts) and texts[person]:
                session.add(
                    AreaComment(response_id=response.id, area_id=area.id, text=texts[person])
                )
    session.flush()
    assert close_and_snapshot(session, rnd, None)
    rnd.closed_at = closed_at
    for table, column in ((SnapshotAreaScore, "closed_at"), (RoundSnapshot, "created_at")):
        session.execute(
            update(table).where(col(table.round_id) == rnd.id).values({column: closed_at})
        )
    session.flush()
    return rnd
