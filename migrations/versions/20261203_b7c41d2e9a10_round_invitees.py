"""round invitees: new people invited to a round before they have an account

Revision ID: b7c41d2e9a10
Revises: 94767267193a
Create Date: 2026-12-03 14:40:00.000000

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate may emit sqlmodel types)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b7c41d2e9a10"
down_revision: Union[str, Sequence[str], None] = "94767267193a"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "roundinvitee",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
        ),
        sa.PrimaryKeyConstraint("round_id", "email"),
    )
    with op.batch_alter_table("roundinvitee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roundinvitee_email"), ["email"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("roundinvitee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roundinvitee_email"))
    op.drop_table("roundinvitee")
