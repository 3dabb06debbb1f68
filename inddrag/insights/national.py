"""The platform operator's figures across municipalities: one row per municipality and a
national total, for a period of whole months, from the refreshed tables only (aggregates; no
child, case or person in them).

Queries, however many municipalities: the snapshots' window starts (1), the municipalities'
month counts summed over the period (1) and the children behind each figure per municipality
(1, one bit mask per window start in a CASE expression).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import BigIntegerField, Case, Count, F, Q, Sum, Value, When
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _

from inddrag.insights.figures import (
    MIN_CHILDREN,
    SUPPRESSED,
    Cell,
    Filters,
    share,
)
from inddrag.insights.models import CaseSnapshot, MunicipalityMonth
from inddrag.lib import charts

# The figures: (key, the snapshot mask column of the children behind it).
FAMILIES = (
    ("decision", "decision_months"),
    ("feedback", "feedback_months"),
    ("meeting", "meeting_months"),
    ("letter", "letter_months"),
)
_SUMS = (
    "decisions",
    "decisions_heard",
    "feedback_answers",
    "felt_heard",
    "understood",
    "meetings",
    "meetings_prepared",
    "letters_sent",
    "letters_read",
)


@dataclass
class Row:
    name: str
    children: dict[str, int]  # family -> children behind the figure
    cells: list[Cell]  # as in HEADER after the name


@dataclass
class National:
    start: date
    end: date
    header: list[str]
    rows: list[Row]
    total: list[Cell]  # the national row, name first
    chart: str
    chart_alt: str

    def table_rows(self) -> list[list[Cell]]:
        """The table as the page and the export show it: a row per municipality, the total."""
        return [[row.name, *row.cells] for row in self.rows] + ([self.total] if self.rows else [])


def header() -> list[str]:
    return [
        _("Kommune"),
        _("Børn med afgørelser"),
        _("Afgørelser"),
        _("Barnet hørt (%)"),
        _("Børn, der har svaret"),
        _("Svar"),
        _("Følte sig hørt (%)"),
        _("Forstod afgørelsen (%)"),
        _("Børn inviteret til møder"),
        _("Møder"),
        _("Forberedt af barnet (%)"),
        _("Børn med breve"),
        _("Breve sendt"),
        _("Breve læst (%)"),
    ]


def _cells(
    counts: dict[str, int], children: dict[str, int], hide: frozenset[str] = frozenset()
) -> list[Cell]:
    """The figures of one municipality (or the country); each figure's group of cells is
    suppressed when it is based on 1 to MIN_CHILDREN - 1 children (none: zeros, no share)."""

    def group(family: str, values: list[Cell]) -> list[Cell]:
        n = children.get(family, 0)
        if family in hide or 0 < n < MIN_CHILDREN:
            return [SUPPRESSED] * (len(values) + 1)
        return [n, *values]

    c = counts
    return [
        *group(
            "decision",
            [c["decisions"], share(c["decisions_heard"], c["decisions"])],
        ),
        *group(
            "feedback",
            [
                c["feedback_answers"],
                share(c["felt_heard"], c["feedback_answers"]),
                share(c["understood"], c["feedback_answers"]),
            ],
        ),
        *group("meeting", [c["meetings"], share(c["meetings_prepared"], c["meetings"])]),
        *group("letter", [c["letters_sent"], share(c["letters_read"], c["letters_sent"])]),
    ]


def _hide_total(total: int, suppressed: int, hidden: int) -> bool:
    """As figures.py: a total of fewer than MIN_CHILDREN children, or one that would give the
    suppressed rows back as a figure of fewer than MIN_CHILDREN children, is suppressed."""
    return 0 < total < MIN_CHILDREN or (suppressed > 0 and hidden < MIN_CHILDREN)


def _children_per_municipality(filters: Filters) -> dict[int, dict[str, int]]:
    """The children (snapshot rows) behind each figure per municipality: those whose family
    mask has a bit in the period. Each municipality's snapshots carry the window start of its
    last refresh, so the period's mask is chosen per window start."""
    window_starts = list(
        CaseSnapshot.objects.order_by().values_list("window_start", flat=True).distinct()
    )
    result: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if not window_starts:
        return result
    mask: Any = Case(
        *(
            When(window_start=start, then=Value(filters.period_mask(start)))
            for start in window_starts
        ),
        default=Value(0),
        output_field=BigIntegerField(),
    )
    aggregates = {
        family: Count("pk", filter=~Q(Exact(F(column).bitand(mask), 0)))
        for family, column in FAMILIES
    }
    queryset = CaseSnapshot.objects.order_by().values("municipality_id")
    if filters.age_band is not None:
        queryset = queryset.filter(age_band=filters.age_band)
    if filters.measure_group:
        queryset = queryset.filter(measure_group=filters.measure_group)
    for values in queryset.annotate(**aggregates):
        row: dict[str, Any] = dict(values)
        for family, _column in FAMILIES:
            result[row["municipality_id"]][family] = row[family]
    return result


