"""Bad input gets a clear 4xx message and changes nothing."""

import pytest
from bs4 import BeautifulSoup
from sqlmodel import func, select

from app.content.service import guidance_for
from app.rounds.models import Answer, AreaComment, Round, RoundStatus
from tests.conftest import login
from tests.unit.test_pii import make_valid

HX = {"HX-Request": "true"}


@pytest.fixture
def setup(client, cast, db):
    token = login(client, cast.staff)
    area = guidance_for(db, cast.round_a.content_version_id).areas[0]
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    return token, area, url


def stored(db) -> tuple[int, int]:
    return db.exec(select(func.count()).select_from(Answer)).one(), db.exec(
        select(func.count()).select_from(AreaComment)
    ).one()


def test_it_refuses_an_unknown_statement(client, db, setup):
    token, area, url = setup
    data = {f"a.{area.statements[0].id}": "2", "a.finnes-ikke": "2", "csrf_token": token}
    response = client.post(url, data=data, headers=HX)
    assert response.status_code == 422
    assert "Påstanden finnes ikke" in response.text
    assert stored(db) == (0, 0)  # the valid answer in the same post was not saved either


@pytest.mark.parametrize("level", ["5", "-1", "x", "", "3.0"])
def test_it_refuses_a_level_out_of_range(client, db, setup, level):
    token, area, url = setup
    response = client.post(
        url, data={f"a.{area.statements[0].id}": level, "csrf_token": token}, headers=HX
    )
    assert response.status_code == 422
    assert "nivåene 1–4" in response.text
    assert stored(db) == (0, 0)


def test_it_refuses_an_over_long_comment_and_keeps_what_was_typed(client, db, setup):
    token, area, url = setup
    text = "Veldig lang kommentar. " * 200
    response = client.post(url, data={f"c.{area.id}": text, "csrf_token": token})
    assert response.status_code == 422
    assert "Kommentaren er for lang" in response.text
    assert text.strip()[:200] in response.text  # the page shows the text again, nothing lost
    assert stored(db) == (0, 0)


def test_only_a_comment_refused_as_too_long_may_be_kept_in_the_browser(client, setup):
    # autosave.js keeps unsaved text in the browser tab, but never a fødselsnummer: a text
    # with one is refused for that first, too long or not, and not marked as one to keep.
    token, area, url = setup
    long = "Veldig lang kommentar. " * 200

    def reason(text):
        response = client.post(url, data={f"c.{area.id}": text, "csrf_token": token}, headers=HX)
        assert response.status_code == 422
        return BeautifulSoup(response.text, "html.parser").select_one(".save-status__error")

    assert reason(long).has_attr("data-may-keep")
    with_number = reason(f"Gjelder 01010112377 {long}")  # passes both mod-11 checks
    assert "fødselsnummer" in with_number.get_text()
    assert not with_number.has_attr("data-may-keep")


def test_it_refuses_a_national_identity_number_and_says_why(client, db, setup):
    token, area, url = setup
    number = make_valid("010101123")
    data = {
        f"c.{area.id}": f"Gjelder deltaker {number}",
        f"a.{area.statements[0].id}": "2",
        "csrf_token": token,
    }
    response = client.post(url, data=data, headers=HX)
    assert response.status_code == 422
    assert "fødselsnummer" in response.text
    assert "personopplysninger" in response.text
    assert stored(db) == (0, 0)


def test_it_refuses_answers_to_a_closed_round(client, cast, db, setup):
    token, area, url = setup
    rnd = db.get(Round, cast.round_a.id)
    rnd.status = RoundStatus.CLOSED
    db.add(rnd)
    db.commit()
    response = client.post(
        url, data={f"a.{area.statements[0].id}": "2", "csrf_token": token}, headers=HX
    )
    assert response.status_code == 409
    assert "Runden er lukket" in response.text
    assert stored(db) == (0, 0)


