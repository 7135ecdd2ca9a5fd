"""The municipality's own results as XLSX and CSV: aggregates only, read back from the files."""

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from app.accounts.models import Role
from app.meeting.models import AgreedReading
from app.plan.models import Measure, MeasureStatement
from app.review.models import Feedback, RoundShare
from tests.conftest import login
from tests.factories import make_closed_round_with, make_user


def rounds(db, cast):
    # Four: an export may be read by those who answered, so it needs the minimum and one more.
    users = [
        cast.staff,
        cast.staff2,
        cast.staff3,
        make_user(db, "ansatt4@a.no", Role.STAFF, cast.a),
    ]
    first = make_closed_round_with(
        db,
        cast.a,
        users,
        {"tillit": 2},
        name="Vår 2026",
        closed_at=datetime(2026, 5, 1, tzinfo=UTC),
    )
    second = make_closed_round_with(
        db,
        cast.a,
        users,
        {"tillit": 3},
        name="Vår 2027",
        closed_at=datetime(2027, 5, 1, tzinfo=UTC),
    )
    return first, second


def test_the_workbook_has_areas_statements_and_measures_with_numbers(client, db, cast):
    rounds(db, cast)
    login(client, cast.manager)
    response = client.get("/utvikling/eksport.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Områder", "Påstander", "Tiltak"]
    assert (book.properties.title, book.properties.language) == ("Resultater fra Gode grep", "nb")
    areas = book["Områder"]
    assert areas.freeze_panes == "A2"
    header = [c.value for c in areas[1]]
    assert header[0].startswith("Runde")
    # The shared rule, with its number: the minimum (3) and one more.
    assert "Poeng 0–100 (tomt: færre enn 4 sto bak, eller ikke spurt)" in header
    rows = [[c.value for c in row] for row in areas.iter_rows(min_row=2)]
    tillit = [r for r in rows if r[3] == "tillit"]
    score_col = header.index(next(h for h in header if h.startswith("Poeng")))
    assert [r[score_col] for r in tillit] == [33.3, 66.7]
    assert isinstance(tillit[1][score_col], float)
    assert tillit[1][score_col + 1] == 33.3  # the change, as a number
    # Comparable with the round before: nothing to say for the first round, yes for the next.
    assert [r[score_col + 2] for r in tillit] == [None, "ja"]
    assert isinstance(tillit[0][1], datetime)  # a real date cell
    statements = list(book["Påstander"].iter_rows(min_row=2, values_only=True))
    assert len(statements) == 2 * 29  # the 29 core statements of v2 in both rounds
    assert book["Tiltak"].max_row == 1  # the header only, until the action plan (#7) is in


def test_the_csv_opens_in_norwegian_excel(client, db, cast):
    rounds(db, cast)
    login(client, cast.manager)
    response = client.get("/utvikling/eksport.csv")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0].startswith("Nivå")
    tillit = [r for r in rows if r[0] == "område" and r[4] == "tillit"]
    assert [r[8] for r in tillit] == ["33,3", "66,7"]
    assert "Tillit mellom deltaker og veileder" in tillit[0]
    statements = [r for r in rows if r[0] == "påstand"]
    assert statements[0][5]  # the area's wording
    assert statements[0][7]  # the statement's wording
    assert len({len(r) for r in rows}) == 1  # every row has every column


def test_exports_hold_no_hidden_figure(client, db, cast):
    make_closed_round_with(db, cast.a, [cast.staff, cast.staff2], {"tillit": 4}, name="For få")
    login(client, cast.manager)
    book = load_workbook(io.BytesIO(client.get("/utvikling/eksport.xlsx").content))
    header = [c.value for c in book["Områder"][1]]
    score_col = header.index(next(h for h in header if h.startswith("Poeng")))
    assert {r[score_col] for r in book["Områder"].iter_rows(min_row=2, values_only=True)} == {None}


def test_staff_cannot_export(client, cast):
    login(client, cast.staff)
    assert client.get("/utvikling/eksport.xlsx").status_code == 403
    assert client.get("/utvikling/eksport.csv").status_code == 403


