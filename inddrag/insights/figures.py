"""The leader's figures: pure computations over the refreshed tables (UnitMonth, CaseSnapshot)
and the small reflection and training tables, for one municipality (and unit) and period.

Each figure is a `Section`: a heading, the number of children behind it, a chart and one or more
`Table`s. The dashboard shows the tables and the export writes the very same rows, so a cell
suppressed on the page (fewer than 5 children behind it, in a view across units or caseworkers)
is suppressed in the file too.

Queries, however many units, caseworkers and months: the snapshot window (1), the months' counts
(1), the snapshots' counts per unit and caseworker (1), the active caseworkers (1), the caseload
target (1) and the reflection and training activity (4).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inddrag.insights.models import CaseSnapshot, Target, UnitMonth
from inddrag.lib import charts
from inddrag.municipalities.models import Membership
from inddrag.reflection.models import Reflection, ReflectionSession
from inddrag.training.models import Attendance, OnboardingStep

MIN_CHILDREN = 5  # fewer children behind a cell in a view across units or people: suppressed
DEFAULT_CASELOAD_TARGET = 25  # a municipality without a Target row
WINDOW_MONTHS = 63  # the months CaseSnapshot's bit masks cover (refresh.py)

# Days since the last child conversation: (key, label, lowest, highest); None: no bound.
BUCKETS: tuple[tuple[str, Any, int | None, int | None], ...] = (
    ("0-30", gettext_lazy("0–30 dage"), 0, 30),
    ("31-90", gettext_lazy("31–90 dage"), 31, 90),
    ("91-180", gettext_lazy("91–180 dage"), 91, 180),
    ("181-365", gettext_lazy("181–365 dage"), 181, 365),
    ("over-365", gettext_lazy("Over 365 dage"), 366, None),
)
NEVER = "never"
BUCKET_KEYS = (*(key for key, *_rest in BUCKETS), NEVER)
HANDOVER_KEYS = ("0", "1", "2", "3+")


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, months: int) -> date:
    year, index = divmod(month.year * 12 + month.month - 1 + months, 12)
    return date(year, index + 1, 1)


def month_index(month: date) -> int:
    return month.year * 12 + month.month - 1


@dataclass(frozen=True)
class Filters:
    """A period of whole months (`start` and `end` are first days, both included) and the
    dimensions to narrow by. `unit_id` is the leader's own unit, or the municipality leader's
    choice (None: the whole municipality, with a row per unit)."""

    start: date
    end: date
    unit_id: int | None = None
    age_band: int | None = None
    measure_group: str | None = None

    @property
    def months(self) -> list[date]:
        count = month_index(self.end) - month_index(self.start) + 1
        return [add_months(self.start, i) for i in range(count)]

    @property
    def last_day(self) -> date:
        return add_months(self.end, 1) - timedelta(days=1)

    def describe(self) -> str:
        """For the access log's criterion: the period and the filters, ids only."""
        parts = [f"{self.start:%Y-%m}..{self.end:%Y-%m}"]
        if self.age_band is not None:
            parts.append(f"age {self.age_band}")
        if self.measure_group:
            parts.append(f"measure {self.measure_group}")
        return " ".join(parts)

    def period_mask(self, window_start: date) -> int:
        """The bits of the period's months in a snapshot whose window starts `window_start`."""
        first = month_index(window_start)
        mask = 0
        for month in self.months:
            bit = month_index(month) - first
            if 0 <= bit < WINDOW_MONTHS:
                mask |= 1 << bit
        return mask


class Suppressed:
    """A cell based on fewer than MIN_CHILDREN children: shown and exported as words only."""

    def __str__(self) -> str:
        return _("færre end 5")

    def __repr__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED = Suppressed()
Cell = int | float | str | None | Suppressed


@dataclass
class Table:
    key: str  # the export's `table` parameter
    caption: str
    header: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    footer: list[list[Cell]] = field(default_factory=list)  # the totals, if any

    def all_rows(self) -> list[list[Cell]]:
        return [*self.rows, *self.footer]


