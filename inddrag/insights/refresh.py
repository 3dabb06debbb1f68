"""Rebuild a municipality's figure tables (models.py) from the case tables.

`refresh_municipality` deletes and rebuilds, in one transaction, the municipality's CaseSnapshot
rows (every case, open or closed), its UnitMonth rows and its MunicipalityMonth rows for the
WINDOW_MONTHS months ending with the refresh day's month. Run by the task worker (tasks.py) and
by `manage.py refresh_figures`; rebuilding from scratch makes it idempotent by construction.

The events are counted in SQL, not in Python: one INSERT … SELECT … GROUP BY puts the counts of
every family of events per case and month into a temporary table (a few thousand rows from some
hundred thousand events), from which the case masks and the UnitMonth rows are grouped. Only the
cases' dimensions and "now" figures are a Python pass, one row per case, because the overdue
flag is the involvement rules of children/involvement.py over the caseload's columns.

What counts where (the brief's semantics; times are local, Europe/Copenhagen):
- decisions: month of `decided_on`; heard = `child_heard`; with a stated reason = not heard and
  `not_heard_reason` given;
- conversations: month of `held_on`;
- feedback: month of `given_at`; felt heard / understood = an answer of 4 or 5;
- meetings: held with the child invited, month of `starts_at`; prepared = the child submitted
  the preparation;
- check-ins: month of `checked_in_at`;
- letters: letters to the child (only they have a read receipt), month of `sent_at`; read =
  `read_at` set;
- bisidder requests: month of `sent_at`; answered = `answered_at` set, with the hours between.

SQL that depends on the database (the month of a date or of a moment in local time, the hours
between two moments) is built per vendor below; everything else is portable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Count
from django.utils import timezone

from inddrag.children.access import shaped_membership
from inddrag.children.involvement import involvement
from inddrag.children.models import Assignment, Case, Handover, Measure
from inddrag.children.queries import case_list_queryset, measure_kinds
from inddrag.conversations.models import Conversation, Meeting, MeetingFeedback, MeetingPreparation
from inddrag.decisions.models import Decision, DueRules
from inddrag.insights.models import (
    AgeBand,
    CaseSnapshot,
    Counts,
    MeasureGroup,
    MunicipalityMonth,
    UnitMonth,
)
from inddrag.letters.models import Letter
from inddrag.lib.dates import age_on
from inddrag.municipalities.models import Membership, Municipality
from inddrag.plans.models import GoalCheckIn, Plan
from inddrag.portal.models import ChildMessage

WINDOW_MONTHS = 63  # bits 0..62 of a signed 64-bit mask
FEEDBACK_GOOD = 4  # "felt heard" / "understood": an answer of 4 or 5 on the 1–5 scale

# The counted columns of Counts, in the model's order.
COUNT_FIELDS: tuple[str, ...] = tuple(
    field.name
    for field in Counts._meta.get_fields()
    if isinstance(field, models.Field)
    and field.name not in {"id", "month", "age_band", "measure_group"}
)

# Each mask of CaseSnapshot and the count that sets its bit for a month.
MASKS: tuple[tuple[str, str], ...] = (
    ("decision_months", "decisions"),
    ("conversation_months", "conversations"),
    ("feedback_months", "feedback_answers"),
    ("meeting_months", "meetings"),
    ("check_in_months", "check_ins"),
    ("letter_months", "letters_sent"),
    ("bisidder_months", "bisidder_requests"),
)

_CASE_MONTHS = "insights_refresh_case_months"  # temporary tables of one refresh
_MONTHS = "insights_refresh_months"


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, months: int) -> date:
    """The first day of the month `months` after the month of `month` (negative: before)."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def window_start(today: date) -> date:
    """The first month of the window: bit 0 of the masks."""
    return add_months(month_start(today), 1 - WINDOW_MONTHS)


def age_band(birth_date: date, today: date) -> AgeBand:
    age = age_on(birth_date, today)
    if age <= 5:
        return AgeBand.SMALL
    if age <= 9:
        return AgeBand.SCHOOL
    if age <= 14:
        return AgeBand.TWEEN
    if age <= 17:
        return AgeBand.TEEN
    return AgeBand.YOUNG_ADULT


