"""Someone invited on /kommune who has not registered yet, asked to answer a new round.

A leader invited Ola on /kommune and then started a round: Ola was not on the form, so she
typed his address under «Inviter nye personer», which sent him a new invitation and ended the
link in the first one. Now the form lists him, and asking him, ticked or typed, keeps the
invitation he has: he is mailed about the round and pointed to it.
"""

import re

import pytest
from bs4 import BeautifulSoup
from sqlmodel import func, select

from app.accounts.models import Invitation, Role, User
from app.mail import MailError
from app.rounds.models import Round, RoundInvitee, RoundRespondent
from tests.conftest import csrf_of, login
from tests.factories import close_round, make_user
from tests.http.test_invitations import NEW_PASSWORD, link_in

OLA = "ola@a.no"


@pytest.fixture(autouse=True)
def no_open_round(cast, db):
    """The cast's open round is closed, so its staff may be chosen for the new one."""
    close_round(db, cast.round_a)


@pytest.fixture
def ola_invited(client, cast, mailbox) -> str:
    """Ola invited on /kommune by the manager (logged in afterwards); his invitation's link."""
    token = login(client, cast.manager)
    response = client.post("/kommune/inviter", data={"email": OLA, "csrf_token": token})
    assert response.status_code == 303
    [mail] = mailbox
    mailbox.clear()
    return link_in(mail, "invitasjon")


def create(client, **fields):
    data = {"name": "Vår 2028", "csrf_token": csrf_of(client), **fields}
    return client.post("/runder", data=data)


def the_round(db, name: str = "Vår 2028") -> Round:
    return db.exec(select(Round).where(Round.name == name)).one()


def waiting(db, rnd: Round) -> list[str]:
    return list(db.exec(select(RoundInvitee.email).where(RoundInvitee.round_id == rnd.id)))


def flash(client, response) -> str:
    page = BeautifulSoup(client.get(response.headers["location"]).text, "html.parser")
    return page.select_one("main > .ds-alert[role=status]").get_text(" ", strip=True)


def test_the_form_lists_someone_invited_and_not_registered_ticked(client, cast, ola_invited):
    page = BeautifulSoup(client.get("/runder").text, "html.parser")
    box = page.select_one(f"input[name=invited][value='{OLA}']")
    assert box.has_attr("checked")  # asked by default, as the staff are
    label = page.select_one(f"label[for='{box['id']}']").get_text(strip=True)
    assert label == OLA
    described = page.find(id=box["aria-describedby"].split()[0]).get_text()
    assert "Invitert, ikke registrert ennå" in described


def test_someone_ticked_keeps_their_invitation_and_is_mailed_about_the_round(
    client, cast, db, mailbox, ola_invited
):
    response = create(client, respondents=[str(cast.staff.id)], invited=[OLA])
    assert response.status_code == 303
    assert flash(client, response) == (
        "Runden er opprettet. 1 person hadde allerede en invitasjon og er lagt til runden; "
        "lenken i invitasjonen virker fortsatt."
    )
    rnd = the_round(db)
    assert waiting(db, rnd) == [OLA]
    assert db.exec(select(func.count()).select_from(Invitation)).one() == 1
    [told] = [m for m in mailbox if m.to == OLA]
    assert told.subject == "Ny runde i Gode grep: Vår 2028"
    assert "Du fikk en invitasjon til Gode grep på e-post" in told.body
    assert "/invitasjon/" not in told.body  # only its hash is stored: no link to send again
    assert cast.manager.email in told.body  # who asks, and who can send it again
    assert re.search(r"Lenken virker til \d\d\.\d\d\.\d{4} kl\. \d\d:\d\d\.", told.body)

    # The link he was sent first still works, and brings him into the round.
    client.cookies.clear()
    assert client.get(ola_invited).status_code == 200
    accepted = client.post(
        ola_invited, data={"password": NEW_PASSWORD, "csrf_token": csrf_of(client)}
    )
    assert accepted.status_code == 303
    ola = db.exec(select(User).where(User.email == OLA)).one()
    joined = select(RoundRespondent.user_id).where(RoundRespondent.round_id == rnd.id)
    assert ola.id in set(db.exec(joined))


def test_typing_the_address_of_someone_invited_does_not_replace_their_invitation(
    client, cast, db, mailbox, ola_invited
):
    # The walk: the leader, not finding Ola on the form, typed him among three new people.
    typed = "ny1@a.no\nny2@a.no\nny3@a.no\nOla@A.no"
    response = create(client, respondents=[str(cast.staff.id)], new_people=typed)
    assert response.status_code == 303
    said = flash(client, response)
    assert "invitasjonen er sendt til 3 nye personer." in said
    assert "1 person hadde allerede en invitasjon og er lagt til runden" in said
    assert sorted(waiting(db, the_round(db))) == ["ny1@a.no", "ny2@a.no", "ny3@a.no", OLA]
    olas = db.exec(select(Invitation).where(Invitation.email == OLA)).all()
    assert len(olas) == 1
    assert [m for m in mailbox if m.to == OLA and "/invitasjon/" in m.body] == []
    client.cookies.clear()
    assert client.get(ola_invited).status_code == 200  # not «Lenken er brukt, utløpt …»


