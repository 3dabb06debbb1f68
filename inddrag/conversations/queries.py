"""The query shapes of the case page's conversation parts (house style rule 11)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.db.models import Avg, Count, F, Q, QuerySet, Value, When

from inddrag.children.models import Case
from inddrag.conversations.models import (
    Meeting,
    MeetingFeedback,
    MeetingPreparation,
    PreparationAnswer,
    Statement,
)
from inddrag.lib.prepared import Prepared


def latest_statements(
    case: Case, limit: int = 5, *, viewer_is_caseworker: bool
) -> QuerySet[Statement]:
    """The child's latest statements in the case, newest first ("Barnets perspektiv").

    What the child agreed only the caseworker may read is left out unless the viewer is the
    case's caseworker (`can_edit` from get_case_for_user). One query; each statement's
    conversation is joined (for its date and link)."""
    statements = Statement.objects.filter(child_id=case.child_id, conversation__case_id=case.pk)
    if not viewer_is_caseworker:
        statements = statements.exclude(sharing=Statement.Sharing.CASEWORKER)
    return (
        statements.select_related("conversation")
        # What the case page shows, not the conversation's assessment or the full row.
        .only(
            "text",
            "sharing",
            "said_on",
            "position",
            "conversation__code",
            "conversation__held_on",
            "conversation__place",
        )
        .order_by("-said_on", "-conversation_id", "position")[:limit]
    )


CASE_MEETINGS = 10  # the case page shows ten meetings


def meetings_for_case(case: Case, *, now: datetime) -> list[Meeting]:
    """Up to ten of the case's meetings: the coming ones (soonest first), then the past ones
    (newest first), each with the child's preparation and feedback joined. One query, its SQL
    built once (lib/prepared.py).

    The notes for the case file are left out (reading `meeting.notes` costs a query each): the
    case page does not show them, and a page for the child must never."""
    return _case_meetings(case_id=case.pk, now=now)


def _meetings(case_id: int, now: datetime) -> QuerySet[Meeting]:
    is_past = models.Case(When(starts_at__lt=now, then=Value(1)), default=Value(0))
    coming_at = models.Case(When(starts_at__gte=now, then=F("starts_at")))
    return (
        Meeting.objects.filter(case_id=case_id)
        .select_related("preparation", "feedback")
        .defer("notes")
        .order_by(is_past, coming_at.asc(nulls_last=True), "-starts_at")[:CASE_MEETINGS]
    )


_case_meetings = Prepared(
    _meetings, case_id=-7_070_707, now=datetime(1901, 2, 3, 4, 5, 6, 7, tzinfo=UTC)
)


@dataclass(frozen=True)
class MeetingPage:
    """What the meeting page shows of the child's part: the preparation's state, the answers
    the child shared (only once sent), the child's feedback, and which of the child's words are
    already statements in the case."""

    preparation: MeetingPreparation | None
    shared_answers: list[PreparationAnswer]
    feedback: MeetingFeedback | None
    statement_texts: frozenset[str]

    @property
    def is_submitted(self) -> bool:
        return self.preparation is not None and self.preparation.submitted_at is not None

    @property
    def is_draft(self) -> bool:
        return self.preparation is not None and self.preparation.submitted_at is None


def meeting_page(meeting: Meeting) -> MeetingPage:
    """The child's part of the meeting page. The child's private answers are never read: the
    answers query asks for shared ones of a sent preparation only. Up to three queries."""
    found = (
        Meeting.objects.filter(pk=meeting.pk)
        .select_related("preparation", "feedback")
        .only(
            "pk",
            "preparation__code",
            "preparation__submitted_at",
            "preparation__updated_at",
            "feedback__felt_heard",
            "feedback__understood",
            "feedback__text",
            "feedback__given_at",
        )
        .get()
    )
    preparation = getattr(found, "preparation", None)
    feedback = getattr(found, "feedback", None)
    answers: list[PreparationAnswer] = []
    if preparation is not None and preparation.submitted_at is not None:
        answers = sorted(
            PreparationAnswer.objects.filter(preparation_id=preparation.pk, shared=True).exclude(
                text="", choice=""
            ),
            key=lambda answer: QUESTION_ORDER.get(answer.question, len(QUESTION_ORDER)),
        )
    texts: frozenset[str] = frozenset()
    if meeting.conversation_id is not None:
        texts = frozenset(
            Statement.objects.filter(conversation_id=meeting.conversation_id).values_list(
                "text", flat=True
            )
        )
    return MeetingPage(
        preparation=preparation, shared_answers=answers, feedback=feedback, statement_texts=texts
    )


QUESTION_ORDER = {value: n for n, value in enumerate(PreparationAnswer.Question.values)}
MIN_CHILDREN = 5  # fewer children behind a row: no averages (they could point at one child)


@dataclass(frozen=True)
class FeedbackFigures:
    """One row of the leader's feedback figures: a caseworker, or the whole unit."""

    name: str
    held: int
    summaries: int
    answers: int
    children: int  # distinct children who answered
    felt_heard: float | None
    understood: float | None
    felt_heard_high: int  # answers of 4 or 5
    understood_high: int

    @property
    def is_suppressed(self) -> bool:
        return self.children < MIN_CHILDREN

    @property
    def felt_heard_share(self) -> float | None:
        return self.felt_heard_high / self.answers if self.answers else None

    @property
    def understood_share(self) -> float | None:
        return self.understood_high / self.answers if self.answers else None

    @property
    def felt_heard_percent(self) -> int | None:
        """The share answering 4 or 5, in whole percent (half up)."""
        return _percent(self.felt_heard_high, self.answers)

    @property
    def understood_percent(self) -> int | None:
        return _percent(self.understood_high, self.answers)


