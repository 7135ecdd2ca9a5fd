"""Sharing a round with KS (the municipality's act), KS's review queue, feedback and replies."""

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.accounts.models import Role
from app.audit import AuditEvent
from app.review.models import RoundShare
from app.settings import get_settings
from tests.conftest import login
from tests.factories import make_closed_round_at, make_user


@pytest.fixture
def closed(db, cast):
    """A closed round of municipality A that four staff answered, with comments: what KS
    reads needs the minimum (3) and one more behind it."""
    fourth = make_user(db, "ansatt4@a.no", Role.STAFF, cast.a)
    people = [cast.staff, cast.staff2, cast.staff3, fourth]
    return make_closed_round_at(db, cast.a, people, comment="Vi trenger mer tid", name="Høst 2026")


def share(client, cast, rnd, comments: bool = False):
    token = login(client, cast.manager)
    data = {"csrf_token": token, **({"comments": "ja"} if comments else {})}
    return with_comments(client, client.post(f"/runder/{rnd.id}/del-med-ks", data=data))


def with_comments(client, response):
    """Where a share (or its change) adds the comments, the page showing them comes first:
    press «… med kommentarene» there, as the manager does."""
    if response.status_code != 200 or "share-check" not in response.text:
        return response
    page = BeautifulSoup(response.text, "html.parser")
    form = page.select_one("form#share-with-comments")
    data = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
    return client.post(form["action"], data=data)


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def events(db, name: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.event == name)))


def test_it_shares_a_closed_round_and_says_so_to_the_municipality(client, cast, db, closed):
    login(client, cast.manager)
    page = soup(client.get(f"/runder/{closed.id}/resultater"))
    assert "bare tall som minst 4 står bak" in page.get_text()
    assert share(client, cast, closed).status_code == 303
    text = soup(client.get(f"/runder/{closed.id}/resultater")).get_text()
    assert "Delt med KS" in text
    assert "av leder@a.no" in text
    assert "men ikke kommentarene" in text
    assert len(events(db, "round_shared")) == 1


def test_the_offer_to_share_names_the_configured_minimum(client, cast, closed, monkeypatch):
    monkeypatch.setattr(get_settings(), "min_respondents", 4)
    login(client, cast.manager)
    text = soup(client.get(f"/runder/{closed.id}/resultater")).get_text()
    assert "bare tall som minst 5 står bak" in text
    share(client, cast, closed)
    login(client, cast.ks_adviser)
    page = soup(client.get(f"/ks/runder/{closed.id}"))
    hrefs = {a["href"] for a in page.select("main a[href]")}
    # The manager's own tools (the meeting view, the plan, a measure from advice) are not KS's.
    assert not {h for h in hrefs if h.startswith(f"/runder/{closed.id}/")}
    # KS's feedback is read by those who answered too: four answered, and KS needs five.
    assert "KS ser resultatene bare når minst 5 har sendt inn" in page.get_text()


def test_ks_can_order_the_advice_by_phase_as_the_manager_can(client, cast, closed):
    share(client, cast, closed)
    login(client, cast.ks_adviser)
    page = soup(client.get(f"/ks/runder/{closed.id}"))
    assert page.select_one("figure.chart") is not None  # the chart the manager sees, too
    by_area = page.get_text()
    by_phase = soup(client.get(f"/ks/runder/{closed.id}?rad=fase")).get_text()
    assert "Ordnet etter område, de prioriterte først." in by_area
    assert "Ordnet etter fasene i deltakerens løp." in by_phase
    assert "Oppstart" in by_phase
    assert client.get(f"/ks/runder/{closed.id}?rad=tull").status_code == 422


def test_it_refuses_to_share_an_open_round(client, cast, db):
    assert share(client, cast, cast.round_a).status_code == 409
    assert db.exec(select(RoundShare)).all() == []


