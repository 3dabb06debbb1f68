"""The reads of the case page: the child's perspective and the case's timeline (house style
rule 11).

The timeline merges five tables. A page of it is one UNION ALL of a small `.values()` query per
kind (date, kind, id), sorted and cut with ORDER BY … LIMIT/OFFSET in the database, and then one
query per kind present on the page for the details: the number of queries does not grow with the
number of items, and Python never holds more than one page."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any
from uuid import UUID

from django import forms
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Value,
)
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import formats
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from inddrag.children.models import Assignment, Case, Handover, Measure
from inddrag.conversations.models import Conversation, Statement
from inddrag.conversations.queries import latest_statements
from inddrag.decisions.models import Decision

PAGE_SIZE = 25
_PLACEHOLDER = UUID(int=0)
PERSPECTIVE_SIZE = 5

# The kinds of row in the timeline.
CONVERSATION = "conversation"
DECISION = "decision"
MEASURE_STARTED = "measure_started"
MEASURE_ENDED = "measure_ended"
ASSIGNMENT = "assignment"
HANDOVER = "handover"

# The filter links above the timeline, and the kinds of row each shows.
FILTERS: dict[str, tuple[str, ...]] = {
    "all": (CONVERSATION, DECISION, MEASURE_STARTED, MEASURE_ENDED, ASSIGNMENT, HANDOVER),
    "conversations": (CONVERSATION,),
    "decisions": (DECISION,),
    "measures": (MEASURE_STARTED, MEASURE_ENDED),
    "caseworkers": (ASSIGNMENT, HANDOVER),
}
FILTER_CHOICES = [
    ("all", gettext_lazy("Alle")),
    ("conversations", gettext_lazy("Samtaler")),
    ("decisions", gettext_lazy("Afgørelser")),
    ("measures", gettext_lazy("Indsatser")),
    ("caseworkers", gettext_lazy("Sagsbehandlere")),
]


class TimelineFilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Vis"), choices=FILTER_CHOICES, required=False)

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or "all"


def timeline_kind(data: Any) -> str:
    """The chosen filter from the query string; anything unknown shows everything."""
    form = TimelineFilterForm(data)
    return form.cleaned_data["kind"] if form.is_valid() else "all"


@dataclass(frozen=True)
class TimelineItem:
    """One event of the timeline, with its text made here rather than in the template: a page
    of them renders in a fraction of the time (bench/pages.py)."""

    kind: str
    happened_on: date
    obj: Any  # Conversation | Decision | Measure | Assignment | Handover, as `kind` says
    title: str
    label: str = ""  # shown strong before the detail: whether the child was heard
    is_warning: bool = False  # the label warns (with a shape too, not by colour alone)
    detail: str = ""
    url: str = ""  # the conversation's or decision's own page

    @property
    def iso_date(self) -> str:
        return self.happened_on.isoformat()

    @property
    def date_text(self) -> str:
        return _date_text(self.happened_on, get_language())


@dataclass(frozen=True)
class Perspective:
    statements: list[Statement]
    hidden_count: int  # statements only the assigned caseworker may read, left out here


def perspective(case: Case, *, can_edit: bool) -> Perspective:
    """The child's newest statements in the case (conversations.queries.latest_statements: what
    the child shared with the caseworker only is left out unless the reader is the assigned
    caseworker), and for anyone else the number left out.

    Note: one query for the assigned caseworker, two for anyone else."""
    statements = list(latest_statements(case, PERSPECTIVE_SIZE, viewer_is_caseworker=can_edit))
    hidden_count = 0
    if not can_edit:
        hidden_count = Statement.objects.filter(
            child_id=case.child_id,
            conversation__case_id=case.pk,
            sharing=Statement.Sharing.CASEWORKER,
        ).count()
    return Perspective(statements, hidden_count)


def _rows(kind: str, case_id: int, *, today: date) -> QuerySet[Any, Any]:
    """(happened_on, row_kind, item_id) of one kind of row; the same columns for every kind, so
    the kinds can be UNIONed."""
    on: Any
    rows: QuerySet[Any]
    if kind == CONVERSATION:
        rows, on = Conversation.objects.filter(case_id=case_id), F("held_on")
    elif kind == DECISION:
        rows, on = Decision.objects.filter(case_id=case_id), F("decided_on")
    elif kind == MEASURE_STARTED:
        rows = Measure.objects.filter(case_id=case_id, started_on__lte=today)
        on = F("started_on")
    elif kind == MEASURE_ENDED:
        rows = Measure.objects.filter(case_id=case_id, ended_on__lte=today)
        on = F("ended_on")
    elif kind == ASSIGNMENT:
        # A handover starts the new caseworker's assignment at the moment of the handover; that
        # change is shown once, as the handover.
        by_handover = Handover.objects.filter(
            case_id=OuterRef("case_id"),
            to_caseworker_id=OuterRef("caseworker_id"),
            handed_over_at=OuterRef("started_at"),
        )
        rows = Assignment.objects.filter(case_id=case_id).exclude(Exists(by_handover))
        on = TruncDate("started_at")
    elif kind == HANDOVER:
        rows, on = Handover.objects.filter(case_id=case_id), TruncDate("handed_over_at")
    else:
        raise ValueError(kind)
    return rows.values(
        happened_on=on,
        row_kind=Value(kind, output_field=CharField()),
        item_id=F("pk"),
    )


def timeline_rows(case: Case, *, kind: str, today: date) -> QuerySet[Any, Any]:
    """The case's timeline as one query, newest first; `kind` is a key of FILTERS."""
    return _timeline_rows(case.pk, kind=kind, today=today)


