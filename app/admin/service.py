"""Administration: municipalities, users and roles, the audit log, and deleting a
municipality's data. Every function here is for administrators only (checked by the routes'
declared rule and again here)."""

from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import Session, col, or_, select

from app.accounts.models import Invitation, Municipality, PasswordReset, Role, SizeClass, User
from app.audit import AuditEvent, record
from app.authz import Actor
from app.errors import Forbidden, InvalidInput, NotFound
from app.i18n import _
from app.meeting.models import AgreedReading
from app.plan.models import Measure, MeasureStatement
from app.results.models import (
    RoundSnapshot,
    SnapshotArea,
    SnapshotAreaScore,
    SnapshotComment,
    SnapshotStatement,
)
from app.review.models import Feedback, RoundShare, SharedArea
from app.rounds.models import (
    Answer,
    AreaComment,
    Response,
    Round,
    RoundInvitee,
    RoundRespondent,
)

PAGE = 100


def _admin(actor: Actor) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden(_("Bare administratorer har tilgang til dette."))


def municipalities(
    session: Session,
    actor: Actor,
    query: str = "",
    county: str = "",
    in_use: bool | None = None,
) -> list[Municipality]:
    """Municipalities matching a name or number, in number order; `in_use`: only those with
    active users (True) or only those without (False), as the list's user count tells.

    Matched in Python, not with SQL's lower(): SQLite lowers only ASCII, so «ålesund» never
    found Ålesund there. The register is a few hundred rows."""
    _admin(actor)
    stmt = select(Municipality)
    if county:
        stmt = stmt.where(Municipality.county == county)
    if in_use is not None:
        used = select(User.municipality_id).where(
            col(User.active), col(User.municipality_id).is_not(None)
        )
        used_ids = col(Municipality.id).in_(used)
        stmt = stmt.where(used_ids if in_use else ~used_ids)
    wanted = query.strip().casefold()
    found = [
        m
        for m in session.exec(stmt.order_by(col(Municipality.number)))
        if wanted in m.name.casefold() or wanted in m.number
    ]
    return found[:400]


def user_counts(session: Session, actor: Actor) -> dict[int, int]:
    """Active users per municipality id, so a municipality nobody has been invited to yet is
    seen in the list (absent: none)."""
    _admin(actor)
    rows = session.exec(
        select(User.municipality_id, func.count())
        .where(col(User.active), col(User.municipality_id).is_not(None))
        .group_by(col(User.municipality_id))
    )
    return {municipality_id: n for municipality_id, n in rows if municipality_id is not None}


def counties(session: Session) -> list[str]:
    rows = session.exec(select(Municipality.county).distinct().order_by(col(Municipality.county)))
    return [c for c in rows if c]


def get_municipality(session: Session, actor: Actor, municipality_id: int) -> Municipality:
    _admin(actor)
    municipality = session.get(Municipality, municipality_id)
    if municipality is None:
        raise NotFound(_("Kommunen finnes ikke."))
    return municipality


def update_municipality(
    session: Session,
    actor: Actor,
    municipality: Municipality,
    size_class: str,
    standard: str,
    ip: str,
) -> bool:
    """Set the size class (from now on kept by register imports) and the written standard.
    False when the form changed nothing: then nothing is written, not even to the log."""
    _admin(actor)
    if size_class not in {s.value for s in SizeClass} or standard not in ("nb", "nn", "neutral"):
        raise InvalidInput(_("Velg en størrelse og en målform fra listene."))
    changes = {"size_class": size_class, "written_standard": standard}
    before = {k: getattr(municipality, k) for k in changes}
    if before == changes:
        return False
    if municipality.size_class != size_class:
        municipality.size_class_manual = True
    for key, value in changes.items():
        setattr(municipality, key, value)
    session.add(municipality)
    record(
        session,
        actor,
        "municipality_updated",
        municipality.number,
        municipality_id=municipality.id,
        ip=ip,
        before=before,
        after=changes,
    )
    session.commit()
    return True


@dataclass(frozen=True)
class UserRow:
    user: User
    municipality: Municipality | None


