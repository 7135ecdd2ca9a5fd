"""A form that sends mail is sent once, however quickly its button is clicked twice.

A real double click reaches the server twice when the first request is on its way before the
second click (two invitation mails, of which only the second link works). Here each
submission the page lets through is counted and stopped before it leaves, so the clicks can
be as close as a person's without a server that answers slowly."""

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_questionnaire import assert_accessible

COUNT_AND_STOP = """() => {
  window.sent = 0;
  window.addEventListener("submit", (event) => {
    if (!event.defaultPrevented) { window.sent += 1; }
    event.preventDefault();
  });
}"""


def sent_by_two_clicks(page, button) -> int:
    page.evaluate(COUNT_AND_STOP)
    button.click()
    page.wait_for_timeout(80)
    button.click()
    return int(page.evaluate("window.sent"))


def test_two_quick_clicks_send_a_form_once(page, app_url):
    log_in(page, app_url, "leder@demo.kommune.no")
    page.goto(f"{app_url}/kommune")
    assert_accessible(page)
    page.get_by_label("E-postadresse").fill("dobbeltklikk@demo.kommune.no")
    assert sent_by_two_clicks(page, page.get_by_role("button", name="Send invitasjon")) == 1


def test_a_form_may_be_sent_again_once_the_page_is_shown_again(page, app_url):
    log_in(page, app_url, "leder@demo.kommune.no")
    page.goto(f"{app_url}/kommune")
    page.get_by_label("E-postadresse").fill("")  # the browser refuses an empty field
    button = page.get_by_role("button", name="Send invitasjon")
    assert sent_by_two_clicks(page, button) == 0  # refused before it was sent: not marked
    page.get_by_label("E-postadresse").fill("dobbeltklikk@demo.kommune.no")
    assert sent_by_two_clicks(page, button) == 1
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    button.click()  # back from the history: the mark is gone
    assert page.evaluate("window.sent") == 2
    expect(button).to_be_visible()
