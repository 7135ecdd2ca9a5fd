"""A manager sends an open invitation again, or withdraws it, from /kommune; an administrator
any municipality's, from /admin/kommuner/{id}, and those to no municipality from /admin/inviter."""

from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import text
from sqlmodel import select

from app.accounts.models import Invitation, User
from app.accounts.pending import _end
from app.audit import AuditEvent
from app.rounds.models import Round
from app.settings import get_settings
from tests.conftest import csrf_of, login
from tests.factories import close_round
from tests.http.test_invitations import NEW_PASSWORD, link_in
from tests.http.test_round_invitees import create, respondent_ids


def open_invitation(db, email: str) -> Invitation:
    query = select(Invitation).where(Invitation.email == email).order_by(Invitation.id.desc())
    return db.exec(query).first()


def act(client, token, invitation_id, action: str):
    path = f"/kommune/invitasjoner/{invitation_id}/{action}"
    return client.post(path, data={"csrf_token": token})


def flash_after(client, response) -> str:
    assert response.status_code == 303, response.text
    page = BeautifulSoup(client.get(response.headers["location"]).text, "html.parser")
    return page.select_one(".ds-alert").get_text(" ", strip=True)


def pending_row(client, email: str):
    page = BeautifulSoup(client.get("/kommune").text, "html.parser")
    return next((li for li in page.select(".pending-list li") if email in li.get_text()), None)


def only_the_new_link_makes(client, db, mailbox, email: str) -> tuple[str, int | None]:
    """Of the two mails' links, the first no longer opens and the second makes the account:
    the role and municipality it was made with."""
    old_link, new_link = (link_in(m, "invitasjon") for m in mailbox)
    assert opens(client, old_link) == 404
    assert opens(client, new_link) == 200
    form = {"password": NEW_PASSWORD, "csrf_token": csrf_of(client)}
    assert client.post(new_link, data=form).status_code == 303
    user = db.exec(select(User).where(User.email == email)).one()
    return user.role, user.municipality_id


def opens(client, path: str) -> int:
    """The status of an invitation link opened by someone logged out."""
    client.cookies.clear()
    return client.get(path).status_code


def events(db, name: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.event == name)))


def test_a_resent_invitation_works_and_the_old_link_does_not(client, cast, db, mailbox):
    token = login(client, cast.manager)
    client.post("/kommune/inviter", data={"email": "ny@a.no", "csrf_token": token})
    old = open_invitation(db, "ny@a.no")
    old.expires_at = datetime.now(UTC) + timedelta(days=1)  # about to run out
    db.add(old)
    db.commit()
    row = pending_row(client, "ny@a.no")
    assert [b.get_text(" ", strip=True) for b in row.select("button")] == [
        "Send på nytt – ny@a.no",
        "Trekk tilbake – ny@a.no",
    ]

    response = act(client, token, old.id, "send-pa-nytt")
    assert "sendt på nytt til ny@a.no" in flash_after(client, response)
    assert [m.to for m in mailbox] == ["ny@a.no", "ny@a.no"]
    new = open_invitation(db, "ny@a.no")
    assert new.id != old.id
    assert new.expires_at.replace(tzinfo=UTC) > datetime.now(UTC) + timedelta(days=13)
    assert "gyldig til" in pending_row(client, "ny@a.no").get_text()
    [resent] = events(db, "invitation_resent")
    assert (resent.target, resent.actor_id, resent.municipality_id) == (
        "ny@a.no",
        cast.manager.id,
        cast.a.id,
    )

    old_link, new_link = (link_in(m, "invitasjon") for m in mailbox)
    assert opens(client, old_link) == 404
    assert opens(client, new_link) == 200
    form = {"password": NEW_PASSWORD, "csrf_token": csrf_of(client)}
    assert client.post(old_link, data=form).status_code == 404
    assert client.post(new_link, data=form).status_code == 303
    assert db.exec(select(User).where(User.email == "ny@a.no")).one().municipality_id == cast.a.id


