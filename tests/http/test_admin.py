"""The register import, administrator pages, the manager's export and deleting data."""

import json
from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from sqlmodel import func, select

from app.accounts.models import Invitation, Municipality, Role, SizeClass, User
from app.accounts.register import Entry, import_register, read_register
from app.admin.details import LABELS
from app.audit import AuditEvent
from app.content.service import guidance_for
from app.rounds.models import Answer, Response, Round
from tests.conftest import csrf_of, login
from tests.factories import invited_staff, make_municipality, make_user
from tests.http.test_results import answer_and_submit


def test_the_register_holds_every_municipality(db):
    entries = read_register()
    assert len(entries) == 357
    assert len({e.number for e in entries}) == 357
    report = import_register(db, entries)
    assert report.created == 357
    oslo = db.exec(select(Municipality).where(Municipality.number == "0301")).one()
    assert (oslo.name, oslo.county, oslo.size_class) == ("Oslo", "Oslo", SizeClass.LARGE)
    karasjok = db.exec(select(Municipality).where(Municipality.number == "5610")).one()
    assert "Karasjok" in karasjok.name


def test_importing_again_changes_nothing(db):
    import_register(db, read_register())
    again = import_register(db, read_register())
    assert (again.created, again.updated, again.retired, again.unchanged) == (0, 0, 0, 357)


def test_a_changed_register_renames_and_retires_without_losing_data(db, cast):
    entries = read_register()
    import_register(db, entries)
    volda = db.exec(select(Municipality).where(Municipality.number == "1577")).one()
    db.add(
        Round(
            municipality_id=volda.id,
            name="Gammel runde",
            content_version_id=cast.round_a.content_version_id,
        )
    )
    db.commit()
    merged = [e for e in entries if e.number != "1577"]
    renamed = [
        Entry(
            e.number,
            "Nytt navn" if e.number == "0301" else e.name,
            e.county,
            e.population,
            e.written_standard,
        )
        for e in merged
    ]
    report = import_register(db, renamed)
    assert (report.updated, report.retired) == (1, 1)
    db.refresh(volda)
    assert volda.active is False
    assert (
        db.exec(select(Round).where(Round.municipality_id == volda.id)).one().name == "Gammel runde"
    )
    assert (
        db.exec(select(Municipality.name).where(Municipality.number == "0301")).one() == "Nytt navn"
    )
    assert db.get(Municipality, cast.a.id).active  # test and demo numbers (99xx) are left alone


def test_an_administrators_size_class_survives_imports(client, cast, db):
    import_register(db, read_register())
    oslo = db.exec(select(Municipality).where(Municipality.number == "0301")).one()
    token = login(client, cast.admin)
    data = {"size_class": "mellomstor", "written_standard": "nn", "csrf_token": token}
    assert client.post(f"/admin/kommuner/{oslo.id}", data=data).status_code == 303
    import_register(db, read_register())
    db.refresh(oslo)
    assert (oslo.size_class, oslo.size_class_manual) == (SizeClass.MEDIUM, True)
    assert oslo.written_standard == "neutral"  # the register decides the written standard
    event = db.exec(select(AuditEvent).where(AuditEvent.event == "municipality_updated")).one()
    assert event.actor_email == cast.admin.email


def test_an_administrator_sees_who_has_not_accepted_yet(client, cast, db, mailbox):
    token = login(client, cast.admin)
    url = f"/admin/kommuner/{cast.b.id}"
    for email, role in (("sjef@b.no", "manager"), ("gammel@b.no", "staff")):
        data = {"email": email, "role": role, "csrf_token": token}
        assert client.post(f"{url}/inviter", data=data).status_code == 303
    stale = db.exec(select(Invitation).where(Invitation.email == "gammel@b.no")).one()
    stale.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.add(stale)
    db.commit()
    page = BeautifulSoup(client.get(url).text, "html.parser")
    heading = page.find("h3", string="Invitasjoner som ikke er brukt ennå")
    assert heading is not None
    pending = [li.get_text() for li in heading.find_next("ul").select("li")]
    assert len(pending) == 1  # the expired one is no longer waiting
    assert pending[0].startswith("sjef@b.no – Leder, gyldig til ")


