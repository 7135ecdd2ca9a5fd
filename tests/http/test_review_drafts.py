"""Two KS advisers (or two tabs) on one round's feedback: a draft saved or sent since a page was
read is never overwritten, dropped or lost unseen."""

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.accounts.models import Role
from app.review.models import Feedback
from tests.conftest import login
from tests.factories import make_closed_round_at, make_user
from tests.http.test_review import confirm, events, share, soup


@pytest.fixture
def closed(db, cast):
    fourth = make_user(db, "ansatt4@a.no", Role.STAFF, cast.a)
    people = [cast.staff, cast.staff2, cast.staff3, fourth]
    return make_closed_round_at(db, cast.a, people, name="Høst 2026")


@pytest.fixture
def colleague(db):
    return make_user(db, "radgiver2@ks.no", Role.KS_ADVISER)


def page_form(client, user, rnd) -> dict[str, str]:
    """The feedback form as the adviser's page holds it when read: every field and hidden one."""
    login(client, user)
    form = soup(client.get(f"/ks/runder/{rnd.id}")).select_one("form#review-feedback")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
    return fields | {t["name"]: t.get_text() for t in form.select("textarea")}


def post(client, user, rnd, form: dict[str, str], action: str = "draft", done: bool = False):
    """The review page's form posted with one of its buttons; «send» goes on to confirm what
    the confirmation page shows, unless the first press was refused."""
    login(client, user)  # the other adviser may have been logged in between: a fresh token
    token = soup(client.get("/ks")).select_one("input[name=csrf_token]")["value"]
    path = f"/ks/runder/{rnd.id}/{'ferdig' if done else 'tilbakemelding'}"
    response = client.post(path, data=form | {"csrf_token": token, "action": action})
    if action != "send" or response.status_code != 303:
        return response
    return confirm(client, response.headers["location"])


def drafts(db, rnd) -> dict[str, str]:
    db.expire_all()
    return {fb.area_id: fb.text for fb in db.exec(select(Feedback)) if fb.sent_at is None}


def test_a_stale_page_does_not_overwrite_a_colleagues_draft(client, cast, db, closed, colleague):
    share(client, cast, closed)
    stale = page_form(client, cast.ks_adviser, closed)  # read before the colleague wrote
    theirs = page_form(client, colleague, closed)
    assert post(client, colleague, closed, theirs | {"f.": "Kollegaens utkast"}).status_code == 303

    refused = post(client, cast.ks_adviser, closed, stale | {"f.": "Mitt utkast"})
    assert refused.status_code == 409
    page = BeautifulSoup(refused.text, "html.parser")
    assert "endret eller sendt av en annen rådgiver" in page.select_one("#feedback-error").text
    assert page.select_one("#fb-hele").get_text() == "Mitt utkast"  # as typed
    assert "Kollegaens utkast" in page.select_one("#saved-hele").get_text()  # beside it
    assert drafts(db, closed) == {"": "Kollegaens utkast"}

    # Having seen both, the adviser saves again from that page: now it is theirs to replace.
    again = {i["name"]: i.get("value", "") for i in page.select("form#review-feedback input")}
    again |= {"f.": "Vårt felles utkast"}
    assert post(client, cast.ks_adviser, closed, again).status_code == 303
    assert drafts(db, closed) == {"": "Vårt felles utkast"}


def test_a_stale_empty_field_does_not_drop_a_colleagues_draft(client, cast, db, closed, colleague):
    share(client, cast, closed)
    stale = page_form(client, cast.ks_adviser, closed)
    post(client, colleague, closed, page_form(client, colleague, closed) | {"f.tillit": "Tillit"})

    # Saving the stale page (its tillit field empty) keeps the colleague's draft ...
    assert post(client, cast.ks_adviser, closed, stale | {"f.": "Helheten"}).status_code == 409
    assert drafts(db, closed) == {"tillit": "Tillit"}
    # ... and so does marking done from it, which would otherwise drop every draft emptied.
    assert post(client, cast.ks_adviser, closed, stale, done=True).status_code == 409
    assert drafts(db, closed) == {"tillit": "Tillit"}
    assert events(db, "review_done") == []


