"""KS advisers' claims on shared rounds (take, give back, free) and the rounds already reviewed
(/ks/gjennomgatt)."""

import pytest
from sqlmodel import select

from app.accounts.models import Role
from app.review import lists
from app.review.models import SharedArea
from tests.conftest import login
from tests.factories import make_closed_round_at, make_user
from tests.http.test_review import events, send_feedback, share, soup


@pytest.fixture
def closed(db, cast):
    """A closed round of municipality A that four staff answered: KS reads it (the minimum and
    one more)."""
    fourth = make_user(db, "ansatt4@a.no", Role.STAFF, cast.a)
    people = [cast.staff, cast.staff2, cast.staff3, fourth]
    return make_closed_round_at(db, cast.a, people, comment="Vi trenger mer tid", name="Høst 2026")


def take_round(client, user, rnd):
    token = login(client, user)
    return client.post(f"/ks/runder/{rnd.id}/ta", data={"csrf_token": token})


def give_back_button(page):
    """The give-back form's button text and the claim it frees (the holder as shown)."""
    form = page.select_one("form[action$='/frigi']")
    if form is None:
        return None
    return form.button.get_text(strip=True), form.select_one("input[name=tatt_av]")["value"]


def test_the_adviser_who_took_a_round_gives_it_back_and_the_drafts_stay(client, cast, db, closed):
    share(client, cast, closed)
    assert take_round(client, cast.ks_adviser, closed).status_code == 303
    send_feedback(client, cast, closed, "draft", **{"": "Halvferdig utkast"})
    page = soup(client.get(f"/ks/runder/{closed.id}"))
    label, holder = give_back_button(page)
    assert label == "Gi fra deg runden"
    assert holder == str(cast.ks_adviser.id)
    token = login(client, cast.ks_adviser)
    response = client.post(
        f"/ks/runder/{closed.id}/frigi", data={"csrf_token": token, "tatt_av": holder}
    )
    assert response.status_code == 303
    page = soup(client.get(response.headers["location"]))
    assert "Du har gitt fra deg runden" in page.select_one("[role=status]").get_text()
    assert page.select_one("form[action$='/ta']")  # free to take again
    assert page.select_one("#fb-hele").get_text() == "Halvferdig utkast"  # still a draft
    row = soup(client.get("/ks")).select_one("tbody tr").get_text()
    assert "Ingen ennå" in row
    assert "radgiver@ks.no" not in row
    (event,) = events(db, "share_released")
    assert event.actor_email == "radgiver@ks.no"
    assert "radgiver@ks.no" in event.detail
    login(client, cast.manager)  # a draft is KS's own: the municipality still sees nothing
    assert "Halvferdig utkast" not in client.get(f"/runder/{closed.id}/resultater").text


def test_another_adviser_may_free_a_round_taken_by_one_who_is_away(client, cast, db, closed):
    """Taking is a claim, not a lock: the other adviser may write feedback already, so freeing
    the claim of one who is away or has left grants nothing more, and the log says whose."""
    share(client, cast, closed)
    take_round(client, cast.ks_adviser, closed)
    second = make_user(db, "radgiver2@ks.no", "ks_adviser")
    token = login(client, second)
    page = soup(client.get(f"/ks/runder/{closed.id}"))
    label, holder = give_back_button(page)
    assert label == "Gi runden fri"
    assert "Er radgiver@ks.no borte eller har sluttet" in page.select_one("#give-back-note").text
    response = client.post(
        f"/ks/runder/{closed.id}/frigi", data={"csrf_token": token, "tatt_av": holder}
    )
    assert response.status_code == 303
    status = soup(client.get(response.headers["location"])).select_one("[role=status]")
    assert "radgiver@ks.no ser ikke lenger på den" in status.get_text()
    assert take_round(client, second, closed).status_code == 303
    assert "radgiver2@ks.no" in soup(client.get("/ks")).select_one("tbody tr").get_text()
    (event,) = events(db, "share_released")
    assert event.actor_email == "radgiver2@ks.no"
    assert '"taken_by": "radgiver@ks.no"' in event.detail


def test_freeing_never_touches_a_claim_made_since_the_page_was_shown(client, cast, db, closed):
    share(client, cast, closed)
    take_round(client, cast.ks_adviser, closed)
    second = make_user(db, "radgiver2@ks.no", "ks_adviser")
    third = make_user(db, "radgiver3@ks.no", "ks_adviser")
    stale = {"tatt_av": str(cast.ks_adviser.id)}  # the page a colleague opened earlier
    token = login(client, cast.ks_adviser)
    client.post(f"/ks/runder/{closed.id}/frigi", data={"csrf_token": token} | stale)
    take_round(client, third, closed)
    token = login(client, second)
    refused = client.post(f"/ks/runder/{closed.id}/frigi", data={"csrf_token": token} | stale)
    assert refused.status_code == 409
    assert "radgiver3@ks.no ser på denne runden nå" in refused.text
    assert "radgiver3@ks.no" in soup(client.get("/ks")).select_one("tbody tr").get_text()
    # Nobody's claim at all: refused, with why.
    token = login(client, third)
    client.post(f"/ks/runder/{closed.id}/frigi", data={"csrf_token": token})
    again = client.post(f"/ks/runder/{closed.id}/frigi", data={"csrf_token": token})
    assert again.status_code == 409
    assert "Ingen ser på denne runden nå" in again.text
    assert len(events(db, "share_released")) == 2


