"""Typed request classes, so that view signatures say what the middleware guarantees."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from inddrag.accounts.models import User
from inddrag.municipalities.models import Membership


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    # Set by MembershipMiddleware; AccessPolicyMiddleware guarantees it for role-gated views.
    membership: Membership
    memberships: list[Membership]
    htmx: HtmxDetails
