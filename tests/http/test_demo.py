"""The demo (make run) shows the whole cycle at once: two closed rounds with results, agreed
readings, a plan with measures in every status, the follow-up, and the open round."""

from bs4 import BeautifulSoup
from sqlmodel import func, select

from app.accounts.models import User
from app.demo import load_demo
from app.meeting.models import AgreedReading
from app.plan.models import Measure, MeasureStatus
from app.results.models import RoundSnapshot
from app.rounds.models import Round
from tests.conftest import login


def test_the_demo_shows_history_plan_follow_up_and_open_round_and_loads_twice(client, db):
    load_demo(db)
    load_demo(db)  # idempotent: nothing is added the second time
    municipality = load_demo(db)
    rounds = db.exec(select(Round).where(Round.municipality_id == municipality.id)).all()
    assert sorted((r.name, r.status) for r in rounds) == [
        ("Høst 2025", "closed"),
        ("Høst 2026", "open"),
        ("Vår 2026", "closed"),
    ]
    snapshots = db.exec(
        select(RoundSnapshot.respondents)
        .join(Round, Round.id == RoundSnapshot.round_id)
        .where(Round.municipality_id == municipality.id)
    ).all()
    assert sorted(snapshots) == [6, 6]
    statuses = set(db.exec(select(Measure.status)).all())
    assert statuses == set(MeasureStatus)
    assert db.exec(select(func.count()).select_from(AgreedReading)).one() >= 2
    assert db.exec(select(func.count()).select_from(Measure)).one() == 6
    # The follow-up in the later round shows real movement, up and down.
    manager = db.exec(select(User).where(User.email == "leder@demo.kommune.no")).one()
    spring = db.exec(
        select(Round).where(Round.name == "Vår 2026", Round.municipality_id == municipality.id)
    ).one()
    login(client, manager, password="demo")
    page = BeautifulSoup(client.get(f"/runder/{spring.id}/resultater").text, "html.parser")
    changes = [td.get_text(strip=True) for td in page.select("section.followup td:last-child")]
    assert any(c.startswith("opp ") for c in changes)
    assert any(c.startswith("ned ") for c in changes)
    assert "Teamets felles vurdering" in page.get_text()