def test_staff_cannot_share(client, cast, closed):
    token = login(client, cast.staff)
    response = client.post(f"/runder/{closed.id}/del-med-ks", data={"csrf_token": token})
    assert response.status_code == 403


def test_ks_sees_the_shared_round_without_comments_or_names(client, cast, closed):
    share(client, cast, closed)
    login(client, cast.ks_adviser)
    text = soup(client.get(f"/ks/runder/{closed.id}")).get_text()
    assert "Poeng per område" in text
    assert "Kommune A" in text
    assert "Vi trenger mer tid" not in text
    for person in (cast.staff, cast.staff2, cast.staff3, cast.manager):
        assert person.email not in text


def test_ks_sees_comments_only_when_the_manager_ticked_the_box(client, cast, closed):
    share(client, cast, closed, comments=True)
    login(client, cast.ks_adviser)
    assert "Vi trenger mer tid" in client.get(f"/ks/runder/{closed.id}").text


def test_ks_cannot_reach_unshared_or_open_rounds(client, cast, closed):
    login(client, cast.ks_adviser)
    for rnd in (closed, cast.round_a, cast.round_b):
        assert client.get(f"/ks/runder/{rnd.id}").status_code == 404
    assert client.get("/ks/runder/999999").status_code == 404
    assert client.get(f"/runder/{closed.id}/resultater").status_code == 403


def test_withdrawal_takes_effect_at_once(client, cast, db, closed):
    share(client, cast, closed)
    adviser = client.__class__(client.app, follow_redirects=False)
    login(adviser, cast.ks_adviser)
    assert adviser.get(f"/ks/runder/{closed.id}").status_code == 200
    token = login(client, cast.manager)
    assert (
        client.post(f"/runder/{closed.id}/trekk-deling", data={"csrf_token": token}).status_code
        == 303
    )
    # The same adviser's very next request: gone, from the page, the queue and the overview.
    assert adviser.get(f"/ks/runder/{closed.id}").status_code == 404
    assert "Høst 2026" not in adviser.get("/ks").text
    assert "Kommune A" not in adviser.get("/ks/oversikt").text
    assert "Kommune A" not in adviser.get("/ks/oversikt.csv").content.decode("utf-8-sig")
    assert len(events(db, "round_share_withdrawn")) == 1
    assert "trukket tilbake" in client.get(f"/runder/{closed.id}/resultater").text


def test_the_queue_lists_shared_rounds_oldest_first_with_filters(client, cast, db, closed):
    other = make_closed_round_at(
        db, cast.b, [make_user(db, f"b{i}@b.no", "staff", cast.b) for i in range(3)]
    )
    share(client, cast, closed)
    token = login(client, cast.other_manager)
    client.post(f"/runder/{other.id}/del-med-ks", data={"csrf_token": token})
    login(client, cast.ks_adviser)
    rows = [r.get_text(" ", strip=True) for r in soup(client.get("/ks")).select("tbody tr")]
    assert [r.split(" ")[:2] for r in rows] == [["Kommune", "A"], ["Kommune", "B"]]
    small = soup(client.get("/ks?storrelse=liten")).select("tbody tr")
    assert len(small) == 1
    assert "Kommune A" in small[0].get_text()
    assert client.get("/ks?storrelse=kjempestor").status_code == 422
    # A county where nothing waits: the choice stays shown, and the page says why it is empty.
    none = soup(client.get("/ks?fylke=Finnmark"))
    assert none.select_one("#fylke option[selected]").get_text() == "Finnmark"
    assert "med dette utvalget" in none.get_text()
    assert none.find("a", string="Vis alle")["href"] == "/ks"