def measure_group(kinds: Sequence[str]) -> MeasureGroup:
    """A placement before aftercare before preventive support; no active measure: none."""
    if any(kind in Measure.PLACEMENTS for kind in kinds):
        return MeasureGroup.PLACEMENT
    if Measure.Kind.AFTERCARE in kinds:
        return MeasureGroup.AFTERCARE
    if kinds:
        return MeasureGroup.PREVENTIVE
    return MeasureGroup.NONE


def refresh_municipality(municipality_id: int, *, today: date) -> None:
    """Rebuild the municipality's CaseSnapshot, UnitMonth and MunicipalityMonth rows as of
    `today` (a local date), in one transaction. Other municipalities' rows are not touched."""
    start = window_start(today)
    with transaction.atomic():
        snapshots = _snapshots(municipality_id, today)
        with connection.cursor() as cursor:
            for model in (MunicipalityMonth, UnitMonth, CaseSnapshot):
                cursor.execute(
                    f"DELETE FROM {_table(model)} WHERE {_q('municipality_id')} = %s",
                    [municipality_id],
                )
            _create_temporary_tables(cursor, start)
            try:
                _count_case_months(cursor, municipality_id, start)
                masks = _masks(cursor)
                _insert_snapshots(cursor, snapshots, masks, start, today)
                _insert_unit_months(cursor, municipality_id)
                _insert_municipality_months(cursor, municipality_id)
            finally:
                for name in (_CASE_MONTHS, _MONTHS):
                    cursor.execute(f"DROP TABLE IF EXISTS {_q(name)}")


# The cases' dimensions and "now" figures (a Python pass over the municipality's cases).


@dataclass(frozen=True, slots=True)
class _Snapshot:
    case_id: int
    municipality_id: int
    unit_id: int
    child_id: int
    caseworker_id: int | None
    is_open: bool
    age_band: int
    measure_group: str
    last_conversation_on: date | None
    days_since_conversation: int | None
    overdue: bool
    handovers_year: int


def _snapshots(municipality_id: int, today: date) -> list[_Snapshot]:
    """One row per case of the municipality, from the caseload's query (the columns the
    involvement status needs) and two grouped queries (active caseworker, handovers)."""
    municipality = Municipality.objects.select_related("due_rules").get(pk=municipality_id)
    rules = DueRules.for_municipality(municipality)
    # A leader of no unit sees every case of the municipality: the caseload's query for them,
    # every status, gives each case's involvement columns.
    everyone = shaped_membership(Membership.Role.LEADER, municipality_id=municipality_id)
    rows = case_list_queryset(everyone, status="all", today=today).values_list(  # type: ignore[misc]
        "pk",
        "unit_id",
        "child_id",
        "status",
        "child__birth_date",
        "last_conversation_on",
        "last_unsupervised_on",
        "decisions_not_heard",
        "placement_started_on",
        "measure_mask",
    )
    caseworkers = dict(
        Assignment.objects.filter(municipality_id=municipality_id, ended_at__isnull=True)
        .order_by("started_at", "pk")
        .values_list("case_id", "caseworker_id")
    )
    tz = timezone.get_current_timezone()
    year_from = datetime.combine(today - timedelta(days=364), time.min, tzinfo=tz)
    year_to = datetime.combine(today + timedelta(days=1), time.min, tzinfo=tz)
    handovers: dict[int, int] = dict(
        Handover.objects.filter(
            municipality_id=municipality_id,
            handed_over_at__gte=year_from,
            handed_over_at__lt=year_to,
        )
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"))
        .values_list("case_id", "n")
    )
    snapshots = []
    for (
        case_id,
        unit_id,
        child_id,
        status,
        birth_date,
        last_conversation_on,
        last_unsupervised_on,
        decisions_not_heard,
        placement_started_on,
        measure_mask,
    ) in rows:
        kinds = measure_kinds(measure_mask)
        is_open = status == Case.Status.OPEN
        status_today = involvement(
            birth_date=birth_date,
            today=today,
            measure_kinds=kinds,
            placement_started_on=placement_started_on,
            last_conversation_on=last_conversation_on,
            last_unsupervised_on=last_unsupervised_on,
            decisions_not_heard=decisions_not_heard or 0,
            rules=rules,
            is_open=is_open,
        )
        days = status_today.days_since_conversation
        snapshots.append(
            _Snapshot(
                case_id=case_id,
                municipality_id=municipality_id,
                unit_id=unit_id,
                child_id=child_id,
                caseworker_id=caseworkers.get(case_id),
                is_open=is_open,
                age_band=age_band(birth_date, today).value,
                measure_group=measure_group(kinds).value,
                last_conversation_on=last_conversation_on,
                days_since_conversation=max(days, 0) if days is not None else None,
                overdue=status_today.is_overdue,
                handovers_year=handovers.get(case_id, 0),
            )
        )
    return snapshots


