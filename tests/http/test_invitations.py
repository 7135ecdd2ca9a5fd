"""Invitations and password resets: single-use, expiring links, stored only as hashes."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.accounts.addresses import ONE_ADDRESS_CHARS
from app.accounts.models import Invitation, PasswordReset, Role, User
from app.audit import AuditEvent
from app.clock import OSLO, oslo_date
from app.mail import flush
from app.settings import get_settings
from tests.conftest import csrf_of, login
from tests.factories import PASSWORD, close_round, make_municipality

NEW_PASSWORD = "en lang setning som er lett å huske"


def link_in(mail, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/{path}/[A-Za-z0-9_-]+)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_a_manager_invites_staff_who_accepts(client, cast, db, mailbox):
    token = login(client, cast.manager)
    response = client.post(
        "/kommune/inviter", data={"email": "Ny.Ansatt@A.no", "csrf_token": token}
    )
    assert response.status_code == 303
    assert [m.to for m in mailbox] == ["ny.ansatt@a.no"]
    # Who invites, to what and where: the person can tell the mail is meant for them.
    assert f"Invitasjonen er sendt av {cast.manager.email}." in mailbox[0].body
    assert f"som ansatt i {cast.a.name}." in mailbox[0].body
    path = link_in(mailbox[0], "invitasjon")
    raw_token = path.rsplit("/", 1)[1]
    stored = db.exec(select(Invitation)).all()
    assert len(stored) == 1
    assert raw_token not in stored[0].token_hash  # only the hash is kept
    assert "ny.ansatt@a.no – gyldig til" in client.get("/kommune").text  # waiting
    client.cookies.clear()
    assert "ny.ansatt@a.no" in client.get(path).text
    token = csrf_of(client)
    accepted = client.post(path, data={"password": NEW_PASSWORD, "csrf_token": token})
    assert accepted.status_code == 303
    user = db.exec(select(User).where(User.email == "ny.ansatt@a.no")).one()
    assert (user.role, user.municipality_id) == (Role.STAFF, cast.a.id)
    assert "ny.ansatt@a.no" in client.get("/runder").text  # logged in at once
    login(client, cast.manager)
    assert "ny.ansatt@a.no – gyldig til" not in client.get("/kommune").text  # used


def test_the_invitation_mail_names_the_service_the_place_who_and_the_last_day(
    client, cast, db, mailbox, monkeypatch
):
    """A raw address «har invitert deg … (Tolga)» read like spam: the mail says what the
    service is, for which municipality, who sent it and until when the link works, and what
    to do with a mail one did not expect. The same when it is sent again."""
    tolga = make_municipality(db, number="3426", name="Tolga")
    token = login(client, cast.admin)
    data = {"email": "leder@tolga.no", "role": "manager", "csrf_token": token}
    assert client.post(f"/admin/kommuner/{tolga.id}/inviter", data=data).status_code == 303
    first = db.exec(select(Invitation)).one()
    last_days = [first.expires_at]  # before sending again ends it
    monkeypatch.setattr(get_settings(), "invitation_days", 3)
    path = f"/admin/invitasjoner/{first.id}/send-pa-nytt"
    assert client.post(path, data={"csrf_token": token}).status_code == 303
    again = db.exec(select(Invitation).where(Invitation.id != first.id)).one()
    last_days.append(again.expires_at)
    assert oslo_date(last_days[1]) < oslo_date(last_days[0])  # the real expiry
    for mail, last_day in zip(mailbox, last_days, strict=True):
        assert (
            "Du er invitert til Gode grep, KS' verktøy for egenvurdering av "
            "introduksjonsprogrammet, som leder i Tolga kommune." in mail.body
        )
        assert f"Invitasjonen er sendt av {cast.admin.email}." in mail.body
        # To the minute it stops, in Oslo time: «til 19.12.2026 kl. 14:05».
        ends = last_day.replace(tzinfo=last_day.tzinfo or UTC).astimezone(OSLO)
        assert f"Lenken virker én gang og til {ends:%d.%m.%Y} kl. {ends:%H:%M}:" in mail.body
        assert "Ventet du ikke denne e-posten, kan du se bort fra den." in mail.body


def test_a_round_invitation_mail_names_the_round_and_the_municipality(client, cast, db, mailbox):
    from tests.http.test_round_invitees import create

    close_round(db, cast.round_a)
    token = login(client, cast.manager)
    create(client, token, respondents=[str(cast.staff.id)], new_people="ny@a.no")
    [mail] = [m for m in mailbox if m.to == "ny@a.no"]
    assert f"som ansatt i {cast.a.name}, for å svare på «Vår 2028»." in mail.body
    assert f"Invitasjonen er sendt av {cast.manager.email}." in mail.body
    assert "Ventet du ikke denne e-posten" in mail.body


def test_an_invitation_works_once(client, cast, db, mailbox):
    token = login(client, cast.manager)
    client.post("/kommune/inviter", data={"email": "en@a.no", "csrf_token": token})
    path = link_in(mailbox[0], "invitasjon")
    client.cookies.clear()
    token = csrf_of(client)
    assert (
        client.post(path, data={"password": NEW_PASSWORD, "csrf_token": token}).status_code == 303
    )
    client.cookies.clear()
    token = csrf_of(client)
    again = client.post(path, data={"password": NEW_PASSWORD + "x", "csrf_token": token})
    assert again.status_code == 409  # the mail opened again: the account is there, log in
    form = BeautifulSoup(again.text, "html.parser").select_one('form[action="/logg-inn"]')
    assert form.select_one("#email")["value"] == "en@a.no"  # the way on, filled in
    assert len(db.exec(select(User).where(User.email == "en@a.no")).all()) == 1


def test_an_expired_invitation_is_refused(client, cast, db, mailbox):
    token = login(client, cast.manager)
    client.post("/kommune/inviter", data={"email": "sen@a.no", "csrf_token": token})
    invitation = db.exec(select(Invitation)).one()
    assert invitation.expires_at.replace(tzinfo=UTC) > datetime.now(UTC) + timedelta(days=13)
    invitation.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.add(invitation)
    db.commit()
    client.cookies.clear()
    assert client.get(link_in(mailbox[0], "invitasjon")).status_code == 404


def test_a_weak_password_is_refused_with_a_reason(client, cast, db, mailbox):
    token = login(client, cast.manager)
    client.post("/kommune/inviter", data={"email": "svak@a.no", "csrf_token": token})
    path = link_in(mailbox[0], "invitasjon")
    client.cookies.clear()
    token = csrf_of(client)
    short = client.post(path, data={"password": "kort", "csrf_token": token})
    assert short.status_code == 422
    assert "minst 15 tegn" in short.text
    common = client.post(path, data={"password": "passwordpassword", "csrf_token": token})
    assert "mest brukte" in common.text
    assert db.exec(select(User).where(User.email == "svak@a.no")).first() is None


def test_staff_cannot_invite(client, cast, db, mailbox):
    token = login(client, cast.staff)
    assert (
        client.post("/kommune/inviter", data={"email": "x@a.no", "csrf_token": token}).status_code
        == 403
    )
    assert mailbox == []


def test_an_admin_invites_a_manager_and_a_ks_adviser(client, cast, db, mailbox):
    token = login(client, cast.admin)
    manager = client.post(
        f"/admin/kommuner/{cast.b.id}/inviter",
        data={"email": "sjef@b.no", "role": "manager", "csrf_token": token},
    )
    adviser = client.post(
        "/admin/inviter", data={"email": "ny@ks.no", "role": "ks_adviser", "csrf_token": token}
    )
    assert manager.status_code == adviser.status_code == 303
    roles = {i.email: (i.role, i.municipality_id) for i in db.exec(select(Invitation))}
    assert roles == {"sjef@b.no": (Role.MANAGER, cast.b.id), "ny@ks.no": (Role.KS_ADVISER, None)}
    assert {m.to for m in mailbox} == {"sjef@b.no", "ny@ks.no"}
    bodies = {m.to: m.body for m in mailbox}
    assert f"som leder i {cast.b.name}." in bodies["sjef@b.no"]
    assert "som KS-rådgiver. Invitasjonen er sendt av admin" in bodies["ny@ks.no"]
    events = db.exec(
        select(AuditEvent.event, AuditEvent.target).where(AuditEvent.event == "invitation_sent")
    ).all()
    assert sorted(t for _, t in events) == ["ny@ks.no", "sjef@b.no"]


def test_only_the_newest_invitation_to_a_place_makes_an_account(client, cast, db, mailbox):
    # Invited as staff by mistake, then as manager: the first link gave the wrong role.
    token = login(client, cast.admin)
    for role in ("staff", "manager"):
        data = {"email": "ny@b.no", "role": role, "csrf_token": token}
        assert client.post(f"/admin/kommuner/{cast.b.id}/inviter", data=data).status_code == 303
    # Another municipality's invitation to the same address is another's to undo.
    data = {"email": "ny@b.no", "role": "staff", "csrf_token": token}
    assert client.post(f"/admin/kommuner/{cast.a.id}/inviter", data=data).status_code == 303
    old, new, elsewhere = (link_in(m, "invitasjon") for m in mailbox)
    client.cookies.clear()
    refused = client.get(old)
    assert refused.status_code == 404
    assert "Har du fått en nyere invitasjon" in refused.text
    assert client.get(elsewhere).status_code == 200
    form = {"password": NEW_PASSWORD, "csrf_token": csrf_of(client)}
    assert client.post(old, data=form).status_code == 404
    assert client.post(new, data=form).status_code == 303
    user = db.exec(select(User).where(User.email == "ny@b.no")).one()
    assert (user.role, user.municipality_id) == (Role.MANAGER, cast.b.id)


def test_inviting_an_invited_address_again_says_the_first_link_stops(client, cast, mailbox):
    """A manager who does not know an address was invited already learns that the link in
    the first mail no longer works, instead of a plain «sent» that leaves it to be found."""
    token = login(client, cast.manager)
    flashes = []
    for _ in range(2):
        sent = client.post("/kommune/inviter", data={"email": "ny@a.no", "csrf_token": token})
        assert sent.status_code == 303
        page = BeautifulSoup(client.get(sent.headers["location"]).text, "html.parser")
        flashes.append(page.select_one("[role=status], .ds-alert").get_text(" ", strip=True))
    assert flashes[0] == "Invitasjonen er sendt til ny@a.no."
    assert "sendt på nytt til ny@a.no" in flashes[1]
    assert "Lenken i den forrige virker ikke lenger" in flashes[1]
    # Another municipality's open invitation to the address is not this one's: a plain «sent».
    admin = login(client, cast.admin)
    data = {"email": "ny@a.no", "role": "staff", "csrf_token": admin}
    sent = client.post(f"/admin/kommuner/{cast.b.id}/inviter", data=data)
    page = BeautifulSoup(client.get(sent.headers["location"]).text, "html.parser")
    assert "Invitasjonen er sendt til ny@a.no." in page.get_text(" ", strip=True)


def test_a_manager_cannot_undo_an_administrators_invitation(client, cast, db, mailbox):
    # The newest invitation ends the older ones, but a manager gives only staff: inviting an
    # address an administrator invited as manager would have made a co-manager staff.
    token = login(client, cast.admin)
    data = {"email": "sjef@a.no", "role": "manager", "csrf_token": token}
    assert client.post(f"/admin/kommuner/{cast.a.id}/inviter", data=data).status_code == 303
    token = login(client, cast.manager)
    refused = client.post("/kommune/inviter", data={"email": "sjef@a.no", "csrf_token": token})
    assert refused.status_code == 409
    assert "invitasjon som leder fra en administrator" in refused.text
    client.cookies.clear()
    path = link_in(mailbox[0], "invitasjon")
    form = {"password": NEW_PASSWORD, "csrf_token": csrf_of(client)}
    assert client.post(path, data=form).status_code == 303
    user = db.exec(select(User).where(User.email == "sjef@a.no")).one()
    assert user.role == Role.MANAGER


def test_the_invitee_reads_their_municipalitys_language(client, cast, db, mailbox):
    """The mail and the page are in the invitee's municipality's written standard, whatever
    language the one who invited reads; KS people (no municipality) get bokmål."""
    cast.b.written_standard = "nn"
    db.add(cast.b)
    db.commit()
    token = login(client, cast.admin)
    client.post("/sprak", data={"lang": "en", "next": "/admin", "csrf_token": token})
    for path, email, role in (
        (f"/admin/kommuner/{cast.b.id}/inviter", "sjef@b.no", "manager"),
        ("/admin/inviter", "ny@ks.no", "ks_adviser"),
    ):
        data = {"email": email, "role": role, "csrf_token": token}
        assert client.post(path, data=data).status_code == 303
    mails = {m.to: m for m in mailbox}
    assert "eigenvurdering av introduksjonsprogrammet" in mails["sjef@b.no"].body
    assert "Venta du ikkje denne e-posten" in mails["sjef@b.no"].body
    assert mails["sjef@b.no"].body.split()[-4:] == ["Venleg", "helsing", "Gode", "grep"]
    assert mails["ny@ks.no"].body.split()[-4:] == ["Vennlig", "hilsen", "Gode", "grep"]
    client.cookies.clear()
    page = client.get(link_in(mails["sjef@b.no"], "invitasjon"))
    assert 'lang="nn"' in page.text
    assert "Vel passord" in page.text
    token = csrf_of(client)
    refused = client.post(
        link_in(mails["sjef@b.no"], "invitasjon"), data={"password": "kort", "csrf_token": token}
    )
    assert refused.status_code == 422
    assert 'lang="nn"' in refused.text


def test_a_managers_refused_invitation_is_told_at_the_address(client, cast, mailbox):
    # On a phone the form is far down the page: the reason stands at the field, which has
    # the focus, not at the top.
    token = login(client, cast.manager)
    response = client.post(
        "/kommune/inviter", data={"email": cast.staff.email, "csrf_token": token}
    )
    assert response.status_code == 409
    form = BeautifulSoup(response.text, "html.parser").select_one('form[action="/kommune/inviter"]')
    field = form.select_one("#email")
    assert field["value"] == cast.staff.email
    assert field["aria-invalid"] == "true"
    assert field.has_attr("autofocus")
    reason = form.select_one(f"#{field['aria-describedby']}")
    assert "finnes allerede en bruker" in reason.get_text()


def test_an_administrators_refused_invitation_keeps_the_role_and_points_to_the_user_list(
    client, cast
):
    # Chosen «Administrator», refused for the address: corrected and sent again, it must not
    # quietly become an invitation as KS adviser, the first role in the list.
    token = login(client, cast.admin)
    data = {"email": cast.staff.email, "role": "admin", "csrf_token": token}
    response = client.post("/admin/inviter", data=data)
    assert response.status_code == 409
    form = BeautifulSoup(response.text, "html.parser").select_one('form[action="/admin/inviter"]')
    assert form.select_one("#role option[selected]")["value"] == "admin"
    field = form.select_one("#email")
    assert (field["value"], field["aria-invalid"]) == (cast.staff.email, "true")
    assert field.has_attr("autofocus")
    assert field["maxlength"] == str(ONE_ADDRESS_CHARS)  # as the server takes it
    reason = form.select_one(f"#{field['aria-describedby']}").get_text()
    # An administrator is told where they can help, not to ask an administrator.
    assert "Under Brukere og roller kan du" in reason
    assert "kan en administrator hjelpe" not in reason
    other = client.post(
        f"/admin/kommuner/{cast.b.id}/inviter",
        data={"email": cast.staff.email, "role": "staff", "csrf_token": token},
    )
    assert "Under Brukere og roller kan du" in other.text


@pytest.mark.parametrize(
    ("path", "role", "field"),
    [
        ("/admin/inviter", "admin", "#email"),
        ("/admin/kommuner/{b}/inviter", "manager", "#inv-email"),
    ],
)
def test_an_administrator_is_not_told_the_address_is_wrong_when_the_mail_failed(
    client, cast, db, monkeypatch, path, role, field
):
    monkeypatch.setattr(get_settings(), "smtp_port", 1)  # nothing listens there
    token = login(client, cast.admin)
    data = {"email": "borte@a.no", "role": role, "csrf_token": token}
    response = client.post(path.format(b=cast.b.id), data=data)
    assert response.status_code == 409
    page = BeautifulSoup(response.text, "html.parser")
    assert "kunne ikke sendes" in page.select_one("#invite-alert").get_text()
    assert not page.select_one(field).has_attr("aria-invalid")  # the address is fine
    assert page.select_one(field)["value"] == "borte@a.no"
    assert db.exec(select(Invitation)).all() == []


def test_nothing_is_kept_when_the_mail_cannot_be_sent(client, cast, db, monkeypatch):
    monkeypatch.setattr(get_settings(), "smtp_port", 1)  # nothing listens there
    token = login(client, cast.manager)
    response = client.post("/kommune/inviter", data={"email": "borte@a.no", "csrf_token": token})
    assert response.status_code == 409
    page = BeautifulSoup(response.text, "html.parser")
    assert "kunne ikke sendes" in page.select_one("#invite-alert").get_text()
    assert not page.select_one("#email").has_attr("aria-invalid")  # the address is fine
    assert db.exec(select(Invitation)).all() == []


def test_a_password_reset_works_once_and_ends_old_sessions(client, cast, db, mailbox):
    login(client, cast.staff)
    other = client  # the staff member's existing session
    old_cookie = other.cookies.get("godegrep_session")
    client.cookies.clear()
    token = csrf_of(client)
    sent = client.post("/glemt-passord", data={"email": cast.staff.email, "csrf_token": token})
    assert "Hvis adressen hører til en konto" in sent.text
    flush()
    path = link_in(mailbox[0], "nytt-passord")
    assert (
        client.post(path, data={"password": NEW_PASSWORD, "csrf_token": token}).status_code == 303
    )
    assert (
        client.post(path, data={"password": NEW_PASSWORD, "csrf_token": token}).status_code == 404
    )
    client.cookies.clear()
    client.cookies.set("godegrep_session", old_cookie)
    assert client.get("/runder").status_code == 303  # the old session has ended
    client.cookies.clear()
    token = csrf_of(client)
    assert (
        client.post(
            "/logg-inn",
            data={"email": cast.staff.email, "password": NEW_PASSWORD, "csrf_token": token},
        ).status_code
        == 303
    )
    client.cookies.clear()
    token = csrf_of(client)
    assert (
        client.post(
            "/logg-inn", data={"email": cast.staff.email, "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 422
    )


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, cast, mailbox):
    token = csrf_of(client)
    known = client.post("/glemt-passord", data={"email": cast.staff.email, "csrf_token": token})
    unknown = client.post("/glemt-passord", data={"email": "ingen@a.no", "csrf_token": token})
    assert known.status_code == unknown.status_code == 200
    strip = lambda text: re.sub(r'value="[^"]+"', "", text)  # noqa: E731
    assert strip(known.text) == strip(unknown.text)
    flush()
    assert [m.to for m in mailbox] == [cast.staff.email]


def test_a_reset_link_is_short_lived(client, cast, db, mailbox):
    token = csrf_of(client)
    client.post("/glemt-passord", data={"email": cast.staff.email, "csrf_token": token})
    reset = db.exec(select(PasswordReset)).one()
    assert reset.expires_at.replace(tzinfo=UTC) <= datetime.now(UTC) + timedelta(minutes=61)
    reset.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.add(reset)
    db.commit()
    flush()
    assert client.get(link_in(mailbox[0], "nytt-passord")).status_code == 404


@pytest.mark.parametrize("path", ["/invitasjon/", "/nytt-passord/"])
def test_a_forged_token_is_refused(client, path):
    assert client.get(path + "finnes-ikke-" + "x" * 30).status_code == 404


BAD_ADDRESSES = [
    "ny@a.no\r\nBcc: alle@a.no",
    "ny@a.no\nBcc:alle@a.no",
    "ny\r@a.no",
    "ny\x00@a.no",
    "ny\t@a.no",
    "ny @a.no",
    "ny@a..no",
    "ny@a",
    "@a.no",
    "ny.a.no",
    "Ny <ny@>",
    "ny@a.no, alle@a.no",
]


def refusal(email: str) -> str:
    """A NUL byte is refused for every form field before any route sees it; two good
    addresses are told the form takes one; the rest of the broken addresses get the
    invitation form's own message."""
    if "\x00" in email:
        return "kontrolltegn"
    return "Skriv bare én e-postadresse" if email == "ny@a.no, alle@a.no" else "Skriv en gyldig"


