"""The development page: scores per area and statement in every closed round, from the
snapshots, with charts whose figures are the tables' figures, across content versions."""

from datetime import UTC, datetime

from bs4 import BeautifulSoup
from sqlmodel import select

from app.accounts.models import Role
from app.content.models import ContentVersion
from app.rounds.models import Round
from tests.conftest import login
from tests.factories import close_round, make_closed_round_with, make_user


def page(client, manager) -> BeautifulSoup:
    login(client, manager)
    response = client.get("/utvikling")
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def when(year: int, month: int = 6) -> datetime:
    return datetime(year, month, 1, tzinfo=UTC)


def staff(cast) -> list:
    return [cast.staff, cast.staff2, cast.staff3]


def area_table(soup: BeautifulSoup, area_id: str) -> list[list[str]]:
    section = soup.find("section", attrs={"aria-labelledby": f"area-{area_id}"})
    table = section.find("table")
    return [
        [c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])]
        for row in table.tbody.find_all("tr")
    ]


def statement_table(soup: BeautifulSoup, label_start: str) -> list[list[str]]:
    heading = next(h for h in soup.find_all("h3") if h.get_text(strip=True).startswith(label_start))
    table = heading.find_next("table")
    return [
        [c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])]
        for row in table.tbody.find_all("tr")
    ]


def test_scores_and_changes_per_round_from_the_snapshots(client, cast, db):
    make_closed_round_with(
        db, cast.a, staff(cast), {"tillit": 2}, name="Vår 2025", closed_at=when(2025)
    )
    make_closed_round_with(
        db, cast.a, staff(cast), {"tillit": 3}, name="Vår 2026", closed_at=when(2026)
    )
    soup = page(client, cast.manager)
    rows = area_table(soup, "tillit")
    # The change is the difference of the figures shown: 67 − 33, though exactly 33.3.
    assert [r[:3] for r in rows] == [["Vår 2025", "33", "–"], ["Vår 2026", "67", "+34"]]


def test_every_chart_shows_exactly_the_figures_of_its_table(client, cast, db):
    make_closed_round_with(
        db, cast.a, staff(cast), {"tillit": 1}, name="Høst 2024", closed_at=when(2024, 10)
    )
    make_closed_round_with(
        db,
        cast.a,
        staff(cast),
        {"tillit": 4, "arbeidsliv": 2},
        name="Vår 2025",
        closed_at=when(2025),
    )
    make_closed_round_with(
        db, cast.a, staff(cast), {"oppfolging": 4}, name="Vår 2026", closed_at=when(2026)
    )
    soup = page(client, cast.manager)
    charts = soup.find_all("svg", class_="trend-chart")
    assert len(charts) > 20  # one per area and one per statement
    for svg in charts:
        assert svg["role"] == "img"
        assert svg.find("title").get_text()
        assert svg.find("desc").get_text()
        table = soup.find("table", attrs={"data-chart": svg["data-chart"]})
        in_chart = [
            t.get_text(strip=True) for t in svg.find_all("text", class_="trend-chart__value")
        ]
        in_table = [
            td.get_text(strip=True) for td in table.find_all("td", class_="trend-table__score")
        ]
        assert in_chart == [v for v in in_table if v != "–"]
        assert len(in_table) == 3


def test_a_round_with_too_few_behind_it_shows_dashes(client, cast, db):
    make_closed_round_with(
        db,
        cast.a,
        [cast.staff, cast.staff2],
        {"tillit": 4},
        name="Liten runde",
        closed_at=when(2025),
    )
    make_closed_round_with(
        db, cast.a, staff(cast), {"tillit": 4}, name="Vår 2026", closed_at=when(2026)
    )
    soup = page(client, cast.manager)
    rows = area_table(soup, "tillit")
    assert [r[:3] for r in rows] == [["Liten runde", "–", "–"], ["Vår 2026", "100", "–"]]
    lead = soup.select_one(".lead").get_text()
    assert "færre enn 3 andre enn deg" in lead
    # The report and exports follow a stricter rule, so their area scores may differ.
    assert "minst 4 står bak" in lead
    assert "kan det avvike litt" in lead


def test_the_reader_does_not_count_towards_the_minimum(client, cast, db):
    make_closed_round_with(
        db,
        cast.a,
        [cast.staff, cast.staff2, cast.manager],
        {"tillit": 4},
        name="R",
        closed_at=when(2026),
    )
    rows = area_table(page(client, cast.manager), "tillit")
    assert rows[0][1] == "–"  # only two others stand behind it


