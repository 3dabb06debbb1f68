"""The training programme of the concept: modules with materials, sessions with attendance, and
the onboarding path every new caseworker of a unit gets automatically."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inddrag.municipalities.models import Membership, Municipality, Unit


class Module(models.Model):
    """A training module (e.g. the child's perspective in casework, the child conversation,
    writing to children, framing meetings with the child), for leaders or caseworkers. NULL
    municipality: the concept's modules every municipality has."""

    class Audience(models.TextChoices):
        CASEWORKERS = "caseworkers", _("Sagsbehandlere")
        LEADERS = "leaders", _("Ledere")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("titel"), max_length=200)
    audience = models.CharField(max_length=12, choices=Audience, default=Audience.CASEWORKERS)
    summary = models.TextField(_("indhold"), max_length=5000)
    materials = models.TextField(_("materialer"), max_length=5000, blank=True)  # links, one a line
    in_onboarding = models.BooleanField(_("del af introduktionen for nye"), default=False)
    position = models.PositiveSmallIntegerField(default=0)  # order in the onboarding path
    disabled_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("modul")
        verbose_name_plural = _("moduler")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    """A session of a module (a course day, a workshop), with attendance."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField(_("dato"))
    place = models.CharField(_("sted"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("undervisningsgang")
        verbose_name_plural = _("undervisningsgange")

    def __str__(self) -> str:
        return f"{self.module} {self.held_on}"


class Attendance(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendance"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("deltagelse")
        verbose_name_plural = _("deltagelser")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.user}"


class OnboardingStep(models.Model):
    """One module of a new caseworker's onboarding path: made for every onboarding module when a
    caseworker joins a unit (training.services.start_onboarding), done when completed."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="onboarding_steps"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("trin i introduktionen")
        verbose_name_plural = _("trin i introduktionen")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "module"], name="onboarding_step_once"),
            models.CheckConstraint(condition=Q(position__gte=0), name="onboarding_position"),
        ]

    def __str__(self) -> str:
        return f"{self.membership} {self.module}"


class MemberAddition(models.Model):
    """The municipal administrator added a new staff member (training.services.add_member): who,
    by whom and when. The form's submit token makes a double-sent form create one person (T20);
    the initial password itself is never stored here."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submit_token = models.UUIDField(unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ny medarbejder")
        verbose_name_plural = _("nye medarbejdere")

    def __str__(self) -> str:
        return f"{self.membership} {self.created_at:%Y-%m-%d}"
