"""Sharing the action plan with KS: only when the manager ticks it, never a staff name, gone
at once when the share is withdrawn, and the overdue-measures signal in the national overview
only for plans that are shared."""

import io
import json
from datetime import datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from sqlmodel import select

from app.audit import AuditEvent
from app.authz import Actor
from app.clock import OSLO
from app.content.service import current_guidance
from app.plan.models import Measure, MeasureStatement
from app.review import national
from app.review.models import RoundShare
from tests.conftest import four_staff, login, statements_run
from tests.factories import make_closed_round_at
from tests.http.test_review import with_comments


def today():
    return datetime.now(OSLO).date()


@pytest.fixture
def closed(db, cast):
    """A closed round of municipality A with a plan: a measure owned by a colleague, one
    owned by a partner written as free text (overdue, linked to a statement), one done."""
    rnd = make_closed_round_at(db, cast.a, [cast.staff, cast.staff2, cast.staff3], name="Vår")
    statement = current_guidance().areas[0].statements[0]
    own = Measure(round_id=rnd.id, title="Faste samtaler med deltakerne",
                  owner_user_id=cast.staff.id, due=today() + timedelta(days=30),
                  status="planned", note="Starter i august")  # fmt: skip
    late = Measure(round_id=rnd.id, title="Felles rutine med Nav", owner_text="Nav-kontoret",
                   due=today() - timedelta(days=1), status="in_progress",
                   note="Venter på Nav\nAndre linje")  # fmt: skip
    done = Measure(round_id=rnd.id, title="Ny velkomstmappe", owner_user_id=cast.manager.id,
                   due=today() - timedelta(days=20), status="done")  # fmt: skip
    db.add_all([own, late, done])
    db.flush()
    db.add(MeasureStatement(measure_id=late.id, statement_id=statement.id))
    db.commit()
    return rnd


def statement_text() -> str:
    return current_guidance().areas[0].statements[0].text["nb"]


def share(client, cast, rnd, plan: bool, comments: bool = False):
    token = login(client, cast.manager)
    data = {"csrf_token": token}
    if plan:
        data["plan"] = "ja"
    if comments:
        data["comments"] = "ja"
    return with_comments(client, client.post(f"/runder/{rnd.id}/del-med-ks", data=data))


def withdraw(client, cast, rnd):
    token = login(client, cast.manager)
    return client.post(f"/runder/{rnd.id}/trekk-deling", data={"csrf_token": token})


def review_page(client, cast, rnd) -> BeautifulSoup:
    login(client, cast.ks_adviser)
    response = client.get(f"/ks/runder/{rnd.id}")
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def test_the_share_form_offers_the_plan_and_says_what_ks_will_see(client, cast, closed):
    login(client, cast.manager)
    page = BeautifulSoup(client.get(f"/runder/{closed.id}/resultater").text, "html.parser")
    box = page.select_one("#share-plan")
    assert box["name"] == "plan"
    assert box.get("checked") is None  # never shared unless ticked
    assert page.select_one("label[for=share-plan]").get_text() == "Ta med handlingsplanen"
    assert "aldri med navn" in page.select_one("#share-plan-desc").get_text()


def test_ks_sees_a_shared_plan_without_staff_names(client, cast, db, closed):
    assert share(client, cast, closed, plan=True).status_code == 303
    panel = client.get(f"/runder/{closed.id}/resultater").text
    assert "KS ser også handlingsplanen" in panel
    page = review_page(client, cast, closed)
    section = page.select_one("#handlingsplan")
    text = section.get_text(" ", strip=True)
    for title in ("Faste samtaler med deltakerne", "Felles rutine med Nav", "Ny velkomstmappe"):
        assert title in text
    assert "Nav-kontoret" in text  # a free-text owner as written
    assert text.count("En ansatt i kommunen") == 2  # a user owner, by no name
    assert "Starter i august" in text
    assert "Pågår" in text
    assert "Gjennomført" in text
    assert statement_text() in text
    notes = [n.get_text() for n in section.select(".plain-text")]
    assert notes == ["Starter i august", "Venter på Nav\nAndre linje"]  # line breaks kept
    assert [t.get_text() for t in section.select('.ds-tag[data-color="danger"]')] == [
        "Fristen er passert"
    ]  # the late one only: the done one is past its date too, but done
    html = page.decode()
    for person in (cast.staff, cast.staff2, cast.staff3, cast.manager):
        assert person.email not in html
    detail = db.exec(select(AuditEvent).where(AuditEvent.event == "round_shared")).one().detail
    assert json.loads(detail)["plan"] is True