def test_two_advisers_cannot_take_the_same_round(client, cast, db, closed):
    share(client, cast, closed)
    second = make_user(db, "radgiver2@ks.no", "ks_adviser")
    token = login(client, cast.ks_adviser)
    assert client.post(f"/ks/runder/{closed.id}/ta", data={"csrf_token": token}).status_code == 303
    assert "radgiver@ks.no" in client.get("/ks").text
    token = login(client, second)
    page = soup(client.get(f"/ks/runder/{closed.id}"))
    assert page.select("form[action$='/ta']") == []  # no button that can only be refused
    assert "radgiver@ks.no ser på denne runden" in page.select_one("#taken-note").get_text()
    assert "radgiver@ks.no" in page.select_one(".facts").get_text()
    refused = client.post(f"/ks/runder/{closed.id}/ta", data={"csrf_token": token})  # an old tab
    assert refused.status_code == 409
    back = BeautifulSoup(refused.text, "html.parser").select_one("#way-back")
    assert back["href"] == f"/ks/runder/{closed.id}"


def send_feedback(client, cast, rnd, action: str, **texts: str):
    """The feedback form posted with its button; «send» is then confirmed as shown, as the
    adviser does, unless the first press was refused."""
    token = login(client, cast.ks_adviser)
    data = {"csrf_token": token, "action": action, **{f"f.{k}": v for k, v in texts.items()}}
    response = client.post(f"/ks/runder/{rnd.id}/tilbakemelding", data=data)
    if action != "send" or response.status_code != 303:
        return response
    return confirm(client, response.headers["location"])


def confirm(client, url: str):
    """Press «Send til kommunen» on the confirmation page at `url`, with what it carries."""
    form = soup(client.get(url)).select_one("form#confirm-send")
    data = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
    return client.post(form["action"], data=data)


def test_feedback_is_a_draft_until_sent_then_mailed_and_shown(client, cast, closed, mailbox):
    share(client, cast, closed)
    hostile = "Godt jobba.\n<script>alert(1)</script>\nNeste linje"
    assert send_feedback(client, cast, closed, "draft", **{"": hostile}).status_code == 303
    login(client, cast.manager)
    draft = soup(client.get(f"/runder/{closed.id}/resultater"))
    assert "Godt jobba" not in draft.get_text()
    assert draft.select_one("#ks-notice") is None
    assert send_feedback(client, cast, closed, "send").status_code == 303
    assert [m.to for m in mailbox] == ["leder@a.no"]
    assert f"/runder/{closed.id}/resultater#ks-feedback" in mailbox[0].body  # straight to it
    login(client, cast.manager)
    html = client.get(f"/runder/{closed.id}/resultater").text
    # Told at the top: the feedback itself is far down the page, after the advice.
    notice = BeautifulSoup(html, "html.parser").select_one("#ks-notice a")
    assert notice["href"] == "#ks-feedback"
    assert BeautifulSoup(html, "html.parser").select_one("#ks-feedback")
    assert "&lt;script&gt;" in html
    assert "<script>alert" not in html
    shown = BeautifulSoup(html, "html.parser").select(".feedback-list .plain-text")
    assert shown[0].get_text() == hostile


def replying_to(client, cast, rnd, feedback: str = "Se på oppfølgingen.") -> dict[str, str]:
    """The round shared, KS's feedback sent, and the manager logged in with the reply form's
    fields for it (without the text)."""
    share(client, cast, rnd)
    send_feedback(client, cast, rnd, "send", **{"": feedback})
    token = login(client, cast.manager)
    fid = soup(client.get(f"/runder/{rnd.id}/resultater")).select_one("input[name=feedback]")
    return {"csrf_token": token, "feedback": fid["value"]}


def test_the_manager_replies_once_per_feedback(client, cast, db, closed, mailbox):
    data = replying_to(client, cast, closed) | {"text": "Takk, vi tar det med."}
    assert client.post(f"/runder/{closed.id}/tilbakemelding/svar", data=data).status_code == 303
    assert client.post(f"/runder/{closed.id}/tilbakemelding/svar", data=data).status_code == 409
    login(client, cast.ks_adviser)
    assert "Takk, vi tar det med." in client.get(f"/ks/runder/{closed.id}").text
    assert len(events(db, "feedback_replied")) == 1


