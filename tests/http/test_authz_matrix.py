"""Every route of the app, for every role, in its own and another municipality, and logged out.

Each route must declare its access rule (allow(Access.X)); a route without one fails here, so
a new route cannot slip in unchecked. The expected status follows from the declared rule:
logged out → login (303 for pages, 401 for posts); wrong role → 403; another municipality's
object → 404; allowed → anything but 401/403/404/5xx.
"""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from openpyxl import load_workbook
from starlette.routing import Mount

from app.accounts.models import Invitation, Role
from app.accounts.tokens import new_token
from app.authz import ROLES_FOR, Access
from app.content.service import current_guidance
from app.main import app
from app.plan.models import Measure
from app.rounds.lifecycle import close_and_snapshot
from app.web import Allow
from tests.conftest import csrf_of, login
from tests.factories import make_round

ACTORS = ["anonymous", "staff", "manager", "other_staff", "other_manager", "ks_adviser", "admin"]
ROLE = {
    "staff": "staff",
    "manager": "manager",
    "other_staff": "staff",
    "other_manager": "manager",
    "ks_adviser": "ks_adviser",
    "admin": "admin",
}
OWN_MUNICIPALITY = {"staff", "manager"}  # the cast's objects all belong to municipality A


def declared(route) -> list[Access]:
    original = route.original_route
    return [d.call.access for d in original.dependant.dependencies if isinstance(d.call, Allow)]


def api_routes():
    """Every route as the app serves it, with included routers' prefixes applied."""
    return [c for c in iter_route_contexts(app.routes) if isinstance(c.original_route, APIRoute)]


def test_the_app_has_all_its_routes():
    assert len(api_routes()) > 30  # guards against the walk above silently finding nothing


def test_every_route_declares_exactly_one_access_rule():
    missing = [f"{sorted(r.methods)} {r.path}" for r in api_routes() if len(declared(r)) != 1]
    assert missing == []


def test_the_only_other_route_is_the_public_static_mount():
    others = [
        c.original_route
        for c in iter_route_contexts(app.routes)
        if not isinstance(c.original_route, APIRoute)
    ]
    assert [(type(r), r.path) for r in others] == [(Mount, "/static")]


@pytest.fixture
def objects(db, cast, mailbox) -> dict[str, int]:
    """Objects of municipality A that only exist after a round has closed (a measure), and an
    open staff invitation (sent again, its mail goes to the test's mailbox)."""
    closed = make_round(db, cast.a, name="Lukket")
    assert close_and_snapshot(db, closed, None)
    measure = Measure(round_id=closed.id, title="Tiltak")
    db.add(measure)
    invitation = Invitation(
        email="invitert@a.no",
        role=Role.STAFF,
        municipality_id=cast.a.id,
        token_hash=new_token()[1],
        expires_at=datetime.now(UTC) + timedelta(days=14),
    )
    db.add(invitation)
    db.commit()
    return {"measure_id": measure.id, "invitation_id": invitation.id}


def fill(path: str, cast, objects: dict[str, int], rnd=None) -> str:
    values = {
        **objects,
        "round_id": (rnd or cast.round_a).id,
        "area_id": current_guidance().areas[0].id,
        "municipality_id": cast.a.id,
        "user_id": cast.staff.id,
        "token": "ugyldig-lenke-" + "x" * 30,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


def expected(access: Access, actor: str, path: str, method: str) -> str:
    if access is Access.DEVELOPER:
        return "404"  # developer pages exist only in the local demo
    if access is Access.PUBLIC:
        return "allowed"
    if actor == "anonymous":
        return "login"
    if ROLE[actor] not in ROLES_FOR[access]:
        return "403"
    scoped = any(f"{{{key}}}" in path for key in ("round_id", "measure_id", "invitation_id"))
    if scoped and access is Access.ADMIN:
        return "allowed"  # an administrator acts on any municipality's invitation
    if scoped and actor not in OWN_MUNICIPALITY:
        return "404"
    return "allowed"


def absent(path: str) -> bool:
    """Public routes that are 404 here on purpose: a made-up link token, OIDC not configured."""
    return "{token}" in path or "/ekstern" in path


def request(client, method: str, url: str, token: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token})