def users(
    session: Session,
    actor: Actor,
    query: str = "",
    role: str = "",
    municipality_id: int | None = None,
) -> list[UserRow]:
    _admin(actor)
    stmt = select(User, Municipality).join(
        Municipality, col(Municipality.id) == col(User.municipality_id), isouter=True
    )
    if query.strip():
        # «_» and «%» are characters in an address, not wildcards: «ola_n» finds ola_n only.
        stmt = stmt.where(col(User.email).contains(query.strip().lower(), autoescape=True))
    if role:
        stmt = stmt.where(User.role == role)
    if municipality_id:
        stmt = stmt.where(User.municipality_id == municipality_id)
    return [UserRow(u, m) for u, m in session.exec(stmt.order_by(col(User.email)).limit(PAGE * 4))]


def first_role(people: list[UserRow], pending: list[Invitation]) -> Role:
    """The role the invitation form starts at: a municipality without an active leader, or
    one invited, gets its leader first (who then invites the staff); else a staff member."""
    roles = [row.user.role for row in people if row.user.active] + [i.role for i in pending]
    return Role.STAFF if Role.MANAGER in roles else Role.MANAGER


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    _admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("Brukeren finnes ikke."))
    return user


def change_user(
    session: Session,
    actor: Actor,
    user: User,
    role: str,
    municipality_number: str,
    active: bool,
    ip: str,
) -> bool:
    """Change role, municipality and whether the user may log in; any change ends their sessions.
    False when the form changed nothing."""
    _admin(actor)
    if role not in {r.value for r in Role}:
        raise InvalidInput(_("Ukjent rolle."))
    municipality = None
    if role in (Role.STAFF, Role.MANAGER):
        municipality = session.exec(
            select(Municipality).where(Municipality.number == municipality_number.strip())
        ).first()
        if municipality is None:
            raise InvalidInput(
                _("Ansatte og ledere må høre til en kommune. Skriv et gyldig kommunenummer."),
                field="municipality_number",
            )
    if user.id == actor.user_id and (role != Role.ADMIN or not active):
        raise InvalidInput(
            _("Du kan ikke ta fra deg selv administratorrollen eller deaktivere deg selv.")
        )
    user_home = user.municipality_id
    before = {"role": user.role, "municipality_id": user_home, "active": user.active}
    new_home = municipality.id if municipality else None
    after = {"role": role, "municipality_id": new_home, "active": active}
    if before == after:
        return False
    user.role, user.municipality_id, user.active = Role(role), new_home, active
    user.session_epoch += 1  # privilege change: the user's sessions end at once
    session.add(user)
    events = []
    if before["role"] != role:
        events.append("role_changed")
    if before["municipality_id"] != after["municipality_id"]:
        events.append("user_moved")
    if before["active"] != active:
        events.append("user_activated" if active else "user_deactivated")
    for event in events:
        record(
            session,
            actor,
            event,
            user.email,
            # A move is filed where the person left, so that municipality's log shows it;
            # its details name both.
            municipality_id=(user_home if event == "user_moved" else None) or new_home or user_home,
            ip=ip,
            before=before,
            after=after,
        )
    session.commit()
    return True


def audit_log(
    session: Session,
    actor: Actor,
    event: str = "",
    email: str = "",
    municipality_id: int | None = None,
    page: int = 0,
) -> list[AuditEvent]:
    """The newest events first, filtered; read-only."""
    _admin(actor)
    stmt = select(AuditEvent)
    if event:
        stmt = stmt.where(AuditEvent.event == event)
    if email.strip():
        typed = email.strip().lower()
        stmt = stmt.where(
            or_(
                col(AuditEvent.actor_email).contains(typed, autoescape=True),
                col(AuditEvent.target).contains(typed, autoescape=True),
            )
        )
    if municipality_id:
        stmt = stmt.where(AuditEvent.municipality_id == municipality_id)
    stmt = (
        stmt.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .offset(page * PAGE)
        .limit(PAGE)
    )
    return list(session.exec(stmt))


def places(session: Session, actor: Actor) -> dict[int, str]:
    """Every municipality as the audit log names it: «Bergen (4601)», by id."""
    _admin(actor)
    rows = session.exec(select(Municipality.id, Municipality.name, Municipality.number))
    return {mid: f"{name} ({number})" for mid, name, number in rows if mid is not None}