def test_an_administrator_finds_municipalities(client, cast, db):
    import_register(db, read_register())
    login(client, cast.admin)
    page = BeautifulSoup(client.get("/admin/kommuner?q=trondheim").text, "html.parser")
    assert [a.get_text() for a in page.select("tbody a")] == ["Trondheim"]
    county = page.select_one("tbody tr").select("td")[2].get_text()
    page = BeautifulSoup(client.get(f"/admin/kommuner?fylke={county}").text, "html.parser")
    assert page.select_one("#fylke option[selected]").get_text() == county
    assert "Trondheim" in [a.get_text() for a in page.select("tbody a")]
    assert {tr.select("td")[2].get_text() for tr in page.select("tbody tr")} == {county}
    for typed in ("ålesund", "ÅLESUND", "Ålesund"):  # SQLite's lower() knows only ASCII
        page = BeautifulSoup(client.get(f"/admin/kommuner?q={typed}").text, "html.parser")
        assert [a.get_text() for a in page.select("tbody a")] == ["Ålesund"]
    page = BeautifulSoup(client.get("/admin/kommuner?q=%25").text, "html.parser")
    assert page.select("tbody a") == []  # a % is a character here, not a wildcard


def test_the_municipality_list_counts_each_ones_active_users(client, cast, db):
    """A municipality nobody has been invited to yet is seen without opening each one."""
    cast.staff3.active = False  # left: not counted
    db.add(cast.staff3)
    db.commit()
    make_municipality(db, number="9993", name="Kommune C")
    login(client, cast.admin)
    page = BeautifulSoup(client.get("/admin/kommuner?q=Kommune").text, "html.parser")
    headings = [th.get_text() for th in page.select("thead th")]
    column = headings.index("Brukere")
    counts = {
        tr.select_one("a").get_text(): tr.select("td")[column].get_text()
        for tr in page.select("tbody tr")
    }
    assert counts == {"Kommune A": "3", "Kommune B": "2", "Kommune C": "0"}


def test_the_municipality_list_shows_those_in_use_or_not_yet(client, cast, db):
    """Of the few hundred in the register, the administrator finds the handful in use, or
    those still to start, and the choice stays in the address like the search."""
    cast.other_staff.active = False  # B keeps its manager: still in use
    make_municipality(db, number="9993", name="Kommune C")  # nobody yet
    d = make_municipality(db, number="9994", name="Kommune D")
    make_user(db, "borte@d.no", Role.MANAGER, d, active=False)  # the only one has left
    db.commit()
    login(client, cast.admin)

    def names(query: str, **headers: str) -> list[str]:
        response = client.get(f"/admin/kommuner?q=Kommune{query}", headers=headers)
        assert response.status_code == 200
        return [a.get_text() for a in BeautifulSoup(response.text, "html.parser").select("tbody a")]

    assert names("") == ["Kommune A", "Kommune B", "Kommune C", "Kommune D"]
    assert names("&bruk=ja") == ["Kommune A", "Kommune B"]
    assert names("&bruk=nei") == ["Kommune C", "Kommune D"]
    assert names("&bruk=nei", **{"HX-Request": "true"}) == ["Kommune C", "Kommune D"]
    assert names("&bruk=kan") == names("")  # an odd value: all, not an error
    page = BeautifulSoup(client.get("/admin/kommuner?bruk=nei").text, "html.parser")
    choice = page.select_one("#bruk")
    assert choice.select_one("option[selected]")["value"] == "nei"
    assert choice["hx-replace-url"] == "true"  # kept in the address as the search is
    assert choice["hx-include"] == "closest form"