def test_a_reviewed_round_is_neither_taken_nor_given_back(client, cast, db, closed):
    share(client, cast, closed)
    take_round(client, cast.ks_adviser, closed)
    token = login(client, cast.ks_adviser)
    client.post(f"/ks/runder/{closed.id}/ferdig", data={"csrf_token": token})
    page = soup(client.get(f"/ks/runder/{closed.id}"))
    assert give_back_button(page) is None
    assert page.select("form[action$='/ta']") == []
    data = {"csrf_token": token, "tatt_av": str(cast.ks_adviser.id)}
    assert client.post(f"/ks/runder/{closed.id}/frigi", data=data).status_code == 409
    assert "radgiver@ks.no" in page.select_one(".facts").get_text()  # who did the work
    other = make_closed_round_at(db, cast.a, [cast.staff, cast.staff2, cast.staff3], name="Vår")
    share(client, cast, other)
    token = login(client, cast.ks_adviser)
    client.post(f"/ks/runder/{other.id}/ferdig", data={"csrf_token": token})
    assert take_round(client, cast.ks_adviser, other).status_code == 409
    assert len(events(db, "share_taken")) == 1


def mark_done(client, user, rnd):
    token = login(client, user)
    return client.post(f"/ks/runder/{rnd.id}/ferdig", data={"csrf_token": token})


def reviewed_rows(client, url: str = "/ks/gjennomgatt") -> list[list[str]]:
    page = soup(client.get(url))
    return [[td.get_text(strip=True) for td in tr.select("td")] for tr in page.select("tbody tr")]


def test_reviewed_rounds_are_found_again_from_the_queue_newest_review_first(
    client, cast, db, closed
):
    other = make_closed_round_at(
        db, cast.b, [make_user(db, f"b{i}@b.no", "staff", cast.b) for i in range(3)], name="Vår"
    )
    share(client, cast, closed)
    token = login(client, cast.other_manager)
    client.post(f"/runder/{other.id}/del-med-ks", data={"csrf_token": token})
    second = make_user(db, "radgiver2@ks.no", "ks_adviser")
    mark_done(client, second, other)  # B shared last, reviewed first
    mark_done(client, cast.ks_adviser, closed)
    queue = soup(client.get("/ks"))
    assert queue.select("tbody tr") == []
    link = queue.find("a", string="Se runder som er ferdig gjennomgått")
    rows = reviewed_rows(client, link["href"])
    assert [r[:2] for r in rows] == [["Kommune A", "Høst 2026"], ["Kommune B", "Vår"]]
    assert [r[-1] for r in rows] == ["radgiver@ks.no", "radgiver2@ks.no"]
    assert [r[0] for r in reviewed_rows(client, "/ks/gjennomgatt?storrelse=liten")] == ["Kommune A"]
    assert client.get("/ks/gjennomgatt?storrelse=kjempestor").status_code == 422
    page = soup(client.get(f"/ks/runder/{closed.id}"))
    assert page.select_one(".breadcrumbs a")["href"] == "/ks/gjennomgatt"
    assert "Ferdig gjennomgått" in page.select_one(".facts").get_text()


def test_a_withdrawn_share_leaves_the_reviewed_list_and_shared_again_waits_anew(
    client, cast, db, closed
):
    share(client, cast, closed)
    mark_done(client, cast.ks_adviser, closed)
    assert [r[1] for r in reviewed_rows(client)] == ["Høst 2026"]
    token = login(client, cast.manager)
    client.post(f"/runder/{closed.id}/trekk-deling", data={"csrf_token": token})
    login(client, cast.ks_adviser)
    page = soup(client.get("/ks/gjennomgatt"))
    assert page.select("tbody tr") == []
    assert "Høst 2026" not in page.get_text()
    assert "Ingen delte runder er ferdig gjennomgått ennå." in page.get_text()
    assert client.get(f"/ks/runder/{closed.id}").status_code == 404
    share(client, cast, closed)  # a new share: waiting in the queue, not reviewed
    login(client, cast.ks_adviser)
    assert reviewed_rows(client) == []
    assert "Høst 2026" in soup(client.get("/ks")).select_one("tbody tr").get_text()


def test_the_reviewed_list_is_bounded_and_pages_back_keeping_the_filter(
    client, cast, db, closed, monkeypatch
):
    monkeypatch.setattr(lists, "REVIEWED_PER_PAGE", 1)
    other = make_closed_round_at(db, cast.a, [cast.staff, cast.staff2, cast.staff3], name="Vår")
    for rnd in (closed, other):
        share(client, cast, rnd)
        mark_done(client, cast.ks_adviser, rnd)
    first = soup(client.get("/ks/gjennomgatt?storrelse=liten"))
    assert [tr.td.get_text(strip=True) for tr in first.select("tbody tr")] == ["Kommune A"]
    assert "Vår" in first.select_one("tbody").get_text()
    assert first.find("a", string="Nyere") is None
    older = first.find("a", string="Eldre")["href"]
    assert older == "/ks/gjennomgatt?storrelse=liten&side=2"
    second = soup(client.get(older))
    assert "Høst 2026" in second.select_one("tbody").get_text()
    assert second.find("a", string="Eldre") is None
    assert second.find("a", string="Nyere")["href"] == "/ks/gjennomgatt?storrelse=liten&side=1"
    assert client.get("/ks/gjennomgatt?side=0").status_code == 422


def test_the_reviewed_list_shows_no_figure_and_nothing_unshared(client, cast, db, closed):
    """What the queue shows and no more: no area figure, none of a round not shared now."""
    share(client, cast, closed)
    mark_done(client, cast.ks_adviser, closed)
    make_closed_round_at(db, cast.a, [cast.staff, cast.staff2, cast.staff3], name="Ny")
    text = soup(client.get("/ks/gjennomgatt")).select_one("main").get_text(" ")
    assert "Ny" not in text.split()
    assert cast.round_a.name not in text
    scores = {f"{a.score:.0f}" for a in db.exec(select(SharedArea)) if a.score is not None}
    assert scores
    assert not scores & set(text.split())
