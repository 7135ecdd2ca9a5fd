"""Made-up peer municipalities 9920–9949 with closed rounds over three years, so the
development page's peer medians appear in the demo (#8): 12 small, 15 medium and only 3
large, so the large class's median stays hidden (with Demo bykommune 4 stand behind it);
8 chose the module "samordning", only 3 "kartlegging" (hidden too). They have no users, so their rounds are written as snapshot rows in bulk by
app.synthetic (computed as a close computes them), which keeps the demo quick to load."""

import random
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.accounts.models import SizeClass
from app.accounts.service import create_municipality
from app.synthetic import Version, add_rounds

PEER_NUMBERS = range(9920, 9950)
MONTH = timedelta(days=30)


def load_peers(session: Session, old: Version, new: Version) -> None:
    """The peers and their rounds (the caller checks they are not there yet, and commits)."""
    rng = random.Random(8)
    now = datetime.now(UTC)
    for i, number in enumerate(PEER_NUMBERS):
        size = SizeClass.SMALL if i < 12 else SizeClass.MEDIUM if i < 27 else SizeClass.LARGE
        m = create_municipality(session, str(number), f"Demokommune {number}", size)
        modules = " ".join(x for x, n in (("samordning", 8), ("kartlegging", 3)) if i < n)
        plan = [
            (now - MONTH * 34, old, ""),
            (now - MONTH * 22, old, ""),
            (now - MONTH * (4 + i % 6), new, modules),
        ]
        add_rounds(session, rng, m, plan)
