"""Barnets plan in the child channel (/barn/plan/): the approved plan in the child's own words
(a draft is never shown), "Hvordan går det?" on a goal, and the child's own proposal of a goal.
Mobile first; every page works without JavaScript (forms post and redirect), and every read
and change is logged as the child's (T5)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from inddrag.accounts.policy import for_child
from inddrag.audit.log import Action
from inddrag.plans import services
from inddrag.plans.areas import Areas, group_by_area, municipality_areas
from inddrag.plans.forms import CheckInForm, ProposeGoalForm
from inddrag.plans.models import Area, Goal, GoalCheckIn, GoalProposal, Plan, PlanVersion
from inddrag.plans.queries import newest_check_ins
from inddrag.portal.access import current_case, record_child, refuse_child
from inddrag.portal.http import ChildHttpRequest

RECEIPT = "kvittering"  # ?kvittering=<code>: the thank-you of what was just sent
PROPOSALS_SHOWN = 5


@dataclass
class ChildGoal:
    goal: Goal
    last: GoalCheckIn | None  # the child's newest check-in on it


@dataclass
class ChildSection:
    label: str
    goals: list[ChildGoal]


def _plan_of(request: ChildHttpRequest) -> Plan | None:
    """The plan of the child's open case, if there is one. Two queries."""
    case = current_case(request)
    if case is None:
        return None
    return Plan.objects.filter(case_id=case.pk).select_related("case").first()


def _approved_goal(request: ChildHttpRequest, key: UUID) -> tuple[Plan, PlanVersion, Goal]:
    """The goal with `key` in the child's approved plan; anything else is a logged 404."""
    plan = _plan_of(request)
    version = services.approved_version(plan) if plan is not None else None
    goal = (
        Goal.objects.filter(version_id=version.pk, key=key).first() if version is not None else None
    )
    if plan is None or version is None or goal is None:
        refuse_child(request, f"goal {key}")
    return plan, version, goal


@for_child
@require_GET
def plan(request: ChildHttpRequest) -> HttpResponse:
    """ "Min plan": the newest approved version, each goal in the child's words first, with who
    helps and when you look at it again; the child's own proposals."""
    access = request.child_session.access
    found = _plan_of(request)
    version = services.approved_version(found) if found is not None else None
    sections: list[ChildSection] = []
    proposals: list[GoalProposal] = []
    if found is not None:
        goals = (
            list(Goal.objects.filter(version_id=version.pk).order_by("position", "pk"))
            if version is not None
            else []
        )
        last = newest_check_ins(found, per_goal=1, child_id=access.child_id) if goals else {}
        own = sorted({goal.area for goal in goals if goal.area not in Area.values})
        sections = [
            ChildSection(
                group.label,
                [ChildGoal(goal, next(iter(last.get(goal.key, [])), None)) for goal in group.goals],
            )
            for group in group_by_area(goals, Areas(own), for_child=True)
        ]
        proposals = list(
            GoalProposal.objects.filter(plan_id=found.pk, child_id=access.child_id).order_by(
                "-proposed_at", "-pk"
            )[:PROPOSALS_SHOWN]
        )
    record_child(request, Action.READ, obj=version or found, criterion="portal plan")
    context = {
        "plan": found,
        "version": version,
        "sections": sections,
        "proposals": proposals,
    }
    return render(request, "portal/plan.html", context)


