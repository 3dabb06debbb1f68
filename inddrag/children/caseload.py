"""The caseload ("Mine børn"): the caseworker's children and where each has not been heard."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict, cast
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record
from inddrag.children.forms import CaseFilterForm, CaseListForm
from inddrag.children.involvement import DueKind, Involvement, involvement
from inddrag.children.models import Case, Measure
from inddrag.children.queries import (
    MESSAGES_NONE,
    MESSAGES_OVERDUE,
    CaseloadItem,
    caseload,
    caseworker_names,
    measure_kinds,
)
from inddrag.decisions.models import DueRules
from inddrag.municipalities.models import Membership
from inddrag.plans.forms import CHECK_IN_WORDS
from inddrag.portal.messages import ANSWER_WITHIN_WORKING_DAYS

_FILTER = CaseListForm.base_fields["filter"]
assert isinstance(_FILTER, forms.ChoiceField)
_FILTER_CHOICES: list[tuple[str, Any]] = [
    *cast(list[tuple[str, Any]], _FILTER.choices),
    ("messages", _("Ubesvarede beskeder fra barnet")),
]


class CaseloadForm(CaseListForm):
    """The caseload's parameters, with one more filter from the child channel: children whose
    messages are not answered yet."""

    filter = forms.ChoiceField(label=_FILTER.label, choices=_FILTER_CHOICES, required=False)


PAGE_SIZE = 50
SEARCH_SESSION_KEY = "case_search"
LIST_PARAMS = tuple(CaseloadForm.DEFAULTS)  # filter, age, measure, status, sort
_PLACEHOLDER = UUID(int=0)

AGE_BANDS = {"0-9": (0, 9), "10-14": (10, 14), "15-17": (15, 17), "18-23": (18, 23)}
_NEVER = date.max


@dataclass(frozen=True, slots=True)
class Entry:
    """One child of the caseload with its involvement status and whether a message from the
    child has waited longer than the answer time."""

    case: CaseloadItem
    status: Involvement
    message_overdue: bool

    @property
    def is_overdue(self) -> bool:
        return self.status.is_overdue or self.message_overdue


def _keeps(params: dict[str, str]) -> Callable[[Entry], bool]:
    """The filter of the chosen status, age band and measure. A child who does not feel safe
    (an unanswered "Jeg føler mig ikke tryg") is never filtered away."""
    status, band, measure = params["filter"], AGE_BANDS.get(params["age"]), params["measure"]

    def keep(entry: Entry) -> bool:
        status_of = entry.status
        if entry.case.unsafe_since is not None:
            return True
        if status == "overdue" and not entry.is_overdue:
            return False
        if status == "soon" and not status_of.is_due_soon:
            return False
        if status == "messages" and entry.case.message_state == MESSAGES_NONE:
            return False
        if band is not None and not band[0] <= status_of.age <= band[1]:
            return False
        kinds = status_of.measure_kinds
        if measure == "none":
            return not kinds
        if measure == "placement":
            return status_of.is_placed
        return measure == "all" or measure in kinds

    return keep


def _next_due_on(status_of: Involvement) -> date:
    return status_of.next.due_on if status_of.next is not None else _NEVER


# Each sort is stable over the query's order (the child's name), so ties stay alphabetical.
SORT_KEYS: dict[str, Callable[[Entry], Any]] = {
    # Overdue first, the longest overdue on top; then what falls due first (tracked first).
    "overdue": lambda row: (
        not row.is_overdue,
        -row.status.days_overdue,
        row.status.next is None or not row.status.next.is_tracked,
        _next_due_on(row.status),
    ),
    "due": lambda row: _next_due_on(row.status),
    # Never heard first, then the longest since the last conversation.
    "conversation": lambda row: (
        row.status.days_since_conversation is not None,
        -(row.status.days_since_conversation or 0),
    ),
    "age": lambda row: -row.case.birth_date.toordinal(),  # youngest first
}
SORTABLE_COLUMNS = ("name", "age", "due", "conversation")


def _unsafe_first(row: Entry) -> tuple[bool, float]:
    """Children who do not feel safe above everyone, whatever the sort: the longest waiting
    first. Applied after the chosen sort, which it keeps for everyone else (a stable sort)."""
    since = row.case.unsafe_since
    return (since is None, since.timestamp() if since is not None else 0.0)


def matches(case: CaseloadItem, search: str) -> bool:
    """Whether the case's child or reference matches the search (item 7): every word is part
    of the first or last name, or the text is part of the reference, or six or more digits
    start the CPR number (spaces and dashes ignored). Done here, not in SQL, because SQLite
    folds only ASCII case and Danish names start with Æ, Ø and Å; the caseload is read whole
    anyway."""
    text = search.casefold()
    if text in case.reference.casefold():
        return True
    digits = "".join(text.replace("-", " ").split())
    if digits.isdigit():
        return len(digits) >= 6 and case.cpr.startswith(digits)
    names = case.full_name.casefold()
    return all(word in names for word in text.split())


# Django date-format characters that are plain numbers, as str.format fields.
_NUMERIC_DATE_PARTS = {
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "Y": "{0.year:04d}",
}


def date_formatter(django_format: str) -> Callable[[date], str]:
    """A function that formats a date as Django's `date` filter does with `django_format`. A
    numeric format ("d.m.Y", "m/d/Y") becomes one str.format call, ten times faster than
    django.utils.dateformat (that time counted on a page of 50 rows); others use dateformat."""
    if "\\" in django_format or not all(
        ch in _NUMERIC_DATE_PARTS or not ch.isalnum() for ch in django_format
    ):
        return lambda day: format_date(day, django_format)
    pattern = "".join(
        _NUMERIC_DATE_PARTS.get(ch, ch.replace("{", "{{").replace("}", "}}"))
        for ch in django_format
    )
    return pattern.format


class Row(TypedDict):
    """One row of the table, ready to print: everything a template would otherwise look up,
    translate, localise or format once per row, as text (bench/pages.py measures this page)."""

    url: str
    name: str
    reference: str
    protected: bool
    closed: bool
    age: str
    party: bool
    overdue: str  # "Overskredet med 8 dage", or "" when nothing is overdue
    next: str  # "Første opfølgning på anbringelsen (§ 95)", or "Ingen frist"
    next_meta: str  # its date, and whether it is tracked here
    since: str  # "45 dage siden", or "" when the child was never heard
    last_conversation: str
    not_heard: str  # decisions without a heard child, "" for none
    statement_on: str
    measures: str
    caseworker: str
    unsafe: bool  # an unanswered "Jeg føler mig ikke tryg"
    message: str  # "Besked ubesvaret over 2 hverdage", "Ny besked fra barnet" or ""
    message_overdue: bool
    prepared: bool  # the child submitted the preparation of the next meeting
    check_in: str  # "Tjek af mål: Rigtig godt (12/11)": the newest in 30 days, or ""
    check_in_low: bool  # that check-in said "Dårligt" or "Rigtig dårligt"


def _rows(
    entries: list[Entry],
    caseworkers: dict[int, list[str]] | None,
) -> list[Row]:
    """The page's rows, with one reverse(), one translation of each label and one date format
    for the page instead of one per row."""
    url_start, url_end = reverse("children:case_detail", args=[_PLACEHOLDER]).split(
        str(_PLACEHOLDER)
    )
    show_date = date_formatter(get_format("SHORT_DATE_FORMAT"))
    what = {
        DueKind.FOLLOW_UP: gettext("Første opfølgning på anbringelsen"),
        DueKind.VISIT: gettext("Tilsynsbesøg med samtale uden personale"),
        DueKind.PLAN: gettext("Barnets plan"),
        DueKind.YOUTH_PLAN: gettext("Ungeplan"),
    }
    untracked = gettext("følges ikke her endnu")
    message_overdue = ngettext(
        "Besked ubesvaret over %(days)d hverdag",
        "Besked ubesvaret over %(days)d hverdage",
        ANSWER_WITHIN_WORKING_DAYS,
    ) % {"days": ANSWER_WITHIN_WORKING_DAYS}
    message_new = gettext("Ny besked fra barnet")
    check_in_words = {rating: str(words) for rating, words in CHECK_IN_WORDS.items()}
    check_in_text = gettext("Tjek af mål: %(words)s (%(day)s)")
    show_day = date_formatter(pgettext("day and month, as a Django date format", "j/n"))
    no_due, none, never = gettext("Ingen frist"), gettext("Ingen"), "–"
    measure_names = {kind: str(label) for kind, label in Measure.Kind.choices}
    days_ago: dict[int, str] = {}

    def since(days: int) -> str:
        if days not in days_ago:
            days_ago[days] = (
                gettext("I dag")
                if days == 0
                else ngettext("%(days)d dag siden", "%(days)d dage siden", days) % {"days": days}
            )
        return days_ago[days]

    rows = []
    for entry in entries:
        case, status, is_message_overdue = entry.case, entry.status, entry.message_overdue
        last_on, statement_on = case.last_conversation_on, case.latest_statement_on
        due, overdue, quiet_days = status.next, "", status.days_since_conversation
        if status.is_overdue:
            late = status.days_overdue
            overdue = ngettext(
                "Overskredet med %(days)d dag", "Overskredet med %(days)d dage", late
            ) % {"days": late}
        check_in = ""
        if case.check_in_rating is not None and case.check_in_at is not None:
            check_in = check_in_text % {
                "words": check_in_words[case.check_in_rating],
                "day": show_day(timezone.localtime(case.check_in_at)),
            }
        next_meta = ""
        if due is not None:
            next_meta = show_date(due.due_on)
            if not due.is_tracked:
                next_meta = f"{next_meta} · {untracked}"
        rows.append(
            Row(
                url=f"{url_start}{case.code}{url_end}",
                name=case.full_name,
                reference=case.reference,
                protected=case.has_protected_address,
                closed=case.status == Case.Status.CLOSED,
                age=str(status.age),
                party=status.has_party_rights,
                overdue=overdue,
                next=f"{what[due.kind]} ({due.basis})" if due is not None else no_due,
                next_meta=next_meta,
                since=since(quiet_days) if quiet_days is not None else "",
                last_conversation=show_date(last_on) if last_on else "",
                not_heard=str(status.decisions_not_heard) if status.decisions_not_heard else "",
                statement_on=show_date(statement_on) if statement_on else never,
                measures=", ".join(measure_names[k] for k in status.measure_kinds) or none,
                caseworker=(
                    ", ".join(caseworkers.get(case.pk, ())) or none
                    if caseworkers is not None
                    else ""
                ),
                unsafe=case.unsafe_since is not None,
                message=(
                    message_overdue
                    if is_message_overdue
                    # A flagged child's new message is the flag; it needs no second line.
                    else message_new
                    if case.message_state != MESSAGES_NONE and case.unsafe_since is None
                    else ""
                ),
                message_overdue=is_message_overdue,
                prepared=bool(case.prepared),
                check_in=check_in,
                check_in_low=(case.check_in_rating or 5) <= 2,
            )
        )
    return rows


# The table's rows are printed here rather than by a {% for %} in the template: 50 rows of nine
# cells took the template engine 1.8 ms, these format strings a fifth of that, on a page that
# must stay within 15 ms (bench/pages.py). Every value is escaped (`_text`) before it goes in.
_ROW = (
    '<tr{row_class}><th scope="row"><a href="{url}">{name}</a>{unsafe}{overdue}{message}'
    "{prepared}{check_in}{badges}</th>"
    "<td>{age}{party}</td><td>{next}{next_meta}</td><td>{since}</td><td>{not_heard}</td>"
    "<td>{statement_on}</td><td>{measures}</td><td>{reference}</td>{caseworker}</tr>\n"
)
_SIGN = '<span class="status-icon" aria-hidden="true"></span>'  # a triangle, drawn by CSS
_OVERDUE = '<strong class="status-overdue">' + _SIGN + "{}</strong>"
_WARNING = '<strong class="status-warning">' + _SIGN + "{}</strong>"
# The child pressed "Jeg føler mig ikke tryg": a sign of its own (a circle with "!"), in words.
_URGENT = (
    '<strong class="status-urgent"><span class="status-urgent-icon" aria-hidden="true">!</span>'
    "{}</strong>"
)
_META = '<span class="row-meta">{}</span>'
_BADGE = ' <span class="badge badge-small">{}</span>'


def _text(value: str) -> str:
    """HTML-escaped, quotes too (what the template's autoescape does)."""
    return html.escape(value, quote=True)


def render_rows(rows: list[Row], *, with_caseworker: bool) -> SafeString:
    """The <tr> elements of the caseload table (see _ROW for why not the template)."""
    party = _META.format(_text(gettext("Partsrettigheder")))
    protected = _BADGE.format(_text(gettext("Adressebeskyttet")))
    closed = _BADGE.format(_text(gettext("Lukket sag")))
    never = "<strong>{}</strong>".format(_text(gettext("Ingen samtale")))
    unsafe = _URGENT.format(_text(gettext("Føler sig ikke tryg")))
    prepared = _META.format(_text(gettext("Forberedt af barnet")))
    lines = []
    for row in rows:
        overdue, since, next_meta = row["overdue"], row["since"], row["next_meta"]
        message = row["message"]
        classes = ("row-urgent " if row["unsafe"] else "") + (
            "row-overdue" if overdue or row["message_overdue"] else ""
        )
        lines.append(
            _ROW.format(
                row_class=f' class="{classes.strip()}"' if classes else "",
                url=_text(row["url"]),
                name=_text(row["name"]),
                unsafe=unsafe if row["unsafe"] else "",
                overdue=_OVERDUE.format(_text(overdue)) if overdue else "",
                message=(
                    (_OVERDUE if row["message_overdue"] else _META).format(_text(message))
                    if message
                    else ""
                ),
                prepared=prepared if row["prepared"] else "",
                check_in=(
                    _META.format(
                        _WARNING.format(_text(row["check_in"]))
                        if row["check_in_low"]
                        else _text(row["check_in"])
                    )
                    if row["check_in"]
                    else ""
                ),
                badges=(protected if row["protected"] else "") + (closed if row["closed"] else ""),
                age=_text(row["age"]),
                party=party if row["party"] else "",
                next=_text(row["next"]),
                next_meta=_META.format(_text(next_meta)) if next_meta else "",
                since=(
                    _text(since) + _META.format(_text(row["last_conversation"])) if since else never
                ),
                not_heard=_WARNING.format(_text(row["not_heard"])) if row["not_heard"] else "0",
                statement_on=_text(row["statement_on"]),
                measures=_text(row["measures"]),
                reference=_text(row["reference"]),
                caseworker=f"<td>{_text(row['caseworker'])}</td>" if with_caseworker else "",
            )
        )
    return mark_safe("".join(lines))  # every value in it went through _text


class FilterField(TypedDict):
    name: str
    label: str
    options: list[tuple[str, str, bool]]  # value, label, selected


def _filter_fields(params: dict[str, str]) -> list[FilterField]:
    """The filter form's selects. Written out by the template rather than rendered by the form's
    widgets: five selects through Django's widget templates cost 4 ms a request."""
    fields = []
    for name in LIST_PARAMS:
        choices = CaseloadForm.choices_of(name)
        options = [(value, label, value == params[name]) for value, label in choices]
        label = str(CaseloadForm.base_fields[name].label)
        fields.append(FilterField(name=name, label=label, options=options))
    return fields


def _query(params: dict[str, str], **changes: str) -> str:
    """The query string of the list with `changes`: the case status always (the links of the
    first version had it), the other parameters only when they are not their defaults."""
    params = {**params, **changes}
    pairs = [("status", params["status"])]
    pairs += [
        (name, params[name])
        for name in ("filter", "age", "measure", "sort")
        if params[name] != CaseloadForm.DEFAULTS[name]
    ]
    return urlencode(pairs)


def _criterion(params: dict[str, str], search: str, page: int) -> str:
    parts = [f"status={params['status']}"]
    parts += [
        f"{name}={params[name]}"
        for name in ("filter", "age", "measure", "sort")
        if params[name] != CaseloadForm.DEFAULTS[name]
    ]
    if search:
        parts.append(f"q={search}")  # record() masks anything like a CPR number (T7)
    return f"cases {' '.join(parts)} page={page}"


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The caseworker's children (a leader: the unit's), each with the involvement status, sorted
    and filtered by GET parameters in real links. Searching is a POST, so that a child's name
    or CPR number never ends up in a URL, a browser history or a proxy log (ASVS 14.2.1); the
    search is kept in the session, so that sorting, filtering and ?page=N keep it, until the
    list is opened afresh.

    From the child channel: a child who pressed "Jeg føler mig ikke tryg" (unanswered) is at
    the very top whatever the sort, filter or search, from the request after the press (no
    cache); a message unanswered for ANSWER_WITHIN_WORKING_DAYS working days is overdue."""
    membership = request.membership
    source = request.POST if request.method == "POST" else request.GET
    params = CaseloadForm.params({k: source.get(k) or request.GET.get(k) for k in LIST_PARAMS})
    if request.method == "POST":
        search_form = CaseFilterForm(request.POST)
    elif SEARCH_SESSION_KEY in request.session and {*LIST_PARAMS, "page"} & set(request.GET):
        search_form = CaseFilterForm(request.session[SEARCH_SESSION_KEY])
    else:
        request.session.pop(SEARCH_SESSION_KEY, None)  # a fresh visit starts a fresh list
        search_form = CaseFilterForm()
    search = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    if request.method == "POST":
        if search:
            request.session[SEARCH_SESSION_KEY] = {"q": search}
        else:
            request.session.pop(SEARCH_SESSION_KEY, None)

    now = timezone.now()
    today = timezone.localdate(now)
    rules = DueRules.for_municipality(membership.municipality)
    cases = caseload(membership, status=params["status"], today=today, now=now)
    if search:
        # A child who does not feel safe stays on the list, above the search's results.
        cases = [case for case in cases if case.unsafe_since or matches(case, search)]
    entries = [
        Entry(
            case,
            involvement(
                birth_date=case.birth_date,
                today=today,
                measure_kinds=measure_kinds(case.measure_mask),
                placement_started_on=case.placement_started_on,
                last_conversation_on=case.last_conversation_on,
                last_unsupervised_on=case.last_unsupervised_on,
                decisions_not_heard=case.decisions_not_heard,
                rules=rules,
                is_open=case.status == Case.Status.OPEN,
            ),
            case.message_state == MESSAGES_OVERDUE,
        )
        for case in cases
    ]
    keep = _keeps(params)
    entries = [entry for entry in entries if keep(entry)]
    if params["sort"] in SORT_KEYS:
        entries.sort(key=SORT_KEYS[params["sort"]])
    entries.sort(key=_unsafe_first)
    page = Paginator([entry.case for entry in entries], PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    first = (page.number - 1) * PAGE_SIZE
    shown_entries = entries[first : first + len(shown)]
    is_leader = membership.role != Membership.Role.CASEWORKER
    caseworkers = caseworker_names([case.pk for case in shown]) if is_leader and shown else None
    record(
        Action.SEARCH if search else Action.LIST,
        user=request.user,
        membership=membership,
        criterion=_criterion(params, search, page.number),
    )
    template = "children/case_list.html"
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        template += "#case-results"
    rows = _rows(shown_entries, caseworkers)
    query = _query(params)
    context = {
        "rows": rows,
        "rows_html": render_rows(rows, with_caseworker=is_leader),
        "page": page,
        "form": search_form,
        "filters": _filter_fields(params),
        "params": params,
        "query": query,
        "sort_urls": {name: "?" + _query(params, sort=name) for name in SORTABLE_COLUMNS},
        "search": search,
        "is_filtered": any(params[name] != "all" for name in ("filter", "age", "measure")),
        "is_leader": is_leader,
    }
    return render(request, template, context)