def test_feedback_sent_since_the_page_was_read_gives_the_typed_text_back(
    client, cast, db, closed, colleague, mailbox
):
    share(client, cast, closed)
    stale = page_form(client, cast.ks_adviser, closed)
    theirs = page_form(client, colleague, closed) | {"f.": "Sendt av kollega"}
    assert post(client, colleague, closed, theirs, action="send").status_code == 303
    assert len(mailbox) == 1

    refused = post(client, cast.ks_adviser, closed, stale | {"f.": "Min tekst"}, action="send")
    assert refused.status_code == 409
    page = BeautifulSoup(refused.text, "html.parser")
    # The area is sent now, so it has no field: the text typed stands under it to copy.
    assert page.select_one("#fb-hele") is None
    assert page.select_one("#feedback-error").has_attr("autofocus")  # the reason comes into view
    assert "Min tekst" in page.select_one("#typed-hele").find_next("p").get_text()
    assert len(mailbox) == 1  # nothing more was sent
    db.expire_all()
    assert [fb.text for fb in db.exec(select(Feedback))] == ["Sendt av kollega"]


def test_the_same_page_saves_and_marks_done_as_before(client, cast, db, closed):
    share(client, cast, closed)
    form = page_form(client, cast.ks_adviser, closed)
    assert post(client, cast.ks_adviser, closed, form | {"f.": "Første"}).status_code == 303
    form = page_form(client, cast.ks_adviser, closed)  # the page after saving shows the draft
    assert form["s."] == "Første"
    assert post(client, cast.ks_adviser, closed, form | {"f.": "Andre"}).status_code == 303
    assert drafts(db, closed) == {"": "Andre"}
    form = page_form(client, cast.ks_adviser, closed) | {"f.": ""}
    assert post(client, cast.ks_adviser, closed, form, done=True).status_code == 303
    assert drafts(db, closed) == {}
    assert len(events(db, "review_done")) == 1


def test_after_the_review_is_done_feedback_is_sent_never_left_a_draft(
    client, cast, db, closed, mailbox
):
    """Marking done refuses unsent drafts, since nothing would send them; after it, a draft
    saved would be just as lost."""
    share(client, cast, closed)
    form = page_form(client, cast.ks_adviser, closed)
    assert post(client, cast.ks_adviser, closed, form, done=True).status_code == 303
    login(client, cast.ks_adviser)
    page = soup(client.get(f"/ks/runder/{closed.id}"))
    assert "markert som ferdig" in page.select_one("#done-note").get_text()
    assert page.find("button", string="Lagre utkast") is None
    form = page_form(client, cast.ks_adviser, closed) | {"f.": "Et etterord"}
    refused = post(client, cast.ks_adviser, closed, form, action="draft")
    assert refused.status_code == 422
    assert "et utkast ville aldri bli sendt" in refused.text
    assert drafts(db, closed) == {}
    assert post(client, cast.ks_adviser, closed, form, action="send").status_code == 303
    assert len(mailbox) == 1


def test_a_page_given_back_for_a_long_text_still_guards_a_colleagues_draft(
    client, cast, db, closed, colleague
):
    share(client, cast, closed)
    stale = page_form(client, cast.ks_adviser, closed)
    post(client, colleague, closed, page_form(client, colleague, closed) | {"f.": "Kollegaens"})

    # Refused first for a text too long, the page comes back with the adviser's texts ...
    long = stale | {"f.": "Mitt utkast", "f.tillit": "x" * 4001}
    refused = post(client, cast.ks_adviser, closed, long)
    assert refused.status_code == 409
    page = BeautifulSoup(refused.text, "html.parser")
    assert "Kollegaens" in page.select_one("#saved-hele").get_text()
    # ... and the colleague's draft, saved since the first page, is not overwritten unseen.
    assert drafts(db, closed) == {"": "Kollegaens"}


def test_a_stale_page_does_not_bring_back_a_draft_a_colleague_deleted(
    client, cast, db, closed, colleague, mailbox
):
    share(client, cast, closed)
    post(client, colleague, closed, page_form(client, colleague, closed) | {"f.tillit": "Feil"})
    stale = page_form(client, cast.ks_adviser, closed)  # it shows the colleague's draft
    theirs = page_form(client, colleague, closed) | {"f.tillit": ""}
    assert post(client, colleague, closed, theirs).status_code == 303  # they delete it

    # Sending from the stale page, its tillit field still holding the draft, would make it
    # again and send it to the municipality: refused, the field saying it is deleted now.
    refused = post(client, cast.ks_adviser, closed, stale | {"f.": "Helheten"}, action="send")
    assert refused.status_code == 409
    page = BeautifulSoup(refused.text, "html.parser")
    assert page.select_one("#fb-tillit").get_text() == "Feil"  # as on screen
    assert "utkastet er slettet" in page.select_one("#saved-tillit").get_text()
    db.expire_all()
    assert db.exec(select(Feedback)).all() == []
    assert mailbox == []
