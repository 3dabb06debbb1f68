from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from inddrag.lib.prepared import Prepared
from inddrag.municipalities.models import Membership

SESSION_KEY = "membership_code"

# The user's active roles, with the due rules (the caseload reads them on every visit). Its SQL
# is built once (lib/prepared.py): this query runs on every signed-in request.
_active_memberships = Prepared(
    lambda user_id: (
        Membership.objects.filter(user_id=user_id, ended_at__isnull=True)
        .select_related("municipality__due_rules", "unit")
        .order_by("municipality__name", "role")
    ),
    user_id=-7_070_709,
)


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
            memberships = _active_memberships(user_id=request.user.pk)
            chosen = request.session.get(SESSION_KEY)
            request.memberships = memberships  # type: ignore[attr-defined]
            if len(memberships) == 1:
                request.membership = memberships[0]  # type: ignore[attr-defined]
            else:
                request.membership = next(  # type: ignore[attr-defined]
                    (m for m in memberships if str(m.code) == chosen), None
                )
        return self.get_response(request)
