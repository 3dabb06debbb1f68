"""Object-level access to decisions (house style rule 13)."""

from __future__ import annotations

from uuid import UUID

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.audit.log import refuse
from inddrag.children.access import visible_cases
from inddrag.decisions.models import Decision
from inddrag.municipalities.models import Membership


def get_decision_for_user(request: AuthenticatedHttpRequest, code: UUID) -> tuple[Decision, bool]:
    """Return the decision if the current membership may see its case, and whether it may edit
    the case. Any other decision is a 404, and the attempt is logged as a denial (T1, T3)."""
    membership = request.membership
    decision = (
        Decision.objects.filter(
            code=code,
            municipality_id=membership.municipality_id,
            case__in=visible_cases(membership),
        )
        .select_related("case__child", "created_by")
        .first()
    )
    if decision is None:
        refuse(request, f"decision {code}")
    return decision, membership.role == Membership.Role.CASEWORKER
