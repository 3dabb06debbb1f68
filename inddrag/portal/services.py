"""State changes of the child's way in (issue 5, security 6.4.1, T10, T11): one function per
change, each owning its transaction and writing its access event.

- A caseworker issues a one-time invitation code; only its SHA-256 is stored.
- The child redeems it once, chooses a PIN, and gets a device session (a signed cookie).
- The PIN unlocks the device again after a pause; MAX_WRONG_PINS wrong PINs lock the access.
- Logging out revokes the device server-side; a caseworker's reset revokes all of them.

Slow password hashing runs before the transaction, so the database's write lock is never held
while a PIN is hashed."""

from __future__ import annotations

import enum
import hashlib
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from inddrag.accounts.models import User
from inddrag.accounts.policy import CHILD
from inddrag.audit.log import Action, record
from inddrag.children.models import Case
from inddrag.municipalities.models import Membership
from inddrag.portal.access import record_for_child
from inddrag.portal.models import ChildAccess, DeviceSession, EntryAttempt, Invitation
from inddrag.portal.session import new_token, token_hash

# No 0/O and no 1/I: a child copies the code from paper. 32 signs, 10 of them: 2^50 codes.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10
INVITATION_HOURS = 72
MAX_WRONG_PINS = 5
# T10: this many wrong codes from one address within the window, and that address is refused
# until the oldest of them is older than the window.
CODE_ATTEMPTS_PER_IP = 10
CODE_ATTEMPT_WINDOW = timedelta(hours=1)
# A second submit of the same redeem form within this time signs the same device in again.
REPEAT_SECONDS = 120
# What the access log says instead of the code (never the code itself, not even a part of it).
HIDDEN_CODE = "invitation code ****-****-**"

# Spaces, dashes and any other punctuation a child may type between the groups.
_SEPARATORS = re.compile(r"[\W_]+")


class InvitationStale(Exception):
    """A newer code was made since the caseworker opened the page (a double submit, or a
    colleague): nothing is issued, so the printed letter's code stays valid."""


class UnlockOutcome(enum.Enum):
    UNLOCKED = "unlocked"
    WRONG_PIN = "wrong_pin"
    LOCKED = "locked"  # locked now or before: even the right PIN is refused
    SIGNED_OUT = "signed_out"  # the device was revoked meanwhile (a reset, a logout elsewhere)


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    code: str  # the plain code, grouped: show it once, never store or log it


@dataclass(frozen=True)
class NewDevice:
    device: DeviceSession
    token: str  # for the signed cookie; only its SHA-256 is stored


@dataclass(frozen=True)
class UnlockResult:
    outcome: UnlockOutcome
    tries_left: int = 0


# ---------------------------------------------------------------------------------------------
# Codes


def new_code() -> str:
    """A fresh invitation code from the operating system's CSPRNG (ASVS 6.4.1)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """The code as stored: capitals, without the spaces and dashes a child may type."""
    return _SEPARATORS.sub("", typed).upper()


def group_code(code: str) -> str:
    """ "K7QMXR4T9B" → "K7QM-XR4T-9B", easier to read aloud and to copy."""
    code = normalise_code(code)
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def is_well_formed(code: str) -> bool:
    """Could this (normalised) code be one of ours? Says nothing about whether it exists."""
    return len(code) == CODE_LENGTH and all(sign in CODE_ALPHABET for sign in code)


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def throttle_key(ip: str | None) -> str:
    """The address a wrong code counts against: an IPv6 address as its /64 network (one
    household or phone gets a whole /64), an unknown address as "::" (all unknown together)."""
    if not ip:
        return "::"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "::"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


# ---------------------------------------------------------------------------------------------
# The caseworker's side


def _child_access_for(case: Case, *, by: User, membership: Membership) -> ChildAccess:
    """The child's ChildAccess, made (and logged) if the child never had one."""
    access, created = ChildAccess.objects.get_or_create(
        child_id=case.child_id,
        defaults={"municipality_id": case.municipality_id, "created_by": by},
    )
    if created:
        record(Action.CREATE, user=by, membership=membership, child=case.child, obj=access)
    # Concurrent invitations for one child wait for each other here (PostgreSQL; SQLite's
    # IMMEDIATE transactions already run one at a time).
    return ChildAccess.objects.select_for_update().get(pk=access.pk)


