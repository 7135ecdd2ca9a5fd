"""The last look before a round's anonymous comments go to KS.

Comments are shared word for word, and a sentence can point to a person where no figure
does («the only one of us who works evenings …»). The share form's box said to read them
first, but they stood further down the page. Where the manager's choice would let KS read
comments it cannot read now, the share (or the change) first shows exactly those comments,
as KS will read them, and only the press on that page shares them."""

from dataclasses import dataclass

from sqlmodel import Session

from app.authz import Actor
from app.content.schema import Area
from app.results.service import team_results
from app.review.forms import ShareChoice
from app.review.sharing import active_share
from app.rounds.models import Round, RoundStatus


@dataclass(frozen=True)
class CommentsCheck:
    round: Round
    comments: tuple[tuple[Area, tuple[str, ...]], ...]  # as KS will read them, by area
    plan: bool  # the other box, carried through as chosen
    changing: bool  # a standing share changed, not a new one

    @property
    def count(self) -> int:
        return sum(len(texts) for _, texts in self.comments)


def comments_to_check(
    session: Session, actor: Actor, rnd: Round, choice: ShareChoice, changing: bool
) -> CommentsCheck | None:
    """What to show before sharing, or None where nothing new about the comments is chosen
    (not ticked, already shared, or already looked at)."""
    if not choice.comments or choice.confirmed or rnd.status != RoundStatus.CLOSED:
        return None  # (an open round: the share itself refuses it, with the reason)
    share = active_share(session, rnd.id)
    if (share is not None) != changing or (share is not None and share.include_comments):
        return None  # shared meanwhile, or withdrawn: the share or change says so
    # KS reads as any of those who answered could (results.service.readers_of).
    shown = team_results(session, actor, rnd, shared=True).comments
    return CommentsCheck(rnd, shown, choice.plan, changing)
