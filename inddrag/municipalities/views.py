from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import signed_in
from inddrag.municipalities.middleware import SESSION_KEY


@signed_in
@require_http_methods(["GET", "POST"])
def choose(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Choose which municipality and role to work in, when the user has more than one."""
    if request.method == "POST":
        code = request.POST.get("membership", "")
        chosen = next((m for m in request.memberships if str(m.code) == code), None)
        if chosen is None:
            messages.error(request, _("Vælg en af dine roller på listen."))
        else:
            request.session[SESSION_KEY] = str(chosen.code)
            return redirect("home")
    if not request.memberships:
        return render(request, "municipalities/choose.html", {"no_memberships": True}, status=403)
    return render(request, "municipalities/choose.html", {})