@transaction.atomic(durable=True)
def issue_invitation(
    case: Case, *, by: User, membership: Membership, seen_latest: UUID | None
) -> IssuedInvitation:
    """Make a new invitation code for the case's child, valid INVITATION_HOURS, and withdraw the
    child's earlier unused codes.

    `seen_latest` is the newest invitation the caseworker's page showed (None: none). If a newer
    one exists, InvitationStale is raised and nothing changes: a reloaded or doubled form must
    not withdraw the code the caseworker just printed."""
    access = _child_access_for(case, by=by, membership=membership)
    latest = access.invitations.order_by("-created_at", "-pk").values_list("code", flat=True)
    newest = latest.first()
    if newest is not None and newest != seen_latest:
        raise InvitationStale(str(case.code))
    now = timezone.now()
    access.invitations.filter(used_at=None, withdrawn_at=None).update(withdrawn_at=now)
    for _attempt in range(3):
        code = new_code()
        invitation = Invitation(
            municipality_id=access.municipality_id,
            access=access,
            code_hash=code_hash(code),
            expires_at=now + timedelta(hours=INVITATION_HOURS),
            created_by=by,
        )
        try:
            with transaction.atomic():
                invitation.save(force_insert=True)
            break
        except IntegrityError:  # the same hash already exists: about 1 in 2^50; draw again
            continue
    else:
        raise RuntimeError("Could not draw an unused invitation code")
    record(Action.CREATE, user=by, membership=membership, child=case.child, obj=invitation)
    return IssuedInvitation(invitation=invitation, code=group_code(code))


@transaction.atomic(durable=True)
def reset_access(access: ChildAccess, *, by: User, membership: Membership) -> int:
    """Start the child's access over: every device is signed out, the PIN and the lock are
    cleared, and open codes stop working. The child needs a new code. Returns how many devices
    were signed out."""
    access = ChildAccess.objects.select_for_update().select_related("child").get(pk=access.pk)
    now = timezone.now()
    was_locked = access.is_locked
    signed_out = access.devices.filter(revoked_at=None).update(revoked_at=now)
    access.invitations.filter(used_at=None, withdrawn_at=None).update(withdrawn_at=now)
    access.pin_hash = ""
    access.failed_pins = 0
    access.locked_at = None
    access.save(update_fields=["pin_hash", "failed_pins", "locked_at"])
    record(
        Action.UPDATE,
        user=by,
        membership=membership,
        child=access.child,
        obj=access,
        criterion=f"child access reset: {signed_out} device(s) signed out",
    )
    if was_locked:
        record(
            Action.LOCKOUT_LIFTED,
            user=by,
            membership=membership,
            child=access.child,
            obj=access,
            criterion="child access reset by the caseworker",
        )
    return signed_out


SETTINGS_FIELDS = ("simple_mode", "notify_phone", "notify_email")


@transaction.atomic(durable=True)
def update_access_settings(
    access: ChildAccess,
    *,
    by: User,
    membership: Membership,
    simple_mode: bool,
    notify_phone: str,
    notify_email: str,
) -> list[str]:
    """Save the caseworker's choices for the child's access; returns the names of the fields
    that changed (the access event names them, never their values)."""
    access = ChildAccess.objects.select_for_update().select_related("child").get(pk=access.pk)
    new = {"simple_mode": simple_mode, "notify_phone": notify_phone, "notify_email": notify_email}
    changed = [name for name in SETTINGS_FIELDS if getattr(access, name) != new[name]]
    if changed:
        for name in changed:
            setattr(access, name, new[name])
        access.full_clean(exclude=["municipality", "child", "created_by"])
        access.save(update_fields=changed)
    record(
        Action.UPDATE,
        user=by,
        membership=membership,
        child=access.child,
        obj=access,
        criterion=f"child access settings: {', '.join(changed) or 'no change'}",
    )
    return changed


# ---------------------------------------------------------------------------------------------
# The child's side


def _record_child(
    action: str, access: ChildAccess, *, obj: object | None = None, criterion: str = ""
) -> None:
    """As portal.access.record_child, for the moments before the child has a session."""
    record_for_child(access, action, obj=obj, criterion=criterion)


