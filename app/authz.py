"""The one permission layer: who may do what, as a plain table (pure: no I/O).

Services load objects through `require()`, so a route never checks roles itself. Another
municipality's object is "not found" (404), never "forbidden", so its existence is not leaked.
"""

from dataclasses import dataclass
from enum import StrEnum

from app.errors import Forbidden, NotFound
from app.i18n import _


class Action(StrEnum):
    VIEW_ROUND = "view_round"
    ANSWER_ROUND = "answer_round"
    MANAGE_ROUND = "manage_round"
    VIEW_RESULTS = "view_results"
    INVITE_STAFF = "invite_staff"
    EXPORT_MUNICIPALITY = "export_municipality"
    VIEW_PLAN = "view_plan"
    EDIT_PLAN = "edit_plan"
    SHARE_ROUND = "share_round"  # share a closed round with KS, withdraw it, reply to feedback
    VIEW_COMMENTS = "view_comments"  # the round's anonymous comments, word for word
    REVIEW_SHARED = "review_shared"  # read a shared round as KS and write feedback on it
    VIEW_NATIONAL = "view_national"  # the overview across what municipalities share with KS


class Access(StrEnum):
    """The rule every route declares: who may reach it at all (objects are checked by `can`)."""

    PUBLIC = "public"  # anyone, logged in or not
    LOGGED_IN = "logged_in"  # any active user
    MUNICIPALITY = "municipality"  # staff and managers, within their own municipality
    MANAGER = "manager"  # managers, within their own municipality
    ADMIN = "admin"  # administrators
    KS = "ks"  # KS advisers (objects: only rounds a municipality has shared, see can_on_round)
    DEVELOPER = "developer"  # the local demo's developer pages; off outside the demo


ROLES_FOR: dict[Access, frozenset[str]] = {
    Access.LOGGED_IN: frozenset({"staff", "manager", "ks_adviser", "admin"}),
    Access.MUNICIPALITY: frozenset({"staff", "manager"}),
    Access.MANAGER: frozenset({"manager"}),
    Access.ADMIN: frozenset({"admin"}),
    Access.KS: frozenset({"ks_adviser"}),
}


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: str  # accounts.models.Role value
    municipality_id: int | None
    email: str = ""


# Which roles may take each action on objects of their own municipality.
OWN_MUNICIPALITY: dict[Action, frozenset[str]] = {
    Action.VIEW_ROUND: frozenset({"staff", "manager"}),
    Action.ANSWER_ROUND: frozenset({"staff", "manager"}),
    Action.MANAGE_ROUND: frozenset({"manager"}),
    Action.VIEW_RESULTS: frozenset({"manager"}),
    Action.INVITE_STAFF: frozenset({"manager"}),
    Action.EXPORT_MUNICIPALITY: frozenset({"manager"}),
    # The action plan is the team's: everyone reads it, the manager keeps it.
    Action.VIEW_PLAN: frozenset({"staff", "manager"}),
    Action.EDIT_PLAN: frozenset({"manager"}),
    Action.SHARE_ROUND: frozenset({"manager"}),
    Action.VIEW_COMMENTS: frozenset({"manager"}),
}

# Which roles may take each action on objects of any municipality. An administrator belongs to
# none, yet answers for every municipality's accounts: they send again or withdraw any
# municipality's open invitation (on /admin/kommuner/{id}), a wrong address included.
ANY_MUNICIPALITY: dict[Action, frozenset[str]] = {
    Action.INVITE_STAFF: frozenset({"admin"}),
}

# Which roles may take each action on objects of no municipality: an invitation to a KS
# adviser or an administrator (made on /admin/inviter) is an administrator's to send again or
# withdraw; to anyone else it does not exist (404).
NO_MUNICIPALITY: dict[Action, frozenset[str]] = {
    Action.INVITE_STAFF: frozenset({"admin"}),
}

# Which roles each role may give by invitation, and so which open invitations one may send
# again or withdraw: a manager invites staff (to their own municipality: INVITE_STAFF), an
# administrator anyone. An administrator's invitation to another role is not a manager's;
# only an administrator sends it again or withdraws it.
GIVES_ROLES: dict[str, frozenset[str]] = {
    "manager": frozenset({"staff"}),
    "admin": frozenset({"staff", "manager", "ks_adviser", "admin"}),
}

