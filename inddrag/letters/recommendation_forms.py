"""Forms for a recommendation to the committee: the text in four parts, and the child's
statements to quote, offered only as far as the child agreed they may be shared."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from inddrag.children.models import Case
from inddrag.conversations.models import Statement
from inddrag.letters.models import Recommendation
from inddrag.letters.recommendation_services import FIELDS, quotable_statements
from inddrag.lib.text import reject_markup

# A hidden field that is missing or changed: the page is old, or was tampered with.
INCOMPLETE = _("Formularen er ikke komplet. Hent siden igen, og prøv igen.")
TOO_LONG = _("Skriv højst %(limit_value)d tegn. Du har skrevet %(show_value)d.")
NOT_QUOTABLE = _(
    "Det udsagn kan ikke citeres. Barnet har sagt, at kun sagsbehandleren må læse det, "
    "eller det hører ikke til sagen. Hent siden igen, og vælg blandt de udsagn, der står der."
)


def _limit(name: str) -> int:
    """The model field's maximum length: the form refuses what the database would."""
    limit = getattr(Recommendation._meta.get_field(name), "max_length", None)
    assert isinstance(limit, int)
    return limit


def _text(label: Any, help_text: Any, required: Any, *, name: str, rows: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=_limit(name),
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(),
        validators=[reject_markup],
        error_messages={"required": required, "max_length": TOO_LONG},
    )


class QuoteField(forms.ModelMultipleChoiceField[Statement]):
    """The child's statements as checkboxes; a value outside the queryset (another case's
    statement, or one the child shared with the caseworker alone) is a field error."""

    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Statement)
        return obj.text


class RecommendationForm(forms.Form):
    """A recommendation. `case` decides which statements may be quoted."""

    title = _text(
        _("Indstillingen gælder"),
        _("En kort overskrift, fx: Fortsat anbringelse i plejefamilie."),
        _("Skriv, hvad indstillingen gælder."),
        name="title",
        rows=0,
    )
    child_perspective = _text(
        _("Beskriv barnets perspektiv"),
        _(
            "Hvad mener og ønsker barnet, med dine ord? Skriv også, hvordan barnets synspunkter "
            "indgår i indstillingen. Barnets egne ord citerer du herunder."
        ),
        _("Skriv barnets perspektiv. Udvalget skal kende barnets synspunkter."),
        name="child_perspective",
        rows=8,
    )
    quotes = QuoteField(
        label=_("Citér barnets egne ord"),
        help_text=_(
            "Vælg de udsagn, udvalget skal læse med barnets egne ord. Udsagn, som barnet kun "
            "vil dele med sagsbehandleren, kan ikke citeres og står ikke her."
        ),
        queryset=Statement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        error_messages={
            "invalid_choice": NOT_QUOTABLE,
            "invalid_pk_value": NOT_QUOTABLE,
            "invalid_list": NOT_QUOTABLE,
        },
    )
    involvement = _text(
        _("Sådan er barnet inddraget"),
        _(
            "Fx børnesamtaler (hvornår og hvor), om barnet havde en bisidder med, møder "
            "barnet var med til, og hvordan barnet har fået indstillingen at vide."
        ),
        _("Skriv, hvordan barnet er inddraget."),
        name="involvement",
        rows=5,
    )
    recommendation = _text(
        _("Indstilling"),
        _("Hvad forvaltningen indstiller til udvalget, og hvorfor."),
        _("Skriv indstillingen."),
        name="recommendation",
        rows=10,
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        quotes = self.fields["quotes"]
        assert isinstance(quotes, QuoteField)
        quotes.queryset = quotable_statements(case)

    def hidden_errors(self) -> list[str]:
        """Errors that belong to no visible field, for the message at the top of the form."""
        errors = [str(e) for e in self.non_field_errors()]
        return errors + [str(e) for field in self.hidden_fields() for e in field.errors]

    def values(self) -> dict[str, Any]:
        """The cleaned values the services take as keyword arguments: the four texts, and the
        quoted statements in the order they are offered (newest first)."""
        values = {name: self.cleaned_data[name] for name in FIELDS}
        values["quotes"] = list(self.cleaned_data["quotes"])  # the queryset's order
        return values


class NewRecommendationForm(RecommendationForm):
    # One per form page: submitting the same page twice writes one recommendation (T20).
    submit_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE},
    )


class EditRecommendationForm(RecommendationForm):
    # The version the editor started from (optimistic locking, T19).
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE, "min_value": INCOMPLETE},
    )