def national_figures(filters: Filters, *, with_chart: bool = True) -> National:
    """The national table for `filters`' period (unit_id is ignored: there is none here)."""
    months = MunicipalityMonth.objects.filter(month__gte=filters.start, month__lte=filters.end)
    if filters.age_band is not None:
        months = months.filter(age_band=filters.age_band)
    if filters.measure_group:
        months = months.filter(measure_group=filters.measure_group)
    counts: dict[int, dict[str, int]] = {}
    names: dict[int, str] = {}
    for values in (
        months.order_by()
        .values("municipality_id", "municipality__name")
        .annotate(**{name: Sum(name) for name in _SUMS})
    ):
        row: dict[str, Any] = dict(values)
        counts[row["municipality_id"]] = {name: int(row[name] or 0) for name in _SUMS}
        names[row["municipality_id"]] = row["municipality__name"]
    children = _children_per_municipality(filters)
    empty = dict.fromkeys(_SUMS, 0)

    rows: list[Row] = []
    totals = dict(empty)
    total_children: dict[str, int] = defaultdict(int)
    suppressed: dict[str, int] = defaultdict(int)
    hidden: dict[str, int] = defaultdict(int)
    for municipality_id in sorted(counts, key=lambda pk: (names[pk], pk)):
        c = counts[municipality_id]
        n = children.get(municipality_id, {})
        if not any(c.values()) and not any(n.values()):
            continue
        for name in _SUMS:
            totals[name] += c[name]
        for family, _column in FAMILIES:
            total_children[family] += n.get(family, 0)
            if 0 < n.get(family, 0) < MIN_CHILDREN:
                suppressed[family] += 1
                hidden[family] += n.get(family, 0)
        rows.append(Row(names[municipality_id], dict(n), _cells(c, n)))

    # The total: a figure whose total would give suppressed rows back is suppressed as well.
    hide = frozenset(
        family
        for family, _column in FAMILIES
        if _hide_total(total_children[family], suppressed[family], hidden[family])
    )
    total: list[Cell] = [_("Hele landet"), *_cells(totals, total_children, hide)]

    chart = chart_alt = ""
    if with_chart and rows:
        heard = [row.cells[2] for row in rows]
        chart = charts.bar_chart(
            title=_("Andel af afgørelser, hvor barnet blev hørt, pr. kommune"),
            labels=[row.name for row in rows],
            series=[
                (
                    _("Barnet hørt"),
                    [float(v) if isinstance(v, int | float) else None for v in heard],
                )
            ],
            percent=True,
            horizontal=True,
        )
        chart_alt = _(
            "Liggende søjlediagram over andelen af afgørelser i hver kommune, hvor barnet blev "
            "hørt. Kommuner med færre end 5 børn har ingen søjle. Alle tal står i tabellen "
            "under diagrammet."
        )
    return National(
        start=filters.start,
        end=filters.end,
        header=header(),
        rows=rows,
        total=total,
        chart=chart,
        chart_alt=chart_alt,
    )