@dataclass
class DrillLink:
    label: str
    params: dict[str, str]  # the drill-down's parameters besides the filters


@dataclass
class Section:
    key: str
    heading: str
    children: int  # the children (cases) the figure is based on
    tables: list[Table]
    chart: str = ""  # a data: URI; "" when there is nothing to draw
    chart_alt: str = ""
    empty: str = ""  # the empty state; set when there is nothing in the period
    drill: list[DrillLink] = field(default_factory=list)


def share(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent with one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


def _plain(value: Cell) -> float | None:
    """A cell as a chart value: suppressed or missing cells are gaps."""
    return float(value) if isinstance(value, int | float) else None


# The reading side.

_COUNT_FIELDS = (
    "decisions",
    "decisions_heard",
    "decisions_reason",
    "conversations",
    "feedback_answers",
    "felt_heard",
    "understood",
    "meetings",
    "meetings_prepared",
    "check_ins",
    "letters_sent",
    "letters_read",
    "bisidder_requests",
    "bisidder_answered",
    "bisidder_answer_hours",
)
_FAMILIES = {
    "decision": "decision_months",
    "feedback": "feedback_months",
    "meeting": "meeting_months",
    "check_in": "check_in_months",
    "letter": "letter_months",
    "bisidder": "bisidder_months",
}

Group = tuple[int | None, int | None]  # (unit id, caseworker id)


@dataclass
class Data:
    """What the figures are computed from: read once per page."""

    filters: Filters
    by_caseworker: bool  # rows per caseworker (a unit's view) or per unit (the municipality's)
    months: dict[date, dict[str, float]]
    groups: dict[Any, dict[str, float]]  # group key -> the months' counts summed
    snapshots: dict[Any, dict[str, int]]  # group key -> the snapshot counts
    labels: dict[Any, str]
    caseworkers: list[tuple[int, str]]  # the scope's active caseworkers, by name
    target: int
    activity: dict[date, dict[str, int]]
    with_charts: bool = True  # the export needs the tables only
    open_per_caseworker: dict[int, int] = field(default_factory=dict)


def _scope(queryset: QuerySet[Any], municipality_id: int, filters: Filters) -> QuerySet[Any]:
    queryset = queryset.filter(municipality_id=municipality_id)
    if filters.unit_id is not None:
        queryset = queryset.filter(unit_id=filters.unit_id)
    if filters.age_band is not None:
        queryset = queryset.filter(age_band=filters.age_band)
    if filters.measure_group:
        queryset = queryset.filter(measure_group=filters.measure_group)
    return queryset


def snapshots_in_scope(municipality_id: int, filters: Filters) -> QuerySet[CaseSnapshot]:
    return _scope(CaseSnapshot.objects.all(), municipality_id, filters)


def _name(first: str | None, last: str | None, username: str | None) -> str:
    return " ".join(part for part in (first, last) if part) or (username or "")


def load(municipality_id: int, filters: Filters, *, with_charts: bool = True) -> Data:
    """Read everything the dashboard's figures need (see the module docstring for the queries)."""
    by_caseworker = filters.unit_id is not None
    window_start = (
        CaseSnapshot.objects.filter(municipality_id=municipality_id)
        .values_list("window_start", flat=True)
        .order_by("-window_start")
        .first()
    )
    mask = filters.period_mask(window_start) if window_start is not None else 0

    group_fields = (
        ("caseworker_id", "caseworker__first_name", "caseworker__last_name", "caseworker__username")
        if by_caseworker
        else ("unit_id", "unit__name")
    )

    def key_and_label(row: Mapping[str, Any]) -> tuple[Any, str]:
        if by_caseworker:
            label = _name(
                row["caseworker__first_name"],
                row["caseworker__last_name"],
                row["caseworker__username"],
            )
            return row["caseworker_id"], label or _("Ingen sagsbehandler")
        return row["unit_id"], row["unit__name"]

    labels: dict[Any, str] = {}
    months: dict[date, dict[str, float]] = {m: defaultdict(float) for m in filters.months}
    groups: dict[Any, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    rows = (
        _scope(UnitMonth.objects.all(), municipality_id, filters)
        .filter(month__gte=filters.start, month__lte=filters.end)
        .values("month", *group_fields)
        .annotate(**{name: Sum(name) for name in _COUNT_FIELDS})
        .order_by()
    )
    for row in rows:
        key, labels[key] = key_and_label(row)
        for name in _COUNT_FIELDS:
            months[row["month"]][name] += row[name] or 0
            groups[key][name] += row[name] or 0

    def has_bits(*columns: str) -> Q:
        combined: Any = F(columns[0])
        for column in columns[1:]:
            combined = combined.bitor(F(column))
        return ~Q(Exact(combined.bitand(mask), 0))

    open_q = Q(is_open=True)
    aggregates: dict[str, Any] = {
        name: Count("pk", filter=has_bits(column)) for name, column in _FAMILIES.items()
    }
    aggregates["participation"] = Count(
        "pk",
        filter=has_bits(*(_FAMILIES[n] for n in ("meeting", "check_in", "letter")))
        | has_bits("bisidder_months"),
    )
    aggregates["open"] = Count("pk", filter=open_q)
    aggregates["overdue"] = Count("pk", filter=open_q & Q(overdue=True))
    for key, _label, low, high in BUCKETS:
        days = Q(days_since_conversation__gte=low)
        if high is not None:
            days &= Q(days_since_conversation__lte=high)
        aggregates[f"bucket_{key}"] = Count("pk", filter=open_q & days)
    aggregates[f"bucket_{NEVER}"] = Count(
        "pk", filter=open_q & Q(days_since_conversation__isnull=True)
    )
    for handovers in HANDOVER_KEYS[:-1]:
        aggregates[f"handovers_{handovers}"] = Count(
            "pk", filter=open_q & Q(handovers_year=int(handovers))
        )
    aggregates["handovers_3+"] = Count("pk", filter=open_q & Q(handovers_year__gte=3))
    snapshots: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    open_per_caseworker: dict[int, int] = defaultdict(int)
    # Per unit and caseworker: the per-group rows, the caseload per caseworker and the totals.
    snapshot_rows = (
        snapshots_in_scope(municipality_id, filters)
        .values(
            "unit_id",
            "unit__name",
            "caseworker_id",
            "caseworker__first_name",
            "caseworker__last_name",
            "caseworker__username",
        )
        .annotate(**aggregates)
        .order_by()
    )
    for values in snapshot_rows:
        snapshot: dict[str, Any] = dict(values)
        key, label = key_and_label(snapshot)
        labels.setdefault(key, label)
        for name in aggregates:
            snapshots[key][name] += snapshot[name]
        if snapshot["caseworker_id"] is not None:
            open_per_caseworker[snapshot["caseworker_id"]] += snapshot["open"]

    members = Membership.objects.filter(
        municipality_id=municipality_id, role=Membership.Role.CASEWORKER, ended_at__isnull=True
    )
    if filters.unit_id is not None:
        members = members.filter(unit_id=filters.unit_id)
    caseworkers = sorted(
        {
            (m["user_id"], _name(m["user__first_name"], m["user__last_name"], m["user__username"]))
            for m in members.values(
                "user_id", "user__first_name", "user__last_name", "user__username"
            )
        },
        key=lambda item: (item[1], item[0]),
    )
    target = (
        Target.objects.filter(municipality_id=municipality_id)
        .values_list("caseload_target", flat=True)
        .first()
    )
    data = Data(
        filters=filters,
        by_caseworker=by_caseworker,
        months=months,
        groups=groups,
        snapshots=snapshots,
        labels=labels,
        caseworkers=caseworkers,
        target=target if target is not None else DEFAULT_CASELOAD_TARGET,
        activity=_activity(municipality_id, filters),
        with_charts=with_charts,
        open_per_caseworker=dict(open_per_caseworker),
    )
    return data


def _per_month(queryset: QuerySet[Any], day_field: str) -> dict[date, int]:
    rows = (
        queryset.annotate(year=ExtractYear(day_field), month_no=ExtractMonth(day_field))
        .values("year", "month_no")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {date(row["year"], row["month_no"], 1): row["n"] for row in rows}


def _activity(municipality_id: int, filters: Filters) -> dict[date, dict[str, int]]:
    """Reflections written, reflection sessions held, training attendances and onboarding modules
    completed, per month, in the scope (the unit's, or the municipality's)."""
    end_day = add_months(filters.end, 1)
    start = timezone.make_aware(datetime.combine(filters.start, time.min))
    end = timezone.make_aware(datetime.combine(end_day, time.min))
    unit = {"unit_id": filters.unit_id} if filters.unit_id is not None else {}
    reflections = Reflection.objects.filter(
        municipality_id=municipality_id, created_at__gte=start, created_at__lt=end, **unit
    )
    sessions = ReflectionSession.objects.filter(
        municipality_id=municipality_id, held_on__gte=filters.start, held_on__lt=end_day, **unit
    )
    attendance = Attendance.objects.filter(
        municipality_id=municipality_id,
        attended=True,
        session__held_on__gte=filters.start,
        session__held_on__lt=end_day,
    )
    if filters.unit_id is not None:
        attendance = attendance.filter(
            user__memberships__unit_id=filters.unit_id,
            user__memberships__ended_at__isnull=True,
        )
    completed = OnboardingStep.objects.filter(
        municipality_id=municipality_id, completed_at__gte=start, completed_at__lt=end, **unit
    )
    counts = {
        "reflections": _per_month(reflections, "created_at"),
        "sessions": _per_month(sessions, "held_on"),
        "attendance": _per_month(attendance, "session__held_on"),
        "completed": _per_month(completed, "completed_at"),
    }
    return {m: {name: per.get(m, 0) for name, per in counts.items()} for m in filters.months}


# The figures.


def _month_label(month: date) -> str:
    return f"{month:%m}.{month:%Y}"


def _hide_total(total: int, suppressed: int, hidden: int) -> bool:
    """Whether a total row must be suppressed: it is based on fewer than MIN_CHILDREN children,
    or the total minus the shown rows would give the suppressed rows back as a figure of fewer
    than MIN_CHILDREN children (one suppressed row, or several with fewer children together)."""
    return total < MIN_CHILDREN or (suppressed > 0 and hidden < MIN_CHILDREN)


def _group_rows(
    data: Data,
    family: str,
    cells: Callable[[Mapping[str, float]], list[Cell]],
) -> tuple[list[list[Cell]], list[list[Cell]]]:
    """A row per unit or caseworker with the children behind it (`family`'s mask count), and
    the total row. A row of fewer than MIN_CHILDREN children shows its children's count only as
    suppressed; the total too when it would let the suppressed rows be computed back."""
    keys = sorted(
        set(data.groups) | set(data.snapshots),
        key=lambda k: (data.labels.get(k, ""), k is None, k or 0),
    )
    rows: list[list[Cell]] = []
    suppressed = hidden = 0
    total_children = 0
    total: dict[str, float] = defaultdict(float)
    for key in keys:
        counts = data.groups.get(key, {})
        children = data.snapshots.get(key, {}).get(family, 0)
        if not children and not any(counts.values()):
            continue
        total_children += children
        for name, value in counts.items():
            total[name] += value
        values = cells(counts)
        if children < MIN_CHILDREN:
            suppressed += 1
            hidden += children
            rows.append([data.labels.get(key, ""), SUPPRESSED, *[SUPPRESSED for _v in values]])
        else:
            rows.append([data.labels.get(key, ""), children, *values])
    if not rows:
        return [], []
    hide_total = _hide_total(total_children, suppressed, hidden)
    footer_values = cells(total)
    footer: list[Cell] = [
        _("I alt"),
        SUPPRESSED if hide_total else total_children,
        *([SUPPRESSED] * len(footer_values) if hide_total else footer_values),
    ]
    return rows, [footer]


def _group_header(data: Data) -> list[str]:
    return [_("Sagsbehandler") if data.by_caseworker else _("Enhed"), _("Børn")]


def _children(data: Data, family: str) -> int:
    return sum(counts.get(family, 0) for key, counts in data.snapshots.items())


def heard_section(data: Data) -> Section:
    def cells(c: Mapping[str, float]) -> list[Cell]:
        decisions, heard, reason = (
            int(c.get("decisions", 0)),
            int(c.get("decisions_heard", 0)),
            int(c.get("decisions_reason", 0)),
        )
        return [decisions, heard, share(heard, decisions), decisions - heard, reason]

    header = [
        _("Afgørelser"),
        _("Barnet hørt"),
        _("Andel hørt (%)"),
        _("Uden hørt barn"),
        _("Heraf med begrundelse"),
    ]
    months = Table(
        "heard_months",
        _("Afgørelser pr. måned"),
        [_("Måned"), *header],
        [[_month_label(m), *cells(c)] for m, c in data.months.items()],
    )
    rows, footer = _group_rows(data, "decision", cells)
    groups = Table(
        "heard_groups",
        _("Afgørelser pr. sagsbehandler") if data.by_caseworker else _("Afgørelser pr. enhed"),
        [*_group_header(data), *header],
        rows,
        footer,
    )
    total = sum(int(c.get("decisions", 0)) for c in data.months.values())
    section = Section(
        "heard",
        _("Afgørelser, hvor barnet blev hørt"),
        _children(data, "decision"),
        [months, groups],
        drill=[DrillLink(_("Se afgørelserne uden hørt barn"), {"figure": "not_heard"})],
    )
    if not total:
        section.empty = _("Ingen afgørelser i perioden.")
        return section
    if not data.with_charts:
        return section
    section.chart = charts.line_chart(
        title=_("Andel af afgørelser, hvor barnet blev hørt"),
        labels=[_month_label(m) for m in data.months],
        series=[(_("Barnet hørt"), [_plain(row[3]) for row in months.rows])],
        unit="%",
        percent=True,
    )
    section.chart_alt = _(
        "Linjediagram over andelen af afgørelser pr. måned, hvor barnet blev hørt. "
        "Tallene står i tabellen under diagrammet."
    )
    return section


def conversation_section(data: Data) -> Section:
    labels = [str(label) for _key, label, *_rest in BUCKETS] + [_("Aldrig")]

    def counts(values: Mapping[str, int]) -> list[int]:
        return [values.get(f"bucket_{key}", 0) for key in BUCKET_KEYS] + [values.get("overdue", 0)]

    rows: list[list[Cell]] = []
    suppressed = hidden = 0
    total = [0] * (len(BUCKET_KEYS) + 1)
    total_open = 0
    for key, values in sorted(
        ((k, v) for k, v in data.snapshots.items()),
        key=lambda item: (data.labels.get(item[0], ""), item[0] is None, item[0] or 0),
    ):
        opened = values.get("open", 0)
        if not opened:
            continue
        row = counts(values)
        total = [a + b for a, b in zip(total, row, strict=True)]
        total_open += opened
        if opened < MIN_CHILDREN:
            suppressed += 1
            hidden += opened
            rows.append([data.labels.get(key, ""), SUPPRESSED, *[SUPPRESSED] * len(row)])
        else:
            rows.append([data.labels.get(key, ""), opened, *row])
    hide_total = _hide_total(total_open, suppressed, hidden)
    footer: list[list[Cell]] = []
    if rows:
        footer = [
            list[Cell]([_("I alt"), SUPPRESSED if hide_total else total_open])
            + ([SUPPRESSED] * len(total) if hide_total else list(total))
        ]
    table = Table(
        "conversation",
        _("Åbne sager efter dage siden den seneste børnesamtale"),
        [*_group_header(data)[:1], _("Åbne sager"), *labels, _("Opfølgning overskredet")],
        rows,
        footer,
    )
    section = Section(
        "conversation",
        _("Dage siden den seneste børnesamtale"),
        total_open,
        [table],
        drill=[
            *(
                DrillLink(label, {"figure": "no_conversation", "bucket": key})
                for key, label in zip(BUCKET_KEYS, labels, strict=True)
            ),
            DrillLink(_("Opfølgning overskredet"), {"figure": "overdue"}),
        ],
    )
    if not total_open:
        section.empty = _("Ingen åbne sager.")
        return section
    chart_values = footer[0][2:] if footer else []
    if not data.with_charts:
        return section
    section.chart = charts.bar_chart(
        title=_("Åbne sager efter dage siden den seneste børnesamtale"),
        labels=labels,
        series=[(_("Åbne sager"), [_plain(v) for v in chart_values[: len(labels)]])],
    )
    section.chart_alt = _(
        "Søjlediagram over de åbne sager fordelt efter dage siden den seneste børnesamtale. "
        "Tallene står i tabellen under diagrammet."
    )
    return section


def feedback_section(data: Data) -> Section:
    def cells(c: Mapping[str, float]) -> list[Cell]:
        answers = int(c.get("feedback_answers", 0))
        return [
            answers,
            share(int(c.get("felt_heard", 0)), answers),
            share(int(c.get("understood", 0)), answers),
        ]

    header = [_("Svar"), _("Følte sig hørt (%)"), _("Forstod beslutningen (%)")]
    months = Table(
        "feedback_months",
        _("Børnenes svar pr. måned"),
        [_("Måned"), *header],
        [[_month_label(m), *cells(c)] for m, c in data.months.items()],
    )
    rows, footer = _group_rows(data, "feedback", cells)
    groups = Table(
        "feedback_groups",
        _("Børnenes svar pr. sagsbehandler")
        if data.by_caseworker
        else _("Børnenes svar pr. enhed"),
        [*_group_header(data), *header],
        rows,
        footer,
    )
    section = Section(
        "feedback", _("Børnenes egne svar"), _children(data, "feedback"), [months, groups]
    )
    if not any(c.get("feedback_answers") for c in data.months.values()):
        section.empty = _("Ingen svar fra børn i perioden.")
        return section
    if not data.with_charts:
        return section
    section.chart = charts.line_chart(
        title=_("Børnenes svar efter møder"),
        labels=[_month_label(m) for m in data.months],
        series=[
            (_("Følte sig hørt"), [_plain(row[2]) for row in months.rows]),
            (_("Forstod beslutningen"), [_plain(row[3]) for row in months.rows]),
        ],
        unit="%",
        percent=True,
    )
    section.chart_alt = _(
        "Linjediagram over andelen af børn pr. måned, der svarede 4 eller 5 på, om de følte sig "
        "hørt og forstod beslutningen. Tallene står i tabellen under diagrammet."
    )
    return section


def caseload_section(data: Data) -> Section:
    open_of = data.open_per_caseworker
    rows: list[list[Cell]] = []
    for user_id, name in data.caseworkers:
        opened = open_of.get(user_id, 0)
        if opened < MIN_CHILDREN:
            # Below a target of at least MIN_CHILDREN for sure; otherwise the words would tell.
            status: Cell = _("Under målet") if data.target >= MIN_CHILDREN else SUPPRESSED
            rows.append([name, SUPPRESSED, data.target, status])
        else:
            over = opened - data.target
            rows.append(
                [
                    name,
                    opened,
                    data.target,
                    _("%(n)s over målet") % {"n": over} if over > 0 else _("Inden for målet"),
                ]
            )
    caseload = Table(
        "caseload",
        _("Åbne sager pr. sagsbehandler og kommunens mål"),
        [_("Sagsbehandler"), _("Åbne sager"), _("Mål"), _("I forhold til målet")],
        rows,
    )

    def handovers(values: Mapping[str, int]) -> list[Cell]:
        return [values.get(f"handovers_{key}", 0) for key in HANDOVER_KEYS]

    hrows: list[list[Cell]] = []
    total = [0] * len(HANDOVER_KEYS)
    total_open = 0
    suppressed = hidden = 0
    for key, values in sorted(
        ((k, v) for k, v in data.snapshots.items()),
        key=lambda item: (data.labels.get(item[0], ""), item[0] is None, item[0] or 0),
    ):
        opened = values.get("open", 0)
        if not opened:
            continue
        row = handovers(values)
        total = [a + int(b) for a, b in zip(total, row, strict=True)]  # type: ignore[arg-type]
        total_open += opened
        if opened < MIN_CHILDREN:
            suppressed += 1
            hidden += opened
            hrows.append([data.labels.get(key, ""), SUPPRESSED, *[SUPPRESSED] * len(row)])
        else:
            hrows.append([data.labels.get(key, ""), opened, *row])
    hide_total = _hide_total(total_open, suppressed, hidden)
    hfooter: list[list[Cell]] = []
    if hrows:
        hfooter = [
            list[Cell]([_("I alt"), SUPPRESSED if hide_total else total_open])
            + ([SUPPRESSED] * len(total) if hide_total else list(total))
        ]
    changes = Table(
        "handovers",
        _("Skift af sagsbehandler pr. barn det seneste år"),
        [
            *_group_header(data)[:1],
            _("Åbne sager"),
            _("Ingen skift"),
            _("1 skift"),
            _("2 skift"),
            _("3 skift eller flere"),
        ],
        hrows,
        hfooter,
    )
    section = Section(
        "caseload",
        _("Sager pr. sagsbehandler og skift af sagsbehandler"),
        sum(v.get("open", 0) for k, v in data.snapshots.items()),
        [caseload, changes],
    )
    if not rows:
        section.empty = _("Ingen aktive sagsbehandlere.")
        return section
    if not data.with_charts:
        return section
    section.chart = charts.bar_chart(
        title=_("Åbne sager pr. sagsbehandler"),
        labels=[str(row[0]) for row in rows],
        series=[
            (_("Åbne sager"), [_plain(row[1]) for row in rows]),
            (_("Mål"), [float(data.target)] * len(rows)),
        ],
    )
    section.chart_alt = _(
        "Søjlediagram over de åbne sager pr. sagsbehandler sammen med kommunens mål. "
        "Tallene står i tabellen under diagrammet."
    )
    return section


def _participation_cells(c: Mapping[str, float]) -> list[Cell]:
    meetings, letters = int(c.get("meetings", 0)), int(c.get("letters_sent", 0))
    requests, answered = int(c.get("bisidder_requests", 0)), int(c.get("bisidder_answered", 0))
    hours = c.get("bisidder_answer_hours", 0.0)
    return [
        meetings,
        share(int(c.get("meetings_prepared", 0)), meetings),
        int(c.get("check_ins", 0)),
        letters,
        share(int(c.get("letters_read", 0)), letters),
        requests,
        answered,
        round(hours / answered, 1) if answered else None,
    ]


def participation_section(data: Data) -> Section:
    header = [
        _("Møder med barnet inviteret"),
        _("Forberedt af barnet (%)"),
        _("Opfølgninger på mål"),
        _("Breve sendt"),
        _("Breve læst (%)"),
        _("Ønsker om bisidder"),
        _("Besvaret"),
        _("Gennemsnitlig svartid (timer)"),
    ]
    months = Table(
        "participation_months",
        _("Barnets deltagelse pr. måned"),
        [_("Måned"), *header],
        [[_month_label(m), *_participation_cells(c)] for m, c in data.months.items()],
    )
    rows, footer = _group_rows(data, "participation", _participation_cells)
    groups = Table(
        "participation_groups",
        _("Barnets deltagelse pr. sagsbehandler")
        if data.by_caseworker
        else _("Barnets deltagelse pr. enhed"),
        [*_group_header(data), *header],
        rows,
        footer,
    )
    section = Section(
        "participation",
        _("Forberedelse, opfølgning, breve og bisiddere"),
        _children(data, "participation"),
        [months, groups],
    )
    fields = ("meetings", "check_ins", "letters_sent", "bisidder_requests")
    if not any(c.get(name) for c in data.months.values() for name in fields):
        section.empty = _("Ingen møder, opfølgninger, breve eller ønsker om bisidder i perioden.")
        return section
    if not data.with_charts:
        return section
    section.chart = charts.line_chart(
        title=_("Forberedte møder og læste breve"),
        labels=[_month_label(m) for m in data.months],
        series=[
            (_("Forberedt af barnet"), [_plain(row[2]) for row in months.rows]),
            (_("Breve læst"), [_plain(row[5]) for row in months.rows]),
        ],
        unit="%",
        percent=True,
    )
    section.chart_alt = _(
        "Linjediagram over andelen af møder pr. måned, som barnet forberedte, og andelen af "
        "breve, barnet læste. Tallene står i tabellen under diagrammet."
    )
    return section


def activity_section(data: Data) -> Section:
    names = ("reflections", "sessions", "attendance", "completed")
    header = [
        _("Refleksioner skrevet"),
        _("Refleksionsmøder holdt"),
        _("Deltagere i undervisning"),
        _("Introduktionsmoduler gennemført"),
    ]
    rows: list[list[Cell]] = [
        [_month_label(m), *(c[name] for name in names)] for m, c in data.activity.items()
    ]
    footer: list[list[Cell]] = [
        [_("I alt"), *(sum(c[name] for c in data.activity.values()) for name in names)]
    ]
    table = Table(
        "activity", _("Refleksion og undervisning pr. måned"), [_("Måned"), *header], rows, footer
    )
    section = Section("activity", _("Refleksion og undervisning"), 0, [table])
    if not any(footer[0][1:]):
        section.empty = _("Ingen refleksion eller undervisning i perioden.")
        return section
    if not data.with_charts:
        return section
    section.chart = charts.bar_chart(
        title=_("Refleksion og undervisning pr. måned"),
        labels=[_month_label(m) for m in data.activity],
        series=[
            (label, [float(c[name]) for c in data.activity.values()])
            for label, name in zip(header, names, strict=True)
        ],
    )
    section.chart_alt = _(
        "Søjlediagram over refleksioner, refleksionsmøder, deltagere i undervisning og "
        "gennemførte introduktionsmoduler pr. måned. Tallene står i tabellen under diagrammet."
    )
    return section


SECTIONS: tuple[Callable[[Data], Section], ...] = (
    heard_section,
    conversation_section,
    feedback_section,
    caseload_section,
    participation_section,
    activity_section,
)


def sections(data: Data) -> list[Section]:
    return [build(data) for build in SECTIONS]


def table(data: Data, key: str) -> Table | None:
    """The dashboard's table `key` (for the export), or None for an unknown key."""
    for section in sections(data):
        for candidate in section.tables:
            if candidate.key == key:
                return candidate
    return None


def table_keys() -> Iterable[str]:
    return (
        "heard_months",
        "heard_groups",
        "conversation",
        "feedback_months",
        "feedback_groups",
        "caseload",
        "handovers",
        "participation_months",
        "participation_groups",
        "activity",
    )
