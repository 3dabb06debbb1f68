from __future__ import annotations

from uuid import UUID, uuid4

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record
from inddrag.children.access import get_editable_case_for_user
from inddrag.children.models import Case
from inddrag.decisions import services
from inddrag.decisions.access import get_decision_for_user
from inddrag.decisions.forms import DecisionForm, DueRulesForm, HeardCheckForm, heard_check
from inddrag.decisions.models import DueRules


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest, case_code: UUID) -> HttpResponse:
    """Record a decision or a recommendation. The form says whether the child has been heard
    before the chosen date and, if not, demands a reason (barnets lov § 5). An HTMX GET with a
    date answers with that check alone."""
    # The policy admits caseworkers only; this guards the case's own rule (assigned caseworker).
    case = get_editable_case_for_user(request, case_code)
    rules = DueRules.for_municipality(case.municipality)
    today = timezone.localdate()
    url = reverse("decisions:create", args=[case.code])
    if request.method == "GET" and request.htmx and "decided_on" in request.GET:
        return _heard_status(request, case, rules)
    data = request.POST.copy() if request.method == "POST" else None
    form = DecisionForm(
        data,
        case=case,
        rules=rules,
        today=today,
        check_url=url,
    )
    if form.is_valid():
        values = form.cleaned_data
        try:
            decision = services.record_decision(
                case,
                by=request.user,
                membership=request.membership,
                kind=values["kind"],
                title=values["title"],
                decided_on=values["decided_on"],
                child_perspective=values["child_perspective"],
                child_told_how=values["child_told_how"],
                not_heard_reason=values["not_heard_reason"],
                not_heard_note=values["not_heard_note"],
                submit_token=values["submit_token"],
            )
        except services.ChildNotHeard:  # a conversation went away since the form was checked
            form.add_error("not_heard_reason", _("Barnet er ikke hørt. Vælg hvorfor."))
        except services.SubmitTokenUsed:
            assert data is not None
            data["submit_token"] = str(uuid4())  # the form shown again gets a fresh token
            form.add_error(None, _("Formularen var allerede brugt. Tjek felterne, og gem igen."))
        else:
            messages.success(request, _("Afgørelsen er gemt."))
            return redirect(decision)
    check = form.heard_check or heard_check(case, today, rules)
    record(
        Action.READ, user=request.user, membership=request.membership, child=case.child, obj=case
    )
    context = {"case": case, "child": case.child, "form": form, "check": check, "url": url}
    return render(request, "decisions/create.html", context)


def _heard_status(request: AuthenticatedHttpRequest, case: Case, rules: DueRules) -> HttpResponse:
    """The HTMX answer to a change of the date: is the child heard before it?"""
    form = HeardCheckForm(request.GET)
    check = heard_check(case, form.cleaned_data["decided_on"], rules) if form.is_valid() else None
    record(
        Action.READ, user=request.user, membership=request.membership, child=case.child, obj=case
    )
    return render(request, "decisions/create.html#heard-status", {"check": check})


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET"])
def detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    decision, _can_edit = get_decision_for_user(request, code)
    case = decision.case
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=case.child,
        obj=decision,
    )
    context = {"decision": decision, "case": case, "child": case.child}
    return render(request, "decisions/detail.html", context)


@allow(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def due_rules(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The municipality's due rules, which the caseload and the decision form follow."""
    municipality = request.membership.municipality
    rules = DueRules.for_municipality(municipality)
    current = {field: getattr(rules, field) for field in services.DUE_RULE_FIELDS}
    form = DueRulesForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        services.update_due_rules(
            municipality, by=request.user, membership=request.membership, **form.cleaned_data
        )
        messages.success(request, _("Fristreglerne er gemt."))
        return redirect("decisions:due_rules")
    context = {"form": form, "is_default": rules.pk is None}
    return render(request, "decisions/due_rules.html", context)
