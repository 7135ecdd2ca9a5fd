"""Every page speaks bokmål by default; a user can switch to nynorsk or English."""

from bs4 import BeautifulSoup

from tests.conftest import csrf_of, login


def test_bokmal_is_the_default(client):
    page = BeautifulSoup(client.get("/logg-inn").text, "html.parser")
    assert page.html["lang"] == "nb"
    assert page.h1.get_text() == "Logg inn"


def test_a_user_can_switch_to_english_and_nynorsk(client):
    token = csrf_of(client)
    client.post("/sprak", data={"lang": "en", "next": "/logg-inn", "csrf_token": token})
    page = BeautifulSoup(client.get("/logg-inn").text, "html.parser")
    assert page.html["lang"] == "en"
    assert page.h1.get_text() == "Log in"
    client.post("/sprak", data={"lang": "nn", "next": "/logg-inn", "csrf_token": token})
    page = BeautifulSoup(client.get("/logg-inn").text, "html.parser")
    assert page.html["lang"] == "nn"
    assert page.h1.get_text() == "Logg inn"
    assert "Passord" in page.get_text()


def test_the_choice_survives_login(client, cast):
    token = csrf_of(client)
    client.post("/sprak", data={"lang": "en", "next": "/", "csrf_token": token})
    login(client, cast.staff, fresh=False)
    assert BeautifulSoup(client.get("/runder").text, "html.parser").html["lang"] == "en"


def test_content_follows_the_language(client, cast, db):
    token = login(client, cast.staff)
    client.post("/sprak", data={"lang": "nn", "next": "/", "csrf_token": token})
    page = client.get(f"/runder/{cast.round_a.id}")
    assert "Tett og heilskapleg oppfølging" in page.text


def test_the_switch_only_redirects_within_the_site(client):
    token = csrf_of(client)
    response = client.post(
        "/sprak", data={"lang": "en", "next": "//evil.example", "csrf_token": token}
    )
    assert response.headers["location"] == "/"
