"""Before a round's anonymous comments go to KS, the manager reads them as KS will, and only
the press on that page shares them."""

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.review.models import RoundShare
from tests.conftest import four_staff, login
from tests.factories import make_closed_round_at
from tests.http.test_review import share


@pytest.fixture
def closed(db, cast):
    """Four answered, each with a comment in every area: KS may read them (the minimum and
    one more)."""
    return make_closed_round_at(db, cast.a, four_staff(db, cast), comment="Vi trenger mer tid")


def post_share(client, cast, rnd, url: str, **ticked: str):
    token = login(client, cast.manager)
    return client.post(f"/runder/{rnd.id}/{url}", data={"csrf_token": token, **ticked})


def press(client, response, button: str):
    """Press the button named `button` on the page the response shows."""
    page = BeautifulSoup(response.text, "html.parser")
    (form,) = [f for f in page.select("form[method=post]") if button in f.get_text()]
    data = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
    return client.post(form["action"], data=data)


def test_ticking_the_comments_shows_them_first_and_shares_nothing_yet(client, cast, db, closed):
    response = post_share(client, cast, closed, "del-med-ks", comments="ja", plan="ja")
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert page.h1.get_text() == "Dele kommentarene med KS?"
    texts = [li.get_text() for li in page.select(".comment-text")]
    assert texts  # every area's comments, as KS would read them
    assert set(texts) == {"Vi trenger mer tid"}
    assert db.exec(select(RoundShare)).all() == []  # nothing shared before the press
    assert press(client, response, "Del med kommentarene").status_code == 303
    (shared,) = db.exec(select(RoundShare)).all()
    assert (shared.include_comments, shared.include_plan) == (True, True)


def test_the_manager_can_share_without_the_comments_from_that_page(client, cast, db, closed):
    response = post_share(client, cast, closed, "del-med-ks", comments="ja")
    assert press(client, response, "Del uten kommentarene").status_code == 303
    (shared,) = db.exec(select(RoundShare)).all()
    assert (shared.include_comments, shared.include_plan) == (False, False)
    login(client, cast.ks_adviser)
    assert "Vi trenger mer tid" not in client.get(f"/ks/runder/{closed.id}").text


def test_adding_the_comments_to_a_standing_share_shows_them_first(client, cast, db, closed):
    share(client, cast, closed)
    response = post_share(client, cast, closed, "endre-deling", comments="ja")
    assert response.status_code == 200
    assert "Lagre med kommentarene" in response.text
    assert db.exec(select(RoundShare.include_comments)).all() == [False]
    assert press(client, response, "Lagre med kommentarene").status_code == 303
    assert db.exec(select(RoundShare.include_comments)).all() == [True]
    # Already shared: changing the plan box asks nothing about the comments again.
    again = post_share(client, cast, closed, "endre-deling", comments="ja", plan="ja")
    assert again.status_code == 303


def test_without_the_comments_the_share_is_one_press(client, cast, db, closed):
    assert post_share(client, cast, closed, "del-med-ks", plan="ja").status_code == 303
    assert db.exec(select(RoundShare.include_plan)).all() == [True]


def test_a_share_that_cannot_be_made_is_refused_before_any_look_at_comments(client, cast, closed):
    share(client, cast, closed)  # shared already (another tab, another manager)
    again = post_share(client, cast, closed, "del-med-ks", comments="ja")
    assert again.status_code == 409
    assert "allerede delt" in again.text
    open_round = post_share(client, cast, cast.round_a, "del-med-ks", comments="ja")
    assert open_round.status_code == 409
    assert "Bare en lukket runde" in open_round.text


def test_comments_the_manager_reads_but_ks_may_not_are_not_on_the_page(client, cast, db):
    """Three answered, the manager not among them: the manager's page has three others behind
    the comments, KS (as any of the three) two. The page says KS will see none."""
    rnd = make_closed_round_at(
        db, cast.a, [cast.staff, cast.staff2, cast.staff3], comment="Bare vi tre vet dette"
    )
    login(client, cast.manager)
    assert "Bare vi tre vet dette" in client.get(f"/runder/{rnd.id}/resultater").text
    response = post_share(client, cast, rnd, "del-med-ks", comments="ja")
    assert response.status_code == 200
    assert "Bare vi tre vet dette" not in response.text
    assert "KS vil ikke se noen kommentarer fra denne runden" in response.text
