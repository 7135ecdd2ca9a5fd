"""The manager's pages on a 360 px phone, in bokmål and in English (the longest texts): the
page never scrolls sideways, nothing is cut off, and axe reports nothing."""

import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import text

from app.clock import oslo_today
from app.db import make_engine
from app.demo import LATEST_CLOSED, OPEN_ROUND
from tests.browser.conftest import log_in
from tests.browser.test_questionnaire import assert_accessible

NARROW = {"width": 360, "height": 800}
MANAGER = "leder@demo.kommune.no"


@pytest.fixture
def manager_language(server) -> Iterator[None]:
    """The language a test picks is saved on the manager's account: forget it afterwards, so
    the other tests meet the manager in bokmål."""
    yield
    engine = make_engine(server[1])
    with engine.begin() as conn:
        conn.execute(text('UPDATE "user" SET locale = NULL WHERE email = :e'), {"e": MANAGER})
    engine.dispose()


def choose_language(page, lang: str) -> None:
    account = page.locator(".site-account > summary")
    if account.is_visible():  # folded away on a phone
        account.click()
    page.locator("#lang-select").select_option(lang)
    page.locator(".language-form button").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def page_width(page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def manager_on_a_phone(page, app_url, lang: str) -> None:
    page.set_viewport_size(NARROW)
    log_in(page, app_url, MANAGER)
    choose_language(page, lang)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_follow_up_tables_can_be_read_whole_on_a_phone(page, app_url, manager_language, lang):
    manager_on_a_phone(page, app_url, lang)
    page.get_by_role("link", name=LATEST_CLOSED).click()
    page.locator('main a[href$="/resultater"]').first.click()
    regions = page.locator(".followup .table-scroll")
    assert regions.count() > 0
    assert page_width(page) == NARROW["width"]
    for i in range(regions.count()):
        region = regions.nth(i)
        # The card clips what sticks out, so the region itself must stay inside the card …
        card = region.locator("xpath=ancestor::div[contains(@class, 'followup__measure')]")
        assert region.bounding_box()["x"] + region.bounding_box()["width"] <= (
            card.bounding_box()["x"] + card.bounding_box()["width"]
        )
        # … be reachable by keyboard with a name, and scroll to the table's last column.
        expect(region).to_have_attribute("tabindex", "0")
        expect(region).to_have_attribute("role", "region")
        assert region.get_attribute("aria-label")
        region.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
        last = region.locator("thead th").last.bounding_box()
        box = region.bounding_box()
        assert last["x"] + last["width"] <= box["x"] + box["width"] + 1
    labels = [regions.nth(i).get_attribute("aria-label") for i in range(regions.count())]
    assert len(set(labels)) == len(labels)  # one name per measure, not one for all
    assert_accessible(page)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_deadline_button_goes_under_its_field_on_a_phone(page, app_url, manager_language, lang):
    # «Move the deadline» beside the date field made the English page 401 px wide.
    manager_on_a_phone(page, app_url, lang)
    page.get_by_role("link", name=OPEN_ROUND).click()
    deadline = page.locator("#new-deadline")
    expect(deadline).to_be_visible()
    assert page_width(page) == NARROW["width"]
    assert_accessible(page)
    field, button = deadline.bounding_box(), page.locator('form[action$="/frist"] button')
    if lang == "nb":  # «Flytt fristen» fits beside its field, and lines up with it
        box = button.bounding_box()
        assert box["x"] > field["x"] + field["width"]
        assert abs(box["y"] + box["height"] - (field["y"] + field["height"])) <= 1
    deadline.fill((oslo_today() - timedelta(days=3)).isoformat())
    page.locator('form[action$="/frist"] button').click()
    expect(page.locator("#deadline-error")).to_be_visible()
    assert page_width(page) == NARROW["width"]
    button = page.locator('form[action$="/frist"] button').bounding_box()
    assert button["x"] + button["width"] <= NARROW["width"]
    assert_accessible(page)


def chart_text(page) -> tuple[float, list[str]]:
    """The height of a figure over a dot in the first development chart, in screen pixels
    (its line, about 1.3 times its letters), and the round names its axis shows."""
    chart = page.locator("svg.trend-chart").first
    height = chart.locator(".trend-chart__value").first.evaluate(
        "e => e.getBoundingClientRect().height"
    )
    names = chart.locator("text[y='168']")
    shown = [names.nth(i).text_content() for i in range(names.count()) if names.nth(i).is_visible()]
    return height, shown


def test_the_development_charts_can_be_read_on_a_phone(page, app_url):
    # At 360 px the charts are drawn at about half size: their 12 px text was 7 px high.
    log_in(page, app_url, MANAGER)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{app_url}/utvikling")
    wide_height, wide_names = chart_text(page)
    assert len(wide_names) > 2  # room for every round's name
    page.set_viewport_size(NARROW)
    height, names = chart_text(page)
    assert height >= 14, f"the figures are {height:.1f} px high"  # about 11 px letters
    assert names == [wide_names[0], wide_names[-1]]  # the table beside names the others
    assert page_width(page) == NARROW["width"]
    assert_accessible(page)


LONG_ADDRESS = "kari.nordmann-hansen@introduksjonsprogrammet.demo.kommune.no"


@pytest.fixture
def forget_long_address(server) -> Iterator[None]:
    """The invitation is removed afterwards: an open one stands on the new-round form, ticked,
    for the browser tests that start a round."""
    yield
    engine = make_engine(server[1])
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM invitation WHERE email = :e"), {"e": LONG_ADDRESS})
    engine.dispose()


def test_a_long_address_in_a_message_wraps_on_a_phone(page, app_url, forget_long_address):
    # The message after an invitation names the address; a long one is a single "word".
    page.set_viewport_size(NARROW)
    log_in(page, app_url, MANAGER)
    page.goto(f"{app_url}/kommune")
    address = LONG_ADDRESS
    page.get_by_label("E-postadresse").fill(address)
    page.get_by_role("button", name="Send invitasjon").click()
    message = page.get_by_role("status")
    expect(message).to_contain_text(address)
    assert page_width(page) == NARROW["width"]
    box = message.locator("p").bounding_box()
    right = page.evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " return Math.max(...[...r.getClientRects()].map(c => c.right)); }",
        message.locator("p").element_handle(),
    )
    assert right <= box["x"] + box["width"] + 1  # the text stays inside its box