# Which roles may take each action on a round that its municipality has shared with KS. They
# belong to no municipality: the share, and nothing else, is what lets them in.
SHARED_WITH_KS: dict[Action, frozenset[str]] = {
    Action.VIEW_RESULTS: frozenset({"ks_adviser"}),
    Action.VIEW_COMMENTS: frozenset({"ks_adviser"}),
    Action.VIEW_PLAN: frozenset({"ks_adviser"}),  # read-only, without staff names
    Action.REVIEW_SHARED: frozenset({"ks_adviser"}),
}


# Actions on lists across municipalities (each row still only what is shared with KS).
ACROSS_MUNICIPALITIES: dict[Action, frozenset[str]] = {
    Action.REVIEW_SHARED: frozenset({"ks_adviser"}),
    Action.VIEW_NATIONAL: frozenset({"ks_adviser"}),
}


@dataclass(frozen=True)
class Sharing:
    """What a municipality shares of a round with KS right now (None where it shares nothing)."""

    comments: bool
    plan: bool = False


class Decision(StrEnum):
    ALLOW = "allow"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    NOT_LOGGED_IN = "not_logged_in"


def can(actor: Actor, action: Action, municipality_id: int | None) -> Decision:
    """May the actor take this action on an object belonging to this municipality?"""
    if municipality_id is not None and actor.role in ANY_MUNICIPALITY.get(action, frozenset()):
        return Decision.ALLOW
    if municipality_id is None and actor.role in NO_MUNICIPALITY.get(action, frozenset()):
        return Decision.ALLOW
    if municipality_id is None or actor.municipality_id != municipality_id:
        return Decision.NOT_FOUND
    if actor.role in OWN_MUNICIPALITY.get(action, frozenset()):
        return Decision.ALLOW
    return Decision.FORBIDDEN


def may_give(actor: Actor, role: str) -> bool:
    """May the actor invite someone to this role, or send again or withdraw such an invitation?"""
    return role in GIVES_ROLES.get(actor.role, frozenset())


def can_on_round(
    actor: Actor, action: Action, municipality_id: int | None, sharing: Sharing | None
) -> Decision:
    """`can`, plus KS's right to a round its municipality shares: an unshared or withdrawn
    round does not exist for KS (404), and its comments or action plan only if the
    municipality ticked so."""
    if actor.role not in SHARED_WITH_KS.get(action, frozenset()):
        return can(actor, action, municipality_id)
    if sharing is None or municipality_id is None:
        return Decision.NOT_FOUND
    if action is Action.VIEW_COMMENTS and not sharing.comments:
        return Decision.FORBIDDEN
    if action is Action.VIEW_PLAN and not sharing.plan:
        return Decision.FORBIDDEN
    return Decision.ALLOW


def can_across(actor: Actor, action: Action) -> Decision:
    """May the actor take this action across municipalities (KS's queue and overview)?"""
    allowed = actor.role in ACROSS_MUNICIPALITIES.get(action, frozenset())
    return Decision.ALLOW if allowed else Decision.FORBIDDEN


def may_enter(actor: Actor | None, access: Access) -> Decision:
    """May this actor (None: not logged in) reach a route with this rule at all?"""
    if access in (Access.PUBLIC, Access.DEVELOPER):
        return Decision.ALLOW
    if actor is None:
        return Decision.NOT_LOGGED_IN
    return Decision.ALLOW if actor.role in ROLES_FOR[access] else Decision.FORBIDDEN


def require(actor: Actor, action: Action, municipality_id: int | None) -> None:
    """Raise NotFound or Forbidden unless `can` allows."""
    _raise_unless_allowed(can(actor, action, municipality_id))


def require_on_round(
    actor: Actor, action: Action, municipality_id: int | None, sharing: Sharing | None
) -> None:
    """Raise NotFound or Forbidden unless `can_on_round` allows."""
    _raise_unless_allowed(can_on_round(actor, action, municipality_id, sharing))


def require_across(actor: Actor, action: Action) -> None:
    """Raise Forbidden unless `can_across` allows."""
    _raise_unless_allowed(can_across(actor, action))


def _raise_unless_allowed(decision: Decision) -> None:
    if decision is Decision.NOT_FOUND:
        raise NotFound(_("Vi fant ikke siden eller saken du ba om."))
    if decision is Decision.FORBIDDEN:
        raise Forbidden(_("Du har ikke tilgang til dette med rollen din."))
