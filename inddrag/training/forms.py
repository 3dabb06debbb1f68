"""Forms of the training programme. Every free text refuses HTML (reject_markup)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from inddrag.accounts.models import User
from inddrag.conversations.meeting_forms import months_before
from inddrag.lib.text import reject_markup
from inddrag.municipalities.models import Membership, Unit
from inddrag.training.models import Module

Role = Membership.Role
OVERVIEW_MONTHS = 3  # the overview's default period
MAX_MATERIALS = 30
MAX_MATERIAL_LENGTH = 300
SESSION_YEARS_BACK = 5  # a session is planned, or recorded afterwards, within these limits
SESSION_YEARS_AHEAD = 2
# A hidden field that is missing or changed: the page is old, or was tampered with.
INCOMPLETE = _("Formularen er ikke komplet. Hent siden igen, og prøv igen.")
EARLIEST = date(2000, 1, 1)  # the overview's first possible day
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ModuleForm(forms.Form):
    title = forms.CharField(
        label=_("Titel"),
        max_length=200,
        validators=[reject_markup],
        error_messages={
            "required": _("Skriv modulets titel."),
            "max_length": _("Skriv en titel på højst %(limit_value)d tegn."),
        },
    )
    audience = forms.ChoiceField(
        label=_("For hvem"),
        choices=Module.Audience.choices,
        initial=Module.Audience.CASEWORKERS,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={
            "required": _("Vælg, hvem modulet er for."),
            "invalid_choice": _("Vælg et af svarene."),
        },
    )
    summary = forms.CharField(
        label=_("Indhold"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("Hvad modulet handler om, og hvad deltagerne lærer."),
        validators=[reject_markup],
        error_messages={
            "required": _("Skriv, hvad modulet handler om."),
            "max_length": _("Skriv højst %(limit_value)d tegn."),
        },
    )
    materials = forms.CharField(
        label=_("Materialer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        required=False,
        help_text=_("Ét materiale på hver linje: navnet, og gerne hvor det findes."),
        validators=[reject_markup],
        error_messages={"max_length": _("Skriv højst %(limit_value)d tegn.")},
    )
    in_onboarding = forms.BooleanField(
        label=_("Del af introduktionen for nye sagsbehandlere"),
        required=False,
        help_text=_("Sagsbehandlere, der starter fra nu af, får modulet som et trin."),
    )
    position = forms.IntegerField(
        label=_("Plads i rækkefølgen"),
        min_value=0,
        max_value=999,
        initial=100,
        help_text=_(
            "Lavere tal kommer først. Konceptets moduler har 10, 20, 30 og 40, så 25 kommer "
            "mellem andet og tredje modul."
        ),
        error_messages={
            "required": _("Skriv et tal fra 0 til 999."),
            "invalid": _("Skriv et helt tal fra 0 til 999."),
            "min_value": _("Skriv et tal fra 0 til 999."),
            "max_value": _("Skriv et tal fra 0 til 999."),
        },
    )

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("Skriv modulets titel."), code="required")
        return title

    def clean_materials(self) -> str:
        """One material a line, empty lines left out."""
        lines = [line.strip() for line in self.cleaned_data["materials"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_MATERIALS:
            raise ValidationError(
                _("Skriv højst %(n)d materialer.") % {"n": MAX_MATERIALS}, code="too_many"
            )
        if any(len(line) > MAX_MATERIAL_LENGTH for line in lines):
            raise ValidationError(
                _("Hvert materiale må højst fylde %(n)d tegn på sin linje.")
                % {"n": MAX_MATERIAL_LENGTH},
                code="too_long",
            )
        return "\n".join(lines)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("in_onboarding") and cleaned.get("audience") == Module.Audience.LEADERS:
            self.add_error(
                "in_onboarding",
                _("Introduktionen er for nye sagsbehandlere. Vælg »Sagsbehandlere« som målgruppe."),
            )
        return cleaned


class ModuleChoiceField(forms.ModelChoiceField[Module]):
    def label_from_instance(self, obj: Module) -> str:
        return f"{obj.title} ({obj.get_audience_display()})"


class SessionForm(forms.Form):
    module = ModuleChoiceField(
        label=_("Modul"),
        queryset=Module.objects.none(),
        to_field_name="code",
        empty_label=_("Vælg et modul"),
        error_messages={
            "required": _("Vælg modulet."),
            "invalid_choice": _("Vælg et af modulerne på listen."),
        },
    )
    held_on = forms.DateField(
        label=_("Dato"),
        widget=DATE_INPUT,
        error_messages={
            "required": _("Skriv datoen for undervisningen."),
            "invalid": _("Skriv en rigtig dato."),
        },
    )
    place = forms.CharField(
        label=_("Sted"),
        max_length=200,
        help_text=_("Fx mødelokale 2 på rådhuset."),
        validators=[reject_markup],
        error_messages={
            "required": _("Skriv, hvor undervisningen foregår."),
            "max_length": _("Skriv højst %(limit_value)d tegn."),
        },
    )

    def __init__(self, *args: Any, modules: QuerySet[Module], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        field = self.fields["module"]
        assert isinstance(field, ModuleChoiceField)
        field.queryset = modules

    def clean_held_on(self) -> date:
        held_on: date = self.cleaned_data["held_on"]
        if held_on < months_before(self.today, 12 * SESSION_YEARS_BACK):
            raise ValidationError(
                _("Datoen må højst ligge %(n)d år tilbage.") % {"n": SESSION_YEARS_BACK},
                code="too_early",
            )
        if held_on > self.today + timedelta(days=366 * SESSION_YEARS_AHEAD):
            raise ValidationError(
                _("Datoen må højst ligge %(n)d år frem.") % {"n": SESSION_YEARS_AHEAD},
                code="too_late",
            )
        return held_on

    def clean_place(self) -> str:
        place: str = self.cleaned_data["place"].strip()
        if not place:
            raise ValidationError(_("Skriv, hvor undervisningen foregår."), code="required")
        return place


class StaffField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        roles = ", ".join(
            f"{m.get_role_display()}, {m.unit.name}" if m.unit else str(m.get_role_display())
            for m in getattr(obj, "roles", [])
        )
        return f"{obj} ({roles})" if roles else str(obj)


class AttendanceForm(forms.Form):
    """Who attended. `shown` carries who was ticked when the page was loaded, so that saving
    changes only what this leader changed (see services.record_attendance)."""

    attendees = StaffField(
        label=_("Hvem deltog?"),
        queryset=User.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        error_messages={
            "invalid_choice": _("Vælg blandt kommunens medarbejdere."),
            "invalid_pk_value": _("Vælg blandt kommunens medarbejdere."),
        },
    )
    shown = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.MultipleHiddenInput,
        error_messages={"invalid_choice": INCOMPLETE, "invalid_pk_value": INCOMPLETE},
    )

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("attendees", "shown"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = staff

    def hidden_errors(self) -> list[str]:
        return [str(e) for field in self.hidden_fields() for e in field.errors]


class StepForm(forms.Form):
    done = forms.TypedChoiceField(
        choices=[("1", _("Gennemført")), ("0", _("Ikke gennemført"))],
        coerce=lambda value: value == "1",
        error_messages={"required": INCOMPLETE, "invalid_choice": INCOMPLETE},
    )


class MemberForm(forms.Form):
    """A new staff member of one of the municipality's units."""

    username = forms.CharField(
        label=_("Brugernavn"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Bogstaver, tal og tegnene @ . + - _ uden mellemrum. Fx »roskilde-mette«."),
        validators=[
            UnicodeUsernameValidator(
                message=_(
                    "Brugernavnet må kun indeholde bogstaver, tal og tegnene @ . + - _ – "
                    "ingen mellemrum."
                )
            )
        ],
        error_messages={
            "required": _("Skriv et brugernavn."),
            "max_length": _("Skriv et brugernavn på højst %(limit_value)d tegn."),
        },
    )
    first_name = forms.CharField(
        label=_("Fornavn"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),  # the new person's, not yours
        validators=[reject_markup],
        error_messages={
            "required": _("Skriv fornavnet."),
            "max_length": _("Skriv højst %(limit_value)d tegn."),
        },
    )
    last_name = forms.CharField(
        label=_("Efternavn"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),  # the new person's, not yours
        validators=[reject_markup],
        error_messages={
            "required": _("Skriv efternavnet."),
            "max_length": _("Skriv højst %(limit_value)d tegn."),
        },
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Skriv e-mailadressen."),
            "invalid": _("Skriv en rigtig e-mailadresse, fx navn@kommune.dk."),
            "max_length": _("Skriv højst %(limit_value)d tegn."),
        },
    )
    unit = forms.ModelChoiceField(
        label=_("Enhed"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        empty_label=_("Vælg en enhed"),
        error_messages={
            "required": _("Vælg enheden."),
            "invalid_choice": _("Vælg en af kommunens enheder."),
        },
    )
    role = forms.ChoiceField(
        label=_("Rolle"),
        choices=[(Role.CASEWORKER, Role.CASEWORKER.label), (Role.LEADER, Role.LEADER.label)],
        initial=Role.CASEWORKER,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        help_text=_("En ny sagsbehandler får introduktionsforløbet med det samme."),
        error_messages={
            "required": _("Vælg rollen."),
            "invalid_choice": _("Vælg et af svarene."),
        },
    )
    # One per form page: sending the same page twice adds one person (T20).
    submit_token = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE}
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units

    def clean_username(self) -> str:
        return str(User.normalize_username(self.cleaned_data["username"].strip()))

    def clean_first_name(self) -> str:
        return self._required_text("first_name", _("Skriv fornavnet."))

    def clean_last_name(self) -> str:
        return self._required_text("last_name", _("Skriv efternavnet."))

    def _required_text(self, name: str, message: Any) -> str:
        value: str = self.cleaned_data[name].strip()
        if not value:
            raise ValidationError(message, code="required")
        return value

    def hidden_errors(self) -> list[str]:
        errors = [str(e) for e in self.non_field_errors()]
        return errors + [str(e) for field in self.hidden_fields() for e in field.errors]


class PeriodForm(forms.Form):
    """The leader's period: the last three months unless chosen."""

    is_filter = True  # the field template leaves out "(frivillig)"
    fra = forms.DateField(
        label=_("Fra"),
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": _("Skriv en rigtig dato.")},
    )
    til = forms.DateField(
        label=_("Til"),
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": _("Skriv en rigtig dato.")},
    )

    def __init__(self, data: Any, *, today: date) -> None:
        super().__init__(data)
        self.today = today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        start = cleaned.get("fra") or months_before(self.today, OVERVIEW_MONTHS)
        end = cleaned.get("til") or self.today
        if start < EARLIEST:
            self.add_error("fra", _("Vælg en dato fra 2000 eller senere."))
        elif end > self.today + timedelta(days=366):
            self.add_error("til", _("Vælg en dato højst et år frem."))
        elif start > end:
            self.add_error("til", _("Til-datoen skal være samme dag som fra-datoen eller senere."))
        cleaned["period"] = (start, end)
        return cleaned

    def period(self) -> tuple[date, date]:
        start, end = self.cleaned_data["period"]
        return start, end
