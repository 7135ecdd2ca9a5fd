"""A manager cancels an open round nobody has begun: it goes, and its people are free for
another round (nobody may be in two open rounds at once)."""

from bs4 import BeautifulSoup
from sqlmodel import func, select

from app.audit import AuditEvent
from app.content.service import guidance_for
from app.notices.models import SentNotice
from app.rounds.models import Round, RoundRespondent
from tests.conftest import login


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def test_a_round_nobody_has_begun_is_cancelled_and_its_people_are_free(client, cast, db):
    rnd = cast.round_a
    db.add(SentNotice(kind="round_opened", key=f"{rnd.id}:{cast.staff.id}"))
    db.commit()
    token = login(client, cast.manager)
    page = soup(client.get(f"/runder/{rnd.id}"))
    assert page.select_one(f"a[href='/runder/{rnd.id}/avlys']") is not None
    confirm = soup(client.get(f"/runder/{rnd.id}/avlys"))
    assert "ingen svar går tapt" in confirm.get_text()

    done = client.post(f"/runder/{rnd.id}/avlys", data={"csrf_token": token})
    assert done.headers["location"] == "/runder"
    assert db.get(Round, rnd.id) is None
    left = select(func.count()).where(RoundRespondent.round_id == rnd.id)
    assert db.exec(left).one() == 0
    assert db.exec(select(SentNotice)).all() == []  # a new round with its id gets its mails
    [event] = db.exec(select(AuditEvent).where(AuditEvent.event == "round_cancelled")).all()
    assert (event.actor_id, event.municipality_id) == (cast.manager.id, cast.a.id)
    listed = soup(client.get("/runder"))
    assert "er avlyst" in listed.get_text()
    assert "Kommunen har ingen runder ennå" in listed.get_text()
    assert listed.select_one("#all-busy") is None  # everyone may be chosen again
    assert client.get(f"/runder/{rnd.id}").status_code == 404


def test_once_someone_has_begun_the_round_can_only_be_closed(client, cast, db):
    rnd = cast.round_a
    token = login(client, cast.staff)
    area = guidance_for(db, rnd.content_version_id).areas[0]
    data = {f"a.{area.statements[0].id}": "2", "csrf_token": token}
    assert client.post(f"/runder/{rnd.id}/omrade/{area.id}", data=data).status_code in (200, 303)

    token = login(client, cast.manager)
    page = soup(client.get(f"/runder/{rnd.id}"))
    assert page.select_one(f"a[href='/runder/{rnd.id}/avlys']") is None
    assert "kan ikke avlyses lenger" in soup(client.get(f"/runder/{rnd.id}/avlys")).get_text()
    refused = client.post(f"/runder/{rnd.id}/avlys", data={"csrf_token": token})
    assert refused.status_code == 409
    assert "kan ikke avlyses lenger" in refused.text
    assert db.get(Round, rnd.id) is not None


def test_staff_and_other_municipalities_cannot_cancel(client, cast, db):
    rnd = cast.round_a
    token = login(client, cast.staff)
    assert client.post(f"/runder/{rnd.id}/avlys", data={"csrf_token": token}).status_code == 403
    token = login(client, cast.other_manager)
    assert client.post(f"/runder/{rnd.id}/avlys", data={"csrf_token": token}).status_code == 404
    assert db.get(Round, rnd.id) is not None
