"""A manager's view of their own municipality: its people, invitations and a data export."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.invitations import open_invitations
from app.accounts.models import Invitation, Municipality, User
from app.audit import record
from app.authz import Action, Actor, may_give, require
from app.municipality import records
from app.results.service import ResultsPage, team_results
from app.results.snapshot import shared_minimum
from app.rounds.lifecycle import counts
from app.rounds.models import Round, RoundStatus
from app.rounds.service import guidance_of


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
    assert municipality.id is not None
    pending = [
        Pending(invitation, may_give(actor, invitation.role))
        for invitation in open_invitations(session, municipality.id)
    ]
    return {"municipality": municipality, "users": list(users), "pending": pending}


@dataclass(frozen=True)
class Pending:
    """An open invitation on the list, and whether it is the manager's to send again or
    withdraw (not an administrator's invitation to another role)."""

    invitation: Invitation
    changeable: bool


def export(session: Session, actor: Actor, ip: str) -> dict[str, Any]:
    """What the municipality has stored, as plain data: its people and, per round, counts, the
    aggregated results of its snapshot and what it wrote around them (app.municipality.records).
    Never one row per respondent."""
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
        "rounds": [_round(session, actor, rnd) for rnd in rounds],
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


def _round(session: Session, actor: Actor, rnd: Round) -> dict[str, Any]:
    """A round as aggregates only: the same figures the results page shows, from the snapshot,
    and nothing at all from an open round but counts."""
    tally = counts(session, rnd)
    page = team_results(session, actor, rnd, shared=True)
    return {
        "name": rnd.name,
        "status": rnd.status,
        "created_at": rnd.created_at.isoformat(),
        "closed_at": rnd.closed_at.isoformat() if rnd.closed_at else None,
        "deadline": rnd.deadline.isoformat() if rnd.deadline else None,
        "participants": rnd.participants,
        "content_version": guidance_of(session, rnd).meta.version,
        "invited": tally.invited,
        "started": tally.started,
        "submitted": tally.submitted,
        # Behind every figure in this file: the minimum and one more (any who answered may
        # read it), so each respondent has the minimum of others behind it.
        "minimum_respondents": shared_minimum(page.needed),
        "results": _results(page) if page.visible else None,
        "note": _note(rnd, page),
        "action_plan": records.plan(session, rnd),
        "agreed_readings": records.readings(session, rnd),
        "shared_with_ks": records.shares(session, rnd),
    }


def _results(page: ResultsPage) -> dict[str, Any]:
    return {
        "respondents": page.respondents,
        "areas": [
            {
                "area": row.area.id,
                "score": _round_figure(row.figures.score),
                "spread": _round_figure(row.figures.spread),
                "dont_know_percent": _round_figure(row.figures.dont_know_share),
                "statements": [
                    {
                        "statement": st.id,
                        "score": _round_figure(f.score),
                        "spread": _round_figure(f.spread),
                        "dont_know_percent": _round_figure(f.dont_know_share),
                        "levels_1_to_4": list(f.levels) if f.levels else None,
                    }
                    for st, f in row.statements
                ],
            }
            for row in page.rows
        ],
        "comments": {area.id: list(texts) for area, texts in page.comments},
    }


def _round_figure(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _note(rnd: Round, page: ResultsPage) -> str | None:
    if rnd.status == RoundStatus.OPEN:
        return "the round is open: results are computed once, when it closes"
    if not page.visible:
        return f"too few respondents: a file others may read needs at least {shared_minimum(page.needed)}"
    return (
        f"figures are left out (null) where fewer than {shared_minimum(page.needed)} stand behind them, "
        f"so that each respondent has at least {page.needed} others behind every figure"
    )
