from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record
from inddrag.children.access import get_case_for_user
from inddrag.children.models import Case


def _case_page(request: AuthenticatedHttpRequest, case: Case, **extra: Any) -> HttpResponse:
    assignments = case.assignments.select_related("caseworker").order_by("-started_at")
    context = {
        "case": case,
        "child": case.child,
        "assignments": assignments,
        "age": case.child.age(today=timezone.localdate()),
        **extra,
    }
    return render(request, "children/case_detail.html", context)


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET"])
def case_detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    case, can_edit = get_case_for_user(request, code)
    record(
        Action.READ, user=request.user, membership=request.membership, child=case.child, obj=case
    )
    return _case_page(request, case, can_edit=can_edit)


@allow(Role.CASEWORKER, Role.LEADER)
@require_POST
def reveal_cpr(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Show the whole CPR number: an explicit, logged action (ASVS 14.2.6)."""
    case, can_edit = get_case_for_user(request, code)
    record(
        Action.REVEAL_CPR,
        user=request.user,
        membership=request.membership,
        child=case.child,
        obj=case,
    )
    if request.htmx:
        return render(
            request,
            "children/case_detail.html#cpr",
            {"case": case, "child": case.child, "revealed": True},
        )
    return _case_page(request, case, can_edit=can_edit, revealed=True)
