"""Forms for meetings framed with the child: the caseworker's (schedule, record, summary, copy the
child's words, the leader's period filter) and the child's (a preparation step, sending it, the
feedback on the summary)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundWidget
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inddrag.conversations.forms import INCOMPLETE
from inddrag.conversations.models import Meeting, PreparationAnswer, Statement
from inddrag.lib.text import reject_markup

Question = PreparationAnswer.Question
SCHEDULE_YEARS = 2  # a meeting is planned at most this far ahead
FIGURES_MONTHS = 3  # the feedback figures' default period


def _hidden_token() -> forms.UUIDField:
    # One per form page: submitting the same page twice makes one row (T20).
    return forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE}
    )


def _hidden_version() -> forms.IntegerField:
    # The version the editor started from (optimistic locking, T19).
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE, "min_value": INCOMPLETE},
    )


def years_after(day: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February in a year that has none)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier, or that month's last day if it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


class HiddenErrorsMixin:
    def hidden_errors(self) -> list[str]:
        """Errors that belong to no visible field, for the message at the top of the form."""
        form: Any = self
        errors = [str(e) for e in form.non_field_errors()]
        return errors + [str(e) for field in form.hidden_fields() for e in field.errors]


# The caseworker's forms.


class ScheduleMeetingForm(HiddenErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Slags møde"),
        choices=Meeting.Kind.choices,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={
            "required": _("Vælg, hvilken slags møde det er."),
            "invalid_choice": _("Vælg en af mødetyperne."),
        },
    )
    day = forms.DateField(
        label=_("Dato"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Skriv datoen for mødet."),
            "invalid": _("Skriv en rigtig dato."),
        },
    )
    time = forms.TimeField(
        label=_("Klokkeslæt"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Skriv, hvornår mødet begynder."),
            "invalid": _("Skriv et klokkeslæt som 14:30."),
        },
    )
    place = forms.CharField(
        label=_("Sted"),
        max_length=200,
        help_text=_("Fx barnets skole, hjemme hos barnet eller på rådhuset."),
        validators=[reject_markup],
        error_messages={"required": _("Skriv, hvor mødet skal være.")},
    )
    child_invited = forms.BooleanField(
        label=_("Inviter barnet"),
        required=False,
        initial=True,
        help_text=_("Barnet kan se mødet i Inddrag og forberede sig til det."),
    )
    submit_token = _hidden_token()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, time = cleaned.get("day"), cleaned.get("time")
        if day is None or time is None:
            return cleaned
        starts_at = timezone.make_aware(datetime.combine(day, time))
        now = timezone.now()
        if starts_at <= now:
            self.add_error("day", _("Tidspunktet er gået. Vælg et tidspunkt, der ikke er gået."))
        elif day > years_after(timezone.localdate(now), SCHEDULE_YEARS):
            self.add_error("day", _("Et møde kan højst planlægges to år frem."))
        else:
            cleaned["starts_at"] = starts_at
        return cleaned

    def meeting_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "starts_at": data["starts_at"],
            "place": data["place"],
            "child_invited": data["child_invited"],
        }


class RecordMeetingForm(HiddenErrorsMixin, forms.Form):
    """The meeting was held: notes for the case file and, for a child conversation, the
    conversation in the case (only while none is recorded from this meeting)."""

    notes = forms.CharField(
        label=_("Referat til sagen"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
        required=False,
        help_text=_("Hvad skete der på mødet? Referatet står i sagen. Barnet ser det ikke."),
        validators=[reject_markup],
    )
    record_conversation = forms.BooleanField(
        label=_("Registrér mødet som børnesamtale i sagen"), required=False, initial=True
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
    version = _hidden_version()

    CONVERSATION_FIELDS = (
        "record_conversation",
        "present",
        "had_bisidder",
        "without_staff_present",
    )

    def __init__(self, *args: Any, offer_conversation: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer_conversation = offer_conversation
        if not offer_conversation:
            for name in self.CONVERSATION_FIELDS:
                del self.fields[name]

    def record_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields: dict[str, Any] = {"notes": data["notes"], "record_conversation": False}
        if self.offer_conversation:
            fields.update({name: data[name] for name in self.CONVERSATION_FIELDS})
        return fields


class CancelMeetingForm(HiddenErrorsMixin, forms.Form):
    version = _hidden_version()


class SummaryForm(HiddenErrorsMixin, forms.Form):
    summary = forms.CharField(
        label=_("Det aftalte vi"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=5000,
        help_text=_(
            "Skriv til barnet med korte sætninger og almindelige ord. Barnet læser det i Inddrag."
        ),
        validators=[reject_markup],
        error_messages={"required": _("Skriv til barnet, hvad I aftalte.")},
    )
    version = _hidden_version()


FEEDBACK_SOURCE = "feedback"


class CopyStatementForm(forms.Form):
    """Which of the child's words to copy into the case: a shared answer of the preparation
    ("answer:<question>") or the text of the child's feedback ("feedback")."""

    source = forms.CharField(
        max_length=40, error_messages={"required": INCOMPLETE, "max_length": INCOMPLETE}
    )
    sharing = forms.ChoiceField(
        label=_("Hvem må læse det i sagen?"),
        choices=Statement.Sharing.choices,
        initial=Statement.Sharing.CASE_FILE,
        error_messages={
            "required": _("Vælg, hvem der må læse det."),
            "invalid_choice": _("Vælg, hvem der må læse det."),
        },
    )

    def clean_source(self) -> str:
        source: str = self.cleaned_data["source"]
        if source == FEEDBACK_SOURCE:
            return source
        kind, _sep, question = source.partition(":")
        if kind != "answer" or question not in Question.values:
            raise ValidationError(INCOMPLETE, code="source")
        return source

    @property
    def question(self) -> str | None:
        """The question of the copied answer, or None for the feedback's text."""
        source: str = self.cleaned_data["source"]
        return None if source == FEEDBACK_SOURCE else source.partition(":")[2]


