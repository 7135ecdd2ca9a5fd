"""What the municipality wrote itself around a round, for its data export: the action plan,
the readings agreed in the meeting, and what it shared with KS with the feedback and replies.
Text the municipality's own people wrote, and KS's sent feedback; nothing from a respondent."""

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.meeting.models import AgreedReading
from app.plan.models import Measure, MeasureStatement
from app.review.models import Feedback, RoundShare
from app.rounds.models import Round


def plan(session: Session, rnd: Round) -> list[dict[str, Any]]:
    measures = session.exec(
        select(Measure).where(Measure.round_id == rnd.id).order_by(col(Measure.id))
    ).all()
    return [
        {
            "title": m.title,
            "statements": _statements(session, m),
            "owner": _owner(session, m),
            "due": _day(m.due),
            "status": m.status,
            "note": m.note,
            "made_from_advice": m.advice_id,
            "created_at": _time(m.created_at),
            "updated_at": _time(m.updated_at),
        }
        for m in measures
    ]


def readings(session: Session, rnd: Round) -> list[dict[str, Any]]:
    rows = session.exec(
        select(AgreedReading)
        .where(AgreedReading.round_id == rnd.id)
        .order_by(col(AgreedReading.area_id))
    ).all()
    return [
        {"area": r.area_id, "level": r.level, "note": r.note, "updated_at": _time(r.updated_at)}
        for r in rows
    ]


def shares(session: Session, rnd: Round) -> list[dict[str, Any]]:
    """Each time the round was shared with KS, and the feedback KS sent then."""
    found = session.exec(
        select(RoundShare).where(RoundShare.round_id == rnd.id).order_by(col(RoundShare.id))
    ).all()
    return [
        {
            "shared_at": _time(s.shared_at),
            "withdrawn_at": _time(s.withdrawn_at),
            "with_comments": s.include_comments,
            "with_action_plan": s.include_plan,
            "review_finished_at": _time(s.reviewed_at),
            "feedback": _feedback(session, s),
        }
        for s in found
    ]


def _feedback(session: Session, share: RoundShare) -> list[dict[str, Any]]:
    sent = session.exec(
        select(Feedback)
        .where(Feedback.share_id == share.id, col(Feedback.sent_at).is_not(None))
        .order_by(col(Feedback.sent_at))
    ).all()
    return [
        {
            "area": f.area_id or None,
            "text": f.text,
            "sent_at": _time(f.sent_at),
            "reply": f.reply,
            "reply_at": _time(f.reply_at),
        }
        for f in sent
    ]


def _statements(session: Session, measure: Measure) -> list[str]:
    query = select(MeasureStatement.statement_id).where(MeasureStatement.measure_id == measure.id)
    return sorted(session.exec(query).all())


def _owner(session: Session, measure: Measure) -> str | None:
    if measure.owner_user_id is not None:
        user = session.get(User, measure.owner_user_id)
        return user.email if user else None
    return measure.owner_text or None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
