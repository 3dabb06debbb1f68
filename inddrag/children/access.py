"""Object-level access to cases: one helper per object type (house style rule 13)."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.audit.log import Action, record, refuse
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
        # The due rules too (the case page and the decision form read them), and the child's
        # access to the child channel (the case page shows it).
        .select_related("child__access", "unit", "municipality__due_rules")
        .filter(code=code)
        .first()
    )
    if case is None:
        refuse(request, f"case {code}")
    return case, membership.role == Role.CASEWORKER


def get_editable_case_for_user(request: AuthenticatedHttpRequest, code: UUID) -> Case:
    """get_case_for_user, and a logged 403 for a reader who may not change the case."""
    case, can_edit = get_case_for_user(request, code)
    if not can_edit:
        record(
            Action.DENIED,
            user=request.user,
            membership=request.membership,
            criterion=f"read-only: case {code}",
        )
        raise PermissionDenied(f"read-only: case {code}")
    return case
