"""pending invitees count as invited in the snapshots of closed rounds

Until this release a round's snapshot counted as invited only the people with an account
(roundrespondent), not the new people invited by e-mail who had not accepted when the round
closed (roundinvitee). Those rows never change once a round is closed (accepting joins open
rounds only), so adding them now gives exactly the count the snapshot should have had.

Revision ID: 5c2e8d71a4f6
Revises: eb09e0f34322
Create Date: 2026-12-03 20:00:00

"""

from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5c2e8d71a4f6"
down_revision: Union[str, Sequence[str], None] = "eb09e0f34322"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PENDING = "(SELECT count(*) FROM roundinvitee WHERE roundinvitee.round_id = roundsnapshot.round_id)"


def upgrade() -> None:
    op.execute(f"UPDATE roundsnapshot SET invited = invited + {PENDING}")


def downgrade() -> None:
    op.execute(f"UPDATE roundsnapshot SET invited = invited - {PENDING}")
