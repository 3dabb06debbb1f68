"""The leader's filters on /indsigt/: a period of whole months (a preset or chosen months), and
for a leader of no single unit a unit, plus age band and measure group."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from inddrag.insights.figures import Filters, add_months, month_index, month_start
from inddrag.insights.models import AgeBand, MeasureGroup
from inddrag.municipalities.models import Unit

LAST_MONTH, LAST_QUARTER, LAST_YEAR, THIS_YEAR, CUSTOM = (
    "sidste-maaned",
    "sidste-kvartal",
    "sidste-12-maaneder",
    "i-aar",
    "valgt",
)
PERIODS = [
    (LAST_MONTH, _("Sidste måned")),
    (LAST_QUARTER, _("Sidste kvartal")),
    (LAST_YEAR, _("Sidste 12 måneder")),
    (THIS_YEAR, _("I år")),
    (CUSTOM, _("Valgte måneder")),
]
DEFAULT_PERIOD = LAST_QUARTER
MAX_MONTHS = 60  # the refreshed tables hold 63 months
FILTER_NAMES = ("periode", "fra", "til", "enhed", "alder", "indsats")


def preset_period(preset: str, today: date) -> tuple[date, date]:
    """The whole months of a preset: the months before the current one, or this year so far."""
    current = month_start(today)
    if preset == LAST_MONTH:
        return add_months(current, -1), add_months(current, -1)
    if preset == LAST_QUARTER:
        return add_months(current, -3), add_months(current, -1)
    if preset == LAST_YEAR:
        return add_months(current, -12), add_months(current, -1)
    return date(today.year, 1, 1), current  # THIS_YEAR


def _month_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("Måned og år, fx 2025-03."),
        error_messages={"invalid": _("Skriv en måned som år og måned, fx 2025-03.")},
    )


class InsightsFilterForm(forms.Form):
    is_filter = True  # the field template leaves out "(frivillig)"
    periode = forms.ChoiceField(label=_("Periode"), choices=PERIODS, required=False)
    fra = _month_field(_("Fra måned"))
    til = _month_field(_("Til måned"))
    enhed = forms.TypedChoiceField(label=_("Enhed"), required=False, coerce=int, empty_value=None)
    alder = forms.TypedChoiceField(
        label=_("Alder"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Alle aldre")), *AgeBand.choices],
    )
    indsats = forms.ChoiceField(
        label=_("Indsats"),
        required=False,
        choices=[("", _("Alle indsatser")), *MeasureGroup.choices],
    )

    def __init__(self, data: Any, *, today: date, municipality_id: int, unit_id: int | None):
        """`unit_id`: the leader's own unit (no unit field), or None for a leader of the whole
        municipality, who may choose one of its units (one query for the choices)."""
        super().__init__(data)
        self.today = today
        self.unit_id = unit_id
        if unit_id is not None:
            del self.fields["enhed"]
        else:
            units = Unit.objects.filter(municipality_id=municipality_id).order_by("name", "pk")
            field = self.fields["enhed"]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [("", _("Hele kommunen")), *units.values_list("pk", "name")]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        preset = cleaned.get("periode") or DEFAULT_PERIOD
        if cleaned.get("fra") or cleaned.get("til"):
            preset = CUSTOM
        cleaned["periode"] = preset
        if preset != CUSTOM:
            cleaned["period"] = preset_period(preset, self.today)
            return cleaned
        start, end = cleaned.get("fra"), cleaned.get("til")
        if start is None:
            self.add_error("fra", _("Vælg den første måned i perioden."))
        if end is None:
            self.add_error("til", _("Vælg den sidste måned i perioden."))
        if start is None or end is None:
            return cleaned
        start, end = month_start(start), month_start(end)
        if end > month_start(self.today):
            self.add_error("til", _("Perioden kan ikke slutte efter den indeværende måned."))
        elif start > end:
            self.add_error(
                "til", _("Til-måneden skal være samme måned som fra-måneden eller senere.")
            )
        elif month_index(end) - month_index(start) + 1 > MAX_MONTHS:
            self.add_error("fra", _("Vælg en periode på højst fem år."))
        else:
            cleaned["period"] = (start, end)
        return cleaned

    def filters(self) -> Filters:
        start, end = self.cleaned_data["period"]
        unit_id = self.unit_id if self.unit_id is not None else self.cleaned_data.get("enhed")
        return Filters(
            start=start,
            end=end,
            unit_id=unit_id,
            age_band=self.cleaned_data.get("alder"),
            measure_group=self.cleaned_data.get("indsats") or None,
        )

    def query(self) -> dict[str, str]:
        """The valid filters as query parameters, for the links to the cases and the exports."""
        data = self.cleaned_data
        params: dict[str, str] = {"periode": data["periode"]}
        if data["periode"] == CUSTOM:
            start, end = data["period"]
            params.update(fra=f"{start:%Y-%m}", til=f"{end:%Y-%m}")
        if data.get("enhed") is not None:
            params["enhed"] = str(data["enhed"])
        if data.get("alder") is not None:
            params["alder"] = str(data["alder"])
        if data.get("indsats"):
            params["indsats"] = data["indsats"]
        return params
