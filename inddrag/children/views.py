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
from inddrag.children import timeline
from inddrag.children.access import get_case_for_user
from inddrag.children.models import Case
from inddrag.conversations.queries import meetings_for_case
from inddrag.decisions.models import DueRules
from inddrag.letters.queries import letters_for_case, recommendations_for_case
from inddrag.plans.queries import plan_for_case
from inddrag.portal import queries as channel


def _timeline_context(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    kind = timeline.timeline_kind(request.GET)
    page, items = timeline.timeline_page(
        case, kind=kind, page=request.GET.get("page"), today=timezone.localdate()
    )
    return {
        "case": case,
        "case_url": case.get_absolute_url(),
        "kind": kind,
        "filters": timeline.FILTER_CHOICES,
        "page": page,
        "items": items,
    }


def _case_page(
    request: AuthenticatedHttpRequest, case: Case, *, can_edit: bool, **extra: Any
) -> HttpResponse:
    """The whole case page: the child's perspective first, then the facts and the timeline.

    Note: 8 queries (the timeline's page is one of them) and one more for a leader; none per
    row or item (see the query-count tests in test_case_detail)."""
    today, now = timezone.localdate(), timezone.now()
    child = case.child
    context = {
        "child": child,
        "can_edit": can_edit,
        # The unit's leader can hand a case over too, e.g. when its caseworker has left.
        "can_hand_over": can_edit or request.membership.role == Role.LEADER,
        "perspective": timeline.perspective(case, can_edit=can_edit),
        "age": child.age(today=today),
        "party_rights_age": DueRules.for_municipality(case.municipality).party_rights_age,
        "network": timeline.network_of(case, today=today),
        "measures": timeline.current_measures(case, today=today),
        "caseworker_changes": timeline.caseworker_changes(case, now=now),
        "assignments": timeline.assignments_of(case),
        # The child channel: the child's access, messages from the child, meetings.
        "child_access": channel.access_of(case),
        "child_messages": channel.messages_for_case(case),
        "meetings": meetings_for_case(case, now=now),
        # Barnets plan, and what is written in the case.
        "plan": plan_for_case(case),
        "letters": letters_for_case(case),
        "recommendations": recommendations_for_case(case),
        **_timeline_context(request, case),
        **extra,
    }
    return render(request, "children/case_detail.html", context)


def _wants_timeline_only(request: AuthenticatedHttpRequest) -> bool:
    """An htmx swap of the timeline (a filter or page link). A boosted request, or htmx restoring
    the page after Back (htmx 4 asks for it with HX-Request too), wants the whole page."""
    htmx = request.htmx
    return (
        bool(htmx)
        and not htmx.boosted
        and not htmx.history_restore_request
        and htmx.request_type != "full"
    )


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET"])
def case_detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The case page; an htmx request for another filter or page of the timeline gets only the
    timeline (the links work without JavaScript too)."""
    case, can_edit = get_case_for_user(request, code)
    record(
        Action.READ, user=request.user, membership=request.membership, child=case.child, obj=case
    )
    if _wants_timeline_only(request):
        context = _timeline_context(request, case)
        return render(request, "children/case_detail.html#timeline", context)
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