def municipality_numbered(session: Session, actor: Actor, number: str) -> int | None:
    """The id of the municipality with this number (the audit log's filter); None if none."""
    _admin(actor)
    found = select(Municipality.id).where(Municipality.number == number.strip())
    return session.exec(found).first()


def event_names(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.event).distinct().order_by(col(AuditEvent.event))))


def delete_municipality_data(
    session: Session, actor: Actor, municipality: Municipality, confirmation: str, ip: str
) -> dict[str, int]:
    """Delete the municipality's rounds, answers, comments and people; keep the register entry
    and the audit log. Needs the municipality's name typed as confirmation."""
    _admin(actor)
    if confirmation.strip().lower() != municipality.name.strip().lower():
        raise InvalidInput(_("Skriv navnet på kommunen nøyaktig for å bekrefte slettingen."))
    round_ids = select(Round.id).where(Round.municipality_id == municipality.id)
    user_ids = select(User.id).where(User.municipality_id == municipality.id)
    # The municipality's rounds, and anything its people answered elsewhere before a move.
    response_ids = select(Response.id).where(
        or_(col(Response.round_id).in_(round_ids), col(Response.user_id).in_(user_ids))
    )
    share_ids = select(RoundShare.id).where(col(RoundShare.round_id).in_(round_ids))
    measure_ids = select(Measure.id).where(col(Measure.round_id).in_(round_ids))
    # The shares first, as a reply to KS takes them (share, then feedback): the other order
    # deadlocked against a reply under way on PostgreSQL.
    session.exec(select(RoundShare.id).where(col(RoundShare.id).in_(share_ids)).with_for_update())
    counts = {}
    for name, stmt in (
        ("answers", delete(Answer).where(col(Answer.response_id).in_(response_ids))),
        ("comments", delete(AreaComment).where(col(AreaComment.response_id).in_(response_ids))),
        ("responses", delete(Response).where(col(Response.id).in_(response_ids))),
        (
            "respondents",
            delete(RoundRespondent).where(col(RoundRespondent.round_id).in_(round_ids)),
        ),
        ("invitees", delete(RoundInvitee).where(col(RoundInvitee.round_id).in_(round_ids))),
        (
            "invited_elsewhere",
            delete(RoundRespondent).where(col(RoundRespondent.user_id).in_(user_ids)),
        ),
        *(
            (str(table.__tablename__), delete(table).where(col(table.round_id).in_(round_ids)))
            for table in (
                SnapshotComment,
                SnapshotStatement,
                SnapshotArea,
                SnapshotAreaScore,
                RoundSnapshot,
            )
        ),
        ("feedback", delete(Feedback).where(col(Feedback.share_id).in_(share_ids))),
        ("shared_areas", delete(SharedArea).where(col(SharedArea.share_id).in_(share_ids))),
        ("shares", delete(RoundShare).where(col(RoundShare.round_id).in_(round_ids))),
        (
            "measure_statements",
            delete(MeasureStatement).where(col(MeasureStatement.measure_id).in_(measure_ids)),
        ),
        ("measures", delete(Measure).where(col(Measure.round_id).in_(round_ids))),
        ("readings", delete(AgreedReading).where(col(AgreedReading.round_id).in_(round_ids))),
        ("rounds", delete(Round).where(col(Round.municipality_id) == municipality.id)),
        (
            "invitations",
            delete(Invitation).where(col(Invitation.municipality_id) == municipality.id),
        ),
        ("resets", delete(PasswordReset).where(col(PasswordReset.user_id).in_(user_ids))),
        ("invited_by", delete(Invitation).where(col(Invitation.invited_by_id).in_(user_ids))),
        ("users", delete(User).where(col(User.municipality_id) == municipality.id)),
    ):
        counts[name] = session.execute(stmt).rowcount  # type: ignore[attr-defined]
    record(
        session,
        actor,
        "municipality_deleted",
        municipality.number,
        municipality_id=municipality.id,
        ip=ip,
        **counts,
    )
    session.commit()
    return counts
