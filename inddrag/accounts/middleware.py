from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_otp.middleware import OTPMiddleware as BaseOTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from inddrag.accounts.policy import policy_of
from inddrag.audit.log import Action, record
from inddrag.lib.prepared import Prepared

Middleware = Callable[[HttpRequest], HttpResponse]

_TOTP_LABEL = TOTPDevice._meta.label_lower  # "otp_totp.totpdevice", as in a persistent id
_totp_device = Prepared(lambda pk: TOTPDevice.objects.filter(pk=pk).order_by()[:1], pk=-7_070_710)


class OTPMiddleware(BaseOTPMiddleware):  # type: ignore[misc]  # django-otp has no types
    """django-otp's middleware, with the TOTP device of every signed-in request read by SQL built
    once (lib/prepared.py). django-otp still checks that the device is the user's and confirmed
    (`_finalize_device`); other kinds of device go through django-otp unchanged."""

    def _device_from_persistent_id(self, persistent_id: str) -> Any:
        label, _slash, pk = self._normalize_persistent_id(persistent_id).rpartition("/")
        if label == _TOTP_LABEL and pk.isdigit():
            found = _totp_device(pk=int(pk))
            return found[0] if found else None
        return super()._device_from_persistent_id(persistent_id)


class SessionTimeoutMiddleware:
    """Logs a user out after SESSION_IDLE_SECONDS without a request, or SESSION_ABSOLUTE_SECONDS
    after login. The idle clock is saved at most once a minute to spare a session write per page."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get("last_seen", now)
            started = request.session.get("auth_started", now)
            if (
                now - last_seen > settings.SESSION_IDLE_SECONDS
                or now - started > settings.SESSION_ABSOLUTE_SECONDS
            ):
                record(Action.LOGOUT, user=request.user, criterion="session expired")
                logout(request)
                messages.info(
                    request,
                    _("Du er blevet logget ud, fordi du ikke har været aktiv et stykke tid."),
                )
            elif now - last_seen >= 60 or "last_seen" not in request.session:
                request.session["last_seen"] = now
                request.session.setdefault("auth_started", now)
        return self.get_response(request)


class AccessPolicyMiddleware:
    """Enforces each view's `access_policy` before the view runs; a view without one is refused."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        policy = policy_of(view)
        if policy is not None and policy.is_public:
            return None
        if policy is not None and policy.is_child:
            if getattr(request, "child_session", None) is None:
                return redirect_to_login(request.get_full_path(), settings.CHILD_LOGIN_URL)
            return None
        user = request.user
        if not user.is_authenticated or not user.is_verified():  # type: ignore[attr-defined]
            return redirect_to_login(request.get_full_path())
        membership = getattr(request, "membership", None)
        if policy is not None and policy.is_operator and not user.is_operator:
            record(
                Action.DENIED,
                user=user,
                membership=membership,
                criterion=f"not the platform operator: {request.path}",
            )
            return render(request, "403.html", status=403)
        if policy is not None and not policy.needs_membership:
            return None
        if policy is not None and membership is None:
            return redirect("municipalities:choose")
        if policy is None or membership is None or membership.role not in policy.roles:
            match = request.resolver_match
            record(
                Action.DENIED,
                user=user,
                membership=membership,
                criterion=f"role not allowed: {match.view_name if match else ''}",
            )
            return render(request, "403.html", status=403)
        return None


class NoStoreMiddleware:
    """Nothing the application renders may be kept by a browser or proxy cache (ASVS 14.3.2).
    Static files are served by WhiteNoise before this runs and keep their long cache."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        return response
