"""Reads about decisions: whether the child was heard, the headline measure, and the query
shapes other screens use (house style rule 11).

The caseload counts a case's decisions without a heard child with `unheard_decision_count()`:

    cases.annotate(unheard_decisions=unheard_decision_count())

(or, for one case, `Decision.objects.filter(case=case).unheard().count()`). The headline
measure "share of decisions where the child was heard" is `heard_share(decisions)`.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from inddrag.children.models import Case
from inddrag.conversations.models import Conversation
from inddrag.decisions.models import Decision


def latest_conversation_on(case: Case, on: date) -> date | None:
    """The date of the case's latest child conversation on or before `on` (one query).
    A conversation after the decision does not count: the child is heard *before* (§ 5)."""
    held_on: date | None = (
        Conversation.objects.filter(case_id=case.pk, held_on__lte=on)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    return held_on


def is_heard(latest_conversation: date | None, decided_on: date, *, period_days: int) -> bool:
    """Whether a conversation on `latest_conversation` hears the child for a decision on
    `decided_on`: at most `period_days` days before it, and not after it (pure)."""
    if latest_conversation is None or latest_conversation > decided_on:
        return False
    return (decided_on - latest_conversation).days <= period_days


def heard_share(decisions: QuerySet[Decision]) -> tuple[int, int]:
    """(heard, total) of `decisions`: the headline measure, in one query."""
    counts = decisions.aggregate(heard=Count("pk", filter=Q(child_heard=True)), total=Count("pk"))
    return counts["heard"], counts["total"]


def unheard_decision_count() -> Coalesce:
    """An annotation for a Case queryset: the number of the case's decisions without a heard
    child. A correlated subquery, so it cannot multiply other annotations' joins."""
    per_case = (
        Decision.objects.unheard()
        .filter(case_id=OuterRef("pk"))
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_case, output_field=IntegerField()), Value(0))


def decisions_for_timeline(case: Case) -> QuerySet[Decision]:
    """The case's decisions, newest first, without the long perspective text (one query)."""
    return (
        Decision.objects.filter(case_id=case.pk)
        .defer("child_perspective")
        .order_by("-decided_on", "-created_at", "-pk")
    )