def test_the_first_invitation_to_a_municipality_is_for_its_leader(client, cast, db, mailbox):
    """A municipality without an active leader starts with one, who then invites the staff;
    where a leader exists, or one is invited, the form starts at staff."""
    c = make_municipality(db, number="9993", name="Kommune C")
    d = make_municipality(db, number="9994", name="Kommune D")
    make_user(db, "borte@d.no", Role.MANAGER, d, active=False)
    make_user(db, "ansatt@d.no", Role.STAFF, d)
    db.commit()
    token = login(client, cast.admin)

    def first_role(municipality) -> str:
        page = BeautifulSoup(client.get(f"/admin/kommuner/{municipality.id}").text, "html.parser")
        return page.select_one("#inv-role option[selected]")["value"]

    assert first_role(c) == "manager"  # nobody yet
    assert first_role(d) == "manager"  # its leader has left
    assert first_role(cast.a) == "staff"  # has a leader
    data = {"email": "sjef@c.no", "role": "manager", "csrf_token": token}
    assert client.post(f"/admin/kommuner/{c.id}/inviter", data=data).status_code == 303
    assert first_role(c) == "staff"  # the leader is invited


def test_an_administrator_may_paste_an_address_with_its_name(client, cast, db, mailbox):
    """As a mail program copies it: only the address is kept, and goes to the mail."""
    token = login(client, cast.admin)
    pasted = "Kari Nordmann <Kari.Nordmann@B.no>"
    data = {"email": pasted, "role": "manager", "csrf_token": token}
    assert client.post(f"/admin/kommuner/{cast.b.id}/inviter", data=data).status_code == 303
    data = {"email": '"Rådgiver, Ny" <ny@ks.no>', "role": "ks_adviser", "csrf_token": token}
    assert client.post("/admin/inviter", data=data).status_code == 303
    stored = set(db.exec(select(Invitation.email)).all())
    assert {"kari.nordmann@b.no", "ny@ks.no"} <= stored
    assert not any("Nordmann <" in e or "Rådgiver" in e for e in stored)
    assert {m.to for m in mailbox} >= {"kari.nordmann@b.no", "ny@ks.no"}


def test_the_audit_log_can_be_read_and_filtered_by_administrators_only(client, cast):
    login(client, cast.staff)
    login(client, cast.manager)
    login(client, cast.admin)
    page = BeautifulSoup(
        client.get("/admin/logg?hendelse=login&epost=leder@a.no").text, "html.parser"
    )
    rows = [[td.get_text() for td in tr.select("td")] for tr in page.select("tbody tr")]
    assert len(rows) == 1
    assert rows[0][1:3] == ["Innlogging", "leder@a.no"]
    login(client, cast.manager)
    assert client.get("/admin/logg").status_code == 403


def test_the_audit_log_is_filtered_by_municipality_number(client, cast):
    for manager in (cast.manager, cast.other_manager):
        token = login(client, manager)
        client.post("/konto/logg-ut-overalt", data={"csrf_token": token})
    login(client, cast.admin)
    page = BeautifulSoup(client.get(f"/admin/logg?kommune={cast.b.number}").text, "html.parser")
    places = {tr.select("td")[4].get_text() for tr in page.select("tbody tr")}
    assert places == {f"Kommune B ({cast.b.number})"}
    assert page.select_one("#kommune")["value"] == cast.b.number  # kept for the next page
    unknown = BeautifulSoup(client.get("/admin/logg?kommune=12ab").text, "html.parser")
    assert "Ingen kommune har nummeret 12ab" in unknown.select_one("#kommune-error").get_text()
    assert unknown.select_one("#kommune")["aria-invalid"] == "true"
    assert [tr.get_text(strip=True) for tr in unknown.select("tbody tr")] == ["Ingen hendelser."]


def test_the_audit_log_names_every_kind_of_event_in_words(client, cast):
    token = login(client, cast.manager)
    assert client.post("/konto/logg-ut-overalt", data={"csrf_token": token}).status_code == 303
    login(client, cast.admin)
    page = BeautifulSoup(client.get("/admin/logg?epost=leder@a.no").text, "html.parser")
    kinds = {tr.select("td")[1].get_text() for tr in page.select("tbody tr")}
    assert "Alle innlogginger avsluttet" in kinds  # not the code, sessions_ended
    options = {o.get_text().strip() for o in page.select("select option")}
    assert "Alle innlogginger avsluttet" in options
    assert not any("_" in kind for kind in kinds | options)