def test_a_resent_invitation_keeps_the_person_on_the_round(client, cast, db, mailbox):
    close_round(db, cast.round_a)  # its staff are then free to be chosen
    token = login(client, cast.manager)
    response = create(client, token, respondents=[str(cast.staff.id)], new_people="ny@a.no")
    round_page = response.headers["location"]
    assert "2 invitert" in client.get(round_page).text
    invitation = open_invitation(db, "ny@a.no")

    assert act(client, token, invitation.id, "send-pa-nytt").status_code == 303
    resent = [m for m in mailbox if m.to == "ny@a.no"][-1]
    assert "Vår 2028" in resent.subject  # it still names the round
    page = client.get(round_page).text
    assert "2 invitert" in page
    assert "ny@a.no" in page
    assert "har ingen gyldig invitasjon" not in page

    path = link_in(resent, "invitasjon")
    client.cookies.clear()
    client.get(path)
    client.post(path, data={"password": NEW_PASSWORD, "csrf_token": csrf_of(client)})
    user = db.exec(select(User).where(User.email == "ny@a.no")).one()
    rnd = db.exec(select(Round).where(Round.name == "Vår 2028")).one()
    assert respondent_ids(db, rnd) == {cast.staff.id, user.id}


def test_a_withdrawn_invitation_no_longer_works_nor_counts_on_the_round(client, cast, db, mailbox):
    close_round(db, cast.round_a)  # its staff are then free to be chosen
    token = login(client, cast.manager)
    response = create(client, token, respondents=[str(cast.staff.id)], new_people="ny@a.no")
    round_page = response.headers["location"]
    invitation = open_invitation(db, "ny@a.no")
    link = link_in(next(m for m in mailbox if m.to == "ny@a.no"), "invitasjon")

    withdrawn = act(client, token, invitation.id, "trekk-tilbake")
    said = flash_after(client, withdrawn)
    assert "Invitasjonen til ny@a.no er trukket tilbake" in said
    assert "blir heller ikke lenger bedt om å svare på 1 åpen runde" in said
    assert pending_row(client, "ny@a.no") is None
    page = client.get(round_page).text
    assert "1 invitert" in page
    assert "ny@a.no" not in page  # neither pending nor «without a valid invitation»
    [event] = events(db, "invitation_withdrawn")
    assert (event.target, event.actor_id) == ("ny@a.no", cast.manager.id)
    assert '"rounds": "' in event.detail
    assert opens(client, link) == 404


def test_another_municipalitys_manager_finds_no_such_invitation(client, cast, db, mailbox):
    token = login(client, cast.manager)
    client.post("/kommune/inviter", data={"email": "ny@a.no", "csrf_token": token})
    invitation = open_invitation(db, "ny@a.no")
    token = login(client, cast.other_manager)
    for action in ("send-pa-nytt", "trekk-tilbake"):
        assert act(client, token, invitation.id, action).status_code == 404
    assert act(client, token, 2_000_000_000, "trekk-tilbake").status_code == 404
    token = login(client, cast.staff)
    assert act(client, token, invitation.id, "trekk-tilbake").status_code == 403
    assert len(mailbox) == 1
    assert open_invitation(db, "ny@a.no").id == invitation.id
    assert opens(client, link_in(mailbox[0], "invitasjon")) == 200


def test_an_administrators_invitation_to_manager_is_not_the_managers(client, cast, db, mailbox):
    token = login(client, cast.admin)
    data = {"email": "sjef@a.no", "role": "manager", "csrf_token": token}
    assert client.post(f"/admin/kommuner/{cast.a.id}/inviter", data=data).status_code == 303
    invitation = open_invitation(db, "sjef@a.no")
    token = login(client, cast.manager)
    row = pending_row(client, "sjef@a.no")
    assert row.select("button") == []
    assert "Leder" in row.get_text()
    assert "bare en administrator kan sende den på nytt eller trekke den tilbake" in row.get_text()
    for action in ("send-pa-nytt", "trekk-tilbake"):
        refused = act(client, token, invitation.id, action)
        assert refused.status_code == 409
        assert "Invitasjonen som leder er fra en administrator" in refused.text
    assert len(mailbox) == 1
    assert opens(client, link_in(mailbox[0], "invitasjon")) == 200


