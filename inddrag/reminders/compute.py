"""What is due for each caseworker on a day: the reminders of a municipality, computed by the
daily task (reminders/tasks.py) and shown in the inbox (/paamindelser/).

`compute_reminders` finds every due item of the municipality's open cases for the case's active
caseworker, creates a `Reminder` for each one the first time (its `key` names the kind, the
object, the due day and the caseworker, so a second run the same day, or the next day, finds it
again and creates nothing), and marks open reminders done when their cause is gone (the letter
was read, the conversation held, the case handed over to another caseworker). The rules:

- follow-up conversation: a tracked item of `children/involvement.py` (§ 95 follow-up after a
  placement, § 156 visit) due within FOLLOW_UP_LEAD_DAYS or overdue;
- plan review: the plan's newest approved version is PLAN_REVIEW_MONTHS old (no review rule
  exists in plans/models.py yet), from PLAN_REVIEW_LEAD_DAYS before;
- preparation not answered: a planned meeting with the child invited within PREPARATION_DAYS
  days (today included), its preparation not submitted;
- summary not written: a held meeting without "Det aftalte vi" when SUMMARY_WORKING_DAYS
  working days have passed since it was held (from the last of them);
- letter not read: a letter to the child sent LETTER_UNREAD_DAYS days ago or more, not opened;
- bisidder request waiting: the child asked for a bisidder and has no answer yet.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from inddrag.children.involvement import involvement
from inddrag.children.models import Assignment, Case
from inddrag.children.queries import CHECK_IN_DAYS, _case_list, measure_kinds
from inddrag.conversations.models import Meeting
from inddrag.decisions.models import DueRules
from inddrag.letters.models import Letter
from inddrag.lib.dates import add_working_days, deadline_day, working_days_cutoff
from inddrag.municipalities.models import Municipality
from inddrag.plans.models import PlanVersion
from inddrag.portal.messages import ANSWER_WITHIN_WORKING_DAYS
from inddrag.portal.models import ChildMessage
from inddrag.reminders.models import Reminder

FOLLOW_UP_LEAD_DAYS = 14
PLAN_REVIEW_MONTHS = 6
PLAN_REVIEW_LEAD_DAYS = 14
PREPARATION_DAYS = 3
SUMMARY_WORKING_DAYS = 2
LETTER_UNREAD_DAYS = 5
_CHUNK = 500
# The caseload's columns the due rules need (children/queries.py annotates them).
_FOLLOW_UP_COLUMNS = (
    "pk",
    "child__birth_date",
    "placement_started_on",
    "measure_mask",
    "last_conversation_on",
    "last_unsupervised_on",
    "decisions_not_heard",
)  # keys per IN (…) list

Kind = Reminder.Kind


@dataclass(frozen=True, slots=True)
class DueItem:
    """One thing due for a caseworker about a case."""

    case_id: int
    caseworker_id: int
    kind: str
    obj: str  # "case:12", "letter:42", …: what the reminder is about
    due_on: date

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.obj}:{self.due_on.isoformat()}:u{self.caseworker_id}"


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _local_day(moment: datetime | None) -> date:
    assert moment is not None  # the queries filter on it
    return timezone.localdate(moment)


def due_items(municipality: Municipality, *, today: date) -> list[DueItem]:
    """Every item due on `today` in the municipality's open cases, for each case's active
    caseworker (a case without one has nobody to remind). Seven queries whatever the number of
    cases: the active assignments, the caseload columns, and one per other kind."""
    caseworker_of = dict(
        Assignment.objects.filter(
            municipality_id=municipality.pk,
            ended_at__isnull=True,
            case__status=Case.Status.OPEN,
        ).values_list("case_id", "caseworker_id")
    )
    if not caseworker_of:
        return []
    items: list[DueItem] = []
    for case_id, kind, obj, due_on in _all_due(municipality, today, set(caseworker_of)):
        items.append(DueItem(case_id, caseworker_of[case_id], kind, obj, due_on))
    return items


def _all_due(
    municipality: Municipality, today: date, case_ids: set[int]
) -> Iterator[tuple[int, str, str, date]]:
    yield from _follow_ups(municipality, today, case_ids)
    yield from _plan_reviews(municipality, today, case_ids)
    yield from _preparations(municipality, today, case_ids)
    yield from _summaries(municipality, today, case_ids)
    yield from _unread_letters(municipality, today, case_ids)
    yield from _bisidder_requests(municipality, case_ids)


def _follow_ups(
    municipality: Municipality, today: date, case_ids: set[int]
) -> Iterator[tuple[int, str, str, date]]:
    """The caseload's due rules (children/involvement.py) over its own query's columns."""
    rules = DueRules.for_municipality(municipality)
    now = _start_of(today)
    rows = _case_list(
        Case.objects.filter(municipality_id=municipality.pk, status=Case.Status.OPEN),
        status=Case.Status.OPEN,
        today=today,
        now=now,
        overdue_from=working_days_cutoff(now, ANSWER_WITHIN_WORKING_DAYS),
        check_ins_from=now - timedelta(days=CHECK_IN_DAYS),
    ).values_list(*_FOLLOW_UP_COLUMNS)
    for pk, birth_date, placed_on, mask, last_on, unsupervised_on, not_heard in rows:
        if pk not in case_ids:
            continue
        status = involvement(
            birth_date=birth_date,
            today=today,
            measure_kinds=measure_kinds(mask),
            placement_started_on=placed_on,
            last_conversation_on=last_on,
            last_unsupervised_on=unsupervised_on,
            decisions_not_heard=not_heard,
            rules=rules,
        )
        for item in status.items:
            if item.is_tracked and item.days_left <= FOLLOW_UP_LEAD_DAYS:
                yield pk, Kind.FOLLOW_UP, f"case:{pk}:{item.kind}", item.due_on


def _plan_reviews(
    municipality: Municipality, today: date, case_ids: set[int]
) -> Iterator[tuple[int, str, str, date]]:
    """The newest approved version of each plan: due PLAN_REVIEW_MONTHS after its approval. A
    newer approved version is a new object, so the old reminder's cause is gone."""
    versions = (
        PlanVersion.objects.filter(
            municipality_id=municipality.pk,
            approved_at__isnull=False,
            plan__case__status=Case.Status.OPEN,
        )
        .order_by("plan_id", "-approved_at", "-pk")
        .values_list("plan_id", "pk", "plan__case_id", "approved_at")
    )
    seen: set[int] = set()
    for plan_id, pk, case_id, approved_at in versions:
        if plan_id in seen:
            continue
        seen.add(plan_id)
        due_on = add_months(_local_day(approved_at), PLAN_REVIEW_MONTHS)
        if case_id in case_ids and today >= due_on - timedelta(days=PLAN_REVIEW_LEAD_DAYS):
            yield case_id, Kind.PLAN_REVIEW, f"planversion:{pk}", due_on


