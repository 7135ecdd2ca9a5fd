"""KS's review in a real browser, on the demo data: the queue, a review page with a draft,
the national overview, and the manager reading the feedback, each scanned with axe."""

import re

from playwright.sync_api import expect
from sqlalchemy import text

from app.db import make_engine
from app.demo import LATEST_CLOSED
from tests.browser.test_plan import assert_coloured_like_a_link
from tests.browser.test_questionnaire import assert_accessible


def log_in_as(page, app_url: str, email: str, lands_on: str) -> None:
    page.goto(f"{app_url}/logg-inn")
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Passord").fill("demo")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(lands_on))


def test_the_adviser_reviews_a_shared_round(page, app_url):
    log_in_as(page, app_url, "radgiver@ks.no", r".*/ks$")
    expect(page.get_by_role("heading", level=1)).to_have_text("Til gjennomgang")
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("Demo øykommune")  # shared longest ago
    expect(page.get_by_text("Demo kystkommune")).to_have_count(0)  # withdrawn
    expect(page.get_by_text("Demo fjordkommune")).to_have_count(0)  # reviewed
    assert_accessible(page)
    page.get_by_role("link", name="Demo bykommune").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demo bykommune")
    assert_accessible(page)
    page.get_by_role("button", name="Jeg ser på denne").click()
    expect(page.get_by_text("Du ser på denne runden nå.")).to_be_visible()
    # Side by side, on one line; and each field's label clear of the field above it.
    tops = [
        b.bounding_box()["y"] for b in page.locator("#review-feedback .button-row button").all()
    ]
    assert len(tops) == 2
    assert tops[0] == tops[1]
    fields = page.locator("#review-feedback textarea").all()
    labels = page.locator("#review-feedback .ds-field > .ds-label").all()
    for above, label in zip(fields, labels[1:], strict=False):
        gap = label.bounding_box()["y"] - (
            above.bounding_box()["y"] + above.bounding_box()["height"]
        )
        assert gap >= 16
    page.get_by_label("Hele runden").fill("Første linje\nAndre linje")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_text("Utkastet er lagret.")).to_be_visible()
    expect(page.get_by_label("Hele runden")).to_have_value("Første linje\nAndre linje")
    assert_accessible(page)


def test_the_adviser_looks_over_the_feedback_before_it_is_sent(page, app_url, server):
    """Demo dalkommune has a draft for the whole round: «Send til kommunen» shows it and a new
    text for one area (axe), «Tilbake og endre» keeps both, and only the confirmation sends.
    The demo is put back afterwards (sent feedback never changes in the app)."""
    log_in_as(page, app_url, "radgiver@ks.no", r".*/ks$")
    page.get_by_role("link", name="Demo dalkommune").click()
    review = page.url
    trust = page.get_by_role("textbox", name="Tillit mellom deltaker og veileder")
    try:
        trust.fill("Tilliten er et godt utgangspunkt.\nHold på de faste veilederne.")
        page.get_by_role("button", name="Send til kommunen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Send tilbakemeldingen til Demo dalkommune?"
        )
        cards = page.locator("ul.feedback-list > li")
        expect(cards).to_have_count(2)
        expect(cards.nth(0)).to_contain_text("Dere har et godt grunnlag.")
        expect(cards.nth(1)).to_contain_text("Hold på de faste veilederne.")
        assert_accessible(page)
        page.get_by_role("link", name="Tilbake og endre").click()
        expect(trust).to_have_value(
            "Tilliten er et godt utgangspunkt.\nHold på de faste veilederne."
        )
        expect(page.get_by_label("Hele runden")).to_contain_text("Dere har et godt grunnlag.")
        expect(page.get_by_text("Tilbakemeldingen er sendt.")).to_have_count(0)
        page.get_by_role("button", name="Send til kommunen").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Send tilbakemeldingen")
        page.get_by_role("button", name="Send til kommunen").click()  # the confirmation's
        page.wait_for_url(review)
        expect(page.get_by_text("Tilbakemeldingen er sendt.")).to_be_visible()
        expect(page.get_by_role("textbox", name="Hele runden")).to_have_count(0)
        assert_accessible(page)
    finally:
        _unsend_dalkommune(server[1])


def _unsend_dalkommune(url: str) -> None:
    """Demo dalkommune's feedback as the demo made it: the one draft for the whole round."""
    engine = make_engine(url)
    shares = (
        "SELECT s.id FROM roundshare s JOIN municipality m ON m.id = s.municipality_id "
        "WHERE m.name = 'Demo dalkommune'"
    )
    with engine.begin() as conn:
        conn.execute(text(f"DELETE FROM feedback WHERE area_id != '' AND share_id IN ({shares})"))
        conn.execute(text(f"UPDATE feedback SET sent_at = NULL WHERE share_id IN ({shares})"))
    engine.dispose()


