"""A round's life cycle extras: a later deadline, a reminder that tells the manager only how
many got it, and the e-mail the jobs command sends once (round opened, deadline close,
measure due)."""

import json
from datetime import datetime, timedelta

from sqlmodel import delete, select

from app.audit import AuditEvent
from app.clock import OSLO
from app.jobs import run_due_work
from app.plan.models import Measure, MeasureStatus
from app.rounds.models import Answer, AreaComment, Response, RoundInvitee, RoundRespondent
from app.rounds.service import guidance_of
from tests.conftest import login
from tests.factories import close_round, make_closed_round, make_round, submit_answers


def today():
    return datetime.now(OSLO).date()


def events(db, name):
    return db.exec(select(AuditEvent).where(AuditEvent.event == name)).all()


def test_a_manager_extends_the_deadline_and_it_is_audited(client, cast, db):
    cast.round_a.deadline = today() + timedelta(days=3)
    db.add(cast.round_a)
    db.commit()
    token = login(client, cast.manager)
    later = today() + timedelta(days=10)
    response = client.post(
        f"/runder/{cast.round_a.id}/frist",
        data={"csrf_token": token, "deadline": later.isoformat()},
    )
    assert response.status_code == 303
    db.refresh(cast.round_a)
    assert cast.round_a.deadline == later
    [event] = events(db, "deadline_extended")
    assert json.loads(event.detail)["new"] == later.isoformat()


def test_a_deadline_is_never_moved_earlier_or_into_the_past(client, cast, db):
    old = today() + timedelta(days=5)
    cast.round_a.deadline = old
    db.add(cast.round_a)
    db.commit()
    token = login(client, cast.manager)
    for bad, message in (
        (today() + timedelta(days=2), "senere enn den gamle"),
        (today() - timedelta(days=1), "i dag eller senere"),
    ):
        data = {"csrf_token": token, "deadline": bad.isoformat()}
        response = client.post(f"/runder/{cast.round_a.id}/frist", data=data)
        assert response.status_code == 422
        assert message in response.text
    db.refresh(cast.round_a)
    assert cast.round_a.deadline == old
    assert events(db, "deadline_extended") == []


def test_only_the_own_manager_extends_an_open_round(client, cast, db):
    data = {"deadline": (today() + timedelta(days=9)).isoformat()}
    token = login(client, cast.other_manager)
    assert (
        client.post(
            f"/runder/{cast.round_a.id}/frist", data={**data, "csrf_token": token}
        ).status_code
        == 404
    )
    token = login(client, cast.staff)
    assert (
        client.post(
            f"/runder/{cast.round_a.id}/frist", data={**data, "csrf_token": token}
        ).status_code
        == 403
    )
    closed = make_closed_round(db, cast.a, [], name="Lukket")
    token = login(client, cast.manager)
    assert (
        client.post(f"/runder/{closed.id}/frist", data={**data, "csrf_token": token}).status_code
        == 409
    )
    db.refresh(cast.round_a)
    assert cast.round_a.deadline is None


def test_a_reminder_reaches_those_not_finished_and_the_page_says_only_how_many(
    client, cast, db, mailbox
):
    submit_answers(db, cast.round_a, cast.staff, 3)
    token = login(client, cast.manager)
    response = client.post(f"/runder/{cast.round_a.id}/paminnelse", data={"csrf_token": token})
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    # The manager, a respondent who has not submitted either, is not reminded of her own click.
    assert "Påminnelsen er sendt til 2 personer som ikke er ferdige." in page
    assert sorted(m.to for m in mailbox) == sorted([cast.staff2.email, cast.staff3.email])
    [event] = events(db, "reminder_sent")
    assert json.loads(event.detail) == {"recipients": 2}  # how many, never who
    # A second click the same day sends nothing more.
    client.post(f"/runder/{cast.round_a.id}/paminnelse", data={"csrf_token": token})
    assert len(mailbox) == 2


def test_a_manager_who_is_the_only_one_left_is_told_so_and_mailed_nothing(
    client, cast, db, mailbox
):
    for user in (cast.staff, cast.staff2, cast.staff3):
        submit_answers(db, cast.round_a, user, 3)
    token = login(client, cast.manager)
    response = client.post(f"/runder/{cast.round_a.id}/paminnelse", data={"csrf_token": token})
    page = client.get(response.headers["location"]).text
    assert "Ingen fikk påminnelse: du er den eneste som ikke er ferdig." in page
    assert "sendt til" not in page
    assert mailbox == []


