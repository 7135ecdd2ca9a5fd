"""Results and advice for a round: the team's (from the snapshot taken at close) and a
respondent's own (from their own answers, which only they see).

The minimum number of respondents is enforced in results/snapshot.py, in the query that reads
the figures, per figure and not counting the reader.
"""

from dataclasses import dataclass

from sqlmodel import Session

from app.accounts.models import Role
from app.accounts.service import size_name
from app.authz import Action, Actor, Decision, can_on_round, require, require_on_round
from app.content.schema import Area, Guidance, Meta, Source, Statement, Text
from app.errors import Conflict
from app.i18n import _, current_locale
from app.results.advice import Assessment, Context, Priority, Reason, assess
from app.results.scoring import Figures, RoundScores, score_round
from app.results.snapshot import (
    ANYONE,
    AreaFigures,
    Readers,
    SnapshotView,
    StatementFigures,
    plain_minimum,
    read_snapshot,
)
from app.review.sharing import active_share, sharing_of
from app.rounds import lifecycle
from app.rounds import service as rounds
from app.rounds.models import Round


@dataclass(frozen=True)
class AreaRow:
    area: Area
    figures: Figures
    statements: tuple[tuple[Statement, Figures], ...]

    @property
    def scored(self) -> int:
        """How many of the area's statements its score is made from (hidden ones are not)."""
        return sum(f.score is not None for _, f in self.statements)


@dataclass(frozen=True)
class AdviceItem:
    id: str
    title: Text
    text: Text
    area: Area | None
    reasons: tuple[str, ...]  # "why you see this", one line per condition
    sources: tuple[Source, ...]
    phase: str | None = None  # KS's phase of the participant's path; None: the whole path


@dataclass(frozen=True)
class ResultsPage:
    round: Round
    team: bool  # the team's results (manager) or the actor's own
    respondents: int
    needed: int
    visible: bool
    others: int = 0  # respondents other than the reader (team results)
    rows: tuple[AreaRow, ...] = ()
    strengths: tuple[tuple[Area, float], ...] = ()
    priorities: tuple[tuple[Area, Priority], ...] = ()
    advice: tuple[AdviceItem, ...] = ()
    comments: tuple[tuple[Area, tuple[str, ...]], ...] = ()
    overall: Figures | None = None
    meta: Meta | None = None  # the content's thresholds the page's texts name (visible pages)

    @property
    def advice_groups(self) -> list[tuple[Area | None, list[AdviceItem]]]:
        """Advice grouped by area, keeping the engine's order (priority areas first)."""
        groups: list[tuple[Area | None, list[AdviceItem]]] = []
        for item in self.advice:
            if groups and groups[-1][0] == item.area:
                groups[-1][1].append(item)
            else:
                groups.append((item.area, [item]))
        return groups

    @property
    def phase_groups(self) -> list[tuple[str | None, list[AdviceItem]]]:
        """Advice grouped by KS's phases in the order staff meet them; the whole path last."""
        order = [*PHASES, None]
        return [
            (phase, items)
            for phase in order
            if (items := [item for item in self.advice if item.phase == phase])
        ]

    @property
    def unscored(self) -> int:
        """How many areas have no score (too few behind it): none of them can be a priority."""
        return sum(row.figures.score is None for row in self.rows)

    def top_advice(self, area: Area) -> AdviceItem | None:
        """The first piece of advice for an area: what the page leads with for a priority."""
        return next((item for item in self.advice if item.area == area), None)


PHASES = ("oppstart", "underveis", "mot-slutten", "etter-programmet")


def phase_name(phase: str | None) -> str:
    """A phase of the participant's path in words (KS's guidance is organised by them)."""
    return {
        "oppstart": _("Oppstart"),
        "underveis": _("Underveis i programmet"),
        "mot-slutten": _("Mot slutten av programmet"),
        "etter-programmet": _("Etter programmet"),
    }.get(phase or "", _("Hele løpet"))


def min_respondents(guidance: Guidance) -> int:
    """The minimum number of other respondents behind any figure shown."""
    return plain_minimum(guidance)


