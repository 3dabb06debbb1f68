"""The query shape of each screen that lists cases (house style rule 11)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any, NamedTuple
from uuid import UUID

from django.db import connection, models
from django.db.models import BooleanField, DateField, DateTimeField, IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from inddrag.children.access import Shape, shaped_membership, visible_cases, visible_shape
from inddrag.children.models import Assignment, Case, Handover, Measure
from inddrag.conversations.models import Conversation, Meeting, MeetingPreparation, Statement
from inddrag.decisions.models import Decision
from inddrag.lib.dates import working_days_cutoff
from inddrag.lib.prepared import Prepared
from inddrag.municipalities.models import Membership
from inddrag.plans.models import GoalCheckIn, Plan
from inddrag.portal.messages import ANSWER_WITHIN_WORKING_DAYS
from inddrag.portal.models import ChildMessage


def case_list_queryset(
    membership: Membership,
    *,
    status: str = "open",
    today: date | None = None,
    now: datetime | None = None,
) -> QuerySet[Case]:
    """The caseload ("Mine børn"): every case the membership may see, with its child joined and
    annotated with what the involvement status needs (inddrag/children/involvement.py), in one
    query whatever the number of cases. Each annotation is a correlated subquery on its index
    (see `_involvement_sql`):
    - `last_conversation_on`, `last_unsupervised_on` (the latest without staff present);
    - `decisions_not_heard`, `latest_statement_on`;
    - `placement_started_on` (the latest active placement) and `measure_mask` (the kinds of
      the active measures on `today`, one bit each: see `measure_kinds`);
    - from the child channel: `message_state` (MESSAGES_NONE, MESSAGES_WAITING, or
      MESSAGES_OVERDUE when one has waited longer than the answer time at `now`),
      `unsafe_since` (the oldest unanswered "Jeg føler mig ikke tryg") and `prepared` (1 when
      the child submitted the preparation of the next meeting, 0 when not, None without one);
    - from Barnets plan: the child's newest check-in on a goal in the last
      CHECK_IN_DAYS days, `check_in_rating` (1-5) and `check_in_at` (None without one).
      Numbers rather than dates where a number says it: a date costs a parse on every row.

    A case with an unanswered "Jeg føler mig ikke tryg" is listed whatever the status filter
    (the child's urgent flag is never hidden). The whole caseload is read, not a page: it is
    sorted and filtered by the computed status. A leader's caseworker column comes from
    `caseworker_names`, for the shown page only."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    return _case_list(
        visible_cases(membership),
        status=status,
        today=today,
        now=now,
        overdue_from=working_days_cutoff(now, ANSWER_WITHIN_WORKING_DAYS),
        check_ins_from=now - timedelta(days=CHECK_IN_DAYS),
    )


def _case_list(
    cases: QuerySet[Case],
    *,
    status: str,
    today: date,
    now: datetime,
    overdue_from: datetime,
    check_ins_from: datetime,
) -> QuerySet[Case]:
    sql = _involvement_sql(connection.vendor)
    if status in Case.Status.values:
        is_unsafe = RawSQL(sql.is_unsafe, (UNSAFE,), output_field=BooleanField())
        cases = cases.alias(is_unsafe=is_unsafe).filter(Q(status=status) | Q(is_unsafe=True))
    # A raw parameter is not adapted by a field: SQLite compares dates and datetimes as text
    # (datetimes in naive UTC), so they are adapted here as a field would do it.
    ops = connection.ops
    on_today = (ops.adapt_datefield_value(today),) * 2
    at_now = ops.adapt_datetimefield_value(now)
    overdue = (ops.adapt_datetimefield_value(overdue_from),)
    check_ins = (ops.adapt_datetimefield_value(check_ins_from),)
    return (
        cases.select_related("child")
        .annotate(
            last_conversation_on=RawSQL(sql.last_conversation, (), output_field=DateField()),
            last_unsupervised_on=RawSQL(sql.last_unsupervised, (True,), output_field=DateField()),
            decisions_not_heard=RawSQL(sql.not_heard, (False,), output_field=IntegerField()),
            latest_statement_on=RawSQL(sql.latest_statement, (), output_field=DateField()),
            placement_started_on=RawSQL(sql.placement_start, on_today, output_field=DateField()),
            measure_mask=RawSQL(sql.measure_mask, on_today, output_field=IntegerField()),
            message_state=RawSQL(sql.message_state, overdue, output_field=IntegerField()),
            unsafe_since=RawSQL(sql.unsafe, (UNSAFE,), output_field=DateTimeField()),
            prepared=RawSQL(sql.prepared, (PLANNED, True, at_now), output_field=IntegerField()),
            check_in_rating=RawSQL(sql.check_in_rating, check_ins, output_field=IntegerField()),
            check_in_at=RawSQL(sql.check_in_at, check_ins, output_field=DateTimeField()),
        )
        .order_by("child__last_name", "child__first_name", "reference")
    )


