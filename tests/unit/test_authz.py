import pytest

from app.authz import Access, Action, Actor, Decision, can, may_enter

A, B = 1, 2
STAFF = Actor(1, "staff", A)
MANAGER = Actor(2, "manager", A)
KS = Actor(3, "ks_adviser", None)
ADMIN = Actor(4, "admin", None)

TABLE = [
    # actor, action, object's municipality, decision
    (STAFF, Action.VIEW_ROUND, A, Decision.ALLOW),
    (STAFF, Action.ANSWER_ROUND, A, Decision.ALLOW),
    (STAFF, Action.MANAGE_ROUND, A, Decision.FORBIDDEN),
    (STAFF, Action.VIEW_RESULTS, A, Decision.FORBIDDEN),
    (STAFF, Action.VIEW_ROUND, B, Decision.NOT_FOUND),
    (STAFF, Action.ANSWER_ROUND, B, Decision.NOT_FOUND),
    (MANAGER, Action.VIEW_ROUND, A, Decision.ALLOW),
    (MANAGER, Action.ANSWER_ROUND, A, Decision.ALLOW),
    (MANAGER, Action.MANAGE_ROUND, A, Decision.ALLOW),
    (MANAGER, Action.VIEW_RESULTS, A, Decision.ALLOW),
    (MANAGER, Action.VIEW_RESULTS, B, Decision.NOT_FOUND),
    (MANAGER, Action.MANAGE_ROUND, B, Decision.NOT_FOUND),
    (KS, Action.VIEW_RESULTS, A, Decision.NOT_FOUND),
    (KS, Action.ANSWER_ROUND, A, Decision.NOT_FOUND),
    (ADMIN, Action.VIEW_RESULTS, A, Decision.NOT_FOUND),
    (STAFF, Action.VIEW_ROUND, None, Decision.NOT_FOUND),
    (STAFF, Action.INVITE_STAFF, A, Decision.FORBIDDEN),
    (MANAGER, Action.INVITE_STAFF, A, Decision.ALLOW),
    (MANAGER, Action.INVITE_STAFF, B, Decision.NOT_FOUND),
    (STAFF, Action.EXPORT_MUNICIPALITY, A, Decision.FORBIDDEN),
    (MANAGER, Action.EXPORT_MUNICIPALITY, A, Decision.ALLOW),
    (MANAGER, Action.EXPORT_MUNICIPALITY, B, Decision.NOT_FOUND),
    (STAFF, Action.VIEW_PLAN, A, Decision.ALLOW),
    (STAFF, Action.VIEW_PLAN, B, Decision.NOT_FOUND),
    (STAFF, Action.EDIT_PLAN, A, Decision.FORBIDDEN),
    (MANAGER, Action.EDIT_PLAN, A, Decision.ALLOW),
    (MANAGER, Action.EDIT_PLAN, B, Decision.NOT_FOUND),
    (KS, Action.VIEW_PLAN, A, Decision.NOT_FOUND),
]

ENTRY = [
    (None, Access.PUBLIC, Decision.ALLOW),
    (None, Access.LOGGED_IN, Decision.NOT_LOGGED_IN),
    (None, Access.ADMIN, Decision.NOT_LOGGED_IN),
    (STAFF, Access.LOGGED_IN, Decision.ALLOW),
    (STAFF, Access.MUNICIPALITY, Decision.ALLOW),
    (STAFF, Access.MANAGER, Decision.FORBIDDEN),
    (STAFF, Access.ADMIN, Decision.FORBIDDEN),
    (MANAGER, Access.MANAGER, Decision.ALLOW),
    (MANAGER, Access.ADMIN, Decision.FORBIDDEN),
    (KS, Access.MUNICIPALITY, Decision.FORBIDDEN),
    (KS, Access.LOGGED_IN, Decision.ALLOW),
    (ADMIN, Access.ADMIN, Decision.ALLOW),
    (ADMIN, Access.MUNICIPALITY, Decision.FORBIDDEN),
]


@pytest.mark.parametrize(("actor", "access", "decision"), ENTRY)
def test_may_enter(actor, access, decision):
    assert may_enter(actor, access) is decision


@pytest.mark.parametrize(("actor", "action", "municipality", "decision"), TABLE)
def test_can(actor, action, municipality, decision):
    assert can(actor, action, municipality) is decision


def test_every_action_is_in_the_table():
    assert {row[1] for row in TABLE} == set(Action)
