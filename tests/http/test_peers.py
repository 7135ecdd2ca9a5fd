"""Peer medians: national and same size class, from each other municipality's latest closed
round in the last 24 months, and only where at least five of them stand behind them."""

from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from sqlmodel import select

from app.accounts.models import Role, SizeClass
from app.results.models import SnapshotAreaScore
from app.results.snapshot import refresh_area_scores
from app.settings import get_settings
from app.trend.peers import peer_medians
from tests.conftest import login
from tests.factories import make_closed_round_with, make_municipality, make_user

NOW = datetime.now(UTC)


def peer(db, number: str, level: int, size=SizeClass.SMALL, ago_days: int = 30, **kw):
    """A made-up municipality with three staff and one closed round where all chose `level`."""
    m = make_municipality(db, number=number, name=f"Kommune {number}", size_class=size)
    users = [make_user(db, f"s{i}@{number}.no", Role.STAFF, m) for i in range(3)]
    make_closed_round_with(
        db, m, users, default=level, closed_at=NOW - timedelta(days=ago_days), **kw
    )
    return m, users


def own_round(db, cast, level: int = 2) -> None:
    users = [cast.staff, cast.staff2, cast.staff3]
    make_closed_round_with(db, cast.a, users, default=level, closed_at=NOW - timedelta(days=10))


def test_four_municipalities_are_too_few_for_a_median(db, cast):
    own_round(db, cast)  # the reader's own does not count
    for i in range(4):
        peer(db, f"970{i}", 4)
    result = peer_medians(db, cast.a).areas
    assert result == {}  # nothing leaves the query for groups of four


def test_five_municipalities_give_a_median_and_say_so(db, cast):
    own_round(db, cast, level=2)  # 33
    peers = [peer(db, f"970{i}", level)[0] for i, level in enumerate((1, 3, 4, 4, 4))]
    result = peer_medians(db, cast.a).areas["tillit"]
    assert result.national.median == 100  # of 0, 67, 100, 100, 100: Kommune A's 33 is not in it
    assert result.national.municipalities == 5
    assert result.size_class.municipalities == 5
    # Seen from one of the others, Kommune A is among the five and that one is not.
    seen_from_other = peer_medians(db, peers[0]).areas["tillit"]
    assert round(seen_from_other.national.median or 0) == 100  # of 33, 67, 100, 100, 100
    assert (
        round(peer_medians(db, peers[4]).areas["tillit"].national.median or 0) == 67
    )  # 0, 33, 67, 100, 100


def test_the_size_class_median_hides_where_the_class_has_four(db, cast):
    own_round(db, cast)
    for i in range(4):
        peer(db, f"970{i}", 4)  # four other small ones (Kommune A itself does not count)
    for i in range(2):
        peer(db, f"971{i}", 1, size=SizeClass.LARGE)
    result = peer_medians(db, cast.a).areas["tillit"]
    assert result.national.municipalities == 6
    assert result.size_class.median is None


def test_only_each_municipalitys_latest_round_in_24_months_counts(db, cast):
    own_round(db, cast, level=4)
    for i in range(5):
        m, users = peer(db, f"970{i}", 1, ago_days=400)
        # A later round of the same municipality replaces the earlier one.
        make_closed_round_with(db, m, users, default=4, closed_at=NOW - timedelta(days=20))
    peer(db, "9799", 1, ago_days=800)  # too old: not counted
    result = peer_medians(db, cast.a).areas["tillit"]
    assert result.national.municipalities == 5
    assert result.national.median == 100


def test_the_page_shows_medians_with_counts_and_no_names(client, db, cast):
    own_round(db, cast)
    for i in range(5):
        peer(db, f"970{i}", 3)
    login(client, cast.manager)
    soup = BeautifulSoup(client.get("/utvikling").text, "html.parser")
    section = soup.find("section", attrs={"aria-labelledby": "peers-heading"})
    text = section.get_text(" ", strip=True)
    assert "5 kommuner" in text
    assert "minst 5 andre kommuner" in text
    assert "Kommune 970" not in soup.get_text()
    row = section.find("th", string="Tillit mellom deltaker og veileder").parent
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert cells == ["33", "67 (5 kommuner)", "67 (5 kommuner)"]
    assert section.select_one("#own-hidden") is None  # the own figures are there
    headers = [th.get_text(strip=True) for th in section.select("thead th")]
    assert headers[-2:] == ["Median, hele landet", "Median, små kommuner (under 5 000 innbyggere)"]


def test_the_page_says_when_too_few_stand_behind_a_median(client, db, cast):
    own_round(db, cast)
    for i in range(4):
        peer(db, f"970{i}", 3)
    login(client, cast.manager)
    soup = BeautifulSoup(client.get("/utvikling").text, "html.parser")
    section = soup.find("section", attrs={"aria-labelledby": "peers-heading"})
    assert section.get_text(" ", strip=True).count("færre enn 5 kommuner") >= 10


def test_deleting_a_municipalitys_data_takes_its_peer_scores_with_it(client, db, cast):
    own_round(db, cast)
    token = login(client, cast.admin)
    form = {"confirmation": cast.a.name, "csrf_token": token}
    assert client.post(f"/admin/kommuner/{cast.a.id}/slett", data=form).status_code == 303
    left = db.exec(select(SnapshotAreaScore).where(SnapshotAreaScore.municipality_id == cast.a.id))
    assert left.all() == []


def test_the_own_column_names_its_round_and_says_why_it_is_empty(client, db, cast):
    own_round(db, cast)
    small = [cast.staff, cast.staff2]  # two answered the latest round: nothing can be shown
    make_closed_round_with(db, cast.a, small, name="Liten runde", closed_at=NOW - timedelta(days=1))
    login(client, cast.manager)
    soup = BeautifulSoup(client.get("/utvikling").text, "html.parser")
    section = soup.find("section", attrs={"aria-labelledby": "peers-heading"})
    assert [th.get_text(strip=True) for th in section.select("thead th")][1] == "Dere, Liten runde"
    why = section.select_one("#own-hidden").get_text()
    assert "Tallene fra Liten runde kan ikke vises her" in why


def test_a_raised_minimum_reaches_the_stored_peer_scores_at_the_next_deploy(db, cast, monkeypatch):
    # Five others closed rounds with three respondents each, under the content's minimum 3.
    for i in range(5):
        peer(db, f"970{i}", 4)
    assert peer_medians(db, cast.a).areas["tillit"].national.median == 100
    assert refresh_area_scores(db) == 0  # the same minimum: nothing to change, nothing written
    # The operator raises the minimum to 4 and deploys (migrate runs the refresh): no statement
    # of those rounds had four behind it, so none of their scores may stand in a median.
    monkeypatch.setattr(get_settings(), "min_respondents", 4)
    assert refresh_area_scores(db) > 0
    db.commit()
    assert peer_medians(db, cast.a).areas == {}
    stored = db.exec(select(SnapshotAreaScore.score, SnapshotAreaScore.scored)).all()
    assert set(stored) == {(None, 0)}