def test_the_audit_log_says_what_an_event_concerned_in_words(client, cast, db):
    """The log stores `round 7: …` and `{"by": "manager"}`; the administrator reads Norwegian."""
    token = login(client, cast.manager)
    rnd = cast.round_a
    assert client.post(f"/runder/{rnd.id}/lukk", data={"csrf_token": token}).status_code == 303
    stored = db.exec(select(AuditEvent).where(AuditEvent.event == "round_closed")).one()
    assert stored.target.startswith(f"round {rnd.id}")  # the log itself is left as it was
    login(client, cast.admin)
    page = BeautifulSoup(client.get("/admin/logg?hendelse=round_closed").text, "html.parser")
    (row,) = [[td.get_text() for td in tr.select("td")] for tr in page.select("tbody tr")]
    assert row[3] == f"Runde {rnd.id}: {rnd.name}"
    assert row[4] == f"{cast.a.name} ({cast.a.number})"  # whose round: the log has its id
    assert row[6] == "Respondenter: 0Lukket av: leder"  # one line each
    assert len(page.select("tbody td.detail br")) == 1


def test_a_manager_exports_the_municipality_without_names_on_answers(client, cast, db):
    # Four: an export may be read by those who answered, so it needs the minimum and one more.
    fourth = invited_staff(db, cast.round_a, "ansatt4@a.no")
    for user in (cast.staff, cast.staff2, cast.staff3, fourth):
        answer_and_submit(client, db, cast.round_a, user, {"tillit": 2}, comment="Godt samarbeid")
    token = login(client, cast.manager)
    client.post(f"/runder/{cast.round_a.id}/lukk", data={"csrf_token": token})
    response = client.get("/kommune/eksport")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    data = json.loads(response.text)
    assert data["municipality"]["number"] == cast.a.number
    exported = next(r for r in data["rounds"] if r["name"] == cast.round_a.name)
    assert exported["submitted"] == 4
    assert exported["results"]["respondents"] == 4
    tillit = next(a for a in exported["results"]["areas"] if a["area"] == "tillit")
    assert tillit["score"] == 33.3
    assert tillit["statements"][0]["levels_1_to_4"] == [0, 4, 0, 0]
    assert exported["results"]["comments"]["tillit"] == ["Godt samarbeid"] * 4
    assert "ansatt@a.no" not in json.dumps(exported)
    assert cast.other_staff.email not in response.text  # nothing from municipality B
    assert db.exec(select(AuditEvent).where(AuditEvent.event == "municipality_exported")).one()


def test_the_export_leaves_out_answers_below_the_minimum(client, cast, db):
    answer_and_submit(client, db, cast.round_a, cast.staff, {})
    login(client, cast.manager)
    exported = next(
        r for r in client.get("/kommune/eksport").json()["rounds"] if r["name"] == cast.round_a.name
    )
    assert exported["results"] is None
    assert "open" in exported["note"]


def test_deleting_a_municipalitys_data_needs_its_name(client, cast, db):
    answer_and_submit(client, db, cast.round_a, cast.staff, {})
    token = login(client, cast.admin)
    wrong = client.post(
        f"/admin/kommuner/{cast.a.id}/slett", data={"confirmation": "feil", "csrf_token": token}
    )
    assert wrong.status_code == 422
    assert db.exec(select(func.count()).select_from(Answer)).one() > 0
    # The reason at the field, which has the focus, so the next try starts there.
    field = BeautifulSoup(wrong.text, "html.parser").select_one("#confirmation")
    assert field["aria-invalid"] == "true"
    assert field.has_attr("autofocus")
    # What stays is said before anyone deletes: the log keeps who did what (data protection).
    assert "Revisjonsloggen blir ikke slettet" in wrong.text
    reason = BeautifulSoup(wrong.text, "html.parser").select_one(f"#{field['aria-describedby']}")
    assert "Skriv navnet på kommunen nøyaktig" in reason.get_text()
    done = client.post(
        f"/admin/kommuner/{cast.a.id}/slett",
        data={"confirmation": cast.a.name, "csrf_token": token},
    )
    assert done.status_code == 303
    assert db.exec(select(Round).where(Round.municipality_id == cast.a.id)).all() == []
    assert db.exec(select(User).where(User.municipality_id == cast.a.id)).all() == []
    assert db.exec(select(func.count()).select_from(Answer)).one() == 0
    assert db.exec(select(func.count()).select_from(Response)).one() == 0
    assert db.get(Municipality, cast.a.id) is not None  # the register entry stays
    assert db.exec(select(Round).where(Round.municipality_id == cast.b.id)).all()  # B untouched
    assert db.exec(select(AuditEvent).where(AuditEvent.event == "municipality_deleted")).one()