@for_child
@require_http_methods(["GET", "POST"])
def check_in(request: ChildHttpRequest, key: UUID) -> HttpResponse:
    """ "Hvordan går det?" on one goal of the approved plan: five faces with words and a comment
    if the child wants; once however often it is sent (T20), then a thank-you."""
    access = request.child_session.access
    found, _version, goal = _approved_goal(request, key)
    url = reverse("portal:check_in", args=[key])
    if request.method == "GET" and RECEIPT in request.GET:
        return _check_in_thanks(request, found, goal)
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                row = services.check_in(
                    access,
                    found,
                    goal_key=key,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"].strip(),
                    submit_token=form.cleaned_data["submit_token"],
                )
            except services.GoalNotInPlan:  # a new version without the goal came meanwhile
                record_child(request, Action.READ, obj=found, criterion="check-in: goal gone")
                return redirect("portal:plan")
            except services.PlanError as error:  # a token from another form
                record_child(request, Action.READ, obj=goal, criterion="check-in: foreign token")
                raise SuspiciousOperation(str(error)) from error
            return redirect(f"{url}?{RECEIPT}={row.code}")
    else:
        form = CheckInForm(initial={"submit_token": uuid4()})
    record_child(request, Action.READ, obj=goal, criterion="portal check-in form")
    return render(request, "portal/check_in.html", {"goal": goal, "form": form, "action": url})


def _check_in_thanks(request: ChildHttpRequest, found: Plan, goal: Goal) -> HttpResponse:
    """The thank-you for one of the child's own check-ins on this goal; else a logged 404."""
    access = request.child_session.access
    code = request.GET.get(RECEIPT, "")
    try:
        row_code = UUID(code)
    except ValueError:
        refuse_child(request, f"goal check-in receipt {code[:40]}")
    row = GoalCheckIn.objects.filter(
        code=row_code, plan_id=found.pk, child_id=access.child_id, goal_key=goal.key
    ).first()
    if row is None:
        refuse_child(request, f"goal check-in {row_code}")
    record_child(request, Action.READ, obj=row)
    return render(request, "portal/check_in_thanks.html", {"goal": goal, "check_in": row})


@for_child
@require_http_methods(["GET", "POST"])
def propose(request: ChildHttpRequest) -> HttpResponse:
    """ "Foreslå et mål": the child writes what they would like, in their own words; the
    caseworker sees it on the plan and the case page. Once per form (T20)."""
    access = request.child_session.access
    found = _plan_of(request)
    url = reverse("portal:propose_goal")
    if request.method == "GET" and RECEIPT in request.GET and found is not None:
        return _proposal_sent(request, found)
    if found is None:
        # No plan yet (or no open case): nothing to add a proposal to; "Sig din mening" works.
        record_child(request, Action.READ, criterion="portal propose goal: no plan")
        return render(request, "portal/propose_goal.html", {"plan": None, "form": None})
    areas = Areas(municipality_areas(found.municipality_id))
    if request.method == "POST":
        form = ProposeGoalForm(request.POST, areas=areas)
        if form.is_valid():
            try:
                row = services.propose_goal(
                    access,
                    found,
                    child_words=form.cleaned_data["child_words"].strip(),
                    area=form.cleaned_data["area"],
                    submit_token=form.cleaned_data["submit_token"],
                )
            except services.PlanError as error:  # a token from another form
                record_child(request, Action.READ, obj=found, criterion="propose: foreign token")
                raise SuspiciousOperation(str(error)) from error
            return redirect(f"{url}?{RECEIPT}={row.code}")
    else:
        form = ProposeGoalForm(initial={"submit_token": uuid4()}, areas=areas)
    record_child(request, Action.READ, obj=found, criterion="portal propose goal form")
    return render(request, "portal/propose_goal.html", {"plan": found, "form": form, "action": url})


def _proposal_sent(request: ChildHttpRequest, found: Plan) -> HttpResponse:
    access = request.child_session.access
    code = request.GET.get(RECEIPT, "")
    try:
        row_code = UUID(code)
    except ValueError:
        refuse_child(request, f"goal proposal receipt {code[:40]}")
    row = GoalProposal.objects.filter(
        code=row_code, plan_id=found.pk, child_id=access.child_id
    ).first()
    if row is None:
        refuse_child(request, f"goal proposal {row_code}")
    record_child(request, Action.READ, obj=row)
    return render(request, "portal/propose_goal_sent.html", {"proposal": row})
