"""The query shapes of the plan's pages and parts of pages (house style rule 11)."""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from inddrag.children.models import Case
from inddrag.lib.prepared import Prepared
from inddrag.plans.models import Goal, GoalCheckIn, GoalProposal, Plan, PlanVersion

CHECK_INS_PER_GOAL = 3  # the plan page shows each goal's newest check-ins


def _goal_count(version: QuerySet[PlanVersion]) -> Coalesce:
    goals = (
        Goal.objects.filter(version_id=Subquery(version.values("pk")[:1]))
        .order_by()
        .values("version_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(goals, output_field=IntegerField()), Value(0))


def plan_for_case(case: Case) -> Plan | None:
    """The case's plan, if it has one, with what the case page shows of it. One query: the
    plan annotated with its newest approved version (`approved_number`, `approved_at`,
    `approved_goals`), the draft's number of goals (`draft_goals`), the child's open proposals
    (`open_proposals`) and the child's newest check-in (`check_in_rating`, `check_in_at`,
    `check_in_comment`).

    Its SQL is built once (lib/prepared.py): building these eight subqueries took the ORM
    about 4 ms, SQLite 0.02 ms to run them, and the case page is measured (bench/pages.py)."""
    rows = _plan_query(case_id=case.pk)
    return rows[0] if rows else None


def _plan_with_summary(case_id: int) -> QuerySet[Plan]:
    approved = PlanVersion.objects.filter(
        plan_id=OuterRef("pk"), approved_at__isnull=False
    ).order_by("-number")
    # The same, one level deeper (inside the goal count's subquery).
    approved_inner = PlanVersion.objects.filter(
        plan_id=OuterRef(OuterRef("pk")), approved_at__isnull=False
    ).order_by("-number")
    draft_inner = PlanVersion.objects.filter(
        plan_id=OuterRef(OuterRef("pk")), approved_at__isnull=True
    )
    proposals = (
        GoalProposal.objects.filter(plan_id=OuterRef("pk"), handled_at__isnull=True)
        .order_by()
        .values("plan_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    newest = GoalCheckIn.objects.filter(plan_id=OuterRef("pk")).order_by("-checked_in_at", "-pk")
    return (
        Plan.objects.filter(case_id=case_id)
        .annotate(
            approved_number=Subquery(approved.values("number")[:1]),
            approved_at=Subquery(approved.values("approved_at")[:1]),
            approved_goals=_goal_count(approved_inner),
            draft_goals=_goal_count(draft_inner),
            open_proposals=Coalesce(Subquery(proposals, output_field=IntegerField()), Value(0)),
            check_in_rating=Subquery(newest.values("rating")[:1]),
            check_in_at=Subquery(newest.values("checked_in_at")[:1]),
            check_in_comment=Subquery(newest.values("comment")[:1]),
        )
        .order_by("pk")[:1]
    )


_plan_query = Prepared(_plan_with_summary, case_id=-7_070_707)


def versions_of(plan: Plan) -> list[PlanVersion]:
    """Every version of the plan, oldest first, with who approved it. One query."""
    return list(
        PlanVersion.objects.filter(plan_id=plan.pk).select_related("approved_by").order_by("number")
    )


def goals_of(version: PlanVersion) -> list[Goal]:
    """The version's goals in their order. One query."""
    return list(Goal.objects.filter(version_id=version.pk).order_by("position", "pk"))


def open_proposals(plan: Plan) -> list[GoalProposal]:
    """The child's proposals not yet taken into the plan, oldest first. One query."""
    return list(
        GoalProposal.objects.filter(plan_id=plan.pk, handled_at__isnull=True).order_by(
            "proposed_at", "pk"
        )
    )


def newest_check_ins(
    plan: Plan, *, per_goal: int = CHECK_INS_PER_GOAL, child_id: int | None = None
) -> dict[UUID, list[GoalCheckIn]]:
    """Each goal key's newest check-ins (at most `per_goal`, newest first). One query, however
    many check-ins there are: a window numbers each goal's check-ins, newest first."""
    rows = GoalCheckIn.objects.filter(plan_id=plan.pk)
    if child_id is not None:
        rows = rows.filter(child_id=child_id)
    ranked = rows.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("goal_key")],
            order_by=[F("checked_in_at").desc(), F("pk").desc()],
        )
    ).filter(rank__lte=per_goal)
    found: dict[UUID, list[GoalCheckIn]] = defaultdict(list)
    for row in ranked.order_by("goal_key", "-checked_in_at", "-pk"):
        found[row.goal_key].append(row)
    return dict(found)
