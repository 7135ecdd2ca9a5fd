"""The action plan: measures from advice or from scratch, read by staff, kept by the manager."""

from datetime import datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.audit import AuditEvent
from app.clock import OSLO
from app.plan.models import Measure, MeasureStatement
from tests.conftest import four_staff, login
from tests.factories import make_closed_round


def today():
    return datetime.now(OSLO).date()


TOMORROW = (today() + timedelta(days=30)).isoformat()


@pytest.fixture
def closed(db, cast):
    """A closed round of municipality A with three staff answering level 2 everywhere."""
    team = [(cast.staff, 2), (cast.staff2, 2), (cast.staff3, 1)]
    return make_closed_round(db, cast.a, team, name="Høst 2026")


def measure_data(token, **overrides):
    data = {
        "csrf_token": token,
        "title": "Faste samtaler hver måned",
        "owner": "",
        "owner_text": "Nav-kontoret",
        "due": TOMORROW,
        "status": "planned",
        "note": "",
        "statements": [],
    }
    return {**data, **overrides}


def measures(db):
    return db.exec(select(Measure)).all()


def test_it_makes_a_measure_from_scratch_and_audits_it(client, cast, db, closed):
    token = login(client, cast.manager)
    statement = "oppfolging-faste-samtaler"
    data = measure_data(token, owner=str(cast.staff.id), statements=[statement])
    response = client.post(f"/runder/{closed.id}/tiltak", data=data)
    assert response.status_code == 303
    [measure] = measures(db)
    assert (measure.title, measure.owner_user_id, measure.status) == (
        "Faste samtaler hver måned",
        cast.staff.id,
        "planned",
    )
    links = db.exec(select(MeasureStatement.statement_id)).all()
    assert links == [statement]
    events = db.exec(select(AuditEvent.event).where(AuditEvent.event == "measure_created")).all()
    assert events == ["measure_created"]
    page = BeautifulSoup(client.get(f"/runder/{closed.id}/tiltak").text, "html.parser")
    assert "Faste samtaler hver måned" in page.get_text()
    assert cast.staff.email in page.get_text()


def make_measure(client, cast, closed, **overrides):
    token = login(client, cast.manager)
    assert (
        client.post(
            f"/runder/{closed.id}/tiltak", data=measure_data(token, **overrides)
        ).status_code
        == 303
    )
    return token


def test_staff_read_the_plan_but_cannot_change_it(client, cast, db, closed):
    make_measure(client, cast, closed)
    [measure] = measures(db)
    token = login(client, cast.staff)
    page = client.get(f"/runder/{closed.id}/tiltak")
    assert page.status_code == 200
    assert "Faste samtaler hver måned" in page.text
    assert f"/tiltak/{measure.id}" not in page.text  # no edit link
    changed = measure_data(token, title="Endret", status="done")
    assert client.post(f"/tiltak/{measure.id}", data=changed).status_code == 403
    assert client.post(f"/runder/{closed.id}/tiltak", data=changed).status_code == 403
    db.refresh(measure)
    assert measure.title == "Faste samtaler hver måned"
    assert len(measures(db)) == 1


def test_it_refuses_to_edit_another_municipalitys_plan(client, cast, db, closed):
    make_measure(client, cast, closed)
    [measure] = measures(db)
    token = login(client, cast.other_manager)
    changed = measure_data(token, title="Endret", status="done")
    assert client.post(f"/tiltak/{measure.id}", data=changed).status_code == 404
    assert client.post(f"/runder/{closed.id}/tiltak", data=changed).status_code == 404
    assert client.get(f"/runder/{closed.id}/tiltak").status_code == 404
    db.refresh(measure)
    assert (measure.title, measure.status) == ("Faste samtaler hver måned", "planned")
    assert len(measures(db)) == 1


def test_it_refuses_a_due_date_in_the_past(client, cast, db, closed):
    token = login(client, cast.manager)
    yesterday = (today() - timedelta(days=1)).isoformat()
    response = client.post(f"/runder/{closed.id}/tiltak", data=measure_data(token, due=yesterday))
    assert response.status_code == 422
    assert "Fristen må være i dag eller senere" in response.text
    assert 'value="Faste samtaler hver måned"' in response.text  # what was typed is kept
    assert measures(db) == []


def test_a_refusal_marks_the_field_it_is_about(client, cast, db, closed):
    token = login(client, cast.manager)
    data = measure_data(token, note="Gjelder 01010112377")  # a fødselsnummer in the note only
    response = client.post(f"/runder/{closed.id}/tiltak", data=data)
    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    note, title = page.select_one("#m-note"), page.select_one("#m-title")
    assert note["aria-invalid"] == "true"
    assert note["aria-describedby"] == "error-summary"
    assert note.has_attr("autofocus")
    assert note.get_text() == "Gjelder 01010112377"  # kept, and not cut by a maxlength
    assert not note.has_attr("maxlength")
    assert not title.has_attr("aria-invalid")
    assert title["aria-describedby"] == "m-title-desc"
    assert measures(db) == []


