"""A closed round's figures as stored aggregates (pure: no I/O).

At close, the submitted responses are reduced to sums and counts per statement and to the
spread per area. Nothing in a snapshot is tied to a person: each statement row holds how many
gave each level, and each area row how far respondents' own means lie apart. Which figures a
reader may see is decided when the snapshot is read (see results/snapshot.py).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean, pstdev

from app.results.scoring import DONT_KNOW, LEVELS, Answers, level_score


@dataclass(frozen=True)
class StatementAggregate:
    statement_id: str
    area_id: str
    answered: int  # respondents who answered, "Vet ikke" included
    levels: tuple[int, int, int, int]  # how many chose level 1, 2, 3, 4
    dont_know: int
    spread: float | None  # standard deviation of the level scores, in points

    @property
    def with_level(self) -> int:
        return sum(self.levels)

    @property
    def score_sum(self) -> float:
        return sum(n * level_score(level) for n, level in zip(self.levels, LEVELS, strict=True))


@dataclass(frozen=True)
class AreaAggregate:
    area_id: str
    respondents: int  # respondents who gave a level to at least one statement here
    spread: float | None  # standard deviation between those respondents' own area means


@dataclass(frozen=True)
class Aggregates:
    respondents: int
    statements: tuple[StatementAggregate, ...]
    areas: tuple[AreaAggregate, ...]


def aggregate(structure: Mapping[str, Sequence[str]], responses: Sequence[Answers]) -> Aggregates:
    """Sums and counts per statement, and the spread per area, for these responses."""
    statements = tuple(
        _statement(area_id, sid, [r[sid] for r in responses if sid in r])
        for area_id, sids in structure.items()
        for sid in sids
    )
    areas = tuple(_area(area_id, sids, responses) for area_id, sids in structure.items())
    return Aggregates(len(responses), statements, areas)


def _statement(area_id: str, statement_id: str, given: list[int]) -> StatementAggregate:
    scores = [level_score(v) for v in given if v != DONT_KNOW]
    return StatementAggregate(
        statement_id=statement_id,
        area_id=area_id,
        answered=len(given),
        levels=(given.count(1), given.count(2), given.count(3), given.count(4)),
        dont_know=given.count(DONT_KNOW),
        spread=pstdev(scores) if len(scores) >= 2 else None,
    )


def _area(area_id: str, sids: Sequence[str], responses: Sequence[Answers]) -> AreaAggregate:
    own_means = []
    for response in responses:
        scores = [level_score(response[s]) for s in sids if response.get(s, DONT_KNOW)]
        if scores:
            own_means.append(fmean(scores))
    return AreaAggregate(
        area_id=area_id,
        respondents=len(own_means),
        spread=pstdev(own_means) if len(own_means) >= 2 else None,
    )
