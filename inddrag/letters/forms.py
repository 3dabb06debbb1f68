"""Forms for letters: the composer, sending, the child's "ring til mig", and the municipality's
list of bureaucratic words. (Recommendations have their own forms, recommendation_forms.py.)"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from inddrag.letters.models import Letter, LetterTemplate, PlainWord
from inddrag.lib.text import reject_markup

# A hidden field that is missing or changed: the page is old, or was tampered with.
INCOMPLETE = _("Formularen er ikke komplet. Hent siden igen, og prøv igen.")
CHILD_INCOMPLETE = _("Siden er for gammel. Hent den igen, og prøv igen.")
CALL_ME_TEXT_LIMIT = 3000  # ChildMessage.text
HARD_TEXT_CONFIRMATION = _("Jeg har læst teksten igennem, og barnet får hjælp til at forstå den")

Audience = Letter.Audience
LETTER_FIELDS = ("audience", "recipient", "subject", "body")


def templates_for(municipality_id: int) -> QuerySet[LetterTemplate]:
    """Everyone's templates and the municipality's own, without retired ones."""
    return (
        LetterTemplate.objects.filter(
            Q(municipality__isnull=True) | Q(municipality_id=municipality_id)
        )
        .filter(disabled_on__isnull=True)
        .order_by("name", "pk")
    )


class LetterForm(forms.Form):
    """The letter itself. The body is required, without HTML, and at most Letter.MAX_LENGTH
    characters; a longer one is refused with how many characters too many."""

    audience = forms.ChoiceField(
        label=_("Brevet er til"),
        choices=Audience.choices,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={
            "required": _("Vælg, hvem brevet er til."),
            "invalid_choice": _("Vælg, hvem brevet er til."),
        },
    )
    recipient = forms.CharField(
        label=_("Modtager"),
        max_length=200,
        help_text=_("Barnets fornavn, eller navnene på forældremyndighedsindehaverne."),
        validators=[reject_markup],
        error_messages={
            "required": _("Skriv, hvem brevet er til."),
            "max_length": _("Skriv højst %(limit_value)d tegn (du har skrevet %(show_value)d)."),
        },
    )
    subject = forms.CharField(
        label=_("Overskrift"),
        max_length=200,
        help_text=_("Kort og klart, fx »Vi skal mødes«."),
        validators=[reject_markup],
        error_messages={
            "required": _("Skriv en overskrift."),
            "max_length": _("Skriv højst %(limit_value)d tegn (du har skrevet %(show_value)d)."),
        },
    )
    body = forms.CharField(
        label=_("Tekst"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Skriv med korte sætninger og hverdagsord. Lav en tom linje mellem afsnittene."
        ),
        validators=[reject_markup],
        error_messages={"required": _("Skriv brevets tekst.")},
    )

    def clean_body(self) -> str:
        """Line endings as \n (a browser sends \r\n), and the length limit in words."""
        body = str(self.cleaned_data["body"]).replace("\r\n", "\n").replace("\r", "\n")
        over = len(body) - Letter.MAX_LENGTH
        if over > 0:
            raise ValidationError(
                ngettext(
                    "Brevet er for langt: der må højst være %(limit)s tegn, og der er "
                    "%(length)s. Gør det %(over)s tegn kortere, eller del det i to breve.",
                    "Brevet er for langt: der må højst være %(limit)s tegn, og der er "
                    "%(length)s. Gør det %(over)s tegn kortere, eller del det i to breve.",
                    over,
                )
                % {
                    "limit": number_format(Letter.MAX_LENGTH, force_grouping=True),
                    "length": number_format(len(body), force_grouping=True),
                    "over": number_format(over, force_grouping=True),
                },
                code="too_long",
            )
        return body

    def letter_fields(self) -> dict[str, Any]:
        """The cleaned values the services take as keyword arguments."""
        return {name: self.cleaned_data[name] for name in LETTER_FIELDS}

    def hidden_errors(self) -> list[str]:
        """Errors that belong to no visible field, for the message at the top of the form."""
        errors = [str(e) for e in self.non_field_errors()]
        return errors + [str(e) for field in self.hidden_fields() for e in field.errors]


class NewLetterForm(LetterForm):
    # One per form page: saving the same page twice makes one letter (T20).
    submit_token = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE}
    )


class EditLetterForm(LetterForm):
    # The version the editor started from (optimistic locking, T19).
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE, "min_value": INCOMPLETE},
    )


class TemplateChoiceForm(forms.Form):
    """ "Brug skabelonen": the composer again with the template's text."""

    template = forms.ModelChoiceField(
        label=_("Start fra en skabelon"),
        queryset=LetterTemplate.objects.none(),
        required=False,
        empty_label=_("Tomt brev"),
        error_messages={"invalid_choice": _("Vælg en af skabelonerne.")},
    )

    def __init__(self, *args: Any, municipality_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = templates_for(municipality_id)


class SendLetterForm(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE, "min_value": INCOMPLETE},
    )
    confirm_hard_text = forms.BooleanField(label=HARD_TEXT_CONFIRMATION, required=False)


