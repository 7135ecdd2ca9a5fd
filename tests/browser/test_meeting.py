"""The team meeting in a real browser: the demo's closed round walked by keyboard alone,
with an axe-core scan of every step, and the agreed reading saved from the last step."""

from playwright.sync_api import expect

from app.demo import LATEST_CLOSED
from tests.browser.conftest import log_in
from tests.browser.test_questionnaire import assert_accessible


def open_meeting(page, app_url, axe=True):
    log_in(page, app_url, "leder@demo.kommune.no")
    page.get_by_role("link", name=LATEST_CLOSED).click()
    page.get_by_role("link", name="Se resultatene for runden").click()
    expect(page.get_by_role("heading", name="Hvordan gikk det?")).to_be_visible()
    if axe:  # axe runs as a script, so not in the test without JavaScript
        assert_accessible(page)
    page.get_by_role("link", name="Åpne møtevisningen for teamet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prioriteringer")


def test_the_meeting_is_walked_by_keyboard_and_axe_finds_nothing(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 720})  # a projector
    open_meeting(page, app_url)
    expect(page.get_by_text("Piltastene ← og → blar også.")).to_be_visible()
    # «Neste →» stood against the step's heading.
    button = page.locator(".meeting__nav a[rel=next]").bounding_box()
    assert page.get_by_role("heading", level=1).bounding_box()["y"] >= (
        button["y"] + button["height"] + 16
    )
    titles = []
    while True:
        assert_accessible(page)
        titles.append(page.get_by_role("heading", level=1).inner_text())
        if page.locator('a[rel="next"]').count() == 0:
            break
        page.keyboard.press("ArrowRight")
        expect(page.get_by_role("heading", level=1)).not_to_have_text(titles[-1])
    assert titles[1:3] == ["Der dere ser mest ulikt på det", "Det dere ikke vet om egen praksis"]
    assert any(t.startswith("Kommentarer: ") for t in titles)
    assert titles[-1] == "Felles vurdering per område"
    # Typing in the form: the arrow keys move the caret, not the page.
    note = page.get_by_role("textbox", name="Kort notat").first
    note.focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("Enige etter møtet")
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("heading", level=1)).to_have_text("Felles vurdering per område")
    page.get_by_role("button", name="Lagre felles vurdering").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Resultater for {LATEST_CLOSED}")
    expect(page.locator(".readings-table")).to_contain_text("Enige etter møtet")
    assert_accessible(page)


def test_the_meeting_works_without_javascript(browser, app_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    open_meeting(page, app_url, axe=False)
    # Named without the arrows, which a screen reader would read out («right arrow»).
    page.get_by_role("link", name="Neste", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Der dere ser mest ulikt på det")
    page.get_by_role("link", name="Forrige", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prioriteringer")
    expect(page.get_by_text("Piltastene ← og → blar også.")).to_be_hidden()  # they do nothing
    context.close()


def test_a_phone_is_not_told_about_arrow_keys(browser, app_url):
    context = browser.new_context(
        is_mobile=True, has_touch=True, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    open_meeting(page, app_url, axe=False)
    expect(page.locator(".meeting__nav a[rel=next]")).to_be_visible()
    expect(page.get_by_text("Piltastene ← og → blar også.")).to_be_hidden()
    context.close()


def test_an_arrow_key_on_the_save_button_does_not_leave_the_notes_behind(page, app_url):
    open_meeting(page, app_url, axe=False)
    page.goto(page.url.split("?")[0] + "?steg=99")  # the last step: the agreed readings
    note = page.get_by_role("textbox", name="Kort notat").first
    note.fill("Enige etter møtet")
    page.get_by_role("button", name="Lagre felles vurdering").focus()
    page.keyboard.press("ArrowLeft")  # a slip of the finger on the way to Enter
    page.wait_for_timeout(500)
    expect(page.get_by_role("heading", level=1)).to_have_text("Felles vurdering per område")
    expect(note).to_have_value("Enige etter møtet")


def test_leaving_the_readings_with_notes_not_saved_asks_first(page, app_url):
    """A tap on «Forrige» (or an arrow key, or a closed tab) after typing a note asks before
    the note is lost; with nothing changed, or once saved, the page just leaves."""
    open_meeting(page, app_url, axe=False)
    page.goto(page.url.split("?")[0] + "?steg=99")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    level = page.get_by_role("combobox", name="Felles nivå (valgfritt)").first
    chosen = level.input_value()
    level.select_option("4" if chosen != "4" else "1")
    level.select_option(chosen)  # changed and changed back: nothing to lose
    page.get_by_role("link", name="Forrige", exact=True).click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Felles vurdering per område")
    assert asked == []
    page.get_by_role("link", name="Neste", exact=True).click()
    note = page.get_by_role("textbox", name="Kort notat").first
    note.fill("Enige om nivå 2")
    page.get_by_role("link", name="Forrige", exact=True).click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]  # stayed: the note is still there
    expect(page.get_by_role("heading", level=1)).to_have_text("Felles vurdering per område")
    expect(note).to_have_value("Enige om nivå 2")
    page.get_by_role("button", name="Lagre felles vurdering").click()
    expect(page.locator(".readings-table")).to_contain_text("Enige om nivå 2")
    assert asked == ["beforeunload"]
