"""Forms of Barnets plan: the caseworker's goal, approval, removal and comparison; the child's
check-in ("Hvordan går det?") and proposal ("Det vil jeg gerne")."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundWidget
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from inddrag.conversations.forms import INCOMPLETE
from inddrag.conversations.meeting_forms import FACES, HiddenErrorsMixin, years_after
from inddrag.lib.text import reject_markup
from inddrag.plans.areas import Areas
from inddrag.plans.models import PlanVersion
from inddrag.plans.services import CHILD_WORDS_LIMIT, COMMENT_LIMIT, GOAL_FIELDS

REVIEW_YEARS = 2  # a goal is followed up at most this far ahead
TOO_LONG = _("Skriv højst %(limit_value)d tegn. Du har skrevet %(show_value)d.")
# The child's "Hvordan går det?", from 1 to 5, in words; the faces only decorate.
CHECK_IN_SCALE = [
    (1, _("Rigtig dårligt")),
    (2, _("Dårligt")),
    (3, _("Midt imellem")),
    (4, _("Godt")),
    (5, _("Rigtig godt")),
]
CHECK_IN_WORDS = dict(CHECK_IN_SCALE)


def check_in_label(rating: int) -> str:
    """ "Rigtig godt" for 5."""
    return str(CHECK_IN_WORDS[rating])


def check_in_face(rating: int) -> str:
    return FACES[str(rating)]


def _hidden_number() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE, "min_value": INCOMPLETE},
    )


def _hidden_token() -> forms.UUIDField:
    # One per form page: submitting the same page twice makes one row (T20).
    return forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Siden er for gammel. Gå tilbage, og prøv igen."),
            "invalid": _("Siden er for gammel. Gå tilbage, og prøv igen."),
        },
    )


class DraftForm(HiddenErrorsMixin, forms.Form):
    """The draft as the page showed it: its number and revision (optimistic locking, T19)."""

    draft = _hidden_number()
    revision = _hidden_number()

    @staticmethod
    def initial_for(draft: PlanVersion) -> dict[str, int]:
        return {"draft": draft.number, "revision": draft.revision}

    def lock(self) -> dict[str, int]:
        """The services' `draft_number` and `revision`."""
        return {
            "draft_number": self.cleaned_data["draft"],
            "revision": self.cleaned_data["revision"],
        }


