"""Function-level access: which roles may call which view. Deny by default.

Every view is decorated with `allow(...)` or `public`; AccessPolicyMiddleware refuses any view
without a policy, and the T2 test walks the URLconf and compares each view's policy with the
role × view table in `inddrag/accounts/tests/test_policy.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from inddrag.municipalities.models import Membership

Role = Membership.Role


@dataclass(frozen=True)
class Policy:
    roles: frozenset[str]
    is_public: bool = False
    # Pages of the login flow need an authenticated-but-not-yet-verified or anonymous user.
    needs_membership: bool = True
    # The child channel: an unlocked child device session (inddrag.portal.session), never a
    # staff login. A child has no User and no role among the staff roles.
    is_child: bool = False
    # The platform operator's pages (User.is_operator): aggregates across municipalities.
    is_operator: bool = False


CHILD = "child"  # the role a child's access events carry
OPERATOR = "operator"  # the platform operator's role in the policy table and the access log


def allow[View: Callable[..., Any]](*roles: str) -> Callable[[View], View]:
    """Only signed-in, second-factor-verified users whose current role is one of `roles`."""
    policy = Policy(roles=frozenset(roles))

    def decorator(view: View) -> View:
        view.access_policy = policy  # type: ignore[attr-defined]
        return view

    return decorator


def signed_in[View: Callable[..., Any]](view: View) -> View:
    """Any verified staff user, also before a municipality is chosen (e.g. the chooser itself)."""
    view.access_policy = Policy(roles=frozenset(Role.values), needs_membership=False)  # type: ignore[attr-defined]
    return view


def public[View: Callable[..., Any]](view: View) -> View:
    """Reachable without signing in (login pages, health check)."""
    view.access_policy = Policy(roles=frozenset(), is_public=True, needs_membership=False)  # type: ignore[attr-defined]
    return view


def for_child[View: Callable[..., Any]](view: View) -> View:
    """Only a child with an unlocked device session (the child channel, /barn/). Staff are sent
    to the child's sign-in page like anyone else without one: a staff login opens nothing here."""
    view.access_policy = Policy(  # type: ignore[attr-defined]
        roles=frozenset({CHILD}), needs_membership=False, is_child=True
    )
    return view


def for_operator[View: Callable[..., Any]](view: View) -> View:
    """Only a verified user who is the platform operator (User.is_operator), whatever their
    municipality role: the figures across municipalities, aggregated, with no child in them."""
    view.access_policy = Policy(  # type: ignore[attr-defined]
        roles=frozenset({OPERATOR}), needs_membership=False, is_operator=True
    )
    return view


def policy_of(view: Callable[..., Any]) -> Policy | None:
    return getattr(view, "access_policy", None)
