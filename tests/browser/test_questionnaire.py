"""The main flows in a real browser, with an axe-core scan of each page."""

import re

import httpx2 as httpx
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from app.content.service import current_guidance
from app.demo import OPEN_ROUND
from tests.browser.conftest import AXE_TAGS, log_in

AXE = Axe()


def assert_accessible(page) -> None:
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, results.generate_report()


def open_first_area(page, app_url):
    log_in(page, app_url, "ansatt1@demo.kommune.no")
    page.get_by_role("link", name=OPEN_ROUND).click()
    page.get_by_role("link", name="Tillit mellom deltaker og veileder").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tillit")


def test_login_page_is_accessible(page, app_url):
    page.goto(f"{app_url}/logg-inn")
    assert_accessible(page)


def test_autosave_says_lagret_and_keeps_the_answer(page, app_url):
    open_first_area(page, app_url)
    assert_accessible(page)
    first = page.locator("fieldset.statement").first
    first.get_by_role("radio").nth(2).check()
    status = page.locator("#save-status")
    expect(status).to_contain_text("Lagret")
    expect(page.locator("#progress")).to_contain_text("1 av")
    assert_accessible(page)  # also with the fragment swapped in
    comment = page.get_by_label(re.compile("Hva fungerer godt"))
    with page.expect_response(lambda r: r.request.method == "POST") as saved:
        comment.fill("Faste møter fungerer godt")
    assert saved.value.status == 200
    expect(status).to_contain_text("Lagret")
    page.reload()
    expect(page.locator("fieldset.statement").first.get_by_role("radio").nth(2)).to_be_checked()
    expect(page.get_by_label(re.compile("Hva fungerer godt"))).to_have_value(
        "Faste møter fungerer godt"
    )


def test_a_refused_comment_is_explained_and_kept(page, app_url):
    open_first_area(page, app_url)
    comment = page.get_by_label(re.compile("Hva fungerer godt"))
    comment.fill("Gjelder 01010112377")  # passes both mod-11 checks
    expect(page.locator("#save-status")).to_contain_text("fødselsnummer")
    expect(comment).to_have_value("Gjelder 01010112377")


def test_the_questionnaire_can_be_completed_by_keyboard_only(page, app_url):
    open_first_area(page, app_url)
    count = page.locator("fieldset.statement").count()
    page.locator("fieldset.statement").first.get_by_role("radio").first.focus()
    for index in range(count):
        # In a radio group the arrow keys choose; Tab moves to the next group.
        page.keyboard.press("ArrowDown")
        expect(page.locator("#save-status")).to_contain_text("Lagret")
        if index < count - 1:
            page.keyboard.press("Tab")
    expect(page.locator("#progress")).to_contain_text(f"{count} av")
    checked = page.locator("fieldset.statement input[type=radio]:checked")
    expect(checked).to_have_count(count)


def test_without_javascript_the_same_page_works_with_the_button(browser, app_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    open_first_area(page, app_url)
    for fieldset in page.locator("fieldset.statement").all():
        fieldset.get_by_role("radio").nth(3).check()
    page.get_by_role("button", name=re.compile("Lagre og gå til neste")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("oppfølging")
    expect(page.get_by_text("Svarene er lagret.")).to_be_visible()
    page.get_by_role("button", name="Lagre og gå til forrige område").click()
    expect(page.locator("fieldset.statement input[type=radio]:checked")).to_have_count(
        page.locator("fieldset.statement").count()
    )
    context.close()


def test_round_and_results_pages_are_accessible(page, app_url):
    log_in(page, app_url, "ansatt2@demo.kommune.no")
    page.get_by_role("link", name=OPEN_ROUND).click()
    assert_accessible(page)
    # Answer every area through the plain form buttons, then submit.
    page.get_by_role("link", name="Tillit mellom deltaker og veileder").click()
    while True:
        for fieldset in page.locator("fieldset.statement").all():
            fieldset.get_by_role("radio").nth(1).check()
        button = page.locator("button[name=goto][value=next]")
        last = "oversikten" in button.inner_text()
        with page.expect_navigation():  # once the clicks' own saves are done
            button.click()
        if last:
            break
    page.get_by_role("button", name="Send inn svaret mitt").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dine resultater")
    expect(page.locator("li.advice").first).to_be_visible()
    assert_accessible(page)
    page.locator("details.why").first.locator("summary").click()
    assert_accessible(page)


def submit_over_http(app_url: str, email: str, level: str) -> None:
    """A colleague answers everything in the demo's open round through the plain form."""
    with httpx.Client(base_url=app_url) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/logg-inn").text).group(
            1
        )
        client.post("/logg-inn", data={"email": email, "password": "demo", "csrf_token": token})
        rounds = client.get("/runder").text
        round_url = re.search(rf'href="(/runder/\d+)">{OPEN_ROUND}<', rounds).group(1)
        token = re.search(r'name="csrf_token" value="([^"]+)"', rounds).group(1)
        for area in current_guidance().with_modules(()).areas:
            data = {f"a.{s.id}": level for s in area.statements} | {"csrf_token": token}
            data[f"c.{area.id}"] = f"Kommentar fra {level}"
            assert client.post(f"{round_url}/omrade/{area.id}", data=data).status_code == 303
        assert client.post(f"{round_url}/send-inn", data={"csrf_token": token}).status_code == 303


def test_the_managers_results_page_is_accessible(page, app_url):
    for email, level in (
        ("ansatt1@demo.kommune.no", "1"),
        ("ansatt2@demo.kommune.no", "2"),
        ("ansatt3@demo.kommune.no", "4"),
    ):
        submit_over_http(app_url, email, level)
    log_in(page, app_url, "leder@demo.kommune.no")
    page.get_by_role("link", name=OPEN_ROUND).click()
    # Results are made once, when the round closes.
    page.get_by_role("link", name="Lukk runden og lag resultatene …").click()
    assert_accessible(page)  # the confirmation says what closing means before it happens
    page.get_by_role("button", name="Ja, lukk runden og lag resultatene").click()
    page.get_by_role("link", name="Se resultatene for runden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Resultater for")
    expect(page.get_by_text("Bygger på svarene fra 3 personer")).to_be_visible()
    expect(page.locator("svg[role=img]")).to_be_visible()
    assert_accessible(page)
