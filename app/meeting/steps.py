"""The meeting view for a projector: one topic per screen, every figure from team_results
(the snapshot read with the minimum per figure), so the meeting shows nothing the results
page would not."""

from dataclasses import dataclass, field

from sqlmodel import Session

from app.authz import Action, Actor, require
from app.content.schema import Area, Meta, Statement
from app.i18n import _, current_locale
from app.meeting.forms import ReadingInput
from app.meeting.models import AgreedReading
from app.meeting.service import readings
from app.results.advice import Priority
from app.results.scoring import Figures
from app.results.service import ResultsPage, team_results
from app.rounds.models import Round, RoundStatus
from app.rounds.service import guidance_of

TOP = 5  # statements per list: enough to talk about in one meeting


@dataclass(frozen=True)
class Step:
    kind: str  # hidden | priorities | disagree | dont_know | comments | readings
    title: str
    priorities: tuple[tuple[Area, Priority], ...] = ()
    statements: tuple[tuple[Area, Statement, Figures], ...] = ()
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeetingPage:
    round: Round
    steps: tuple[Step, ...]
    number: int  # 1-based
    areas: tuple[Area, ...]  # the round's areas, for the readings step
    scores: dict[str, float | None]  # area id -> the score from the answers, where shown
    readings: dict[str, AgreedReading]
    typed: dict[str, ReadingInput] = field(default_factory=dict)
    error: str | None = None
    error_field: str | None = None  # the note the error is about, where it is about one
    meta: Meta | None = None  # the content's thresholds, for the texts that name them
    needed: int = 3  # the minimum; on the wall a figure needs one more (any who answered may see)

    @property
    def unscored(self) -> int:
        """How many areas have no score shown (too few behind it), so none can be a priority."""
        return sum(score is None for score in self.scores.values())

    @property
    def step(self) -> Step:
        return self.steps[self.number - 1]

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < len(self.steps) else None


def meeting(
    session: Session,
    actor: Actor,
    rnd: Round,
    number: int,
    typed: dict[str, ReadingInput] | None = None,
    error: str | None = None,
    error_field: str | None = None,
) -> MeetingPage:
    """The meeting's steps for this round and the one asked for (clamped to the range)."""
    require(actor, Action.VIEW_RESULTS, rnd.municipality_id)
    page = team_results(session, actor, rnd, shared=True)  # on the wall
    steps = tuple(_topics(page))
    if rnd.status == RoundStatus.CLOSED:  # a reading is written once the results are there
        steps += (Step("readings", _("Felles vurdering per område")),)
    number = min(max(number, 1), len(steps))
    agreed = readings(session, actor, rnd)
    areas = tuple(guidance_of(session, rnd).areas)  # all of them, also where figures are hidden
    scores = {row.area.id: row.figures.score for row in page.rows}
    return MeetingPage(
        rnd,
        steps,
        number,
        areas,
        scores,
        agreed,
        typed or {},
        error,
        error_field,
        page.meta,
        page.needed,
    )


def _topics(page: ResultsPage) -> list[Step]:
    if not page.visible:
        return [Step("hidden", _("Resultatene kan ikke vises"))]
    loc = current_locale()
    every = [(row.area, st, f) for row in page.rows for st, f in row.statements]
    spread = sorted(
        (x for x in every if x[2].spread is not None), key=lambda x: -(x[2].spread or 0)
    )
    unknown = [x for x in every if (x[2].dont_know_share or 0) > 0]
    unknown.sort(key=lambda x: -(x[2].dont_know_share or 0))
    steps = [
        Step("priorities", _("Prioriteringer"), priorities=page.priorities),
        Step("disagree", _("Der dere ser mest ulikt på det"), statements=tuple(spread[:TOP])),
        Step("dont_know", _("Det dere ikke vet om egen praksis"), statements=tuple(unknown[:TOP])),
    ]
    for area, texts in page.comments:
        title = _("Kommentarer: %(area)s") % {"area": area.title[loc]}
        steps.append(Step("comments", title, comments=texts))
    return steps
