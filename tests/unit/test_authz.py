import pytest

from app.authz import (
    Access,
    Action,
    Actor,
    Decision,
    Sharing,
    can,
    can_across,
    can_on_round,
    may_enter,
    may_give,
)

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
    (ADMIN, Action.INVITE_STAFF, A, Decision.ALLOW),  # any municipality's invitation
    (ADMIN, Action.INVITE_STAFF, B, Decision.ALLOW),
    (ADMIN, Action.INVITE_STAFF, None, Decision.ALLOW),  # an invitation to no municipality
    (MANAGER, Action.INVITE_STAFF, None, Decision.NOT_FOUND),
    (KS, Action.INVITE_STAFF, None, Decision.NOT_FOUND),
    (ADMIN, Action.VIEW_RESULTS, None, Decision.NOT_FOUND),
    (KS, Action.INVITE_STAFF, A, Decision.NOT_FOUND),
    (STAFF, Action.EXPORT_MUNICIPALITY, A, Decision.FORBIDDEN),
    (MANAGER, Action.EXPORT_MUNICIPALITY, A, Decision.ALLOW),
    (MANAGER, Action.EXPORT_MUNICIPALITY, B, Decision.NOT_FOUND),
    (STAFF, Action.VIEW_PLAN, A, Decision.ALLOW),
    (STAFF, Action.VIEW_PLAN, B, Decision.NOT_FOUND),
    (STAFF, Action.EDIT_PLAN, A, Decision.FORBIDDEN),
    (MANAGER, Action.EDIT_PLAN, A, Decision.ALLOW),
    (MANAGER, Action.EDIT_PLAN, B, Decision.NOT_FOUND),
    (KS, Action.VIEW_PLAN, A, Decision.NOT_FOUND),
    (MANAGER, Action.SHARE_ROUND, A, Decision.ALLOW),
    (MANAGER, Action.SHARE_ROUND, B, Decision.NOT_FOUND),
    (STAFF, Action.SHARE_ROUND, A, Decision.FORBIDDEN),
    (MANAGER, Action.VIEW_COMMENTS, A, Decision.ALLOW),
    (STAFF, Action.VIEW_COMMENTS, A, Decision.FORBIDDEN),
    (KS, Action.VIEW_COMMENTS, A, Decision.NOT_FOUND),
    (MANAGER, Action.REVIEW_SHARED, A, Decision.FORBIDDEN),
    (KS, Action.REVIEW_SHARED, A, Decision.NOT_FOUND),  # without a share: nothing
    (KS, Action.VIEW_NATIONAL, A, Decision.NOT_FOUND),
    (MANAGER, Action.VIEW_NATIONAL, A, Decision.FORBIDDEN),
]

SHARED = Sharing(comments=False)
WITH_COMMENTS = Sharing(comments=True)
WITH_PLAN = Sharing(comments=False, plan=True)
ON_ROUND = [
    # actor, action, round's municipality, what it shares with KS, decision
    (KS, Action.REVIEW_SHARED, A, SHARED, Decision.ALLOW),
    (KS, Action.VIEW_RESULTS, A, SHARED, Decision.ALLOW),
    (KS, Action.REVIEW_SHARED, A, None, Decision.NOT_FOUND),  # unshared or withdrawn
    (KS, Action.VIEW_RESULTS, A, None, Decision.NOT_FOUND),
    (KS, Action.REVIEW_SHARED, None, SHARED, Decision.NOT_FOUND),
    (KS, Action.VIEW_COMMENTS, A, SHARED, Decision.FORBIDDEN),
    (KS, Action.VIEW_COMMENTS, A, WITH_COMMENTS, Decision.ALLOW),
    (KS, Action.VIEW_COMMENTS, A, WITH_PLAN, Decision.FORBIDDEN),  # the plan is not comments
    (KS, Action.VIEW_PLAN, A, SHARED, Decision.FORBIDDEN),  # shared without the plan
    (KS, Action.VIEW_PLAN, A, WITH_COMMENTS, Decision.FORBIDDEN),
    (KS, Action.VIEW_PLAN, A, WITH_PLAN, Decision.ALLOW),
    (KS, Action.VIEW_PLAN, A, None, Decision.NOT_FOUND),  # unshared or withdrawn
    (KS, Action.VIEW_PLAN, None, WITH_PLAN, Decision.NOT_FOUND),
    (KS, Action.EDIT_PLAN, A, WITH_PLAN, Decision.NOT_FOUND),  # reading is all a share gives
    (STAFF, Action.VIEW_PLAN, A, None, Decision.ALLOW),  # the team's own plan, shared or not
    (MANAGER, Action.VIEW_PLAN, B, WITH_PLAN, Decision.NOT_FOUND),
    (KS, Action.ANSWER_ROUND, A, SHARED, Decision.NOT_FOUND),  # sharing lets KS read, no more
    (KS, Action.MANAGE_ROUND, A, SHARED, Decision.NOT_FOUND),
    (KS, Action.SHARE_ROUND, A, SHARED, Decision.NOT_FOUND),
    (MANAGER, Action.VIEW_RESULTS, A, None, Decision.ALLOW),  # own municipality: as `can`
    (MANAGER, Action.VIEW_RESULTS, B, SHARED, Decision.NOT_FOUND),  # a share is for KS only
    (MANAGER, Action.REVIEW_SHARED, B, SHARED, Decision.NOT_FOUND),
    (STAFF, Action.VIEW_COMMENTS, A, WITH_COMMENTS, Decision.FORBIDDEN),
    (ADMIN, Action.REVIEW_SHARED, A, SHARED, Decision.NOT_FOUND),
    (ADMIN, Action.VIEW_RESULTS, A, SHARED, Decision.NOT_FOUND),
]


@pytest.mark.parametrize(("actor", "action", "municipality", "sharing", "decision"), ON_ROUND)
def test_can_on_round(actor, action, municipality, sharing, decision):
    assert can_on_round(actor, action, municipality, sharing) is decision


@pytest.mark.parametrize(
    ("actor", "decision"),
    [(KS, Decision.ALLOW), (MANAGER, Decision.FORBIDDEN), (ADMIN, Decision.FORBIDDEN)],
)
def test_only_ks_works_across_municipalities(actor, decision):
    assert can_across(actor, Action.REVIEW_SHARED) is decision
    assert can_across(actor, Action.VIEW_NATIONAL) is decision


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
    (KS, Access.KS, Decision.ALLOW),
    (MANAGER, Access.KS, Decision.FORBIDDEN),
    (ADMIN, Access.KS, Decision.FORBIDDEN),
    (None, Access.KS, Decision.NOT_LOGGED_IN),
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


GIVES = [
    # actor, role of the invitation, may invite to it (and send it again or withdraw it)
    (MANAGER, "staff", True),
    (MANAGER, "manager", False),  # an administrator's invitation is not the manager's
    (MANAGER, "admin", False),
    (ADMIN, "manager", True),
    (ADMIN, "ks_adviser", True),
    (ADMIN, "staff", True),
    (STAFF, "staff", False),
    (KS, "staff", False),
]


@pytest.mark.parametrize(("actor", "role", "allowed"), GIVES)
def test_may_give(actor, role, allowed):
    assert may_give(actor, role) is allowed
