"""A manager opens and closes rounds; a round keeps the content it was started with."""

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.accounts.models import Role
from app.content import service as content
from app.content.loader import load_guidance
from app.rounds.models import Round, RoundStatus
from app.settings import ROOT
from tests.conftest import login
from tests.factories import close_round, make_municipality, make_user

HX = {"HX-Request": "true"}


def test_a_manager_starts_a_round(client, cast, db):
    close_round(db, cast.round_a)  # its staff are then free to be chosen
    token = login(client, cast.manager)
    response = client.post(
        "/runder",
        data={
            "name": "Høst 2027",
            "participants": "35",
            "deadline": "2027-03-31",
            "respondents": [cast.staff.id, cast.staff2.id],
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    rnd = db.exec(select(Round).where(Round.name == "Høst 2027")).one()
    assert (rnd.municipality_id, rnd.participants, str(rnd.deadline)) == (
        cast.a.id,
        35,
        "2027-03-31",
    )


def test_staff_cannot_start_or_close_a_round(client, cast, db):
    token = login(client, cast.staff)
    assert (
        client.post("/runder", data={"name": "Egen runde", "csrf_token": token}).status_code == 403
    )
    assert (
        client.post(f"/runder/{cast.round_a.id}/lukk", data={"csrf_token": token}).status_code
        == 403
    )
    assert db.exec(select(Round).where(Round.name == "Egen runde")).first() is None
    assert "Start en ny runde" not in client.get("/runder").text


def test_a_round_needs_a_name_and_sensible_numbers(client, cast):
    token = login(client, cast.manager)
    assert (
        "Gi runden et navn" in client.post("/runder", data={"name": " ", "csrf_token": token}).text
    )
    bad = client.post("/runder", data={"name": "X", "participants": "mange", "csrf_token": token})
    assert bad.status_code == 422
    assert "helt tall" in bad.text
    bad_date = client.post(
        "/runder", data={"name": "X", "deadline": "31.03.2027", "csrf_token": token}
    )
    assert bad_date.status_code == 422
    assert "Fristen" in bad_date.text


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("name", " ", "Gi runden et navn"),
        ("participants", "-5", "0 eller mer"),
        ("deadline", "2020-01-01", "i dag eller senere"),
    ],
)
def test_a_refused_round_marks_the_field_at_fault(client, cast, field, value, reason):
    token = login(client, cast.manager)
    data = {"name": "Vår 2027", "csrf_token": token, field: value}
    page = BeautifulSoup(client.post("/runder", data=data).text, "html.parser")
    assert reason in page.select_one("#error-message").get_text()
    assert page.select_one("#error-message a")["href"] == f"#round-{field}"
    marked = page.select("[aria-invalid=true]")
    assert [m["id"] for m in marked] == [f"round-{field}"]
    assert "error-message" in marked[0]["aria-describedby"]


def test_closing_a_round_stops_answers(client, cast, db):
    token = login(client, cast.manager)
    assert (
        client.post(f"/runder/{cast.round_a.id}/lukk", data={"csrf_token": token}).status_code
        == 303
    )
    assert db.get(Round, cast.round_a.id).status == RoundStatus.CLOSED
    token = login(client, cast.staff)
    area = content.guidance_for(db, cast.round_a.content_version_id).areas[0]
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    assert (
        client.post(
            url, data={f"a.{area.statements[0].id}": "2", "csrf_token": token}, headers=HX
        ).status_code
        == 409
    )
    assert (
        client.post(f"/runder/{cast.round_a.id}/gjenapne", data={"csrf_token": token}).status_code
        == 409
    )


def test_a_closed_round_says_who_was_invited(client, cast):
    login(client, cast.staff)
    heading = "Hvem er invitert til å svare"
    assert heading in client.get(f"/runder/{cast.round_a.id}").text
    token = login(client, cast.manager)
    client.post(f"/runder/{cast.round_a.id}/lukk", data={"csrf_token": token})
    login(client, cast.staff)
    page = client.get(f"/runder/{cast.round_a.id}").text
    assert "Hvem var invitert til å svare" in page
    assert heading not in page


def test_staff_without_rounds_are_told_that_a_round_comes_by_mail(client, cast, db):
    newcomer = make_municipality(db, number="9993", name="Kommune C")
    login(client, make_user(db, "ny@c.no", "staff", newcomer))
    page = BeautifulSoup(client.get("/runder").text, "html.parser").main.get_text(" ")
    assert "Kommunen har ingen runder ennå. Når lederen starter en runde" in page
    login(client, make_user(db, "leder@c.no", "manager", newcomer))
    page = BeautifulSoup(client.get("/runder").text, "html.parser").main.get_text(" ")
    assert "Når lederen starter" not in page  # the manager is the one to start it