@pytest.mark.parametrize("email", BAD_ADDRESSES)
def test_a_manager_gets_a_clear_answer_for_a_broken_address(client, cast, db, mailbox, email):
    token = login(client, cast.manager)
    response = client.post("/kommune/inviter", data={"email": email, "csrf_token": token})
    assert response.status_code == 422
    assert refusal(email) in response.text
    assert db.exec(select(Invitation)).all() == []
    assert mailbox == []


@pytest.mark.parametrize(
    ("path", "role"), [("/admin/inviter", "ks_adviser"), ("/admin/kommuner/{b}/inviter", "manager")]
)
def test_an_admin_gets_a_clear_answer_for_a_broken_address(client, cast, db, mailbox, path, role):
    token = login(client, cast.admin)
    for email in ("sjef@b.no\r\nBcc:alle@b.no", "sjef\x00@b.no"):
        response = client.post(
            path.format(b=cast.b.id), data={"email": email, "role": role, "csrf_token": token}
        )
        assert response.status_code == 422
        assert refusal(email) in response.text
    assert db.exec(select(Invitation)).all() == []
    assert mailbox == []


def test_an_invited_address_is_stored_in_one_form(client, cast, db, mailbox):
    token = login(client, cast.manager)
    response = client.post(
        "/kommune/inviter", data={"email": "  Kari.Nordmann@A.NO ", "csrf_token": token}
    )
    assert response.status_code == 303
    assert [i.email for i in db.exec(select(Invitation))] == ["kari.nordmann@a.no"]


