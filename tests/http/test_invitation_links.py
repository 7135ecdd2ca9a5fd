"""An invitation link opened again after it made the account (people keep the mail as their
bookmark), or after it stopped working: a calm page of the app's own, never the error page."""

import re
from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from sqlmodel import select

from app.accounts.models import Invitation, Role
from tests.conftest import csrf_of, login
from tests.factories import make_user
from tests.http.test_invitations import NEW_PASSWORD, link_in


def invite(client, manager, mailbox, email: str) -> str:
    """The manager invites `email`; the link in the newest mail."""
    token = login(client, manager)
    sent = client.post("/kommune/inviter", data={"email": email, "csrf_token": token})
    assert sent.status_code == 303
    return link_in(mailbox[-1], "invitasjon")


def accept(client, path: str) -> None:
    client.cookies.clear()
    form = {"password": NEW_PASSWORD, "csrf_token": csrf_of(client)}
    assert client.post(path, data=form).status_code == 303  # and logged in


def page_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def assert_calm(page: BeautifulSoup) -> None:
    """Not the error page: no error heading, no error reference, no «Feil:» in the title."""
    text = page.get_text(" ", strip=True)
    assert "Feilreferanse" not in text
    assert page.select_one(".request-id") is None
    assert page.select_one("h1").get_text() not in ("Det gikk ikke", "Fant ikke siden")
    assert not page.title.get_text().startswith("Feil:")


def test_its_owner_logged_in_goes_to_the_start_page(client, cast, mailbox):
    path = invite(client, cast.manager, mailbox, "ny@a.no")
    accept(client, path)
    again = client.get(path)
    assert (again.status_code, again.headers["location"]) == (303, "/")
    home = client.get("/")
    landed = page_of(client.get(home.headers["location"]))
    assert landed.select_one("h1").get_text() == "Runder"
    flash = landed.select_one("[role=status]").get_text(" ", strip=True)
    assert flash == "Du har allerede en konto, og er logget inn."


def test_logged_out_it_offers_the_login_with_the_address_filled_in(client, cast, mailbox):
    path = invite(client, cast.manager, mailbox, "ny@a.no")
    accept(client, path)
    client.cookies.clear()
    again = client.get(path)
    assert again.status_code == 200
    page = page_of(again)
    assert_calm(page)
    assert page.select_one("h1").get_text() == "Logg inn"
    notice = page.select_one("#login-notice").get_text(" ", strip=True)
    assert notice == "Du har allerede en konto. Logg inn med passordet ditt."
    form = page.select_one('form[action="/logg-inn"]')
    assert form.select_one("#email")["value"] == "ny@a.no"
    assert form.select_one("#password").has_attr("autofocus")  # the address is there
    data = {"email": "ny@a.no", "password": NEW_PASSWORD, "csrf_token": csrf_of(client)}
    assert client.post("/logg-inn", data=data).status_code == 303


def test_someone_else_logged_in_learns_only_that_it_was_for_another_address(client, cast, mailbox):
    path = invite(client, cast.manager, mailbox, "ny@a.no")
    accept(client, path)
    login(client, cast.other_staff)  # another municipality's, at the same computer
    again = client.get(path)
    assert again.status_code == 409
    page = page_of(again)
    assert_calm(page)
    assert page.select_one("h1").get_text() == "Invitasjonen er allerede brukt"
    assert "sendt til en annen e-postadresse" in page.get_text()
    assert "ny@a.no" not in again.text  # not theirs to know
    assert page.select_one('main a[href="/"]') is not None
    assert client.get("/runder").status_code == 200  # still logged in as themselves


def test_its_owner_sending_the_form_again_is_let_in(client, cast, mailbox):
    # The form sent with the link once more, by its owner, logged in by now: let in.
    path = invite(client, cast.manager, mailbox, "ny@a.no")
    client.cookies.clear()
    form = {"password": NEW_PASSWORD, "csrf_token": csrf_of(client)}
    client.get(path)
    assert client.post(path, data=form).status_code == 303
    again = client.post(path, data={**form, "csrf_token": csrf_of(client)})
    assert (again.status_code, again.headers["location"]) == (303, "/")