def test_the_only_one_left_with_an_account_hears_who_else_is_missing(client, cast, db, mailbox):
    for user in (cast.staff, cast.staff2, cast.staff3):
        submit_answers(db, cast.round_a, user, 3)
    db.add(RoundInvitee(round_id=cast.round_a.id, email="ny@a.no"))
    db.commit()
    token = login(client, cast.manager)
    response = client.post(f"/runder/{cast.round_a.id}/paminnelse", data={"csrf_token": token})
    page = client.get(response.headers["location"]).text
    assert "av dem som har konto, er det bare du som ikke er ferdig." in page
    assert "1 person har ikke tatt imot invitasjonen sin ennå og fikk ingen påminnelse." in page
    assert mailbox == []


def test_a_reminder_says_answers_are_kept_only_to_those_who_saved_some(client, cast, db, mailbox):
    area = guidance_of(db, cast.round_a).areas[0]
    started = Response(round_id=cast.round_a.id, user_id=cast.staff.id)
    empty = Response(round_id=cast.round_a.id, user_id=cast.staff2.id)  # «Send inn», nothing
    db.add_all([started, empty])
    db.flush()
    db.add(Answer(response_id=started.id, statement_id=area.statements[0].id, level=2))
    db.commit()
    token = login(client, cast.manager)
    client.post(f"/runder/{cast.round_a.id}/paminnelse", data={"csrf_token": token})
    bodies = {m.to: m.body for m in mailbox}
    assert "Svarene du har lagret, er tatt vare på" in bodies[cast.staff.email]
    for person in (cast.staff2, cast.staff3):
        assert "Svarene du har lagret" not in bodies[person.email]
        assert "Svarene lagres mens du svarer" in bodies[person.email]
    assert "husk å sende inn" in bodies[cast.staff3.email]


def test_the_manager_is_told_who_a_reminder_cannot_reach(client, cast, db, mailbox):
    # Someone invited as new, who has not accepted: no account, so no reminder. The manager
    # would otherwise believe everyone had one.
    db.add(RoundInvitee(round_id=cast.round_a.id, email="ny@a.no"))
    db.commit()
    token = login(client, cast.manager)
    before = client.get(f"/runder/{cast.round_a.id}").text
    assert "1 person har ikke tatt imot invitasjonen sin ennå. Påminnelsen når bare" in before
    response = client.post(f"/runder/{cast.round_a.id}/paminnelse", data={"csrf_token": token})
    page = client.get(response.headers["location"]).text
    assert "Påminnelsen er sendt til 3 personer som ikke er ferdige." in page
    assert "1 person har ikke tatt imot invitasjonen sin ennå og fikk ingen påminnelse." in page
    assert 'data-color="warning" role="status"' in page  # done, with a catch
    assert "ny@a.no" not in [m.to for m in mailbox]


def test_staff_cannot_send_a_reminder(client, cast, db, mailbox):
    token = login(client, cast.staff)
    response = client.post(f"/runder/{cast.round_a.id}/paminnelse", data={"csrf_token": token})
    assert response.status_code == 403
    assert mailbox == []


def test_respondents_get_mail_when_a_round_opens_and_only_once(client, cast, db, mailbox):
    close_round(db, cast.round_a)  # its staff are then free to be chosen
    token = login(client, cast.manager)
    data = {
        "csrf_token": token,
        "name": "Vår 2028",
        "respondents": [str(cast.staff.id), str(cast.staff2.id)],
    }
    assert client.post("/runder", data=data).status_code == 303
    assert sorted(m.to for m in mailbox) == sorted([cast.staff.email, cast.staff2.email])
    assert "Vår 2028" in mailbox[0].subject
    run_due_work(db)
    opened = [m for m in mailbox if "Vår 2028" in m.subject]
    assert len(opened) == 2


def reminders(mailbox, rnd):
    return sorted(
        m.to for m in mailbox if m.subject.startswith(f"Påminnelse: {rnd.name} har frist")
    )


def test_the_jobs_remind_two_days_before_the_deadline_once(client, cast, db, mailbox):
    far = make_round(db, cast.a, name="Langt fram", deadline=today() + timedelta(days=3))
    soon = make_round(db, cast.a, name="Snart", deadline=today() + timedelta(days=2))
    run_due_work(db)
    run_due_work(db)
    everyone = [cast.staff.email, cast.staff2.email, cast.staff3.email, cast.manager.email]
    assert reminders(mailbox, soon) == sorted(everyone)
    assert reminders(mailbox, far) == []


def test_the_deadline_mail_skips_those_who_submitted(client, cast, db, mailbox):
    rnd = make_round(db, cast.a, name="Snart", deadline=today() + timedelta(days=1))
    submit_answers(db, rnd, cast.staff, 3)
    run_due_work(db)
    assert reminders(mailbox, rnd) == sorted(
        [cast.staff2.email, cast.staff3.email, cast.manager.email]
    )


