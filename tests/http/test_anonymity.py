"""The anonymity promise against a curious manager: one test per attack that worked before
results became a snapshot read with the minimum per figure, not counting the reader."""

import json

from bs4 import BeautifulSoup
from sqlmodel import select

from app.audit import AuditEvent
from app.authz import Actor
from app.content.service import guidance_for
from app.results import service as results
from app.results.models import RoundSnapshot
from app.rounds.models import Answer, Response
from app.settings import get_settings
from tests.conftest import login
from tests.factories import invited_staff, make_user
from tests.http.test_results import answer_and_submit, close


def manager_actor(cast) -> Actor:
    return Actor(cast.manager.id, "manager", cast.a.id, cast.manager.email)


def figures_text(client, rnd) -> str:
    page = client.get(f"/runder/{rnd.id}/resultater")
    assert page.status_code == 200
    return BeautifulSoup(page.text, "html.parser").get_text(" ", strip=True)


def test_the_readers_own_answer_does_not_count_towards_the_minimum(client, cast, db):
    answer_and_submit(client, db, cast.round_a, cast.staff, {"tillit": 1}, comment="Én")
    answer_and_submit(client, db, cast.round_a, cast.staff2, {"tillit": 4}, comment="To")
    answer_and_submit(client, db, cast.round_a, cast.manager, {"tillit": 2}, comment="Min egen")
    close(client, cast.round_a, cast.manager)
    text = figures_text(client, cast.round_a)
    assert "minst 3 andre enn deg" in text
    assert "Én" not in text.split()
    page = results.team_results(db, manager_actor(cast), cast.round_a)
    assert page.visible is False
    exported = client.get("/kommune/eksport").json()
    assert exported["rounds"][0]["results"] is None
    assert "Én" not in json.dumps(exported)
    assert "To" not in json.dumps(exported)


def test_a_figure_the_reader_helped_make_needs_the_minimum_besides_them(client, cast, db):
    # Three staff and the manager submit. On "tillit" two staff and the manager gave a level and
    # one staff member said "Vet ikke": only two others stand behind that score for the manager.
    answer_and_submit(client, db, cast.round_a, cast.staff, {"tillit": 1})
    answer_and_submit(client, db, cast.round_a, cast.staff2, {"tillit": 4})
    answer_and_submit(client, db, cast.round_a, cast.staff3, {"tillit": 0})
    answer_and_submit(client, db, cast.round_a, cast.manager, {"tillit": 2})
    close(client, cast.round_a, cast.manager)
    page = results.team_results(db, manager_actor(cast), cast.round_a)
    rows = {row.area.id: row for row in page.rows}
    assert rows["tillit"].figures.score is None
    assert all(f.score is None and f.levels is None for _, f in rows["tillit"].statements)
    # The "Vet ikke" share stands on all three others, so it is shown.
    assert rows["tillit"].figures.dont_know_share == 25
    # Where three others gave a level, the figure is there.
    assert rows["oppfolging"].figures.score is not None
    # A reader who did not answer (another manager) sees the tillit score: 3 stand behind it.
    other_manager = make_user(db, "leder2@a.no", "manager", cast.a)
    other = results.team_results(db, Actor(other_manager.id, "manager", cast.a.id), cast.round_a)
    assert {r.area.id: r for r in other.rows}["tillit"].figures.score is not None


