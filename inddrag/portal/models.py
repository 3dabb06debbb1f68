"""The child channel's own records: how a child gets in (invitation code, PIN, device sessions)
and what the child sends to the caseworker."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inddrag.children.models import Case, Child
from inddrag.municipalities.models import Municipality


class ChildAccess(models.Model):
    """A child's access to the child channel: the PIN, the lock after wrong PINs, and the
    child's choices. One per child; made when the caseworker first invites the child.

    MitID (age 13+) can come later as a second way in: it would unlock the same ChildAccess
    instead of the PIN, so nothing else here depends on how the child signed in."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    child = models.OneToOneField(Child, on_delete=models.PROTECT, related_name="access")
    pin_hash = models.CharField(max_length=200, blank=True)  # make_password; "" until chosen
    failed_pins = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)  # too many wrong PINs
    # Pictures, emoji scales and read-aloud, for younger children (about 6-9) or anyone.
    simple_mode = models.BooleanField(_("enkel udgave med billeder og oplæsning"), default=False)
    # Where "Du har en ny besked i Inddrag" goes; never any content (portal/notify.py).
    notify_phone = models.CharField(_("mobilnummer til beskeder"), max_length=20, blank=True)
    notify_email = models.EmailField(_("e-mail til beskeder"), blank=True)
    # "Det skal du vide om mig": the child's one-page profile for a new caseworker.
    about_me = models.TextField(_("Det skal du vide om mig"), max_length=3000, blank=True)
    about_me_updated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("barnets adgang")
        verbose_name_plural = _("børns adgang")

    def __str__(self) -> str:
        return f"{self.child}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Invitation(models.Model):
    """A one-time invitation code (security 6.4.1): random from a CSPRNG, stored only as its
    SHA-256, single use, valid 72 hours. Shown once to the caseworker, who gives it to the child
    (a printable letter)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    access = models.ForeignKey(ChildAccess, on_delete=models.CASCADE, related_name="invitations")
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)  # a newer code replaced it
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitationskode")
        verbose_name_plural = _("invitationskoder")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="invitation_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.access} {self.created_at:%Y-%m-%d}"


class DeviceSession(models.Model):
    """One of the child's devices: a long-lived signed cookie holds a random token, stored here
    only as its SHA-256. Logging out (or a caseworker's reset) revokes it server-side."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    access = models.ForeignKey(ChildAccess, on_delete=models.CASCADE, related_name="devices")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()
    unlocked_at = models.DateTimeField(null=True, blank=True)  # the last right PIN
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("barnets enhed")
        verbose_name_plural = _("barnets enheder")

    def __str__(self) -> str:
        return f"{self.access} {self.created_at:%Y-%m-%d}"


class ChildMessage(models.Model):
    """Something the child sent to the caseworker from the child channel. Every one is answered;
    one without an answer after 2 working days is overdue on the caseload. "Jeg føler mig ikke
    tryg" is urgent and is never hidden by the child's sharing choices."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Sig din mening")
        BISIDDER = "bisidder", _("Ønsker en bisidder")
        UNSAFE = "unsafe", _("Føler sig ikke tryg")
        CALL_ME = "call_me", _("Forstår ikke brevet: ring til mig")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="messages")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="child_messages")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.MESSAGE)
    text = models.TextField(_("besked"), max_length=3000, blank=True)
    sent_at = models.DateTimeField()
    # The form's one-time token: a second submit of the same form finds this row (T20).
    submit_token = models.UUIDField(unique=True, editable=False)
    # "Jeg forstår det ikke — ring til mig" on a letter: the letter it is about.
    letter = models.ForeignKey(
        "letters.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(_("svar til barnet"), max_length=3000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("besked fra barnet")
        verbose_name_plural = _("beskeder fra barnet")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["message", "bisidder", "unsafe", "call_me"]),
                name="childmessage_kind",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="childmessage_answered_with_text",
            ),
        ]
        indexes = [
            # The caseload: unanswered messages and urgent flags per case.
            models.Index(fields=["case", "answered_at"], name="childmessage_case_open"),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.get_kind_display()} {self.sent_at:%Y-%m-%d}"


class EntryAttempt(models.Model):
    """A wrong invitation code, by network address: the per-address throttle of T10.

    A table, not the cache: CACHES is per process, so a cache counter would reset with every
    worker. Rows older than the throttle window are deleted as new ones are written, so the
    table holds one window's wrong codes at most. No municipality: a wrong code belongs to no
    one, and an address that guesses is throttled for all municipalities."""

    ip = models.GenericIPAddressField()  # an IPv6 address is kept as its /64 network
    attempted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("forkert invitationskode")
        verbose_name_plural = _("forkerte invitationskoder")
        indexes = [
            # The throttle: wrong codes from one address within the window.
            models.Index(fields=["ip", "attempted_at"], name="entryattempt_ip_time"),
            # The pruning of rows older than the window.
            models.Index(fields=["attempted_at"], name="entryattempt_time"),
        ]

    def __str__(self) -> str:
        return f"{self.ip} {self.attempted_at:%Y-%m-%d %H:%M}"
