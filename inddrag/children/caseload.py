"""The caseload ("Mine børn"): the caseworker's children and where each has not been heard."""

from __future__ import annotations

from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record
from inddrag.children.forms import STATUS_CHOICES, CaseFilterForm
from inddrag.children.queries import case_list_queryset

PAGE_SIZE = 50
SEARCH_SESSION_KEY = "case_search"
_PLACEHOLDER = UUID(int=0)


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET", "POST"])
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The caseworker's cases (a leader: the unit's). Searching is a POST, so that a child's name
    or CPR number never ends up in a URL, a browser history or a proxy log (ASVS 14.2.1); the
    criteria are kept in the session, so that ?page=N pages through the same result."""
    criteria: dict[str, str] | None
    if request.method == "POST":
        criteria = {k: str(request.POST.get(k, "")) for k in CaseFilterForm.base_fields}
        request.session[SEARCH_SESSION_KEY] = criteria
    elif "page" in request.GET and SEARCH_SESSION_KEY in request.session:
        criteria = request.session[SEARCH_SESSION_KEY]
    else:
        request.session.pop(SEARCH_SESSION_KEY, None)  # a fresh visit starts a fresh list
        criteria = {"status": request.GET["status"]} if "status" in request.GET else None
    form = CaseFilterForm(criteria)
    status, search = "open", ""
    if form.is_bound and form.is_valid():
        status, search = form.cleaned_data["status"], form.cleaned_data["q"]
    elif form.is_bound and form.data.get("status") in dict(STATUS_CHOICES):
        status = str(form.data["status"])  # keep the chosen status while the search is corrected
    cases = case_list_queryset(request.membership, status=status, search=search)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    action = Action.SEARCH if search else Action.LIST
    criterion = f"cases status={status} q={search}" if search else f"cases status={status}"
    record(
        action,
        user=request.user,
        membership=request.membership,
        criterion=f"{criterion} page={page.number}",
    )
    template = "children/case_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#case-results"
    # One reverse() for the page instead of one per row (a tenth of the list's time, bench/).
    url_pattern = reverse("children:case_detail", args=[_PLACEHOLDER])
    rows = [(case, url_pattern.replace(str(_PLACEHOLDER), str(case.code))) for case in page]
    context = {
        "rows": rows,
        "form": form,
        "page": page,
        "status": status,
        "search": search,
        "today": timezone.localdate(),
    }
    return render(request, template, context)
