"""The demo (make run) shows a newcomer everything at once: Demo kommune's history over three
years on two content versions, the meeting's readings, a plan in every status and its
follow-up, the open round; and KS's queue with shares waiting, reviewed and a shared plan."""

from datetime import UTC, datetime

from bs4 import BeautifulSoup
from sqlmodel import col, func, select

from app.accounts.models import User
from app.demo import LATEST_CLOSED, OPEN_ROUND, load_demo
from app.meeting.models import AgreedReading
from app.plan.models import Measure, MeasureStatus
from app.results.models import RoundSnapshot
from app.review.models import RoundShare
from app.rounds.models import Round
from tests.conftest import login


def as_user(client, db, email: str) -> None:
    login(client, db.exec(select(User).where(User.email == email)).one(), password="demo")


def soup(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def test_the_demo_loads_twice_without_adding_anything(db):
    load_demo(db)
    tables = (Round, RoundSnapshot, Measure, AgreedReading, RoundShare, User)
    counts = [db.exec(select(func.count()).select_from(t)).one() for t in tables]
    load_demo(db)
    assert [db.exec(select(func.count()).select_from(t)).one() for t in tables] == counts


def test_demo_kommune_shows_history_on_two_versions_plan_follow_up_and_open_round(client, db):
    municipality = load_demo(db)
    rounds = db.exec(
        select(Round).where(Round.municipality_id == municipality.id).order_by(col(Round.id))
    ).all()
    assert (rounds[0].name, rounds[0].status) == (OPEN_ROUND, "open")  # the first id
    closed = sorted((r for r in rounds if r.status == "closed"), key=lambda r: r.closed_at)
    assert closed[-1].name == LATEST_CLOSED
    assert (closed[-1].closed_at - closed[0].closed_at).days > 2 * 365  # about three years
    assert closed[0].content_version_id != closed[-1].content_version_id
    snapshots = db.exec(
        select(RoundSnapshot.respondents).where(
            col(RoundSnapshot.round_id).in_([r.id for r in closed])
        )
    ).all()
    assert len(snapshots) == len(closed) >= 3
    assert min(snapshots) >= 6
    plans = select(Measure.status).join(Round).where(Round.municipality_id == municipality.id)
    assert set(db.exec(plans).all()) == set(MeasureStatus)
    readings = select(func.count()).select_from(AgreedReading).join(Round)
    assert db.exec(readings.where(Round.municipality_id == municipality.id)).one() >= 2

    as_user(client, db, "leder@demo.kommune.no")
    development = soup(client, "/utvikling")
    tillit = development.find("section", attrs={"aria-labelledby": "area-tillit"})
    assert len(tillit.find("table").tbody.find_all("tr")) == len(closed)
    assert "ikke direkte sammenlignbar" in tillit.get_text()
    peers = development.find("table", class_="peer-table").get_text(" ", strip=True)
    assert "15 kommuner" in peers  # the median of the other small ones
    assert "færre enn 5 kommuner" in peers  # and one hidden ("kartlegging")
    # The latest round's results open with how the earlier plan went, up and down.
    results = soup(client, f"/runder/{closed[-1].id}/resultater")
    changes = [td.get_text(strip=True) for td in results.select("section.followup td:last-child")]
    assert any(c.startswith("opp\u00a0") for c in changes)
    assert any(c.startswith("ned\u00a0") for c in changes)
    assert "Teamets felles vurdering" in results.get_text()
    assert OPEN_ROUND in soup(client, "/runder").get_text()


def test_ks_sees_shares_waiting_and_reviewed_and_a_shared_plan_overdue(client, db):
    load_demo(db)
    shares = db.exec(select(RoundShare).where(col(RoundShare.active_round_id).is_not(None))).all()
    assert any(s.reviewed_at for s in shares)
    assert any(s.withdrawn_at for s in db.exec(select(RoundShare)))
    overdue = db.exec(
        select(Measure)
        .join(RoundShare, col(RoundShare.round_id) == col(Measure.round_id))
        .where(
            col(RoundShare.include_plan),
            col(RoundShare.active_round_id).is_not(None),
            col(Measure.due) < datetime.now(UTC).date(),
            col(Measure.status).in_([MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS]),
        )
    ).all()
    assert overdue
    as_user(client, db, "radgiver@ks.no")
    queue = soup(client, "/ks").get_text()
    assert "Demo bykommune" in queue
    assert "Demo dalkommune" in queue
    assert "Demo fjordkommune" not in queue  # reviewed
    assert "Demo kystkommune" not in queue  # withdrawn
