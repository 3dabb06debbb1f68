from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

STATUS_CHOICES = [("open", _("Åbne")), ("closed", _("Lukkede")), ("all", _("Alle"))]


class CaseFilterForm(forms.Form):
    is_filter = True  # every field is optional: no "(frivillig)" marks

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    q = forms.CharField(
        label=_("Søg på navn, sagsnummer eller CPR"), max_length=100, required=False
    )

    def clean_status(self) -> str:
        return self.cleaned_data.get("status") or "open"

    def clean_q(self) -> str:
        value: str = self.cleaned_data.get("q", "").strip()
        if value and len(value) < 2:
            raise forms.ValidationError(_("Skriv mindst 2 tegn."))
        return value