def test_area_scores_cannot_be_used_to_work_out_a_hidden_statement(client, cast, db):
    guidance = guidance_for(db, cast.round_a.content_version_id)
    first = guidance.areas[0].statements[0].id
    # On the first statement only one person gives a level; the others say "Vet ikke".
    fourth = invited_staff(db, cast.round_a, "ansatt4@a.no")  # the export needs four
    for user, level in ((cast.staff, 4), (cast.staff2, 0), (cast.staff3, 0), (fourth, 0)):
        token = login(client, user)
        for area in guidance.areas:
            data = {f"a.{s.id}": "2" for s in area.statements}
            if area.id == guidance.areas[0].id:
                data[f"a.{first}"] = str(level)
            client.post(
                f"/runder/{cast.round_a.id}/omrade/{area.id}", data={**data, "csrf_token": token}
            )
        client.post(f"/runder/{cast.round_a.id}/send-inn", data={"csrf_token": token})
    close(client, cast.round_a, cast.manager)
    page = results.team_results(db, manager_actor(cast), cast.round_a)
    row = page.rows[0]
    statement = {s.id: f for s, f in row.statements}[first]
    assert statement.score is None
    # Every other statement scored 33⅓ from everyone: the area score is made of the visible
    # statements only, so it is exactly 33⅓ and holds nothing of the one person's level 4.
    assert round(row.figures.score, 6) == round(100 / 3, 6)
    assert row.scored == len(row.statements) - 1
    # The area's spread is made from each person's mean over all its statements. With the
    # "Vet ikke" share (three of four), it would tell the one level given: it is not shown, on
    # the page or in the export. The next area, all statements shown, keeps its spread.
    assert statement.dont_know_share is not None
    assert row.figures.spread is None
    assert page.rows[1].figures.spread is not None
    exported = client.get("/kommune/eksport").json()["rounds"][0]["results"]["areas"]
    assert exported[0]["spread"] is None
    assert exported[1]["spread"] is not None


def test_respondents_see_who_is_invited_and_who_was_added_late(client, cast, db):
    token = login(client, cast.manager)
    newcomer = make_user(db, "ukjent@a.no", "staff", cast.a)
    added = client.post(
        f"/runder/{cast.round_a.id}/svarere", data={"user": newcomer.id, "csrf_token": token}
    )
    assert added.status_code == 303
    login(client, cast.staff)
    page = BeautifulSoup(client.get(f"/runder/{cast.round_a.id}").text, "html.parser")
    names = page.select_one("ul.respondent-list").get_text(" ", strip=True)
    for user in (cast.staff, cast.staff2, cast.staff3, cast.manager, newcomer):
        assert user.email in names
    late = [li for li in page.select("ul.respondent-list li") if "ukjent@a.no" in li.get_text()]
    assert "etter start" in late[0].get_text()
    events = db.exec(select(AuditEvent).where(AuditEvent.event == "respondent_added")).all()
    assert len(events) == 1
    assert newcomer.email in events[0].target


def test_only_invited_people_can_answer(client, cast, db):
    outsider = make_user(db, "ikke-invitert@a.no", "staff", cast.a)
    token = login(client, outsider)
    area = guidance_for(db, cast.round_a.content_version_id).areas[0]
    refused = client.post(
        f"/runder/{cast.round_a.id}/omrade/{area.id}",
        data={f"a.{area.statements[0].id}": "3", "csrf_token": token},
    )
    assert refused.status_code == 403
    assert db.exec(select(Response).where(Response.user_id == outsider.id)).first() is None


def test_nothing_is_shown_while_the_round_is_open_so_nothing_can_be_differenced(client, cast, db):
    for user in (cast.staff, cast.staff2, cast.staff3):
        answer_and_submit(client, db, cast.round_a, user, {"tillit": 2}, comment="Tre")
    login(client, cast.manager)
    at_three = figures_text(client, cast.round_a)
    export_at_three = client.get("/kommune/eksport").json()["rounds"][0]
    answer_and_submit(client, db, cast.round_a, cast.manager, {"tillit": 4}, comment="Fire")
    login(client, cast.manager)
    at_four = figures_text(client, cast.round_a)
    export_at_four = client.get("/kommune/eksport").json()["rounds"][0]
    for text in (at_three, at_four):
        assert "Poeng per område" not in text
        assert "når runden lukkes" in text
    assert export_at_three["results"] is None
    assert export_at_four["results"] is None
    assert "Tre" not in json.dumps(export_at_four)


