from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from inddrag.lib.dates import age_on
from inddrag.municipalities.models import Municipality, Unit


class Child(models.Model):
    """A child or young person known to one municipality."""

    class Language(models.TextChoices):
        DANISH = "da", _("Dansk")
        ENGLISH = "en", _("Engelsk")
        ARABIC = "ar", _("Arabisk")
        SOMALI = "so", _("Somali")
        UKRAINIAN = "uk", _("Ukrainsk")
        TURKISH = "tr", _("Tyrkisk")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="children"
    )
    first_name = models.CharField(_("fornavn"), max_length=100)
    last_name = models.CharField(_("efternavn"), max_length=100)
    birth_date = models.DateField(_("fødselsdato"))
    # Stored whole, shown masked (DDMMYY-xxxx); revealing it is a logged action.
    cpr = models.CharField(_("CPR-nummer"), max_length=10)
    has_protected_address = models.BooleanField(_("navne- og adressebeskyttelse"), default=False)
    preferred_language = models.CharField(
        _("foretrukket sprog"), max_length=5, choices=Language, default=Language.DANISH
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("barn")
        verbose_name_plural = _("børn")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "cpr"], name="child_cpr_unique_per_municipality"
            ),
            models.CheckConstraint(
                condition=Q(cpr__regex=r"^[0-9]{10}$"), name="child_cpr_10_digits"
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "last_name", "first_name"], name="child_muni_name")
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def masked_cpr(self) -> str:
        return f"{self.cpr[:6]}-xxxx"

    def age(self, *, today: date) -> int:
        return age_on(self.birth_date, today)


class Case(models.Model):
    """A child's case in the municipality (reference is the human number used on the phone)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Åben")
        CLOSED = "closed", _("Lukket")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("sagsnummer"), max_length=30, unique=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="cases")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    opened_on = models.DateField(_("oprettet"))
    closed_on = models.DateField(_("lukket"), null=True, blank=True)

    class Meta:
        verbose_name = _("sag")
        verbose_name_plural = _("sager")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False)
                | Q(status="open", closed_on__isnull=True),
                name="case_closed_on_only_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            ),
        ]
        indexes = [
            # Leader's case list: the cases of a unit by status.
            models.Index(fields=["municipality", "unit", "status"], name="case_muni_unit_status"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("children:case_detail", args=[self.code])


class Assignment(models.Model):
    """A caseworker responsible for a case for a period; history is kept."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tildeling")
        verbose_name_plural = _("tildelinger")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_active_per_case",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="assignment_ends_after_start",
            ),
        ]
        indexes = [
            # The caseworker's caseload: active assignments of one user.
            models.Index(fields=["caseworker", "ended_at"], name="assignment_caseworker_active"),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.caseworker}"
