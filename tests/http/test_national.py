"""KS's national overview: only shared rounds, signals with their rules, medians only where
five municipalities stand behind them, and exports that read back."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from sqlmodel import select

from app.accounts.models import Role, SizeClass
from app.authz import Actor
from app.content.service import current_guidance
from app.review import national
from app.review import service as review
from app.review.models import RoundShare
from app.review.signals import MIN_MUNICIPALITIES
from tests.conftest import login, statements_run
from tests.factories import make_closed_round_at, make_municipality, make_user


def shared_municipality(db, number: str, county: str, size=SizeClass.MEDIUM, levels=(3, 3, 3, 3)):
    """A municipality whose four staff answered a round that its manager then shared."""
    m = make_municipality(db, number=number, name=f"Kommune {number}", county=county,
                          size_class=size)  # fmt: skip
    staff = [make_user(db, f"s{i}@{number}.no", Role.STAFF, m) for i in range(len(levels))]
    manager = make_user(db, f"leder@{number}.no", Role.MANAGER, m)
    rnd = make_closed_round_at(db, m, staff, level=list(levels), name=f"Runde {number}")
    review.share_round(db, Actor(manager.id, "manager", m.id, manager.email), rnd, False)
    return rnd


def adviser(cast) -> Actor:
    return Actor(cast.ks_adviser.id, "ks_adviser", None, cast.ks_adviser.email)


def test_it_shows_only_the_latest_shared_round_of_each_municipality(client, cast, db):
    shared_municipality(db, "9001", "Agder")
    make_closed_round_at(db, cast.a, [cast.staff, cast.staff2, cast.staff3], name="Ikke delt")
    login(client, cast.ks_adviser)
    page = BeautifulSoup(client.get("/ks/oversikt").text, "html.parser")
    rows = page.select("#table-heading ~ div tbody tr")
    assert [r.th.a.get_text() for r in rows] == ["Kommune 9001"]
    assert rows[0].th.a["href"].startswith("/ks/runder/")
    assert "Ikke delt" not in page.get_text()
    assert "Kommune A" not in page.get_text()
    # Counts only: one shared; two closed a round (which ones is never shown).
    assert "1 kommune har delt" in page.get_text()
    assert "2 kommuner har lukket minst én runde" in page.get_text()


def test_a_newer_share_replaces_the_older_one(client, cast, db):
    first = shared_municipality(db, "9001", "Agder")
    m = db.get(type(cast.a), first.municipality_id)
    staff = [make_user(db, f"ny{i}@9001.no", Role.STAFF, m) for i in range(3)]
    newer = make_closed_round_at(db, m, staff, level=1, name="Nyere runde")
    manager = db.exec(
        select(type(cast.manager)).where(type(cast.manager).email == "leder@9001.no")
    ).one()
    review.share_round(db, Actor(manager.id, "manager", m.id, manager.email), newer, False)
    ov = national.overview(db, adviser(cast))
    assert [r.round_name for r in ov.rows] == ["Nyere runde"]


def test_signals_fire_with_their_rules(client, cast, db):
    shared_municipality(db, "9001", "Agder", levels=(1, 1, 1, 1))  # every core area at 0
    shared_municipality(db, "9002", "Agder", levels=(1, 1, 4, 4))  # the team disagrees
    shared_municipality(db, "9003", "Agder", levels=(0, 0, 0, 3))  # mostly "Vet ikke"
    shared_municipality(db, "9004", "Agder", levels=(3, 3, 3, 3))  # nothing to flag
    ov = national.overview(db, adviser(cast))
    kinds = {r.name: {s.kind for s in r.signals} for r in ov.rows}
    assert kinds["Kommune 9001"] == {"low_core"}
    assert kinds["Kommune 9002"] == {"spread"}
    assert kinds["Kommune 9003"] == {"dont_know"}
    assert kinds["Kommune 9004"] == set()
    login(client, cast.ks_adviser)
    text = client.get("/ks/oversikt").text
    assert "Et kjerneområde har under 40 poeng." in text
    assert "Kommune 9004: Runde 9004" not in text
    assert "Kommune 9001: Runde 9001" in text


def test_it_flags_a_municipality_without_a_shared_round_in_18_months(client, cast, db):
    old = shared_municipality(db, "9001", "Agder")
    share = db.exec(select(RoundShare).where(RoundShare.round_id == old.id)).one()
    share.round_closed_at = datetime.now(UTC) - timedelta(days=600)
    db.commit()
    ov = national.overview(db, adviser(cast))
    kinds = [(r.name, [s.kind for s in r.signals]) for r in ov.rows]
    assert kinds == [("Kommune 9001", ["stale"])]
    assert [r.name for r in ov.flagged] == ["Kommune 9001"]  # listed once
    share.round_closed_at = datetime.now(UTC) - timedelta(days=800)
    db.commit()
    ov = national.overview(db, adviser(cast))
    assert ov.rows == []  # out of the 24-month table, still overdue
    assert [(r.name, [s.kind for s in r.signals]) for r in ov.flagged] == [kinds[0]]


def test_medians_need_five_municipalities(client, cast, db):
    area = current_guidance().areas[0].id
    for n in range(4):
        shared_municipality(db, f"900{n}", "Agder", SizeClass.SMALL)
    groups = {g.label: g for g in national.overview(db, adviser(cast)).groups}
    assert groups["Agder"].municipalities == 4
    assert groups["Agder"].medians[area] is None
    shared_municipality(db, "9005", "Agder", SizeClass.SMALL)
    groups = {g.label: g for g in national.overview(db, adviser(cast)).groups}
    assert groups["Agder"].medians[area] == pytest.approx(200 / 3)
    assert groups["Små kommuner"].medians[area] == pytest.approx(200 / 3)
    assert groups["Store kommuner"].medians[area] is None


def test_filters_and_sorting_work_as_plain_links(client, cast, db):
    shared_municipality(db, "9001", "Agder", SizeClass.SMALL, levels=(2, 2, 2, 2))
    shared_municipality(db, "9002", "Viken", SizeClass.LARGE, levels=(4, 4, 4, 4))
    area = current_guidance().areas[0].id
    login(client, cast.ks_adviser)

    def names(url: str) -> list[str]:
        page = BeautifulSoup(client.get(url).text, "html.parser")
        return [r.th.a.get_text() for r in page.select("#table-heading ~ div tbody tr")]

    assert names("/ks/oversikt?fylke=Viken") == ["Kommune 9002"]
    assert names("/ks/oversikt?storrelse=liten") == ["Kommune 9001"]
    assert names(f"/ks/oversikt?sorter={area}&retning=synkende") == ["Kommune 9002", "Kommune 9001"]
    assert names(f"/ks/oversikt?sorter={area}") == ["Kommune 9001", "Kommune 9002"]
    assert client.get("/ks/oversikt?storrelse=enorm").status_code == 422


def test_the_overview_reads_in_a_fixed_number_of_queries(client, cast, db):
    def queries() -> int:
        with statements_run(db) as statements:
            national.overview(db, adviser(cast))
        return len(statements)

    shared_municipality(db, "9001", "Agder")
    few = queries()
    for n in range(2, 6):
        shared_municipality(db, f"900{n}", "Agder")
    assert queries() == few  # no query per municipality


def test_csv_export_reads_back(client, cast, db):
    shared_municipality(db, "9001", "Agder", levels=(1, 1, 1, 1))
    login(client, cast.ks_adviser)
    response = client.get("/ks/oversikt.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Kommunenummer", "Kommune", "Fylke"]
    assert rows[0][-1] == "Signaler"
    assert rows[1][:3] == ["9001", "Kommune 9001", "Agder"]
    assert rows[1][8] == "0,0"
    assert "poeng" in rows[1][-1]


def test_xlsx_export_reads_back_with_numbers_and_a_frozen_header(client, cast, db):
    shared_municipality(db, "9001", "Agder", levels=(2, 2, 2, 2))
    login(client, cast.ks_adviser)
    response = client.get("/ks/oversikt.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.properties.title == "Nasjonal oversikt fra Gode grep"
    assert book.properties.language == "nb"
    table = book["Oversikt"]
    assert table.freeze_panes == "A2"
    assert table["A1"].value == "Kommunenummer"
    assert table["A2"].value == "9001"
    assert isinstance(table["I2"].value, float)
    assert table["I2"].value == pytest.approx(33.3)
    assert isinstance(table["H2"].value, int)
    explained = [(row[0].value, row[1].value) for row in book["Forklaring"].iter_rows(min_row=2)]
    assert [name for name, _ in explained[:2]] == ["Kommunenummer", "Kommune"]
    area = current_guidance().areas[0].title.nb
    explains = "Poeng 0–100 for området; tomt der færre enn 4 står bak tallet."
    assert (area, explains) in explained
    page = client.get("/ks/oversikt").text
    text = BeautifulSoup(page, "html.parser").get_text()
    assert "«–» betyr at færre enn 4 sto bak tallet" in text
    assert f"der minst {MIN_MUNICIPALITIES} kommuner står bak" in text
    assert book["Signaler"]["A2"].value == "Kommune 9001"


def test_exports_give_the_days_as_the_page_does_and_sizes_in_words(client, cast, db):
    from datetime import date

    rnd = shared_municipality(db, "9001", "Agder", size=SizeClass.LARGE)
    late_evening = datetime(2025, 4, 22, 22, 30, tzinfo=UTC)  # 00:30 on 23 April in Norway
    share = db.exec(select(RoundShare).where(RoundShare.round_id == rnd.id)).one()
    share.shared_at = share.round_closed_at = late_evening
    db.add(share)
    db.commit()
    login(client, cast.ks_adviser)
    assert "23.04.2025" in client.get("/ks/oversikt").text
    raw = client.get("/ks/oversikt.csv").content.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(raw), delimiter=";"))[1]
    assert row[3] == "Stor (20 000 innbyggere eller flere)"  # as the page writes it
    assert row[5:7] == ["2025-04-23", "2025-04-23"]
    table = load_workbook(io.BytesIO(client.get("/ks/oversikt.xlsx").content))["Oversikt"]
    assert table["G2"].value.date() == date(2025, 4, 23)  # a date Excel can sort and filter
    assert table["G2"].number_format == "yyyy-mm-dd"
    assert table["D2"].value == "Stor (20 000 innbyggere eller flere)"


def test_the_saved_files_are_named_by_their_filter(client, cast, db):
    shared_municipality(db, "9001", "Møre og Romsdal")
    login(client, cast.ks_adviser)

    def named(path: str) -> str:
        return client.get(path).headers["content-disposition"].split("filename=")[1]

    assert named("/ks/oversikt.csv") == '"gode-grep-oversikt.csv"'
    filtered = "/ks/oversikt.xlsx?fylke=Møre og Romsdal&storrelse=liten"
    assert named(filtered) == '"gode-grep-oversikt-more-og-romsdal-liten.xlsx"'