def test_the_national_overview_is_accessible(page, app_url):
    log_in_as(page, app_url, "radgiver@ks.no", r".*/ks$")
    page.get_by_role("link", name="Nasjonal oversikt").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nasjonal oversikt")
    expect(page.get_by_text("Ingen ny delt runde på over 18 måneder")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Fylke", exact=True).click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Fylke")


def test_the_manager_reads_feedback_beside_the_results(page, app_url):
    log_in_as(page, app_url, "leder@fjordkommune.demo.no", r".*/runder$")
    page.get_by_role("link", name=LATEST_CLOSED).click()
    page.get_by_role("link", name="Se resultatene for runden").click()
    expect(page.get_by_text("Delt med KS")).to_be_visible()
    expect(page.locator(".feedback-list")).to_contain_text("Dere har et godt grunnlag.")
    assert_coloured_like_a_link(page, page.get_by_role("button", name="Send svaret").first)
    assert_accessible(page)


def test_the_manager_shares_the_plan_and_the_adviser_reads_it(page, app_url):
    """Demo kystkommune withdrew its share; sharing again with the plan shows KS the plan
    section (axe), and withdrawing again leaves the demo as it was for the other tests."""
    log_in_as(page, app_url, "leder@kystkommune.demo.no", r".*/runder$")
    page.locator("a[href^='/runder/']").filter(has_text=re.compile(".+")).first.click()
    page.get_by_role("link", name="Se resultatene for runden").click()
    results = page.url
    page.get_by_label("Ta med handlingsplanen").check()
    page.get_by_label("Ta med de anonyme kommentarene").check()
    expect(page.get_by_text("aldri med navn")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Del runden med KS").click()
    # The comments first, as KS will read them; nothing is shared before the press.
    expect(page.get_by_role("heading", level=1)).to_have_text("Dele kommentarene med KS?")
    assert_accessible(page)
    page.get_by_role("button", name="Del med kommentarene").click()
    expect(page.get_by_text("KS ser også handlingsplanen")).to_be_visible()
    expect(page.get_by_text("de anonyme kommentarene i runden")).to_be_visible()
    try:
        page.context.clear_cookies()  # log in afresh as someone else
        log_in_as(page, app_url, "radgiver@ks.no", r".*/ks$")
        page.get_by_role("link", name="Demo kystkommune").click()
        expect(
            page.get_by_role("heading", name="Handlingsplanen kommunen har delt")
        ).to_be_visible()
        assert_accessible(page)
    finally:
        page.context.clear_cookies()
        log_in_as(page, app_url, "leder@kystkommune.demo.no", r".*/runder$")
        page.goto(results)
        page.get_by_role("button", name="Trekk tilbake delingen").click()
        expect(page.get_by_text("KS ser ikke lenger noe av runden")).to_be_visible()


def test_the_adviser_gives_a_round_back(page, app_url):
    """Demo dalkommune is taken by the adviser: given back (axe), then taken again so the
    demo stays as it was."""
    log_in_as(page, app_url, "radgiver@ks.no", r".*/ks$")
    page.get_by_role("link", name="Demo dalkommune").click()
    page.get_by_role("button", name="Gi fra deg runden").click()
    expect(page.get_by_text("Du har gitt fra deg runden.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Jeg ser på denne").click()
    expect(page.get_by_role("button", name="Gi fra deg runden")).to_be_visible()


def test_the_adviser_finds_the_reviewed_rounds_from_the_queue(page, app_url):
    log_in_as(page, app_url, "radgiver@ks.no", r".*/ks$")
    page.get_by_role("link", name="Se runder som er ferdig gjennomgått").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gjennomgått")
    expect(page.locator("tbody")).to_contain_text("Demo fjordkommune")
    expect(page.get_by_text("Demo kystkommune")).to_have_count(0)  # withdrawn
    assert_accessible(page)


def test_leaving_feedback_not_saved_asks_first(page, app_url):
    """Feedback typed and neither saved as a draft nor sent is not lost to a link without a
    question; nothing is saved by asking."""
    log_in_as(page, app_url, "radgiver@ks.no", r".*/ks$")
    page.get_by_role("link", name="Demo øykommune").click()
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    field = page.get_by_label("Hele runden")
    field.fill("Godt arbeid med planen.")
    page.locator("#main").get_by_role("link", name="Til gjennomgang").click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    expect(field).to_have_value("Godt arbeid med planen.")
    field.fill("")  # emptied again: nothing to lose
    page.locator("#main").get_by_role("link", name="Til gjennomgang").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Til gjennomgang")
    assert asked == ["beforeunload"]