def edge_shade(region, side: str) -> float:
    """How dark the region's outermost pixels on one side are (0 white, 255 black)."""
    shot = Image.open(io.BytesIO(region.screenshot())).convert("L")
    x = 1 if side == "left" else shot.width - 2
    column = [shot.getpixel((x, y)) for y in range(shot.height)]
    return 255 - sum(column) / len(column)


def test_a_table_wider_than_a_phone_shows_there_is_more_to_the_side(page, app_url):
    # The peer medians at 360 px: the size class's median lay off to the right, with nothing
    # to say a column was there. A shadow marks the side the table scrolls on, and goes away
    # at the end.
    page.set_viewport_size(NARROW)
    log_in(page, app_url, MANAGER)
    page.goto(f"{app_url}/utvikling")
    region = page.locator("section[aria-labelledby=peers-heading] .table-scroll")
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")
    assert edge_shade(region, "right") > edge_shade(region, "left") + 15
    region.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    assert edge_shade(region, "left") > edge_shade(region, "right") + 15


def assert_header_in_two_tidy_rows(page) -> None:
    """The name on the left with the menu on its row at the right, the account flush right
    under them: the manager's header was a ragged stack of three rows down the left edge."""
    name = page.locator(".site-brand").bounding_box()
    menu = page.locator(".site-nav").bounding_box()
    account = page.locator(".site-account").bounding_box()
    assert abs(menu["y"] + menu["height"] / 2 - (name["y"] + name["height"] / 2)) < 4
    assert abs(menu["x"] + menu["width"] - (account["x"] + account["width"])) < 1
    assert account["x"] > name["x"] + name["width"]


def test_the_header_leaves_the_first_screen_to_the_page_on_a_phone(page, app_url):
    """The account and the language took nearly half of a phone's first screen on every page
    (315 of 800 px with the demo strip); they fold under one button there, and stand in the
    row on a wider screen."""
    page.set_viewport_size(NARROW)
    log_in(page, app_url, MANAGER)
    header = page.locator(".site-header")
    assert header.bounding_box()["height"] < 0.3 * NARROW["height"]
    expect(page.locator(".site-user")).to_be_hidden()
    expect(page.get_by_role("link", name="Runder")).to_be_visible()  # the menu itself stays
    assert_accessible(page)
    page.get_by_text("Konto og språk").click()
    expect(page.locator(".site-user")).to_have_text(MANAGER)
    assert page_width(page) == NARROW["width"]
    assert_accessible(page)
    page.get_by_text("Konto og språk").click()  # folded again, then the phone turned sideways
    expect(page.locator(".site-user")).to_be_hidden()
    page.set_viewport_size({"width": 800, "height": 360})
    expect(page.locator(".site-account > summary")).to_be_hidden()
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    expect(page.locator("#lang-select")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    expect(page.locator(".site-account > summary")).to_be_hidden()
    expect(page.locator(".site-user")).to_be_visible()
    assert_header_in_two_tidy_rows(page)
    page.set_viewport_size({"width": 1920, "height": 1080})
    assert_header_in_two_tidy_rows(page)
    page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_label("E-postadresse")).to_be_visible()


def test_an_areas_intro_is_smaller_on_a_phone(page, app_url):
    # At 375 px the larger intro pushed the first statement below the first screen.
    log_in(page, app_url, MANAGER)
    page.get_by_role("link", name=OPEN_ROUND).click()
    page.get_by_role("link", name="Tillit mellom deltaker og veileder").click()
    intro = page.locator("main .lead")
    size = "e => parseFloat(getComputedStyle(e).fontSize)"
    wide = intro.evaluate(size)
    page.set_viewport_size(NARROW)
    expect(intro).to_be_visible()
    assert intro.evaluate(size) < wide
    assert page_width(page) == NARROW["width"]
