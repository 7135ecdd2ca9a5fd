"""A manager cancels an open round nobody has begun: it goes, its people are free for
another round (nobody may be in two open rounds at once), and they are told by e-mail."""

from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from sqlmodel import func, select

from app.accounts.models import Invitation, Role
from app.accounts.tokens import new_token
from app.audit import AuditEvent
from app.content.service import guidance_for
from app.mail import MailError
from app.notices.models import SentNotice
from app.rounds.models import Round, RoundInvitee, RoundRespondent
from tests.conftest import login
from tests.factories import make_user


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def test_a_round_nobody_has_begun_is_cancelled_and_its_people_are_free(client, cast, db, mailbox):
    rnd = cast.round_a
    db.add(SentNotice(kind="round_opened", key=f"{rnd.id}:{cast.staff.id}"))
    db.commit()
    token = login(client, cast.manager)
    page = soup(client.get(f"/runder/{rnd.id}"))
    assert page.select_one(f"a[href='/runder/{rnd.id}/avlys']") is not None
    confirm = soup(client.get(f"/runder/{rnd.id}/avlys"))
    assert "ingen svar går tapt" in confirm.get_text()
    assert "får en e-post om at runden er avlyst" in confirm.get_text()

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


def test_once_someone_has_begun_the_round_can_only_be_closed(client, cast, db, mailbox):
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
    assert mailbox == []  # nobody is told of a cancellation that did not happen


def test_staff_and_other_municipalities_cannot_cancel(client, cast, db, mailbox):
    rnd = cast.round_a
    token = login(client, cast.staff)
    assert client.post(f"/runder/{rnd.id}/avlys", data={"csrf_token": token}).status_code == 403
    token = login(client, cast.other_manager)
    assert client.post(f"/runder/{rnd.id}/avlys", data={"csrf_token": token}).status_code == 404
    assert db.get(Round, rnd.id) is not None
    assert mailbox == []


def waiting(db, rnd, email: str, invited: bool = True) -> None:
    """A new person invited to the round as it was created, holding an open invitation (or
    not: its mail failed)."""
    db.add(RoundInvitee(round_id=rnd.id, email=email))
    if invited:
        expires = datetime.now(UTC) + timedelta(days=14)
        db.add(
            Invitation(
                email=email,
                role=Role.STAFF,
                municipality_id=rnd.municipality_id,
                token_hash=new_token()[1],
                expires_at=expires,
            )
        )


def cancel(client, cast):
    token = login(client, cast.manager)
    done = client.post(f"/runder/{cast.round_a.id}/avlys", data={"csrf_token": token})
    assert done.headers["location"] == "/runder"
    return soup(client.get("/runder"))


def test_each_person_asked_is_told_in_their_own_language_without_a_link(client, cast, db, mailbox):
    rnd = cast.round_a
    cast.a.written_standard = "nn"  # those without a language of their own get nynorsk
    cast.staff.locale, cast.staff3.locale, cast.manager.locale = "nb", "en", "nb"
    gone = make_user(db, "sluttet@a.no", Role.STAFF, cast.a, active=False)
    db.add(RoundRespondent(round_id=rnd.id, user_id=gone.id))
    waiting(db, rnd, "ny@a.no")
    waiting(db, rnd, "aldri@a.no", invited=False)  # never heard of the round
    db.add_all([cast.a, cast.staff, cast.staff3, cast.manager])
    db.commit()

    page = cancel(client, cast)

    mails = {m.to: m for m in mailbox}
    # Not the manager who cancelled, not someone deactivated, nobody of another municipality.
    assert set(mails) == {cast.staff.email, cast.staff2.email, cast.staff3.email, "ny@a.no"}
    for mail in mails.values():
        assert "Vår 2027" in mail.subject
        assert "«Vår 2027»" in mail.body or "“Vår 2027”" in mail.body
        assert "Kommune A" in mail.body
        assert "http" not in mail.body
        assert "/runder" not in mail.body
    staff = mails[cast.staff.email]
    assert staff.subject == "Runde avlyst i Gode grep: Vår 2027"
    assert "er avlyst av lederen. Du trenger ikke gjøre noe." in staff.body
    assert "Lenken i den forrige e-posten om runden virker ikke lenger." in staff.body
    assert "er avlyst av leiaren. Du treng ikkje gjere noko." in mails[cast.staff2.email].body
    assert mails[cast.staff3.email].subject == "Round cancelled in Gode grep: Vår 2027"
    new = mails["ny@a.no"].body
    assert "avlyst av leiaren" in new  # as their invitation: the municipality's standard
    assert "Invitasjonen til Gode grep gjeld framleis" in new
    flash = page.select_one(".ds-alert[role=status]")
    assert flash["data-color"] == "success"
    assert "har fått e-post om det" in flash.get_text()


def test_a_mail_failure_leaves_the_round_cancelled_and_warns_the_manager(
    client, cast, db, mailbox, monkeypatch
):
    tried = []

    def refuse(to, subject, body):
        tried.append(to)
        raise MailError("server down")

    monkeypatch.setattr("app.rounds.cancel_mail.send_mail", refuse)
    page = cancel(client, cast)

    assert db.get(Round, cast.round_a.id) is None
    assert len(tried) == 1  # after the first refusal the rest are not tried
    flash = page.select_one(".ds-alert[role=status]")
    assert flash["data-color"] == "warning"
    text = flash.get_text()
    assert "«Vår 2027» er avlyst, men e-posten om det kom ikke fram til" in text
    for person in (cast.staff, cast.staff2, cast.staff3):  # named, for the manager to tell
        assert person.email in text
    assert cast.manager.email not in text
    assert db.exec(select(AuditEvent).where(AuditEvent.event == "round_cancelled")).one()


def test_with_nobody_left_to_tell_the_manager_is_not_told_they_were(client, cast, db, mailbox):
    for person in (cast.staff, cast.staff2, cast.staff3):  # left the service since
        person.active = False
        db.add(person)
    db.commit()
    page = cancel(client, cast)
    text = page.select_one(".ds-alert[role=status]").get_text()
    assert "«Vår 2027» er avlyst." in text
    assert "e-post" not in text
    assert mailbox == []


def test_the_old_link_shows_staff_the_ordinary_not_found_page(client, cast, db, mailbox):
    rnd = cast.round_a
    area = guidance_for(db, rnd.content_version_id).areas[0]
    cancel(client, cast)
    login(client, cast.staff)
    for path in (f"/runder/{rnd.id}", f"/runder/{rnd.id}/omrade/{area.id}"):
        page = client.get(path)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        html = soup(page)
        assert html.html["lang"] == "nb"
        assert html.h1.get_text(strip=True) == "Fant ikke siden"
        assert html.find("a", href="/", string="Gå til forsiden")