class GoalForm(DraftForm):
    """A goal in the draft. The child's own words come first; a goal without them needs a
    stated reason (issue 6, acceptance). For a goal the child proposed (`child_words` given),
    the child's words are shown as written and cannot be changed here."""

    area = forms.ChoiceField(
        label=_("Område"),
        error_messages={
            "required": _("Vælg det område i barnets liv, målet hører til."),
            "invalid_choice": _("Vælg et af områderne på listen."),
        },
    )
    child_words = forms.CharField(
        label=_("Det vil jeg gerne (barnets egne ord)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=CHILD_WORDS_LIMIT,
        required=False,
        help_text=_("Skriv det, som barnet sagde det. Det er det første, barnet ser i sin plan."),
        validators=[reject_markup],
        error_messages={"max_length": TOO_LONG},
    )
    child_words_missing_reason = forms.CharField(
        label=_("Hvis barnets egne ord mangler: hvorfor?"),
        max_length=500,
        required=False,
        help_text=_(
            "Fx at barnet er for lille til at sætte ord på, eller ikke ville tale om det endnu."
        ),
        validators=[reject_markup],
        error_messages={"max_length": TOO_LONG},
    )
    description = forms.CharField(
        label=_("Din beskrivelse af målet"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("Hvad målet er, og hvordan I kan se, at det er nået."),
        validators=[reject_markup],
        error_messages={"required": _("Beskriv målet."), "max_length": TOO_LONG},
    )
    who_does_what = forms.CharField(
        label=_("Hvem gør hvad"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        required=False,
        help_text=_("Barnet ser det som »Det hjælper vi med«. Skriv det, så barnet forstår det."),
        validators=[reject_markup],
        error_messages={"max_length": TOO_LONG},
    )
    review_on = forms.DateField(
        label=_("Følges op"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Den dag, I ser på målet igen. Højst 2 år frem."),
        error_messages={
            "required": _("Skriv, hvornår målet skal følges op."),
            "invalid": _("Skriv en rigtig dato."),
        },
    )

    def __init__(
        self,
        *args: Any,
        areas: Areas,
        keep_area: str = "",
        child_words: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = [("", _("Vælg et område")), *areas.choices(keep=keep_area)]
        self.given_child_words = child_words
        if child_words is not None:  # the child's proposal: the words are the child's
            del self.fields["child_words"]
            del self.fields["child_words_missing_reason"]

    def clean_review_on(self) -> date:
        review_on: date = self.cleaned_data["review_on"]
        today = timezone.localdate()
        if review_on < today:
            raise ValidationError(
                _("Datoen er passeret. Vælg en dag fra i dag og frem."), code="past"
            )
        if review_on > years_after(today, REVIEW_YEARS):
            raise ValidationError(
                _("Et mål følges op inden for 2 år. Vælg en tidligere dato."), code="too_late"
            )
        return review_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.given_child_words is not None:
            cleaned["child_words"] = self.given_child_words
            cleaned["child_words_missing_reason"] = ""
            return cleaned
        words = (cleaned.get("child_words") or "").strip()
        reason = (cleaned.get("child_words_missing_reason") or "").strip()
        if words:
            cleaned["child_words_missing_reason"] = ""  # the words are there: no reason needed
        elif not reason and not (
            self.has_error("child_words") or self.has_error("child_words_missing_reason")
        ):
            self.add_error(
                "child_words",
                _(
                    "Skriv barnets egne ord. Mangler de, så skriv hvorfor i feltet "
                    "»Hvis barnets egne ord mangler: hvorfor?«."
                ),
            )
        cleaned["child_words"] = words
        cleaned["child_words_missing_reason"] = reason if not words else ""
        return cleaned

    def goal_fields(self) -> dict[str, Any]:
        """The cleaned values the services take as keyword arguments."""
        return {name: self.cleaned_data[name] for name in GOAL_FIELDS}


class CompareForm(forms.Form):
    """Which two versions to compare (?a=1&b=2)."""

    a = forms.TypedChoiceField(label=_("Sammenlign"), coerce=int)
    b = forms.TypedChoiceField(label=_("med"), coerce=int)

    def __init__(self, *args: Any, versions: list[PlanVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(v.number, version_label(v)) for v in versions]
        for name in ("a", "b"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = choices
            field.error_messages["invalid_choice"] = _("Vælg en version fra listen.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("a") is not None and cleaned.get("a") == cleaned.get("b"):
            raise ValidationError(_("Vælg to forskellige versioner."), code="same")
        return cleaned


def version_label(version: PlanVersion) -> str:
    if version.approved_at is None:
        return str(_("Version %(n)d (kladde)") % {"n": version.number})
    day = date_format(timezone.localdate(version.approved_at), "SHORT_DATE_FORMAT")
    return str(_("Version %(n)d (godkendt %(day)s)") % {"n": version.number, "day": day})


# The child's forms: short, everyday words (written for a child of about 12).


class CheckInForm(HiddenErrorsMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Hvordan går det?"),
        choices=CHECK_IN_SCALE,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={
            "required": _("Vælg, hvordan det går."),
            "invalid_choice": _("Vælg, hvordan det går."),
        },
    )
    comment = forms.CharField(
        label=_("Vil du sige mere?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=COMMENT_LIMIT,
        required=False,
        help_text=_("Du må gerne lade være. Din sagsbehandler kan læse det."),
        validators=[reject_markup],
        error_messages={"max_length": _("Du kan højst skrive %(limit_value)d tegn.")},
    )
    submit_token = _hidden_token()

    def options(self) -> list[tuple[BoundWidget, str]]:
        """Each radio with its face (decoration: the label says it in words)."""
        return [(radio, FACES[str(radio.data["value"])]) for radio in self["rating"]]


class ProposeGoalForm(HiddenErrorsMixin, forms.Form):
    child_words = forms.CharField(
        label=_("Det vil jeg gerne"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=CHILD_WORDS_LIMIT,
        help_text=_("Skriv med dine egne ord. Fx: Jeg vil gerne gå til svømning."),
        validators=[reject_markup],
        error_messages={
            "required": _("Skriv, hvad du gerne vil."),
            "max_length": _("Du kan højst skrive %(limit_value)d tegn."),
        },
    )
    area = forms.ChoiceField(
        label=_("Hvad handler det om?"),
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={"invalid_choice": _("Vælg et af svarene.")},
    )
    submit_token = _hidden_token()

    def __init__(self, *args: Any, areas: Areas, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = [*areas.child_choices(), ("", _("Ved ikke"))]
