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


def policy_of(view: Callable[..., Any]) -> Policy | None:
    return getattr(view, "access_policy", None)
