"""The report of one closed round for the municipal council: the printable page and the PDF.

The figures are the team results and the development up to the round, read as for any of
those who answered (`shared=True`: a figure needs the minimum and one more, see
results.service.readers_of), since the report is a public document they may read too. It never
shows more than the leader's own pages.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlmodel import Session

from app.accounts.models import Municipality
from app.authz import Action, Actor
from app.clock import oslo_today
from app.content.schema import Area, Source
from app.errors import Conflict
from app.filenames import plain_words
from app.i18n import _, current_locale
from app.results.models import RoundSnapshot
from app.results.service import AdviceItem, ResultsPage, team_results
from app.rounds import service as rounds
from app.rounds.models import Round, RoundStatus
from app.settings import ROOT
from app.trend.measures import Measure, measures_for, readings_for
from app.trend.view import DevelopmentPage, development_page

REPORT_ROUNDS = 6  # the development in the report: this round and the five before it


@dataclass(frozen=True)
class Report:
    round: Round
    municipality: Municipality
    results: ResultsPage
    development: DevelopmentPage
    invited: int
    respondents: int
    made_on: date
    readings: tuple[tuple[Area, str], ...]  # the team's agreed reading per area, in order
    plan: tuple[Measure, ...]  # the action plan made after this round
    follow_up: tuple[Measure, ...]  # the previous round's plan and how it went
    previous: Round | None
    locale: str

    @property
    def rounds_at_most(self) -> int:
        """How many rounds the development shows: this one and those before it."""
        return REPORT_ROUNDS

    @property
    def sources(self) -> tuple[Source, ...]:
        """The advice's sources, each once, in the order first cited: the numbered list at the
        end of the advice, which each piece of advice points to by number (a source printed in
        full under every piece of advice citing it filled pages with the same lines)."""
        return cited_sources(self.results.advice)

    @property
    def source_numbers(self) -> dict[str, int]:
        """Each cited source's number in that list, by its id."""
        return {source.id: n for n, source in enumerate(self.sources, start=1)}

    @property
    def filename(self) -> str:
        """The PDF's file name, which a leader saves and attaches: the municipality's number
        and the round's name in plain letters (gode-grep-rapport-9901-host-2026.pdf), not the
        round's id in this service, which says nothing once saved."""
        name = plain_words(self.round.name) or str(self.round.id)
        return f"gode-grep-rapport-{self.municipality.number}-{name}.pdf"

    @property
    def title(self) -> str:
        return _("Gode grep – %(municipality)s – %(round)s") % {
            "municipality": self.municipality.name,
            "round": self.round.name,
        }


def council_report(session: Session, actor: Actor, round_id: int) -> Report:
    """Everything the council report of a closed round shows."""
    rnd = rounds.get_round(session, actor, round_id, Action.VIEW_RESULTS)
    if rnd.status != RoundStatus.CLOSED or rnd.id is None:
        raise Conflict(_("Rapporten kan lages når runden er lukket."))
    # A public document, read also by those who answered: figures as any of them could see.
    results = team_results(session, actor, rnd, shared=True)
    dev = development_page(
        session,
        actor,
        until=rnd,
        last=REPORT_ROUNDS,
        statement_charts=False,
        peers=False,
        shared=True,
    )
    snapshot = session.get(RoundSnapshot, rnd.id)
    earlier = [r.round for r in dev.development.rounds if r.round.id != rnd.id]
    previous = earlier[-1] if earlier else None
    return Report(
        round=rnd,
        municipality=dev.development.municipality,
        results=results,
        development=dev,
        invited=snapshot.invited if snapshot else 0,
        respondents=snapshot.respondents if snapshot else 0,
        made_on=oslo_today(),  # the day in Norway, also just after midnight
        readings=_readings(session, actor, rnd),
        plan=tuple(measures_for(session, actor, [rnd.id], named=False)),
        follow_up=tuple(measures_for(session, actor, [previous.id], named=False))
        if previous and previous.id
        else (),
        previous=previous,
        locale=current_locale(),
    )


def cited_sources(advice: Iterable[AdviceItem]) -> tuple[Source, ...]:
    """Every source the advice cites, once, in the order of its first citation."""
    seen: dict[str, Source] = {}
    for item in advice:
        for source in item.sources:
            seen.setdefault(source.id, source)
    return tuple(seen.values())


def _readings(session: Session, actor: Actor, rnd: Round) -> tuple[tuple[Area, str], ...]:
    """The agreed readings in the order of the areas, also where the figures are hidden."""
    assert rnd.id is not None
    written = {r.area_id: r.text for r in readings_for(session, actor, rnd.id)}
    areas = rounds.guidance_of(session, rnd).areas
    return tuple((area, written[area.id]) for area in areas if area.id in written)


@lru_cache(maxsize=1)
def report_css() -> str:
    """The report's stylesheet, inlined into the PDF's HTML (WeasyPrint reads no URLs here, and
    trend.pdf keys its cache on that HTML)."""
    return (ROOT / "static" / "css" / "report.css").read_text(encoding="utf-8")
