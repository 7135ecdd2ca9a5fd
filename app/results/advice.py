"""Strengths, priorities and advice from a round's figures (pure: no I/O).

Every piece of advice carries the reasons it fired (which figure met which threshold), so the
results page can say "why you see this" and tests can assert on it.
"""

from dataclasses import dataclass

from app.content.schema import Condition, Guidance, Rule
from app.results.scoring import Figures, RoundScores


@dataclass(frozen=True)
class Context:
    """What we know about the municipality and round beyond the answers."""

    size_class: str | None = None
    participants: int | None = None


@dataclass(frozen=True)
class Reason:
    metric: str
    target: str | None  # the area or statement id, if the metric has one
    value: float | str  # the figure that met the test
    test: str  # below | at_least | above | in
    threshold: float | tuple[str, ...]


@dataclass(frozen=True)
class Advice:
    rule: Rule
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Priority:
    area_id: str
    score: float
    weight: float

    @property
    def need(self) -> float:
        return (100 - self.score) * self.weight


@dataclass(frozen=True)
class Assessment:
    strengths: tuple[tuple[str, float], ...]  # (area id, score), best first
    priorities: tuple[Priority, ...]  # most needed first
    advice: tuple[Advice, ...]  # priority areas first, then by area order and weight


def assess(guidance: Guidance, scores: RoundScores, context: Context) -> Assessment:
    """The strengths, the priorities and the advice that fires for these figures."""
    strengths, priorities = rank_areas(guidance, scores)
    fired = [a for rule in guidance.rules if (a := fire(rule, scores, context)) is not None]
    rank = {p.area_id: i for i, p in enumerate(priorities)}
    order = {a.id: a.order for a in guidance.areas}

    def sort_key(advice: Advice) -> tuple[float, float, str]:
        area = advice.rule.area
        group = rank.get(area, 50 + order[area]) if area else 10
        return (group, -advice.rule.weight, advice.rule.id)

    return Assessment(strengths, priorities, tuple(sorted(fired, key=sort_key)))


def rank_areas(
    guidance: Guidance, scores: RoundScores
) -> tuple[tuple[tuple[str, float], ...], tuple[Priority, ...]]:
    """Strengths are areas at or above the threshold; priorities the neediest of the rest.

    Need is the distance from full score weighted by how much the sources stress the area.
    """
    limit = guidance.meta.strength_at_least
    scored = [(a, scores.areas[a.id].score) for a in guidance.areas if a.id in scores.areas]
    known = [(a, s) for a, s in scored if s is not None]
    strengths = sorted(((a.id, s) for a, s in known if s >= limit), key=lambda x: (-x[1], x[0]))
    weak = [Priority(a.id, s, a.weight) for a, s in known if s < limit]
    weak.sort(key=lambda p: (-p.need, p.score, p.area_id))
    return tuple(strengths), tuple(weak[: guidance.meta.priority_count])


def fire(rule: Rule, scores: RoundScores, context: Context) -> Advice | None:
    """The advice if every condition of the rule holds, else None."""
    reasons = []
    for cond in rule.when:
        reason = evaluate(cond, scores, context)
        if reason is None:
            return None
        reasons.append(reason)
    return Advice(rule, tuple(reasons))


def evaluate(cond: Condition, scores: RoundScores, context: Context) -> Reason | None:
    """The reason a condition holds, or None when it does not (or the figure is unknown)."""
    if cond.metric == "municipality_size":
        size = context.size_class
        if size is None or cond.in_ is None or size not in cond.in_:
            return None
        return Reason(cond.metric, None, size, "in", cond.in_)
    value = _figure(cond, scores, context)
    if value is None:
        return None
    for test in ("below", "at_least", "above"):
        threshold = getattr(cond, test)
        if threshold is not None and not _passes(test, value, threshold):
            return None
    test = next(t for t in ("below", "above", "at_least") if getattr(cond, t) is not None)
    return Reason(cond.metric, cond.area or cond.statement, value, test, getattr(cond, test))


def _passes(test: str, value: float, threshold: float) -> bool:
    if test == "below":
        return value < threshold
    if test == "above":
        return value > threshold
    return value >= threshold


def _figure(cond: Condition, scores: RoundScores, context: Context) -> float | None:
    if cond.metric == "participants":
        return None if context.participants is None else float(context.participants)
    figures: Figures | None
    if cond.statement:
        figures = scores.statements.get(cond.statement)
    elif cond.area:
        figures = scores.areas.get(cond.area)
    else:
        figures = scores.overall
    if figures is None:
        return None
    if cond.metric == "dont_know_share":
        return figures.dont_know_share if figures.answered + figures.dont_know else None
    if cond.metric in ("area_spread", "statement_spread"):
        return figures.spread
    return figures.score