def test_it_confirms_the_reply_in_the_ks_section_where_the_page_opens(
    client, cast, closed, mailbox
):
    """The redirect lands on KS's feedback, after the advice: the confirmation is shown there,
    under the feedback it answers, not at the top of the page, out of sight."""
    data = replying_to(client, cast, closed) | {"text": "Takk, vi tar det med."}
    response = client.post(f"/runder/{closed.id}/tilbakemelding/svar", data=data)
    assert response.headers["location"].endswith("#ks-feedback")
    page = soup(client.get(response.headers["location"]))
    status = page.select_one("#ks-feedback + [role=status]")
    assert status.get_text(strip=True) == "Svaret ditt er sendt til KS."
    assert len(page.select("[role=status]")) == 1


def test_a_municipality_never_sees_another_municipalitys_feedback(
    client, cast, db, closed, mailbox
):
    share(client, cast, closed)
    send_feedback(client, cast, closed, "send", **{"": "Bare for kommune A"})
    other = make_closed_round_at(
        db, cast.b, [make_user(db, f"b{i}@b.no", "staff", cast.b) for i in range(3)]
    )
    token = login(client, cast.other_manager)
    assert "Bare for kommune A" not in client.get(f"/runder/{other.id}/resultater").text
    assert client.get(f"/runder/{closed.id}/resultater").status_code == 404
    a_feedback = soup(client.get(f"/runder/{other.id}/resultater"))
    assert a_feedback.select(".feedback-list") == []
    # Replying to A's feedback through B's own round changes nothing.
    login(client, cast.manager)
    fid = soup(client.get(f"/runder/{closed.id}/resultater")).select_one("input[name=feedback]")
    token = login(client, cast.other_manager)
    data = {"csrf_token": token, "feedback": fid["value"], "text": "Innbrudd"}
    assert client.post(f"/runder/{other.id}/tilbakemelding/svar", data=data).status_code == 409


def test_feedback_stays_with_the_municipality_after_withdrawal(client, cast, closed, mailbox):
    share(client, cast, closed)
    send_feedback(client, cast, closed, "send", **{"": "Dette blir stående"})
    token = login(client, cast.manager)
    client.post(f"/runder/{closed.id}/trekk-deling", data={"csrf_token": token})
    assert "Dette blir stående" in client.get(f"/runder/{closed.id}/resultater").text


def test_marking_done_takes_the_round_out_of_the_queue(client, cast, db, closed):
    share(client, cast, closed)
    token = login(client, cast.ks_adviser)
    assert "Høst 2026" in client.get("/ks").text
    assert (
        client.post(f"/ks/runder/{closed.id}/ferdig", data={"csrf_token": token}).status_code == 303
    )
    assert "Høst 2026" not in client.get("/ks").text
    assert (
        client.post(f"/ks/runder/{closed.id}/ferdig", data={"csrf_token": token}).status_code == 409
    )
    assert len(events(db, "review_done")) == 1
    login(client, cast.manager)
    assert "markerte gjennomgangen som ferdig" in client.get(f"/runder/{closed.id}/resultater").text


def test_after_sending_the_adviser_is_reminded_to_mark_the_review_done(client, cast, closed):
    """Sent feedback does not take the round out of the queue; only «ferdig» does."""
    share(client, cast, closed)
    nudge = "trykk «Marker gjennomgangen som ferdig»"

    def flash_after_send(**texts: str) -> str:
        sent = send_feedback(client, cast, closed, "send", **texts)
        assert sent.status_code == 303
        page = soup(client.get(sent.headers["location"]))
        return page.select_one("[role=status], .ds-alert").get_text(" ", strip=True)

    first = flash_after_send(**{"": "Godt arbeid med oppfølgingen."})
    assert "Tilbakemeldingen er sendt" in first
    assert nudge in first
    assert "Høst 2026" in client.get("/ks").text  # still in the queue until marked done
    token = login(client, cast.ks_adviser)
    assert (
        client.post(f"/ks/runder/{closed.id}/ferdig", data={"csrf_token": token}).status_code == 303
    )
    later = flash_after_send(tillit="Et tillegg om tillit.")
    assert "Tilbakemeldingen er sendt" in later
    assert nudge not in later


