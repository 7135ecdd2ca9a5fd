"""The team meeting: the projector view step by step, and the agreed reading per area."""

import re

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.accounts.models import Role
from app.audit import AuditEvent
from app.meeting.models import AgreedReading
from app.rounds.lifecycle import close_and_snapshot
from tests.conftest import login
from tests.factories import make_round, make_user, submit_answers


@pytest.fixture
def closed(db, cast):
    """Staff disagree on trust statements (1 vs 4), and one says "Vet ikke" on follow-up.
    Four answer: the meeting is on the wall, read by those who answered, so it needs the
    minimum and one more behind a figure."""
    fourth = make_user(db, "ansatt4@a.no", Role.STAFF, cast.a)
    rnd = make_round(db, cast.a, name="Høst 2026")
    submit_answers(
        db,
        rnd,
        cast.staff,
        lambda s: 1 if s.startswith("tillit") else 2,
        comments={"tillit": "Vi trenger faste møter"},
    )
    submit_answers(db, rnd, cast.staff2, lambda s: 4 if s.startswith("tillit") else 2)
    submit_answers(
        db,
        rnd,
        cast.staff3,
        lambda s: 0 if s.startswith("oppfolging") else 2,
        comments={"tillit": "Tolk mangler ofte"},
    )
    submit_answers(db, rnd, fourth, lambda s: 1 if s.startswith("tillit") else 2)
    assert close_and_snapshot(db, rnd, None)
    db.commit()
    return rnd


def step(client, rnd, n):
    response = client.get(f"/runder/{rnd.id}/mote?steg={n}")
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def test_the_meeting_walks_priorities_disagreement_dont_know_comments_and_readings(
    client, cast, closed
):
    login(client, cast.manager)
    titles = []
    n = 1
    while True:
        page = step(client, closed, n)
        titles.append(page.h1.get_text(strip=True))
        nxt = page.select_one('a[rel="next"]')
        if nxt is None:
            break
        n += 1
        assert nxt["href"].endswith(f"steg={n}")
    assert titles[:3] == [
        "Prioriteringer",
        "Der dere ser mest ulikt på det",
        "Det dere ikke vet om egen praksis",
    ]
    assert titles[3].startswith("Kommentarer: ")
    assert titles[-1] == "Felles vurdering per område"
    disagree = step(client, closed, 2).get_text(" ", strip=True)
    assert "spredning" in disagree
    assert "Over 30 poeng betyr at dere ser ganske ulikt" in disagree  # as the results say
    assert "Tillit" in disagree
    dont_know = step(client, closed, 3).get_text(" ", strip=True)
    assert "«Vet ikke»" in dont_know
    assert re.search(r"\d\u00a0% «Vet ikke»", dont_know)  # number and sign on one line, on the wall
    comments = step(client, closed, 4).get_text(" ", strip=True)
    assert "Vi trenger faste møter" in comments
    assert "Tolk mangler ofte" in comments


def test_the_meeting_shows_no_figure_the_minimum_hides(client, cast, db):
    rnd = make_round(db, cast.a, name="Liten runde")
    submit_answers(db, rnd, cast.staff, 1, comments={"tillit": "Hemmelig"})
    submit_answers(db, rnd, cast.staff2, 4)
    assert close_and_snapshot(db, rnd, None)
    db.commit()
    login(client, cast.manager)
    first = step(client, rnd, 1)
    assert first.h1.get_text(strip=True) == "Resultatene kan ikke vises"
    text = " ".join(step(client, rnd, n).get_text(" ") for n in (1, 2))
    assert "Hemmelig" not in text
    assert "spredning" not in text
    # The reading can still be written, for every area, with no figure beside it.
    readings = step(client, rnd, 2)
    legends = [lg.get_text(" ", strip=True) for lg in readings.select("fieldset.reading legend")]
    assert len(legends) == len(readings.select("textarea[name^='note.']")) >= 5
    assert not any("poeng" in legend for legend in legends)


def test_staff_cannot_open_the_meeting_view(client, cast, closed):
    login(client, cast.staff)
    assert client.get(f"/runder/{closed.id}/mote").status_code == 403


def readings_data(token, **fields):
    return {"csrf_token": token, **fields}


def test_the_manager_records_agreed_readings_beside_the_raw_figures(client, cast, db, closed):
    token = login(client, cast.manager)
    before = client.get(f"/runder/{closed.id}/resultater").text
    data = readings_data(token, **{"level.tillit": "2", "note.tillit": "Vi er enige om nivå 2"})
    response = client.post(f"/runder/{closed.id}/felles-vurdering", data=data)
    assert response.status_code == 303
    reading = db.exec(select(AgreedReading)).one()
    assert (reading.area_id, reading.level, reading.note) == ("tillit", 2, "Vi er enige om nivå 2")
    page = BeautifulSoup(client.get(f"/runder/{closed.id}/resultater").text, "html.parser")
    row = next(r for r in page.select(".readings-table tbody tr") if "Tillit" in r.get_text())
    cells = [c.get_text(strip=True) for c in row.select("td")]
    assert cells[1:] == ["2", "Vi er enige om nivå 2"]
    # An area the team left without a level says so, not «–» as a hidden figure does.
    other = next(r for r in page.select(".readings-table tbody tr") if "Tillit" not in r.get_text())
    assert [c.get_text(strip=True) for c in other.select("td")][1] == "ikke satt"
    # The raw figures are unchanged.
    old = BeautifulSoup(before, "html.parser").select_one("#summary-heading").find_next("table")
    assert str(page.select_one("#summary-heading").find_next("table")) == str(old)
    events = db.exec(select(AuditEvent.event).where(AuditEvent.event == "readings_recorded")).all()
    assert events == ["readings_recorded"]


