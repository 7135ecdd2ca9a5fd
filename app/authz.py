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


class Access(StrEnum):
    """The rule every route declares: who may reach it at all (objects are checked by `can`)."""

    PUBLIC = "public"  # anyone, logged in or not
    LOGGED_IN = "logged_in"  # any active user
    MUNICIPALITY = "municipality"  # staff and managers, within their own municipality
    MANAGER = "manager"  # managers, within their own municipality
    ADMIN = "admin"  # administrators
    DEVELOPER = "developer"  # the local demo's developer pages; off outside the demo


ROLES_FOR: dict[Access, frozenset[str]] = {
    Access.LOGGED_IN: frozenset({"staff", "manager", "ks_adviser", "admin"}),
    Access.MUNICIPALITY: frozenset({"staff", "manager"}),
    Access.MANAGER: frozenset({"manager"}),
    Access.ADMIN: frozenset({"admin"}),
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
}


class Decision(StrEnum):
    ALLOW = "allow"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    NOT_LOGGED_IN = "not_logged_in"


def can(actor: Actor, action: Action, municipality_id: int | None) -> Decision:
    """May the actor take this action on an object belonging to this municipality?"""
    if municipality_id is None or actor.municipality_id != municipality_id:
        return Decision.NOT_FOUND
    if actor.role in OWN_MUNICIPALITY[action]:
        return Decision.ALLOW
    return Decision.FORBIDDEN


def may_enter(actor: Actor | None, access: Access) -> Decision:
    """May this actor (None: not logged in) reach a route with this rule at all?"""
    if access in (Access.PUBLIC, Access.DEVELOPER):
        return Decision.ALLOW
    if actor is None:
        return Decision.NOT_LOGGED_IN
    return Decision.ALLOW if actor.role in ROLES_FOR[access] else Decision.FORBIDDEN


def require(actor: Actor, action: Action, municipality_id: int | None) -> None:
    """Raise NotFound or Forbidden unless `can` allows."""
    decision = can(actor, action, municipality_id)
    if decision is Decision.NOT_FOUND:
        raise NotFound(_("Vi fant ikke siden eller saken du ba om."))
    if decision is Decision.FORBIDDEN:
        raise Forbidden(_("Du har ikke tilgang til dette med rollen din."))