def ended_links(client, cast, db, mailbox) -> dict[str, str]:
    """One link for each way an invitation stops working, and one that never existed."""
    first = invite(client, cast.manager, mailbox, "ny@a.no")
    replaced = first
    invite(client, cast.manager, mailbox, "ny@a.no")  # sent again: the first stops
    withdrawn = invite(client, cast.manager, mailbox, "borte@a.no")
    invitation = db.exec(select(Invitation).where(Invitation.email == "borte@a.no")).one()
    token = csrf_of(client)
    path = f"/kommune/invitasjoner/{invitation.id}/trekk-tilbake"
    assert client.post(path, data={"csrf_token": token}).status_code == 303
    expired = invite(client, cast.manager, mailbox, "sen@a.no")
    invitation = db.exec(select(Invitation).where(Invitation.email == "sen@a.no")).one()
    invitation.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.add(invitation)
    db.commit()
    unknown = "/invitasjon/" + "x" * 43
    return {"replaced": replaced, "withdrawn": withdrawn, "expired": expired, "unknown": unknown}


def test_an_ended_link_gets_one_calm_page_whatever_ended_it(client, cast, db, mailbox):
    links = ended_links(client, cast, db, mailbox)
    shown = {}
    for why, path in links.items():
        client.cookies.clear()
        response = client.get(path)
        assert response.status_code == 404, why
        page = page_of(response)
        assert_calm(page)
        assert page.select_one("h1").get_text() == "Invitasjonen gjelder ikke lenger"
        main = page.select_one("main").get_text(" ", strip=True)
        assert "bruker du lenken i den" in main  # the newest mail
        assert "be den som inviterte deg" in main  # or ask
        assert page.select_one("#to-login")["href"] == "/logg-inn"
        shown[why] = re.sub(r"\s+", " ", main)
    # The same words for every reason: a link says nothing about an address to its holder.
    assert len(set(shown.values())) == 1


def test_sending_the_form_with_an_ended_link_gets_the_same_page(client, cast, db, mailbox):
    links = ended_links(client, cast, db, mailbox)
    client.cookies.clear()
    form = {"password": NEW_PASSWORD, "csrf_token": csrf_of(client)}
    for why, path in links.items():
        response = client.post(path, data=form)
        assert response.status_code == 404, why
        page = page_of(response)
        assert_calm(page)
        assert page.select_one("h1").get_text() == "Invitasjonen gjelder ikke lenger"


def test_logged_in_an_ended_link_points_to_the_start_page(client, cast, db, mailbox):
    links = ended_links(client, cast, db, mailbox)
    login(client, cast.staff)
    page = page_of(client.get(links["replaced"]))
    assert page.select_one("h1").get_text() == "Invitasjonen gjelder ikke lenger"
    assert page.select_one("#to-login") is None
    assert page.select_one('main a[href="/"]') is not None


def test_an_ended_link_says_nothing_of_an_account_made_since(client, cast, db, mailbox):
    """A replaced link whose newer one was accepted, and an expired one whose address got an
    account later: whoever holds the old mail learns neither the account nor the address."""
    replaced = invite(client, cast.manager, mailbox, "ny@a.no")
    newer = invite(client, cast.manager, mailbox, "ny@a.no")
    late = invite(client, cast.manager, mailbox, "sen@a.no")
    invitation = db.exec(select(Invitation).where(Invitation.email == "sen@a.no")).one()
    invitation.expires_at = datetime.now(UTC) - timedelta(days=400)
    db.add(invitation)
    db.commit()
    client.cookies.clear()
    accept(client, newer)
    make_user(db, "sen@a.no", Role.STAFF, cast.a)
    for path in (replaced, late):
        client.cookies.clear()
        response = client.get(path)
        assert response.status_code == 404
        page = page_of(response)
        assert page.select_one("h1").get_text() == "Invitasjonen gjelder ikke lenger"
        assert "ny@a.no" not in response.text
        assert "sen@a.no" not in response.text
        assert "Du har allerede en konto" not in response.text
