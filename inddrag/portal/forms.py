"""Forms of the child's way in (code, PIN) and of the caseworker's access page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from inddrag.portal.services import CODE_LENGTH, group_code, is_well_formed, normalise_code

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

PIN_MIN, PIN_MAX = 4, 6
# A phone's number keyboard, nothing remembered by the browser, nothing shown on screen.
_PIN_ATTRS = {
    "inputmode": "numeric",
    "pattern": "[0-9]*",
    "autocomplete": "off",
    "maxlength": str(PIN_MAX),
    "class": "pin-input",
}


def is_easy_pin(pin: str) -> bool:
    """All the same digit (1111), or a straight run up or down (1234, 4321, 56789)."""
    if len(set(pin)) == 1:
        return True
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    return steps in ({1}, {-1})


def validate_pin(pin: str) -> None:
    if not re.fullmatch(rf"[0-9]{{{PIN_MIN},{PIN_MAX}}}", pin):
        raise ValidationError(
            _("Din pinkode skal være 4, 5 eller 6 tal. Brug kun tal."), code="format"
        )
    if is_easy_pin(pin):
        raise ValidationError(
            _(
                "Den pinkode er for nem at gætte. Undgå ens tal som 1111 og tal i rækkefølge "
                "som 1234 eller 4321."
            ),
            code="easy",
        )


def pin_field(
    label: str | _StrPromise, help_text: str | _StrPromise = "", **messages: str | _StrPromise
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        strip=True,
        max_length=20,
        widget=forms.PasswordInput(attrs=_PIN_ATTRS),
        error_messages={"required": _("Skriv din pinkode."), **messages},
    )


class RedeemForm(forms.Form):
    """The child's first visit: the code from the letter and a new PIN, twice."""

    code = forms.CharField(
        label=_("Koden fra dit brev"),
        help_text=_("Den ser sådan her ud: K7QM-XR4T-9B"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "class": "code-input",
            }
        ),
        error_messages={"required": _("Skriv koden fra dit brev.")},
    )
    pin = pin_field(
        _("Vælg en pinkode"),
        _("4 tal, som kun du kender. Du skal bruge dem, hver gang du kommer ind."),
        required=_("Vælg en pinkode med 4 tal."),
    )
    pin_again = pin_field(
        _("Skriv pinkoden igen"),
        required=_("Skriv den samme pinkode en gang til."),
    )

    # One per page view: a second submit of the same page finds the device the first made.
    submit_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Siden er for gammel. Skriv koden og pinkoden igen."),
            "invalid": _("Siden er for gammel. Skriv koden og pinkoden igen."),
        },
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise ValidationError(
                _("Koden har 10 tegn. Tjek, at du har skrevet dem alle sammen."), code="length"
            )
        if not is_well_formed(code):
            raise ValidationError(
                _("Koden har kun store bogstaver og tal. Tjek, at du har skrevet den rigtigt."),
                code="signs",
            )
        return code

    def clean_pin(self) -> str:
        pin: str = self.cleaned_data["pin"]
        validate_pin(pin)
        return pin

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        pin, again = cleaned.get("pin"), cleaned.get("pin_again")
        if pin and again is not None and pin != again:
            self.add_error(
                "pin_again",
                ValidationError(
                    _("De to pinkoder er ikke ens. Skriv den samme pinkode to gange."),
                    code="mismatch",
                ),
            )
        return cleaned

    def grouped_code(self) -> str:
        return group_code(self.cleaned_data["code"])


class UnlockForm(forms.Form):
    pin = pin_field(_("Din pinkode"))
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)


class InviteForm(forms.Form):
    """The newest code the caseworker's page showed, so a doubled or reloaded form makes no
    second code (which would withdraw the one just printed)."""

    latest = forms.UUIDField(required=False, widget=forms.HiddenInput)


_PHONE_SIGNS = re.compile(r"[\s\-().]+")


class AccessSettingsForm(forms.Form):
    simple_mode = forms.BooleanField(
        label=_("Enkel udgave med billeder og oplæsning"),
        help_text=_("Til de yngste børn (ca. 6-9 år), eller hvis barnet har svært ved at læse."),
        required=False,
    )
    notify_phone = forms.CharField(
        label=_("Barnets mobilnummer"),
        help_text=_("8 cifre. Barnet får en sms, når der er nyt, men aldrig hvad det er."),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    notify_email = forms.EmailField(
        label=_("Barnets e-mail"),
        help_text=_("Bruges kun, hvis barnet ikke har et mobilnummer her."),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": _("Skriv en rigtig e-mailadresse, fx navn@example.com.")},
    )

    def clean_notify_phone(self) -> str:
        """A Danish mobile number: 8 digits, optionally after +45 or 0045; kept as +45xxxxxxxx."""
        typed: str = self.cleaned_data["notify_phone"]
        number = _PHONE_SIGNS.sub("", typed)
        if not number:
            return ""
        if number.startswith("+45"):
            number = number[3:]
        elif number.startswith("0045"):
            number = number[4:]
        if not re.fullmatch(r"[0-9]{8}", number):
            raise ValidationError(
                _("Skriv et dansk mobilnummer med 8 cifre, fx 20 30 40 50."), code="format"
            )
        if number[0] in "01":
            raise ValidationError(
                _("Et dansk mobilnummer begynder ikke med 0 eller 1. Tjek nummeret."),
                code="prefix",
            )
        return f"+45{number}"
