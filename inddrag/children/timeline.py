"""The reads of the case page: the child's perspective and the case's timeline (house style
rule 11).

The timeline merges five tables. A page of it is one query: a UNION ALL of a small `.values()`
query per kind with the same columns (COLUMNS: the date, the kind, and what an item shows),
sorted, counted with a window and cut with ORDER BY … LIMIT/OFFSET in the database. The number of
queries does not grow with the number of items, and Python never holds more than one page."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache, partial
from typing import Any
from uuid import UUID

from django import forms
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    F,
    Field,
    IntegerField,
    OuterRef,
    QuerySet,
    UUIDField,
    Value,
)
from django.db.models.functions import Cast, TruncDate
from django.urls import reverse
from django.utils import formats
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from inddrag.accounts.models import User
from inddrag.children.models import Assignment, Case, Handover, Measure, NetworkMember
from inddrag.conversations.models import Conversation, Statement
from inddrag.conversations.queries import latest_statements
from inddrag.decisions.models import Decision
from inddrag.lib.prepared import Prepared

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

    Note: one query for the assigned caseworker, two for anyone else; their SQL is built once
    (lib/prepared.py)."""
    statements = _latest_statements[can_edit](case_id=case.pk, child_id=case.child_id)
    hidden_count = 0
    if not can_edit:
        counted = _hidden_statements(case_id=case.pk, child_id=case.child_id)
        hidden_count = counted[0]["n"] if counted else 0
    return Perspective(statements, hidden_count)


def _statements(case_id: int, child_id: int, *, caseworker: bool) -> QuerySet[Statement]:
    case = Case(pk=case_id, child_id=child_id)
    return latest_statements(case, PERSPECTIVE_SIZE, viewer_is_caseworker=caseworker)


_latest_statements = {
    caseworker: Prepared(
        partial(_statements, caseworker=caseworker), case_id=-7_070_707, child_id=-7_070_708
    )
    for caseworker in (True, False)
}
_hidden_statements = Prepared(
    lambda case_id, child_id: (
        Statement.objects.filter(
            child_id=child_id, conversation__case_id=case_id, sharing=Statement.Sharing.CASEWORKER
        )
        .order_by()
        .values("child_id")
        .annotate(n=Count("pk"))
        .values("n")
    ),
    case_id=-7_070_707,
    child_id=-7_070_708,
)


def network_of(case: Case, *, today: date) -> list[NetworkMember]:
    """The child's network as it is today, by kind and name. One query, its SQL built once."""
    return _network(child_id=case.child_id, today=today)


def current_measures(case: Case, *, today: date) -> list[Measure]:
    """The case's measures that have not ended before today, newest first. One query."""
    return _measures(case_id=case.pk, today=today)


def assignments_of(case: Case) -> list[Assignment]:
    """The case's caseworkers, newest first, with what the case page shows of each. One query."""
    return _assignments(case_id=case.pk)


_STANDIN_DAY = date(1901, 2, 3)
_network = Prepared(
    lambda child_id, today: (
        NetworkMember.objects.filter(child_id=child_id)
        .exclude(ended_on__lte=today)
        .order_by("kind", "name", "pk")
    ),
    child_id=-7_070_708,
    today=_STANDIN_DAY,
)
_measures = Prepared(
    lambda case_id, today: (
        Measure.objects.filter(case_id=case_id)
        .exclude(ended_on__lt=today)
        .order_by("-started_on", "-pk")
    ),
    case_id=-7_070_707,
    today=_STANDIN_DAY,
)
_assignments = Prepared(
    lambda case_id: (
        Assignment.objects.filter(case_id=case_id)
        .select_related("caseworker")
        .only(
            "started_at",
            "ended_at",
            "caseworker__first_name",
            "caseworker__last_name",
            "caseworker__username",
        )
        .order_by("-started_at")
    ),
    case_id=-7_070_707,
)


# The columns every kind of row has, so the kinds can be UNIONed and a page of the timeline is
# one query with everything its items show: what a kind does not have is NULL.
COLUMNS = (
    "happened_on",
    "row_kind",
    "item_id",
    "item_code",  # the conversation's, decision's or measure's; NULL for the others
    "text_a",  # place / title / description
    "text_b",  # decision kind / measure kind
    "text_c",  # not heard: reason
    "text_d",  # not heard: note
    "flag",  # had a bisidder / child heard
    "by_id",  # assignment: the caseworker; handover: the new caseworker
    "by_first",
    "by_last",
    "by_username",
    "from_id",  # handover: the old caseworker, if any
    "from_first",
    "from_last",
    "from_username",
)


# The type of each column's NULL (a kind without the column). Typed, because PostgreSQL settles
# the type of a UNION's column pair by pair: NULL UNION NULL is text, and text UNION bigint fails.
_NULLS: dict[str, Field[Any, Any]] = {
    **{name: CharField() for name in COLUMNS[3:]},
    "item_code": UUIDField(),
    "flag": BooleanField(),
    "by_id": IntegerField(),
    "from_id": IntegerField(),
}