def test_the_measures_sheet_names_the_round_and_hidden_figures_say_nothing(client, db, cast):
    from app.authz import Actor
    from app.plan.forms import MeasureForm
    from app.plan.service import create_measure

    first, _second = rounds(db, cast)
    manager = Actor(cast.manager.id, "manager", cast.a.id, cast.manager.email)
    create_measure(db, manager, first, MeasureForm(title="Faste samtaler", owner_text="Nav"))
    late = make_closed_round_with(db, cast.a, [cast.staff], name="Liten runde",
                                  closed_at=datetime(2027, 12, 31, 23, 30, tzinfo=UTC))  # fmt: skip
    login(client, cast.manager)
    book = load_workbook(io.BytesIO(client.get("/utvikling/eksport.xlsx").content))
    (measure,) = book["Tiltak"].iter_rows(min_row=2, values_only=True)
    assert measure[:2] == ("Vår 2026", "Faste samtaler")  # the round by name, not its id
    areas = list(book["Områder"].iter_rows(min_row=2, values_only=True))
    header = [c.value for c in book["Områder"][1]]
    hidden = [r for r in areas if r[0] == late.name]
    score = header.index(next(h for h in header if h.startswith("Poeng")))
    assert hidden
    assert all(r[score] is None and r[score + 2] is None for r in hidden)  # no «ja» for nothing
    assert hidden[0][1].date().isoformat() == "2028-01-01"  # closed after midnight in Norway


def test_in_english_the_sheet_holds_measures_and_its_column_a_measure(client, db, cast):
    rounds(db, cast)
    token = login(client, cast.manager)
    client.post("/sprak", data={"lang": "en", "next": "/", "csrf_token": token})
    book = load_workbook(io.BytesIO(client.get("/utvikling/eksport.xlsx").content))
    assert book.sheetnames[-1] == "Measures"
    assert book["Measures"]["B1"].value == "Measure"
    # The file says what it is and its language, for Excel's title bar and screen readers.
    assert (book.properties.title, book.properties.language) == ("Results from Gode grep", "en")


def test_the_municipality_file_holds_what_it_wrote_around_its_rounds(client, db, cast):
    """«Alt kommunen har lagret»: besides people and results, the action plan, the readings
    agreed in the meeting, and what was shared with KS with the feedback and the reply."""
    first, _second = rounds(db, cast)
    measure = Measure(
        round_id=first.id, title="Faste samtaler", owner_user_id=cast.staff.id, status="in_progress"
    )
    db.add(measure)
    db.flush()
    db.add(MeasureStatement(measure_id=measure.id, statement_id="tillit-fast-veileder"))
    db.add(AgreedReading(round_id=first.id, area_id="tillit", level=2, note="Vi er enige"))
    share = RoundShare(
        round_id=first.id,
        municipality_id=cast.a.id,
        round_closed_at=first.closed_at,
        shared_by_id=cast.manager.id,
    )
    db.add(share)
    db.flush()
    sent = datetime(2026, 6, 1, tzinfo=UTC)
    db.add(
        Feedback(
            share_id=share.id,
            text="Godt arbeid",
            author_id=cast.ks_adviser.id,
            sent_at=sent,
            reply="Takk",
        )
    )
    db.add(
        Feedback(
            share_id=share.id, area_id="tillit", text="Et utkast", author_id=cast.ks_adviser.id
        )
    )  # not sent
    db.commit()
    login(client, cast.manager)
    exported = client.get("/kommune/eksport").json()["rounds"]
    mine = next(r for r in exported if r["name"] == "Vår 2026")
    (plan,) = mine["action_plan"]
    assert (plan["title"], plan["owner"], plan["status"]) == (
        "Faste samtaler",
        "ansatt@a.no",
        "in_progress",
    )
    assert plan["statements"] == ["tillit-fast-veileder"]
    assert mine["agreed_readings"][0] | {"updated_at": None} == {
        "area": "tillit",
        "level": 2,
        "note": "Vi er enige",
        "updated_at": None,
    }
    (shared,) = mine["shared_with_ks"]
    assert [(f["text"], f["reply"]) for f in shared["feedback"]] == [("Godt arbeid", "Takk")]
    other = next(r for r in exported if r["name"] == "Vår 2027")
    assert (other["action_plan"], other["agreed_readings"], other["shared_with_ks"]) == ([], [], [])
