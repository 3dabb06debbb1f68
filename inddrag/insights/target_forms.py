"""The forms of the target page and of the operator's national figures, and the one service
function that changes the municipality's caseload target."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from inddrag.accounts.models import User
from inddrag.audit.log import Action, record
from inddrag.insights.figures import add_months, month_index, month_start
from inddrag.insights.models import Target
from inddrag.municipalities.models import Membership

TARGET_MIN, TARGET_MAX = 1, 100
TARGET_MESSAGE = _("Skriv et helt tal fra 1 til 100.")


class TargetForm(forms.Form):
    caseload_target = forms.IntegerField(
        label=_("Mål for antal åbne sager pr. sagsbehandler"),
        help_text=_("Et helt tal fra 1 til 100. Lederne ser sagstallet op mod målet."),
        min_value=TARGET_MIN,
        max_value=TARGET_MAX,
        error_messages={
            "required": _("Skriv målet for antal sager pr. sagsbehandler."),
            "invalid": TARGET_MESSAGE,
            "min_value": TARGET_MESSAGE,
            "max_value": TARGET_MESSAGE,
        },
    )


def set_caseload_target(membership: Membership, *, by: User, caseload_target: int) -> Target:
    """Set the municipality's caseload target (creating its row on the first save) and log the
    change, in one transaction. Only `membership`'s own municipality is ever written."""
    if not TARGET_MIN <= caseload_target <= TARGET_MAX:
        raise ValueError(f"caseload target out of range: {caseload_target}")
    with transaction.atomic():
        target, created = Target.objects.select_for_update().get_or_create(
            municipality_id=membership.municipality_id,
            defaults={"caseload_target": caseload_target},
        )
        old = target.caseload_target
        if target.caseload_target != caseload_target:
            target.caseload_target = caseload_target
            target.save(update_fields=["caseload_target"])
        record(
            Action.UPDATE,
            user=by,
            membership=membership,
            obj=target,
            criterion=f"caseload target {'none' if created else old} -> {caseload_target}",
        )
    return target


# The operator's national figures: a period of whole months.

# The same presets (and parameter values) as the leaders' dashboard (insights/forms.py).
LAST_MONTH, LAST_QUARTER, LAST_YEAR, THIS_YEAR, CUSTOM = (
    "sidste-maaned",
    "sidste-kvartal",
    "sidste-12-maaneder",
    "i-aar",
    "valgt",
)
PRESETS = (
    (LAST_MONTH, _("Sidste måned")),
    (LAST_QUARTER, _("Sidste kvartal")),
    (LAST_YEAR, _("Sidste 12 måneder")),
    (THIS_YEAR, _("I år")),
    (CUSTOM, _("Valgte måneder")),
)
DEFAULT_PRESET = LAST_YEAR
MAX_MONTHS = 63  # the window the refreshed tables cover


def preset_period(preset: str, today: date) -> tuple[date, date]:
    """(first month, last month) of a preset, both whole months, relative to `today`."""
    this_month = month_start(today)
    last_month = add_months(this_month, -1)
    if preset == LAST_MONTH:
        return last_month, last_month
    if preset == LAST_QUARTER:
        return add_months(this_month, -3), last_month
    if preset == THIS_YEAR:
        return date(today.year, 1, 1), this_month
    return add_months(this_month, -12), last_month


class MonthField(forms.DateField):
    """A month as `<input type="month">` sends it (YYYY-MM); the first day of that month."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        return month_start(day) if day is not None else None


class NationalFilterForm(forms.Form):
    is_filter = True  # the field template leaves out "(frivillig)"
    periode = forms.ChoiceField(
        label=_("Periode"),
        choices=PRESETS,
        required=False,
        error_messages={"invalid_choice": _("Vælg en af perioderne på listen.")},
    )
    fra = MonthField(
        label=_("Fra måned"),
        required=False,
        error_messages={"invalid": _("Skriv en måned som år og måned, fx 2025-01.")},
    )
    til = MonthField(
        label=_("Til måned"),
        required=False,
        error_messages={"invalid": _("Skriv en måned som år og måned, fx 2025-01.")},
    )

    def __init__(self, data: Any, *, today: date) -> None:
        super().__init__(data)
        self.today = today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        preset = cleaned.get("periode") or DEFAULT_PRESET
        if preset == CUSTOM:
            start, end = cleaned.get("fra"), cleaned.get("til")
            if start is None:
                self.add_error("fra", _("Vælg den første måned."))
            if end is None:
                self.add_error("til", _("Vælg den sidste måned."))
            if start is None or end is None:
                return cleaned
            if end > month_start(self.today):
                self.add_error("til", _("Perioden kan ikke slutte efter den indeværende måned."))
                return cleaned
            if start > end:
                self.add_error(
                    "til", _("Til-måneden skal være samme måned som fra-måneden eller senere.")
                )
                return cleaned
            if month_index(end) - month_index(start) + 1 > MAX_MONTHS:
                self.add_error("fra", _("Vælg en periode på højst 63 måneder."))
                return cleaned
        else:
            start, end = preset_period(preset, self.today)
        cleaned["period"] = (start, end)
        cleaned["preset"] = preset
        return cleaned

    def period(self) -> tuple[date, date]:
        start, end = self.cleaned_data["period"]
        return start, end
