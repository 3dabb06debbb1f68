from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import public, signed_in
from inddrag.municipalities.models import Membership


@signed_in
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send each role to where its work starts."""
    membership = request.membership
    if membership is None:
        return redirect("municipalities:choose")
    if membership.role == Membership.Role.ADMIN:
        return redirect("audit:access_log")
    return redirect("children:case_list")


@public
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
