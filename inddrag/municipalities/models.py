from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    """A tenant. Every tenant table carries `municipality` so it can be distributed by it."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("navn"), max_length=100, unique=True)
    cvr = models.CharField(_("CVR-nummer"), max_length=8, unique=True)
    municipality_code = models.CharField(_("kommunekode"), max_length=3, unique=True)

    class Meta:
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cvr__regex=r"^[0-9]{8}$"), name="municipality_cvr_8_digits"
            ),
            models.CheckConstraint(
                condition=Q(municipality_code__regex=r"^[0-9]{3}$"),
                name="municipality_code_3_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A team or section inside a municipality (e.g. "Børn og Unge, Team Vest")."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("navn"), max_length=100)
    disabled_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("enhed")
        verbose_name_plural = _("enheder")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="unit_name_unique_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one municipality. Roles outside the municipality staff come later
    (child, bisidder, bridge builder, NGO staff, evaluator) and use the same table."""

    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("Sagsbehandler")
        LEADER = "leader", _("Leder")
        ADMIN = "admin", _("Kommune-administrator")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="memberships"
    )
    # A leader leads a unit; a caseworker belongs to one. Administrators span the municipality.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(_("rolle"), max_length=20, choices=Role)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("medlemskab")
        verbose_name_plural = _("medlemskaber")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "role"],
                condition=Q(ended_at__isnull=True),
                name="membership_one_active_role_per_municipality",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["caseworker", "leader", "admin"]),
                name="membership_role_valid",
            ),
        ]
        indexes = [
            # MembershipMiddleware looks up the active memberships of the user on every request.
            models.Index(fields=["user", "ended_at"], name="membership_user_active"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.municipality}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