def test_a_bad_reading_changes_nothing_and_keeps_what_was_typed(client, cast, db, closed):
    token = login(client, cast.manager)
    data = readings_data(token, **{"level.tillit": "7", "note.tillit": "Skrevet"})
    response = client.post(f"/runder/{closed.id}/felles-vurdering", data=data)
    assert response.status_code == 422
    assert "1, 2, 3 eller 4" in response.text
    typed = {"level.tillit": "2", "note.tillit": "Skrevet", "note.finnes-ikke": "Annet"}
    data = readings_data(token, **typed)
    response = client.post(f"/runder/{closed.id}/felles-vurdering", data=data)
    assert response.status_code == 422
    assert "Skrevet" in response.text
    assert db.exec(select(AgreedReading)).all() == []


def test_readings_wait_for_the_round_to_close(client, cast, db):
    token = login(client, cast.manager)
    lead = BeautifulSoup(client.get(f"/runder/{cast.round_a.id}/mote").text, "html.parser")
    assert lead.select_one(".meeting__lead").get_text().startswith("Runden er åpen.")
    last = BeautifulSoup(client.get(f"/runder/{cast.round_a.id}/mote?steg=9").text, "html.parser")
    assert last.select("form[action$='/felles-vurdering']") == []  # nothing to save yet
    assert last.select_one(".meeting__lead").get_text().startswith("Runden er åpen.")
    data = readings_data(token, **{"note.tillit": "For tidlig"})
    assert client.post(f"/runder/{cast.round_a.id}/felles-vurdering", data=data).status_code == 409
    assert db.exec(select(AgreedReading)).all() == []


def test_another_municipality_cannot_record_readings(client, cast, db, closed):
    token = login(client, cast.other_manager)
    data = readings_data(token, **{"note.tillit": "Inntrenger"})
    assert client.post(f"/runder/{closed.id}/felles-vurdering", data=data).status_code == 404
    assert db.exec(select(AgreedReading)).all() == []


def test_a_step_that_is_not_a_number_is_a_clear_4xx(client, cast, closed):
    login(client, cast.manager)
    assert client.get(f"/runder/{closed.id}/mote?steg=tre").status_code == 422
    # A number out of range shows the nearest step rather than failing.
    assert step(client, closed, 0).h1.get_text(strip=True) == "Prioriteringer"


def test_the_meeting_and_plan_render_in_nynorsk_and_english(client, cast, closed):
    token = login(client, cast.manager)
    for lang, title in (("nn", "Prioriteringar"), ("en", "Priorities")):
        client.post("/sprak", data={"csrf_token": token, "lang": lang, "next": "/runder"})
        page = client.get(f"/runder/{closed.id}/mote?steg=1")
        assert page.status_code == 200
        assert client.get(f"/runder/{closed.id}/tiltak").status_code == 200
        assert client.get(f"/runder/{closed.id}/resultater").status_code == 200
        assert title in page.text


def test_it_confirms_saved_readings_where_the_page_opens(client, cast, closed):
    """The redirect lands on the readings (#readings-heading), far down the results page: the
    confirmation is shown there, not at the top where nobody looking at the table sees it."""
    token = login(client, cast.manager)
    data = readings_data(token, **{"level.tillit": "2"})
    response = client.post(f"/runder/{closed.id}/felles-vurdering", data=data)
    assert response.headers["location"].endswith("#readings-heading")
    page = BeautifulSoup(client.get(response.headers["location"]).text, "html.parser")
    readings = page.select_one("#readings-heading").parent
    assert "Den felles vurderingen er lagret" in readings.select_one("[role=status]").get_text()
    assert page.main.find("div", attrs={"role": "status"}, recursive=False) is None
    assert len(page.find_all(string=re.compile("Den felles vurderingen er lagret"))) == 1


def test_a_message_for_a_section_shows_at_the_top_of_another_page(client, cast, closed):
    """Where the next page is not the one redirected to (another tab, a login between), the
    section may not be there: the message is shown at the top, not lost."""
    token = login(client, cast.manager)
    client.post(f"/runder/{closed.id}/felles-vurdering", data=readings_data(token))
    page = BeautifulSoup(client.get("/runder").text, "html.parser")
    top = page.main.find("div", attrs={"role": "status"}, recursive=False)
    assert "Den felles vurderingen er lagret" in top.get_text()


def test_a_refused_note_is_marked_and_gets_the_keyboard(client, cast, db, closed):
    token = login(client, cast.manager)
    typed = {"note.tillit": "Greit", "note.oppfolging": "Gjelder 01010112377"}
    response = client.post(
        f"/runder/{closed.id}/felles-vurdering", data=readings_data(token, **typed)
    )
    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    note = page.select_one("#note-oppfolging")
    assert note["aria-invalid"] == "true"
    assert note.has_attr("autofocus")  # the keyboard lands on the note to put right
    reason = page.select_one("#" + note["aria-describedby"])
    assert "fødselsnummer" in reason.get_text()
    assert not page.select_one("#note-tillit").has_attr("aria-invalid")
