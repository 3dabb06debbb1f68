from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inddrag.municipalities.models import Membership


class AccessEvent(models.Model):
    """One use of a child's personal data, a login attempt or a denied request.

    Rows are append-only: the application never updates or deletes them, and database triggers
    (see migration 0002) refuse UPDATE and DELETE. Each row carries the hash of the previous row
    in its chain (one chain per municipality, chain 0 for events outside any municipality), so
    `manage.py verify_access_log` finds an edited, inserted or deleted row.
    """

    class Action(models.TextChoices):
        READ = "read", _("Læst")
        LIST = "list", _("Liste vist")
        SEARCH = "search", _("Søgning")
        CREATE = "create", _("Oprettet")
        UPDATE = "update", _("Ændret")
        DELETE = "delete", _("Slettet")
        EXPORT = "export", _("Udtræk")
        REVEAL_CPR = "reveal_cpr", _("CPR-nummer vist")
        LOGIN_OK = "login_ok", _("Login")
        LOGIN_FAIL = "login_fail", _("Mislykket login")
        LOGOUT = "logout", _("Logud")
        LOCKED_OUT = "locked_out", _("Spærret")
        LOCKOUT_LIFTED = "lockout_lifted", _("Spærring ophævet")
        ACCOUNT_DISABLED = "account_disabled", _("Konto deaktiveret")
        DENIED = "denied", _("Adgang nægtet")

    chain = models.BigIntegerField(editable=False)
    seq = models.BigIntegerField(editable=False)
    occurred_at = models.DateTimeField(editable=False)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=20, choices=Action)
    # No foreign key constraint: retention may delete a child, and the log row must stay as it is.
    child = models.ForeignKey(
        "children.Child",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    object_type = models.CharField(max_length=40, blank=True)
    object_code = models.CharField(max_length=36, blank=True)
    criterion = models.CharField(max_length=300, blank=True)  # search criterion, CPR masked
    request_id = models.CharField(max_length=32, blank=True)
    ip = models.GenericIPAddressField(null=True)
    path = models.CharField(max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("adgangshændelse")
        verbose_name_plural = _("adgangslog")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="accessevent_chain_seq_unique"),
        ]
        indexes = [
            # Administrator search: by municipality and time, by user, by child.
            models.Index(fields=["municipality", "occurred_at"], name="accessevent_muni_time"),
            models.Index(fields=["user", "occurred_at"], name="accessevent_user_time"),
            models.Index(fields=["child", "occurred_at"], name="accessevent_child_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.username}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard, not domain behaviour: the log is append-only (the DB triggers agree).
        if not self._state.adding:
            raise ValueError("AccessEvent rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("AccessEvent rows are append-only")

    def get_role_display(self) -> str:
        return (
            str(Membership.Role(self.role).label)
            if self.role in Membership.Role.values
            else self.role
        )

    def compute_hash(self) -> str:
        """SHA-256 over every recorded field and the previous row's hash (pure)."""
        parts: list[Any] = [
            self.chain,
            self.seq,
            self.occurred_at.isoformat(timespec="microseconds"),
            self.municipality_id,
            self.user_id,
            self.username,
            self.role,
            self.action,
            self.child_id,
            self.object_type,
            self.object_code,
            self.criterion,
            self.request_id,
            self.ip,
            self.path,
            self.prev_hash,
        ]
        text = "\x1f".join("" if part is None else str(part) for part in parts)
        return hashlib.sha256(text.encode()).hexdigest()


class ChainHead(models.Model):
    """The newest seq and hash of one access-log chain; its row lock serialises appends."""

    chain = models.BigIntegerField(unique=True)
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"chain {self.chain} at {self.seq}"
