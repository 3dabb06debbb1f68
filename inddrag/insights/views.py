"""Leader insights, /indsigt/: the dashboard (the unit's for a leader of a unit, the
municipality's for a leader of no single unit), the cases behind a figure and the exports.

The figures are aggregates over the refreshed tables (figures.py); the cases behind a figure are
child data, read only within the leader's visible cases (children/access.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record, refuse
from inddrag.children.access import visible_cases
from inddrag.decisions.models import Decision
from inddrag.insights import figures
from inddrag.insights.figures import BUCKET_KEYS, BUCKETS, NEVER, Filters
from inddrag.insights.forms import FILTER_NAMES, InsightsFilterForm
from inddrag.insights.models import CaseSnapshot
from inddrag.lib.spreadsheets import csv_response, xlsx_response

PAGE_SIZE = 50
NOT_HEARD, NO_CONVERSATION, OVERDUE = "not_heard", "no_conversation", "overdue"
FIGURES = (NOT_HEARD, NO_CONVERSATION, OVERDUE)
FORMATS = ("csv", "xlsx")
CASES_TABLE = "cases"  # the export of the cases behind a figure


def _form(request: AuthenticatedHttpRequest) -> InsightsFilterForm:
    membership = request.membership
    data = {name: request.GET[name] for name in FILTER_NAMES if name in request.GET}
    return InsightsFilterForm(
        data,
        today=timezone.localdate(),
        municipality_id=membership.municipality_id,
        unit_id=membership.unit_id,
    )


def _scope(request: AuthenticatedHttpRequest, filters: Filters) -> str:
    """For the access log: whose figures, which period and filters (ids only)."""
    membership = request.membership
    if membership.unit_id is not None:
        where = f"unit {membership.unit_id}"
    elif filters.unit_id is not None:
        where = f"municipality unit {filters.unit_id}"
    else:
        where = "municipality"
    return f"{where} {filters.describe()}"


@allow(Role.LEADER)
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The figures of the leader's unit per caseworker, or of the municipality per unit."""
    form = _form(request)
    context: dict[str, Any] = {"form": form, "unit": request.membership.unit}
    status = 200
    if form.is_valid():
        filters = form.filters()
        data = figures.load(request.membership.municipality_id, filters)
        query = form.query()
        context.update(
            filters=filters,
            sections=[_section_context(section, query) for section in figures.sections(data)],
            by_caseworker=data.by_caseworker,
            query=urlencode(query),
        )
        record(
            Action.LIST,
            user=request.user,
            membership=request.membership,
            criterion=f"insights dashboard {_scope(request, filters)}",
        )
    else:
        status = 400
    return render(request, "insights/dashboard.html", context, status=status)


def _section_context(section: figures.Section, query: dict[str, str]) -> dict[str, Any]:
    return {
        "section": section,
        "tables": [
            {
                "table": table,
                "csv": urlencode({"table": table.key, "format": "csv", **query}),
                "xlsx": urlencode({"table": table.key, "format": "xlsx", **query}),
            }
            for table in section.tables
        ],
        "drill": [(link.label, urlencode({**link.params, **query})) for link in section.drill],
    }


class BadFigure(Exception):
    """The drill-down's parameters name no figure: a message, never a crash."""


def _figure(request: AuthenticatedHttpRequest) -> tuple[str, str]:
    figure = request.GET.get("figure", "")
    bucket = request.GET.get("bucket", "")
    if figure not in FIGURES:
        raise BadFigure(_("Vælg et tal på oversigten for at se sagerne bag det."))
    if figure == NO_CONVERSATION and bucket not in BUCKET_KEYS:
        raise BadFigure(_("Vælg en af grupperne for dage siden den seneste børnesamtale."))
    return figure, bucket if figure == NO_CONVERSATION else ""


def _decisions(request: AuthenticatedHttpRequest, filters: Filters) -> QuerySet[Decision]:
    """The decisions without a heard child in the period, in the leader's visible cases and the
    filters' scope (age band and measure group as the case's refreshed snapshot has them)."""
    membership = request.membership
    decisions = Decision.objects.filter(
        municipality_id=membership.municipality_id,
        case__in=visible_cases(membership),
        child_heard=False,
        decided_on__gte=filters.start,
        decided_on__lte=filters.last_day,
    )
    if filters.unit_id is not None:
        decisions = decisions.filter(case__unit_id=filters.unit_id)
    if filters.age_band is not None or filters.measure_group:
        in_scope = figures.snapshots_in_scope(membership.municipality_id, filters)
        decisions = decisions.filter(case_id__in=in_scope.values("case_id"))
    return decisions.select_related("case__child").order_by("-decided_on", "-pk")


def _snapshots(
    request: AuthenticatedHttpRequest, filters: Filters, figure: str, bucket: str
) -> QuerySet[CaseSnapshot]:
    """The open cases behind a conversation figure, in the leader's visible cases."""
    membership = request.membership
    snapshots = figures.snapshots_in_scope(membership.municipality_id, filters).filter(
        is_open=True, case__in=visible_cases(membership)
    )
    if figure == OVERDUE:
        snapshots = snapshots.filter(overdue=True)
    elif bucket == NEVER:
        snapshots = snapshots.filter(days_since_conversation__isnull=True)
    else:
        _key, _label, low, high = next(b for b in BUCKETS if b[0] == bucket)
        days = Q(days_since_conversation__gte=low)
        if high is not None:
            days &= Q(days_since_conversation__lte=high)
        snapshots = snapshots.filter(days)
    return snapshots.select_related("case", "child").order_by(
        F("days_since_conversation").desc(nulls_first=True), "case_id"
    )