def test_double_submits_are_harmless(client, cast, db, mailbox):
    token = login(client, cast.manager)
    client.post("/kommune/inviter", data={"email": "ny@a.no", "csrf_token": token})
    first = open_invitation(db, "ny@a.no")
    assert act(client, token, first.id, "send-pa-nytt").status_code == 303
    again = act(client, token, first.id, "send-pa-nytt")
    assert "er alt sendt på nytt" in flash_after(client, again)
    assert len(mailbox) == 2  # the invitation and one resend, not two
    newest_link = link_in(mailbox[-1], "invitasjon")

    second = open_invitation(db, "ny@a.no")
    assert act(client, token, second.id, "trekk-tilbake").status_code == 303
    again = act(client, token, second.id, "trekk-tilbake")
    assert "gjelder ikke lenger" in flash_after(client, again)
    assert len(events(db, "invitation_withdrawn")) == 1
    assert act(client, token, first.id, "send-pa-nytt").status_code == 303  # an old page
    assert len(mailbox) == 2
    assert opens(client, newest_link) == 404


def test_of_two_requests_only_one_ends_an_invitation_whatever_their_clocks(
    client, cast, db, mailbox
):
    """Two clicks at once: the first ends the invitation with its clock a moment ahead of the
    second's. The second, which read the invitation before that, must not end it again (and
    send a second mail)."""
    token = login(client, cast.manager)
    client.post("/kommune/inviter", data={"email": "ny@a.no", "csrf_token": token})
    invitation = open_invitation(db, "ny@a.no")  # as the second request read it
    ahead = datetime.now(UTC) + timedelta(seconds=1)  # the first request's clock
    db.connection().execute(
        text("UPDATE invitation SET expires_at = :at WHERE id = :id"),
        {"at": ahead.replace(tzinfo=None), "id": invitation.id},
    )
    assert _end(db, invitation) is False


def refused_at(response, invitation) -> str:
    """The reason a refused resend gives beside the invitation (409)."""
    assert response.status_code == 409
    page = BeautifulSoup(response.text, "html.parser")
    return page.select_one(f"#invitation-{invitation.id} #resend-alert").get_text()


def test_a_resend_the_mail_server_refuses_keeps_the_old_link(
    client, cast, db, mailbox, monkeypatch
):
    token = login(client, cast.manager)
    client.post("/kommune/inviter", data={"email": "ny@a.no", "csrf_token": token})
    invitation = open_invitation(db, "ny@a.no")
    monkeypatch.setattr(get_settings(), "smtp_port", 1)  # nothing listens there
    refused = act(client, token, invitation.id, "send-pa-nytt")
    assert "kunne ikke sendes" in refused_at(refused, invitation)
    assert open_invitation(db, "ny@a.no").id == invitation.id
    assert events(db, "invitation_resent") == []
    assert opens(client, link_in(mailbox[0], "invitasjon")) == 200


def admin_invites(client, token, municipality, email: str, role: str = "manager") -> None:
    data = {"email": email, "role": role, "csrf_token": token}
    assert client.post(f"/admin/kommuner/{municipality.id}/inviter", data=data).status_code == 303


def admin_act(client, token, invitation_id, action: str):
    path = f"/admin/invitasjoner/{invitation_id}/{action}"
    return client.post(path, data={"csrf_token": token})


def admin_row(client, municipality, email: str):
    page = BeautifulSoup(client.get(f"/admin/kommuner/{municipality.id}").text, "html.parser")
    return next((li for li in page.select(".pending-list li") if email in li.get_text()), None)


