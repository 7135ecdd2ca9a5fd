"""A manager invites new people in the same step as creating a round (issue #7)."""

import re

import pytest
from bs4 import BeautifulSoup
from sqlmodel import col, func, select

from app.accounts.models import Invitation, Role, User
from app.audit import AuditEvent
from app.content.service import guidance_for
from app.jobs import run_due_work
from app.mail import MailError, send_mail
from app.results.models import RoundSnapshot
from app.rounds.models import Answer, Round, RoundInvitee, RoundRespondent
from tests.conftest import csrf_of, login
from tests.factories import close_round, make_user
from tests.http.test_invitations import NEW_PASSWORD, link_in


@pytest.fixture(autouse=True)
def no_open_round(cast, db):
    """The cast's open round is closed, so its staff may be chosen for the new one."""
    close_round(db, cast.round_a)


def create(client, token, **fields):
    data = {"name": "Vår 2028", "csrf_token": token, **fields}
    return client.post("/runder", data=data)


def respondent_ids(db, rnd) -> set[int]:
    query = select(RoundRespondent.user_id).where(RoundRespondent.round_id == rnd.id)
    return set(db.exec(query))


def nothing_created(db) -> bool:
    """No round by the test's name, no new user, invitation, pending invitee or mail."""
    return (
        db.exec(select(Round).where(Round.name == "Vår 2028")).first() is None
        and db.exec(select(func.count()).select_from(Invitation)).one() == 0
        and db.exec(select(func.count()).select_from(RoundInvitee)).one() == 0
        and db.exec(select(User).where(col(User.email).startswith("ny"))).first() is None
    )


