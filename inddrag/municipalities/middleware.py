from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from inddrag.municipalities.models import Membership

SESSION_KEY = "membership_code"


class MembershipMiddleware:
    """Sets `request.memberships` (the user's active roles) and `request.membership` (the one in
    use: the only one, or the one chosen in this session). One query per signed-in request, so a
    revoked role takes effect on the very next request (ASVS 8.3.2)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.memberships = []  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            memberships = list(
                Membership.objects.filter(user=request.user, ended_at__isnull=True)
                # The due rules come along: the caseload reads them on every visit.
                .select_related("municipality__due_rules", "unit")
                .order_by("municipality__name", "role")
            )
            chosen = request.session.get(SESSION_KEY)
            request.memberships = memberships  # type: ignore[attr-defined]
            if len(memberships) == 1:
                request.membership = memberships[0]  # type: ignore[attr-defined]
            else:
                request.membership = next(  # type: ignore[attr-defined]
                    (m for m in memberships if str(m.code) == chosen), None
                )
        return self.get_response(request)
