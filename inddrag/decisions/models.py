from __future__ import annotations

import uuid
from typing import Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from inddrag.children.models import Case
from inddrag.municipalities.models import Municipality

DAYS = [MinValueValidator(1), MaxValueValidator(365)]
VISITS = [MinValueValidator(1), MaxValueValidator(12)]
AGE = [MinValueValidator(1), MaxValueValidator(18)]


class DueRules(models.Model):
    """The municipality's due rules, with defaults as we read barnets lov. A municipality without
    a row uses the defaults (see `DueRules.for_municipality`)."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.PROTECT, related_name="due_rules"
    )
    # The limits are what a municipality may sensibly choose: whole days up to a year, up to
    # one visit a month, ages within childhood. The administrator's form uses them too.
    # § 5: a child conversation within this many days before a decision.
    conversation_before_decision_days = models.PositiveIntegerField(default=92, validators=DAYS)
    # § 95: the first follow-up within this many days of a placement.
    placement_follow_up_days = models.PositiveIntegerField(default=92, validators=DAYS)
    # § 156, stk. 5: visits with a conversation without staff present, per year.
    visits_per_year = models.PositiveSmallIntegerField(default=2, validators=VISITS)
    # §§ 91–92: barnets plan within this many days of a placement.
    plan_within_days = models.PositiveIntegerField(default=92, validators=DAYS)
    # §§ 108–109: an ungeplan from this age.
    youth_plan_age = models.PositiveSmallIntegerField(default=16, validators=AGE)
    # § 3: party rights from this age.
    party_rights_age = models.PositiveSmallIntegerField(default=10, validators=AGE)

    class Meta:
        verbose_name = _("fristregler")
        verbose_name_plural = _("fristregler")
        constraints = [
            models.CheckConstraint(
                condition=Q(conversation_before_decision_days__gte=1, visits_per_year__gte=1),
                name="duerules_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality}"

    @classmethod
    def for_municipality(cls, municipality: Municipality) -> DueRules:
        """The saved rules, or unsaved defaults. Note: one query, none when the rules came
        with the municipality (`select_related("municipality__due_rules")`)."""
        try:
            return municipality.due_rules
        except cls.DoesNotExist:
            return cls(municipality=municipality)


class DecisionQuerySet(models.QuerySet["Decision"]):
    def heard(self) -> Self:
        """Decisions with a child conversation in the period before them (barnets lov § 5)."""
        return self.filter(child_heard=True)

    def unheard(self) -> Self:
        """Decisions without a heard child: the caseload's "afgørelser uden barnets stemme"."""
        return self.filter(child_heard=False)


class Decision(models.Model):
    """A decision or a recommendation (indstilling), with the child's perspective in it."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("Afgørelse")
        RECOMMENDATION = "recommendation", _("Indstilling til Børne- og Ungeudvalget")

    class NotHeardReason(models.TextChoices):
        DECLINED = "declined", _("Barnet ønskede ikke en samtale")
        MATURITY = "maturity", _("Barnets alder eller modenhed")
        URGENCY = "urgency", _("Sagen hastede")
        OTHER = "other", _("Anden grund")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(_("type"), max_length=20, choices=Kind, default=Kind.DECISION)
    title = models.CharField(_("hvad blev besluttet"), max_length=300)
    decided_on = models.DateField(_("dato"))
    child_perspective = models.TextField(_("barnets perspektiv"), max_length=10000)
    child_told_how = models.CharField(_("sådan fik barnet det at vide"), max_length=500)
    # Whether a child conversation was recorded within the municipality's period before the
    # decision; set by the service when the decision is recorded.
    child_heard = models.BooleanField(default=False)
    not_heard_reason = models.CharField(
        _("hvorfor barnet ikke blev hørt"), max_length=20, choices=NotHeardReason, blank=True
    )
    not_heard_note = models.CharField(_("uddybning"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The one-time token of the form that created it: a second submit of the same form finds
    # this row instead of creating another (T20).
    submit_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("afgørelse eller indstilling")
        verbose_name_plural = _("afgørelser og indstillinger")
        constraints = [
            models.CheckConstraint(
                condition=Q(child_heard=True) | ~Q(not_heard_reason=""),
                name="decision_heard_or_reason",
            ),
            models.CheckConstraint(
                condition=~Q(not_heard_reason="other") | ~Q(not_heard_note=""),
                name="decision_other_reason_explained",
            ),
        ]
        indexes = [models.Index(fields=["case", "decided_on"], name="decision_case_decided")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("decisions:detail", args=[self.code])
