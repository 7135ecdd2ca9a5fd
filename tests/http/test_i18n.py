"""Every page speaks bokmål by default; a user can switch to nynorsk or English."""

from bs4 import BeautifulSoup

from app.content.service import current_guidance
from tests.conftest import csrf_of, login
from tests.http.test_results import answer_and_submit


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


def switch_target(html: str) -> str:
    form = BeautifulSoup(html, "html.parser").select_one("form[action='/sprak']")
    return form.select_one("[name=next]")["value"]


def test_switching_language_returns_to_a_page_that_opens(client, cast):
    """A page shown in answer to a form has a POST-only address: switching language there
    returns to the page the form was on, not to a 405. A page's query is kept."""
    token = login(client, cast.staff)
    round_page = f"/runder/{cast.round_a.id}"
    refused = client.post(
        f"{round_page}/send-inn",
        data={"csrf_token": token},
        headers={"Referer": f"http://testserver{round_page}"},
    )
    assert refused.status_code == 422  # nothing answered yet
    target = switch_target(refused.text)
    assert target == round_page
    switched = client.post("/sprak", data={"lang": "en", "next": target, "csrf_token": token})
    assert switched.headers["location"] == round_page
    assert client.get(round_page).status_code == 200
    with_query = client.get("/runder?vis=alle")
    assert switch_target(with_query.text) == "/runder?vis=alle"


def test_a_publisher_known_only_in_bokmal_is_marked_so(client):
    publishers = {s.publisher for s in current_guidance().sources}
    page = BeautifulSoup(client.get("/om").text, "html.parser")
    assert not page.select("span[lang=nb]")  # a bokmål page has nothing to mark
    token = csrf_of(client)
    client.post("/sprak", data={"lang": "nn", "next": "/om", "csrf_token": token})
    page = BeautifulSoup(client.get("/om").text, "html.parser")
    marked = {span.get_text() for span in page.select("span[lang=nb]")}
    assert marked == publishers


def test_english_counts_read_right_for_one_person(client, cast, db):
    """English verbs agree with their number («1 have submitted, 1 are in progress» read
    wrongly), so the counts are written without them."""
    answer_and_submit(client, db, cast.round_a, cast.staff, {})
    token = login(client, cast.manager)
    client.post("/sprak", data={"lang": "en", "next": "/", "csrf_token": token})
    rid = cast.round_a.id

    def text(path: str) -> str:
        return " ".join(BeautifulSoup(client.get(path).text, "html.parser").get_text().split())

    counts = "4 invited: 1 submitted, 0 in progress, 3 not started."
    assert counts in text(f"/runder/{rid}")
    assert "Close the round and compute the results" in text(f"/runder/{rid}")
    closing = text(f"/runder/{rid}/lukk")
    assert counts in closing
    assert "Yes, close the round and compute the results" in closing
    assert "Submitted so far: 1." in text(f"/runder/{rid}/resultater")
