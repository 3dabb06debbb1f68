"""Test helpers of Barnets plan: plans, goals and versions written directly (no access events),
and the goal form's POST data."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.children.models import Case
from inddrag.plans.models import Goal, GoalCheckIn, GoalProposal, Plan, PlanVersion

_seq = itertools.count(1)


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def make_plan(case: Case, by: User) -> Plan:
    """A plan with its first draft (version 1), as services.create_plan makes it."""
    plan = Plan.objects.create(municipality_id=case.municipality_id, case=case, created_by=by)
    PlanVersion.objects.create(municipality_id=case.municipality_id, plan=plan, number=1)
    return plan


def draft_of(plan: Plan) -> PlanVersion:
    return PlanVersion.objects.get(plan=plan, approved_at__isnull=True)


def make_goal(plan: Plan, **fields: Any) -> Goal:
    """A goal at the end of the plan's draft (with the child's words unless `fields` say)."""
    draft = draft_of(plan)
    n = next(_seq)
    fields.setdefault("area", "school")
    if not fields.get("child_words_missing_reason"):
        fields.setdefault("child_words", f"Jeg vil gerne noget nyt {n}.")
    fields.setdefault("description", f"Beskrivelse af mål {n}.")
    fields.setdefault("review_on", in_days(90))
    fields.setdefault("position", draft.goals.count())
    return Goal.objects.create(municipality_id=plan.municipality_id, version=draft, **fields)


def approve_now(plan: Plan, by: User) -> PlanVersion:
    """Approve the draft directly and copy its goals into the next draft (as the service)."""
    draft = draft_of(plan)
    draft.approved_at, draft.approved_by = timezone.now(), by
    draft.save()
    following = PlanVersion.objects.create(
        municipality_id=plan.municipality_id, plan=plan, number=draft.number + 1
    )
    for goal in draft.goals.all():
        goal.pk, goal.code, goal.version = None, uuid.uuid4(), following
        goal._state.adding = True
        goal.save()
    return draft


def make_proposal(plan: Plan, **fields: Any) -> GoalProposal:
    fields.setdefault("child_words", "Jeg vil gerne gå til svømning.")
    fields.setdefault("proposed_at", timezone.now() - timedelta(hours=2))
    return GoalProposal.objects.create(
        municipality_id=plan.municipality_id,
        plan=plan,
        child_id=plan.case.child_id,
        submit_token=uuid.uuid4(),
        **fields,
    )


def make_check_in(plan: Plan, goal: Goal, **fields: Any) -> GoalCheckIn:
    fields.setdefault("rating", 4)
    fields.setdefault("checked_in_at", timezone.now() - timedelta(hours=1))
    return GoalCheckIn.objects.create(
        municipality_id=plan.municipality_id,
        plan=plan,
        child_id=plan.case.child_id,
        goal_key=goal.key,
        submit_token=uuid.uuid4(),
        **fields,
    )


def goal_data(draft: PlanVersion, **fields: Any) -> dict[str, str]:
    """The goal form's POST data for `draft` as it is now."""
    data: dict[str, Any] = {
        "area": "school",
        "child_words": "Jeg vil gerne have en ven i klassen.",
        "child_words_missing_reason": "",
        "description": "Asta får en makker i frikvartererne.",
        "who_does_what": "Lærer Lise finder en makker. Alice følger op.",
        "review_on": in_days(60).isoformat(),
        "draft": draft.number,
        "revision": draft.revision,
    }
    data.update(fields)
    return {key: str(value) for key, value in data.items() if value is not None}