def _is_throttled(key: str, now: datetime) -> bool:
    since = now - CODE_ATTEMPT_WINDOW
    return (
        EntryAttempt.objects.filter(ip=key, attempted_at__gt=since).count() >= CODE_ATTEMPTS_PER_IP
    )


def _refuse_code(hashed: str, key: str, now: datetime) -> None:
    """Log a code that opened nothing, and count it against the address."""
    EntryAttempt.objects.filter(attempted_at__lte=now - CODE_ATTEMPT_WINDOW).delete()
    EntryAttempt.objects.create(ip=key, attempted_at=now)
    known = (
        Invitation.objects.filter(code_hash=hashed)
        .select_related("access__child", "access__municipality")
        .first()
    )
    if known is None:
        record(Action.LOGIN_FAIL, criterion=f"{HIDDEN_CODE}: unknown", role=CHILD)
        return
    if known.used_at is not None:
        reason = "already used"
    elif known.withdrawn_at is not None:
        reason = "withdrawn"
    else:
        reason = "expired"
    # Logged in the child's municipality, but not as the child: anyone may have typed it.
    record(
        Action.LOGIN_FAIL,
        municipality=known.access.municipality,
        child=known.access.child,
        obj=known,
        criterion=f"{HIDDEN_CODE}: {reason}",
        role=CHILD,
    )


def device_token(submit_token: UUID) -> str:
    """The device token a redeem form makes: derived from the form's random one-time token with
    the server's key, so a second submit of the same form finds the same device (below), and
    nobody without the key can compute it."""
    return salted_hmac("inddrag.portal.redeem", str(submit_token), algorithm="sha256").hexdigest()


def redeem_invitation(
    code: str,
    *,
    pin: str,
    submit_token: UUID,
    ip: str | None,
    replaces: DeviceSession | None = None,
) -> NewDevice | None:
    """Use an invitation code once: the child's new PIN is set, the lock cleared, and this
    device signed in. None for a code that is unknown, used, withdrawn or expired, or when the
    address has tried too many wrong codes (T10): all the same to the caller, and all logged.

    The same form sent again within REPEAT_SECONDS (a double tap: the browser may drop the
    first answer and its cookie) signs the same device in again instead of refusing the now
    used code; it needs the form's token, the code and the PIN. `replaces` is a device session
    this browser already had; it is revoked, as its cookie is replaced."""
    # Hashed for every attempt, the refused ones too, so they all take the same time.
    pin_hash = make_password(pin)
    return _redeem(
        code_hash(code),
        pin=pin,
        pin_hash=pin_hash,
        token=device_token(submit_token),
        key=throttle_key(ip),
        replaces=replaces,
    )


@transaction.atomic(durable=True)
def _redeem(
    hashed: str,
    *,
    pin: str,
    pin_hash: str,
    token: str,
    key: str,
    replaces: DeviceSession | None,
) -> NewDevice | None:
    now = timezone.now()
    if _is_throttled(key, now):
        record(Action.LOGIN_FAIL, criterion=f"{HIDDEN_CODE}: too many wrong codes", role=CHILD)
        return None
    # Single use, also when two devices send the same code at once: one UPDATE wins.
    taken = Invitation.objects.filter(
        code_hash=hashed, used_at=None, withdrawn_at=None, expires_at__gt=now
    ).update(used_at=now)
    if taken != 1:
        again = _same_form_again(hashed, pin=pin, token=token, now=now)
        if again is not None:
            return again
        _refuse_code(hashed, key, now)
        return None
    invitation = Invitation.objects.select_related("access__child", "access__municipality").get(
        code_hash=hashed
    )
    access = invitation.access
    ChildAccess.objects.filter(pk=access.pk).update(
        pin_hash=pin_hash, failed_pins=0, locked_at=None
    )
    if access.is_locked:
        _record_child(Action.LOCKOUT_LIFTED, access, criterion="new invitation code used")
    if replaces is not None:
        DeviceSession.objects.filter(pk=replaces.pk, revoked_at=None).update(revoked_at=now)
    if DeviceSession.objects.filter(token_hash=token_hash(token)).exists():
        # The same form with a second, different code (a page restored from the back-forward
        # cache): its token is taken, so this device gets a random one.
        token = new_token()
    device = DeviceSession.objects.create(
        municipality_id=access.municipality_id,
        access=access,
        token_hash=token_hash(token),
        last_seen_at=now,
        unlocked_at=now,
    )
    _record_child(Action.LOGIN_OK, access, obj=invitation, criterion="invitation code used")
    return NewDevice(device=device, token=token)