def test_a_manager_of_another_municipality_cannot_close_it(client, cast, db):
    token = login(client, cast.other_manager)
    assert (
        client.post(f"/runder/{cast.round_a.id}/lukk", data={"csrf_token": token}).status_code
        == 404
    )
    assert db.get(Round, cast.round_a.id).status == RoundStatus.OPEN


def test_a_round_renders_with_the_content_it_started_with(client, cast, db, monkeypatch):
    old_title = content.guidance_for(db, cast.round_a.content_version_id).areas[0].title.nb
    original = load_guidance(ROOT / "guidance")
    first = original.areas[0].model_copy(
        update={"title": original.areas[0].title.model_copy(update={"nb": "Nytt navn på området"})}
    )
    changed = original.model_copy(
        update={
            "areas": (first, *original.areas[1:]),
            "meta": original.meta.model_copy(update={"version": "2099.1"}),
        }
    )
    monkeypatch.setattr(content, "current_guidance", lambda: changed)
    newcomer = make_user(db, "ny@a.no", Role.STAFF, cast.a)  # in no open round yet
    token = login(client, cast.manager)
    client.post(
        "/runder",
        data={"name": "Ny runde", "respondents": [newcomer.id], "csrf_token": token},
    )
    new = db.exec(select(Round).where(Round.name == "Ny runde")).one()
    assert new.content_version_id != cast.round_a.content_version_id
    old_page = client.get(f"/runder/{cast.round_a.id}").text
    assert old_title in old_page
    assert "Nytt navn på området" not in old_page
    login(client, newcomer)
    assert "Nytt navn på området" in client.get(f"/runder/{new.id}").text


def test_a_ks_adviser_lands_on_the_review_queue(client, cast):
    login(client, cast.ks_adviser)
    assert client.get("/").headers["location"] == "/ks"
    page = client.get("/ks")
    assert page.status_code == 200
    assert "Til gjennomgang" in BeautifulSoup(page.text, "html.parser").get_text()
    account = BeautifulSoup(client.get("/konto").text, "html.parser")
    assert "KS-rådgiver" in account.get_text()
    assert "senere versjon" not in account.get_text()  # the review is here, not promised
    assert {"/ks", "/ks/oversikt"} <= {a["href"] for a in account.select("main a")}
    assert client.get("/runder").status_code == 403


def test_round_and_content_events_are_audited(client, cast, db, monkeypatch):
    from app.audit import AuditEvent

    original = load_guidance(ROOT / "guidance")
    monkeypatch.setattr(
        content,
        "current_guidance",
        lambda: original.model_copy(
            update={"meta": original.meta.model_copy(update={"version": "2099.2"})}
        ),
    )
    token = login(client, cast.manager)
    client.post(f"/runder/{cast.round_a.id}/lukk", data={"csrf_token": token})
    client.post(
        "/runder",
        data={"name": "Revidert runde", "respondents": [cast.staff.id], "csrf_token": token},
    )
    events = {(e.event, e.actor_email) for e in db.exec(select(AuditEvent))}
    assert ("round_created", cast.manager.email) in events
    assert ("round_closed", cast.manager.email) in events
    assert ("content_version_loaded", "") in events


def test_a_round_closed_before_its_deadline_says_when_it_closed(client, cast, db):
    from datetime import timedelta

    from app.clock import oslo_today

    rnd = db.get(Round, cast.round_a.id)
    rnd.deadline = oslo_today() + timedelta(days=30)
    db.add(rnd)
    db.commit()
    token = login(client, cast.staff)
    area = content.guidance_for(db, rnd.content_version_id).areas[0]
    data = {f"a.{area.statements[0].id}": "2", "csrf_token": token}
    client.post(f"/runder/{rnd.id}/omrade/{area.id}", data=data)  # started, never submitted
    token = login(client, cast.manager)
    client.post(f"/runder/{rnd.id}/lukk", data={"csrf_token": token})
    today = oslo_today().strftime("%d.%m.%Y")
    for url in ("/runder", f"/runder/{rnd.id}"):
        text = BeautifulSoup(client.get(url).text, "html.parser").get_text(" ", strip=True)
        assert f"Lukket {today}" in text
        assert "Frist" not in text  # a deadline that no longer applies
    page = BeautifulSoup(client.get(f"/runder/{rnd.id}").text, "html.parser").get_text()
    assert "holder på" not in page  # nobody can go on
    assert "0 sendte inn før runden ble lukket" in page
