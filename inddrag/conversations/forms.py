"""Forms for a child conversation: the record itself, and the child's statements as a formset."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inddrag.conversations.models import Statement
from inddrag.lib.text import reject_markup

STATEMENTS_PREFIX = "statements"
NEW_STATEMENT_FORMS = 3  # room for three statements on a new record
MAX_STATEMENTS = 20

# The conversation's own fields, as the form and the services name them.
CONVERSATION_FIELDS = (
    "held_on",
    "place",
    "present",
    "had_bisidder",
    "without_staff_present",
    "assessment",
)
# A hidden field that is missing or changed: the page is old, or was tampered with.
INCOMPLETE = _("Formularen er ikke komplet. Hent siden igen, og prøv igen.")


class ConversationForm(forms.Form):
    """The record of one conversation. `birth_date` is the child's: no conversation before it."""

    held_on = forms.DateField(
        label=_("Dato for samtalen"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Skriv datoen for samtalen."),
            "invalid": _("Skriv en rigtig dato."),
        },
    )
    place = forms.CharField(
        label=_("Sted"),
        max_length=200,
        help_text=_("Fx barnets skole, hjemme hos plejefamilien eller på rådhuset."),
        validators=[reject_markup],
        error_messages={"required": _("Skriv, hvor samtalen foregik.")},
    )
    present = forms.CharField(
        label=_("Hvem var med"),
        max_length=500,
        required=False,
        help_text=_("Fx barnet, sagsbehandleren og barnets bisidder."),
        validators=[reject_markup],
    )
    had_bisidder = forms.BooleanField(label=_("Barnet havde en bisidder med"), required=False)
    without_staff_present = forms.BooleanField(
        label=_("Samtale uden personale til stede (tilsynsbesøg, barnets lov § 156, stk. 5)"),
        required=False,
    )
    assessment = forms.CharField(
        label=_("Din vurdering"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        required=False,
        help_text=_("Hvad du som sagsbehandler lægger vægt på efter samtalen."),
        validators=[reject_markup],
    )

    def __init__(self, *args: Any, birth_date: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.birth_date = birth_date

    def clean_held_on(self) -> date:
        held_on: date = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise ValidationError(_("Datoen må ikke ligge i fremtiden."), code="future")
        if held_on < self.birth_date:
            raise ValidationError(
                _("Datoen må ikke ligge før barnets fødsel."), code="before_birth"
            )
        return held_on

    def hidden_errors(self) -> list[str]:
        """Errors that belong to no visible field, for the message at the top of the form."""
        errors = [str(e) for e in self.non_field_errors()]
        return errors + [str(e) for field in self.hidden_fields() for e in field.errors]

    def conversation_fields(self) -> dict[str, Any]:
        """The cleaned values the services take as keyword arguments."""
        return {name: self.cleaned_data[name] for name in CONVERSATION_FIELDS}


class NewConversationForm(ConversationForm):
    # One per form page: submitting the same page twice records one conversation (T20).
    submit_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": INCOMPLETE,
            "invalid": INCOMPLETE,
        },
    )


class EditConversationForm(ConversationForm):
    # The version the editor started from (optimistic locking, T19).
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": INCOMPLETE,
            "invalid": INCOMPLETE,
            "min_value": INCOMPLETE,
        },
    )


class StatementForm(forms.Form):
    """One thing the child said, in the child's own words, and who the child agreed may read
    it. An empty statement is left out; a statement with words needs the child's choice."""

    text = forms.CharField(
        label=_("Barnets egne ord"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
        help_text=_("Skriv det, som barnet sagde det."),
        validators=[reject_markup],
    )
    sharing = forms.ChoiceField(
        label=_("Hvem har barnet sagt ja til, må læse det?"),
        choices=Statement.Sharing.choices,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        required=False,
        error_messages={"invalid_choice": _("Vælg et af svarene.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("text") and not cleaned.get("sharing") and "sharing" not in self.errors:
            self.add_error("sharing", _("Vælg, hvem barnet har sagt ja til, må læse det."))
        return cleaned


class BaseStatementFormSet(forms.BaseFormSet[StatementForm]):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.statements():
            message = _("Skriv mindst ét udsagn med barnets egne ord.")
            if not self.forms:
                raise ValidationError(message, code="no_statements")
            self.forms[0].add_error("text", message)

    def statements(self) -> list[tuple[str, str]]:
        """(text, sharing) of every statement with words, in the order of the page."""
        return [
            (form.cleaned_data["text"], form.cleaned_data["sharing"])
            for form in self.forms
            if form.cleaned_data.get("text")
        ]


StatementFormSet = forms.formset_factory(
    StatementForm,
    formset=BaseStatementFormSet,
    extra=0,  # the views give the forms as `initial`, so adding one keeps what was typed
    max_num=MAX_STATEMENTS,
    absolute_max=MAX_STATEMENTS,
    validate_max=True,
)


def statement_formset(
    data: Any = None, *, initial: list[dict[str, Any]] | None = None
) -> BaseStatementFormSet:
    formset = StatementFormSet(data, prefix=STATEMENTS_PREFIX, initial=initial)
    assert isinstance(formset, BaseStatementFormSet)  # formset_factory's type says less
    return formset


def with_one_more_statement[F: ConversationForm](
    form: F, formset: BaseStatementFormSet
) -> tuple[F, BaseStatementFormSet]:
    """The "Tilføj et udsagn" button: the same page again, unbound (so nothing is marked as an
    error yet), with everything typed so far and one more empty statement."""
    initial = {name: form[name].value() for name in form.fields}
    again = type(form)(initial=initial, birth_date=form.birth_date)
    statements = [{"text": f["text"].value(), "sharing": f["sharing"].value()} for f in formset]
    if len(statements) >= MAX_STATEMENTS:
        return again, statement_formset(initial=statements)
    more = statement_formset(initial=[*statements, {}])
    more.forms[-1].fields["text"].widget.attrs["autofocus"] = True  # where the user goes next
    return again, more
