from __future__ import annotations

import time
from base64 import b32encode
from io import BytesIO
from typing import Any

import django_otp
import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from inddrag.accounts import services
from inddrag.accounts.forms import DisableUserForm, LiftLockoutForm, PasswordForm, TokenForm
from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.models import User
from inddrag.accounts.policy import Role, allow, public
from inddrag.audit.log import Action, record, refuse

PENDING_KEY = "pending_login"
PENDING_SECONDS = 300


def lockout_response(
    request: HttpRequest, response: Any = None, credentials: Any = None
) -> HttpResponse:
    """What a locked-out account or address sees (django-axes calls this)."""
    return render(request, "accounts/locked.html", status=429)


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def _safe_next(request: HttpRequest) -> str:
    target = request.session.get("login_next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return str(target)
    return "/"


def _finish_login(request: HttpRequest, user: User, device: TOTPDevice) -> HttpResponse:
    target = _safe_next(request)
    login(
        request, user, backend="django.contrib.auth.backends.ModelBackend"
    )  # rotates the session key
    django_otp.login(request, device)
    request.session["auth_started"] = request.session["last_seen"] = time.time()
    axes_reset(username=user.get_username())
    return redirect(target)


@public
@require_http_methods(["GET", "POST"])
def login_password(request: HttpRequest) -> HttpResponse:
    """Step 1: username and password. The answer is the same for unknown and known users."""
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if user is None:
            form.add_error(None, _("Brugernavnet eller adgangskoden er forkert."))
        else:
            next_url = request.GET.get("next", "")
            request.session.cycle_key()
            request.session[PENDING_KEY] = {"user": user.pk, "at": time.time()}
            request.session["login_next"] = next_url
            if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                return redirect("accounts:login_token")
            return redirect("accounts:enrol")
    return render(request, "accounts/login.html", {"form": form, "demo": settings.DEBUG})


def _is_locked(request: HttpRequest, user: User) -> bool:
    # The password step checked the lockout, but it may have been reached since (T10).
    return not AxesProxyHandler.is_allowed(request, {"username": user.get_username()})


def _token_is_valid(request: HttpRequest, user: User, device: TOTPDevice, token: str) -> bool:
    """Check a code; a wrong one counts like a wrong password (django-axes), so guessing codes
    locks the account too, and a locked account is refused even with the right code (T10)."""
    if not _is_locked(request, user) and device.verify_token(token):
        return True
    user_login_failed.send(
        sender=__name__,
        request=request,
        credentials={"username": user.get_username(), "stage": "otp"},
    )
    return False


@public
@require_http_methods(["GET", "POST"])
def login_token(request: HttpRequest) -> HttpResponse:
    """Step 2: the six-digit code from the authenticator app."""
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Start forfra: skriv dit brugernavn og din adgangskode."))
        return redirect("accounts:login")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("accounts:enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _token_is_valid(request, user, device, form.cleaned_data["otp_token"]):
            return _finish_login(request, user, device)
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request)
        form.add_error(
            "otp_token", _("Koden er forkert eller udløbet. Vent på en ny kode, og prøv igen.")
        )
    return render(request, "accounts/login_token.html", {"form": form})


@public
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """First login: connect an authenticator app by QR code, then confirm it with a code."""
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Start forfra: skriv dit brugernavn og din adgangskode."))
        return redirect("accounts:login")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:login_token")
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "app"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _token_is_valid(request, user, device, form.cleaned_data["otp_token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            messages.success(request, _("Din godkendelses-app er nu tilknyttet."))
            return _finish_login(request, user, device)
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request)
        form.add_error(
            "otp_token",
            _("Koden passer ikke. Tjek at appen viser Inddrag, og prøv med den nye kode."),
        )
    buffer = BytesIO()
    segno.make(device.config_url, error="m").save(
        buffer,
        kind="svg",
        scale=4,
        border=2,
        xmldecl=False,
        svgns=True,
        title=_("QR-kode til godkendelses-app"),
    )
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr_svg": buffer.getvalue().decode(),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(Action.LOGOUT, user=request.user, membership=getattr(request, "membership", None))
    logout(request)  # flushes the session server-side
    messages.success(request, _("Du er logget ud."))
    response = redirect("accounts:login")
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


@allow(Role.LEADER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def lockouts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Locked staff accounts of the municipality, each lifted with a recorded reason."""
    form = LiftLockoutForm(request.POST or None)
    locked = services.locked_usernames(request.membership)
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["username"] in locked:
            services.lift_lockout(
                username=form.cleaned_data["username"],
                by=request.user,
                membership=request.membership,
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request,
                _("Spærringen af %(user)s er ophævet.") % {"user": form.cleaned_data["username"]},
            )
            return redirect("accounts:lockouts")
        if form.is_valid():
            form.add_error(
                None, _("Kontoen er ikke spærret, eller den hører ikke til din kommune.")
            )
    users = {u.username: u for u in User.objects.filter(username__in=locked)}
    return render(
        request,
        "accounts/lockouts.html",
        {
            "rows": [(name, users.get(name)) for name in locked],
            "form": form,
            "failed_username": form.data.get("username") if form.is_bound else None,
        },
    )


@allow(Role.ADMIN)
@require_http_methods(["GET"])
def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    members = (
        User.objects.filter(memberships__municipality=request.membership.municipality)
        .distinct()
        .order_by("last_name", "first_name", "username")
        .prefetch_related("memberships__unit")
    )
    return render(request, "accounts/users.html", {"members": members})


@allow(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def disable(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    target = (
        User.objects.filter(memberships__municipality=request.membership.municipality)
        .distinct()
        .filter(code=code)
        .first()
    )
    if target is None:  # not this municipality's: a 404 like any unknown code, and logged (T1)
        refuse(request, f"user {code}")
    form = DisableUserForm(request.POST or None)
    if target == request.user:
        messages.error(request, _("Du kan ikke deaktivere din egen konto."))
        return redirect("accounts:users")
    if request.method == "POST" and form.is_valid():
        try:
            services.disable_user(
                target,
                by=request.user,
                membership=request.membership,
                reason=form.cleaned_data["reason"],
            )
        except services.AccountError:
            messages.info(request, _("Kontoen var allerede deaktiveret."))
        else:
            messages.success(
                request, _("%(user)s er deaktiveret og logget ud overalt.") % {"user": target}
            )
        return redirect("accounts:users")
    return render(request, "accounts/disable.html", {"target": target, "form": form})