def team_results(session: Session, actor: Actor, rnd: Round, shared: bool = False) -> ResultsPage:
    """The round's results from its snapshot, each figure only where enough others stand
    behind it; an open round shows none (only counts), so nothing can be differenced.
    `shared`: for what others read too (the report, an export, the meeting), which then
    shows only what any of those who answered could see (`readers_of`).
    KS reads a round only while its municipality shares it, and comments only if ticked."""
    sharing = sharing_of(active_share(session, rnd.id))
    require_on_round(actor, Action.VIEW_RESULTS, rnd.municipality_id, sharing)
    guidance = rounds.guidance_of(session, rnd)
    needed = min_respondents(guidance)
    assert rnd.id is not None
    view = read_snapshot(session, rnd.id, readers_of(actor, shared), needed)
    if view is None:
        tally = lifecycle.counts(session, rnd)
        return ResultsPage(rnd, True, tally.submitted, needed, visible=False)
    if view.others < needed:
        return ResultsPage(rnd, True, view.respondents, needed, visible=False, others=view.others)
    scores = scores_from_snapshot(guidance, view)
    comments_ok = can_on_round(actor, Action.VIEW_COMMENTS, rnd.municipality_id, sharing)
    comments = view.comments if comments_ok is Decision.ALLOW else {}
    return _build(session, guidance, rnd, scores, True, needed, comments, view.others)


def readers_of(actor: Actor, shared: bool = False) -> Readers:
    """Whose own answer must not count towards what `actor` reads: the reader's own; for what
    others read too, and for all KS reads (KS's feedback is read in the municipality), any
    one answer (`ANYONE`): any of those who answered may read it."""
    if shared or actor.role == Role.KS_ADVISER:
        return ANYONE
    return actor.user_id


def scores_from_snapshot(guidance: Guidance, view: SnapshotView) -> RoundScores:
    """Figures from what the reader may see of a snapshot. Area and overall scores are made
    from the visible statements only, so no hidden figure can be worked out by subtraction."""
    by_id = {st.statement_id: st for st in view.statements}
    statements = {sid: _statement_figures(st) for sid, st in by_id.items()}
    areas = {
        a.id: _combined(
            [by_id[s.id] for s in a.statements if s.id in by_id],
            view.areas.get(a.id),
        )
        for a in guidance.areas
    }
    overall = _combined(list(view.statements), None)
    return RoundScores(view.respondents, areas, statements, overall)


def _statement_figures(st: StatementFigures) -> Figures:
    with_level = st.with_level
    score = st.score_sum / with_level if with_level and st.score_sum is not None else None
    return Figures(
        score=score,
        spread=st.spread,
        answered=_with_level(st),
        dont_know=st.dont_know or 0,
        respondents=st.answered or 0,
        levels=st.levels,
        share_known=st.answered is not None,
    )


def _with_level(st: StatementFigures) -> int:
    """Answers with a level, known wherever the "Vet ikke" count may be shown (a count only)."""
    return st.answered - (st.dont_know or 0) if st.answered is not None else 0


def _combined(rows: list[StatementFigures], area: AreaFigures | None) -> Figures:
    scored = [r for r in rows if r.with_level and r.score_sum is not None]
    with_level = sum(r.with_level or 0 for r in scored)
    known = [r for r in rows if r.answered is not None]
    return Figures(
        score=sum(r.score_sum or 0 for r in scored) / with_level if with_level else None,
        spread=area.spread if area else None,
        answered=sum(_with_level(r) for r in known),
        dont_know=sum(r.dont_know or 0 for r in known),
        respondents=(area.respondents or 0) if area else 0,
        share_known=bool(known),
    )


def own_results(session: Session, actor: Actor, rnd: Round) -> ResultsPage:
    """The actor's own results and advice, once they have submitted."""
    require(actor, Action.ANSWER_ROUND, rnd.municipality_id)
    response = rounds.existing_response(session, actor, rnd)
    if response is None or response.submitted_at is None:
        raise Conflict(_("Du ser dine egne resultater når du har sendt inn svaret ditt."))
    guidance = rounds.guidance_of(session, rnd)
    answers = rounds.answers_of(session, response)
    own_comments = {k: [v] for k, v in rounds.comments_of(session, response).items() if v}
    structure = {a.id: [s.id for s in a.statements] for a in guidance.areas}
    scores = score_round(structure, [answers])
    return _build(session, guidance, rnd, scores, False, 1, own_comments, 0)


