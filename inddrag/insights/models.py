"""The tables behind the leaders' figures. The task worker rebuilds them (inddrag/insights/
refresh.py) from the case tables; a dashboard reads only these, so it stays fast at national scale
(98 municipalities, ~60,000 children, ~10 million events).

- CaseSnapshot: one row per case with its dimensions today (unit, caseworker, age band, measure
  group) and the figures of "now" (days since the last child conversation, overdue follow-up,
  caseworker changes in the last year), plus one bit mask per figure family of the months in which
  the case had such events: the number of distinct children behind a figure for any period is a
  count of snapshot rows whose mask meets the period's mask.
- UnitMonth: the month's counts per unit, caseworker, age band and measure group.
- MunicipalityMonth: the same without unit and caseworker, for the municipality and national views.

The dimensions are those of the case when the tables were refreshed (a child now aged 15 counts
in the 15–17 band for all months): the figures answer "how are the children we have now heard".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inddrag.children.models import Case, Child
from inddrag.municipalities.models import Municipality, Unit


class AgeBand(models.IntegerChoices):
    """The age bands of the filters, by the child's age on the day of the refresh."""

    SMALL = 0, _("0–5 år")
    SCHOOL = 1, _("6–9 år")
    TWEEN = 2, _("10–14 år")
    TEEN = 3, _("15–17 år")
    YOUNG_ADULT = 4, _("18–23 år")


class MeasureGroup(models.TextChoices):
    """The case's measure on the day of the refresh (a placement before a preventive measure)."""

    NONE = "none", _("Ingen indsats")
    PREVENTIVE = "preventive", _("Forebyggende indsats")
    PLACEMENT = "placement", _("Anbringelse")
    AFTERCARE = "aftercare", _("Efterværn")


class Counts(models.Model):
    """What is counted per month and cell. A share is one count over another (see figures.py)."""

    month = models.DateField()  # the first day of the month
    age_band = models.PositiveSmallIntegerField(choices=AgeBand)
    measure_group = models.CharField(max_length=12, choices=MeasureGroup)
    # § 5: decisions, those with a child conversation in the period before, and those without
    # one but with a stated reason (the rest have neither).
    decisions = models.PositiveIntegerField(default=0)
    decisions_heard = models.PositiveIntegerField(default=0)
    decisions_reason = models.PositiveIntegerField(default=0)
    conversations = models.PositiveIntegerField(default=0)
    # The children's answers after a meeting: answers, "felt heard" 4–5, "understood" 4–5.
    feedback_answers = models.PositiveIntegerField(default=0)
    felt_heard = models.PositiveIntegerField(default=0)
    understood = models.PositiveIntegerField(default=0)
    # Meetings held with the child invited, and those the child prepared (sent the preparation).
    meetings = models.PositiveIntegerField(default=0)
    meetings_prepared = models.PositiveIntegerField(default=0)
    check_ins = models.PositiveIntegerField(default=0)
    letters_sent = models.PositiveIntegerField(default=0)
    letters_read = models.PositiveIntegerField(default=0)
    # Bisidder requests from the child channel, those answered, and the answers' total hours.
    bisidder_requests = models.PositiveIntegerField(default=0)
    bisidder_answered = models.PositiveIntegerField(default=0)
    bisidder_answer_hours = models.FloatField(default=0)

    class Meta:
        abstract = True


class UnitMonth(Counts):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )

    class Meta:
        indexes = [
            # The unit and municipality dashboards: a period of one municipality (and unit).
            models.Index(fields=["municipality", "month", "unit"], name="unitmonth_muni_month"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m}"


class MunicipalityMonth(Counts):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [
            # The national view: a period across municipalities; and one municipality's months.
            models.Index(fields=["month", "municipality"], name="munimonth_month_muni"),
            models.Index(fields=["municipality", "month"], name="munimonth_muni_month"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.month:%Y-%m}"


class CaseSnapshot(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    is_open = models.BooleanField()
    age_band = models.PositiveSmallIntegerField(choices=AgeBand)
    measure_group = models.CharField(max_length=12, choices=MeasureGroup)
    last_conversation_on = models.DateField(null=True)
    # Days from the last child conversation to `refreshed_on`; None: never a conversation.
    days_since_conversation = models.PositiveIntegerField(null=True)
    # The next due item of the involvement status (children/involvement.py) is overdue.
    overdue = models.BooleanField(default=False)
    handovers_year = models.PositiveSmallIntegerField(default=0)
    # Bit i: the case had such an event in month `window_start` + i (63 months, so a signed
    # 64-bit integer holds it on both databases).
    window_start = models.DateField()
    decision_months = models.BigIntegerField(default=0)
    conversation_months = models.BigIntegerField(default=0)
    feedback_months = models.BigIntegerField(default=0)
    meeting_months = models.BigIntegerField(default=0)
    check_in_months = models.BigIntegerField(default=0)
    letter_months = models.BigIntegerField(default=0)
    bisidder_months = models.BigIntegerField(default=0)
    refreshed_on = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["municipality", "unit", "is_open"], name="snapshot_muni_unit"),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id} on {self.refreshed_on}"


class Target(models.Model):
    """A municipality's target for the number of open cases per caseworker (the Herning model
    aims for fewer cases each, so the caseworker has time for the child)."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="insight_target"
    )
    caseload_target = models.PositiveSmallIntegerField(
        _("mål for antal sager pr. sagsbehandler"), default=25
    )

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")

    def __str__(self) -> str:
        return f"{self.municipality}: {self.caseload_target}"
