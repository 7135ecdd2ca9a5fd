"""Follow-up: the next closed round's results open with how each measure of the previous one
went, and the change on exactly its statements, where both snapshots allow the figure."""

from bs4 import BeautifulSoup

from app.plan.models import Measure, MeasureStatement, MeasureStatus
from tests.conftest import login
from tests.factories import make_closed_round

UP, DOWN, HIDDEN = "tillit-fast-veileder", "oppfolging-faste-samtaler", "arbeidsliv-tidlig-praksis"


def add_measure(db, rnd, title, status, statements):
    measure = Measure(round_id=rnd.id, title=title, status=status)
    db.add(measure)
    db.flush()
    for sid in statements:
        db.add(MeasureStatement(measure_id=measure.id, statement_id=sid))
    db.commit()


def first_levels(sid):
    return {UP: 1, DOWN: 4}.get(sid, 2)


def second_levels(sid):
    return {UP: 4, DOWN: 2, HIDDEN: 0}.get(sid, 2)


def rounds(db, cast):
    team = [cast.staff, cast.staff2, cast.staff3]
    first = make_closed_round(db, cast.a, [(u, first_levels) for u in team], name="Vår 2026")
    add_measure(db, first, "Fast veileder", MeasureStatus.DONE, [UP, HIDDEN])
    add_measure(db, first, "Færre samtaler", MeasureStatus.DROPPED, [DOWN])
    # In the second round two of three say "Vet ikke" on HIDDEN: too few levels to show it.
    answers = [(cast.staff, second_levels), (cast.staff2, second_levels), (cast.staff3, 2)]
    second = make_closed_round(db, cast.a, answers, name="Høst 2026")
    return first, second


def followup_section(client, rnd):
    page = BeautifulSoup(client.get(f"/runder/{rnd.id}/resultater").text, "html.parser")
    return page.select_one("section.followup")


def rows_of(card):
    return {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")]
        for tr in card.select("tbody tr")
    }


def test_the_next_round_opens_with_how_each_measure_went(client, cast, db):
    _first, second = rounds(db, cast)
    login(client, cast.manager)
    section = followup_section(client, second)
    assert section is not None
    assert section.h2.get_text(strip=True) == "Hvordan gikk det?"
    cards = section.select(".followup__measure")
    assert [c.h3.get_text(" ", strip=True) for c in cards] == [
        "Fast veileder Gjennomført",
        "Færre samtaler Droppet",
    ]
    values = list(rows_of(cards[0]).values())
    assert values[0] == ["0", "78", "opp\u00a078"]  # two of three moved from level 1 to 4
    assert list(rows_of(cards[1]).values()) == [["100", "33", "ned\u00a067"]]


def test_a_change_is_shown_only_where_both_rounds_allow_the_figure(client, cast, db):
    _first, second = rounds(db, cast)
    login(client, cast.manager)
    card = followup_section(client, second).select(".followup__measure")[0]
    values = list(rows_of(card).values())
    assert values[1] == ["–", "–", "–"]  # HIDDEN: only one level behind it in the second round


def test_the_first_round_has_no_follow_up(client, cast, db):
    first, _second = rounds(db, cast)
    login(client, cast.manager)
    assert followup_section(client, first) is None


def test_another_municipalitys_measures_never_appear(client, cast, db):
    _first, second = rounds(db, cast)
    team_b = [(cast.other_staff, 2), (cast.other_manager, 2)]
    other = make_closed_round(db, cast.b, team_b, name="Nabo")
    add_measure(db, other, "Nabotiltak", MeasureStatus.PLANNED, [UP])
    login(client, cast.manager)
    assert "Nabotiltak" not in followup_section(client, second).get_text()


def test_each_measures_table_scrolls_in_its_own_named_region(client, cast, db):
    # A card clips what sticks out of it: on a phone the table must scroll, by keyboard too.
    _first, second = rounds(db, cast)
    login(client, cast.manager)
    cards = followup_section(client, second).select(".followup__measure")
    regions = [card.select_one(".table-scroll") for card in cards]
    assert all(r is not None and r.table is not None for r in regions)
    assert [(r["tabindex"], r["role"]) for r in regions] == [("0", "region")] * len(cards)
    assert [r["aria-label"] for r in regions] == [
        "Poeng før og nå for tiltaket «Fast veileder»",
        "Poeng før og nå for tiltaket «Færre samtaler»",
    ]


def test_every_table_of_the_results_names_itself_and_its_rows(client, cast, db):
    """A screen reader moving along a row reads the row's header with each figure (th scope=row),
    and lists tables by caption; one id for each piece of advice (the priorities show the top
    advice again, and a link to #rad-… must find one)."""
    _first, second = rounds(db, cast)
    login(client, cast.manager)
    page = BeautifulSoup(client.get(f"/runder/{second.id}/resultater").text, "html.parser")
    tables = page.select("main table")
    assert len(tables) > 5  # follow-up, scores, readings, statement by statement
    for table in tables:
        assert table.caption is not None, table
        assert table.caption.get_text(strip=True)
        for row in table.select("tbody tr"):
            first = row.find(["th", "td"])
            assert (first.name, first.get("scope")) == ("th", "row"), row
    ids = [tag["id"] for tag in page.select("[id]")]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_a_round_with_too_few_answers_says_so_before_the_follow_up(client, cast, db):
    team = [cast.staff, cast.staff2, cast.staff3]
    first = make_closed_round(db, cast.a, [(u, first_levels) for u in team], name="Vår 2026")
    add_measure(db, first, "Fast veileder", MeasureStatus.DONE, [UP])
    thin = make_closed_round(db, cast.a, [(cast.staff, 2)], name="Høst 2026")  # one answer
    login(client, cast.manager)
    page = BeautifulSoup(client.get(f"/runder/{thin.id}/resultater").text, "html.parser")
    main = page.select_one("main")
    notice = main.find(string=lambda s: s and "Runden fikk 1 svar" in s)
    followup = main.select_one("section.followup")
    assert notice is not None
    assert followup is not None
    order = [e for e in main.descendants if e is followup or e is notice]
    assert order == [notice, followup]  # the reason for the dashes first