def _build(
    session: Session,
    guidance: Guidance,
    rnd: Round,
    scores: RoundScores,
    team: bool,
    needed: int,
    comments: dict[str, list[str]],
    others: int,
) -> ResultsPage:
    municipality = rounds.municipality_of(session, rnd)
    context = Context(size_class=municipality.size_class, participants=rnd.participants)
    assessment = assess(guidance, scores, context)
    return ResultsPage(
        round=rnd,
        team=team,
        respondents=scores.respondents,
        needed=needed,
        visible=True,
        others=others,
        rows=_rows(guidance, scores),
        strengths=tuple((guidance.area(a), s) for a, s in assessment.strengths),
        priorities=tuple((guidance.area(p.area_id), p) for p in assessment.priorities),
        advice=_advice_items(guidance, assessment),
        comments=tuple((a, tuple(comments[a.id])) for a in guidance.areas if comments.get(a.id)),
        overall=scores.overall,
        meta=guidance.meta,
    )


def _rows(guidance: Guidance, scores: RoundScores) -> tuple[AreaRow, ...]:
    return tuple(
        AreaRow(a, scores.areas[a.id], tuple((s, scores.statements[s.id]) for s in a.statements))
        for a in guidance.areas
    )


def _advice_items(guidance: Guidance, assessment: Assessment) -> tuple[AdviceItem, ...]:
    return tuple(
        AdviceItem(
            id=adv.rule.id,
            title=adv.rule.title,
            text=adv.rule.text,
            area=guidance.area(adv.rule.area) if adv.rule.area else None,
            reasons=tuple(explain(guidance, r) for r in adv.reasons),
            sources=tuple(guidance.source(s) for s in adv.rule.sources),
            phase=guidance.phase_of(adv.rule),
        )
        for adv in assessment.advice
    )


def explain(guidance: Guidance, reason: Reason) -> str:
    """One sentence saying which figure met which threshold."""
    loc = current_locale()
    names = {a.id: a.title[loc] for a in guidance.areas}
    names |= {s.id: s.text[loc] for a in guidance.areas for s in a.statements}
    target = names.get(reason.target or "", "")
    value = reason.value
    args = {"target": target, "value": _fmt(value), "limit": _fmt(reason.threshold)}
    compare = {
        "below": _("under grensen på %(limit)s"),
        "at_least": _("minst %(limit)s"),
        "above": _("over grensen på %(limit)s"),
    }.get(reason.test, "") % args
    templates = {
        "area_score": _("Området «%(target)s» fikk %(value)s av 100 poeng, %(compare)s."),
        "statement_score": _("Påstanden «%(target)s» fikk %(value)s av 100 poeng, %(compare)s."),
        "area_spread": _(
            "Svarene på «%(target)s» spriker med %(value)s poeng (standardavvik), %(compare)s."
        ),
        "statement_spread": _(
            "Svarene på påstanden «%(target)s» spriker med %(value)s poeng, %(compare)s."
        ),
        "dont_know_share": _(
            "%(value)s\u00a0%% av svarene på «%(target)s» var «Vet ikke», %(compare)s."
        ),
        "participants": _(
            "Runden er registrert med %(value)s deltakere i programmet, %(compare)s."
        ),
        "municipality_size": _("Kommunen er registrert i størrelsesgruppen «%(value)s»."),
    }
    if reason.metric == "dont_know_share" and not reason.target:
        text = _("%(value)s\u00a0%% av alle svarene i runden var «Vet ikke», %(compare)s.")
    else:
        text = templates[reason.metric]
    if reason.metric == "municipality_size":
        args["value"] = size_name(str(value))
    return text % {**args, "compare": compare}


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.0f}"
    if isinstance(value, tuple):
        return ", ".join(size_name(v) for v in value)
    return str(value)
