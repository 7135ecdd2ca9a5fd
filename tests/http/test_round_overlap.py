"""Nobody is asked to answer two open rounds of their municipality at once.

Two rounds asked in the same weeks, one of A, B, C and D and one of A, B and C: the level
counts of the first minus those of the second would be D's answers. Rounds of different
people may run side by side.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, col, func, select

from app.accounts.models import Role, User
from app.authz import Actor
from app.db import make_engine
from app.errors import InvalidInput
from app.rounds import service
from app.rounds.models import Round, RoundInvitee, RoundRespondent
from tests.conftest import BACKENDS, fresh_database, login, migrate
from tests.factories import close_round, make_municipality, make_user


def create(client, token, **fields):
    data = {"name": "Vår 2028", "csrf_token": token, **fields}
    return client.post("/runder", data=data)


def rounds_named(db, name: str) -> int:
    return db.exec(select(func.count()).select_from(Round).where(Round.name == name)).one()


def respondents_of(db, rnd: Round) -> set[int]:
    query = select(RoundRespondent.user_id).where(RoundRespondent.round_id == rnd.id)
    return set(db.exec(query))


def test_a_second_round_that_leaves_one_person_out_is_refused(client, cast, db):
    fourth = make_user(db, "ansatt4@a.no", Role.STAFF, cast.a)
    close_round(db, cast.round_a)
    token = login(client, cast.manager)
    everyone = [cast.staff, cast.staff2, cast.staff3, fourth]
    first = create(client, token, name="Alle fire", respondents=[str(u.id) for u in everyone])
    assert first.status_code == 303

    three = [str(u.id) for u in everyone[:3]]
    refused = create(client, token, name="Tre av dem", respondents=three)
    assert refused.status_code == 422
    assert rounds_named(db, "Tre av dem") == 0
    page = BeautifulSoup(refused.text, "html.parser")
    said = page.select_one("#error-summary").get_text(" ", strip=True)
    assert "ansatt@a.no («Alle fire»), ansatt2@a.no («Alle fire»)" in said
    assert "ansatt4@a.no" not in said  # only those chosen who are in the other round
    assert "Ingen kan være med i to åpne runder samtidig" in said
    assert page.select_one("#error-summary a")["href"] == "#round-respondents"
    assert page.select_one("#round-respondents") is not None
    assert page.select_one("#round-name")["value"] == "Tre av dem"  # what was typed stays
    checked = {i["value"] for i in page.select("input[name=respondents][checked]")}
    assert checked == set(three)


def test_rounds_of_different_people_run_side_by_side(client, cast, db):
    close_round(db, cast.round_a)
    token = login(client, cast.manager)
    one = create(client, token, name="Team nord", respondents=[str(cast.staff.id)])
    other = create(client, token, name="Team sør", respondents=[str(cast.staff2.id)])
    assert (one.status_code, other.status_code) == (303, 303)


def test_the_form_leaves_out_those_in_an_open_round_and_says_which(client, cast, db):
    newcomer = make_user(db, "ny@a.no", Role.STAFF, cast.a)
    token = login(client, cast.manager)
    page = BeautifulSoup(client.get("/runder").text, "html.parser")
    checked = {i["value"] for i in page.select("input[name=respondents][checked]")}
    assert checked == {str(newcomer.id)}
    busy = page.select_one(f"#respondent-{cast.staff.id}-busy").get_text(strip=True)
    assert busy == "Med i den åpne runden «Vår 2027»"
    box = page.select_one(f"#respondent-{cast.staff.id}")
    assert box["aria-describedby"].split()[0] == f"respondent-{cast.staff.id}-busy"
    assert page.select_one(f"#respondent-{newcomer.id}-busy") is None
    assert page.select_one("#all-busy") is None  # the newcomer may be chosen

    client.post(f"/runder/{cast.round_a.id}/lukk", data={"csrf_token": token})
    page = BeautifulSoup(client.get("/runder").text, "html.parser")
    checked = {i["value"] for i in page.select("input[name=respondents][checked]")}
    assert str(cast.staff.id) in checked  # everyone again by default once it is closed
    assert "Med i den åpne runden" not in page.get_text()


def test_a_new_address_waiting_for_one_open_round_cannot_join_another(client, cast, db):
    close_round(db, cast.round_a)
    token = login(client, cast.manager)
    assert create(client, token, name="Første", new_people="ny@a.no").status_code == 303
    refused = create(
        client, token, name="Andre", respondents=[str(cast.staff.id)], new_people="Ny@A.no"
    )
    assert refused.status_code == 422
    page = BeautifulSoup(refused.text, "html.parser")
    said = page.select_one("#error-summary").get_text()
    assert "ny@a.no («Første»)" in said
    assert "Ta adressen ut av feltet, eller lukk den andre runden først" in said
    assert page.select_one("#error-summary a")["href"] == "#round-new-people"
    assert rounds_named(db, "Andre") == 0
    waiting = select(func.count()).select_from(RoundInvitee)
    assert db.exec(waiting.where(RoundInvitee.email == "ny@a.no")).one() == 1


def test_someone_in_another_open_round_cannot_be_added_to_one(client, cast, db):
    newcomer = make_user(db, "ny@a.no", Role.STAFF, cast.a)
    spare = make_user(db, "ny2@a.no", Role.STAFF, cast.a)
    token = login(client, cast.manager)
    assert create(client, token, name="Team sør", respondents=[str(newcomer.id)]).status_code == 303
    south = db.exec(select(Round).where(Round.name == "Team sør")).one()

    page = BeautifulSoup(client.get(f"/runder/{cast.round_a.id}").text, "html.parser")
    offered = {o["value"] for o in page.select("#add-respondent option")}
    assert offered == {str(spare.id)}  # not the one in «Team sør»
    text = page.get_text(" ", strip=True)
    assert "1 ansatt er med i en annen åpen runde («Team sør») og kan ikke legges til" in text

    url = f"/runder/{cast.round_a.id}/svarere"
    # A page read before «Team sør» took them (another tab, another manager): the round page
    # again with the reason, not an error page.
    refused = client.post(url, data={"user": str(newcomer.id), "csrf_token": token})
    assert refused.headers["location"] == f"/runder/{cast.round_a.id}"
    said = BeautifulSoup(client.get(refused.headers["location"]).text, "html.parser").get_text()
    assert "ny@a.no («Team sør») er allerede med i en annen åpen runde" in said
    assert "Personen kan legges til når den andre runden er lukket" in said
    assert newcomer.id not in respondents_of(db, cast.round_a)
    assert respondents_of(db, south) == {newcomer.id}
    added = client.post(url, data={"user": str(spare.id), "csrf_token": token})
    assert added.status_code == 303
    assert spare.id in respondents_of(db, cast.round_a)


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_managers_starting_rounds_at_once_do_not_both_get_the_same_person(backend):
    """Both check that nobody chosen is in an open round before either has written its own:
    the check and the writes hold the municipality, so the second sees the first's round."""
    with fresh_database(backend) as url:
        migrate(url)
        engine = make_engine(url)
        try:
            with Session(engine, expire_on_commit=False) as setup:
                town = make_municipality(setup, number="9993", name="Kommune C")
                managers = [make_user(setup, f"leder{i}@c.no", Role.MANAGER, town) for i in (1, 2)]
                person = make_user(setup, "ansatt@c.no", Role.STAFF, town)
                setup.commit()
            barrier = threading.Barrier(2)

            def start(i: int) -> str:
                user = managers[i]
                assert user.id is not None
                actor = Actor(user.id, "manager", town.id, user.email)
                with Session(engine) as session:
                    barrier.wait(timeout=30)
                    try:
                        service.create_round(session, actor, f"Runde {i}", None, None, [person.id])
                    except InvalidInput:
                        return "refused"
                    return "started"

            with ThreadPoolExecutor(max_workers=2) as pool:
                outcome = sorted(pool.map(start, range(2)))
            assert outcome == ["refused", "started"]
            with Session(engine) as check:
                query = select(func.count()).where(col(RoundRespondent.user_id) == person.id)
                assert check.exec(query).one() == 1
                assert check.exec(select(func.count()).select_from(User)).one() == 3
        finally:
            engine.dispose()


def test_when_everyone_is_in_the_open_round_the_form_says_so_first(client, cast, db):
    token = login(client, cast.manager)
    page = BeautifulSoup(client.get("/runder").text, "html.parser")
    said = page.select_one("#all-busy").get_text(" ", strip=True)
    assert said.startswith("Alle ansatte er med i en runde som er åpen nå: «Vår 2027».")
    assert "inviter nye personer" in said
    client.post(f"/runder/{cast.round_a.id}/lukk", data={"csrf_token": token})
    page = BeautifulSoup(client.get("/runder").text, "html.parser")
    assert page.select_one("#all-busy") is None
    assert "Ingen kan være med i to åpne runder" not in page.get_text()
