"""Answering a round: autosave, the plain form, resuming, submitting and reopening."""

from bs4 import BeautifulSoup
from sqlmodel import select

from app.accounts.models import Role
from app.content.service import guidance_for
from app.rounds.models import Answer, AreaComment, Response
from tests.conftest import login
from tests.factories import make_user

HX = {"HX-Request": "true"}


def first_area(db, rnd):
    return guidance_for(db, rnd.content_version_id).areas[0]


def test_it_lists_the_open_round_of_the_own_municipality(client, cast):
    login(client, cast.staff)
    page = BeautifulSoup(client.get("/runder").text, "html.parser")
    names = [a.get_text() for a in page.select(".round-list a")]
    assert names == [cast.round_a.name]


def test_the_list_of_rounds_says_whether_my_answer_is_sent_in(client, cast, db):
    token = login(client, cast.staff)
    rnd = cast.round_a

    def mine() -> str:
        page = BeautifulSoup(client.get("/runder").text, "html.parser")
        return page.select_one(".round-card").get_text(" ", strip=True)

    assert "Du har ikke sendt inn svaret ditt ennå." in mine()
    answer_everything(client, db, rnd, token)
    assert "Du har ikke sendt inn svaret ditt ennå." in mine()  # answered, still not sent in
    client.post(f"/runder/{rnd.id}/send-inn", data={"csrf_token": token})
    assert "Du har sendt inn svaret ditt." in mine()
    # Someone the round does not ask is told nothing about an answer of theirs.
    latecomer = make_user(db, "ny@a.no", Role.STAFF, cast.a)
    login(client, latecomer)
    assert "sendt inn" not in mine()


def test_each_statement_is_a_radio_group_with_four_levels_and_vet_ikke(client, cast, db):
    login(client, cast.staff)
    area = first_area(db, cast.round_a)
    page = BeautifulSoup(
        client.get(f"/runder/{cast.round_a.id}/omrade/{area.id}").text, "html.parser"
    )
    fieldsets = page.select("fieldset.statement")
    assert len(fieldsets) == len(area.statements)
    for fieldset, statement in zip(fieldsets, area.statements, strict=True):
        assert statement.text.nb in fieldset.legend.get_text()
        radios = fieldset.select("input[type=radio]")
        assert [r["value"] for r in radios] == ["1", "2", "3", "4", "0"]
        for radio in radios:
            assert fieldset.select_one(f"label[for='{radio['id']}']") is not None
        assert "Vet ikke" in fieldset.get_text()
    assert page.select_one("[role=status]#save-status") is not None
    assert page.select_one("button[type=submit]") is not None  # works without JavaScript


def test_autosave_saves_one_answer_and_says_lagret(client, cast, db):
    token = login(client, cast.staff)
    area = first_area(db, cast.round_a)
    sid = area.statements[0].id
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    response = client.post(url, data={f"a.{sid}": "3", "csrf_token": token}, headers=HX)
    assert response.status_code == 200
    fragment = BeautifulSoup(response.text, "html.parser")
    assert "Lagret" in fragment.get_text()
    progress = fragment.select_one("#progress progress")
    assert progress["value"] == "1"
    assert db.exec(select(Answer.level).where(Answer.statement_id == sid)).all() == [3]


def test_changing_an_answer_overwrites_it(client, cast, db):
    token = login(client, cast.staff)
    area = first_area(db, cast.round_a)
    sid = area.statements[0].id
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    client.post(url, data={f"a.{sid}": "3", "csrf_token": token}, headers=HX)
    client.post(url, data={f"a.{sid}": "0", "csrf_token": token}, headers=HX)
    assert db.exec(select(Answer.level).where(Answer.statement_id == sid)).all() == [0]


def test_the_plain_form_saves_everything_and_goes_to_the_next_area(client, cast, db):
    token = login(client, cast.staff)
    guidance = guidance_for(db, cast.round_a.content_version_id)
    area = guidance.areas[0]
    data = {f"a.{s.id}": "2" for s in area.statements} | {
        f"c.{area.id}": "Vi har faste møter.",
        "csrf_token": token,
    }
    response = client.post(f"/runder/{cast.round_a.id}/omrade/{area.id}", data=data)
    assert response.status_code == 303
    assert (
        response.headers["location"] == f"/runder/{cast.round_a.id}/omrade/{guidance.areas[1].id}"
    )
    assert len(db.exec(select(Answer)).all()) == len(area.statements)
    assert db.exec(select(AreaComment.text)).all() == ["Vi har faste møter."]