def test_a_share_without_the_plan_shows_none_of_it(client, cast, db, closed):
    assert share(client, cast, closed, plan=False, comments=True).status_code == 303
    assert "Handlingsplanen er ikke delt." in client.get(f"/runder/{closed.id}/resultater").text
    page = review_page(client, cast, closed)
    assert page.select_one("#handlingsplan") is None
    assert "Faste samtaler" not in page.get_text()
    assert "Nav-kontoret" not in page.get_text()
    # Nor through the municipality's own plan pages.
    measure_id = db.exec(select(Measure.id).where(Measure.round_id == closed.id)).first()
    assert client.get(f"/runder/{closed.id}/tiltak").status_code == 403
    assert client.get(f"/tiltak/{measure_id}").status_code == 403


def test_withdrawal_hides_the_plan_at_once_and_a_new_share_asks_again(client, cast, closed):
    share(client, cast, closed, plan=True)
    adviser = client.__class__(client.app, follow_redirects=False)
    login(adviser, cast.ks_adviser)
    assert "Felles rutine med Nav" in adviser.get(f"/ks/runder/{closed.id}").text
    assert withdraw(client, cast, closed).status_code == 303
    assert adviser.get(f"/ks/runder/{closed.id}").status_code == 404  # the very next request
    assert "Felles rutine" not in adviser.get("/ks/oversikt").text
    share(client, cast, closed, plan=False)  # shared again, this time without the plan
    assert "Felles rutine med Nav" not in adviser.get(f"/ks/runder/{closed.id}").text


@pytest.mark.parametrize("value", ["nei", "1", "true"])
def test_an_unknown_choice_is_refused_and_shares_nothing(client, cast, db, closed, value):
    token = login(client, cast.manager)
    data = {"csrf_token": token, "plan": value}
    response = client.post(f"/runder/{closed.id}/del-med-ks", data=data)
    assert response.status_code == 422
    assert "Skjemaet inneholdt noe vi ikke kan ta imot." in response.text
    assert db.exec(select(RoundShare)).all() == []


def change(client, cast, rnd, **ticked: str):
    token = login(client, cast.manager)
    sent = client.post(f"/runder/{rnd.id}/endre-deling", data={"csrf_token": token, **ticked})
    return with_comments(client, sent)


def test_the_manager_adds_the_plan_to_a_standing_share_and_takes_it_out_again(
    client, cast, db, closed
):
    share(client, cast, closed, plan=False)
    adviser = client.__class__(client.app, follow_redirects=False)
    login(adviser, cast.ks_adviser)
    assert "Felles rutine med Nav" not in adviser.get(f"/ks/runder/{closed.id}").text
    login(client, cast.manager)
    panel = BeautifulSoup(client.get(f"/runder/{closed.id}/resultater").text, "html.parser")
    assert not panel.select_one("#change-plan").has_attr("checked")  # the form shows the share
    assert "aldri med navn" in panel.select_one("#change-plan-desc").get_text()  # and warns

    response = change(client, cast, closed, plan="ja")
    assert response.status_code == 303
    assert response.headers["location"] == f"/runder/{closed.id}/resultater#ks"
    assert "Felles rutine med Nav" in adviser.get(f"/ks/runder/{closed.id}").text
    page = client.get(f"/runder/{closed.id}/resultater").text
    # The message under the section's heading, where the page opens, not a screen above it.
    message = BeautifulSoup(page, "html.parser").select_one("#ks-heading + [role=status]")
    assert "Endringen er lagret." in message.get_text()
    assert "KS ser også handlingsplanen" in page
    assert "trukket tilbake" not in page  # the same share, not a new one
    assert len(db.exec(select(RoundShare)).all()) == 1
    event = db.exec(select(AuditEvent).where(AuditEvent.event == "round_share_changed")).one()
    assert json.loads(event.detail or "{}") == {
        "before": {"comments": False, "plan": False},
        "after": {"comments": False, "plan": True},
    }

    change(client, cast, closed, plan="ja")  # the same again: said so, nothing recorded
    again = client.get(f"/runder/{closed.id}/resultater").text
    assert "Delingen var allerede slik." in again
    assert 'data-color="info" role="status"' in again  # a fact, not a success
    assert (
        len(db.exec(select(AuditEvent).where(AuditEvent.event == "round_share_changed")).all()) == 1
    )

    change(client, cast, closed)  # both boxes unticked
    assert "Felles rutine med Nav" not in adviser.get(f"/ks/runder/{closed.id}").text


