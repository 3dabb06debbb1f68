from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from inddrag.audit.models import AccessEvent


class AccessLogSearchForm(forms.Form):
    is_filter = True  # every field is optional: no "(frivillig)" marks

    username = forms.CharField(label=_("Bruger (brugernavn)"), max_length=150, required=False)
    child = forms.CharField(
        label=_("Barn (CPR-nummer eller sagsnummer)"),
        max_length=30,
        required=False,
    )
    action = forms.ChoiceField(
        label=_("Handling"),
        required=False,
        choices=[("", _("Alle handlinger")), *AccessEvent.Action.choices],
    )
    date_from = forms.DateField(
        label=_("Fra dato"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Til dato"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_child(self) -> str:
        value: str = self.cleaned_data.get("child", "").strip()
        digits = value.replace("-", "")
        if value and digits.isdigit() and len(digits) != 10:
            raise forms.ValidationError(_("Et CPR-nummer har 10 cifre."))
        return digits if digits.isdigit() else value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: date | None = cleaned.get("date_from")
        end: date | None = cleaned.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to", _("Til-datoen skal være samme dag som fra-datoen eller senere.")
            )
        return cleaned