UNSAFE = ChildMessage.Kind.UNSAFE.value
PLANNED = Meeting.Status.PLANNED.value
CHECK_IN_DAYS = 30  # the caseload shows the child's newest check-in of this many days
# `message_state`: the child's messages in the case without an answer.
MESSAGES_NONE, MESSAGES_WAITING, MESSAGES_OVERDUE = 0, 1, 2

# One bit per kind of measure, in the order of Measure.Kind (the SQL sums the distinct bits).
MEASURE_BITS = {kind: 1 << i for i, kind in enumerate(Measure.Kind.values)}


def measure_kinds(mask: int | None) -> tuple[str, ...]:
    """The kinds of measure in `mask`, placements first."""
    kinds = [kind for kind, bit in MEASURE_BITS.items() if (mask or 0) & bit]
    return tuple(sorted(kinds, key=lambda kind: kind not in Measure.PLACEMENTS))


class CaseloadItem(NamedTuple):
    """One case of the caseload, as plain values: the list reads the whole caseload on every
    request, and building Case and Child objects for it took as long as the query."""

    pk: int
    code: UUID
    reference: str
    status: str
    municipality_id: int
    first_name: str
    last_name: str
    birth_date: date
    cpr: str
    has_protected_address: bool
    last_conversation_on: date | None
    last_unsupervised_on: date | None
    decisions_not_heard: int
    latest_statement_on: date | None
    placement_started_on: date | None
    measure_mask: int | None
    message_state: int
    unsafe_since: datetime | None
    prepared: int | None
    check_in_rating: int | None
    check_in_at: datetime | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


_CASELOAD_COLUMNS = (
    "pk",
    "code",
    "reference",
    "status",
    "municipality_id",
    "child__first_name",
    "child__last_name",
    "child__birth_date",
    "child__cpr",
    "child__has_protected_address",
    "last_conversation_on",
    "last_unsupervised_on",
    "decisions_not_heard",
    "latest_statement_on",
    "placement_started_on",
    "measure_mask",
    "message_state",
    "unsafe_since",
    "prepared",
    "check_in_rating",
    "check_in_at",
)


def caseload(
    membership: Membership,
    *,
    status: str = "open",
    today: date | None = None,
    now: datetime | None = None,
) -> list[CaseloadItem]:
    """`case_list_queryset` as CaseloadItems, in the same order. One query, its SQL built once
    per shape of the membership and status filter (lib/prepared.py): the caseload is the page
    caseworkers open most, and building its SQL took the ORM twice as long as running it."""
    shape = visible_shape(membership)
    if shape is None:
        return []
    today = today or timezone.localdate()
    now = now or timezone.now()
    rows = _caseload_query(shape, status)(
        today=today,
        now=now,
        overdue_from=working_days_cutoff(now, ANSWER_WITHIN_WORKING_DAYS),
        check_ins_from=now - timedelta(days=CHECK_IN_DAYS),
        **shape.values,
    )
    return [CaseloadItem._make(row) for row in rows]