def test_comments_added_to_a_share_and_taken_out_again_follow_for_ks(client, cast, db):
    people = four_staff(db, cast)
    closed = make_closed_round_at(db, cast.a, people, comment="Vi trenger mer tid", name="Høst")
    share(client, cast, closed, plan=False)
    adviser = client.__class__(client.app, follow_redirects=False)
    login(adviser, cast.ks_adviser)
    assert "Vi trenger mer tid" not in adviser.get(f"/ks/runder/{closed.id}").text
    change(client, cast, closed, comments="ja")
    assert "Vi trenger mer tid" in adviser.get(f"/ks/runder/{closed.id}").text
    change(client, cast, closed)
    assert "Vi trenger mer tid" not in adviser.get(f"/ks/runder/{closed.id}").text


def test_a_change_needs_a_standing_share_and_the_manager(client, cast, db, closed):
    assert change(client, cast, closed, plan="ja").status_code == 409  # never shared
    share(client, cast, closed, plan=False)
    token = login(client, cast.staff)
    data = {"csrf_token": token, "plan": "ja"}
    assert client.post(f"/runder/{closed.id}/endre-deling", data=data).status_code == 403
    data["csrf_token"] = login(client, cast.other_manager)  # another municipality's manager
    assert client.post(f"/runder/{closed.id}/endre-deling", data=data).status_code == 404
    response = change(client, cast, closed, plan="nei")
    assert response.status_code == 422
    assert "Skjemaet inneholdt noe vi ikke kan ta imot." in response.text
    withdraw(client, cast, closed)
    assert change(client, cast, closed, plan="ja").status_code == 409  # withdrawn
    assert [s.include_plan for s in db.exec(select(RoundShare))] == [False]


SIGNAL = "i den delte handlingsplanen har passert fristen"


def adviser(cast) -> Actor:
    return Actor(cast.ks_adviser.id, "ks_adviser", None, cast.ks_adviser.email)


def overdue_signals(db, cast) -> dict[str, list[float | None]]:
    ov = national.overview(db, adviser(cast))
    return {r.name: [s.value for s in r.signals if s.kind == "overdue"] for r in ov.rows}


def test_the_overdue_signal_shows_for_a_shared_plan_with_its_evidence(client, cast, closed):
    share(client, cast, closed, plan=True)
    login(client, cast.ks_adviser)
    page = BeautifulSoup(client.get("/ks/oversikt").text, "html.parser")
    rules = page.select_one("#signals-heading").parent.get_text()
    assert "minst ett tiltak har passert fristen uten å være gjennomført" in rules
    link = page.select_one(f'.signal-list a[href="/ks/runder/{closed.id}#handlingsplan"]')
    assert link.get_text() == "1 tiltak i den delte handlingsplanen har passert fristen"
    # The evidence is there on the review page, under that anchor.
    assert (
        "Felles rutine med Nav"
        in review_page(client, cast, closed).select_one("#handlingsplan").get_text()
    )
    login(client, cast.ks_adviser)
    csv_text = client.get("/ks/oversikt.csv").content.decode("utf-8-sig")
    assert "1 tiltak i den delte handlingsplanen har passert fristen" in csv_text
    book = load_workbook(io.BytesIO(client.get("/ks/oversikt.xlsx").content))
    signals = [row[3].value for row in book["Signaler"].iter_rows(min_row=2)]
    assert "1 tiltak i den delte handlingsplanen har passert fristen" in signals
    explained = [row[1].value for row in book["Forklaring"].iter_rows(min_row=2)]
    assert any("har passert fristen uten å være gjennomført" in (e or "") for e in explained)


