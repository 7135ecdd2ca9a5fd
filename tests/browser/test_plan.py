"""The action plan in a real browser: a measure made from a piece of advice, by keyboard,
with axe reporting nothing on the form and the plan; staff read the plan."""

from playwright.sync_api import expect

from app.demo import LATEST_CLOSED
from tests.browser.conftest import log_in
from tests.browser.test_questionnaire import assert_accessible


def assert_coloured_like_a_link(page, control) -> None:
    """A link or button in a card has the colour of the menu's links: the cards' grey made them
    look disabled."""
    menu_link = page.locator(".site-nav a").first
    colour = "e => getComputedStyle(e).color"
    assert control.evaluate(colour) == menu_link.evaluate(colour)


def test_a_measure_from_advice_lands_in_the_plan_that_staff_read(page, app_url):
    log_in(page, app_url, "leder@demo.kommune.no")
    page.get_by_role("link", name=LATEST_CLOSED).click()
    page.get_by_role("link", name="Se resultatene for runden").click()
    page.get_by_role("link", name="Lag et tiltak av dette rådet").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nytt tiltak")
    title = page.get_by_label("Hva skal gjøres?")
    expect(title).not_to_have_value("")
    assert page.locator('input[name="statements"]:checked').count() > 0
    assert_accessible(page)
    title.fill("Prøve ut faste møter med arbeidsgivere")
    page.get_by_label("Ansvarlig i kommunen").select_option(label="ansatt4@demo.kommune.no")
    page.get_by_role("button", name="Lagre tiltaket").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Handlingsplan for {LATEST_CLOSED}")
    expect(
        page.get_by_role("heading", name="Prøve ut faste møter med arbeidsgivere")
    ).to_be_visible()
    assert_coloured_like_a_link(
        page, page.get_by_role("link", name="Endre «Prøve ut faste møter med arbeidsgivere»")
    )
    assert_accessible(page)
    page.get_by_role("button", name="Logg ut").click()
    log_in(page, app_url, "ansatt4@demo.kommune.no")
    assert_coloured_like_a_link(page, page.get_by_role("link", name=LATEST_CLOSED))
    page.get_by_role("link", name=LATEST_CLOSED).click()
    page.get_by_role("link", name="Handlingsplanen etter runden").click()
    expect(
        page.get_by_role("heading", name="Prøve ut faste møter med arbeidsgivere")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Nytt tiltak")).to_have_count(0)
    assert_accessible(page)