def _preparations(
    municipality: Municipality, today: date, case_ids: set[int]
) -> Iterator[tuple[int, str, str, date]]:
    meetings = Meeting.objects.filter(
        municipality_id=municipality.pk,
        status=Meeting.Status.PLANNED,
        child_invited=True,
        starts_at__gte=_start_of(today),
        starts_at__lt=_start_of(today + timedelta(days=PREPARATION_DAYS + 1)),
        preparation__submitted_at__isnull=True,  # no preparation, or a draft
    ).values_list("case_id", "pk", "starts_at")
    for case_id, pk, starts_at in meetings:
        if case_id in case_ids:
            yield case_id, Kind.PREPARATION, f"meeting:{pk}", _local_day(starts_at)


def _summaries(
    municipality: Municipality, today: date, case_ids: set[int]
) -> Iterator[tuple[int, str, str, date]]:
    meetings = Meeting.objects.filter(
        municipality_id=municipality.pk,
        status=Meeting.Status.HELD,
        summary_written_at__isnull=True,
        starts_at__lt=_start_of(today),
    ).values_list("case_id", "pk", "starts_at")
    for case_id, pk, starts_at in meetings:
        due_on = deadline_day(add_working_days(starts_at, SUMMARY_WORKING_DAYS))
        if case_id in case_ids and today >= due_on:
            yield case_id, Kind.SUMMARY, f"meeting:{pk}", due_on


def _unread_letters(
    municipality: Municipality, today: date, case_ids: set[int]
) -> Iterator[tuple[int, str, str, date]]:
    letters = Letter.objects.filter(
        municipality_id=municipality.pk,
        audience=Letter.Audience.CHILD,
        sent_at__lt=_start_of(today - timedelta(days=LETTER_UNREAD_DAYS - 1)),
        read_at__isnull=True,
    ).values_list("case_id", "pk", "sent_at")
    for case_id, pk, sent_at in letters:
        if case_id in case_ids:
            due_on = _local_day(sent_at) + timedelta(days=LETTER_UNREAD_DAYS)
            yield case_id, Kind.LETTER_UNREAD, f"letter:{pk}", due_on


def _bisidder_requests(
    municipality: Municipality, case_ids: set[int]
) -> Iterator[tuple[int, str, str, date]]:
    requests = ChildMessage.objects.filter(
        municipality_id=municipality.pk,
        kind=ChildMessage.Kind.BISIDDER,
        answered_at__isnull=True,
    ).values_list("case_id", "pk", "sent_at")
    for case_id, pk, sent_at in requests:
        if case_id in case_ids:
            yield case_id, Kind.BISIDDER, f"childmessage:{pk}", _local_day(sent_at)


def _chunks(keys: Iterable[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    for key in keys:
        chunk.append(key)
        if len(chunk) == _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def compute_reminders(municipality_id: int, *, today: date) -> int:
    """Bring the municipality's reminders up to date for `today`, in one transaction: create
    those due for the first time, reopen one whose cause came back, mark done the open ones
    whose cause is gone. Returns how many were created. Idempotent: a second run the same day
    changes nothing."""
    municipality = Municipality.objects.select_related("due_rules").get(pk=municipality_id)
    now = timezone.now()
    with transaction.atomic():
        due = {item.key: item for item in due_items(municipality, today=today)}
        existing: dict[str, bool] = {}  # key -> done
        for chunk in _chunks(due):
            for key, done_at in Reminder.objects.filter(key__in=chunk).values_list(
                "key", "done_at"
            ):
                existing[key] = done_at is not None
        new = [
            Reminder(
                municipality_id=municipality_id,
                caseworker_id=item.caseworker_id,
                case_id=item.case_id,
                kind=item.kind,
                key=key,
                due_on=item.due_on,
                created_at=now,
            )
            for key, item in due.items()
            if key not in existing
        ]
        Reminder.objects.bulk_create(new, ignore_conflicts=True)
        for chunk in _chunks(key for key, done in existing.items() if done):
            Reminder.objects.filter(key__in=chunk).update(done_at=None)
        gone = [
            pk
            for pk, key in Reminder.objects.filter(
                municipality_id=municipality_id, done_at__isnull=True
            ).values_list("pk", "key")
            if key not in due
        ]
        for start in range(0, len(gone), _CHUNK):
            Reminder.objects.filter(pk__in=gone[start : start + _CHUNK]).update(done_at=now)
    return len(new)
