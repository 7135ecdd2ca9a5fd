"""Scores from answers (pure: no I/O).

Level 1–4 maps to 0, 33⅓, 66⅔ and 100. "Vet ikke" (level 0) is left out of every score and
counted on its own. An area's score is the mean over the answered statements of all
respondents; its spread is how far the respondents' own area means lie apart (population
standard deviation, in points), which is simple to explain: "you differ by about N points".
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean, pstdev

DONT_KNOW = 0
LEVELS = (1, 2, 3, 4)

# One respondent's answers: statement id -> level (0 = "Vet ikke").
Answers = Mapping[str, int]


def shown(score: float) -> int:
    """A score as every page, chart and report writes it: a whole number."""
    return int(f"{score:.0f}")


def shown_difference(now: float, before: float) -> int:
    """A change as the difference of the two figures shown, so that 27.8 → 83.3 reads
    28 → 83, «55», and not the rounded exact change («56»)."""
    return shown(now) - shown(before)


def level_score(level: int) -> float:
    if level not in LEVELS:
        raise ValueError(f"level {level} has no score")
    return (level - 1) * 100 / 3


@dataclass(frozen=True)
class Figures:
    """Score, spread and "vet ikke" for one statement or area."""

    score: float | None  # None when nobody gave a level
    spread: float | None  # None with fewer than two respondents giving a level
    answered: int  # answers with a level
    dont_know: int  # "Vet ikke" answers
    respondents: int  # respondents who answered at least one statement here
    # How many chose level 1–4, where it may be shown (a team's statement figures).
    levels: tuple[int, int, int, int] | None = None
    # False where too few others stand behind the "Vet ikke" figure for it to be shown.
    share_known: bool = True

    @property
    def dont_know_share(self) -> float | None:
        total = self.answered + self.dont_know
        if not self.share_known:
            return None
        return 100 * self.dont_know / total if total else 0.0


@dataclass(frozen=True)
class RoundScores:
    respondents: int
    areas: Mapping[str, Figures]
    statements: Mapping[str, Figures]
    overall: Figures


def score_round(
    structure: Mapping[str, Sequence[str]], responses: Sequence[Answers]
) -> RoundScores:
    """Figures per area and statement. `structure` maps area id -> its statement ids in order."""
    statements = {
        sid: _figures([[r[sid]] if sid in r else [] for r in responses])
        for sids in structure.values()
        for sid in sids
    }
    areas = {
        area: _figures([[r[s] for s in sids if s in r] for r in responses])
        for area, sids in structure.items()
    }
    every = [sid for sids in structure.values() for sid in sids]
    overall = _figures([[r[s] for s in every if s in r] for r in responses])
    return RoundScores(len(responses), areas, statements, overall)


def _figures(per_respondent: Sequence[Sequence[int]]) -> Figures:
    scores = [[level_score(v) for v in levels if v != DONT_KNOW] for levels in per_respondent]
    all_scores = [s for own in scores for s in own]
    own_means = [fmean(own) for own in scores if own]
    return Figures(
        score=fmean(all_scores) if all_scores else None,
        spread=pstdev(own_means) if len(own_means) >= 2 else None,
        answered=len(all_scores),
        dont_know=sum(v == DONT_KNOW for levels in per_respondent for v in levels),
        respondents=sum(1 for levels in per_respondent if levels),
    )