class FeedbackFiguresForm(forms.Form):
    """The leader's period: the last three months unless chosen."""

    is_filter = True  # the field template leaves out "(frivillig)"
    fra = forms.DateField(
        label=_("Fra"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Skriv en rigtig dato.")},
    )
    til = forms.DateField(
        label=_("Til"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Skriv en rigtig dato.")},
    )

    def __init__(self, data: Any, *, today: date) -> None:
        super().__init__(data)
        self.today = today

    @property
    def default_period(self) -> tuple[date, date]:
        return months_before(self.today, FIGURES_MONTHS), self.today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        start, end = self.default_period
        start = cleaned.get("fra") or start
        end = cleaned.get("til") or end
        if start > end:
            self.add_error("til", _("Til-datoen skal være samme dag som fra-datoen eller senere."))
        elif end - start > timedelta(days=366 * 10):
            self.add_error("fra", _("Vælg en periode på højst ti år."))
        cleaned["period"] = (start, end)
        return cleaned

    def period(self) -> tuple[date, date]:
        start, end = self.cleaned_data["period"]
        return start, end


# The child's forms. The labels are written for a child of about 12: short, everyday words.

SHARED_CHOICES = [("ja", _("Ja")), ("nej", _("Nej, kun mig"))]
WHERE_CHOICES = [
    ("home", _("Hjemme")),
    ("school", _("I skolen")),
    ("municipality", _("På kommunen")),
    ("other", _("Et andet sted")),
]
BISIDDER_CHOICES = [("yes", _("Ja")), ("no", _("Nej")), ("unsure", _("Ved ikke"))]
# The five faces of the simple mode's scales and of the feedback, from 1 to 5.
FACES = {"1": "😞", "2": "🙁", "3": "😐", "4": "🙂", "5": "😄"}
HARD_FACES = {"1": "😄", "2": "🙂", "3": "😐", "4": "🙁", "5": "😞"}
GOING_WELL_SCALE = [
    ("1", _("Slet ikke godt")),
    ("2", _("Ikke så godt")),
    ("3", _("Midt imellem")),
    ("4", _("Godt")),
    ("5", _("Rigtig godt")),
]
HARD_SCALE = [
    ("1", _("Slet ikke svært")),
    ("2", _("Lidt svært")),
    ("3", _("Midt imellem")),
    ("4", _("Svært")),
    ("5", _("Meget svært")),
]
FEEDBACK_SCALE = [
    (1, _("Slet ikke")),
    (2, _("Ikke rigtig")),
    (3, _("Lidt")),
    (4, _("For det meste")),
    (5, _("Helt")),
]


@dataclass(frozen=True)
class Step:
    """One screen of the preparation: one question."""

    number: int
    question: str
    hint: Any
    text_label: Any
    choice_legend: Any = None


STEPS = (
    Step(
        1,
        Question.TOPICS,
        _("Skriv det, du gerne vil sige eller spørge om til mødet."),
        _("Skriv her"),
    ),
    Step(
        2,
        Question.GOING_WELL,
        _("Hvad er godt lige nu? Fx i skolen, derhjemme eller med dine venner."),
        _("Skriv her"),
        _("Hvordan går det?"),
    ),
    Step(
        3,
        Question.HARD,
        _("Er der noget, der er svært lige nu?"),
        _("Skriv her"),
        _("Hvor svært er det?"),
    ),
    Step(
        4,
        Question.NOT_TALK,
        _(
            "Du bestemmer. Skriv, hvis der er noget, du ikke vil tale om. Eller noget, som nogen "
            "ikke skal høre."
        ),
        _("Skriv her"),
    ),
    Step(
        5,
        Question.WHO_WITH,
        _("Hvem vil du gerne have med til mødet? Fx en voksen, du stoler på."),
        _("Skriv her"),
    ),
    Step(
        6,
        Question.WHERE,
        _("Hvor vil du helst holde mødet?"),
        _("Vil du skrive mere om stedet?"),
        _("Vælg et sted"),
    ),
    Step(
        7,
        Question.BISIDDER,
        _(
            "En bisidder er en voksen, som er med til mødet for at støtte dig. Det kan være en, "
            "du kender, eller en fra en forening. Du har ret til at have en bisidder med."
        ),
        _("Ved du, hvem det skal være? Skriv det her"),
        _("Vælg et svar"),
    ),
)
OVERVIEW_STEP = len(STEPS) + 1  # "Se dine svar", with the button that sends them


def step_choices(question: str, *, simple_mode: bool) -> list[tuple[str, Any]]:
    """The choices a step offers (none: text only). Simple mode adds a face scale to steps 2
    and 3."""
    if question == Question.WHERE:
        return WHERE_CHOICES
    if question == Question.BISIDDER:
        return BISIDDER_CHOICES
    if simple_mode and question == Question.GOING_WELL:
        return GOING_WELL_SCALE
    if simple_mode and question == Question.HARD:
        return HARD_SCALE
    return []


def faces_of(question: str) -> dict[str, str]:
    if question == Question.GOING_WELL:
        return FACES
    if question == Question.HARD:
        return HARD_FACES
    return {}


_ALL_CHOICE_LABELS: dict[str, dict[str, Any]] = {
    Question.WHERE: dict(WHERE_CHOICES),
    Question.BISIDDER: dict(BISIDDER_CHOICES),
    Question.GOING_WELL: dict(GOING_WELL_SCALE),
    Question.HARD: dict(HARD_SCALE),
}


def choice_label(question: str, value: str) -> str:
    """The words of a stored choice, with its face if it has one ("😐 Midt imellem")."""
    label = _ALL_CHOICE_LABELS.get(question, {}).get(value)
    if label is None:
        return value
    face = faces_of(question).get(value)
    return f"{face} {label}" if face else str(label)


class PreparationStepForm(forms.Form):
    """One answer: words, a choice or both (or nothing: the child may skip a question), and
    whether the caseworker may see it (yes unless the child says no)."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        required=False,
        validators=[reject_markup],
        error_messages={"max_length": _("Du kan højst skrive %(limit_value)d tegn.")},
    )
    choice = forms.ChoiceField(
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={"invalid_choice": _("Vælg et af svarene.")},
    )
    shared = forms.ChoiceField(
        label=_("Må din sagsbehandler se det?"),
        choices=SHARED_CHOICES,
        required=False,  # not chosen: yes, the default shown
        initial="ja",
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={"invalid_choice": _("Vælg ja eller nej.")},
    )

    def __init__(self, *args: Any, step: Step, simple_mode: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        self.fields["text"].label = step.text_label
        choices = step_choices(step.question, simple_mode=simple_mode)
        if choices:
            choice = self.fields["choice"]
            assert isinstance(choice, forms.ChoiceField)
            choice.choices = choices
            choice.label = step.choice_legend
        else:
            del self.fields["choice"]
        # The text field is described by the step's explanation, shown under the heading.
        self.fields["text"].widget.attrs["aria-describedby"] = "step-hint"

    @property
    def has_choice(self) -> bool:
        return "choice" in self.fields

    def choice_options(self) -> list[tuple[BoundWidget, str]]:
        """Each radio of the choice with its face ("" when it has none)."""
        faces = faces_of(self.step.question)
        return [(radio, faces.get(str(radio.data["value"]), "")) for radio in self["choice"]]

    def answer(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "text": data["text"].strip(),
            "choice": data.get("choice", ""),
            "shared": data["shared"] != "nej",
        }


class SubmitPreparationForm(forms.Form):
    submit_token = _hidden_token()


class FeedbackForm(HiddenErrorsMixin, forms.Form):
    felt_heard = forms.TypedChoiceField(
        label=_("Følte du dig hørt?"),
        choices=FEEDBACK_SCALE,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={
            "required": _("Vælg et af ansigterne."),
            "invalid_choice": _("Vælg et af ansigterne."),
        },
    )
    understood = forms.TypedChoiceField(
        label=_("Forstod du, hvad der blev besluttet?"),
        choices=FEEDBACK_SCALE,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={
            "required": _("Vælg et af ansigterne."),
            "invalid_choice": _("Vælg et af ansigterne."),
        },
    )
    text = forms.CharField(
        label=_("Vil du sige mere?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        required=False,
        help_text=_("Du må gerne lade være."),
        validators=[reject_markup],
        error_messages={"max_length": _("Du kan højst skrive %(limit_value)d tegn.")},
    )
    submit_token = _hidden_token()

    def options(self, name: str) -> list[tuple[BoundWidget, str]]:
        return [(radio, FACES[str(radio.data["value"])]) for radio in self[name]]

    def felt_heard_options(self) -> list[tuple[BoundWidget, str]]:
        return self.options("felt_heard")

    def understood_options(self) -> list[tuple[BoundWidget, str]]:
        return self.options("understood")

    def feedback_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "felt_heard": data["felt_heard"],
            "understood": data["understood"],
            "text": data["text"].strip(),
        }


def feedback_label(value: int) -> str:
    """ "😐 Lidt" for 3."""
    return f"{FACES[str(value)]} {dict(FEEDBACK_SCALE)[value]}"