def _percent(part: int, whole: int) -> int | None:
    return (200 * part + whole) // (2 * whole) if whole else None


_FIGURES = {
    "held": Count("pk"),
    "summaries": Count("pk", filter=Q(summary_written_at__isnull=False)),
    "answers": Count("feedback"),
    "children": Count("feedback__child", distinct=True),
    "felt_heard": Avg("feedback__felt_heard"),
    "understood": Avg("feedback__understood"),
    "felt_heard_high": Count("feedback", filter=Q(feedback__felt_heard__gte=4)),
    "understood_high": Count("feedback", filter=Q(feedback__understood__gte=4)),
}


def feedback_figures(
    *, municipality_id: int, unit_id: int | None, start: datetime, end: datetime
) -> tuple[list[FeedbackFigures], FeedbackFigures]:
    """Per caseworker (the meeting's `created_by`) and in all: the meetings held from `start`
    up to `end` in the unit's cases (the municipality's with no unit), their summaries and the
    children's feedback. Two queries, however many caseworkers and meetings."""
    meetings = Meeting.objects.filter(
        municipality_id=municipality_id,
        status=Meeting.Status.HELD,
        starts_at__gte=start,
        starts_at__lt=end,
    )
    if unit_id is not None:
        meetings = meetings.filter(case__unit_id=unit_id)
    rows = (
        meetings.values(
            "created_by_id",
            "created_by__first_name",
            "created_by__last_name",
            "created_by__username",
        )
        .annotate(**_FIGURES)
        .order_by("created_by__first_name", "created_by__last_name", "created_by_id")
    )
    per_caseworker = [_figures(_caseworker_name(row), row) for row in rows]
    return per_caseworker, _figures("", meetings.aggregate(**_FIGURES))


def _caseworker_name(row: Mapping[str, Any]) -> str:
    parts = (row["created_by__first_name"], row["created_by__last_name"])
    return " ".join(part for part in parts if part) or row["created_by__username"]


def _figures(name: str, row: Mapping[str, Any]) -> FeedbackFigures:
    return FeedbackFigures(
        name=name,
        held=row["held"],
        summaries=row["summaries"],
        answers=row["answers"],
        children=row["children"],
        felt_heard=row["felt_heard"],
        understood=row["understood"],
        felt_heard_high=row["felt_heard_high"],
        understood_high=row["understood_high"],
    )
