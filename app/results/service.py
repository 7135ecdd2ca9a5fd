"""Results and advice for a round: the team's (aggregated) and a respondent's own.

The minimum number of respondents is enforced here, where the answers are queried: below it,
the query functions return nothing, so no page or export can show figures by mistake.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app.accounts.service import size_name
from app.authz import Action, Actor, require
from app.content.schema import Area, Guidance, Source, Statement, Text
from app.errors import Conflict
from app.i18n import _, current_locale
from app.results.advice import Assessment, Context, Priority, Reason, assess
from app.results.scoring import Figures, RoundScores, score_round
from app.rounds import service as rounds
from app.rounds.models import Answer, AreaComment, Response, Round
from app.settings import get_settings


@dataclass(frozen=True)
class AreaRow:
    area: Area
    figures: Figures
    statements: tuple[tuple[Statement, Figures], ...]


@dataclass(frozen=True)
class AdviceItem:
    id: str
    title: Text
    text: Text
    area: Area | None
    reasons: tuple[str, ...]  # "why you see this", one line per condition
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class ResultsPage:
    round: Round
    team: bool  # the team's results (manager) or the actor's own
    respondents: int
    needed: int
    visible: bool
    rows: tuple[AreaRow, ...] = ()
    strengths: tuple[tuple[Area, float], ...] = ()
    priorities: tuple[tuple[Area, Priority], ...] = ()
    advice: tuple[AdviceItem, ...] = ()
    comments: tuple[tuple[Area, tuple[str, ...]], ...] = ()
    overall: Figures | None = None

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


def min_respondents(guidance: Guidance) -> int:
    configured = get_settings().min_respondents
    return configured if configured is not None else guidance.meta.min_respondents


def submitted_count(session: Session, round_id: int) -> int:
    query = select(func.count()).where(
        Response.round_id == round_id, col(Response.submitted_at).is_not(None)
    )
    return session.exec(query).one()


def submitted_answers(session: Session, round_id: int, minimum: int) -> list[dict[str, int]]:
    """Answers of submitted responses, grouped per response; nothing below the minimum."""
    if submitted_count(session, round_id) < minimum:
        return []
    query = (
        select(Answer.response_id, Answer.statement_id, Answer.level)
        .join(Response, col(Response.id) == col(Answer.response_id))
        .where(Response.round_id == round_id, col(Response.submitted_at).is_not(None))
    )
    grouped: dict[int, dict[str, int]] = defaultdict(dict)
    for response_id, statement_id, level in session.exec(query):
        grouped[response_id][statement_id] = level
    return list(grouped.values())


def submitted_comments(session: Session, round_id: int, minimum: int) -> dict[str, list[str]]:
    """Comments of submitted responses per area, in text order (never in answer order)."""
    if submitted_count(session, round_id) < minimum:
        return {}
    query = (
        select(AreaComment.area_id, AreaComment.text)
        .join(Response, col(Response.id) == col(AreaComment.response_id))
        .where(Response.round_id == round_id, col(Response.submitted_at).is_not(None))
        .where(AreaComment.text != "")
        .order_by(col(AreaComment.area_id), col(AreaComment.text))
    )
    out: dict[str, list[str]] = defaultdict(list)
    for area_id, text in session.exec(query):
        out[area_id].append(text)
    return out


def team_results(session: Session, actor: Actor, rnd: Round) -> ResultsPage:
    """The round's results across all submitted responses, once enough have submitted."""
    require(actor, Action.VIEW_RESULTS, rnd.municipality_id)
    guidance = rounds.guidance_of(session, rnd)
    needed = min_respondents(guidance)
    assert rnd.id is not None
    responses = submitted_answers(session, rnd.id, needed)
    if not responses:
        return ResultsPage(rnd, True, submitted_count(session, rnd.id), needed, visible=False)
    comments = submitted_comments(session, rnd.id, needed)
    return _build(session, guidance, rnd, responses, True, needed, comments)


def own_results(session: Session, actor: Actor, rnd: Round) -> ResultsPage:
    """The actor's own results and advice, once they have submitted."""
    require(actor, Action.ANSWER_ROUND, rnd.municipality_id)
    response = rounds.existing_response(session, actor, rnd)
    if response is None or response.submitted_at is None:
        raise Conflict(_("Du ser dine egne resultater når du har sendt inn svaret ditt."))
    guidance = rounds.guidance_of(session, rnd)
    answers = rounds.answers_of(session, response)
    own_comments = {k: [v] for k, v in rounds.comments_of(session, response).items() if v}
    return _build(session, guidance, rnd, [answers], False, 1, own_comments)


def _build(
    session: Session,
    guidance: Guidance,
    rnd: Round,
    responses: list[dict[str, int]],
    team: bool,
    needed: int,
    comments: dict[str, list[str]],
) -> ResultsPage:
    structure = {a.id: [s.id for s in a.statements] for a in guidance.areas}
    scores = score_round(structure, responses)
    municipality = rounds.municipality_of(session, rnd)
    context = Context(size_class=municipality.size_class, participants=rnd.participants)
    assessment = assess(guidance, scores, context)
    return ResultsPage(
        round=rnd,
        team=team,
        respondents=len(responses),
        needed=needed,
        visible=True,
        rows=_rows(guidance, scores),
        strengths=tuple((guidance.area(a), s) for a, s in assessment.strengths),
        priorities=tuple((guidance.area(p.area_id), p) for p in assessment.priorities),
        advice=_advice_items(guidance, assessment),
        comments=tuple((a, tuple(comments[a.id])) for a in guidance.areas if comments.get(a.id)),
        overall=scores.overall,
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
            "%(value)s %% av svarene på «%(target)s» var «Vet ikke», %(compare)s."
        ),
        "participants": _(
            "Runden er registrert med %(value)s deltakere i programmet, %(compare)s."
        ),
        "municipality_size": _("Kommunen er registrert i størrelsesgruppen «%(value)s»."),
    }
    if reason.metric == "dont_know_share" and not reason.target:
        text = _("%(value)s %% av alle svarene i runden var «Vet ikke», %(compare)s.")
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
