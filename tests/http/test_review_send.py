"""«Send til kommunen» asks first: sent feedback can never change, so the first press saves
the drafts as typed and shows exactly what will be sent; only the confirmation sends, and only
what it showed."""

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.accounts.models import Role
from app.review.models import Feedback
from tests.conftest import four_staff, login
from tests.factories import make_closed_round_at, make_user
from tests.http.test_review import events, share, soup
from tests.http.test_review_drafts import drafts, page_form, post

TRUST = "Tillit mellom deltaker og veileder"


@pytest.fixture
def closed(db, cast):
    return make_closed_round_at(db, cast.a, four_staff(db, cast), name="Høst 2026")


@pytest.fixture
def colleague(db):
    return make_user(db, "radgiver2@ks.no", Role.KS_ADVISER)


def press(client, user, rnd, form: dict[str, str], action: str = "send"):
    """One press of a button under the review page's form, as posted; nothing followed."""
    login(client, user)
    token = soup(client.get("/ks")).select_one("input[name=csrf_token]")["value"]
    url = f"/ks/runder/{rnd.id}/tilbakemelding"
    return client.post(url, data=form | {"csrf_token": token, "action": action})


def confirmation(client, rnd) -> BeautifulSoup:
    return soup(client.get(f"/ks/runder/{rnd.id}/tilbakemelding/send"))


def confirm_form(page: BeautifulSoup) -> dict[str, str]:
    form = page.select_one("form#confirm-send")
    return {i["name"]: i.get("value", "") for i in form.select("input[name]")}


def confirm(client, user, rnd, data: dict[str, str]):
    """Press «Send til kommunen» on a confirmation page read earlier (`data`: its form)."""
    login(client, user)  # the colleague may have been logged in between: a fresh token
    token = soup(client.get("/ks")).select_one("input[name=csrf_token]")["value"]
    return client.post(
        f"/ks/runder/{rnd.id}/tilbakemelding/send", data=data | {"csrf_token": token}
    )


def sent(db) -> dict[str, str]:
    db.expire_all()
    return {fb.area_id: fb.text for fb in db.exec(select(Feedback)) if fb.sent_at is not None}


def typed_and_shown(client, cast, rnd) -> BeautifulSoup:
    """Two texts typed and «Send til kommunen» pressed once: the confirmation page."""
    form = page_form(client, cast.ks_adviser, rnd)
    typed = form | {"f.": "Godt arbeid.\nFortsett slik.", "f.tillit": "Se på tilliten."}
    response = press(client, cast.ks_adviser, rnd, typed)
    assert response.status_code == 303
    assert response.headers["location"] == f"/ks/runder/{rnd.id}/tilbakemelding/send"
    return confirmation(client, rnd)


def test_the_first_press_sends_nothing_and_shows_what_would_be_sent(
    client, cast, db, closed, mailbox
):
    share(client, cast, closed)
    page = typed_and_shown(client, cast, closed)
    assert mailbox == []
    assert sent(db) == {}
    assert events(db, "feedback_sent") == []
    # Saved as typed, so nothing is lost whatever the adviser does next.
    assert drafts(db, closed) == {"": "Godt arbeid.\nFortsett slik.", "tillit": "Se på tilliten."}
    assert "Send tilbakemeldingen til Kommune A?" in page.h1.get_text()
    assert "Ingenting er sendt ennå" in page.select_one("#send-note").get_text()
    listed = [
        (card.h3.get_text(strip=True), card.select_one(".plain-text").get_text())
        for card in page.select("ul.feedback-list > li")
    ]
    assert listed == [
        ("Hele runden", "Godt arbeid.\nFortsett slik."),
        (TRUST, "Se på tilliten."),
    ]
    assert page.find("button", string="Send til kommunen")
    back = page.find("a", string="Tilbake og endre")
    assert back["href"] == f"/ks/runder/{closed.id}#tilbakemelding"
    login(client, cast.manager)
    assert "Se på tilliten." not in client.get(f"/runder/{closed.id}/resultater").text