def _timeline_rows(case_id: int, *, kind: str, today: date) -> QuerySet[Any, Any]:
    first, *others = [_rows(row_kind, case_id, today=today) for row_kind in FILTERS[kind]]
    rows = first.union(*others, all=True) if others else first
    # Same day: a fixed order of kinds, then the newest row first, so pages never overlap.
    return rows.order_by("-happened_on", "row_kind", "-item_id")


# Stand-ins for the case and today's date while a timeline's SQL is built (see _TimelineSQL).
_CASE = -7_070_707
_TODAY = date(1901, 2, 3)


@dataclass(frozen=True)
class _TimelineSQL:
    """The SQL of `timeline_rows`, built by the ORM once per filter and kept (as audit/log.py
    does): building the UNION of six queries took more than ten times as long as SQLite took to
    run it, and the case page is measured (bench/pages.py)."""

    count: str
    page: str  # ordered, ending in LIMIT %s OFFSET %s
    params: tuple[Any, ...]  # with _CASE and _TODAY where the case and the date go

    @classmethod
    def build(cls, kind: str) -> _TimelineSQL:
        rows = _timeline_rows(_CASE, kind=kind, today=_TODAY)
        ordered, params = rows.query.get_compiler(using=rows.db).as_sql()
        unordered, unordered_params = rows.order_by().query.get_compiler(using=rows.db).as_sql()
        if tuple(params) != tuple(unordered_params):
            raise RuntimeError("the timeline's parameters depend on its order")
        stand_ins = [p for p in params if p == _CASE]
        if len(stand_ins) != len(FILTERS[kind]):
            raise RuntimeError("the timeline's SQL lost track of its case")
        return cls(
            count=f"SELECT COUNT(*) FROM ({unordered}) timeline",
            page=f"{ordered} LIMIT %s OFFSET %s",
            params=tuple(params),
        )

    def bind(self, case_id: int, today: date) -> list[Any]:
        day = connection.ops.adapt_datefield_value(today)
        return [
            case_id if p == _CASE else day if p in (_TODAY, _TODAY.isoformat()) else p
            for p in self.params
        ]


@cache
def _timeline_sql(vendor: str, timezone_name: str, kind: str) -> _TimelineSQL:
    return _TimelineSQL.build(kind)


class _TimelineRows:
    """A case's timeline rows for the Paginator: count() and a slice, one query each."""

    def __init__(self, case_id: int, *, kind: str, today: date) -> None:
        self.sql = _timeline_sql(connection.vendor, get_current_timezone_name(), kind)
        self.params = self.sql.bind(case_id, today)

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(self.sql.count, self.params)
            return int(cursor.fetchone()[0])

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        offset, stop = window.start or 0, window.stop
        with connection.cursor() as cursor:
            cursor.execute(self.sql.page, [*self.params, stop - offset, offset])
            return [
                {"happened_on": _as_date(on), "row_kind": kind, "item_id": pk}
                for on, kind, pk in cursor.fetchall()
            ]


def timeline_page(
    case: Case, *, kind: str, page: Any, today: date
) -> tuple[Page[dict[str, Any]], list[TimelineItem]]:
    """One page of the timeline with each item's object.

    Note: a count and the page's rows (two queries), then one query per kind on the page."""
    rows = _TimelineRows(case.pk, kind=kind, today=today)
    paginated: Page[dict[str, Any]] = Paginator(rows, PAGE_SIZE).get_page(page)  # type: ignore[arg-type]
    ids: dict[str, list[int]] = defaultdict(list)
    for row in paginated.object_list:
        group = MEASURE_STARTED if row["row_kind"] == MEASURE_ENDED else row["row_kind"]
        ids[group].append(row["item_id"])
    objects: dict[str, dict[int, Any]] = {}
    for group, pks in ids.items():
        objects[group] = {obj.pk: obj for obj in _details(group, pks)}
    # One reverse() per kind instead of one per item.
    urls = {
        group: reverse(name, args=[_PLACEHOLDER])
        for group, name in [(CONVERSATION, "conversations:detail"), (DECISION, "decisions:detail")]
        if group in ids
    }
    items = []
    for row in paginated.object_list:
        group = MEASURE_STARTED if row["row_kind"] == MEASURE_ENDED else row["row_kind"]
        obj = objects[group].get(row["item_id"])
        if obj is not None:
            item = _describe(row["row_kind"], row["happened_on"], obj)
            if group in urls:
                url = urls[group].replace(str(_PLACEHOLDER), str(obj.code))
                item = dataclasses.replace(item, url=url)
            items.append(item)
    return paginated, items