def test_an_administrator_withdraws_an_invitation_to_a_wrong_address(client, cast, db, mailbox):
    token = login(client, cast.admin)
    admin_invites(client, token, cast.a, "feil@a.no")
    invitation = open_invitation(db, "feil@a.no")
    row = admin_row(client, cast.a, "feil@a.no")
    assert [b.get_text(" ", strip=True) for b in row.select("button")] == [
        "Send på nytt – feil@a.no",
        "Trekk tilbake – feil@a.no",
    ]

    withdrawn = admin_act(client, token, invitation.id, "trekk-tilbake")
    assert withdrawn.headers["location"] == f"/admin/kommuner/{cast.a.id}"
    said = flash_after(client, withdrawn)
    assert "Invitasjonen til feil@a.no er trukket tilbake" in said
    assert admin_row(client, cast.a, "feil@a.no") is None
    [event] = events(db, "invitation_withdrawn")
    assert (event.target, event.actor_id, event.municipality_id) == (
        "feil@a.no",
        cast.admin.id,
        cast.a.id,
    )
    again = admin_act(client, token, invitation.id, "trekk-tilbake")
    assert "gjelder ikke lenger" in flash_after(client, again)
    assert opens(client, link_in(mailbox[0], "invitasjon")) == 404


def test_an_administrator_sends_an_invitation_again(client, cast, db, mailbox):
    token = login(client, cast.admin)
    admin_invites(client, token, cast.b, "sjef@b.no")  # another municipality than the manager's
    old = open_invitation(db, "sjef@b.no")

    response = admin_act(client, token, old.id, "send-pa-nytt")
    assert response.headers["location"] == f"/admin/kommuner/{cast.b.id}"
    assert "sendt på nytt til sjef@b.no" in flash_after(client, response)
    [resent] = events(db, "invitation_resent")
    assert (resent.actor_id, resent.municipality_id) == (cast.admin.id, cast.b.id)
    new = open_invitation(db, "sjef@b.no")
    assert (new.id != old.id, new.role, new.municipality_id) == (True, "manager", cast.b.id)
    assert only_the_new_link_makes(client, db, mailbox, "sjef@b.no") == ("manager", cast.b.id)


def test_a_manager_cannot_use_the_administrators_actions(client, cast, db, mailbox):
    token = login(client, cast.manager)
    client.post("/kommune/inviter", data={"email": "ny@a.no", "csrf_token": token})
    own = open_invitation(db, "ny@a.no")
    token = login(client, cast.admin)
    admin_invites(client, token, cast.b, "ny@b.no", role="staff")
    other = open_invitation(db, "ny@b.no")
    token = login(client, cast.manager)
    for invitation in (own, other):
        for action in ("send-pa-nytt", "trekk-tilbake"):
            assert admin_act(client, token, invitation.id, action).status_code == 403
    # on the manager's own routes another municipality's invitation does not exist
    assert act(client, token, other.id, "trekk-tilbake").status_code == 404
    assert len(mailbox) == 2
    assert events(db, "invitation_withdrawn") == []
    assert opens(client, link_in(mailbox[1], "invitasjon")) == 200


def admin_invites_to_no_municipality(client, token, email: str, role: str) -> None:
    data = {"email": email, "role": role, "csrf_token": token}
    assert client.post("/admin/inviter", data=data).status_code == 303


def unplaced_row(client, email: str):
    page = BeautifulSoup(client.get("/admin/inviter").text, "html.parser")
    return next((li for li in page.select(".pending-list li") if email in li.get_text()), None)


def test_an_administrator_withdraws_an_invitation_as_administrator(client, cast, db, mailbox):
    token = login(client, cast.admin)
    admin_invites_to_no_municipality(client, token, "feil@ks.no", "admin")
    invitation = open_invitation(db, "feil@ks.no")
    row = unplaced_row(client, "feil@ks.no")
    assert "feil@ks.no – Administrator, gyldig til" in row.get_text(" ", strip=True)
    assert [b.get_text(" ", strip=True) for b in row.select("button")] == [
        "Send på nytt – feil@ks.no",
        "Trekk tilbake – feil@ks.no",
    ]

    withdrawn = admin_act(client, token, invitation.id, "trekk-tilbake")
    assert withdrawn.headers["location"] == "/admin/inviter"
    assert "Invitasjonen til feil@ks.no er trukket tilbake" in flash_after(client, withdrawn)
    assert unplaced_row(client, "feil@ks.no") is None
    [event] = events(db, "invitation_withdrawn")
    assert (event.target, event.actor_id, event.municipality_id) == (
        "feil@ks.no",
        cast.admin.id,
        None,
    )
    again = admin_act(client, token, invitation.id, "trekk-tilbake")
    assert "gjelder ikke lenger" in flash_after(client, again)
    assert opens(client, link_in(mailbox[0], "invitasjon")) == 404