def test_confirming_sends_what_was_shown_and_mails_the_managers(client, cast, db, closed, mailbox):
    share(client, cast, closed)
    data = confirm_form(typed_and_shown(client, cast, closed))
    response = confirm(client, cast.ks_adviser, closed, data)
    assert response.status_code == 303
    assert response.headers["location"] == f"/ks/runder/{closed.id}"
    assert "Tilbakemeldingen er sendt." in client.get(response.headers["location"]).text
    assert sent(db) == {"": "Godt arbeid.\nFortsett slik.", "tillit": "Se på tilliten."}
    assert [m.to for m in mailbox] == ["leder@a.no"]
    assert len(events(db, "feedback_sent")) == 1
    login(client, cast.manager)
    assert "Se på tilliten." in client.get(f"/runder/{closed.id}/resultater").text


def test_a_second_press_of_the_confirmation_sends_nothing_more(client, cast, db, closed, mailbox):
    """A double click, or the browser's back button to the confirmation and its button again."""
    share(client, cast, closed)
    data = confirm_form(typed_and_shown(client, cast, closed))
    assert confirm(client, cast.ks_adviser, closed, data).status_code == 303
    again = confirm(client, cast.ks_adviser, closed, data)
    assert again.status_code == 409
    assert (
        "Ingenting er sendt"
        in BeautifulSoup(again.text, "html.parser").select_one("#feedback-error").get_text()
    )
    assert len(mailbox) == 1
    assert len(events(db, "feedback_sent")) == 1
    page = confirmation(client, closed)  # read again: nothing waits, nothing offered
    assert page.h1.get_text() == "Ingen tilbakemelding å sende"
    assert page.select_one("form#confirm-send") is None


def test_going_back_keeps_the_texts_to_change_them(client, cast, db, closed, mailbox):
    share(client, cast, closed)
    back = typed_and_shown(client, cast, closed).find("a", string="Tilbake og endre")["href"]
    page = soup(client.get(back))
    assert page.select_one("#fb-hele").get_text() == "Godt arbeid.\nFortsett slik."
    assert page.select_one("#fb-tillit").get_text() == "Se på tilliten."
    form = page_form(client, cast.ks_adviser, closed) | {"f.tillit": "Se særlig på tilliten."}
    assert press(client, cast.ks_adviser, closed, form).status_code == 303
    texts = [p.get_text() for p in confirmation(client, closed).select(".plain-text")]
    assert texts == ["Godt arbeid.\nFortsett slik.", "Se særlig på tilliten."]
    assert mailbox == []
    assert sent(db) == {}


@pytest.mark.parametrize("meanwhile", ["changed", "added", "sent"])
def test_drafts_changed_after_the_confirmation_was_shown_are_not_sent(
    client, cast, db, closed, colleague, mailbox, meanwhile
):
    share(client, cast, closed)
    data = confirm_form(typed_and_shown(client, cast, closed))
    theirs = page_form(client, colleague, closed)
    if meanwhile == "changed":
        post(client, colleague, closed, theirs | {"f.tillit": "Kollegaens tillit"})
    elif meanwhile == "added":
        post(client, colleague, closed, theirs | {"f.arbeidsliv": "Kollegaens arbeidsliv"})
    else:
        post(client, colleague, closed, theirs, action="send")  # sends both drafts as they are
    colleague_mail = len(mailbox)

    refused = confirm(client, cast.ks_adviser, closed, data)
    assert refused.status_code == 409
    page = BeautifulSoup(refused.text, "html.parser")
    said = page.select_one("#feedback-error").get_text()
    assert "Ingenting er sendt" in said
    assert "Ingenting ble lagret" not in said  # the save's words, not the confirmation's
    assert len(mailbox) == colleague_mail  # nothing more
    if meanwhile == "changed":
        assert sent(db) == {}
        assert page.select_one("#fb-tillit").get_text() == "Se på tilliten."  # as confirmed
        assert "Kollegaens tillit" in page.select_one("#saved-tillit").get_text()  # beside it
        assert page.select_one("#fb-hele").get_text() == "Godt arbeid.\nFortsett slik."
    elif meanwhile == "added":
        assert sent(db) == {}
        assert "Kollegaens arbeidsliv" in page.select_one("#saved-arbeidsliv").get_text()
        # Not emptied: pressing «Send» again from here must not delete the colleague's text.
        assert page.select_one("#fb-arbeidsliv").get_text() == "Kollegaens arbeidsliv"
    else:
        assert len(events(db, "feedback_sent")) == 1  # the colleague's, not this adviser's
        assert page.select_one("#fb-tillit") is None  # sent: a card, the text beside it
        # Sent by the colleague exactly as this adviser wrote it: said so, nothing to copy.
        assert "sendt slik du skrev det" in page.select_one("#typed-tillit").get_text()
        assert "kopier det" not in page.get_text()


