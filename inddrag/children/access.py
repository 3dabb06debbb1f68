"""Object-level access to cases: one helper per object type (house style rule 13)."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.audit.log import Action, record
from inddrag.children.models import Case
from inddrag.municipalities.models import Membership

Role = Membership.Role


def visible_cases(membership: Membership) -> QuerySet[Case]:
    """Cases this membership may see: a caseworker their assigned cases; a leader the cases of
    the unit they lead (all of the municipality's when they lead no single unit)."""
    cases = Case.objects.filter(municipality_id=membership.municipality_id)
    if membership.role == Role.CASEWORKER:
        return cases.filter(
            assignments__caseworker_id=membership.user_id, assignments__ended_at__isnull=True
        )
    if membership.role == Role.LEADER:
        return cases.filter(unit_id=membership.unit_id) if membership.unit_id else cases
    return cases.none()


def get_case_for_user(request: AuthenticatedHttpRequest, code: UUID) -> tuple[Case, bool]:
    """Return the case if the current membership may see it, and whether it may edit it.

    Any other case, in another municipality or outside the user's caseload, is a 404, and the
    attempt is logged as a denial (T1, T3)."""
    membership = request.membership
    case = (
        visible_cases(membership)
        .select_related("child", "unit", "municipality")
        .filter(code=code)
        .first()
    )
    if case is None:
        record(Action.DENIED, user=request.user, membership=membership, criterion=f"case {code}")
        raise Http404("No such case")
    return case, membership.role == Role.CASEWORKER
