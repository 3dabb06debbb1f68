from __future__ import annotations

from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record
from inddrag.children.access import get_case_for_user
from inddrag.children.forms import CaseFilterForm
from inddrag.children.queries import case_list_queryset

PAGE_SIZE = 50


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET", "POST"])
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The caseworker's cases (a leader: the unit's). Searching is a POST, so that a child's name
    or CPR number never ends up in a URL, a browser history or a proxy log (ASVS 14.2.1)."""
    data = request.POST if request.method == "POST" else request.GET
    form = CaseFilterForm(data)
    status, search = "open", ""
    if form.is_valid():
        status, search = form.cleaned_data["status"], form.cleaned_data["q"]
    cases = case_list_queryset(request.membership, status=status, search=search)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    if search:
        record(
            Action.SEARCH,
            user=request.user,
            membership=request.membership,
            criterion=f"cases status={status} q={search}",
        )
    else:
        record(
            Action.LIST,
            user=request.user,
            membership=request.membership,
            criterion=f"cases status={status} page={page.number}",
        )
    template = "children/case_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#case-results"
    return render(
        request, template, {"form": form, "page": page, "status": status, "search": search}
    )


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET"])
def case_detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    case, can_edit = get_case_for_user(request, code)
    assignments = case.assignments.select_related("caseworker").order_by("-started_at")
    record(
        Action.READ, user=request.user, membership=request.membership, child=case.child, obj=case
    )
    return render(
        request,
        "children/case_detail.html",
        {
            "case": case,
            "child": case.child,
            "can_edit": can_edit,
            "assignments": assignments,
            "age": case.child.age(today=timezone.localdate()),
        },
    )


@allow(Role.CASEWORKER, Role.LEADER)
@require_POST
def reveal_cpr(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Show the whole CPR number: an explicit, logged action (ASVS 14.2.6)."""
    case, _can_edit = get_case_for_user(request, code)
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
    assignments = case.assignments.select_related("caseworker").order_by("-started_at")
    return render(
        request,
        "children/case_detail.html",
        {
            "case": case,
            "child": case.child,
            "revealed": True,
            "assignments": assignments,
            "age": case.child.age(today=timezone.localdate()),
        },
    )