def test_another_municipalitys_round_is_not_found(client, cast, db, setup):
    token, area, _ = setup
    url = f"/runder/{cast.round_b.id}/omrade/{area.id}"
    response = client.post(
        url, data={f"a.{area.statements[0].id}": "2", "csrf_token": token}, headers=HX
    )
    assert response.status_code == 404
    assert client.get(f"/runder/{cast.round_b.id}").status_code == 404
    assert stored(db) == (0, 0)


def test_a_missing_session_gets_401(client, db, setup):
    token, area, url = setup
    client.cookies.clear()
    response = client.post(
        url, data={f"a.{area.statements[0].id}": "2", "csrf_token": token}, headers=HX
    )
    assert response.status_code == 401
    assert "Logg inn" in response.text or "logg inn" in response.text.lower()
    assert stored(db) == (0, 0)


def test_a_forged_session_gets_401(client, db, setup):
    token, area, url = setup
    cookie = client.cookies.get("godegrep_session")
    client.cookies.clear()
    client.cookies.set("godegrep_session", cookie[:-4] + "AAAA")
    response = client.post(
        url, data={f"a.{area.statements[0].id}": "2", "csrf_token": token}, headers=HX
    )
    assert response.status_code == 401
    assert stored(db) == (0, 0)


def test_a_missing_or_wrong_csrf_token_gets_403(client, db, setup):
    _, area, url = setup
    field = f"a.{area.statements[0].id}"
    assert client.post(url, data={field: "2"}, headers=HX).status_code == 403
    response = client.post(url, data={field: "2", "csrf_token": "feil"}, headers=HX)
    assert response.status_code == 403
    assert "Last inn siden" in response.text
    assert stored(db) == (0, 0)


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x85"])
def test_the_autosave_refuses_a_control_character_and_saves_nothing(client, db, setup, char):
    token, area, url = setup
    data = {
        f"a.{area.statements[0].id}": "2",
        f"c.{area.id}": f"Vi følger opp{char} tett.",
        "csrf_token": token,
    }
    response = client.post(url, data=data, headers=HX)
    assert response.status_code == 422
    assert "kontrolltegn" in response.text
    assert stored(db) == (0, 0)  # not the answer beside it either


def test_a_button_press_with_control_characters_shows_the_page_again_without_them(
    client, db, setup
):
    # Without script (autosave.js leaves them out of a paste) a text copied from Word keeps its
    # soft line breaks (vertical tab) and a bell: the page again, the text less those, to press
    # the button again, never an error page that loses what was typed.
    token, area, url = setup
    statement = area.statements[0].id
    data = {
        f"a.{statement}": "2",
        f"c.{area.id}": "Fra Word\x0bmed linjeskift\x07 og bjelle.",
        "csrf_token": token,
        "goto": "next",
    }
    response = client.post(url, data=data)
    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    assert "kontrolltegn" in page.select_one("#form-error").get_text()
    comment = page.select_one(f"#comment-{area.id}")
    assert comment.get_text() == "Fra Word\nmed linjeskift og bjelle."
    assert comment["aria-invalid"] == "true"
    assert page.select_one(f"#{statement}-2").has_attr("checked")  # the answer beside it too
    assert stored(db) == (0, 0)  # nothing saved until the button is pressed again


def test_control_characters_do_not_pass_a_wrong_token_or_a_login_that_ended(client, db, setup):
    token, area, url = setup
    data = {f"c.{area.id}": "Tekst\x07", "csrf_token": "feil"}
    assert client.post(url, data=data).status_code == 403
    client.cookies.clear()
    assert client.post(url, data={**data, "csrf_token": token}).status_code in (401, 403)
    assert stored(db) == (0, 0)


def test_an_unknown_area_page_is_not_found(client, setup, cast):
    assert client.get(f"/runder/{cast.round_a.id}/omrade/finnes-ikke").status_code == 404


def test_a_non_numeric_round_id_gets_a_clear_message(client, setup):
    response = client.get("/runder/abc")
    assert response.status_code == 422
    assert "kan vi ikke ta imot" in response.text