def test_the_new_round_page_counts_them_as_holding_an_invitation(
    client, cast, db, mailbox, ola_invited
):
    response = create(client, respondents=[str(cast.staff.id)], invited=[OLA])
    page = client.get(response.headers["location"]).text
    assert OLA in page
    assert "har ingen gyldig invitasjon" not in page  # nothing for the manager to send again


def test_someone_waiting_in_another_open_round_is_not_ticked_nor_taken(
    client, cast, db, mailbox, ola_invited
):
    assert create(client, name="Første", invited=[OLA]).status_code == 303
    page = BeautifulSoup(client.get("/runder").text, "html.parser")
    box = page.select_one(f"input[name=invited][value='{OLA}']")
    assert not box.has_attr("checked")
    assert "Med i den åpne runden «Første»" in page.get_text()
    for fields, field in (
        ({"invited": [OLA]}, "#round-respondents"),
        ({"new_people": OLA}, "#round-new-people"),
    ):
        refused = create(client, name="Andre", respondents=[str(cast.staff.id)], **fields)
        assert refused.status_code == 422
        summary = BeautifulSoup(refused.text, "html.parser").select_one("#error-summary")
        assert "er allerede med i en annen åpen runde" in summary.get_text()
        assert summary.find("a")["href"] == field
    assert db.exec(select(Round).where(Round.name == "Andre")).first() is None


def test_a_refused_form_keeps_who_was_ticked(client, cast, db, mailbox, ola_invited):
    refused = create(client, name=" ", invited=[OLA])
    assert refused.status_code == 422
    page = BeautifulSoup(refused.text, "html.parser")
    assert page.select_one(f"input[name=invited][value='{OLA}']").has_attr("checked")
    refused = create(client, name=" ", respondents=[str(cast.staff.id)])
    page = BeautifulSoup(refused.text, "html.parser")
    assert not page.select_one(f"input[name=invited][value='{OLA}']").has_attr("checked")


def test_when_the_mail_about_the_round_fails_they_still_join_with_their_invitation(
    client, cast, db, mailbox, ola_invited, monkeypatch
):
    def refuse(to, subject, body):
        raise MailError("server down")

    monkeypatch.setattr("app.rounds.invitees.send_mail", refuse)
    response = create(client, respondents=[str(cast.staff.id)], invited=[OLA])
    assert response.status_code == 303
    said = flash(client, response)
    assert f"E-posten om runden kunne ikke sendes til {OLA}" in said
    assert "1 person hadde allerede en invitasjon" in said
    assert waiting(db, the_round(db)) == [OLA]
    client.cookies.clear()
    assert client.get(ola_invited).status_code == 200


def test_someone_ticked_who_registered_meanwhile_is_simply_chosen(
    client, cast, db, mailbox, ola_invited
):
    assert OLA in client.get("/runder").text  # the form is read; then Ola makes his account
    client.cookies.clear()
    client.get(ola_invited)
    client.post(ola_invited, data={"password": NEW_PASSWORD, "csrf_token": csrf_of(client)})
    ola = db.exec(select(User).where(User.email == OLA)).one()
    login(client, cast.manager)
    response = create(client, invited=[OLA])
    assert response.status_code == 303
    rnd = the_round(db)
    assert waiting(db, rnd) == []
    joined = select(RoundRespondent.user_id).where(RoundRespondent.round_id == rnd.id)
    assert set(db.exec(joined)) == {ola.id}
    assert flash(client, response) == "Runden er opprettet."


def test_only_open_invitations_can_be_ticked(client, cast, db, mailbox, ola_invited):
    """The list's boxes carry addresses: one not on the list (made up, or whose invitation
    ended since the page was shown) is refused, and nobody is invited or mailed."""
    made_up = [f"person{i}@example.org" for i in range(60)]
    response = create(client, respondents=[str(cast.staff.id)], invited=[OLA, *made_up])
    assert response.status_code == 422
    assert "har ikke lenger en åpen invitasjon" in response.text
    assert (
        db.exec(select(func.count()).select_from(Round).where(Round.name == "Vår 2028")).one() == 0
    )
    assert db.exec(select(func.count()).select_from(Invitation)).one() == 1  # Ola's alone
    assert mailbox == []


def test_a_refusal_about_someone_ticked_points_at_the_list(client, cast, db, mailbox, ola_invited):
    make_user(db, OLA, Role.STAFF, cast.b)  # has an account elsewhere since the page was shown
    response = create(client, respondents=[str(cast.staff.id)], invited=[OLA])
    assert response.status_code == 422
    link = BeautifulSoup(response.text, "html.parser").select_one("#error-message a")
    assert link["href"] == "#round-respondents"  # ticked there, not typed below
    assert OLA in link.get_text()