# The SQL.


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type[models.Model]) -> str:
    return _q(model._meta.db_table)


def _col(model: type[models.Model], name: str, alias: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column is not None
    return f"{alias}.{_q(field.column)}"


def _create_temporary_tables(cursor: CursorWrapper, start: date) -> None:
    counts = ", ".join(
        f"{_q(name)} {'DOUBLE PRECISION' if name == 'bisidder_answer_hours' else 'BIGINT'}"
        for name in COUNT_FIELDS
    )
    for name in (_CASE_MONTHS, _MONTHS):
        cursor.execute(f"DROP TABLE IF EXISTS {_q(name)}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {_q(_CASE_MONTHS)} "
        f"({_q('case_id')} BIGINT NOT NULL, {_q('k')} INTEGER NOT NULL, {counts})"
    )
    # The window's months by their index k: the month of a count row is a join, portable.
    cursor.execute(
        f"CREATE TEMPORARY TABLE {_q(_MONTHS)} ({_q('k')} INTEGER PRIMARY KEY, {_q('month')} DATE)"
    )
    cursor.executemany(
        f"INSERT INTO {_q(_MONTHS)} ({_q('k')}, {_q('month')}) VALUES (%s, %s)",
        [
            (k, connection.ops.adapt_datefield_value(add_months(start, k)))
            for k in range(WINDOW_MONTHS)
        ],
    )


def _month_key(column: str, *, local: bool, years: range = range(0)) -> str:
    """SQL for year * 12 + month of a date column, or (local=True) of a datetime column in the
    current time zone (in `years`)."""
    if connection.vendor == "postgresql":
        value = f"({column} AT TIME ZONE '{_zone_name()}')" if local else column
        return f"CAST(EXTRACT(YEAR FROM {value}) * 12 + EXTRACT(MONTH FROM {value}) AS INTEGER)"
    if connection.vendor == "sqlite":
        value = (
            f"strftime('%%Y-%%m', {column}, {_sqlite_local_shift(column, years)})"
            if local
            else column
        )
        year, month = f"substr({value}, 1, 4)", f"substr({value}, 6, 2)"
        return f"(CAST({year} AS INTEGER) * 12 + CAST({month} AS INTEGER))"
    raise ImproperlyConfigured(f"insights refresh: no SQL for {connection.vendor}")


def _hours_between(start: str, end: str) -> str:
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)"
    return f"((julianday({end}) - julianday({start})) * 24.0)"


def _zone_name() -> str:
    name = str(settings.TIME_ZONE)
    if not re.fullmatch(r"[A-Za-z0-9_/+-]+", name):
        raise ImproperlyConfigured(f"unexpected TIME_ZONE {name!r}")
    return name


