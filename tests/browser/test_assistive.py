"""What a screen reader hears, where the keyboard lands and what a phone's screen shows: the
parts axe cannot see."""

import re

import pytest
from playwright.sync_api import expect

from app.demo import LATEST_CLOSED, OPEN_ROUND
from tests.browser.conftest import log_in
from tests.browser.test_questionnaire import assert_accessible, open_first_area
from tests.browser.test_unsaved import stored

COMMENT = re.compile("Hva fungerer godt")
# Every text the page's status line (a polite live region) takes, in order: each is read aloud.
LISTEN = """() => {
  window.announced = [];
  const live = document.getElementById("save-status");
  new MutationObserver(() => window.announced.push(live.textContent.trim()))
    .observe(live, {childList: true, subtree: true, characterData: true});
}"""


def saves(page):
    return page.expect_response(lambda r: r.request.method == "POST")


def test_a_comment_is_announced_once_when_left_not_at_every_pause(page, app_url):
    open_first_area(page, app_url)
    page.evaluate(LISTEN)
    comment = page.get_by_label(COMMENT)
    status = page.locator(".comment .statement__status")
    for part in ("Faste møter ", "fungerer ", "godt."):
        with saves(page):
            comment.press_sequentially(part)  # then a pause: saved
        expect(status).to_contain_text("Lagret kl.")  # shown beside the field
    assert page.evaluate("window.announced") == []  # nothing read aloud over the typing
    with saves(page):
        comment.press("Tab")
    expect(page.locator("#save-status")).to_contain_text("Lagret")
    assert len(page.evaluate("window.announced")) == 1  # once, on leaving the field


def test_a_comment_put_right_after_a_refusal_says_so_aloud(page, app_url):
    open_first_area(page, app_url)
    comment = page.get_by_label(COMMENT)
    with saves(page):
        comment.press_sequentially("Gjelder 01010112377")
    live = page.locator("#save-status")
    expect(live).to_contain_text("fødselsnummer")
    with saves(page):
        for _ in range(len(" 01010112377")):
            comment.press("Backspace")
    expect(live).to_contain_text("Lagret")  # the problem it told of is gone: it says so


def test_a_refusal_is_said_once_not_again_at_every_pause_in_the_typing(page, app_url):
    open_first_area(page, app_url)
    page.evaluate(LISTEN)
    comment = page.get_by_label(COMMENT)
    status = page.locator(".comment .statement__status")
    with saves(page):
        comment.press_sequentially("Gjelder 01010112377")
    expect(status).to_contain_text("fødselsnummer")
    for part in (" og", " mer"):  # refused again at each pause, for the same reason
        with saves(page):
            comment.press_sequentially(part)
    expect(status).to_contain_text("fødselsnummer")  # still shown beside the field
    announced = page.evaluate("window.announced")
    assert len(announced) == 1
    assert "fødselsnummer" in announced[0]


PHONE = {"width": 360, "height": 740}


# A level of the third statement brought to a place on the screen, then tapped: the first level
# near the foot of the screen (the rest of the statement below it), and «Vet ikke» near the top
# (the statement's start above it). A statement is taller than a phone's screen.
@pytest.mark.parametrize(
    ("level", "at"), [(0, 0.75), (4, 0.2)], ids=["first level low", "vet ikke high"]
)
def test_on_a_phone_a_choice_is_seen_to_be_saved_where_it_was_made(browser, app_url, level, at):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    open_first_area(page, app_url)
    page.evaluate(LISTEN)
    statement = page.locator("fieldset.statement").nth(2)
    choice = statement.locator("label").nth(level)
    choice.evaluate(
        f"e => scrollTo(0, e.getBoundingClientRect().top + scrollY - innerHeight * {at})"
    )
    before = choice.bounding_box()
    with saves(page):
        choice.tap()
    status = statement.locator(".statement__status")
    expect(status).to_contain_text("Lagret kl.")
    shown = status.bounding_box()
    assert shown["y"] >= 0
    assert shown["y"] + shown["height"] <= PHONE["height"]  # on the screen, not above or below it
    after = choice.bounding_box()
    assert after == before  # nothing moved when it appeared
    assert shown["y"] >= after["y"] + after["height"]  # and it covers nothing chosen
    assert len(page.evaluate("window.announced")) == 1  # said once, in the page's status line
    assert_accessible(page)
    context.close()