def test_a_closed_round_stays_closed_and_its_figures_never_change(client, cast, db):
    for user in (cast.staff, cast.staff2, cast.staff3):
        answer_and_submit(client, db, cast.round_a, user, {"tillit": 2})
    close(client, cast.round_a, cast.manager)
    figures_text(client, cast.round_a)  # the first view carries the "closed" message
    before = figures_text(client, cast.round_a)
    token = login(client, cast.staff)
    assert (
        client.post(f"/runder/{cast.round_a.id}/gjenapne", data={"csrf_token": token}).status_code
        == 409
    )
    # Even if the stored answers changed behind the app's back, the results would not.
    for answer in db.exec(select(Answer)).all():
        answer.level = 4
        db.add(answer)
    db.commit()
    token = login(client, cast.manager)
    assert (
        client.post(f"/runder/{cast.round_a.id}/lukk", data={"csrf_token": token}).status_code
        == 409
    )
    assert figures_text(client, cast.round_a) == before
    assert len(db.exec(select(RoundSnapshot)).all()) == 1


def test_the_export_holds_aggregates_never_a_row_per_respondent(client, cast, db):
    fourth = invited_staff(db, cast.round_a, "ansatt4@a.no")
    for user, comment in ((cast.staff, "b"), (cast.staff2, "a"), (cast.staff3, "d"), (fourth, "c")):
        answer_and_submit(client, db, cast.round_a, user, {"tillit": 3}, comment=comment)
    close(client, cast.round_a, cast.manager)
    exported = client.get("/kommune/eksport").json()["rounds"][0]
    assert "anonymous_responses" not in exported
    text = json.dumps(exported)
    assert "ansatt" not in text
    for area in exported["results"]["areas"]:
        for st in area["statements"]:
            assert set(st) == {"statement", "score", "spread", "dont_know_percent", "levels_1_to_4"}
    # Comments in an order that says nothing: sorted, not in the order people answered.
    assert exported["results"]["comments"]["tillit"] == ["a", "b", "c", "d"]


def test_the_comment_box_says_comments_are_shown_word_for_word(client, cast, db):
    login(client, cast.staff)
    area = guidance_for(db, cast.round_a.content_version_id).areas[0]
    page = client.get(f"/runder/{cast.round_a.id}/omrade/{area.id}").text
    assert "ord for ord" in page


def test_the_export_offer_names_the_configured_minimum(client, cast, monkeypatch):
    monkeypatch.setattr(get_settings(), "min_respondents", 4)
    login(client, cast.manager)
    text = BeautifulSoup(client.get("/kommune").text, "html.parser").get_text()
    assert "tas bare med for runder der minst 5 har sendt inn" in text  # the minimum and one
    monkeypatch.setattr(get_settings(), "invitation_days", 7)
    assert "virker én gang i 7 dager" in client.get("/kommune").text


def test_what_others_read_too_needs_one_more_than_the_leaders_own_screen(client, cast, db):
    # Three staff answered and the leader did not: on the leader's own screen three others
    # stand behind every figure. The council report, the meeting on the wall and the export
    # are read by those who answered too, and any one of them has only two others behind a
    # figure (with levels 1, 4, 4, the one who gave 1 would know both the others' answers).
    for user, level in ((cast.staff, 1), (cast.staff2, 4), (cast.staff3, 4)):
        answer_and_submit(client, db, cast.round_a, user, {"tillit": level})
    close(client, cast.round_a, cast.manager)
    assert results.team_results(db, manager_actor(cast), cast.round_a).visible
    assert "Prioriteringer" in figures_text(client, cast.round_a)
    shared = results.team_results(db, manager_actor(cast), cast.round_a, shared=True)
    assert not shared.visible
    report = client.get(f"/runder/{cast.round_a.id}/rapport").text
    assert "For få svarte til at resultatene kan vises." in report
    meeting = BeautifulSoup(
        client.get(f"/runder/{cast.round_a.id}/mote?steg=1").text, "html.parser"
    )
    assert meeting.h1.get_text(strip=True) == "Resultatene kan ikke vises"
    assert "møtevisningen viser bare tall som minst 4 står bak" in meeting.get_text()
    exported = client.get("/kommune/eksport").json()["rounds"][0]
    assert exported["results"] is None
    assert "at least 4" in exported["note"]
    assert exported["minimum_respondents"] == 4
    workbook = client.get("/utvikling/eksport.csv").content.decode("utf-8-sig")
    assert "66,7" not in workbook  # tillit: (0 + 100 + 100) / 3
