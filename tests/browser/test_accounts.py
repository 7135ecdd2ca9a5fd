"""Accounts in a real browser: an invitation from the admin to a working login, and the
administrator's and manager's pages scanned with axe."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_questionnaire import assert_accessible


def log_out(page):
    page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logg inn")


def test_an_invitation_from_the_admin_becomes_a_login(page, app_url):
    log_in_as_admin(page, app_url)
    assert_accessible(page)
    page.get_by_role("link", name="Inviter KS-rådgivere og administratorer").click()
    assert_accessible(page)
    page.get_by_label("E-postadresse").fill("ny.radgiver@ks.no")
    page.get_by_role("button", name="Send invitasjon").click()
    expect(page.get_by_text("Invitasjonen er sendt til ny.radgiver@ks.no.")).to_be_visible()
    page.goto(f"{app_url}/utvikler/epost")
    assert_accessible(page)
    body = page.locator(".mail__body").first.inner_text()
    link = re.search(r"/invitasjon/[A-Za-z0-9_-]+", body).group(0)
    log_out(page)
    page.goto(app_url + link)
    assert_accessible(page)
    page.get_by_label("Nytt passord").fill("passwordpassword")  # long enough, but common
    page.get_by_role("button", name="Lagre passordet").click()
    expect(page.get_by_role("alert")).to_contain_text("mest brukte")
    expect(page.get_by_label("Nytt passord")).to_be_focused()  # ready for another try
    assert_accessible(page)
    page.get_by_label("Nytt passord").fill("en rolig morgen ved fjorden")
    page.get_by_role("button", name="Lagre passordet").click()
    # A new KS adviser lands where their work is: the review queue (#9).
    expect(page.get_by_role("heading", level=1)).to_have_text("Til gjennomgang")
    expect(page.get_by_text("ny.radgiver@ks.no").first).to_be_visible()
    assert_accessible(page)
    # The mail kept as a bookmark: its link again lets the owner in, with no error page.
    page.goto(app_url + link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Til gjennomgang")
    expect(page.get_by_text("Du har allerede en konto, og er logget inn.")).to_be_visible()
    log_out(page)
    page.goto(app_url + link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Logg inn")
    expect(page.get_by_label("E-postadresse")).to_have_value("ny.radgiver@ks.no")
    expect(page.get_by_label("Passord")).to_be_focused()
    assert_accessible(page)


def log_in_as_admin(page, app_url):
    page.goto(f"{app_url}/logg-inn")
    page.get_by_label("E-postadresse").fill("admin@ks.no")
    page.get_by_label("Passord").fill("demo")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Administrasjon")


def test_the_admin_pages_are_accessible(page, app_url):
    log_in_as_admin(page, app_url)
    page.get_by_role("link", name="Kommuner").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Demo kommune").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demo kommune")
    assert_accessible(page)
    page.goto(f"{app_url}/admin/brukere")
    assert_accessible(page)
    page.goto(f"{app_url}/admin/logg")
    expect(page.locator("tbody tr").first).to_be_visible()
    assert_accessible(page)


def test_the_managers_municipality_page_and_the_forgotten_password_page(page, app_url):
    log_in(page, app_url, "leder@demo.kommune.no")
    page.get_by_role("link", name="Kommunen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demo kommune")
    assert_accessible(page)
    log_out(page)
    page.get_by_role("link", name="Glemt passordet?").click()
    assert_accessible(page)
    page.get_by_label("E-postadresse").fill("ansatt1@demo.kommune.no")
    page.get_by_role("button", name="Send lenke").click()
    expect(page.get_by_role("status")).to_contain_text("Hvis adressen hører til en konto")
    assert_accessible(page)


def test_the_municipality_search_is_in_the_address_and_survives_back(page, app_url):
    """Live search replaces the page's address, so Back from a municipality shows the same
    search; htmx keeps no copy of the page (CSRF tokens, names) in the browser's storage."""
    log_in_as_admin(page, app_url)
    page.goto(f"{app_url}/admin/kommuner")
    page.get_by_label("Navn eller nummer").fill("demo kommune")
    expect(page).to_have_url(re.compile(r"/admin/kommuner\?q=demo%20kommune"))
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    page.get_by_role("link", name="Demo kommune").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demo kommune")
    page.go_back()
    expect(page.get_by_label("Navn eller nummer")).to_have_value("demo kommune")
    expect(rows).to_have_count(1)
    assert page.evaluate("localStorage.getItem('htmx-history-cache')") is None