def test_an_administrator_sends_an_invitation_as_ks_adviser_again(client, cast, db, mailbox):
    token = login(client, cast.admin)
    admin_invites_to_no_municipality(client, token, "ny-radgiver@ks.no", "ks_adviser")
    old = open_invitation(db, "ny-radgiver@ks.no")

    response = admin_act(client, token, old.id, "send-pa-nytt")
    assert response.headers["location"] == "/admin/inviter"
    assert "sendt på nytt til ny-radgiver@ks.no" in flash_after(client, response)
    [resent] = events(db, "invitation_resent")
    assert (resent.actor_id, resent.municipality_id) == (cast.admin.id, None)
    new = open_invitation(db, "ny-radgiver@ks.no")
    assert (new.id != old.id, new.role, new.municipality_id) == (True, "ks_adviser", None)
    assert unplaced_row(client, "ny-radgiver@ks.no")["id"] == f"invitation-{new.id}"
    assert only_the_new_link_makes(client, db, mailbox, "ny-radgiver@ks.no") == ("ks_adviser", None)


def test_a_manager_finds_no_invitation_to_no_municipality(client, cast, db, mailbox):
    token = login(client, cast.admin)
    admin_invites_to_no_municipality(client, token, "ny-admin@ks.no", "admin")
    admin_invites_to_no_municipality(client, token, "ny-radgiver@ks.no", "ks_adviser")
    invited = [open_invitation(db, e) for e in ("ny-admin@ks.no", "ny-radgiver@ks.no")]
    token = login(client, cast.manager)
    for invitation in invited:
        for action in ("send-pa-nytt", "trekk-tilbake"):
            assert admin_act(client, token, invitation.id, action).status_code == 403
            assert act(client, token, invitation.id, action).status_code == 404
    assert len(mailbox) == 2
    assert events(db, "invitation_withdrawn") == events(db, "invitation_resent") == []
    assert opens(client, link_in(mailbox[0], "invitasjon")) == 200
    assert opens(client, link_in(mailbox[1], "invitasjon")) == 200


def test_an_administrators_resend_to_no_municipality_the_mail_server_refuses(
    client, cast, db, mailbox, monkeypatch
):
    token = login(client, cast.admin)
    admin_invites_to_no_municipality(client, token, "ny-radgiver@ks.no", "ks_adviser")
    invitation = open_invitation(db, "ny-radgiver@ks.no")
    monkeypatch.setattr(get_settings(), "smtp_port", 1)  # nothing listens there
    refused = admin_act(client, token, invitation.id, "send-pa-nytt")
    assert "kunne ikke sendes" in refused_at(refused, invitation)
    assert opens(client, link_in(mailbox[0], "invitasjon")) == 200


def test_no_such_invitation_is_not_found(client, cast, db, mailbox):
    token = login(client, cast.admin)
    for action in ("send-pa-nytt", "trekk-tilbake"):
        assert admin_act(client, token, 999999, action).status_code == 404


def test_an_administrators_resend_the_mail_server_refuses_is_said_at_the_invitation(
    client, cast, db, mailbox, monkeypatch
):
    token = login(client, cast.admin)
    admin_invites(client, token, cast.b, "sjef@b.no")
    invitation = open_invitation(db, "sjef@b.no")
    monkeypatch.setattr(get_settings(), "smtp_port", 1)  # nothing listens there
    refused = admin_act(client, token, invitation.id, "send-pa-nytt")
    assert refused.status_code == 409
    page = BeautifulSoup(refused.text, "html.parser")
    assert "Kommune B" in page.select_one("h1").get_text()
    alert = page.select_one(f"#invitation-{invitation.id} #resend-alert")
    assert "kunne ikke sendes" in alert.get_text()
    assert opens(client, link_in(mailbox[0], "invitasjon")) == 200