def test_the_deadline_mail_says_answers_are_kept_only_to_those_who_saved_some(
    client, cast, db, mailbox
):
    rnd = make_round(db, cast.a, name="Snart", deadline=today() + timedelta(days=1))
    response = Response(round_id=rnd.id, user_id=cast.staff.id)
    db.add(response)
    db.flush()
    area = guidance_of(db, rnd).areas[0]
    db.add(AreaComment(response_id=response.id, area_id=area.id, text="Et utkast"))
    db.commit()
    run_due_work(db)
    bodies = {m.to: m.body for m in mailbox if m.subject.startswith("Påminnelse: Snart")}
    assert "Svarene du har lagret, er tatt vare på" in bodies[cast.staff.email]
    assert "Svarene du har lagret" not in bodies[cast.staff2.email]
    assert "Svarene lagres mens du svarer" in bodies[cast.staff2.email]


def test_the_owner_of_a_measure_hears_before_it_is_due_once(client, cast, db, mailbox):
    closed = make_closed_round(db, cast.a, [], name="Lukket")
    due = today() + timedelta(days=5)
    db.add(
        Measure(round_id=closed.id, title="Faste samtaler", owner_user_id=cast.staff2.id, due=due)
    )
    db.add(
        Measure(
            round_id=closed.id,
            title="Ferdig",
            owner_user_id=cast.staff3.id,
            due=due,
            status=MeasureStatus.DONE,
        )
    )
    db.add(
        Measure(
            round_id=closed.id,
            title="Senere",
            owner_user_id=cast.staff3.id,
            due=due + timedelta(days=30),
        )
    )
    db.commit()
    run_due_work(db)
    run_due_work(db)
    due_mails = [m for m in mailbox if m.subject.startswith("Tiltak med frist")]
    assert [(m.to, "Faste samtaler" in m.subject) for m in due_mails] == [(cast.staff2.email, True)]


def test_the_manager_who_starts_a_round_gets_no_mail_about_it(client, cast, db, mailbox):
    close_round(db, cast.round_a)
    token = login(client, cast.manager)
    data = {
        "csrf_token": token,
        "name": "Vår 2028",
        "respondents": [str(cast.staff.id), str(cast.manager.id)],
    }
    response = client.post("/runder", data=data)
    assert response.status_code == 303
    run_due_work(db)  # nor do the jobs send it afterwards
    assert [m.to for m in mailbox if "Vår 2028" in m.subject] == [cast.staff.email]
    rnd_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert "Du har ikke sendt inn svaret ditt ennå." in client.get("/runder").text
    assert client.get(f"/runder/{rnd_id}").status_code == 200  # still asked to answer


def test_a_manager_who_adds_herself_late_gets_no_mail_about_it(client, cast, db, mailbox):
    close_round(db, cast.round_a)
    rnd = make_round(db, cast.a, name="Uten leder")
    mine = (RoundRespondent.round_id == rnd.id) & (RoundRespondent.user_id == cast.manager.id)
    db.exec(delete(RoundRespondent).where(mine))
    db.commit()
    token = login(client, cast.manager)
    data = {"csrf_token": token, "user": str(cast.manager.id)}
    assert client.post(f"/runder/{rnd.id}/svarere", data=data).status_code == 303
    run_due_work(db)
    assert cast.manager.email not in [m.to for m in mailbox]
    assert cast.staff.email in [m.to for m in mailbox if "Uten leder" in m.subject]


def test_a_mail_the_server_refused_is_sent_by_the_next_run(client, cast, db, mailbox, monkeypatch):
    from app.mail import MailError
    from app.notices import service as notices
    from app.notices.models import SentNotice

    rnd = make_round(db, cast.a, name="Snart", deadline=today() + timedelta(days=2))
    real = notices.send_mail

    def refuse(*args, **kwargs):
        raise MailError("421 try again later")

    monkeypatch.setattr(notices, "send_mail", refuse)
    run_due_work(db)
    assert db.exec(select(SentNotice)).all() == []  # nothing is remembered as sent
    monkeypatch.setattr(notices, "send_mail", real)
    run_due_work(db)
    assert len(reminders(mailbox, rnd)) == 4
    assert db.exec(select(SentNotice).where(SentNotice.kind == "deadline_soon")).all()


def test_each_person_gets_mail_in_their_own_language(client, cast, db, mailbox):
    cast.staff2.locale = "nn"
    cast.staff3.locale = "en"
    db.add_all([cast.staff2, cast.staff3])
    db.commit()
    token = login(client, cast.manager)
    client.post(f"/runder/{cast.round_a.id}/paminnelse", data={"csrf_token": token})
    subjects = {m.to: m.subject for m in mailbox}
    assert subjects[cast.staff2.email] == "Påminning: Vår 2027"
    assert subjects[cast.staff3.email] == "Reminder: Vår 2027"
    assert subjects[cast.staff.email] == "Påminnelse: Vår 2027"
    assert client.get("/runder").text.count("Runder") >= 1  # the manager's page stays in bokmål
