"""What every page shares: the icon, static files that cache and compress, the page's
description, error pages whose title matches their heading, and the demo's mail page."""

import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.main import app
from app.settings import get_settings
from tests.conftest import login


def test_there_is_an_icon_so_browsers_get_no_404(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301
    target = client.get(icon.headers["location"])
    assert target.status_code == 200
    assert target.headers["content-type"].startswith("image/svg")
    page = BeautifulSoup(client.get("/logg-inn").text, "html.parser")
    assert page.select_one("link[rel=icon]")["href"] == icon.headers["location"]


def test_static_files_have_versioned_urls_that_are_cached_for_long_and_compressed(client):
    page = BeautifulSoup(client.get("/logg-inn").text, "html.parser")
    css = next(
        link["href"] for link in page.select("link[rel=stylesheet]") if "app.css" in link["href"]
    )
    assert re.search(r"\?v=[0-9a-f]{12}$", css)
    response = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    assert "max-age=31536000" in response.headers["cache-control"]
    assert response.headers["content-encoding"] == "gzip"
    # Pages with CSRF tokens are never compressed (BREACH) and never cached.
    html = client.get("/logg-inn", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in html.headers
    assert html.headers["cache-control"] == "no-store"


def test_every_page_has_a_description(client):
    page = BeautifulSoup(client.get("/logg-inn").text, "html.parser")
    assert "introduksjonsprogrammet" in page.select_one("meta[name=description]")["content"]


def test_the_404_page_has_the_same_title_as_heading(client):
    page = BeautifulSoup(client.get("/finnes-ikke").text, "html.parser")
    assert page.title.get_text().startswith(page.h1.get_text(strip=True))


def test_the_audit_log_reads_in_norwegian_local_time_and_scrolls_by_keyboard(client, cast):
    login(client, cast.staff)
    login(client, cast.admin)
    page = BeautifulSoup(client.get("/admin/logg").text, "html.parser")
    region = page.select_one(".table-scroll")
    assert region["tabindex"] == "0"
    assert region["role"] == "region"
    cells = [row.select("td") for row in page.select("tbody tr")]
    events = {c[1].get_text() for c in cells}
    assert "Innlogging" in events
    assert "login" not in events
    assert all(re.match(r"\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d$", c[0].get_text()) for c in cells)


@pytest.mark.parametrize(("peer", "status"), [("127.0.0.1", 200), ("10.1.2.3", 404)])
def test_the_demo_mail_page_is_only_for_the_person_at_the_machine(monkeypatch, peer, status):
    monkeypatch.setattr(get_settings(), "demo", True)
    with TestClient(app, client=(peer, 50000)) as visitor:
        assert visitor.get("/utvikler/epost").status_code == status


def test_every_page_links_to_the_about_page_and_the_accessibility_statement(client, cast):
    for who in (None, cast.staff):
        if who:
            login(client, who)
        page = BeautifulSoup(
            client.get("/logg-inn" if who is None else "/runder").text, "html.parser"
        )
        links = {a["href"] for a in page.select("footer a")}
        assert {"/om", "/tilgjengelighet"} <= links


def test_the_about_page_explains_the_method_the_minimum_and_what_is_stored(client):
    page = BeautifulSoup(client.get("/om").text, "html.parser")
    text = page.get_text(" ", strip=True)
    assert "Nivå 1 gir 0 poeng" in text
    assert "minst 3 andre enn den som leser" in text
    assert "Om deltakerne i introduksjonsprogrammet lagrer vi ingenting" in text
    assert page.select("#sources ~ ul a, section a[rel=noopener]")


def test_the_accessibility_statement_names_the_standard_and_where_to_complain(client):
    text = BeautifulSoup(client.get("/tilgjengelighet").text, "html.parser").get_text()
    assert "WCAG 2.1" in text
    assert "uutilsynet.no" in text


def test_a_text_that_falls_back_to_bokmal_is_marked_with_its_language():
    from app import i18n
    from app.content.schema import Text
    from app.templating import env

    template = env.from_string("<p{{ text|lang_attr }}>{{ text|t }}</p>")
    old = Text(nb="Deltakerne har fast veileder.")  # an old round's snapshot, never translated
    both = Text(nb="Fast veileder", nn="Fast rettleiar", en="Permanent adviser")
    i18n.set_locale("nn")
    try:
        assert template.render(text=old) == '<p lang="nb">Deltakerne har fast veileder.</p>'
        assert template.render(text=both) == "<p>Fast rettleiar</p>"
    finally:
        i18n.set_locale("nb")
    assert template.render(text=old) == "<p>Deltakerne har fast veileder.</p>"
