"""The manager's form to start a round, by keyboard: choosing staff and inviting new people in
the same step, with axe on the form, its error state and the new round; and cancelling it."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from app.db import make_engine
from tests.browser.conftest import log_in
from tests.browser.test_questionnaire import assert_accessible

NAME = "Nettlesertest vår"
INVITED = "ny.tastatur.invitert@demo.kommune.no"


@pytest.fixture
def cleanup(server):
    """The round this test starts, its invitations and pending people are removed afterwards,
    so the other browser tests see the demo as it was."""
    yield
    engine = make_engine(server[1])
    made = "SELECT id FROM round WHERE name = :name"
    with engine.begin() as conn:
        for table in ("roundinvitee", "roundrespondent", "response"):
            conn.execute(text(f"DELETE FROM {table} WHERE round_id IN ({made})"), {"name": NAME})
        for (round_id,) in conn.execute(text(made), {"name": NAME}).all():
            conn.execute(text("DELETE FROM sentnotice WHERE key LIKE :k"), {"k": f"{round_id}:%"})
        conn.execute(text("DELETE FROM round WHERE name = :name"), {"name": NAME})
        conn.execute(text("DELETE FROM invitation WHERE email LIKE 'ny.tastatur%'"))
    engine.dispose()


def tab_to(page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element has focus, as someone without a mouse would."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} was not reached by Tab")


def test_a_manager_starts_a_round_and_invites_new_people_by_keyboard(page, app_url, cleanup):
    log_in(page, app_url, "leder@demo.kommune.no")
    page.goto(f"{app_url}/kommune")  # invited there first: on the form, not registered yet
    page.get_by_label("E-postadresse").fill(INVITED)
    page.get_by_role("button", name="Send invitasjon").click()
    expect(page.get_by_role("status")).to_contain_text(INVITED)
    page.goto(f"{app_url}/runder")
    staff = page.get_by_label("ansatt1@demo.kommune.no")  # in the demo's open round
    expect(staff).not_to_be_checked()
    expect(staff).to_have_accessible_description(re.compile("^Med i den åpne runden «"))
    invited = page.get_by_label(INVITED)
    expect(invited).to_be_checked()
    expect(invited).to_have_accessible_description(re.compile("^Invitert, ikke registrert ennå"))
    assert_accessible(page)
    page.get_by_label("Navn på runden").focus()
    page.keyboard.type(NAME)
    tab_to(page, "round-new-people")
    page.keyboard.type("Ny Tastatur <ny.tastatur@demo.kommune.no>")  # as a mail program copies
    page.keyboard.press("Enter")  # one address per line
    page.keyboard.type("ikke-en-adresse")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Start runden")).to_be_focused()
    page.keyboard.press("Enter")

    summary = page.locator("#error-summary")
    expect(summary).to_be_in_viewport()  # not below the list of rounds, out of sight
    expect(summary).to_be_focused()  # the keyboard starts at the errors too
    expect(summary).to_contain_text("«ikke-en-adresse» er ikke en gyldig e-postadresse")
    field = page.get_by_label("Inviter nye personer (valgfritt)")
    expect(field).to_have_value("Ny Tastatur <ny.tastatur@demo.kommune.no>\nikke-en-adresse")
    expect(page.get_by_label("Navn på runden")).to_have_value(NAME)
    assert_accessible(page)
    summary.get_by_role("link").focus()
    page.keyboard.press("Enter")  # the summary's link leads to the field
    expect(field).to_be_focused()
    page.keyboard.press("Control+End")
    for _ in range(len("ikke-en-adresse") + 1):  # the bad line and its line break
        page.keyboard.press("Backspace")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    assert "#" not in page.url  # the new round's address, nothing of the form's errors
    flash = page.get_by_role("status").filter(has_text="invitasjonen er sendt til 1 ny person.")
    expect(flash).to_contain_text("1 person hadde allerede en invitasjon og er lagt til runden")
    expect(page.get_by_text("har ikke tatt imot invitasjonen ennå")).to_have_count(2)
    assert_accessible(page)

    page.goto(f"{app_url}/utvikler/epost")
    mail = page.locator(".mail", has_text="ny.tastatur@demo.kommune.no").first
    expect(mail).to_contain_text(NAME)
    assert re.search(r"/invitasjon/[A-Za-z0-9_-]+", mail.inner_text())
    told = page.locator(".mail", has_text=INVITED).filter(has_text=NAME).first
    expect(told).to_contain_text("Du fikk en invitasjon til Gode grep på e-post")


def test_a_manager_cancels_a_new_round_and_those_asked_are_told(page, app_url, cleanup):
    log_in(page, app_url, "leder@demo.kommune.no")
    page.get_by_label("Navn på runden").fill(NAME)
    page.get_by_label("Inviter nye personer (valgfritt)").fill("ny.tastatur@demo.kommune.no")
    page.get_by_role("button", name="Start runden").click()
    page.get_by_role("link", name="Avlys runden …").click()
    expect(page.get_by_text("får en e-post om at runden er avlyst")).to_be_visible()
    page.get_by_role("button", name="Ja, avlys runden").click()

    expect(page).to_have_url(f"{app_url}/runder")
    flash = page.get_by_role("status").filter(has_text=f"«{NAME}» er avlyst")
    expect(flash).to_contain_text("har fått e-post om det")
    assert_accessible(page)
    page.goto(f"{app_url}/utvikler/epost")
    mail = page.locator(".mail", has_text=f"Runde avlyst i Gode grep: {NAME}").first
    expect(mail).to_contain_text("ny.tastatur@demo.kommune.no")
    expect(mail).to_contain_text("er avlyst av lederen")


def test_a_round_nobody_has_begun_offers_to_cancel_it(page, app_url):
    """Only the way there and back: cancelling would remove the demo's open round."""
    log_in(page, app_url, "leder@demo.kommune.no")
    page.get_by_role("link", name=re.compile("^Høst|^Vår")).first.click()
    page.get_by_role("link", name="Avlys runden …").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Avlyse «")
    expect(page.get_by_text("Ingen har begynt å svare, så ingen svar går tapt.")).to_be_visible()
    expect(page.get_by_text("får en e-post om at runden er avlyst")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Nei, la runden være").click()
    expect(page.get_by_role("link", name="Avlys runden …")).to_be_visible()
