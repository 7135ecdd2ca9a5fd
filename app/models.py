"""Every table, imported in one place for Alembic and the schema test."""

from app.accounts.models import Invitation, LoginSession, Municipality, PasswordReset, User
from app.audit import AuditEvent
from app.content.models import ContentVersion
from app.meeting.models import AgreedReading
from app.notices.models import SentNotice
from app.plan.models import Measure, MeasureStatement
from app.results.models import RoundSnapshot, SnapshotArea, SnapshotComment, SnapshotStatement
from app.review.models import Feedback, RoundShare, SharedArea
from app.rounds.models import Answer, AreaComment, Response, Round, RoundRespondent

__all__ = [
    "AgreedReading",
    "Answer",
    "AreaComment",
    "AuditEvent",
    "ContentVersion",
    "Feedback",
    "Invitation",
    "LoginSession",
    "Measure",
    "MeasureStatement",
    "Municipality",
    "PasswordReset",
    "Response",
    "Round",
    "RoundRespondent",
    "RoundShare",
    "SharedArea",
    "RoundSnapshot",
    "SentNotice",
    "SnapshotArea",
    "SnapshotComment",
    "SnapshotStatement",
    "User",
]
