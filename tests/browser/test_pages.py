"""Pages added for #10 in a real browser: the about page and accessibility statement, a failed
autosave while offline, the submitted summary, and the results page on a narrow screen."""

import io
import re

from PIL import Image
from playwright.sync_api import expect

from app.demo import OPEN_ROUND
from tests.browser.conftest import log_in
from tests.browser.test_questionnaire import assert_accessible, open_first_area, submit_over_http


def test_the_about_page_and_the_accessibility_statement_are_accessible(page, app_url):
    page.goto(f"{app_url}/logg-inn")
    page.get_by_role("link", name="Om tjenesten og personvern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Om Gode grep")
    assert_accessible(page)
    page.get_by_role("link", name="Tilgjengelighetserklæring").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tilgjengelighetserklæring")
    assert_accessible(page)


def red_at(page, x: float, y: float) -> bool:
    """Whether the screen is clearly red at a point (the bar beside what is not saved)."""
    shot = Image.open(io.BytesIO(page.screenshot(clip={"x": x, "y": y, "width": 1, "height": 1})))
    r, g, b = shot.convert("RGB").getpixel((0, 0))
    return r > 150 and r > g + 60 and r > b + 60


def test_a_save_that_fails_offline_is_shown_and_retried_when_back_online(page, app_url):
    page.set_viewport_size({"width": 360, "height": 800})  # a statement over three lines
    open_first_area(page, app_url)
    first = page.locator("fieldset.statement").first
    page.context.set_offline(True)
    first.get_by_role("radio").nth(1).check()
    status = first.locator(".statement__status")
    expect(status).to_contain_text("Ikke lagret")
    expect(first).to_have_class(re.compile("is-unsaved"))
    # The red bar runs beside the whole statement, from its first line: it began halfway down.
    first.scroll_into_view_if_needed()
    box, legend = first.bounding_box(), first.locator("legend").bounding_box()
    assert legend["height"] > 60
    assert red_at(page, box["x"] + 1, legend["y"] + 4)
    expect(page.locator("#save-status")).to_contain_text("ble ikke lagret")
    assert_accessible(page)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_contain_text("Lagret kl.")
    expect(first).not_to_have_class(re.compile("is-unsaved"))
    page.reload()
    expect(page.locator("fieldset.statement").first.get_by_role("radio").nth(1)).to_be_checked()


def test_the_submitted_summary_and_the_close_confirmation_are_accessible(page, app_url):
    submit_over_http(app_url, "ansatt1@demo.kommune.no", "3")
    open_first_area(page, app_url)
    expect(page.locator(".answer-summary")).to_be_visible()
    assert_accessible(page)
    page.context.clear_cookies()
    log_in(page, app_url, "leder@demo.kommune.no")
    page.get_by_role("link", name=OPEN_ROUND).click()
    page.get_by_role("link", name="Lukk runden og lag resultatene …").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lukke")
    assert_accessible(page)


def test_the_results_fit_a_narrow_screen(page, app_url):
    for email, level in (
        ("ansatt1@demo.kommune.no", "1"),
        ("ansatt2@demo.kommune.no", "2"),
        ("ansatt3@demo.kommune.no", "4"),
    ):
        submit_over_http(app_url, email, level)
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, app_url, "leder@demo.kommune.no")
    page.get_by_role("link", name=OPEN_ROUND).click()
    page.get_by_role("link", name="Lukk runden og lag resultatene …").click()
    page.get_by_role("button", name="Ja, lukk runden og lag resultatene").click()
    # «Resultatene er klare»: the way to them is on the first screen, not at the foot.
    results = page.get_by_role("link", name="Se resultatene for runden")
    box = results.bounding_box()
    assert box["y"] + box["height"] <= 800
    assert box["y"] < page.get_by_role("heading", name="For leder").bounding_box()["y"]
    results.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Resultater for")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert_accessible(page)