def test_feedback_written_but_not_sent_stops_marking_done_and_stays(client, cast, db, closed):
    """Once done, nothing would send it: the municipality would never read it."""
    share(client, cast, closed)
    send_feedback(client, cast, closed, "draft", **{"": "Et utkast"})
    token = login(client, cast.ks_adviser)
    done = f"/ks/runder/{closed.id}/ferdig"
    # The button sends the feedback form as it stands: the saved draft, and new text typed.
    on_screen = {"csrf_token": token, "f.": "Et utkast", "f.tillit": "Skrevet nå"}
    refused = client.post(done, data=on_screen)
    assert refused.status_code == 422
    page = BeautifulSoup(refused.text, "html.parser")
    assert "tilbakemelding som ikke er sendt" in page.select_one("#feedback-error").get_text()
    assert page.select_one("#fb-tillit").get_text() == "Skrevet nå"  # kept as typed
    assert "Høst 2026" in client.get("/ks").text  # still in the queue
    assert events(db, "review_done") == []
    # An older page without the fields, with a draft saved: refused too.
    assert client.post(done, data={"csrf_token": token}).status_code == 422
    # Emptied on screen: the draft the page showed is dropped, never sent, and the review is done.
    emptied = {"csrf_token": token, "f.": "", "s.": "Et utkast", "f.tillit": ""}
    assert client.post(done, data=emptied).status_code == 303
    assert "Høst 2026" not in client.get("/ks").text
    login(client, cast.manager)
    assert "Et utkast" not in client.get(f"/runder/{closed.id}/resultater").text


def test_the_done_button_sends_the_feedback_form_as_it_stands(client, cast, closed):
    share(client, cast, closed)
    login(client, cast.ks_adviser)
    page = soup(client.get(f"/ks/runder/{closed.id}"))
    button = page.find("button", string="Marker gjennomgangen som ferdig")
    assert button["formaction"] == f"/ks/runder/{closed.id}/ferdig"
    assert page.select_one(f"form#{button['form']} textarea[name='f.']")


def test_feedback_on_an_unknown_area_is_refused(client, cast, closed):
    share(client, cast, closed)
    assert send_feedback(client, cast, closed, "draft", finnes_ikke="x").status_code == 422


def test_a_withdrawn_round_can_be_shared_again(client, cast, closed):
    share(client, cast, closed)
    token = login(client, cast.manager)
    client.post(f"/runder/{closed.id}/trekk-deling", data={"csrf_token": token})
    assert share(client, cast, closed).status_code == 303
    text = soup(client.get(f"/runder/{closed.id}/resultater")).get_text()
    assert "trukket tilbake" in text
    assert "Delt med KS" in text
    login(client, cast.ks_adviser)
    assert client.get(f"/ks/runder/{closed.id}").status_code == 200
    assert share(client, cast, closed).status_code == 409  # once at a time