def test_an_address_pasted_with_its_name_is_invited_without_the_name(client, cast, db, mailbox):
    # As a mail program copies it; the form shares its parsing with the new-round form.
    token = login(client, cast.manager)
    typed = '"Nordmann, Kari" <Kari.Nordmann@A.no>'
    response = client.post("/kommune/inviter", data={"email": typed, "csrf_token": token})
    assert response.status_code == 303
    assert [i.email for i in db.exec(select(Invitation))] == ["kari.nordmann@a.no"]
    assert [m.to for m in mailbox] == ["kari.nordmann@a.no"]
    assert "Nordmann, Kari" not in mailbox[0].body
    logged = db.exec(select(AuditEvent).where(AuditEvent.event == "invitation_sent")).one()
    assert "Nordmann, Kari" not in f"{logged.target} {logged.detail}"


@pytest.mark.parametrize(
    "email", ["ansatt@a.no\x00", "ansatt@a.no\r\nBcc: x@a.no", "ø@ø", "x" * 254]
)
def test_odd_addresses_at_login_and_reset_get_the_neutral_answers(client, cast, mailbox, email):
    token = csrf_of(client)
    refused = client.post(
        "/logg-inn", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert refused.status_code == 422
    if "\x00" in email:
        assert "kontrolltegn" in refused.text
    else:
        assert "E-postadressen eller passordet er feil." in refused.text
    asked = client.post("/glemt-passord", data={"email": email, "csrf_token": token})
    assert asked.status_code == (422 if "\x00" in email else 200)
    flush()
    assert mailbox == []


def test_the_password_hint_names_the_rule_the_check_applies(client, cast, monkeypatch):
    from app.accounts.passwords import MIN_LENGTH, password_problems
    from app.templating import env

    short = "en rolig morgen ved fjorden"[: MIN_LENGTH - 1]  # one character short
    assert password_problems(short)[0].startswith(f"Passordet må ha minst {MIN_LENGTH} tegn")
    login(client, cast.staff)
    assert f"Minst {MIN_LENGTH} tegn." in client.get("/konto").text
    monkeypatch.setitem(env.globals, "PASSWORD_MIN_LENGTH", 20)
    assert "Minst 20 tegn." in client.get("/konto").text


def test_a_reset_for_a_deactivated_account_tells_its_owner_and_gives_no_link(
    client, cast, db, mailbox
):
    cast.staff.active = False
    db.add(cast.staff)
    db.commit()
    token = csrf_of(client)
    asked = client.post("/glemt-passord", data={"email": cast.staff.email, "csrf_token": token})
    unknown = client.post("/glemt-passord", data={"email": "ingen@a.no", "csrf_token": token})
    strip = lambda text: re.sub(r'value="[^"]+"', "", text)  # noqa: E731
    assert strip(asked.text) == strip(unknown.text)  # the page says nothing either way
    flush()
    [mail] = mailbox
    assert mail.to == cast.staff.email
    assert "ikke aktiv lenger" in mail.body
    assert "/nytt-passord/" not in mail.body
    assert db.exec(select(PasswordReset)).all() == []
    asked_for = select(AuditEvent.detail).where(AuditEvent.event == "password_reset_requested")
    asked_for = asked_for.order_by(AuditEvent.id)
    details = [json.loads(d) for d in db.exec(asked_for)]
    assert [(d["known"], d["inactive"]) for d in details] == [(True, True), (False, False)]