class CallMeForm(forms.Form):
    """The child's "Jeg forstår det ikke — ring til mig": pressing the button is enough."""

    # One per form page: pressing twice asks once (T20).
    submit_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": CHILD_INCOMPLETE, "invalid": CHILD_INCOMPLETE},
    )
    text = forms.CharField(
        label=_("Hvad er svært?"),
        max_length=CALL_ME_TEXT_LIMIT,
        required=False,
        help_text=_("Du behøver ikke skrive noget. Det er nok at trykke på knappen."),
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_markup],
        error_messages={
            "max_length": _(
                "Du har skrevet for meget. Skriv højst %(limit_value)d tegn "
                "(nu er der %(show_value)d)."
            ),
        },
    )


# A term: letters, digits, spaces, hyphens and apostrophes, maybe a full stop (an abbreviation
# such as "jf."), or a sign such as "§"; a "*" at the end makes it a stem.
_TERM = re.compile(r"^(?:§|[^\W_][\w .'’-]*?)\*?$")
MIN_STEM_LETTERS = 4  # "bevil*": a shorter stem would find too many ordinary words


class PlainWordForm(forms.Form):
    term = forms.CharField(
        label=_("Ord eller udtryk"),
        max_length=100,
        help_text=_(
            "Fx »foranstaltning« eller »anbringelse uden for hjemmet«. Ordet findes også med "
            "de almindelige endelser (»foranstaltningen«). Sæt * efter en ordstamme for at "
            "finde alle ord, der begynder sådan: »bevil*« finder »bevilling« og »bevilget«."
        ),
        validators=[reject_markup],
        error_messages={
            "required": _("Skriv ordet eller udtrykket."),
            "max_length": _("Skriv højst %(limit_value)d tegn (du har skrevet %(show_value)d)."),
        },
    )
    plain = forms.CharField(
        label=_("Sig hellere"),
        max_length=200,
        help_text=_(
            "Det lette ord eller den forklaring, sagsbehandleren ser, fx »den hjælp, du får«."
        ),
        validators=[reject_markup],
        error_messages={
            "required": _("Skriv, hvad man kan sige i stedet."),
            "max_length": _("Skriv højst %(limit_value)d tegn (du har skrevet %(show_value)d)."),
        },
    )

    def __init__(self, *args: Any, municipality_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipality_id = municipality_id

    def clean_term(self) -> str:
        """Lower case with single spaces; unique among the municipality's words in use."""
        term = " ".join(str(self.cleaned_data["term"]).split()).lower()
        if not _TERM.match(term):
            raise ValidationError(
                _(
                    "Skriv et ord eller et udtryk med bogstaver. Du kan bruge mellemrum, "
                    "bindestreg og punktum, og * til sidst efter en ordstamme."
                ),
                code="term",
            )
        if term.endswith("*") and len(term.rstrip("*")) < MIN_STEM_LETTERS:
            raise ValidationError(
                _("En ordstamme med * skal have mindst %(n)d bogstaver.") % {"n": MIN_STEM_LETTERS},
                code="short_stem",
            )
        in_use = PlainWord.objects.filter(
            municipality_id=self.municipality_id, term=term, disabled_on__isnull=True
        )
        if in_use.exists():
            raise ValidationError(
                _("»%(term)s« står allerede på kommunens liste.") % {"term": term},
                code="duplicate",
            )
        return term


class RetirePlainWordForm(forms.Form):
    term = forms.CharField(max_length=100, widget=forms.HiddenInput)
