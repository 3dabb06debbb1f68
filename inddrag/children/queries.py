"""The query shape of each screen that lists cases (house style rule 11)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from inddrag.children.access import visible_cases
from inddrag.children.models import Assignment, Case
from inddrag.municipalities.models import Membership


def case_list_queryset(
    membership: Membership, *, status: str = "open", search: str = ""
) -> QuerySet[Case]:
    """The case list: each case with its child joined. Only a leader's list has a caseworker
    column, so only a leader's list prefetches the active assignments with their caseworkers
    (as `active_assignments`, one query for the page); a caseworker's cases are all her own."""
    cases = visible_cases(membership)
    if status in Case.Status.values:
        cases = cases.filter(status=status)
    if search:
        digits = search.replace("-", "").replace(" ", "")
        condition = (
            Q(reference__icontains=search)
            | Q(child__first_name__icontains=search)
            | Q(child__last_name__icontains=search)
        )
        if digits.isdigit() and len(digits) >= 6:
            condition |= Q(child__cpr__startswith=digits)
        cases = cases.filter(condition)
    cases = cases.select_related("child")
    if membership.role != Membership.Role.CASEWORKER:
        cases = cases.prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(ended_at__isnull=True).select_related(
                    "caseworker"
                ),
                to_attr="active_assignments",
            )
        )
    return cases.order_by("child__last_name", "child__first_name", "reference")
