from hypothesis import given
from hypothesis import strategies as st

from app.results.scoring import level_score, score_round

STRUCTURE = {"a": ["a1", "a2"], "b": ["b1"]}

levels = st.integers(min_value=0, max_value=4)
respondent = st.fixed_dictionaries({}, optional={"a1": levels, "a2": levels, "b1": levels})


def test_it_maps_levels_to_0_33_67_100():
    assert [round(level_score(n), 2) for n in (1, 2, 3, 4)] == [0, 33.33, 66.67, 100]


def test_it_scores_an_area_as_the_mean_of_all_answers():
    scores = score_round(STRUCTURE, [{"a1": 4, "a2": 1}, {"a1": 3}])
    assert round(scores.areas["a"].score or 0, 2) == round((100 + 0 + 200 / 3) / 3, 2)
    assert scores.areas["a"].answered == 3
    assert scores.areas["a"].respondents == 2


def test_it_keeps_vet_ikke_out_of_score_and_counts_it():
    scores = score_round(STRUCTURE, [{"a1": 4, "a2": 0}, {"a1": 0}])
    assert scores.areas["a"].score == 100
    assert scores.areas["a"].dont_know == 2
    assert round(scores.areas["a"].dont_know_share) == 67


def test_it_has_no_score_when_everyone_says_vet_ikke():
    scores = score_round(STRUCTURE, [{"b1": 0}, {"b1": 0}])
    assert scores.areas["b"].score is None
    assert scores.areas["b"].dont_know_share == 100


def test_it_measures_spread_between_respondents():
    agree = score_round(STRUCTURE, [{"a1": 3}, {"a1": 3}, {"a1": 3}])
    disagree = score_round(STRUCTURE, [{"a1": 1}, {"a1": 4}, {"a1": 1}, {"a1": 4}])
    assert agree.areas["a"].spread == 0
    assert disagree.areas["a"].spread == 50


def test_it_has_no_spread_with_one_respondent():
    assert score_round(STRUCTURE, [{"a1": 2}]).areas["a"].spread is None


@given(st.lists(respondent, min_size=1, max_size=6), st.sampled_from(["a1", "a2", "b1"]), st.data())
def test_raising_one_answer_never_lowers_its_area_score(responses, statement, data):
    who = data.draw(st.integers(0, len(responses) - 1))
    before_level = responses[who].get(statement, 0)
    if before_level in (0, 4):
        return  # nothing to raise from "vet ikke" (not a level) or from the top
    raised = [dict(r) for r in responses]
    raised[who][statement] = data.draw(st.integers(before_level + 1, 4))
    area = "b" if statement == "b1" else "a"
    before = score_round(STRUCTURE, responses).areas[area].score
    after = score_round(STRUCTURE, raised).areas[area].score
    assert before is not None
    assert after is not None
    assert after >= before


@given(st.lists(respondent, min_size=1, max_size=6), st.sampled_from(["a1", "a2", "b1"]), st.data())
def test_adding_vet_ikke_never_changes_a_score(responses, statement, data):
    who = data.draw(st.integers(0, len(responses) - 1))
    if statement in responses[who]:
        return
    with_dont_know = [dict(r) for r in responses]
    with_dont_know[who][statement] = 0
    before = score_round(STRUCTURE, responses)
    after = score_round(STRUCTURE, with_dont_know)
    assert all(before.areas[a].score == after.areas[a].score for a in STRUCTURE)
    assert before.statements[statement].score == after.statements[statement].score


@given(st.lists(respondent, min_size=1, max_size=8))
def test_scores_stay_between_0_and_100(responses):
    scores = score_round(STRUCTURE, responses)
    for figures in [*scores.areas.values(), *scores.statements.values()]:
        assert figures.score is None or 0 <= figures.score <= 100
        assert 0 <= figures.dont_know_share <= 100