def test_no_overdue_signal_for_a_plan_that_is_not_shared(client, cast, db, closed):
    share(client, cast, closed, plan=False)
    assert overdue_signals(db, cast) == {"Kommune A": []}
    login(client, cast.ks_adviser)
    assert SIGNAL not in client.get("/ks/oversikt").text
    assert SIGNAL not in client.get("/ks/oversikt.csv").content.decode("utf-8-sig")


def test_the_overdue_signal_goes_with_the_withdrawal(client, cast, db, closed):
    share(client, cast, closed, plan=True)
    assert overdue_signals(db, cast) == {"Kommune A": [1.0]}
    withdraw(client, cast, closed)
    assert overdue_signals(db, cast) == {}
    login(client, cast.ks_adviser)
    assert SIGNAL not in client.get("/ks/oversikt").text


def test_overdue_counts_open_measures_past_their_day_only(client, cast, db, closed):
    """Due today is not overdue; done and dropped never are; planned and in progress are."""
    share(client, cast, closed, plan=True)
    for title, days, status in [
        ("I dag", 0, "planned"),
        ("I går, droppet", -1, "dropped"),
        ("I går, gjennomført", -1, "done"),
        ("Uten frist", None, "planned"),
        ("For lenge siden", -400, "planned"),
    ]:
        due = today() + timedelta(days=days) if days is not None else None
        db.add(Measure(round_id=closed.id, title=title, due=due, status=status))
    db.commit()
    assert overdue_signals(db, cast) == {"Kommune A": [2.0]}  # "Felles rutine" and the old one
    login(client, cast.ks_adviser)
    assert "2 tiltak i den delte handlingsplanen" in client.get("/ks/oversikt").text


def test_the_overdue_signal_is_read_without_a_query_per_municipality(client, cast, db, closed):
    share(client, cast, closed, plan=True)

    def queries() -> int:
        with statements_run(db) as statements:
            national.overview(db, adviser(cast))
        return len(statements)

    few = queries()
    other = make_closed_round_at(db, cast.b, [cast.other_staff, cast.other_manager], name="B")
    db.add(Measure(round_id=other.id, title="Sent", due=today() - timedelta(days=3)))
    db.commit()
    share_b = RoundShare(round_id=other.id, municipality_id=cast.b.id, active_round_id=other.id,
                         round_closed_at=other.closed_at, include_plan=True,
                         shared_by_id=cast.other_manager.id)  # fmt: skip
    db.add(share_b)  # set directly, as the demo does
    db.commit()
    assert queries() == few
    assert overdue_signals(db, cast)["Kommune B"] == [1.0]


def test_a_share_that_grows_after_the_review_is_back_in_ks_queue(client, cast, closed):
    share(client, cast, closed, plan=False, comments=True)
    adviser = client.__class__(client.app, follow_redirects=False)
    token = login(adviser, cast.ks_adviser)
    link = f'href="/ks/runder/{closed.id}"'
    assert link in adviser.get("/ks").text

    def review_done() -> None:
        done = adviser.post(f"/ks/runder/{closed.id}/ferdig", data={"csrf_token": token})
        assert done.status_code == 303
        assert link not in adviser.get("/ks").text

    review_done()
    told = "Tar dere med mer nå, får KS den tilbake i køen sin."
    assert told in client.get(f"/runder/{closed.id}/resultater").text  # the manager is told
    change(client, cast, closed, comments="ja", plan="ja")  # the plan added: more to read
    assert told not in client.get(f"/runder/{closed.id}/resultater").text
    assert link in adviser.get("/ks").text
    review_done()
    change(client, cast, closed, plan="ja")  # the comments taken out: nothing new for KS
    assert link not in adviser.get("/ks").text