def _rows(kind: str, case_id: int, *, today: date) -> QuerySet[Any, Any]:
    """One kind of row with the COLUMNS, in their order."""
    none: dict[str, Any] = {name: Cast(Value(None), _NULLS[name]) for name in COLUMNS[3:]}
    on: Any
    rows: QuerySet[Any]
    if kind == CONVERSATION:
        rows, on = Conversation.objects.filter(case_id=case_id), F("held_on")
        fields = {"item_code": F("code"), "text_a": F("place"), "flag": F("had_bisidder")}
    elif kind == DECISION:
        rows, on = Decision.objects.filter(case_id=case_id), F("decided_on")
        fields = {
            "item_code": F("code"),
            "text_a": F("title"),
            "text_b": F("kind"),
            "text_c": F("not_heard_reason"),
            "text_d": F("not_heard_note"),
            "flag": F("child_heard"),
        }
    elif kind in (MEASURE_STARTED, MEASURE_ENDED):
        on = F("started_on") if kind == MEASURE_STARTED else F("ended_on")
        lookup = "started_on__lte" if kind == MEASURE_STARTED else "ended_on__lte"
        rows = Measure.objects.filter(case_id=case_id, **{lookup: today})
        fields = {"item_code": F("code"), "text_a": F("description"), "text_b": F("kind")}
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
        fields = {
            "by_id": F("caseworker_id"),
            "by_first": F("caseworker__first_name"),
            "by_last": F("caseworker__last_name"),
            "by_username": F("caseworker__username"),
        }
    elif kind == HANDOVER:
        rows, on = Handover.objects.filter(case_id=case_id), TruncDate("handed_over_at")
        fields = {
            "item_code": F("code"),
            "by_id": F("to_caseworker_id"),
            "by_first": F("to_caseworker__first_name"),
            "by_last": F("to_caseworker__last_name"),
            "by_username": F("to_caseworker__username"),
            "from_id": F("from_caseworker_id"),
            "from_first": F("from_caseworker__first_name"),
            "from_last": F("from_caseworker__last_name"),
            "from_username": F("from_caseworker__username"),
        }
    else:
        raise ValueError(kind)
    return rows.order_by().values(
        happened_on=on,
        row_kind=Value(kind, output_field=CharField()),
        item_id=F("pk"),
        **{**none, **fields},
    )


def timeline_rows(case: Case, *, kind: str, today: date) -> QuerySet[Any, Any]:
    """The case's timeline as one query, newest first; `kind` is a key of FILTERS."""
    return _timeline_rows(case.pk, kind=kind, today=today).order_by(*_ORDER)


# Same day: a fixed order of kinds, then the newest row first, so pages never overlap.
_ORDER = ("-happened_on", "row_kind", "-item_id")


def _timeline_rows(case_id: int, *, kind: str, today: date) -> QuerySet[Any, Any]:
    first, *others = [_rows(row_kind, case_id, today=today) for row_kind in FILTERS[kind]]
    return first.union(*others, all=True) if others else first


# Stand-ins for the case and today's date while a timeline's SQL is built (see _TimelineSQL).
_CASE = -7_070_707
_TODAY = date(1901, 2, 3)


@dataclass(frozen=True)
class _TimelineSQL:
    """The SQL of a timeline page, built by the ORM once per filter and kept (as audit/log.py
    does): building the UNION of six queries took more than ten times as long as SQLite took to
    run it, and the case page is measured (bench/pages.py).

    `page` returns a page of rows (COLUMNS), then the number of statements of a conversation
    (counted for the page's rows only) and the number of all rows (a window count), so a page
    that has rows costs one query; `count` is for a page number past the end."""

    count: str
    page: str  # ordered, ending in LIMIT %s OFFSET %s
    params: tuple[Any, ...]  # with _CASE and _TODAY where the case and the date go

    @classmethod
    def build(cls, kind: str) -> _TimelineSQL:
        rows = _timeline_rows(_CASE, kind=kind, today=_TODAY)
        union, params = rows.query.get_compiler(using=rows.db).as_sql()
        stand_ins = [p for p in params if p == _CASE]
        if len(stand_ins) != len(FILTERS[kind]):
            raise RuntimeError("the timeline's SQL lost track of its case")
        q = connection.ops.quote_name

        def order(table: str) -> str:
            return ", ".join(
                f"{table}.{q(name.lstrip('-'))} {'DESC' if name.startswith('-') else 'ASC'}"
                for name in _ORDER
            )

        statements = q(Statement._meta.db_table)
        of = q(Statement._meta.get_field("conversation").column)
        number = (
            f"(SELECT COUNT(*) FROM {statements} WHERE {statements}.{of} = page.{q('item_id')}"
            f" AND page.{q('row_kind')} = '{CONVERSATION}')"
        )
        return cls(
            count=f"SELECT COUNT(*) FROM ({union}) timeline",
            page=(
                f"SELECT {', '.join(f'page.{q(name)}' for name in COLUMNS)}, {number},"
                f" page.{q('total')} FROM ("
                f"SELECT {', '.join(f'timeline.{q(name)}' for name in COLUMNS)},"
                f" COUNT(*) OVER () AS {q('total')} FROM ({union}) timeline"
                f" ORDER BY {order('timeline')} LIMIT %s OFFSET %s"
                f") page ORDER BY {order('page')}"
            ),
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


class _Total:
    """What the Paginator counts: the total that came with the page's rows."""

    def __init__(self, total: int) -> None:
        self.total = total

    def count(self) -> int:
        return self.total


def _page_number(page: Any) -> int:
    try:
        number = int(page)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def timeline_page(
    case: Case, *, kind: str, page: Any, today: date
) -> tuple[Page[Any], list[TimelineItem]]:
    """One page of the timeline, as Paginator.get_page would give it (a page number that is not
    a number is the first page, one past the end the last), with each item's words and object.

    Note: one query; two for a page number past the end."""
    sql = _timeline_sql(connection.vendor, get_current_timezone_name(), kind)
    params = sql.bind(case.pk, today)
    number = _page_number(page)

    def fetch(number: int) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql.page, [*params, PAGE_SIZE, (number - 1) * PAGE_SIZE])
            return list(cursor.fetchall())

    rows = fetch(number)
    if rows:
        total = int(rows[0][-1])
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql.count, params)
            total = int(cursor.fetchone()[0])
        if number > 1 and total:
            number = (total + PAGE_SIZE - 1) // PAGE_SIZE
            rows = fetch(number)
        else:
            number = 1
    paginator: Paginator[Any] = Paginator(_Total(total), PAGE_SIZE)  # type: ignore[arg-type]
    items = [_item(row, today) for row in rows]
    return Page(items, number, paginator), items