def answer_posts(page) -> list[str]:
    """The level each autosave of an answer sends, in order, as the page sends them."""
    sent: list[str] = []

    def note(request):
        if request.method == "POST" and "a." in (request.post_data or ""):
            sent.append(request.post_data.rsplit("=", 1)[1])

    page.on("request", note)
    return sent


def test_levels_stepped_through_with_the_arrow_keys_are_saved_once_stopped(page, app_url, server):
    open_first_area(page, app_url)
    page.evaluate(LISTEN)
    posts = answer_posts(page)
    page.locator("fieldset.statement").first.get_by_role("radio").first.focus()
    with saves(page):
        for _ in range(3):  # each step checks the next level, and each was saved and read out
            page.keyboard.press("ArrowDown")
    expect(page.locator("#save-status")).to_contain_text("Lagret kl.")
    page.wait_for_timeout(1500)  # longer than the pause that saves: nothing more comes
    chosen = page.locator("fieldset.statement input:checked").get_attribute("value")
    assert chosen == "4"
    assert posts == ["4"]  # the level the person stopped on, once
    assert len(page.evaluate("window.announced")) == 1
    assert stored(server, "SELECT level FROM answer") == [4]


def test_a_level_stepped_to_is_saved_at_once_when_the_group_is_left(page, app_url, server):
    page.clock.install()
    open_first_area(page, app_url)
    posts = answer_posts(page)
    page.clock.pause_at(page.evaluate("Date.now()") + 100)  # the pause that saves never ends
    page.locator("fieldset.statement").first.get_by_role("radio").first.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert posts == []
    with saves(page):
        page.keyboard.press("Tab")  # on to the next statement
    assert posts == ["3"]
    with saves(page):  # a click needs no pause: it is a choice
        page.locator("fieldset.statement").nth(1).locator("label").first.click()
    assert posts == ["3", "1"]
    page.clock.resume()
    assert sorted(stored(server, "SELECT level FROM answer")) == [1, 3]


def test_a_level_stepped_to_is_saved_when_the_page_is_left_at_once(page, app_url, server):
    page.clock.install()
    open_first_area(page, app_url)
    page.on("dialog", lambda dialog: dialog.accept())  # «leave the page?»: yes
    page.clock.pause_at(page.evaluate("Date.now()") + 100)
    page.locator("fieldset.statement").first.get_by_role("radio").first.focus()
    page.keyboard.press("ArrowDown")
    page.goto(f"{app_url}/runder")  # the save is sent as the page goes
    for _ in range(50):
        if stored(server, "SELECT level FROM answer"):
            break
        page.wait_for_timeout(100)
    assert stored(server, "SELECT level FROM answer") == [2]


def test_levels_stepped_to_while_saves_fail_are_said_to_fail_once(page, app_url):
    open_first_area(page, app_url)
    page.evaluate(LISTEN)
    failing = []

    def fail(route):
        failing.append(route.request)
        route.abort()

    page.route(re.compile(r".*/omrade/.*"), fail)
    page.locator("fieldset.statement").first.get_by_role("radio").first.focus()
    page.keyboard.press("ArrowDown")
    status = page.locator("fieldset.statement").first.locator(".statement__status")
    expect(status).to_contain_text("Ikke lagret")
    page.keyboard.press("ArrowDown")  # the person goes on: that step fails too, and is tried again
    page.keyboard.press("Tab")
    for _ in range(60):  # the first try, the step, and a try again (2 s later)
        if len(failing) >= 3:
            break
        page.wait_for_timeout(100)
    assert len(failing) >= 3
    assert page.evaluate("window.announced") == [
        "Et svar ble ikke lagret. Vi prøver igjen automatisk."
    ]


