"""The child's device session: a long-lived signed cookie with a random token (stored only as
its SHA-256 in DeviceSession), unlocked by the child's PIN for a short while at a time.

- A device is known for DEVICE_DAYS after the child redeemed an invitation code on it; it needs
  the PIN again after UNLOCK_IDLE_SECONDS without a request.
- Logging out, a caseworker's reset or a locked access ends it server-side: the cookie alone
  opens nothing (toolchain appendix B, section 4).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from inddrag.portal.models import DeviceSession

COOKIE_SALT = "inddrag.portal.device"
DEVICE_DAYS = 180
UNLOCK_IDLE_SECONDS = 15 * 60


def cookie_name() -> str:
    """`__Host-` whenever cookies are Secure (not in local development over http)."""
    return "__Host-inddrag-barn" if settings.SESSION_COOKIE_SECURE else "inddrag-barn"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def set_device_cookie(response: HttpResponse, token: str) -> None:
    response.set_signed_cookie(
        cookie_name(),
        token,
        salt=COOKIE_SALT,
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        path="/",
    )


def delete_device_cookie(response: HttpResponse) -> None:
    response.delete_cookie(cookie_name(), path="/", samesite="Lax")


def device_of(request: HttpRequest) -> DeviceSession | None:
    """The request's known, unrevoked device session, unlocked or not (one query)."""
    token = request.get_signed_cookie(
        cookie_name(), default=None, salt=COOKIE_SALT, max_age=DEVICE_DAYS * 86400
    )
    if not token:
        return None
    return (
        DeviceSession.objects.filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .select_related("access__child", "access__municipality")
        .first()
    )


def is_unlocked(device: DeviceSession, *, now: datetime) -> bool:
    return (
        device.unlocked_at is not None
        and not device.access.is_locked
        and now - device.last_seen_at <= timedelta(seconds=UNLOCK_IDLE_SECONDS)
    )


class ChildSessionMiddleware:
    """Sets `request.child_device` (a known device, maybe waiting for the PIN) and
    `request.child_session` (the same device when unlocked; what child views require, see
    AccessPolicyMiddleware). Moves the idle clock at most once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.child_device = None  # type: ignore[attr-defined]
        request.child_session = None  # type: ignore[attr-defined]
        if request.COOKIES.get(cookie_name()):
            device = device_of(request)
            now = timezone.now()
            request.child_device = device  # type: ignore[attr-defined]
            if device is not None and is_unlocked(device, now=now):
                request.child_session = device  # type: ignore[attr-defined]
                if now - device.last_seen_at >= timedelta(seconds=60):
                    DeviceSession.objects.filter(pk=device.pk).update(last_seen_at=now)
                    device.last_seen_at = now
        return self.get_response(request)
