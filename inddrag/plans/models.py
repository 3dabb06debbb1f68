"""Barnets plan (barnets lov §§ 91-92): a plan per case with goals in areas of the child's life.
Each goal has the child's own words first. The plan is versioned: the caseworker edits a draft,
approving it keeps it as a numbered version for good, and two versions can be compared."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from inddrag.children.models import Case, Child
from inddrag.municipalities.models import Municipality


class Area(models.TextChoices):
    """The plan's areas as barnets lov names them; a municipality can add its own (PlanArea)."""

    SCHOOL = "school", _("Skole og dagtilbud")
    WELLBEING = "wellbeing", _("Trivsel og mental sundhed")
    HEALTH = "health", _("Fysisk sundhed")
    FAMILY = "family", _("Familie og netværk")
    LEISURE = "leisure", _("Fritid og venner")
    ADULT_LIFE = "adult_life", _("På vej til voksenlivet")


class PlanArea(models.Model):
    """An area a municipality added to the built-in ones; retired, not deleted."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("område"), max_length=100)
    disabled_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("område i planen")
        verbose_name_plural = _("områder i planen")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="planarea_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    """The child's plan in a case. Its versions hold the goals."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="plan")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("barnets plan")
        verbose_name_plural = _("børns planer")

    def __str__(self) -> str:
        return f"{self.case}"

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.code])


class PlanVersion(models.Model):
    """One version of the plan. The draft (approved_at is None; at most one per plan) is what
    the caseworker edits; an approved version never changes again."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()  # 1, 2, …; the draft has the next number
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking (T19) of the draft.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("version af planen")
        verbose_name_plural = _("versioner af planen")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_unique_number"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(approved_at__isnull=True),
                name="planversion_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class Goal(models.Model):
    """A goal in one version of the plan. `key` stays the same for the same goal from version to
    version, so two versions can be compared goal by goal."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="goals")
    key = models.UUIDField(default=uuid.uuid4)
    area = models.CharField(_("område"), max_length=100)  # an Area value or a PlanArea's name
    child_words = models.TextField(_("Det vil jeg gerne (barnets egne ord)"), blank=True)
    # Required when the child's words are missing (e.g. the child is too young, declined).
    child_words_missing_reason = models.CharField(
        _("hvorfor barnets ord mangler"), max_length=500, blank=True
    )
    description = models.TextField(_("sagsbehandlerens beskrivelse"), max_length=5000)
    who_does_what = models.TextField(_("hvem gør hvad"), max_length=3000, blank=True)
    review_on = models.DateField(_("følges op"))
    proposed_by_child = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="goal_once_per_version"),
            models.CheckConstraint(
                condition=~Q(child_words="") | ~Q(child_words_missing_reason=""),
                name="goal_child_words_or_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class GoalProposal(models.Model):
    """A goal the child proposed in the child channel; the caseworker takes it into the draft
    (then `goal_key` names the goal) or answers it."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="proposals")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    child_words = models.TextField(_("Det vil jeg gerne"), max_length=2000)
    # The area the child picked (an Area value or a PlanArea's name), or "" for "Ved ikke".
    area = models.CharField(_("område"), max_length=100, blank=True)
    proposed_at = models.DateTimeField()
    submit_token = models.UUIDField(unique=True, editable=False)
    goal_key = models.UUIDField(null=True, blank=True)  # the goal it became
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("barnets forslag til et mål")
        verbose_name_plural = _("børns forslag til mål")

    def __str__(self) -> str:
        return self.child_words[:60]


class GoalCheckIn(models.Model):
    """The child's "Hvordan går det?" on a goal: a five-point scale and a comment. It points at
    the goal's key, so it stays with the goal across versions."""

    SCALE = [(n, str(n)) for n in range(1, 6)]

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="check_ins")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    goal_key = models.UUIDField()
    rating = models.PositiveSmallIntegerField(_("Hvordan går det?"), choices=SCALE)
    comment = models.TextField(_("Vil du sige mere?"), max_length=2000, blank=True)
    checked_in_at = models.DateTimeField()
    submit_token = models.UUIDField(unique=True, editable=False)

    class Meta:
        verbose_name = _("barnets tjek af et mål")
        verbose_name_plural = _("børns tjek af mål")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="goalcheckin_scale"
            ),
        ]
        indexes = [
            # The case page and the caseload: the newest check-ins of a plan.
            models.Index(fields=["plan", "checked_in_at"], name="goalcheckin_plan_time"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.rating}"