@lru_cache(maxsize=512)
def _date_text(day: date, language: str | None) -> str:
    """The date as the current language writes it ("1. april 2024"); the items of a page share
    their days, and the template's date filter cost more than the rest of an item."""
    return formats.date_format(day, "DATE_FORMAT")


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.username)


def _describe(kind: str, happened_on: date, obj: Any) -> TimelineItem:
    """The item's words. Whether the child was heard is said in words, not by colour alone."""
    label = detail = ""
    if kind == CONVERSATION:
        title = _("Børnesamtale: %(place)s") % {"place": obj.place}
        if obj.statement_count:
            detail = ngettext(
                "%(n)d udsagn med barnets egne ord",
                "%(n)d udsagn med barnets egne ord",
                obj.statement_count,
            ) % {"n": obj.statement_count}
        else:
            detail = _("Barnets egne ord er ikke skrevet ned")
        if obj.had_bisidder:
            detail += " · " + _("med bisidder")
    elif kind == DECISION:
        title = f"{obj.get_kind_display()}: {obj.title}"
        if obj.child_heard:
            label = _("Barnet hørt")
        else:
            label = _("Barnet ikke hørt:")
            detail = obj.get_not_heard_reason_display().lower()
            if obj.not_heard_note:
                detail += f" ({obj.not_heard_note})"
    elif kind == MEASURE_STARTED:
        title = _("Indsats startet: %(measure)s") % {"measure": obj.get_kind_display()}
        detail = obj.description
    elif kind == MEASURE_ENDED:
        title = _("Indsats sluttet: %(measure)s") % {"measure": obj.get_kind_display()}
    elif kind == ASSIGNMENT:
        title = _("%(name)s blev sagsbehandler") % {"name": _name(obj.caseworker)}
    elif kind == HANDOVER:
        new = _name(obj.to_caseworker)
        if obj.from_caseworker is not None:
            old = _name(obj.from_caseworker)
            title = _("Sagen blev overdraget fra %(old)s til %(new)s") % {"old": old, "new": new}
        else:
            title = _("Sagen blev overdraget til %(new)s") % {"new": new}
    else:
        raise ValueError(kind)
    is_warning = kind == DECISION and not obj.child_heard
    return TimelineItem(kind, happened_on, obj, str(title), str(label), is_warning, str(detail))


def _details(group: str, pks: list[int]) -> QuerySet[Any]:
    """The objects behind a page's rows of one kind, with only the columns the timeline shows."""
    names = ("caseworker__first_name", "caseworker__last_name", "caseworker__username")
    if group == CONVERSATION:
        return (
            Conversation.objects.filter(pk__in=pks)
            .only("code", "held_on", "place", "had_bisidder")
            .annotate(statement_count=Count("statements"))
        )
    if group == DECISION:
        return Decision.objects.filter(pk__in=pks).only(
            "code", "kind", "title", "child_heard", "not_heard_reason", "not_heard_note"
        )
    if group == MEASURE_STARTED:
        return Measure.objects.filter(pk__in=pks).only("kind", "description")
    if group == ASSIGNMENT:
        return (
            Assignment.objects.filter(pk__in=pks)
            .select_related("caseworker")
            .only("started_at", "caseworker", *names)
        )
    if group == HANDOVER:
        return (
            Handover.objects.filter(pk__in=pks)
            .select_related("from_caseworker", "to_caseworker")
            .only(
                "from_caseworker",
                "to_caseworker",
                *(f"from_{name}" for name in names),
                *(f"to_{name}" for name in names),
            )
        )
    raise ValueError(group)


def _as_date(value: date | str) -> date:
    """A row's date: a date (PostgreSQL) or its ISO text (SQLite)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(value)


def caseworker_changes(case: Case, *, now: datetime) -> int:
    """Changes of caseworker in the year before `now` (one query)."""
    return Handover.objects.filter(
        case_id=case.pk, handed_over_at__gt=now - timedelta(days=365)
    ).count()
