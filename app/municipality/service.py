"""A manager's view of their own municipality: its people, invitations and a data export."""

import random
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import Invitation, Municipality, User
from app.audit import record
from app.authz import Action, Actor, require
from app.results.service import min_respondents, submitted_answers, submitted_comments
from app.rounds.models import Round
from app.rounds.service import counts, guidance_of


def own_municipality(session: Session, actor: Actor, action: Action) -> Municipality:
    require(actor, action, actor.municipality_id)
    municipality = session.get(Municipality, actor.municipality_id)
    assert municipality is not None
    return municipality


def people(session: Session, actor: Actor) -> dict[str, Any]:
    """The municipality's users and its invitations that are still open."""
    municipality = own_municipality(session, actor, Action.INVITE_STAFF)
    users = session.exec(
        select(User).where(User.municipality_id == municipality.id).order_by(col(User.email))
    )
    now = datetime.now(UTC)
    pending = [
        inv
        for inv in session.exec(
            select(Invitation).where(
                Invitation.municipality_id == municipality.id, col(Invitation.used_at).is_(None)
            )
        )
        if (inv.expires_at if inv.expires_at.tzinfo else inv.expires_at.replace(tzinfo=UTC)) > now
    ]
    return {"municipality": municipality, "users": list(users), "pending": pending}


def export(session: Session, actor: Actor, ip: str) -> dict[str, Any]:
    """Everything the municipality has stored, as plain data. Answers are anonymous and only
    included for rounds with enough respondents, so the export cannot show who answered what."""
    municipality = own_municipality(session, actor, Action.EXPORT_MUNICIPALITY)
    rounds = session.exec(
        select(Round).where(Round.municipality_id == municipality.id).order_by(col(Round.id))
    )
    data = {
        "exported_at": datetime.now(UTC).isoformat(),
        "municipality": {
            "number": municipality.number,
            "name": municipality.name,
            "county": municipality.county,
            "size_class": municipality.size_class,
            "written_standard": municipality.written_standard,
        },
        "users": [
            {"email": u.email, "role": u.role, "active": u.active}
            for u in session.exec(
                select(User)
                .where(User.municipality_id == municipality.id)
                .order_by(col(User.email))
            )
        ],
        "rounds": [_round(session, rnd) for rnd in rounds],
    }
    record(
        session,
        actor,
        "municipality_exported",
        municipality.number,
        municipality_id=municipality.id,
        ip=ip,
    )
    session.commit()
    return data


def _round(session: Session, rnd: Round) -> dict[str, Any]:
    assert rnd.id is not None
    guidance = guidance_of(session, rnd)
    needed = min_respondents(guidance)
    responses = submitted_answers(session, rnd.id, needed)
    random.Random(rnd.id).shuffle(responses)  # no order that could hint at who answered
    tally = counts(session, rnd)
    return {
        "name": rnd.name,
        "status": rnd.status,
        "created_at": rnd.created_at.isoformat(),
        "closed_at": rnd.closed_at.isoformat() if rnd.closed_at else None,
        "deadline": rnd.deadline.isoformat() if rnd.deadline else None,
        "participants": rnd.participants,
        "content_version": guidance.meta.version,
        "started": tally.started,
        "submitted": tally.submitted,
        "anonymous_responses": responses,
        "comments": submitted_comments(session, rnd.id, needed),
        "note": None
        if responses or not tally.submitted
        else f"answers are left out until {needed} have submitted",
    }