def test_a_very_long_note_comes_back_whole(client, cast, db, closed):
    token = login(client, cast.manager)
    long = "n" * 4500  # past the limit of 1000, and past what the form field once allowed
    response = client.post(f"/runder/{closed.id}/tiltak", data=measure_data(token, note=long))
    assert response.status_code == 422
    note = BeautifulSoup(response.text, "html.parser").select_one("#m-note")
    assert note.get_text() == long
    assert note["aria-invalid"] == "true"
    assert measures(db) == []


def test_it_refuses_an_owner_of_another_municipality(client, cast, db, closed):
    token = login(client, cast.manager)
    data = measure_data(token, owner=str(cast.other_staff.id))
    response = client.post(f"/runder/{closed.id}/tiltak", data=data)
    assert response.status_code == 422
    assert "Velg en ansvarlig blant de ansatte i kommunen" in response.text
    assert measures(db) == []


def test_it_refuses_a_statement_not_in_the_rounds_content(client, cast, db, closed):
    token = login(client, cast.manager)
    data = measure_data(token, statements=["oppfolging-faste-samtaler", "finnes-ikke"])
    response = client.post(f"/runder/{closed.id}/tiltak", data=data)
    assert response.status_code == 422
    assert "Påstanden finnes ikke i denne runden: finnes-ikke" in response.text
    assert measures(db) == []
    assert db.exec(select(MeasureStatement)).all() == []


def test_a_bad_edit_changes_nothing(client, cast, db, closed):
    token = make_measure(client, cast, closed, statements=["oppfolging-faste-samtaler"])
    [measure] = measures(db)
    data = measure_data(token, title="Endret", statements=["finnes-ikke"])
    assert client.post(f"/tiltak/{measure.id}", data=data).status_code == 422
    db.refresh(measure)
    assert measure.title == "Faste samtaler hver måned"
    links = db.exec(select(MeasureStatement.statement_id)).all()
    assert links == ["oppfolging-faste-samtaler"]


def test_the_plan_waits_for_the_round_to_close(client, cast, db):
    token = login(client, cast.manager)
    rnd = cast.round_a
    assert client.post(f"/runder/{rnd.id}/tiltak", data=measure_data(token)).status_code == 409
    assert client.get(f"/runder/{rnd.id}/tiltak/ny").status_code == 409
    assert "når runden er lukket" in client.get(f"/runder/{rnd.id}/tiltak").text
    assert measures(db) == []


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


def targets_on_results(client, plan):
    """The plan's links into the results page, each with whether its anchor is there."""
    found = {}
    for link in plan.select('a[href*="/resultater#"]'):
        path, anchor = link["href"].split("#")
        found[link.get_text(strip=True)] = soup(client.get(path)).find(id=anchor) is not None
    return found


def test_the_plan_links_to_the_advice_only_where_the_results_give_some(client, cast, db, closed):
    team = [cast.staff, cast.staff2, cast.staff3]
    strong = make_closed_round(db, cast.a, [(u, 4) for u in team], name="Vår 2027")
    too_few = make_closed_round(db, cast.a, [(cast.staff, 2)], name="Høst 2027")
    four = make_closed_round(db, cast.a, [(u, 2) for u in four_staff(db, cast)], name="Vår 2028")
    login(client, cast.manager)

    plan = soup(client.get(f"/runder/{four.id}/tiltak"))
    assert targets_on_results(client, plan) == {"Lag tiltak fra et råd": True}

    # Three answered: the manager reads advice, but it stands on figures any of the three,
    # who read the plan too, would have only two others behind; none of it becomes a measure.
    plan = soup(client.get(f"/runder/{closed.id}/tiltak"))
    assert targets_on_results(client, plan) == {}
    assert "Rådene for denne runden bygger på tall som færre enn 4 står bak" in plan.get_text()

    # Every answer at level 4: the results are shown, but no advice fired.
    plan = soup(client.get(f"/runder/{strong.id}/tiltak"))
    assert targets_on_results(client, plan) == {}
    assert "Ingen av rådene slo til for svarene i denne runden" in plan.get_text()

    # One answer: the results page shows no figures and no advice at all.
    plan = soup(client.get(f"/runder/{too_few.id}/tiltak"))
    assert targets_on_results(client, plan) == {}
    assert "Resultatene for runden vises ikke, fordi for få sendte inn" in plan.get_text()
    assert plan.select_one(f'a[href="/runder/{too_few.id}/tiltak/ny"]') is not None

    # Staff neither make measures nor read the results: none of this is for them.
    login(client, cast.staff)
    plan = soup(client.get(f"/runder/{too_few.id}/tiltak")).get_text()
    assert "Lag tiltak fra et råd" not in plan
    assert "Resultatene for runden vises ikke" not in plan