def _sqlite_local_shift(column: str, years: range) -> str:
    """A strftime modifier that moves a UTC moment (SQLite's storage) into its local month.

    SQLite knows no time zones, but only the month is needed, and a month starts at local
    midnight of its first day, when the offset from UTC is off(M) for month M (one hour in
    winter and two in summer in Denmark, the same every year). With H the largest of these:
    M = the UTC month of moment + H; the local month is then the UTC month of moment + off(M)
    (when moment + off(M) falls before the first of M, the moment is before M's local midnight
    and so in month M - 1, which moment + off(M) is in too). The offsets come from zoneinfo."""
    zone = ZoneInfo(_zone_name())
    offsets: dict[int, int] = {}
    for year in years:
        for month in range(1, 13):
            midnight = datetime(year, month, 1, tzinfo=zone)
            offset = midnight.utcoffset()
            assert offset is not None
            minutes = int(offset.total_seconds() // 60)
            if offsets.setdefault(month, minutes) != minutes:
                raise ImproperlyConfigured(
                    f"insights refresh on SQLite: {zone} has no fixed offset on the first of month "
                    f"{month} in {years.start}–{years.stop - 1}"
                )
    highest = max(offsets.values())
    cases = " ".join(
        f"WHEN {month} THEN '{offset:+d} minutes'" for month, offset in offsets.items()
    )
    return f"CASE CAST(strftime('%%m', {column}, '{highest:+d} minutes') AS INTEGER) {cases} END"


def _moment(day: date) -> Any:
    """Local midnight of `day` as a parameter for a datetime column."""
    moment = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return connection.ops.adapt_datetimefield_value(moment.astimezone(UTC))


def _arm(case_id: str, key: str, base: int, frm: str, where: str, counts: dict[str, str]) -> str:
    """One SELECT of the union: case, month index and every count column (0 when not this
    family's)."""
    columns = ", ".join(f"{counts.get(name, '0')} AS {_q(name)}" for name in COUNT_FIELDS)
    month = f"{key} - {base} AS {_q('k')}"
    return f"SELECT {case_id} AS {_q('case_id')}, {month}, {columns} {frm} WHERE {where}"


def _count_case_months(cursor: CursorWrapper, municipality_id: int, start: date) -> None:
    """Every family's events of the window per case and month into the temporary table."""
    end = add_months(start, WINDOW_MONTHS)
    base = start.year * 12 + start.month
    years = range(start.year, end.year + 1)
    day_from, day_to = (connection.ops.adapt_datefield_value(d) for d in (start, end))
    at_from, at_to = _moment(start), _moment(end)

    def yes(condition: str) -> str:
        return f"CASE WHEN {condition} THEN 1 ELSE 0 END"

    arms: list[str] = []
    params: list[Any] = []
    # Decisions.
    d = "d"
    decided_on, heard = _col(Decision, "decided_on", d), _col(Decision, "child_heard", d)
    reason = _col(Decision, "not_heard_reason", d)
    arms.append(
        _arm(
            _col(Decision, "case", d),
            _month_key(decided_on, local=False),
            base,
            f"FROM {_table(Decision)} {d}",
            f"{_col(Decision, 'municipality', d)} = %s "
            f"AND {decided_on} >= %s AND {decided_on} < %s",
            {
                "decisions": "1",
                "decisions_heard": yes(heard),
                "decisions_reason": yes(f"NOT {heard} AND {reason} <> ''"),
            },
        )
    )
    params += [municipality_id, day_from, day_to]
    # Conversations.
    c = "c"
    held_on = _col(Conversation, "held_on", c)
    arms.append(
        _arm(
            _col(Conversation, "case", c),
            _month_key(held_on, local=False),
            base,
            f"FROM {_table(Conversation)} {c}",
            f"{_col(Conversation, 'municipality', c)} = %s AND {held_on} >= %s AND {held_on} < %s",
            {"conversations": "1"},
        )
    )
    params += [municipality_id, day_from, day_to]
    # The children's feedback after a meeting (the case through the meeting).
    f, m = "f", "m"
    given_at = _col(MeetingFeedback, "given_at", f)
    arms.append(
        _arm(
            _col(Meeting, "case", m),
            _month_key(given_at, local=True, years=years),
            base,
            f"FROM {_table(MeetingFeedback)} {f} JOIN {_table(Meeting)} {m} "
            f"ON {_col(Meeting, 'id', m)} = {_col(MeetingFeedback, 'meeting', f)}",
            f"{_col(MeetingFeedback, 'municipality', f)} = %s "
            f"AND {given_at} >= %s AND {given_at} < %s",
            {
                "feedback_answers": "1",
                "felt_heard": yes(f"{_col(MeetingFeedback, 'felt_heard', f)} >= {FEEDBACK_GOOD}"),
                "understood": yes(f"{_col(MeetingFeedback, 'understood', f)} >= {FEEDBACK_GOOD}"),
            },
        )
    )
    params += [municipality_id, at_from, at_to]
    # Meetings held with the child invited, and whether the child prepared them.
    p = "p"
    starts_at = _col(Meeting, "starts_at", m)
    arms.append(
        _arm(
            _col(Meeting, "case", m),
            _month_key(starts_at, local=True, years=years),
            base,
            f"FROM {_table(Meeting)} {m} LEFT JOIN {_table(MeetingPreparation)} {p} "
            f"ON {_col(MeetingPreparation, 'meeting', p)} = {_col(Meeting, 'id', m)}",
            f"{_col(Meeting, 'municipality', m)} = %s AND {_col(Meeting, 'status', m)} = %s "
            f"AND {_col(Meeting, 'child_invited', m)} AND {starts_at} >= %s AND {starts_at} < %s",
            {
                "meetings": "1",
                "meetings_prepared": yes(
                    f"{_col(MeetingPreparation, 'submitted_at', p)} IS NOT NULL"
                ),
            },
        )
    )
    params += [municipality_id, Meeting.Status.HELD.value, at_from, at_to]
    # Goal check-ins (the case through the plan).
    g, pl = "g", "pl"
    checked_in_at = _col(GoalCheckIn, "checked_in_at", g)
    arms.append(
        _arm(
            _col(Plan, "case", pl),
            _month_key(checked_in_at, local=True, years=years),
            base,
            f"FROM {_table(GoalCheckIn)} {g} JOIN {_table(Plan)} {pl} "
            f"ON {_col(Plan, 'id', pl)} = {_col(GoalCheckIn, 'plan', g)}",
            f"{_col(GoalCheckIn, 'municipality', g)} = %s "
            f"AND {checked_in_at} >= %s AND {checked_in_at} < %s",
            {"check_ins": "1"},
        )
    )
    params += [municipality_id, at_from, at_to]
    # Letters to the child, sent, and read.
    lt = "lt"
    sent_at = _col(Letter, "sent_at", lt)
    arms.append(
        _arm(
            _col(Letter, "case", lt),
            _month_key(sent_at, local=True, years=years),
            base,
            f"FROM {_table(Letter)} {lt}",
            f"{_col(Letter, 'municipality', lt)} = %s AND {_col(Letter, 'audience', lt)} = %s "
            f"AND {sent_at} >= %s AND {sent_at} < %s",
            {
                "letters_sent": "1",
                "letters_read": yes(f"{_col(Letter, 'read_at', lt)} IS NOT NULL"),
            },
        )
    )
    params += [municipality_id, Letter.Audience.CHILD.value, at_from, at_to]
    # Bisidder requests from the child channel, answered, and the hours to the answer.
    b = "b"
    message_sent, answered = _col(ChildMessage, "sent_at", b), _col(ChildMessage, "answered_at", b)
    arms.append(
        _arm(
            _col(ChildMessage, "case", b),
            _month_key(message_sent, local=True, years=years),
            base,
            f"FROM {_table(ChildMessage)} {b}",
            f"{_col(ChildMessage, 'municipality', b)} = %s "
            f"AND {_col(ChildMessage, 'kind', b)} = %s "
            f"AND {message_sent} >= %s AND {message_sent} < %s",
            {
                "bisidder_requests": "1",
                "bisidder_answered": yes(f"{answered} IS NOT NULL"),
                "bisidder_answer_hours": (
                    f"CASE WHEN {answered} IS NULL THEN 0.0 "
                    f"ELSE {_hours_between(message_sent, answered)} END"
                ),
            },
        )
    )
    params += [municipality_id, ChildMessage.Kind.BISIDDER.value, at_from, at_to]

    names = ", ".join(_q(name) for name in COUNT_FIELDS)
    sums = ", ".join(f"SUM(e.{_q(name)})" for name in COUNT_FIELDS)
    union = " UNION ALL ".join(arms)
    cursor.execute(
        f"INSERT INTO {_q(_CASE_MONTHS)} ({_q('case_id')}, {_q('k')}, {names}) "
        f"SELECT e.{_q('case_id')}, e.{_q('k')}, {sums} FROM ({union}) e "
        f"GROUP BY e.{_q('case_id')}, e.{_q('k')}",
        params,
    )


def _masks(cursor: CursorWrapper) -> dict[int, tuple[int, ...]]:
    """Each case's family masks: bit k set when the case had such an event in month k."""
    bit = f"(CAST(1 AS BIGINT) << {_q('k')})"
    columns = ", ".join(
        f"SUM(CASE WHEN {_q(count)} > 0 THEN {bit} ELSE 0 END)" for _, count in MASKS
    )
    cursor.execute(
        f"SELECT {_q('case_id')}, {columns} FROM {_q(_CASE_MONTHS)} GROUP BY {_q('case_id')}"
    )
    return {row[0]: tuple(int(value) for value in row[1:]) for row in cursor.fetchall()}


_SNAPSHOT_COLUMNS = (
    "case_id",
    "municipality_id",
    "unit_id",
    "child_id",
    "caseworker_id",
    "is_open",
    "age_band",
    "measure_group",
    "last_conversation_on",
    "days_since_conversation",
    "overdue",
    "handovers_year",
    "window_start",
    *(mask for mask, _ in MASKS),
    "refreshed_on",
)
_NO_MASKS = (0,) * len(MASKS)
_BATCH = 2000


def _insert_snapshots(
    cursor: CursorWrapper,
    snapshots: list[_Snapshot],
    masks: dict[int, tuple[int, ...]],
    start: date,
    today: date,
) -> None:
    ops = connection.ops
    start_value, today_value = ops.adapt_datefield_value(start), ops.adapt_datefield_value(today)
    rows = [
        (
            s.case_id,
            s.municipality_id,
            s.unit_id,
            s.child_id,
            s.caseworker_id,
            s.is_open,
            s.age_band,
            s.measure_group,
            ops.adapt_datefield_value(s.last_conversation_on),
            s.days_since_conversation,
            s.overdue,
            s.handovers_year,
            start_value,
            *masks.get(s.case_id, _NO_MASKS),
            today_value,
        )
        for s in snapshots
    ]
    sql = (
        f"INSERT INTO {_table(CaseSnapshot)} ({', '.join(_q(c) for c in _SNAPSHOT_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(_SNAPSHOT_COLUMNS))})"
    )
    for i in range(0, len(rows), _BATCH):
        cursor.executemany(sql, rows[i : i + _BATCH])


_DIMENSIONS = ("unit_id", "caseworker_id", "age_band", "measure_group")


def _insert_unit_months(cursor: CursorWrapper, municipality_id: int) -> None:
    """The case months grouped by the cases' dimensions (the snapshot rows just written)."""
    names = ", ".join(_q(name) for name in COUNT_FIELDS)
    sums = ", ".join(f"SUM(c.{_q(name)})" for name in COUNT_FIELDS)
    dims = ", ".join(f"s.{_q(name)}" for name in _DIMENSIONS)
    cursor.execute(
        f"INSERT INTO {_table(UnitMonth)} ({_q('municipality_id')}, "
        f"{', '.join(_q(name) for name in _DIMENSIONS)}, {_q('month')}, {names}) "
        f"SELECT %s, {dims}, mo.{_q('month')}, {sums} "
        f"FROM {_q(_CASE_MONTHS)} c "
        f"JOIN {_table(CaseSnapshot)} s ON s.{_q('case_id')} = c.{_q('case_id')} "
        f"JOIN {_q(_MONTHS)} mo ON mo.{_q('k')} = c.{_q('k')} "
        f"GROUP BY {dims}, mo.{_q('month')}",
        [municipality_id],
    )


def _insert_municipality_months(cursor: CursorWrapper, municipality_id: int) -> None:
    names = ", ".join(_q(name) for name in COUNT_FIELDS)
    sums = ", ".join(f"SUM({_q(name)})" for name in COUNT_FIELDS)
    dims = f"{_q('age_band')}, {_q('measure_group')}, {_q('month')}"
    cursor.execute(
        f"INSERT INTO {_table(MunicipalityMonth)} ({_q('municipality_id')}, {dims}, {names}) "
        f"SELECT {_q('municipality_id')}, {dims}, {sums} FROM {_table(UnitMonth)} "
        f"WHERE {_q('municipality_id')} = %s GROUP BY {_q('municipality_id')}, {dims}",
        [municipality_id],
    )
