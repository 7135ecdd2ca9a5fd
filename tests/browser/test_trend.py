"""The development page and the council report in a real browser, scanned with axe."""

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_questionnaire import assert_accessible


def test_the_development_page_and_the_report_are_accessible(page, app_url):
    log_in(page, app_url, "leder@demo.kommune.no")
    page.get_by_role("link", name="Utvikling", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Utvikling over tid")
    expect(page.locator("table.peer-table")).to_contain_text("kommuner)")
    expect(page.locator("svg.trend-chart").first).to_be_visible()
    page.get_by_text("Påstand for påstand").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="utskriftsvennlig side").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("rapport til kommunestyret")
    assert_accessible(page)
