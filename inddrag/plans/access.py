"""Object-level access to plans (house style rule 13): a plan is visible to whoever may see its
case, and editable by whoever may edit the case (its caseworker). Its goals and the child's
proposals are reached through the plan."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.audit.log import Action, record, refuse
from inddrag.children.access import visible_cases
from inddrag.municipalities.models import Membership
from inddrag.plans.models import Goal, GoalProposal, Plan


def get_plan_for_user(request: AuthenticatedHttpRequest, code: UUID) -> tuple[Plan, bool]:
    """Return the plan if the current membership may see its case, and whether it may edit it.
    Any other plan is a 404, and the attempt is logged as a denial (T1, T3)."""
    membership = request.membership
    plan = (
        Plan.objects.filter(
            municipality_id=membership.municipality_id,
            case__in=visible_cases(membership).values("pk"),
            code=code,
        )
        .select_related("case__child")
        .first()
    )
    if plan is None:
        refuse(request, f"plan {code}")
    return plan, membership.role == Membership.Role.CASEWORKER


def get_editable_plan_for_user(request: AuthenticatedHttpRequest, code: UUID) -> Plan:
    """As get_plan_for_user, and a logged 403 for a reader who may not change it."""
    plan, can_edit = get_plan_for_user(request, code)
    if not can_edit:
        criterion = f"read-only: plan {code}"
        record(Action.DENIED, user=request.user, membership=request.membership, criterion=criterion)
        raise PermissionDenied(criterion)
    return plan


def get_goal_of_plan(request: AuthenticatedHttpRequest, plan: Plan, code: UUID) -> Goal:
    """A goal in any version of `plan` (the caller decides what an approved version's goal
    means); a goal of any other plan is a logged 404."""
    goal = Goal.objects.filter(code=code, version__plan_id=plan.pk).first()
    if goal is None:
        refuse(request, f"goal {code}")
    return goal


def get_proposal_of_plan(request: AuthenticatedHttpRequest, plan: Plan, code: UUID) -> GoalProposal:
    """A proposal the child made for `plan`; any other is a logged 404."""
    proposal = GoalProposal.objects.filter(code=code, plan_id=plan.pk).first()
    if proposal is None:
        refuse(request, f"goal proposal {code}")
    return proposal
