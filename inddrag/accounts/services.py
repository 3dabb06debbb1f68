"""State changes for accounts: each owns its transaction and its access event."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from inddrag.accounts.models import User
from inddrag.audit.log import Action, record
from inddrag.municipalities.models import Membership


class AccountError(Exception):
    pass


def locked_usernames(membership: Membership) -> list[str]:
    """Usernames of this municipality's staff that are locked out now."""
    usernames = Membership.objects.filter(
        municipality=membership.municipality, ended_at__isnull=True
    ).values_list("user__username", flat=True)
    # django-axes keeps one row per username, address and browser, and locks the account when
    # the rows of its username add up to the limit (five addresses, one failure each, lock it).
    return list(
        AccessAttempt.objects.filter(username__in=usernames)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("username")
        .values_list("username", flat=True)
    )


@transaction.atomic(durable=True)
def lift_lockout(*, username: str, by: User, membership: Membership, reason: str) -> int:
    """Lift a lockout of one of the municipality's users, with the reason in the access log."""
    reason = reason.strip()
    if not reason:
        raise AccountError("A reason is required")
    target = User.objects.filter(
        username=username,
        memberships__municipality=membership.municipality,
        memberships__ended_at__isnull=True,
    ).first()
    if target is None:
        raise AccountError("Unknown user in this municipality")
    removed: int = AccessAttempt.objects.filter(username=username).delete()[0]
    for device in TOTPDevice.objects.filter(user=target):
        device.throttle_reset(commit=True)
    record(
        Action.LOCKOUT_LIFTED,
        user=by,
        membership=membership,
        obj=target,
        criterion=f"{username}: {reason}",
    )
    return removed


@transaction.atomic(durable=True)
def disable_user(target: User, *, by: User, membership: Membership, reason: str) -> None:
    """Disable an account for good: its sessions stop working on their next request, because
    Django's ModelBackend no longer accepts an inactive user."""
    target = User.objects.select_for_update().get(pk=target.pk)
    if not target.is_active:
        raise AccountError("Already disabled")
    target.is_active = False
    target.disabled_at = timezone.now()
    target.disabled_reason = reason.strip()
    target.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    Membership.objects.filter(user=target, ended_at__isnull=True).update(
        ended_at=target.disabled_at
    )
    record(
        Action.ACCOUNT_DISABLED,
        user=by,
        membership=membership,
        obj=target,
        criterion=f"{target.username}: {reason.strip()}",
    )


@transaction.atomic(durable=True)
def lift_ip_lockout(*, ip: str, reason: str, operator: str) -> int:
    """Lift the lockout of an IP address (an operator's task: an address spans municipalities)."""
    reason = reason.strip()
    if not reason:
        raise AccountError("A reason is required")
    removed: int = AccessAttempt.objects.filter(ip_address=ip).delete()[0]
    record(Action.LOCKOUT_LIFTED, username=operator, criterion=f"ip {ip}: {reason}")
    return removed
