from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.forms import AccessLogSearchForm
from inddrag.audit.log import Action, record
from inddrag.audit.models import AccessEvent
from inddrag.children.models import Case, Child

PAGE_SIZE = 50
SEARCH_SESSION_KEY = "access_log_search"


def _start_of(day: datetime | object) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))  # type: ignore[arg-type]


@allow(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def access_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The municipality's access log, searchable by user, child and time. Searching by child is
    itself a search of child data, and is logged like any other. The search is a POST, so no CPR
    number ends up in a URL; the criteria are kept in the session so the pages of the result
    (?page=N) keep them."""
    municipality = request.membership.municipality
    criteria: dict[str, str] | None
    if request.method == "POST":
        criteria = {
            k: str(v) for k, v in request.POST.items() if k in AccessLogSearchForm.base_fields
        }
        request.session[SEARCH_SESSION_KEY] = criteria
    elif "page" in request.GET:
        criteria = request.session.get(SEARCH_SESSION_KEY)
    else:
        request.session.pop(SEARCH_SESSION_KEY, None)  # a fresh visit starts a fresh search
        criteria = None
    form = AccessLogSearchForm(criteria)
    events = AccessEvent.objects.filter(municipality=municipality)
    child: Child | None = None
    criterion = "access log"
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["username"]:
            events = events.filter(username__iexact=data["username"])
        if data["child"]:
            value = data["child"]
            child = (
                Child.objects.filter(
                    Q(cpr=value) | Q(cases__reference__iexact=value), municipality=municipality
                )
                .distinct()
                .first()
            )
            events = events.filter(child=child) if child else events.none()
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["date_from"]:
            events = events.filter(occurred_at__gte=_start_of(data["date_from"]))
        if data["date_to"]:
            events = events.filter(occurred_at__lt=_start_of(data["date_to"]) + timedelta(days=1))
        criterion = "access log " + " ".join(f"{k}={v}" for k, v in data.items() if v)
    page = Paginator(events.order_by("-occurred_at", "-seq"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    child_ids = {e.child_id for e in rows if e.child_id}
    names = {c.pk: c.full_name for c in Child.objects.filter(pk__in=child_ids)}
    record(
        Action.SEARCH,
        user=request.user,
        membership=request.membership,
        child=child,
        criterion=criterion,
    )
    return render(
        request,
        "audit/access_log.html",
        {
            "form": form,
            "page": page,
            "rows": [(e, names.get(e.child_id or 0)) for e in rows],
            "cases_exist": Case.objects.filter(municipality=municipality).exists(),
        },
    )