def test_a_new_person_is_invited_joins_the_round_on_accepting_and_can_answer(
    client, cast, db, mailbox
):
    token = login(client, cast.manager)
    response = create(
        client, token, respondents=[str(cast.staff.id)], new_people="Ny.Person@A.no\n"
    )
    assert response.status_code == 303
    rnd = db.exec(select(Round).where(Round.name == "Vår 2028")).one()
    page = client.get(response.headers["location"]).text
    assert "invitasjonen er sendt til 1 ny person" in page
    assert "ny.person@a.no" in page  # listed for everyone, as not yet accepted
    assert "har ikke tatt imot invitasjonen ennå" in page

    invitation_mail = [m for m in mailbox if m.to == "ny.person@a.no"]
    assert len(invitation_mail) == 1  # the invitation only: no round-opened mail without account
    assert "Vår 2028" in invitation_mail[0].subject
    assert "Vår 2028" in invitation_mail[0].body
    assert "velg et passord" in invitation_mail[0].body
    assert [m.to for m in mailbox if m.to != "ny.person@a.no"] == [cast.staff.email]
    sent = db.exec(select(AuditEvent).where(AuditEvent.event == "invitation_sent")).one()
    assert (sent.target, sent.municipality_id) == ("ny.person@a.no", cast.a.id)
    assert f'"round": "{rnd.id}"' in sent.detail

    # Accepting the invitation makes them a respondent, who can answer at once.
    client.cookies.clear()
    path = link_in(invitation_mail[0], "invitasjon")
    client.get(path)
    accepted = client.post(path, data={"password": NEW_PASSWORD, "csrf_token": csrf_of(client)})
    assert accepted.status_code == 303
    user = db.exec(select(User).where(User.email == "ny.person@a.no")).one()
    assert respondent_ids(db, rnd) == {cast.staff.id, user.id}
    assert db.exec(select(RoundInvitee)).all() == []
    area = guidance_for(db, rnd.content_version_id).areas[0]
    token = csrf_of(client)
    saved = client.post(
        f"/runder/{rnd.id}/omrade/{area.id}",
        data={f"a.{area.statements[0].id}": "3", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200
    assert db.exec(select(func.count()).select_from(Answer)).one() == 1
    # The jobs do not send the new respondent a separate round-opened mail afterwards.
    before = len(mailbox)
    run_due_work(db)
    assert [m for m in mailbox[before:] if m.to == user.email] == []


def test_an_address_of_own_staff_is_simply_chosen(client, cast, db, mailbox):
    token = login(client, cast.manager)
    typed = f"{cast.staff2.email.upper()}, {cast.staff3.email}"
    response = create(client, token, respondents=[str(cast.staff.id)], new_people=typed)
    assert response.status_code == 303
    rnd = db.exec(select(Round).where(Round.name == "Vår 2028")).one()
    assert respondent_ids(db, rnd) == {cast.staff.id, cast.staff2.id, cast.staff3.id}
    assert db.exec(select(func.count()).select_from(Invitation)).one() == 0
    assert sorted(m.to for m in mailbox) == sorted(
        [cast.staff.email, cast.staff2.email, cast.staff3.email]
    )  # the round-opened mail, sent after the response


def test_only_new_addresses_are_enough_to_start_a_round(client, cast, db, mailbox):
    token = login(client, cast.manager)
    response = create(client, token, new_people="ny1@a.no; ny2@a.no,\r\nny3@a.no ny1@a.no")
    assert response.status_code == 303
    rnd = db.exec(select(Round).where(Round.name == "Vår 2028")).one()
    assert respondent_ids(db, rnd) == set()
    pending = db.exec(select(RoundInvitee.email).where(RoundInvitee.round_id == rnd.id)).all()
    assert sorted(pending) == ["ny1@a.no", "ny2@a.no", "ny3@a.no"]
    assert sorted(m.to for m in mailbox) == ["ny1@a.no", "ny2@a.no", "ny3@a.no"]


def test_addresses_pasted_from_outlook_are_invited_and_only_the_addresses_kept(
    client, cast, db, mailbox
):
    token = login(client, cast.manager)
    typed = 'Amina Yusuf <ny.amina@a.no>; "Berg, Per" <ny.per@a.no>;\nny.lise@a.no'
    response = create(client, token, respondents=[str(cast.staff.id)], new_people=typed)
    assert response.status_code == 303
    assert (
        "invitasjonen er sendt til 3 nye personer" in client.get(response.headers["location"]).text
    )
    rnd = db.exec(select(Round).where(Round.name == "Vår 2028")).one()
    waiting = db.exec(select(RoundInvitee.email).where(RoundInvitee.round_id == rnd.id)).all()
    assert sorted(waiting) == ["ny.amina@a.no", "ny.lise@a.no", "ny.per@a.no"]
    invited = sorted(db.exec(select(Invitation.email)).all())
    assert invited == ["ny.amina@a.no", "ny.lise@a.no", "ny.per@a.no"]
    stored = " ".join(f"{e.target} {e.detail}" for e in db.exec(select(AuditEvent)))
    assert "Amina" not in stored
    assert "Berg" not in stored
    assert all("Amina" not in m.body for m in mailbox)


BAD = {
    "invalid": ("ny@a.no\nikke en adresse", "«ikke» er ikke en gyldig e-postadresse"),
    "a name without its address": (
        "Amina Yusuf; ny@a.no",
        "«Amina» er ikke en gyldig e-postadresse",
    ),
    "another municipality": ("ny@a.no, ansatt@b.no", "«ansatt@b.no» har allerede en konto"),
    "a KS adviser": ("radgiver@ks.no", "«radgiver@ks.no» har allerede en konto"),
    "too many": (
        "\n".join(f"ny{i}@a.no" for i in range(51)),
        "høyst 50 nye personer om gangen; du skrev 51 adresser",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_addresses_change_nothing_and_keep_what_was_typed(client, cast, db, mailbox, case):
    typed, message = BAD[case]
    token = login(client, cast.manager)
    mailbox.clear()
    response = create(
        client,
        token,
        participants="12",
        respondents=[str(cast.staff2.id)],
        new_people=typed,
    )
    assert response.status_code == 422
    soup = BeautifulSoup(response.text, "html.parser")
    summary = soup.find(id="error-summary")
    assert message in summary.get_text(" ", strip=True)
    assert summary.find("a")["href"] == "#round-new-people"
    field = soup.find(id="round-new-people")
    assert field.get_text() == typed
    assert field["aria-invalid"] == "true"
    assert soup.find(id="round-name")["value"] == "Vår 2028"
    assert soup.find(id="round-participants")["value"] == "12"
    assert soup.find(id=f"respondent-{cast.staff2.id}").has_attr("checked")
    assert not soup.find(id=f"respondent-{cast.staff.id}").has_attr("checked")
    assert nothing_created(db)
    assert mailbox == []


def test_a_bad_round_with_good_addresses_creates_nobody(client, cast, db, mailbox):
    token = login(client, cast.manager)
    response = create(client, token, deadline="2001-01-01", new_people="ny@a.no")
    assert response.status_code == 422
    assert "i dag eller senere" in response.text
    assert nothing_created(db)
    assert mailbox == []


def test_when_the_mail_server_fails_the_round_stands_and_the_page_says_who_to_invite_again(
    client, cast, db, mailbox, monkeypatch
):
    token = login(client, cast.manager)
    calls = []

    def refuse(to, subject, body):
        calls.append(to)
        raise MailError("server down")

    monkeypatch.setattr("app.accounts.invitations.send_mail", refuse)
    response = create(
        client, token, respondents=[str(cast.staff.id)], new_people="ny1@a.no\nny2@a.no"
    )
    assert response.status_code == 303
    assert calls == ["ny1@a.no"]  # after the first refusal the rest are not tried
    rnd = db.exec(select(Round).where(Round.name == "Vår 2028")).one()
    assert db.exec(select(func.count()).select_from(Invitation)).one() == 0  # none kept
    assert db.exec(select(AuditEvent).where(AuditEvent.event == "invitation_sent")).all() == []
    page = BeautifulSoup(client.get(response.headers["location"]).text, "html.parser")
    text = page.get_text(" ", strip=True)
    assert "kunne ikke sendes til ny1@a.no, ny2@a.no" in text  # the flash
    assert "har ingen gyldig invitasjon" in text
    assert page.find("a", href="/kommune", string="Til siden Kommunen")
    assert [m.to for m in mailbox] == [cast.staff.email]  # the round-opened mail still went

    # Sent again from /kommune (the mail server is back), the invitation brings them in.
    monkeypatch.setattr("app.accounts.invitations.send_mail", send_mail)
    assert (
        client.post("/kommune/inviter", data={"email": "ny2@a.no", "csrf_token": token}).status_code
        == 303
    )
    path = link_in([m for m in mailbox if m.to == "ny2@a.no"][0], "invitasjon")
    client.cookies.clear()
    client.get(path)
    client.post(path, data={"password": NEW_PASSWORD, "csrf_token": csrf_of(client)})
    user = db.exec(select(User).where(User.email == "ny2@a.no")).one()
    assert user.id in respondent_ids(db, rnd)
    login(client, cast.manager)
    text = client.get(f"/runder/{rnd.id}").text
    assert re.search(r"har ingen gyldig invitasjon[^<]*ny1@a\.no", text)
    assert not re.search(r"har ingen gyldig invitasjon[^<]*ny2@a\.no", text)


def test_a_round_opened_mail_that_fails_leaves_the_round_and_the_jobs_send_it(
    client, cast, db, mailbox, monkeypatch
):
    def refuse(to, subject, body):
        raise MailError("server down")

    monkeypatch.setattr("app.notices.service.send_mail", refuse)
    token = login(client, cast.manager)
    response = create(client, token, respondents=[str(cast.staff.id)])
    assert response.status_code == 303
    assert mailbox == []
    monkeypatch.setattr("app.notices.service.send_mail", send_mail)
    run_due_work(db)
    assert [m.to for m in mailbox if "Vår 2028" in m.subject] == [cast.staff.email]


def test_new_people_count_as_invited_until_and_after_they_accept(client, cast, db, mailbox):
    """The response rate a manager reports counts everyone asked, accepted or not, once."""
    token = login(client, cast.manager)
    new_people = "ny1@a.no, ny2@a.no"
    response = create(client, token, respondents=[str(cast.staff.id)], new_people=new_people)
    rnd = db.exec(select(Round).where(Round.name == "Vår 2028")).one()
    counted = "3 invitert: 0 har sendt inn, 0 holder på, og 3 har ikke begynt."
    assert counted in client.get(response.headers["location"]).text

    client.cookies.clear()
    path = link_in(next(m for m in mailbox if m.to == "ny1@a.no"), "invitasjon")
    client.get(path)
    client.post(path, data={"password": NEW_PASSWORD, "csrf_token": csrf_of(client)})
    assert len(respondent_ids(db, rnd)) == 2  # ny1 is a respondent now, ny2 still pending

    client.cookies.clear()
    token = login(client, cast.manager)
    assert counted in client.get(f"/runder/{rnd.id}").text
    assert client.post(f"/runder/{rnd.id}/lukk", data={"csrf_token": token}).status_code == 303
    assert db.exec(select(RoundSnapshot.invited).where(RoundSnapshot.round_id == rnd.id)).one() == 3


def test_someone_who_joins_another_municipality_no_longer_counts_as_pending(
    client, cast, db, mailbox
):
    # Invited here as new, they took another municipality's invitation first: they will
    # never join this round, so it stops counting them and the reminder stops naming them.
    token = login(client, cast.manager)
    response = create(client, token, respondents=[str(cast.staff.id)], new_people="ny@x.no")
    rnd = db.exec(select(Round).where(Round.name == "Vår 2028")).one()
    assert "2 invitert" in client.get(response.headers["location"]).text
    make_user(db, "ny@x.no", Role.STAFF, cast.b)
    page = client.get(f"/runder/{rnd.id}").text
    assert "1 invitert" in page
    assert "ny@x.no" not in page
    sent = client.post(f"/runder/{rnd.id}/paminnelse", data={"csrf_token": token})
    assert "tatt imot invitasjonen" not in client.get(sent.headers["location"]).text


def test_a_closed_round_keeps_counting_someone_who_accepts_afterwards(client, cast, db, mailbox):
    # Asked, did not answer before the close, joined the municipality later: still asked.
    token = login(client, cast.manager)
    response = create(client, token, respondents=[str(cast.staff.id)], new_people="sen@a.no")
    rnd = db.exec(select(Round).where(Round.name == "Vår 2028")).one()
    assert client.post(f"/runder/{rnd.id}/lukk", data={"csrf_token": token}).status_code == 303
    make_user(db, "sen@a.no", Role.STAFF, cast.a)
    assert "2 invitert: 0 sendte inn" in client.get(response.headers["location"]).text
