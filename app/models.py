"""Every table, imported in one place for Alembic and the schema test."""

from app.accounts.models import Invitation, Municipality, PasswordReset, User
from app.audit import AuditEvent
from app.content.models import ContentVersion
from app.results.models import RoundSnapshot, SnapshotArea, SnapshotComment, SnapshotStatement
from app.review.models import Feedback, RoundShare, SharedArea
from app.rounds.models import Answer, AreaComment, Response, Round, RoundRespondent

__all__ = [
    "Answer",
    "AreaComment",
    "AuditEvent",
    "ContentVersion",
    "Feedback",
    "Invitation",
    "Municipality",
    "PasswordReset",
    "Response",
    "Round",
    "RoundRespondent",
    "RoundShare",
    "SharedArea",
    "RoundSnapshot",
    "SnapshotArea",
    "SnapshotComment",
    "SnapshotStatement",
    "User",
]