def test_having_seen_both_texts_the_adviser_sends_from_the_refusal(
    client, cast, db, closed, colleague, mailbox
):
    share(client, cast, closed)
    data = confirm_form(typed_and_shown(client, cast, closed))
    theirs = page_form(client, colleague, closed) | {"f.tillit": "Kollegaens tillit"}
    post(client, colleague, closed, theirs)
    page = BeautifulSoup(confirm(client, cast.ks_adviser, closed, data).text, "html.parser")
    form = page.select_one("form#review-feedback")
    again = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
    again |= {t["name"]: t.get_text() for t in form.select("textarea")}
    assert press(client, cast.ks_adviser, closed, again).status_code == 303
    data = confirm_form(confirmation(client, closed))
    assert confirm(client, cast.ks_adviser, closed, data).status_code == 303
    assert sent(db) == {"": "Godt arbeid.\nFortsett slik.", "tillit": "Se på tilliten."}
    assert len(mailbox) == 1


def test_a_send_with_nothing_written_says_so_and_asks_nothing(client, cast, db, closed, mailbox):
    share(client, cast, closed)
    response = press(client, cast.ks_adviser, closed, page_form(client, cast.ks_adviser, closed))
    assert response.status_code == 422
    reason = BeautifulSoup(response.text, "html.parser").select_one("#feedback-error")
    assert "Skriv minst én tilbakemelding før du sender." in reason.get_text()
    assert drafts(db, closed) == {}
    # A confirmation with nothing on it (an old one, drafts emptied since) sends nothing either.
    refused = confirm(client, cast.ks_adviser, closed, {})
    assert refused.status_code == 422
    assert "Skriv minst én tilbakemelding" in refused.text
    assert mailbox == []
    assert events(db, "feedback_sent") == []


def test_a_share_withdrawn_before_the_confirmation_gives_the_texts_back(
    client, cast, db, closed, mailbox
):
    share(client, cast, closed)
    data = confirm_form(typed_and_shown(client, cast, closed))
    token = login(client, cast.manager)
    client.post(f"/runder/{closed.id}/trekk-deling", data={"csrf_token": token})
    response = confirm(client, cast.ks_adviser, closed, data)
    assert response.status_code == 404
    page = BeautifulSoup(response.text, "html.parser")
    kept = [box.get_text() for box in page.select("textarea[readonly]")]
    assert kept == ["Godt arbeid.\nFortsett slik.", "Se på tilliten."]
    assert closed.name not in response.text
    assert mailbox == []
    assert sent(db) == {}


@pytest.mark.parametrize(
    ("locale", "heading", "count", "back"),
    [
        (
            "nn",
            "Send tilbakemeldinga til Kommune A?",
            "Dette blir sendt (2 tekstar)",
            "Tilbake og endre",
        ),
        ("en", "Send the feedback to Kommune A?", "This will be sent (2 texts)", "Back to editing"),
    ],
)
def test_the_confirmation_is_in_the_advisers_language(
    client, cast, db, closed, locale, heading, count, back
):
    cast.ks_adviser.locale = locale
    db.add(cast.ks_adviser)
    db.commit()
    share(client, cast, closed)
    page = typed_and_shown(client, cast, closed)
    assert page.h1.get_text() == heading
    assert page.select_one("#to-send-heading").get_text() == count
    assert page.select_one("form#confirm-send a").get_text() == back


