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


class NetworkMember(models.Model):
    """A person or place in the child's network: custody holders, parents, foster family, school."""

    class Kind(models.TextChoices):
        CUSTODY_HOLDER = "custody_holder", _("Forældremyndighedsindehaver")
        PARENT = "parent", _("Forælder uden forældremyndighed")
        FOSTER_FAMILY = "foster_family", _("Plejefamilie")
        INSTITUTION = "institution", _("Kontaktperson på institution eller opholdssted")
        SCHOOL = "school", _("Skole")
        OTHER = "other", _("Anden")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="network")
    kind = models.CharField(_("rolle i barnets netværk"), max_length=20, choices=Kind)
    name = models.CharField(_("navn"), max_length=200)
    relation = models.CharField(_("relation til barnet"), max_length=100, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_on = models.DateField(_("ikke længere i netværket fra"), null=True, blank=True)

    class Meta:
        verbose_name = _("person i netværket")
        verbose_name_plural = _("barnets netværk")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "custody_holder",
                        "parent",
                        "foster_family",
                        "institution",
                        "school",
                        "other",
                    ]
                ),
                name="networkmember_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class Measure(models.Model):
    """Help the child gets: preventive support, a placement, or aftercare (18–23)."""

    class Kind(models.TextChoices):
        PREVENTIVE = "preventive", _("Forebyggende støtte")
        NETWORK_CARE = "network_care", _("Anbringelse i netværkspleje")
        FOSTER_CARE = "foster_care", _("Anbringelse i plejefamilie")
        INSTITUTION = "institution", _("Anbringelse på institution eller opholdssted")
        AFTERCARE = "aftercare", _("Efterværn (18–23 år)")

    PLACEMENTS = frozenset({"network_care", "foster_care", "institution"})

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(_("indsats"), max_length=20, choices=Kind)
    description = models.CharField(_("beskrivelse"), max_length=500, blank=True)
    started_on = models.DateField(_("startdato"))
    ended_on = models.DateField(_("slutdato"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("indsats")
        verbose_name_plural = _("indsatser")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="measure_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "preventive",
                        "network_care",
                        "foster_care",
                        "institution",
                        "aftercare",
                    ]
                ),
                name="measure_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["case", "started_on"], name="measure_case_started")]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_placement(self) -> bool:
        return self.kind in self.PLACEMENTS


class Handover(models.Model):
    """A change of caseworker, with the child's story in the child's words for the new one.

    `child_message` is the hook for the child channel: the child can write "Det skal du vide om
    mig" to the new caseworker (issue "child channel")."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="handovers")
    from_caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    to_caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    child_story = models.TextField(_("barnets historie med barnets egne ord"), max_length=5000)
    handed_over_at = models.DateTimeField()
    child_message = models.TextField(_("Det skal du vide om mig"), max_length=2000, blank=True)
    child_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("overdragelse")
        verbose_name_plural = _("overdragelser")
        indexes = [models.Index(fields=["case", "handed_over_at"], name="handover_case_time")]

    def __str__(self) -> str:
        return f"{self.case} → {self.to_caseworker}"