_caseload_queries: dict[tuple[str, bool, str], Prepared[Case, tuple[Any, ...]]] = {}
_MOMENT = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)  # stand-ins: distinct moments


def _caseload_query(shape: Shape, status: str) -> Prepared[Case, tuple[Any, ...]]:
    key = (*shape.key, status if status in Case.Status.values else "all")
    if key not in _caseload_queries:

        def build(
            today: date,
            now: datetime,
            overdue_from: datetime,
            check_ins_from: datetime,
            **values: int,
        ) -> QuerySet[Case, tuple[Any, ...]]:
            cases = visible_cases(shaped_membership(shape.role, **values))
            return _case_list(
                cases,
                status=status,
                today=today,
                now=now,
                overdue_from=overdue_from,
                check_ins_from=check_ins_from,
            ).values_list(*_CASELOAD_COLUMNS)

        _caseload_queries[key] = Prepared(
            build,
            today=date(1901, 2, 3),
            now=_MOMENT,
            overdue_from=_MOMENT + timedelta(seconds=1),
            check_ins_from=_MOMENT + timedelta(seconds=2),
            **shape.standins(),
        )
    return _caseload_queries[key]


@dataclass(frozen=True)
class _InvolvementSQL:
    last_conversation: str
    last_unsupervised: str
    not_heard: str
    latest_statement: str
    placement_start: str
    measure_mask: str
    message_state: str
    unsafe: str
    is_unsafe: str
    prepared: str
    check_in_rating: str
    check_in_at: str


