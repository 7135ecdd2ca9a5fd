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


BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll(".report table th, .report table td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


def test_the_reports_tables_break_no_word_on_a_wide_screen_or_a_phone(page, app_url):
    """Wrapping «anywhere» let the report's table columns shrink until «04.04.2027»,
    «Planlagt» and «Runde» broke mid-word; on a phone the plan scrolls in its region."""
    log_in(page, app_url, "leder@demo.kommune.no")
    page.goto(f"{app_url}/utvikling")
    page.get_by_role("link", name="utskriftsvennlig side").first.click()
    expect(page.locator("table.plan")).to_be_visible()
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(BROKEN_WORDS) == [], width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