_MODELS: dict[str, type[Any]] = {
    CONVERSATION: Conversation,
    DECISION: Decision,
    MEASURE_STARTED: Measure,
    MEASURE_ENDED: Measure,
    ASSIGNMENT: Assignment,
    HANDOVER: Handover,
}


def _load(model: type[Any], loaded: dict[str, Any]) -> Any:
    """An instance with only these fields loaded, as `.only()` gives it (from_db wants the
    values in the model's field order)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in loaded]
    return model.from_db(connection.alias, names, [loaded[name] for name in names])


def _user(pk: Any, first: Any, last: Any, username: Any) -> Any:
    if pk is None:
        return None
    return _load(User, {"id": pk, "first_name": first, "last_name": last, "username": username})


def _item(row: tuple[Any, ...], today: date) -> TimelineItem:
    """A page row as its item: its words, its link and its object, loaded with only the columns
    the timeline shows (as `.only()` would; anything else is read on access)."""
    values = dict(zip((*COLUMNS, "number"), row, strict=False))
    kind, pk = values["row_kind"], values["item_id"]
    code = values["item_code"]
    if code is not None and not isinstance(code, UUID):
        code = UUID(code)
    loaded: dict[str, Any] = {"id": pk}
    if code is not None:
        loaded["code"] = code
    if kind == CONVERSATION:
        loaded.update(place=values["text_a"], had_bisidder=bool(values["flag"]))
    elif kind == DECISION:
        loaded.update(
            title=values["text_a"],
            kind=values["text_b"],
            not_heard_reason=values["text_c"],
            not_heard_note=values["text_d"],
            child_heard=bool(values["flag"]),
        )
    elif kind in (MEASURE_STARTED, MEASURE_ENDED):
        loaded.update(description=values["text_a"], kind=values["text_b"])
    obj = _load(_MODELS[kind], loaded)
    by = _user(values["by_id"], values["by_first"], values["by_last"], values["by_username"])
    if kind == CONVERSATION:
        obj.statement_count = int(values["number"] or 0)
    elif kind == ASSIGNMENT:
        obj.caseworker = by
    elif kind == HANDOVER:
        obj.to_caseworker = by
        obj.from_caseworker = _user(
            values["from_id"], values["from_first"], values["from_last"], values["from_username"]
        )
    item = _describe(kind, _as_date(values["happened_on"]), obj)
    url = _URLS.get(kind)
    if url is not None:
        item = dataclasses.replace(item, url=_url(url, code))
    return item


_URLS = {CONVERSATION: "conversations:detail", DECISION: "decisions:detail"}


def _url(name: str, code: UUID) -> str:
    """reverse() once per kind and language prefix, then the code put in."""
    return _url_pattern(name, get_language()).replace(str(_PLACEHOLDER), str(code))


@lru_cache(maxsize=64)
def _url_pattern(name: str, language: str | None) -> str:
    return reverse(name, args=[_PLACEHOLDER])


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


def _as_date(value: date | str) -> date:
    """A row's date: a date (PostgreSQL) or its ISO text (SQLite)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(value)


def caseworker_changes(case: Case, *, now: datetime) -> int:
    """Changes of caseworker in the year before `now` (one query, its SQL built once)."""
    counted = _handovers_since(case_id=case.pk, since=now - timedelta(days=365))
    return counted[0]["n"] if counted else 0


_handovers_since = Prepared(
    lambda case_id, since: (
        Handover.objects.filter(case_id=case_id, handed_over_at__gt=since)
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"))
        .values("n")
    ),
    case_id=-7_070_707,
    since=datetime(1901, 2, 3, 4, 5, 6, 7, tzinfo=UTC),
)
