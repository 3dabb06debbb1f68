"""Every login attempt goes into the access log (ASVS 16.3.1, T5, T10)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from inddrag.accounts.models import User
from inddrag.audit.log import Action, record
from inddrag.municipalities.models import Membership, Municipality


def _municipality_of(user: User | None) -> Municipality | None:
    if user is None:
        return None
    membership = (
        Membership.objects.filter(user=user, ended_at__isnull=True)
        .select_related("municipality")
        .first()
    )
    return membership.municipality if membership else None


@receiver(user_logged_in)
def log_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    record(Action.LOGIN_OK, user=user, municipality=_municipality_of(user))


@receiver(user_login_failed)
def log_login_failure(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    user = User.objects.filter(username=username).first()
    record(
        Action.LOGIN_FAIL,
        user=user,
        username=username,
        municipality=_municipality_of(user),
        criterion=str(credentials.get("stage", "password")),
    )


@receiver(user_locked_out)
def log_lockout(
    sender: Any,
    request: Any,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    user = User.objects.filter(username=username).first() if username else None
    record(
        Action.LOCKED_OUT,
        user=user,
        username=username or "",
        municipality=_municipality_of(user),
        criterion=f"ip {ip_address}" if ip_address else "",
    )
