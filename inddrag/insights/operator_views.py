"""The target page (a municipality admin) and the platform operator's national figures."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import OPERATOR, Role, allow, for_operator
from inddrag.audit.log import Action, record, refuse
from inddrag.insights.figures import (
    DEFAULT_CASELOAD_TARGET,
    MIN_CHILDREN,
    Cell,
    Filters,
    Suppressed,
)
from inddrag.insights.models import Target
from inddrag.insights.national import national_figures
from inddrag.insights.target_forms import NationalFilterForm, TargetForm, set_caseload_target
from inddrag.lib.spreadsheets import csv_response, xlsx_response


@allow(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def target(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The municipality's caseload target: the admin's own municipality only (the membership)."""
    membership = request.membership
    current = (
        Target.objects.filter(municipality_id=membership.municipality_id)
        .values_list("caseload_target", flat=True)
        .first()
    )
    if request.method == "POST":
        form = TargetForm(request.POST)
        if form.is_valid():
            set_caseload_target(
                membership, by=request.user, caseload_target=form.cleaned_data["caseload_target"]
            )
            messages.success(request, _("Målet for sagstal er gemt."))
            return redirect("insights:target")
    else:
        form = TargetForm(
            initial={"caseload_target": current if current is not None else DEFAULT_CASELOAD_TARGET}
        )
    context: dict[str, Any] = {
        "form": form,
        "municipality": membership.municipality,
        "has_target": current is not None,
        "current": current if current is not None else DEFAULT_CASELOAD_TARGET,
    }
    return render(request, "insights/target.html", context)


def _filters(request: AuthenticatedHttpRequest) -> tuple[NationalFilterForm, Filters | None]:
    form = NationalFilterForm(request.GET, today=timezone.localdate())
    if not form.is_valid():
        return form, None
    start, end = form.period()
    return form, Filters(start=start, end=end)


def _criterion(filters: Filters) -> str:
    return f"national figures {filters.describe()}"


@for_operator
@require_GET
def national(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The figures of every municipality and of the whole country for a period (the platform
    operator's view: aggregates only, small cells suppressed, no way down to a case)."""
    form, filters = _filters(request)
    context: dict[str, Any] = {"form": form, "min_children": MIN_CHILDREN}
    if filters is not None:
        data = national_figures(filters)
        record(Action.LIST, user=request.user, role=OPERATOR, criterion=_criterion(filters))
        query = urlencode(
            {
                "periode": form.cleaned_data["preset"],
                "fra": f"{filters.start:%Y-%m}",
                "til": f"{filters.end:%Y-%m}",
            }
        )
        context.update({"data": data, "rows": data.table_rows(), "query": query})
    return render(request, "insights/national.html", context)


@for_operator
@require_GET
def national_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The national table as CSV or XLSX: the very cells of the page (suppressed ones too)."""
    form, filters = _filters(request)
    file_format = request.GET.get("format", "csv")
    if filters is None or file_format not in ("csv", "xlsx"):
        refuse(request, "national export: invalid period or format")
    data = national_figures(filters, with_chart=False)
    rows = [[_exported(cell) for cell in row] for row in data.table_rows()]
    record(
        Action.EXPORT,
        user=request.user,
        role=OPERATOR,
        criterion=f"{_criterion(filters)} {file_format}",
    )
    filename = f"inddrag-landet-{filters.start:%Y-%m}-{filters.end:%Y-%m}"
    if file_format == "xlsx":
        return xlsx_response(filename, _("Hele landet"), data.header, rows)
    return csv_response(filename, data.header, rows)


def _exported(cell: Cell) -> object:
    """A suppressed cell is written as the words the page shows."""
    return str(cell) if isinstance(cell, Suppressed) else cell