def test_a_login_ended_in_another_tab_is_told_without_the_error_reference(page, app_url):
    open_first_area(page, app_url)
    page.evaluate(LISTEN)
    other = page.context.new_page()  # another tab: log out there, and leave it open
    other.goto(f"{app_url}/konto")
    other.get_by_role("button", name="Logg ut", exact=True).click()
    # (closed only once its navigation has settled: a tab closed while the logout's redirect
    # was still arriving hung Page.close for good, in about half of the full runs)
    expect(other.get_by_role("heading", level=1)).to_have_text("Logg inn")
    with saves(page):
        page.locator("fieldset.statement").first.get_by_role("radio").nth(1).check()
    status = page.locator("fieldset.statement").first.locator(".statement__status")
    expect(status).to_contain_text("du er logget ut")
    (told,) = page.evaluate("window.announced")
    # What happened, what to do, and what becomes of the answer; no 32-character reference.
    assert told.startswith("Ikke lagret: du er logget ut. Logg inn igjen i en ny fane.")
    assert "lagres når du kommer tilbake" in told
    assert "Feilreferanse" not in told
    assert not re.search(r"[0-9a-f]{32}", told)
    line = page.locator("#save-status")
    expect(line.get_by_role("link", name="Logg inn (åpnes i ny fane)")).to_be_visible()
    assert line.locator("[role=alert]").count() == 0  # the line says it, once
    reference = page.locator(".request-id")  # still there to quote to support, read on request
    expect(reference).to_be_visible()
    expect(reference).to_contain_text("Feilreferanse")
    assert re.search(r"[0-9a-f]{32}", reference.inner_text())
    assert reference.evaluate("e => !e.closest('[aria-live], [role=status], [role=alert]')")
    assert_accessible(page)
    log_in(other, app_url, "ansatt1@demo.kommune.no")  # in again there, and back: saved
    other.close()
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(status).to_contain_text("Lagret kl.")
    expect(line).to_contain_text("Lagret kl.")
    expect(reference).to_be_hidden()


PROXY_PAGE = "<html><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>"


@pytest.mark.parametrize("away", ["no answer", "the proxy's error page"])
def test_a_save_tried_again_and_again_is_said_to_fail_once(page, app_url, away):
    open_first_area(page, app_url)
    page.evaluate(LISTEN)
    tries = []

    def fail(route):
        tries.append(route.request)
        if away == "no answer":
            route.abort()  # the server is away
        else:  # the app restarts behind its proxy
            route.fulfill(status=502, content_type="text/html", body=PROXY_PAGE)

    page.route(re.compile(r".*/omrade/.*"), fail)
    page.get_by_label(COMMENT).fill("Møtene er faste.")
    expect(page.locator(".comment .statement__status")).to_contain_text("Ikke lagret")
    for _ in range(100):  # the first try and two more (2 s, then 4 s later)
        if len(tries) >= 3:
            break
        page.wait_for_timeout(100)
    assert len(tries) >= 3
    announced = page.evaluate("window.announced")
    assert announced == ["Et svar ble ikke lagret. Vi prøver igjen automatisk."]
    expect(page.locator("#save-status")).to_have_text(announced[0])  # no proxy page in it


def test_sending_in_too_early_puts_the_keyboard_on_what_is_missing(page, app_url):
    open_first_area(page, app_url)
    page.get_by_role("link", name=OPEN_ROUND).first.click()
    page.get_by_role("button", name="Send inn svaret mitt").focus()
    page.keyboard.press("Enter")
    summary = page.locator("#submit-error")
    expect(summary).to_contain_text("Disse områdene mangler svar")
    expect(summary).to_be_focused()  # not left at the top of the page
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("link", name="Tillit mellom deltaker og veileder").first
    ).to_be_focused()


# WCAG 1.4.12: a reader's own style sheet may set this much spacing, and nothing may be lost.
TEXT_SPACING = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important;"
    " word-spacing: 0.16em !important; } p, li, dd { margin-bottom: 2em !important; }"
)
# Text that runs past its box: cut off where the box clips, off the page where it does not.
CUT = """() => [...document.querySelectorAll("main *")].filter(e => {
  if (e.closest(".table-scroll, .visually-hidden, svg") || e.matches("input, select")) return false;
  const box = e.getBoundingClientRect();
  if (box.width && box.right > document.documentElement.clientWidth + 1) return true;
  const style = getComputedStyle(e);
  return ["hidden", "clip"].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1;
}).map(e => e.tagName + " " + e.textContent.trim().slice(0, 40))"""


def test_wider_text_spacing_on_a_phone_cuts_nothing_off(browser, app_url):
    context = browser.new_context(viewport={"width": 320, "height": 800}, bypass_csp=True)
    page = context.new_page()
    log_in(page, app_url, "leder@demo.kommune.no")  # the rounds, and the form to start one
    page.add_style_tag(content=TEXT_SPACING)
    assert page.evaluate(CUT) == []  # the form's checkboxes named by e-mail addresses
    page.get_by_role("link", name=LATEST_CLOSED).first.click()
    page.get_by_role("link", name="Se resultatene for runden").click()
    page.add_style_tag(content=TEXT_SPACING)
    assert page.evaluate(CUT) == []  # the advice cards, with their long source titles
    context.close()