def _title(figure: str, bucket: str) -> str:
    if figure == NOT_HEARD:
        return _("Afgørelser uden hørt barn")
    if figure == OVERDUE:
        return _("Sager, hvor opfølgningen er overskredet")
    if bucket == NEVER:
        return _("Åbne sager uden en børnesamtale")
    label = next(str(b[1]) for b in BUCKETS if b[0] == bucket)
    return _("Åbne sager med %(days)s siden den seneste børnesamtale") % {"days": label}


def _rows(objects: Sequence[Decision | CaseSnapshot]) -> list[dict[str, Any]]:
    rows = []
    for obj in objects:
        if isinstance(obj, Decision):
            rows.append(
                {
                    "child": obj.case.child,
                    "case": obj.case,
                    "decided_on": obj.decided_on,
                    "title": obj.title,
                    "reason": obj.get_not_heard_reason_display() if obj.not_heard_reason else "",
                }
            )
        else:
            rows.append(
                {
                    "child": obj.child,
                    "case": obj.case,
                    "days": obj.days_since_conversation,
                    "last": obj.last_conversation_on,
                    "overdue": obj.overdue,
                }
            )
    return rows


def _cases_queryset(
    request: AuthenticatedHttpRequest, filters: Filters, figure: str, bucket: str
) -> QuerySet[Any]:
    if figure == NOT_HEARD:
        return _decisions(request, filters)
    return _snapshots(request, filters, figure, bucket)


@allow(Role.LEADER)
@require_GET
def cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The cases behind a figure of the dashboard, 50 a page."""
    form = _form(request)
    context: dict[str, Any] = {"form": form}
    try:
        figure, bucket = _figure(request)
    except BadFigure as error:
        context["error"] = str(error)
        return render(request, "insights/cases.html", context, status=400)
    if not form.is_valid():
        return render(request, "insights/cases.html", context, status=400)
    filters = form.filters()
    page = Paginator(_cases_queryset(request, filters, figure, bucket), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = {"figure": figure, **({"bucket": bucket} if bucket else {}), **form.query()}
    record(
        Action.LIST,
        user=request.user,
        membership=request.membership,
        criterion=f"insights cases {f'{figure} {bucket}'.rstrip()} {_scope(request, filters)} "
        f"page {page.number}",
    )
    context.update(
        figure=figure,
        title=_title(figure, bucket),
        filters=filters,
        page=page,
        rows=_rows(list(page.object_list)),
        query=urlencode(query),
        dashboard_query=urlencode(form.query()),
        csv=urlencode({"table": CASES_TABLE, "format": "csv", **query}),
        xlsx=urlencode({"table": CASES_TABLE, "format": "xlsx", **query}),
    )
    return render(request, "insights/cases.html", context)


@allow(Role.LEADER)
@require_GET
def export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A dashboard table (suppressed cells stay suppressed) or the cases behind a figure, as
    CSV or XLSX."""
    key, kind = request.GET.get("table", ""), request.GET.get("format", "")
    if kind not in FORMATS or (key != CASES_TABLE and key not in figures.table_keys()):
        refuse(request, f"insights export: no table {key!r} as {kind!r}")
    form = _form(request)
    if not form.is_valid():
        refuse(request, "insights export: invalid filters")
    filters = form.filters()
    period = f"{filters.start:%Y-%m}_{filters.end:%Y-%m}"
    header: list[str]
    rows: Sequence[Sequence[object]]
    if key == CASES_TABLE:
        try:
            figure, bucket = _figure(request)
        except BadFigure as error:
            refuse(request, f"insights export: {error}")
        header, rows = _case_lines(request, filters, figure, bucket)
        what = f"cases {figure} {bucket}".rstrip()
        filename = f"indsigt-sager-{figure}-{period}"
        sheet = _("Sager")
    else:
        data = figures.load(request.membership.municipality_id, filters, with_charts=False)
        table = figures.table(data, key)
        if table is None:  # table_keys() and the sections disagree: a bug, not a user error
            refuse(request, f"insights export: no table {key!r}")
        header, rows = table.header, table.all_rows()
        what = f"table {key}"
        filename = f"indsigt-{key}-{period}"
        sheet = table.caption
    record(
        Action.EXPORT,
        user=request.user,
        membership=request.membership,
        criterion=f"insights export {what} {kind} {_scope(request, filters)}",
    )
    if kind == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, sheet, header, rows)


def _case_lines(
    request: AuthenticatedHttpRequest, filters: Filters, figure: str, bucket: str
) -> tuple[list[str], list[list[object]]]:
    objects = list(_cases_queryset(request, filters, figure, bucket))
    if figure == NOT_HEARD:
        header = [_("Barn"), _("Sagsnummer"), _("Dato"), _("Afgørelse"), _("Begrundelse")]
        return header, [
            [
                str(row["child"]),
                row["case"].reference,
                row["decided_on"],
                row["title"],
                row["reason"],
            ]
            for row in _rows(objects)
        ]
    header = [
        _("Barn"),
        _("Sagsnummer"),
        _("Seneste børnesamtale"),
        _("Dage siden"),
        _("Opfølgning overskredet"),
    ]
    return header, [
        [
            str(row["child"]),
            row["case"].reference,
            row["last"],
            row["days"],
            _("ja") if row["overdue"] else _("nej"),
        ]
        for row in _rows(objects)
    ]
