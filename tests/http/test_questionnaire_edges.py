"""Rough edges users met in the questionnaire and round pages (#10), each with its test."""

from bs4 import BeautifulSoup
from sqlmodel import select

from app.content.service import guidance_for
from app.rounds.models import Answer, Round
from tests.conftest import login
from tests.factories import invited_staff, submit_answers
from tests.http.test_results import answer_and_submit, close

HX = {"HX-Request": "true"}


def areas(db, rnd):
    return guidance_for(db, rnd.content_version_id).areas


def test_the_saved_state_is_shown_next_to_the_statement_that_was_saved(client, cast, db):
    token = login(client, cast.staff)
    area = areas(db, cast.round_a)[0]
    sid = area.statements[2].id
    response = client.post(
        f"/runder/{cast.round_a.id}/omrade/{area.id}",
        data={f"a.{sid}": "2", "csrf_token": token},
        headers=HX,
    )
    fragment = BeautifulSoup(response.text, "html.parser")
    beside = fragment.select_one(f"#status-{sid}")
    assert beside is not None
    assert beside["hx-swap-oob"] == "true"
    assert "Lagret" in beside.get_text()
    # Still exactly one polite live region on the page.
    page = BeautifulSoup(
        client.get(f"/runder/{cast.round_a.id}/omrade/{area.id}").text, "html.parser"
    )
    assert len(page.select("[aria-live]")) == 1
    assert page.select_one(f"#status-{sid}") is not None


def test_every_way_out_of_the_page_saves_first_without_javascript(client, cast, db):
    token = login(client, cast.staff)
    first, second = areas(db, cast.round_a)[:2]
    sid = second.statements[0].id
    url = f"/runder/{cast.round_a.id}/omrade/{second.id}"
    back = client.post(url, data={f"a.{sid}": "4", "goto": "previous", "csrf_token": token})
    assert back.status_code == 303
    assert back.headers["location"].endswith(f"/omrade/{first.id}")
    overview = client.post(url, data={f"a.{sid}": "1", "goto": "overview", "csrf_token": token})
    assert overview.headers["location"] == f"/runder/{cast.round_a.id}"
    assert db.exec(select(Answer.level).where(Answer.statement_id == sid)).all() == [1]
    page = BeautifulSoup(client.get(url).text, "html.parser")
    # No plain links out of an open questionnaire: every button saves.
    assert page.select("form.questionnaire a") == []
    assert {b["value"] for b in page.select("button[name=goto]")} == {
        "next",
        "previous",
        "overview",
    }


def test_a_submitted_questionnaire_is_a_readable_summary_not_a_faded_form(client, cast, db):
    answer_and_submit(client, db, cast.round_a, cast.staff, {}, default=3, comment="Fint")
    area = areas(db, cast.round_a)[0]
    page = BeautifulSoup(
        client.get(f"/runder/{cast.round_a.id}/omrade/{area.id}").text, "html.parser"
    )
    assert page.select("input[disabled], fieldset[disabled], textarea[disabled]") == []
    summary = page.select_one(".answer-summary")
    assert area.statements[0].levels[2].nb in summary.get_text()
    assert "Fint" in summary.get_text()


def test_bad_round_input_reshows_the_form_with_what_was_typed(client, cast, db):
    token = login(client, cast.manager)
    for participants, message in (
        ("²", "helt tall"),
        ("12345678901", "mellom 0 og 100 000"),
        ("mange", "helt tall"),
    ):
        response = client.post(
            "/runder",
            data={
                "name": "Høst 2031",
                "participants": participants,
                "respondents": [cast.staff.id],
                "csrf_token": token,
            },
        )
        assert response.status_code == 422
        page = BeautifulSoup(response.text, "html.parser")
        assert message in page.select_one("#error-summary").get_text()
        assert page.select_one("#round-name")["value"] == "Høst 2031"
        assert "name" not in page.select_one("#error-summary").get_text().split()
    assert db.exec(select(Round).where(Round.name == "Høst 2031")).all() == []


def test_after_closing_the_round_page_has_no_answer_links_and_counts_read_clearly(client, cast, db):
    answer_and_submit(client, db, cast.round_a, cast.staff, {})
    token = login(client, cast.staff2)
    area = areas(db, cast.round_a)[0]
    client.post(
        f"/runder/{cast.round_a.id}/omrade/{area.id}",
        data={f"a.{area.statements[0].id}": "2", "csrf_token": token},
    )
    login(client, cast.manager)
    text = BeautifulSoup(client.get(f"/runder/{cast.round_a.id}").text, "html.parser").get_text()
    assert "4 invitert: 1 har sendt inn, 1 holder på, og 2 har ikke begynt." in text
    close(client, cast.round_a, cast.manager)
    page = BeautifulSoup(client.get(f"/runder/{cast.round_a.id}").text, "html.parser")
    assert page.select("a[href*='/omrade/']") == []


def test_closing_a_round_asks_first_and_says_what_it_means(client, cast, db):
    login(client, cast.manager)
    round_page = BeautifulSoup(client.get(f"/runder/{cast.round_a.id}").text, "html.parser")
    assert round_page.select(f"form[action='/runder/{cast.round_a.id}/lukk']") == []
    confirm = BeautifulSoup(client.get(f"/runder/{cast.round_a.id}/lukk").text, "html.parser")
    assert "kan ikke åpnes igjen" in confirm.get_text()
    assert confirm.select_one(f"form[action='/runder/{cast.round_a.id}/lukk'] button")
    assert db.get(Round, cast.round_a.id).status == "open"


def test_closing_with_too_few_answers_says_so_before_and_after(client, cast, db):
    """Closing cannot be undone: the manager is told first when the answers in would give no
    results, or none in what others read (the report, exports, meeting, KS)."""
    url = f"/runder/{cast.round_a.id}/lukk"
    login(client, cast.manager)

    def warning() -> str | None:
        found = BeautifulSoup(client.get(url).text, "html.parser").select_one("#too-few")
        return found.get_text(" ", strip=True) if found else None

    assert "får du ingen resultater" in warning()
    for person in (cast.staff, cast.staff2, cast.staff3):
        submit_answers(db, cast.round_a, person)
    assert "rapporten til kommunestyret" in warning()  # three, and the manager did not answer
    submit_answers(db, cast.round_a, invited_staff(db, cast.round_a, "ansatt4@a.no"))
    assert warning() is None


def test_a_round_closed_without_enough_answers_is_not_called_ready(client, cast, db):
    token = login(client, cast.manager)
    submit_answers(db, cast.round_a, cast.staff)
    closed = client.post(f"/runder/{cast.round_a.id}/lukk", data={"csrf_token": token})
    page = client.get(closed.headers["location"]).text
    assert "For få sendte inn" in page
    assert "resultatene er klare" not in page
