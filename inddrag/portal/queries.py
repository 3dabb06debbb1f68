"""The query shapes of the child channel's parts of staff pages (house style rule 11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from inddrag.children.models import Case
from inddrag.lib.dates import deadline_day
from inddrag.lib.prepared import Prepared
from inddrag.portal.messages import answer_due_at
from inddrag.portal.models import ChildAccess, ChildMessage


def access_of(case: Case) -> ChildAccess | None:
    """The child's access to the child channel, if the child was ever invited. One query, none
    when it came with the case (get_case_for_user joins it)."""
    try:
        return case.child.access
    except ChildAccess.DoesNotExist:
        return None


@dataclass(frozen=True)
class CaseMessage:
    """A message from the child as the case page shows it, with its answer deadline (2 working
    days after it was sent)."""

    message: ChildMessage
    due_at: datetime
    due_on: date
    is_overdue: bool

    @property
    def is_urgent(self) -> bool:
        """An unanswered "Jeg føler mig ikke tryg"."""
        message = self.message
        return message.kind == ChildMessage.Kind.UNSAFE and message.answered_at is None


CASE_MESSAGES = 10  # the case page shows the newest ten


def _case_messages(case_id: int) -> models.QuerySet[ChildMessage]:
    rank = models.Case(
        models.When(Q(answered_at__isnull=True, kind=ChildMessage.Kind.UNSAFE), then=0),
        models.When(answered_at__isnull=True, then=1),
        default=2,
        output_field=models.IntegerField(),
    )
    return (
        ChildMessage.objects.filter(case_id=case_id)
        .select_related("answered_by", "letter")
        .alias(rank=rank)
        .order_by("rank", "-sent_at", "-pk")[:CASE_MESSAGES]
    )


_prepared_case_messages = Prepared(_case_messages, case_id=-7_070_707)


def messages_for_case(case: Case, *, now: datetime | None = None) -> list[CaseMessage]:
    """The child's messages in the case: unanswered "Jeg føler mig ikke tryg" first, then the
    other unanswered ones, then the answered; newest first within each. One query, its SQL
    built once (lib/prepared.py)."""
    now = now or timezone.now()
    rows = _prepared_case_messages(case_id=case.pk)
    shown = []
    for row in rows:
        due_at = answer_due_at(row)
        shown.append(
            CaseMessage(
                message=row,
                due_at=due_at,
                due_on=deadline_day(due_at),
                is_overdue=row.answered_at is None and due_at <= now,
            )
        )
    return shown