def test_the_confirmation_names_a_colleague_who_has_taken_the_round(
    client, cast, closed, colleague
):
    share(client, cast, closed)
    token = login(client, colleague)
    assert client.post(f"/ks/runder/{closed.id}/ta", data={"csrf_token": token}).status_code == 303
    note = typed_and_shown(client, cast, closed).select_one("#taken-note").get_text()
    assert "radgiver2@ks.no ser på denne runden. Snakk sammen før du sender" in note


def test_two_presses_that_read_the_drafts_before_either_sent_send_once(
    client, cast, db, closed, mailbox, monkeypatch
):
    """A double click: the second press read the drafts as unsent before the first committed
    (SQLite takes no row lock on that read); it sends nothing and mails nobody again."""
    from app.review import sending

    share(client, cast, closed)
    data = confirm_form(typed_and_shown(client, cast, closed))
    read_before = sending.locked_feedback

    def stale(session, share_row):
        found = read_before(session, share_row)
        for fb in found.values():
            session.expunge(fb)
            fb.sent_at = None  # as the second press saw them
        return found

    assert confirm(client, cast.ks_adviser, closed, data).status_code == 303
    mails = len(mailbox)
    monkeypatch.setattr(sending, "locked_feedback", stale)
    again = confirm(client, cast.ks_adviser, closed, data)
    assert again.status_code == 409
    assert "Ingenting er sendt" in again.text
    assert len(mailbox) == mails
    assert len(events(db, "feedback_sent")) == 1


def test_a_colleague_who_sends_a_draft_unchanged_does_not_become_its_author(
    client, cast, db, closed, colleague, mailbox
):
    share(client, cast, closed)
    typed_and_shown(client, cast, closed)  # this adviser's two drafts, not sent
    theirs = page_form(client, colleague, closed) | {"f.arbeidsliv": "Kollegaens arbeidsliv"}
    post(client, colleague, closed, theirs, action="send")  # sends all three as they stand
    assert set(sent(db)) == {"", "tillit", "arbeidsliv"}

    login(client, cast.manager)
    page = soup(client.get(f"/runder/{closed.id}/resultater"))
    by = {
        card.select_one(".plain-text").get_text(): card.select_one(".muted").get_text()
        for card in page.select("li.ds-card")
        if card.select_one(".plain-text") and card.select_one(".muted")
    }
    assert by["Se på tilliten."].startswith(f"Fra {cast.ks_adviser.email},")
    assert by["Godt arbeid.\nFortsett slik."].startswith(f"Fra {cast.ks_adviser.email},")
    assert by["Kollegaens arbeidsliv"].startswith("Fra radgiver2@ks.no,")


def test_the_confirmation_says_who_wrote_a_colleagues_draft_and_sends_in_area_order(
    client, cast, db, closed, colleague
):
    share(client, cast, closed)
    mine = page_form(client, cast.ks_adviser, closed)
    written = mine | {"f.tillit": "Se på tilliten.", "f.arbeidsliv": "Mer arbeidspraksis."}
    assert post(client, cast.ks_adviser, closed, written).status_code == 303
    theirs = page_form(client, colleague, closed) | {"f.": "Godt arbeid."}
    assert press(client, colleague, closed, theirs).status_code == 303
    page = confirmation(client, closed)
    cards = [c.get_text(" ", strip=True) for c in page.select(".feedback-list li")]
    assert "Skrevet av" not in cards[0]  # the colleague's own text
    assert all("Skrevet av radgiver@ks.no" in card for card in cards[1:])
    assert confirm(client, colleague, closed, confirm_form(page)).status_code == 303
    # The municipality reads it as the advisers saw it: the round, then the areas in order.
    login(client, cast.manager)
    results = soup(client.get(f"/runder/{closed.id}/resultater"))
    texts = [p.get_text(strip=True) for p in results.select("#ks-feedback ~ * .plain-text")]
    assert texts[:3] == ["Godt arbeid.", "Se på tilliten.", "Mer arbeidspraksis."]
