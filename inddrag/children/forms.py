from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from django import forms
from django.utils.translation import gettext_lazy as _

from inddrag.accounts.models import User
from inddrag.children.models import Case, Child, Measure, NetworkMember
from inddrag.lib.dates import age_on, birthday
from inddrag.lib.text import reject_markup
from inddrag.municipalities.models import Membership

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # dev dependency: types only

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


class CaseListForm(forms.Form):
    """The caseload's sorting and filters. Not personal data, so they travel as GET parameters
    in real links (`?sort=due&filter=overdue`); an unknown value means the default."""

    is_filter = True

    filter = forms.ChoiceField(
        label=_("Frister"),
        choices=[
            ("all", _("Alle børn")),
            ("overdue", _("Overskredne frister")),
            ("soon", _("Frist inden for 30 dage")),
        ],
        required=False,
    )
    age = forms.ChoiceField(
        label=_("Alder"),
        choices=[
            ("all", _("Alle aldre")),
            ("0-9", _("0–9 år")),
            ("10-14", _("10–14 år")),
            ("15-17", _("15–17 år")),
            ("18-23", _("18–23 år")),
        ],
        required=False,
    )
    measure = forms.ChoiceField(
        label=_("Indsats"),
        choices=[
            ("all", _("Alle indsatser")),
            ("preventive", _("Forebyggende støtte")),
            ("placement", _("Anbringelse")),
            ("aftercare", _("Efterværn")),
            ("none", _("Ingen indsats")),
        ],
        required=False,
    )
    status = forms.ChoiceField(label=_("Sager"), choices=STATUS_CHOICES, required=False)
    sort = forms.ChoiceField(
        label=_("Sortér efter"),
        choices=[
            ("overdue", _("Overskredne først")),
            ("due", _("Næste frist")),
            ("conversation", _("Længst siden samtale")),
            ("name", _("Navn")),
            ("age", _("Alder, yngste først")),
        ],
        required=False,
    )

    DEFAULTS = {
        "filter": "all",
        "age": "all",
        "measure": "all",
        "status": "open",
        "sort": "overdue",
    }

    @classmethod
    def choices_of(cls, name: str) -> list[tuple[str, str]]:
        """The (value, label) choices of a parameter, labels translated."""
        field = cls.base_fields[name]
        assert isinstance(field, forms.ChoiceField)
        choices = cast(list[tuple[Any, Any]], field.choices)
        return [(str(value), str(label)) for value, label in choices]

    @classmethod
    def params(cls, data: Mapping[str, Any]) -> dict[str, str]:
        """Each parameter from `data` if it is one of its choices, else its default."""
        params = {}
        for name, default in cls.DEFAULTS.items():
            value = data.get(name)
            field = cls.base_fields[name]
            assert isinstance(field, forms.ChoiceField)
            valid = isinstance(value, str) and field.valid_value(value)
            params[name] = value if valid and isinstance(value, str) else default
        return params


# Forms of the child's network, the measures and the handover (inddrag/children/records.py).

_PHONE = re.compile(r"^\+?[0-9 ]+$")
NIL = UUID(int=0)  # "no caseworker" in the handover form's hidden field


def _text(
    label: StrOrPromise, max_length: int, *, required: bool = False, rows: int = 0
) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=widget,
        validators=[reject_markup],
        error_messages={
            "max_length": _("Skriv højst %(limit_value)d tegn (du har skrevet %(show_value)d)."),
        },
    )


def _date(
    label: StrOrPromise, *, required: bool = True, help_text: StrOrPromise = ""
) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Skriv en dato."),
            "invalid": _("Skriv en gyldig dato, fx 31-01-2025."),
        },
    )


class _ChildDates:
    """Date checks against the child's life: never before the birth, never in the future."""

    def __init__(self, child: Child, today: date) -> None:
        self.child = child
        self.today = today

    def past(self, value: date | None) -> date | None:
        if value is None:
            return None
        if value > self.today:
            raise forms.ValidationError(_("Datoen må ikke ligge i fremtiden."))
        return self.not_before_birth(value)

    def not_before_birth(self, value: date) -> date:
        if value < self.child.birth_date:
            raise forms.ValidationError(_("Datoen må ikke ligge før barnets fødsel."))
        return value


class NetworkMemberForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Rolle i barnets netværk"),
        choices=[("", _("Vælg en rolle")), *NetworkMember.Kind.choices],
        error_messages={
            "required": _("Vælg personens rolle i barnets netværk."),
            "invalid_choice": _("Vælg en af rollerne på listen."),
        },
    )
    name = _text(_("Navn"), 200, required=True)
    relation = _text(_("Relation til barnet"), 100)
    phone = forms.CharField(
        label=_("Telefon"),
        max_length=30,
        required=False,
        help_text=_("Kun cifre, mellemrum og evt. + foran, fx +45 12 34 56 78."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        error_messages={"max_length": _("Skriv højst %(limit_value)d tegn.")},
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "invalid": _("Skriv en gyldig e-mailadresse, fx navn@eksempel.dk."),
            "max_length": _("Skriv højst %(limit_value)d tegn."),
        },
    )
    note = _text(_("Note"), 500, rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Skriv personens eller stedets navn.")

    def clean_phone(self) -> str:
        phone = " ".join(str(self.cleaned_data.get("phone", "")).split())
        if not phone:
            return ""
        if not _PHONE.match(phone):
            raise forms.ValidationError(
                _("Telefonnummeret må kun indeholde cifre, mellemrum og + foran.")
            )
        digits = sum(ch.isdigit() for ch in phone)
        if not 8 <= digits <= 15:
            raise forms.ValidationError(_("Et telefonnummer har 8 til 15 cifre."))
        return phone


class EndNetworkMemberForm(forms.Form):
    ended_on = _date(_("Ikke længere i netværket fra"))

    def __init__(self, *args: Any, child: Child, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dates = _ChildDates(child, today)

    def clean_ended_on(self) -> date | None:
        return self.dates.past(self.cleaned_data.get("ended_on"))


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Indsats"),
        choices=[("", _("Vælg en indsats")), *Measure.Kind.choices],
        error_messages={
            "required": _("Vælg hvilken indsats barnet får."),
            "invalid_choice": _("Vælg en af indsatserne på listen."),
        },
    )
    description = _text(_("Beskrivelse"), 500, rows=3)
    started_on = _date(_("Startdato"))
    ended_on = _date(
        _("Slutdato"),
        required=False,
        help_text=_("Lad feltet stå tomt, hvis indsatsen stadig kører."),
    )

    def __init__(self, *args: Any, child: Child, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dates = _ChildDates(child, today)

    def clean_started_on(self) -> date | None:
        # Planned measures are not recorded here: a measure starts today or earlier.
        return self.dates.past(self.cleaned_data.get("started_on"))

    def clean_ended_on(self) -> date | None:
        ended_on: date | None = self.cleaned_data.get("ended_on")
        if ended_on is None:
            return None
        self.dates.not_before_birth(ended_on)
        # Help under barnets lov ends at 23 at the latest (aftercare); an end may be planned.
        if ended_on > birthday(self.dates.child.birth_date, 23):
            raise forms.ValidationError(
                _("Slutdatoen må ikke ligge efter, at den unge fylder 23 år.")
            )
        return ended_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, started_on, ended_on = data.get("kind"), data.get("started_on"), data.get("ended_on")
        if started_on and ended_on and ended_on < started_on:
            self.add_error("ended_on", _("Slutdatoen må ikke ligge før startdatoen."))
        if kind == Measure.Kind.AFTERCARE and started_on:
            age = age_on(self.dates.child.birth_date, started_on)
            if not 18 <= age <= 22:
                self.add_error(
                    "kind",
                    _(
                        "Efterværn er for unge fra 18 til 23 år. "
                        "På startdatoen er den unge %(age)d år."
                    )
                    % {"age": age},
                )
        return data


class ColleagueField(forms.ModelChoiceField[Membership]):
    def label_from_instance(self, obj: Membership) -> str:
        name = obj.user.get_full_name() or obj.user.username
        return f"{name}, {obj.unit.name}" if obj.unit else name


class HandoverForm(forms.Form):
    to_caseworker = ColleagueField(
        label=_("Ny sagsbehandler"),
        queryset=Membership.objects.none(),
        to_field_name="code",
        empty_label=_("Vælg en kollega"),
        error_messages={
            "required": _("Vælg den kollega, der overtager sagen."),
            "invalid_choice": _("Vælg en af kollegerne på listen."),
        },
    )
    child_story = forms.CharField(
        label=_("Barnets historie med barnets egne ord"),
        help_text=_(
            "Skriv det, barnet selv har fortalt: hvad er vigtigt for barnet, hvad er svært, "
            "og hvad barnet ønsker. Brug barnets egne ord, hvor du kan."
        ),
        min_length=20,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        validators=[reject_markup],
        error_messages={
            "required": _("Skriv barnets historie til den nye sagsbehandler."),
            "min_length": _("Skriv mindst %(limit_value)d tegn (du har skrevet %(show_value)d)."),
            "max_length": _("Skriv højst %(limit_value)d tegn (du har skrevet %(show_value)d)."),
        },
    )
    # The caseworker the writer saw as assigned; a handover made meanwhile makes the form stale.
    current = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Siden mangler en oplysning. Hent siden igen, og prøv igen."),
            "invalid": _("Siden mangler en oplysning. Hent siden igen, og prøv igen."),
        },
    )

    def __init__(self, *args: Any, case: Case, current: User | None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"current": current.code if current else NIL})
        super().__init__(*args, **kwargs)
        colleagues = (
            Membership.objects.filter(
                municipality_id=case.municipality_id,
                role=Membership.Role.CASEWORKER,
                ended_at__isnull=True,
                user__is_active=True,
            )
            .select_related("user", "unit")
            .order_by("user__first_name", "user__last_name", "user__username")
        )
        if current is not None:
            colleagues = colleagues.exclude(user_id=current.pk)
        field = self.fields["to_caseworker"]
        assert isinstance(field, ColleagueField)
        field.queryset = colleagues