def test_an_administrator_cannot_lock_themselves_out(client, cast):
    token = login(client, cast.admin)
    response = client.post(
        f"/admin/brukere/{cast.admin.id}",
        data={
            "role": "staff",
            "municipality_number": cast.a.number,
            "active": "on",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422


def test_deleting_a_municipality_also_deletes_its_plan_readings_and_shares(client, cast, db):
    from datetime import UTC, datetime, timedelta

    from app.authz import Actor
    from app.meeting.models import AgreedReading
    from app.plan.forms import MeasureForm
    from app.plan.models import Measure
    from app.plan.service import create_measure
    from app.review import adviser
    from app.review import service as review
    from app.review.models import Feedback, RoundShare
    from tests.factories import make_closed_round_at

    rnd = make_closed_round_at(db, cast.a, [cast.staff, cast.staff2, cast.staff3], level=2)
    manager = Actor(cast.manager.id, "manager", cast.a.id, cast.manager.email)
    due = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    create_measure(db, manager, rnd, MeasureForm(title="Faste møter", owner_text="Nav", due=due))
    db.add(AgreedReading(round_id=rnd.id, area_id="tillit", note="Enige"))
    db.commit()
    review.share_round(db, manager, rnd, include_comments=False)
    ks = Actor(cast.ks_adviser.id, "ks_adviser", None, cast.ks_adviser.email)
    adviser.save_feedback(db, ks, rnd.id, {"": "Godt arbeid"}, to_send=False, shown={})
    token = login(client, cast.admin)
    done = client.post(
        f"/admin/kommuner/{cast.a.id}/slett",
        data={"confirmation": cast.a.name, "csrf_token": token},
    )
    assert done.status_code == 303
    for table in (Measure, AgreedReading, RoundShare, Feedback):
        assert db.exec(select(func.count()).select_from(table)).one() == 0, table
    # the log says what went, each count with a label an administrator can read
    event = db.exec(select(AuditEvent).where(AuditEvent.event == "municipality_deleted")).one()
    counts = json.loads(event.detail)
    assert (counts["measures"], counts["readings"]) == (1, 1)
    assert set(counts) <= set(LABELS)


def test_deleting_a_municipality_also_deletes_people_invited_who_never_accepted(client, cast, db):
    from app.rounds.models import RoundInvitee

    db.add(RoundInvitee(round_id=cast.round_a.id, email="ny@a.no"))
    db.commit()
    token = login(client, cast.admin)
    done = client.post(
        f"/admin/kommuner/{cast.a.id}/slett",
        data={"confirmation": cast.a.name, "csrf_token": token},
    )
    assert done.status_code == 303
    assert db.exec(select(Round).where(Round.municipality_id == cast.a.id)).all() == []
    assert db.exec(select(func.count()).select_from(RoundInvitee)).one() == 0


def test_a_refused_user_change_keeps_what_the_administrator_chose(client, cast, db):
    token = login(client, cast.admin)
    data = {"role": "manager", "municipality_number": "0000", "csrf_token": token}
    response = client.post(f"/admin/brukere/{cast.ks_adviser.id}", data=data)
    assert response.status_code in (404, 422)
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("#role option[selected]")["value"] == "manager"
    assert page.select_one("#municipality_number")["value"] == "0000"
    assert not page.select_one("#active").has_attr("checked")  # as sent: unticked
    number = page.select_one("#municipality_number")
    assert number["aria-invalid"] == "true"
    assert "user-error" in number["aria-describedby"]
    db.refresh(cast.ks_adviser)
    assert cast.ks_adviser.role == "ks_adviser"  # nothing changed


def test_an_address_invited_again_is_listed_once_and_not_after_it_has_an_account(
    client, cast, db, mailbox
):
    from tests.http.test_invitations import NEW_PASSWORD, link_in

    token = login(client, cast.admin)
    url = f"/admin/kommuner/{cast.b.id}"
    for email in ("ny.leder@b.no", "NY.LEDER@b.no"):  # twice, as the same address
        data = {"email": email, "role": "manager", "csrf_token": token}
        assert client.post(f"{url}/inviter", data=data).status_code == 303

    def pending() -> list[str]:
        page = BeautifulSoup(client.get(url).text, "html.parser")
        heading = page.find("h3", string="Invitasjoner som ikke er brukt ennå")
        return [li.get_text() for li in heading.find_next("ul").select("li")] if heading else []

    assert len(pending()) == 1
    first, second = (link_in(m, "invitasjon") for m in mailbox)
    client.cookies.clear()
    client.get(second)  # the newest: it ended the first
    data = {"password": NEW_PASSWORD, "csrf_token": csrf_of(client)}
    assert client.post(second, data=data).status_code == 303
    # The first mail's link, opened afterwards: it ended when the second was sent, so it says
    # nothing of the account made since (whoever holds it), even to its owner.
    other = client.get(first)
    assert other.status_code == 404
    assert "Invitasjonen gjelder ikke lenger" in other.text
    login(client, cast.admin)
    assert pending() == []


def test_the_message_after_a_user_change_says_it_applies_at_once(client, cast):
    # The change ends the user's logins there and then; «from the next login» misled. The form
    # without «active» deactivates the staff member: the change here.
    token = login(client, cast.admin)
    data = {"role": "staff", "municipality_number": cast.a.number, "csrf_token": token}
    path = f"/admin/brukere/{cast.staff.id}"

    def message_after_saving() -> str:
        assert client.post(path, data=data).status_code == 303
        status = BeautifulSoup(client.get(path).text, "html.parser").select_one("[role=status]")
        return status.get_text(strip=True)

    assert message_after_saving() == "Brukeren er oppdatert. Endringen gjelder med en gang."
    assert message_after_saving() == "Ingenting er endret."  # saved again as it is
    later = BeautifulSoup(client.get(path).text, "html.parser")
    assert later.select_one("main > .ds-alert") is None  # the message was for one page only


def test_saving_a_municipality_unchanged_says_so_and_logs_nothing(client, cast, db):
    # «Kommunen er oppdatert.» and a «Kommune endret» with the same before and after misled the
    # administrator and filled the log.
    token = login(client, cast.admin)
    path = f"/admin/kommuner/{cast.a.id}"
    same = {
        "size_class": cast.a.size_class,
        "written_standard": cast.a.written_standard,
        "csrf_token": token,
    }

    def message_after_saving(data) -> str:
        assert client.post(path, data=data).status_code == 303
        status = BeautifulSoup(client.get(path).text, "html.parser").select_one("[role=status]")
        return status.get_text(strip=True)

    assert message_after_saving(same) == "Ingenting er endret."
    assert db.exec(select(AuditEvent).where(AuditEvent.event == "municipality_updated")).all() == []
    other = "nn" if cast.a.written_standard != "nn" else "nb"
    assert message_after_saving(same | {"written_standard": other}) == "Kommunen er oppdatert."
    assert (
        len(db.exec(select(AuditEvent).where(AuditEvent.event == "municipality_updated")).all())
        == 1
    )


def test_the_audit_log_names_municipalities_and_lists_its_events_alphabetically(client, cast):
    # «Kommune (id): 358» meant nothing to an administrator; nor did «Adresse» for an IP address.
    token = login(client, cast.admin)
    data = {"role": "staff", "municipality_number": cast.b.number, "csrf_token": token}
    data |= {"active": "on"}
    assert client.post(f"/admin/brukere/{cast.staff.id}", data=data).status_code == 303
    page = BeautifulSoup(client.get("/admin/logg?hendelse=user_moved").text, "html.parser")
    headers = [th.get_text() for th in page.select("thead th")]
    assert headers[4:6] == ["Kommune", "IP-adresse"]
    (row,) = [[td.get_text() for td in tr.select("td")] for tr in page.select("tbody tr")]
    a, b = (f"{m.name} ({m.number})" for m in (cast.a, cast.b))
    assert row[4] == a  # filed where the person left; the details name both
    assert f"Kommune: {a}" in row[6]
    assert f"Kommune: {b}" in row[6]
    assert "(id)" not in row[6]
    options = [o.get_text() for o in page.select("#hendelse option")][1:]  # after «Alle»
    assert len(options) > 2
    assert options == sorted(options, key=str.casefold)


def test_the_user_page_names_the_municipality_the_number_stands_for(client, cast):
    # The form has only «Kommunenummer»; the administrator sees whose number it is, and when
    # the person last logged in.
    login(client, cast.staff)
    login(client, cast.admin)
    page = BeautifulSoup(client.get(f"/admin/brukere/{cast.staff.id}").text, "html.parser")
    facts = dict(
        zip(
            [dt.get_text() for dt in page.select("dl.facts dt")],
            [dd.get_text() for dd in page.select("dl.facts dd")],
            strict=True,
        )
    )
    assert facts["Kommune"] == f"{cast.a.name} ({cast.a.number})"
    assert page.select_one("dl.facts a")["href"] == f"/admin/kommuner/{cast.a.id}"
    assert facts["Status"] == "Aktiv"
    assert facts["Sist innlogget"] != "Aldri"
    never = BeautifulSoup(client.get(f"/admin/brukere/{cast.other_staff.id}").text, "html.parser")
    assert "Aldri" in never.select_one("dl.facts").get_text()


def test_the_user_search_takes_underscores_and_percent_signs_literally(client, cast, db):
    make_user(db, "ola_n@a.no", Role.STAFF, cast.a)
    login(client, cast.admin)

    def found(query: str) -> list[str]:
        page = BeautifulSoup(client.get("/admin/brukere", params={"q": query}).text, "html.parser")
        return [a.get_text() for a in page.select("tbody a")]

    assert found("_") == ["ola_n@a.no"]  # not every user
    assert found("%") == []
    empty = BeautifulSoup(client.get("/admin/brukere?q=%25").text, "html.parser")
    assert empty.select_one("tbody td").get_text() == "Ingen brukere passer søket."


def test_people_moved_or_deactivated_stay_listed_marked_and_are_not_reminded(
    client, cast, db, mailbox
):
    """Moved to another municipality (one having begun answering, one not) or deactivated:
    each stays on the round's list, marked alike, so the list never tells who had begun; the
    manager's reminder no longer mails them a link that would say «not found»."""
    rnd = cast.round_a
    token = login(client, cast.staff)
    area = guidance_for(db, rnd.content_version_id).areas[0]
    begun = {f"a.{area.statements[0].id}": "3", "csrf_token": token}
    assert client.post(f"/runder/{rnd.id}/omrade/{area.id}", data=begun).status_code == 303
    token = login(client, cast.admin)
    move = {"role": "staff", "municipality_number": cast.b.number, "active": "on"}
    leave = {"role": "staff", "municipality_number": cast.a.number}  # not active
    for user, data in ((cast.staff, move), (cast.staff2, move), (cast.staff3, leave)):
        assert client.post(f"/admin/brukere/{user.id}", data=data | {"csrf_token": token})
    login(client, cast.staff)
    assert client.get(f"/runder/{rnd.id}").status_code == 404  # not theirs any more
    token = login(client, cast.manager)
    page = BeautifulSoup(client.get(f"/runder/{rnd.id}").text, "html.parser")
    items = {
        li.contents[0].strip(): li.get_text(" ", strip=True)
        for li in page.select("ul.respondent-list li")
    }
    for user in (cast.staff, cast.staff2, cast.staff3):
        assert items[user.email] == f"{user.email} ikke lenger i kommunen"
    assert items[cast.manager.email] == cast.manager.email
    reminded = client.post(f"/runder/{rnd.id}/paminnelse", data={"csrf_token": token})
    assert reminded.status_code == 303
    assert mailbox == []  # only the manager is left, and she sent it herself
    assert "du er den eneste som ikke er ferdig" in client.get(reminded.headers["location"]).text
    # The moves stand in the log of the municipality they left.
    login(client, cast.admin)
    log = client.get(f"/admin/logg?kommune={cast.a.number}&hendelse=user_moved").text
    assert cast.staff.email in log
    assert cast.staff2.email in log