def test_coming_back_shows_the_exact_state(client, cast, db):
    token = login(client, cast.staff)
    area = first_area(db, cast.round_a)
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    client.post(
        url,
        data={
            f"a.{area.statements[1].id}": "4",
            f"c.{area.id}": "Det som er vanskelig",
            "csrf_token": token,
        },
        headers=HX,
    )
    login(client, cast.staff)  # a new session, as after closing the laptop
    page = BeautifulSoup(client.get(url).text, "html.parser")
    checked = [r["id"] for r in page.select("input[type=radio][checked]")]
    assert checked == [f"{area.statements[1].id}-4"]
    assert page.select_one("textarea").get_text() == "Det som er vanskelig"


def test_answers_are_private_to_each_respondent(client, cast, db):
    token = login(client, cast.staff)
    area = first_area(db, cast.round_a)
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    client.post(url, data={f"a.{area.statements[0].id}": "4", "csrf_token": token}, headers=HX)
    login(client, cast.staff2)
    page = BeautifulSoup(client.get(url).text, "html.parser")
    assert page.select("input[type=radio][checked]") == []


def answer_everything(client, db, rnd, token, level="3"):
    guidance = guidance_for(db, rnd.content_version_id)
    for area in guidance.areas:
        data = {f"a.{s.id}": level for s in area.statements} | {"csrf_token": token}
        assert client.post(f"/runder/{rnd.id}/omrade/{area.id}", data=data).status_code == 303


def test_submitting_needs_every_statement_answered(client, cast, db):
    token = login(client, cast.staff)
    response = client.post(f"/runder/{cast.round_a.id}/send-inn", data={"csrf_token": token})
    assert response.status_code == 422
    assert "Svar på alle påstandene" in response.text
    assert db.exec(select(Response.submitted_at)).all() == [None]


def test_a_refused_submit_links_to_the_areas_still_missing_answers(client, cast, db):
    token = login(client, cast.staff)
    rnd = cast.round_a
    done, *rest = guidance_for(db, rnd.content_version_id).areas
    data = {f"a.{s.id}": "3" for s in done.statements} | {"csrf_token": token}
    client.post(f"/runder/{rnd.id}/omrade/{done.id}", data=data)
    response = client.post(f"/runder/{rnd.id}/send-inn", data={"csrf_token": token})
    assert response.status_code == 422
    alert = BeautifulSoup(response.text, "html.parser").select_one("[role=alert]")
    links = alert.select("#missing-areas a")
    assert [a["href"] for a in links] == [f"/runder/{rnd.id}/omrade/{a.id}" for a in rest]
    # Each missing area once in the alert: as a link, not also in the sentence above it.
    assert alert.get_text().count(rest[0].title.nb) == 1
    # The refusal stays at the form's address. Reloaded (or opened from the history), that
    # address leads to the round rather than to a «Denne adressen tar ikke imot …».
    again = client.get(f"/runder/{rnd.id}/send-inn")
    assert again.status_code == 303
    assert again.headers["location"] == f"/runder/{rnd.id}"
    assert client.get("/logg-ut").status_code == 405  # elsewhere the refusal stands


def test_it_says_an_answer_complete_but_not_submitted_is_not_counted_yet(client, cast, db):
    token = login(client, cast.staff)
    rnd = cast.round_a
    started = BeautifulSoup(client.get(f"/runder/{rnd.id}").text, "html.parser")
    assert started.select_one("#not-submitted") is None
    answer_everything(client, db, rnd, token)
    page = BeautifulSoup(client.get(f"/runder/{rnd.id}").text, "html.parser")
    assert "ikke sendt inn ennå" in page.select_one("#not-submitted").get_text()
    # The one step left comes before the list of areas, not below it (off a phone's screen).
    forms = page.select(f"form[action='/runder/{rnd.id}/send-inn']")
    assert len(forms) == 1
    assert forms[0].find_next("ol", class_="area-list") is not None
    assert "Når du har svart på alle" not in page.get_text()


def test_submit_then_reopen_until_the_round_closes(client, cast, db):
    token = login(client, cast.staff)
    answer_everything(client, db, cast.round_a, token)
    submitted = client.post(f"/runder/{cast.round_a.id}/send-inn", data={"csrf_token": token})
    assert submitted.status_code == 303
    assert submitted.headers["location"].endswith("/mine-resultater")
    area = first_area(db, cast.round_a)
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    locked = client.post(
        url, data={f"a.{area.statements[0].id}": "1", "csrf_token": token}, headers=HX
    )
    assert locked.status_code == 409
    assert "Åpne det igjen" in locked.text
    assert (
        client.post(f"/runder/{cast.round_a.id}/gjenapne", data={"csrf_token": token}).status_code
        == 303
    )
    again = client.post(
        url, data={f"a.{area.statements[0].id}": "1", "csrf_token": token}, headers=HX
    )
    assert again.status_code == 200
