"""The child's way in: the invitation code, the PIN, and logging out (issue 5, point 1).

All three are public: the child has no unlocked session yet (or any more). Each answer is a
child's page: short, in plain words, and without JavaScript."""

from __future__ import annotations

from uuid import uuid4

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from inddrag.accounts.policy import public
from inddrag.portal import services
from inddrag.portal.forms import RedeemForm, UnlockForm
from inddrag.portal.models import DeviceSession
from inddrag.portal.session import delete_device_cookie, set_device_cookie

# Shown when so few PIN tries are left that the child should know.
WARN_AT_TRIES_LEFT = 2


def _device(request: HttpRequest) -> DeviceSession | None:
    """The browser's known device session, unlocked or not (ChildSessionMiddleware)."""
    device: DeviceSession | None = getattr(request, "child_device", None)
    return device


def _safe_next(target: str) -> str:
    """`target` if it is a page of the child channel on this site, else the child's home."""
    home = reverse("portal:home")
    entry_pages = {reverse(name) for name in ("portal:redeem", "portal:unlock", "portal:logout")}
    if (
        target.startswith(home)
        and not target.startswith("//")
        and "\\" not in target
        and ".." not in target
        and "%2e" not in target.lower()  # an encoded dot segment leaves /barn/ too
        and url_has_allowed_host_and_scheme(target, allowed_hosts=None)
        and target.split("?")[0] not in entry_pages
    ):
        return target
    return home


@public
@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest) -> HttpResponse:
    """First visit: the code from the letter and a new PIN. One use of the code only."""
    form = RedeemForm(request.POST or None, initial={"submit_token": uuid4()})
    refused = False
    if request.method == "POST" and form.is_valid():
        new = services.redeem_invitation(
            form.cleaned_data["code"],
            pin=form.cleaned_data["pin"],
            submit_token=form.cleaned_data["submit_token"],
            ip=request.META.get("REMOTE_ADDR"),
            replaces=_device(request),
        )
        if new is not None:
            response = redirect("portal:home")
            set_device_cookie(response, new.token)
            return response
        # One answer for a code that is unknown, used, withdrawn or expired, or from an address
        # that tried too many (T10): the same page, an empty form (nothing typed is echoed).
        form, refused = RedeemForm(initial={"submit_token": uuid4()}), True
    return render(request, "portal/entry_redeem.html", {"form": form, "refused": refused})


@public
@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest) -> HttpResponse:
    """The PIN on a known device; the page the policy sends a child to without a session."""
    device = _device(request)
    target = _safe_next(request.POST.get("next") or request.GET.get("next", ""))
    if device is None:
        return render(request, "portal/entry_unlock.html", {"device": None})
    if request.method == "GET":
        if device.access.is_locked:
            return render(request, "portal/entry_locked.html")
        if getattr(request, "child_session", None) is not None:
            return redirect(target)
    form = UnlockForm(request.POST or None, initial={"next": target})
    if request.method == "POST" and form.is_valid():
        # Through the service even when locked: every attempt is logged (T10).
        result = services.unlock(device, pin=form.cleaned_data["pin"])
        match result.outcome:
            case services.UnlockOutcome.UNLOCKED:
                return redirect(target)
            case services.UnlockOutcome.LOCKED:
                return render(request, "portal/entry_locked.html")
            case services.UnlockOutcome.SIGNED_OUT:
                response = render(request, "portal/entry_unlock.html", {"device": None})
                delete_device_cookie(response)
                return response
            case services.UnlockOutcome.WRONG_PIN:
                form.add_error("pin", _wrong_pin_message(result.tries_left))
    elif request.method == "POST" and device.access.is_locked:
        return render(request, "portal/entry_locked.html")
    return render(request, "portal/entry_unlock.html", {"device": device, "form": form})


def _wrong_pin_message(tries_left: int) -> str:
    if tries_left > WARN_AT_TRIES_LEFT:
        return _("Pinkoden er forkert. Prøv igen.")
    return ngettext(
        "Pinkoden er forkert. Du har %(n)d forsøg tilbage. Derefter bliver din adgang låst.",
        "Pinkoden er forkert. Du har %(n)d forsøg tilbage. Derefter bliver din adgang låst.",
        tries_left,
    ) % {"n": tries_left}


@public
@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """POST: sign this device out for good (server-side) and clear what the browser kept, then
    show the logged-out page (GET), which changes nothing."""
    if request.method == "GET":
        return render(request, "portal/entry_logged_out.html")
    device = _device(request)
    if device is not None:
        services.log_out(device)
    response = redirect("portal:logout")
    delete_device_cookie(response)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'  # T23
    return response