def test_no_reply_while_withdrawn_and_ks_keeps_its_history_when_shared_again(
    client, cast, db, closed, mailbox
):
    from app.review.models import Feedback

    share(client, cast, closed)
    send_feedback(client, cast, closed, "send", **{"": "Se på oppfølgingen."})
    ks_token = login(client, cast.ks_adviser)
    client.post(f"/ks/runder/{closed.id}/ferdig", data={"csrf_token": ks_token})
    token = login(client, cast.manager)
    results = f"/runder/{closed.id}/resultater"
    fid = soup(client.get(results)).select_one("input[name=feedback]")["value"]
    client.post(f"/runder/{closed.id}/trekk-deling", data={"csrf_token": token})
    page = soup(client.get(results))
    assert page.select("form[action$='/tilbakemelding/svar']") == []  # no reply KS cannot see
    assert "Runden er ikke delt med KS nå" in page.get_text()
    assert "markerte gjennomgangen som ferdig" not in page.get_text()  # that share is gone
    data = {"csrf_token": token, "feedback": fid, "text": "Vi svarer likevel."}
    refused = client.post(f"/runder/{closed.id}/tilbakemelding/svar", data=data)
    assert refused.status_code == 409
    assert "ikke delt med KS nå" in refused.text
    assert db.exec(select(Feedback.reply)).all() == [None]

    share(client, cast, closed)  # shared again: a new share, reviewed from the start
    data["csrf_token"] = login(client, cast.manager)
    assert client.post(f"/runder/{closed.id}/tilbakemelding/svar", data=data).status_code == 303
    login(client, cast.ks_adviser)
    review = soup(client.get(f"/ks/runder/{closed.id}"))
    earlier = review.select_one("[aria-labelledby=earlier-heading]").get_text()
    assert "Se på oppfølgingen." in earlier
    assert "Vi svarer likevel." in earlier
    assert "Venter på gjennomgang" in review.get_text()
    assert review.select_one("#fb-hele").get_text() == ""  # new feedback starts empty


def test_mail_about_feedback_and_replies_is_in_the_readers_language(
    client, cast, db, closed, mailbox
):
    from app.mail import flush

    cast.manager.locale = "nn"  # the leader reads nynorsk; the adviser writes in English
    cast.ks_adviser.locale = "en"
    db.add_all([cast.manager, cast.ks_adviser])
    db.commit()
    share(client, cast, closed)
    send_feedback(client, cast, closed, "send", **{"": "Se på oppfølgingen."})
    (to_leader,) = mailbox
    assert to_leader.to == cast.manager.email
    assert to_leader.subject == f"Tilbakemelding frå KS på «{closed.name}»"
    token = login(client, cast.manager)
    fid = soup(client.get(f"/runder/{closed.id}/resultater")).select_one("input[name=feedback]")
    data = {"csrf_token": token, "feedback": fid["value"], "text": "Takk, vi tar det med."}
    client.post(f"/runder/{closed.id}/tilbakemelding/svar", data=data)
    flush()
    to_adviser = mailbox[1]  # the review may be marked done: the mail is how KS hears of it
    assert to_adviser.to == cast.ks_adviser.email
    assert to_adviser.subject.endswith("has replied to your feedback")
    assert f"/ks/runder/{closed.id}" in to_adviser.body


def test_ks_reads_as_any_respondent_could_so_nothing_tells_the_leaders_answers(client, cast, db):
    from app.authz import Actor
    from app.results.service import team_results
    from app.review.models import SharedArea

    # Three answered and the leader did not: the leader sees the figures (three others). KS's
    # feedback is read in the municipality, by those who answered too, so KS sees a figure
    # only where any one of them would have three others behind it: none here.
    rnd = make_closed_round_at(db, cast.a, [cast.staff, cast.staff2, cast.staff3], level=3)
    login(client, cast.manager)
    offer = soup(client.get(f"/runder/{rnd.id}/resultater")).get_text()
    assert "KS vil derfor ikke se noen tall eller kommentarer fra denne runden." in offer
    share(client, cast, rnd)
    shared = soup(client.get(f"/runder/{rnd.id}/resultater")).get_text()
    assert "Poeng per område" in shared
    assert "noen tall dere ser her, kan mangle hos KS" in shared
    login(client, cast.ks_adviser)
    text = soup(client.get(f"/ks/runder/{rnd.id}")).get_text()
    assert "Poeng per område" not in text
    assert "minst 4 har sendt inn" in text
    assert {a.score for a in db.exec(select(SharedArea))} == {None}  # nor in the overview

    # Five answered; on every statement three gave a level and two said "Vet ikke". Whether
    # the leader was among the three or not, KS sees the same: the levels hidden, the share
    # of "Vet ikke" shown. Before, KS saw the levels only where the leader had said "Vet
    # ikke", and so learnt the leader's answer.
    fourth = make_user(db, "ansatt4@a.no", Role.STAFF, cast.a)
    people = [cast.manager, cast.staff, cast.staff2, cast.staff3, fourth]
    leader_gave = make_closed_round_at(db, cast.a, people, level=[4, 4, 4, 0, 0], name="En")
    leader_not = make_closed_round_at(db, cast.a, people, level=[0, 4, 4, 4, 0], name="To")
    ks = Actor(cast.ks_adviser.id, "ks_adviser", None, cast.ks_adviser.email)
    seen = []
    for rnd in (leader_gave, leader_not):
        share(client, cast, rnd)
        page = team_results(db, ks, rnd)
        seen.append({(s.id, f.levels, f.dont_know_share) for row in page.rows
                     for s, f in row.statements})  # fmt: skip
    assert seen[0] == seen[1]
    assert {(levels, share) for _, levels, share in seen[0]} == {(None, 40.0)}


