"""The synthetic rounds of the benchmark and the demo hold what a real close would store."""

import random

import pytest

from app.content.service import current_guidance
from app.results.aggregate import aggregate
from app.synthetic import made_up_answers, quick_aggregate


@pytest.mark.parametrize("respondents", [1, 3, 7])
def test_the_quick_aggregate_equals_the_real_one(respondents):
    guidance = current_guidance()
    answers = made_up_answers(random.Random(respondents), guidance, respondents, 0.5)
    structure = {a.id: [s.id for s in a.statements] for a in guidance.areas}
    real, quick = aggregate(structure, answers), quick_aggregate(guidance, answers)
    assert quick.respondents == real.respondents
    pairs = [*zip(real.statements, quick.statements, strict=True)]
    pairs += [*zip(real.areas, quick.areas, strict=True)]
    for a, b in pairs:
        assert {k: v for k, v in vars(a).items() if k != "spread"} == {
            k: v for k, v in vars(b).items() if k != "spread"
        }
        if a.spread is None:
            assert b.spread is None
        else:
            assert b.spread == pytest.approx(a.spread, abs=1e-6)