@cache
def _involvement_sql(vendor: str) -> _InvolvementSQL:
    """The caseload's subqueries as plain SQL, built once from the models. Written with
    Subquery(OuterRef), they took Django 2 ms to compile on every request, four times what
    SQLite needs to run the whole query, and a prefetch of the measures as much again
    (bench/pages.py: the caseload must stay within 15 ms). Portable SQL; values are parameters.
    Indexes used: conversation_case_held, decision_case_decided, statement_child_said,
    measure_case_started, childmessage_case_open, meeting_case_starts, the plan's unique case
    and goalcheckin_plan_time."""
    q = connection.ops.quote_name

    def column(model: type[models.Model], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field) and field.column is not None
        return f"{q(model._meta.db_table)}.{q(field.column)}"

    case_pk, case_child = column(Case, "id"), column(Case, "child")
    conversations = q(Conversation._meta.db_table)
    held_on, of_case = column(Conversation, "held_on"), column(Conversation, "case")
    last_conversation = f"SELECT MAX({held_on}) FROM {conversations} WHERE {of_case} = {case_pk}"
    without_staff = column(Conversation, "without_staff_present")
    kind, started_on, ended_on = (column(Measure, f) for f in ("kind", "started_on", "ended_on"))
    active_measures = (
        f"FROM {q(Measure._meta.db_table)} WHERE {column(Measure, 'case')} = {case_pk} "
        f"AND {started_on} <= %s AND ({ended_on} IS NULL OR {ended_on} >= %s)"
    )
    placements = ", ".join(f"'{placement}'" for placement in sorted(Measure.PLACEMENTS))
    bits = " ".join(f"WHEN '{k}' THEN {bit}" for k, bit in MEASURE_BITS.items())
    sent_at, answered_at = column(ChildMessage, "sent_at"), column(ChildMessage, "answered_at")
    unanswered = (
        f"FROM {q(ChildMessage._meta.db_table)} "
        f"WHERE {column(ChildMessage, 'case')} = {case_pk} AND {answered_at} IS NULL"
    )
    unsafe = f"{unanswered} AND {column(ChildMessage, 'kind')} = %s"
    meeting_pk, preparation_meeting = column(Meeting, "id"), column(MeetingPreparation, "meeting")
    starts_at = column(Meeting, "starts_at")
    checked_in_at = column(GoalCheckIn, "checked_in_at")
    newest_check_in = (
        f"FROM {q(GoalCheckIn._meta.db_table)} WHERE {column(GoalCheckIn, 'plan')} = "
        f"(SELECT {column(Plan, 'id')} FROM {q(Plan._meta.db_table)} "
        f"WHERE {column(Plan, 'case')} = {case_pk}) AND {checked_in_at} >= %s "
        f"ORDER BY {checked_in_at} DESC, {column(GoalCheckIn, 'id')} DESC LIMIT 1"
    )
    return _InvolvementSQL(
        last_conversation=last_conversation,
        last_unsupervised=f"{last_conversation} AND {without_staff} = %s",
        not_heard=(
            f"SELECT COUNT(*) FROM {q(Decision._meta.db_table)} "
            f"WHERE {column(Decision, 'case')} = {case_pk} "
            f"AND {column(Decision, 'child_heard')} = %s"
        ),
        latest_statement=(
            f"SELECT MAX({column(Statement, 'said_on')}) FROM {q(Statement._meta.db_table)} "
            f"WHERE {column(Statement, 'child')} = {case_child}"
        ),
        placement_start=f"SELECT MAX({started_on}) {active_measures} AND {kind} IN ({placements})",
        measure_mask=f"SELECT SUM(DISTINCT CASE {kind} {bits} END) {active_measures}",
        message_state=(
            f"SELECT CASE WHEN MIN({sent_at}) IS NULL THEN {MESSAGES_NONE} "
            f"WHEN MIN({sent_at}) <= %s THEN {MESSAGES_OVERDUE} ELSE {MESSAGES_WAITING} END "
            f"{unanswered}"
        ),
        unsafe=f"SELECT MIN({sent_at}) {unsafe}",
        is_unsafe=f"EXISTS (SELECT 1 {unsafe})",
        # The next planned meeting the child is invited to, and its preparation if submitted.
        prepared=(
            f"SELECT CASE WHEN {column(MeetingPreparation, 'submitted_at')} IS NULL THEN 0 "
            "ELSE 1 END "
            f"FROM {q(Meeting._meta.db_table)} LEFT JOIN {q(MeetingPreparation._meta.db_table)} "
            f"ON {preparation_meeting} = {meeting_pk} "
            f"WHERE {column(Meeting, 'case')} = {case_pk} AND {column(Meeting, 'status')} = %s "
            f"AND {column(Meeting, 'child_invited')} = %s AND {starts_at} >= %s "
            f"ORDER BY {starts_at}, {meeting_pk} LIMIT 1"
        ),
        check_in_rating=f"SELECT {column(GoalCheckIn, 'rating')} {newest_check_in}",
        check_in_at=f"SELECT {checked_in_at} {newest_check_in}",
    )


def caseworker_names(case_ids: Iterable[int]) -> dict[int, list[str]]:
    """The names of each case's active caseworker(s): a leader's caseworker column, fetched for
    the shown page only (one query)."""
    names: dict[int, list[str]] = {}
    rows = (
        Assignment.objects.filter(case_id__in=list(case_ids), ended_at__isnull=True)
        .order_by("started_at")
        .values_list("case_id", "caseworker__first_name", "caseworker__last_name")
    )
    for case_id, first_name, last_name in rows:
        names.setdefault(case_id, []).append(f"{first_name} {last_name}".strip())
    return names


def handovers_per_year(case: Case, *, today: date) -> int:
    """How many times the case changed caseworker in the year up to `today`: its handovers on
    the 365 days ending with `today` (local dates). One query.

    Only Handover rows count: the first assignment when a case opens is no change for the
    child, and every change of caseworker goes through services.hand_over_case."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(today - timedelta(days=364), time.min, tzinfo=tz)
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=tz)
    return Handover.objects.filter(
        case=case, handed_over_at__gte=start, handed_over_at__lt=end
    ).count()