def test_the_manager_moves_a_measure_along_with_a_note(client, cast, db, closed):
    token = make_measure(client, cast, closed)
    [measure] = measures(db)
    data = measure_data(token, status="dropped", note="Nav tok det over")
    assert client.post(f"/tiltak/{measure.id}", data=data).status_code == 303
    db.refresh(measure)
    assert (measure.status, measure.note) == ("dropped", "Nav tok det over")
    page = client.get(f"/runder/{closed.id}/tiltak").text
    assert "Droppet" in page
    assert "Nav tok det over" in page
    events = db.exec(select(AuditEvent.event).where(AuditEvent.event == "measure_updated")).all()
    assert events == ["measure_updated"]


def test_a_past_due_date_may_stay_when_the_status_changes(client, cast, db, closed):
    token = make_measure(client, cast, closed)
    [measure] = measures(db)
    measure.due = today() - timedelta(days=3)
    db.add(measure)
    db.commit()
    plan = f"/runder/{closed.id}/tiltak"
    assert "Fristen er passert" in client.get(plan).text  # the manager sees it, as KS does
    data = measure_data(token, due=measure.due.isoformat(), status="done")
    assert client.post(f"/tiltak/{measure.id}", data=data).status_code == 303
    assert "Fristen er passert" not in client.get(plan).text  # done in time or not, it is done


def test_a_measure_from_advice_is_prefilled_with_title_and_statements(client, cast, db):
    # Four answered: the advice fires on figures as any of them may see them (the minimum
    # and one more), which is what the plan, read by all of them, may carry.
    team = [(user, 2) for user in four_staff(db, cast)]
    closed = make_closed_round(db, cast.a, team, name="Høst 2026")
    token = login(client, cast.manager)
    results = client.get(f"/runder/{closed.id}/resultater").text
    soup = BeautifulSoup(results, "html.parser")
    link = soup.select_one('a[href*="/tiltak/ny?rad=oppfolging-svak"]')
    assert link is not None
    form = BeautifulSoup(client.get(link["href"]).text, "html.parser")
    assert form.select_one("#m-title")["value"]
    checked = {i["value"] for i in form.select('input[name="statements"][checked]')}
    assert "oppfolging-faste-samtaler" in checked
    assert form.select_one('input[name="advice_id"]')["value"] == "oppfolging-svak"
    assert token


def test_advice_that_did_not_fire_cannot_prefill_a_measure(client, cast, db, closed):
    login(client, cast.manager)
    response = client.get(f"/runder/{closed.id}/tiltak/ny?rad=finnes-ikke")
    assert response.status_code == 404


def test_advice_on_figures_too_few_stand_behind_for_the_plan_makes_no_measure(client, cast, db):
    # Three answered, the manager did not: on the manager's own screen three stand behind
    # "tillit-fast-veileder" (levels 4, 1, 1: 33 points) and its advice fires. The plan is
    # read by those three too; a measure made from that advice would tell the one who gave 4
    # that the other two gave level 1, or 1 and 2. So it is not offered, nor made by its URL.
    low = "tillit-fast-veileder"
    team = [(cast.staff, {low: 4}), (cast.staff2, {low: 1}), (cast.staff3, {low: 1})]
    closed = make_closed_round(db, cast.a, team, name="Høst 2026")
    login(client, cast.manager)
    results = BeautifulSoup(client.get(f"/runder/{closed.id}/resultater").text, "html.parser")
    card = results.select_one("#rad-tillit-fast-veileder-lav")
    assert card is not None  # the manager still reads the advice
    assert card.select_one('a[href*="/tiltak/ny"]') is None
    assert "handlingsplanen leses også av dem som svarte" in card.get_text()
    assert "færre enn 4 står bak" in card.get_text()
    draft = client.get(f"/runder/{closed.id}/tiltak/ny?rad=tillit-fast-veileder-lav")
    assert draft.status_code == 404
    plan = BeautifulSoup(client.get(f"/runder/{closed.id}/tiltak").text, "html.parser")
    text = plan.get_text(" ", strip=True)
    assert "Lag tiltak fra et råd" not in text
    assert "Rådene for denne runden bygger på tall som færre enn 4 står bak" in text