def _same_form_again(hashed: str, *, pin: str, token: str, now: datetime) -> NewDevice | None:
    """The device a submit of the same form made from this code moments ago, if the PIN is the
    one chosen then; else None."""
    since = now - timedelta(seconds=REPEAT_SECONDS)
    device = (
        DeviceSession.objects.filter(
            token_hash=token_hash(token),
            revoked_at=None,
            created_at__gte=since,
            access__invitations__code_hash=hashed,
            access__invitations__used_at__gte=since,
        )
        .select_related("access__child", "access__municipality")
        .first()
    )
    if device is None or not check_password(pin, device.access.pin_hash):
        return None
    _record_child(Action.LOGIN_OK, device.access, criterion="invitation code: same form again")
    return NewDevice(device=device, token=token)


def unlock(device: DeviceSession, *, pin: str) -> UnlockResult:
    """Check the child's PIN on a known device. A right PIN unlocks the device; a wrong one
    counts, and the MAX_WRONG_PINS-th locks the access (T10). A locked
    access refuses even the right PIN. Every attempt is logged."""
    checked_against = device.access.pin_hash
    right = bool(checked_against) and check_password(pin, checked_against)
    return _apply_unlock(device.pk, right=right, checked_against=checked_against, pin=pin)


@transaction.atomic(durable=True)
def _apply_unlock(device_pk: int, *, right: bool, checked_against: str, pin: str) -> UnlockResult:
    device = (
        DeviceSession.objects.select_for_update()
        .filter(pk=device_pk, revoked_at=None)
        .select_related("access__child", "access__municipality")
        .first()
    )
    if device is None:
        return UnlockResult(UnlockOutcome.SIGNED_OUT)
    access = device.access
    if access.is_locked:
        _record_child(Action.LOGIN_FAIL, access, criterion="PIN refused: access locked")
        return UnlockResult(UnlockOutcome.LOCKED)
    if access.pin_hash != checked_against:  # a new PIN was chosen in between (rare)
        right = bool(access.pin_hash) and check_password(pin, access.pin_hash)
    now = timezone.now()
    if right:
        # The token stays: a doubled submit must not leave the browser with a dead cookie (the
        # child would need a new code). A new token comes with each code (redeem_invitation).
        DeviceSession.objects.filter(pk=device.pk).update(unlocked_at=now, last_seen_at=now)
        if access.failed_pins:
            ChildAccess.objects.filter(pk=access.pk).update(failed_pins=0)
        _record_child(Action.LOGIN_OK, access, criterion="PIN")
        return UnlockResult(UnlockOutcome.UNLOCKED)
    ChildAccess.objects.filter(pk=access.pk).update(failed_pins=F("failed_pins") + 1)
    failed = ChildAccess.objects.values_list("failed_pins", flat=True).get(pk=access.pk)
    _record_child(Action.LOGIN_FAIL, access, criterion=f"wrong PIN ({failed} in a row)")
    if failed < MAX_WRONG_PINS:
        return UnlockResult(UnlockOutcome.WRONG_PIN, tries_left=MAX_WRONG_PINS - failed)
    locked = ChildAccess.objects.filter(pk=access.pk, locked_at=None).update(locked_at=now)
    if locked:
        _record_child(Action.LOCKED_OUT, access, criterion=f"{MAX_WRONG_PINS} wrong PINs in a row")
    return UnlockResult(UnlockOutcome.LOCKED)


@transaction.atomic(durable=True)
def log_out(device: DeviceSession) -> None:
    """Revoke the device session server-side: its cookie opens nothing any more (T11)."""
    revoked = DeviceSession.objects.filter(pk=device.pk, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if revoked:
        access = ChildAccess.objects.select_related("child", "municipality").get(
            pk=device.access_id
        )
        _record_child(Action.LOGOUT, access)