def test_across_content_versions_changed_statements_are_marked(client, cast, db):
    make_closed_round_with(
        db,
        cast.a,
        staff(cast),
        {"tillit": 2, "oppfolging": 2, "arbeidsliv": 2},
        name="Vår 2026",
        closed_at=when(2026),
        folder="v1",
    )
    make_closed_round_with(
        db,
        cast.a,
        staff(cast),
        {"tillit": 3, "oppfolging": 3, "arbeidsliv": 3},
        name="Vår 2027",
        closed_at=when(2027),
        folder="v2",
    )
    soup = page(client, cast.manager)
    # An area whose statements all stayed the same: the change is shown.
    assert [r[:3] for r in area_table(soup, "arbeidsliv")] == [
        ["Vår 2026", "33", "–"],
        ["Vår 2027", "67", "+34"],
    ]
    # One reworded statement of six: the area says how many are comparable, and gives no change.
    tillit = area_table(soup, "tillit")
    assert tillit[1][1:3] == ["67*", "–"]
    assert "5 av 6 påstander" in tillit[1][3]
    # The reworded statement itself.
    reworded = statement_table(soup, "Ved oppstart forklarer veilederen")
    assert [r[1] for r in reworded] == ["33", "67*"]
    assert "ikke direkte sammenlignbar" in reworded[1][3]
    # Both halves of a split statement carry the old statement's score, marked.
    for half in ("Integreringsplanen bygger på kartleggingen", "Integreringsplanen lages sammen"):
        rows = statement_table(soup, half)
        assert [r[1] for r in rows] == ["33", "67*"]
        assert rows[1][2] == "–"
    # An unchanged statement is compared as usual; a new one starts in the new version.
    same = statement_table(soup, "Hver deltaker har én fast veileder")
    assert [r[1:3] for r in same] == [["33", "–"], ["67", "+34"]]
    assert [r[0] for r in statement_table(soup, "Når en deltaker er borte")] == ["Vår 2027"]
    # The retired statement is still there, with its old round only.
    section = soup.find("section", attrs={"aria-labelledby": "area-oppfolging"})
    assert "ikke lenger med" in section.get_text()


def test_staff_cannot_see_the_development_page(client, cast):
    login(client, cast.staff)
    assert client.get("/utvikling").status_code == 403


def test_another_municipalitys_rounds_are_never_in_the_page(client, cast, db):
    others = [make_user(db, f"b{i}@b.no", Role.STAFF, cast.b) for i in range(3)]
    make_closed_round_with(
        db, cast.b, others, {"tillit": 4}, name="B sin runde", closed_at=when(2026)
    )
    soup = page(client, cast.manager)
    assert "B sin runde" not in soup.get_text()
    assert "Her ser dere utviklingen når minst én runde er lukket." in soup.get_text()


def test_the_readers_own_answer_counts_only_in_the_round_they_answered(client, cast, db):
    # The manager answered the first round (two others: hidden) but not the second.
    make_closed_round_with(
        db,
        cast.a,
        [cast.staff, cast.staff2, cast.manager],
        {"tillit": 4},
        name="R1",
        closed_at=when(2025),
    )
    make_closed_round_with(
        db,
        cast.a,
        [cast.staff, cast.staff2, cast.staff3],
        {"tillit": 2},
        name="R2",
        closed_at=when(2026),
    )
    soup = page(client, cast.manager)
    assert [r[:2] for r in area_table(soup, "tillit")] == [["R1", "–"], ["R2", "33"]]
    assert [r[:2] for r in statement_table(soup, "Hver deltaker har én fast veileder")] == [
        ["R1", "–"],
        ["R2", "33"],
    ]


def test_new_rounds_use_the_newest_content_and_old_rounds_keep_theirs(client, cast, db):
    old = make_closed_round_with(
        db, cast.a, staff(cast), name="Gammel", closed_at=when(2025), folder="v1"
    )
    login(client, cast.manager)
    page_text = client.get(f"/runder/{old.id}/resultater").text
    assert "Veilederen, voksenopplæringen og Nav har faste møter" in page_text  # retired in v2
    assert "Når en deltaker er borte uten å gi beskjed" not in page_text  # new in v2
    close_round(db, cast.round_a)  # its staff are then free to be chosen
    token = login(client, cast.manager)
    form = {
        "name": "Ny runde",
        "respondents": [str(u.id) for u in staff(cast)],
        "csrf_token": token,
    }
    assert client.post("/runder", data=form).status_code == 303
    new = db.exec(select(Round).where(Round.name == "Ny runde")).one()
    assert db.get(ContentVersion, new.content_version_id).version == "2027.1"
    assert db.get(ContentVersion, old.content_version_id).version == "2026.1"


