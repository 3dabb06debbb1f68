from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from inddrag.children.models import Case
from inddrag.decisions.models import Decision, DueRules
from inddrag.decisions.queries import is_heard, latest_conversation_on
from inddrag.lib.text import reject_markup

CHOOSE = _("Vælg en af mulighederne.")


@dataclass(frozen=True)
class HeardCheck:
    """What the form tells the caseworker: the latest child conversation on or before the
    decision's date, and whether it is within the municipality's period (§ 5)."""

    decided_on: date
    latest_conversation: date | None
    period_days: int

    @property
    def heard(self) -> bool:
        return is_heard(self.latest_conversation, self.decided_on, period_days=self.period_days)


def heard_check(case: Case, decided_on: date, rules: DueRules) -> HeardCheck:
    """Note: one query (the latest conversation)."""
    return HeardCheck(
        decided_on,
        latest_conversation_on(case, decided_on),
        rules.conversation_before_decision_days,
    )


class DecisionForm(forms.Form):
    submit_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=Decision.Kind.choices,
        initial=Decision.Kind.DECISION,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={"required": CHOOSE, "invalid_choice": CHOOSE},
    )
    title = forms.CharField(
        label=_("Hvad blev besluttet?"),
        help_text=_("En kort overskrift, fx: Anbringelse i plejefamilie fortsætter."),
        max_length=300,
        error_messages={
            "required": _("Skriv, hvad der blev besluttet."),
            "max_length": _("Skriv højst %(limit_value)d tegn."),
        },
        validators=[reject_markup],
    )
    decided_on = forms.DateField(
        label=_("Dato for afgørelsen"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Skriv datoen."),
            "invalid": _("Skriv en gyldig dato, fx 3.3.2026."),
        },
    )
    not_heard_reason = forms.ChoiceField(
        label=_("Hvorfor er barnet ikke hørt?"),
        choices=Decision.NotHeardReason.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={"invalid_choice": CHOOSE},
    )
    not_heard_note = forms.CharField(
        label=_("Uddybning"),
        help_text=_("Skal udfyldes, hvis du vælger “Anden grund”."),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Skriv højst %(limit_value)d tegn.")},
        validators=[reject_markup],
    )
    child_perspective = forms.CharField(
        label=_("Barnets perspektiv"),
        help_text=_(
            "Hvad mener og ønsker barnet? Brug gerne barnets egne ord. "
            "Skriv også, hvordan barnets synspunkter indgår i afgørelsen."
        ),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Skriv barnets perspektiv."),
            "max_length": _("Skriv højst %(limit_value)d tegn."),
        },
        validators=[reject_markup],
    )
    child_told_how = forms.CharField(
        label=_("Sådan fik barnet det at vide"),
        help_text=_("Fx: Jeg fortalte det til barnet på skolen, og barnet fik et brev."),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Skriv, hvordan barnet fik det at vide."),
            "max_length": _("Skriv højst %(limit_value)d tegn."),
        },
        validators=[reject_markup],
    )

    def __init__(
        self,
        *args: Any,
        case: Case,
        rules: DueRules,
        today: date,
        check_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case, self.rules, self.today = case, rules, today
        self.heard_check: HeardCheck | None = None
        self.fields["submit_token"].initial = uuid.uuid4
        self.fields["decided_on"].initial = today
        self.fields["decided_on"].widget.attrs["max"] = today.isoformat()
        if check_url:  # HTMX: tell at once whether the child is heard for the chosen date
            self.fields["decided_on"].widget.attrs.update(
                {
                    "hx-get": check_url,
                    "hx-trigger": "change",
                    "hx-target": "#heard-status",
                    "hx-swap": "innerHTML",
                }
            )

    def clean_decided_on(self) -> date:
        decided_on: date = self.cleaned_data["decided_on"]
        if decided_on > self.today:
            raise forms.ValidationError(_("Datoen må ikke ligge i fremtiden."))
        if decided_on < self.case.child.birth_date:
            raise forms.ValidationError(_("Datoen må ikke ligge før barnets fødsel."))
        if decided_on < self.case.opened_on:
            raise forms.ValidationError(_("Datoen må ikke ligge før sagen blev oprettet."))
        if self.case.closed_on is not None and decided_on > self.case.closed_on:
            raise forms.ValidationError(_("Datoen må ikke ligge efter sagen blev lukket."))
        return decided_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decided_on = cleaned.get("decided_on")
        if decided_on is None:
            return cleaned
        self.heard_check = check = heard_check(self.case, decided_on, self.rules)
        if check.heard:  # the reason fields are for a child not heard: ignore them
            cleaned["not_heard_reason"] = cleaned["not_heard_note"] = ""
        elif not cleaned.get("not_heard_reason") and "not_heard_reason" not in self.errors:
            self.add_error(
                "not_heard_reason",
                _(
                    "Der er ingen børnesamtale i de %(days)d dage før afgørelsen. "
                    "Vælg hvorfor barnet ikke er hørt."
                )
                % {"days": check.period_days},
            )
        elif cleaned.get("not_heard_reason") == Decision.NotHeardReason.OTHER and not cleaned.get(
            "not_heard_note"
        ):
            self.add_error("not_heard_note", _("Skriv, hvorfor barnet ikke er hørt."))
        return cleaned


class HeardCheckForm(forms.Form):
    """The date alone, for the HTMX check of whether the child is heard."""

    decided_on = forms.DateField()


def _rule_field(name: str, label: Any, help_text: Any) -> forms.IntegerField:
    """A whole-number field with the limits of the model field's validators."""
    model_field = DueRules._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    validators = model_field.validators
    low = next(v.limit_value for v in validators if isinstance(v, MinValueValidator))
    high = next(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Skriv et tal."),
            "invalid": _("Skriv et helt tal, fx 92."),
            "min_value": _("Tallet skal være mindst %(limit_value)s."),
            "max_value": _("Tallet må højst være %(limit_value)s."),
        },
    )


class DueRulesForm(forms.Form):
    """The municipality's due rules, each with its legal basis and the default."""

    conversation_before_decision_days = _rule_field(
        "conversation_before_decision_days",
        _("Børnesamtale før en afgørelse: højst antal dage før"),
        _(
            "Barnets lov § 5: barnets synspunkter skal indhentes før en afgørelse. "
            "Standard: 92 dage (3 måneder)."
        ),
    )
    placement_follow_up_days = _rule_field(
        "placement_follow_up_days",
        _("Første opfølgning efter en anbringelse: antal dage"),
        _("Barnets lov § 95. Standard: 92 dage (3 måneder)."),
    )
    visits_per_year = _rule_field(
        "visits_per_year",
        _("Tilsynsbesøg med samtale uden personale til stede: antal om året"),
        _("Barnets lov § 156, stk. 5. Standard: 2 besøg."),
    )
    plan_within_days = _rule_field(
        "plan_within_days",
        _("Barnets plan efter en anbringelse: antal dage"),
        _("Barnets lov §§ 91–92. Standard: 92 dage (3 måneder)."),
    )
    youth_plan_age = _rule_field(
        "youth_plan_age",
        _("Ungeplan fra alderen"),
        _("Barnets lov §§ 108–109. Standard: 16 år."),
    )
    party_rights_age = _rule_field(
        "party_rights_age",
        _("Partsrettigheder fra alderen"),
        _("Barnets lov § 3. Standard: 10 år."),
    )
