"""Object-level access to recommendations to the committee (house style rule 13): a
recommendation is visible to whoever may see its case, and editable by its caseworker."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.audit.log import Action, record, refuse
from inddrag.children.access import visible_cases
from inddrag.letters.models import Recommendation
from inddrag.municipalities.models import Membership


def get_recommendation_for_user(
    request: AuthenticatedHttpRequest, code: UUID
) -> tuple[Recommendation, bool]:
    """Return the recommendation if the current membership may see its case, and whether it
    may edit it. Any other recommendation, in another municipality or outside the user's
    caseload, is a 404, and the attempt is logged as a denial (T1, T3)."""
    membership = request.membership
    recommendation = (
        Recommendation.objects.filter(
            municipality_id=membership.municipality_id,
            case__in=visible_cases(membership).values("pk"),
            code=code,
        )
        .select_related("case__child", "case__unit", "case__municipality", "created_by")
        .first()
    )
    if recommendation is None:
        refuse(request, f"recommendation {code}")
    return recommendation, membership.role == Membership.Role.CASEWORKER


def get_editable_recommendation_for_user(
    request: AuthenticatedHttpRequest, code: UUID
) -> Recommendation:
    """As get_recommendation_for_user, and a logged 403 for a reader who may not edit it."""
    recommendation, can_edit = get_recommendation_for_user(request, code)
    if not can_edit:
        criterion = f"read-only: recommendation {code}"
        record(Action.DENIED, user=request.user, membership=request.membership, criterion=criterion)
        raise PermissionDenied(criterion)
    return recommendation