def test_ks_stored_figures_do_not_follow_who_is_manager_and_refresh_repairs_them(
    client, cast, db, closed
):
    from app.review.models import SharedArea
    from app.review.refresh import refresh_figures

    share(client, cast, closed)  # four staff answered: KS and its overview see the figures
    stored = {a.area_id: a.score for a in db.exec(select(SharedArea))}
    assert any(score is not None for score in stored.values())
    token = login(client, cast.admin)
    data = {"role": "manager", "municipality_number": cast.a.number, "active": "on",
            "csrf_token": token}  # fmt: skip
    assert client.post(f"/admin/brukere/{cast.staff.id}", data=data).status_code == 303
    db.expire_all()
    assert {a.area_id: a.score for a in db.exec(select(SharedArea))} == stored

    # Figures stored under an earlier rule (before a deploy) follow the current one after
    # `python -m app.review.refresh`.
    stale = db.exec(select(SharedArea).where(SharedArea.area_id == "tillit")).one()
    stale.score = 44.0
    db.add(stale)
    db.commit()
    assert refresh_figures(db) == 1
    db.commit()
    assert {a.area_id: a.score for a in db.exec(select(SharedArea))} == stored


def test_ks_is_not_told_every_area_is_strong_where_no_area_has_a_score(client, cast, db):
    """Two of four said "Vet ikke" everywhere: no score reaches KS, so no area is called
    strong and the page says why none is a priority."""
    people = [
        *[cast.staff, cast.staff2, cast.staff3],
        make_user(db, "ansatt4@a.no", "staff", cast.a),
    ]
    rnd = make_closed_round_at(db, cast.a, people, level=[4, 4, 0, 0])
    share(client, cast, rnd)
    login(client, cast.ks_adviser)
    text = soup(client.get(f"/ks/runder/{rnd.id}")).get_text(" ")
    assert "Ingen av områdene har poeng her: for få står bak tallene" in text
    assert "Alle områdene har minst" not in text


def test_ks_reads_the_page_about_the_team_not_to_it(client, cast, db):
    """The results page speaks to the municipality's team («dere»); KS did not answer."""
    people = [
        *[cast.staff, cast.staff2, cast.staff3],
        make_user(db, "ansatt4@a.no", "staff", cast.a),
    ]
    rnd = make_closed_round_at(db, cast.a, people, level=4)
    share(client, cast, rnd)
    manager = soup(client.get(f"/runder/{rnd.id}/resultater")).get_text(" ")
    assert "Velg selv hva dere vil videreutvikle" in manager
    assert "over 30 når dere ser ganske ulikt" in manager
    login(client, cast.ks_adviser)
    text = soup(client.get(f"/ks/runder/{rnd.id}")).get_text(" ")
    assert "Alle områdene har minst 70 poeng." in text
    assert "over 30 når de ser ganske ulikt på det" in text
    assert "Velg selv hva dere" not in text
