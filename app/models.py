"""Every table, imported in one place for Alembic and the schema test."""

from app.accounts.models import Municipality, User
from app.content.models import ContentVersion
from app.rounds.models import Answer, AreaComment, Response, Round

__all__ = ["Answer", "AreaComment", "ContentVersion", "Municipality", "Response", "Round", "User"]