def test_a_done_measure_is_on_the_time_line_with_the_day_it_was_done(client, cast, db):
    from app.plan.models import Measure, MeasureStatus

    rnd = make_closed_round_with(db, cast.a, staff(cast), name="Vår 2026", closed_at=when(2026))
    done = datetime(2026, 9, 14, 22, 30, tzinfo=UTC)  # 15 September in Oslo
    db.add(Measure(round_id=rnd.id, title="Faste samtaler", status=MeasureStatus.DONE,
                   created_at=done, updated_at=done))  # fmt: skip
    db.add(Measure(round_id=rnd.id, title="Praksisplass", status=MeasureStatus.PLANNED))
    db.commit()
    items = [li.get_text(" ", strip=True) for li in page(client, cast.manager).select("main li")]
    assert "Faste samtaler – gjennomført 15.09.2026" in items


def test_a_measure_marked_in_a_chart_is_explained_beside_it(client, cast, db):
    from app.content.service import guidance_for
    from app.plan.models import Measure, MeasureStatement, MeasureStatus

    first = make_closed_round_with(db, cast.a, staff(cast), name="Vår 2026", closed_at=when(2026))
    make_closed_round_with(db, cast.a, staff(cast), name="Vår 2027", closed_at=when(2027))
    done = datetime(2026, 9, 14, tzinfo=UTC)
    measure = Measure(round_id=first.id, title="Faste samtaler", status=MeasureStatus.DONE,
                      created_at=done, updated_at=done)  # fmt: skip
    db.add(measure)
    db.flush()
    statement = guidance_for(db, first.content_version_id).areas[0].statements[0]
    db.add(MeasureStatement(measure_id=measure.id, statement_id=statement.id))
    db.commit()
    soup = page(client, cast.manager)
    marked = [f for f in soup.select("figure.chart") if f.select("line.trend-chart__measure")]
    assert marked  # the dotted line between the two rounds …
    for figure in marked:  # … is said in words, not only in a hover title
        caption = figure.select_one("figcaption").get_text(" ", strip=True)
        assert "et tiltak som ble gjennomført (Faste samtaler)" in caption


def test_each_link_and_scrolling_table_has_a_name_of_its_own(client, cast, db):
    """A screen reader's list of links shows each link's text alone, and reaching a table
    that scrolls by Tab reads its name: «PDF» four times, or a nameless stop, says nothing."""
    make_closed_round_with(db, cast.a, staff(cast), name="Vår 2025", closed_at=when(2025))
    make_closed_round_with(db, cast.a, staff(cast), name="Vår 2026", closed_at=when(2026))
    soup = page(client, cast.manager)
    links = {}
    for a in soup.select("main a[href]"):
        links.setdefault(a.get_text(" ", strip=True), set()).add(a["href"])
    assert {text: hrefs for text, hrefs in links.items() if len(hrefs) > 1} == {}
    assert "PDF – Vår 2025" in links
    stops = soup.select("main [tabindex='0']")
    assert stops
    assert [s for s in stops if s.get("role") != "region" or not s.get("aria-label")] == []
    names = [s["aria-label"] for s in stops]
    assert sorted({n for n in names if names.count(n) > 1}) == []  # each its own


def test_an_area_whose_shown_statements_differ_between_rounds_gets_no_change(client, cast, db):
    make_closed_round_with(
        db, cast.a, staff(cast), {"tillit": 2}, name="Vår 2025", closed_at=when(2025)
    )
    # Everyone answers «Vet ikke» on one statement: too few behind it, so it is hidden, and
    # the area's score rests on five statements against six the round before.
    levels = {"tillit": 3, "tillit-taushetsplikt": 0}
    make_closed_round_with(db, cast.a, staff(cast), levels, name="Vår 2026", closed_at=when(2026))
    soup = page(client, cast.manager)
    tillit = area_table(soup, "tillit")
    assert tillit[1][1:3] == ["67*", "–"]
    assert "5 av 6 påstander er vist i begge rundene" in tillit[1][3]
    # An area shown on the same statements both times keeps its change.
    assert [r[1:3] for r in area_table(soup, "oppfolging")] == [["67", "–"], ["67", "0"]]