@pytest.mark.parametrize("actor", ACTORS)
def test_every_route_for_every_actor(client, cast, objects, actor):
    failures = []
    token = ""
    for route in api_routes():
        for method in sorted(route.methods):
            if actor == "anonymous":
                client.cookies.clear()
                token = csrf_of(client)  # an anonymous session, as a browser has after any page
            elif not token or client.get("/konto").status_code != 200:
                token = login(client, getattr(cast, actor))  # again after a logout, say
            url = fill(route.path, cast, objects)
            want = expected(declared(route)[0], actor, route.path, method)
            got = request(client, method, url, token).status_code
            ok = {
                "404": got == 404,
                "403": got == 403,
                "login": got == (303 if method == "GET" else 401),
                "allowed": got not in (401, 403, 404)
                and got < 500
                or (got == 404 and absent(route.path)),
            }[want]
            if not ok:
                failures.append(f"{method} {route.path} as {actor}: expected {want}, got {got}")
    assert failures == []


def adviser_expects(access: Access, path: str, method: str, shared: bool) -> str:
    """KS's routes on a round exist for the adviser only while the round is shared."""
    if access is Access.KS and "{round_id}" in path:
        return "allowed" if shared else "404"
    return expected(access, "ks_adviser", path, method)


PLAN_TITLE = "Tiltak bare kommunen kjenner"  # a measure on the round in every closed state


def round_in_state(db, cast, state: str):
    """A round of municipality A that is open, closed and unshared, shared (with or without
    its action plan) or withdrawn; a closed one has a measure owned by a member of staff."""
    from app.authz import Actor
    from app.review import service as review
    from tests.factories import make_closed_round_at

    if state == "open":
        return cast.round_a, None
    rnd = make_closed_round_at(db, cast.a, [cast.staff, cast.staff2, cast.staff3])
    measure = Measure(round_id=rnd.id, title=PLAN_TITLE, owner_user_id=cast.staff.id)
    db.add(measure)
    db.commit()
    manager = Actor(cast.manager.id, "manager", cast.a.id, cast.manager.email)
    if state != "unshared":
        review.share_round(db, manager, rnd, include_comments=True, include_plan="plan" in state)
    if state.startswith("withdrawn"):
        review.withdraw_share(db, manager, rnd)
    return rnd, measure.id


STATES = ["shared", "shared_with_plan", "unshared", "withdrawn", "withdrawn_with_plan", "open"]


@pytest.mark.parametrize("state", STATES)
def test_the_ks_adviser_against_every_route_and_round_state(client, cast, db, objects, state):
    rnd, measure_id = round_in_state(db, cast, state)
    objects = {**objects, "measure_id": measure_id or objects["measure_id"]}
    token = login(client, cast.ks_adviser)
    failures = []
    for route in api_routes():
        for method in sorted(route.methods):
            if client.get("/konto").status_code != 200:
                token = login(client, cast.ks_adviser)
            url = fill(route.path, cast, objects, rnd)
            shared = state.startswith("shared")
            want = adviser_expects(declared(route)[0], route.path, method, shared)
            got = request(client, method, url, token).status_code
            ok = {
                "404": got == 404,
                "403": got == 403,
                "login": got == (303 if method == "GET" else 401),
                "allowed": got not in (401, 403, 404) and got < 500 or absent(route.path),
            }[want]
            if not ok:
                failures.append(f"{method} {route.path} ({state}): expected {want}, got {got}")
    assert failures == []


def readable(response) -> str:
    """A response's text as a reader would get it out: workbooks cell by cell."""
    if "spreadsheetml" in response.headers.get("content-type", ""):
        book = load_workbook(io.BytesIO(response.content))
        return " ".join(
            str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row
        )
    return response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("state", STATES)
def test_the_ks_adviser_reads_a_plan_only_while_it_is_shared_and_never_a_name(
    client, cast, db, objects, state
):
    """Every GET route, as a page and as an htmx fragment: the plan's measure appears on the
    review page of a round shared with its plan and nowhere else; no staff e-mail anywhere."""
    rnd, measure_id = round_in_state(db, cast, state)
    objects = {**objects, "measure_id": measure_id or objects["measure_id"]}
    login(client, cast.ks_adviser)
    seen, named = set(), set()
    for route in api_routes():
        if "GET" not in route.methods:
            continue
        for headers in ({}, {"HX-Request": "true"}):
            if client.get("/konto").status_code != 200:
                login(client, cast.ks_adviser)
            text = readable(client.get(fill(route.path, cast, objects, rnd), headers=headers))
            if PLAN_TITLE in text:
                seen.add(route.path)
            if any(p.email in text for p in (cast.staff, cast.staff2, cast.staff3, cast.manager)):
                named.add(route.path)
    assert seen == ({"/ks/runder/{round_id}"} if state == "shared_with_plan" else set())
    assert named == set()
