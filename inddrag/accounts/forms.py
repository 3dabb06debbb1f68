from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PasswordForm(forms.Form):
    username = forms.CharField(
        label=_("Brugernavn"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Adgangskode"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Engangskode"),
        help_text=_("De 6 cifre fra din godkendelses-app."),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
        error_messages={
            "min_length": _("Koden har 6 cifre."),
            "max_length": _("Koden har 6 cifre."),
        },
    )

    def clean_otp_token(self) -> str:
        token: str = self.cleaned_data["otp_token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("Koden må kun indeholde cifre."))
        return token


class LiftLockoutForm(forms.Form):
    username = forms.CharField(widget=forms.HiddenInput, max_length=150)
    reason = forms.CharField(
        label=_("Begrundelse"),
        help_text=_(
            "Skriv, hvorfor kontoen blev spærret, og hvordan du har sikret dig, "
            "at det er i orden at åbne den."
        ),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Skriv en begrundelse."),
            "min_length": _("Begrundelsen skal være på mindst 10 tegn."),
        },
    )


class DisableUserForm(forms.Form):
    reason = forms.CharField(
        label=_("Begrundelse"),
        min_length=5,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Skriv en begrundelse."),
            "min_length": _("Begrundelsen skal være på mindst 5 tegn."),
        },
    )
