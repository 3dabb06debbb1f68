"""Forms of the reflection pages. Free text refuses HTML (reject_markup); Danish messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import format_lazy, get_text_list
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inddrag.accounts.models import User
from inddrag.children.models import Case
from inddrag.lib.text import reject_markup
from inddrag.municipalities.models import Unit
from inddrag.reflection.models import ReflectionModel
from inddrag.reflection.queries import split_themes
from inddrag.reflection.vignettes import find_case_data

ANSWER_MAX = 3000
QUESTION_MAX = 300
MAX_QUESTIONS = 10
THEME_MAX = 60
EXTRA_NAMES_MAX = 20
# A hidden field that is missing or changed: the page is old, or was tampered with.
INCOMPLETE = _("Formularen er ikke komplet. Hent siden igen, og prøv igen.")
DATE_ERRORS = {"invalid": _("Skriv en rigtig dato, fx 24.11.2026.")}

RATINGS = [
    ("", _("Ingen vurdering")),
    ("1", _("1 – slet ikke")),
    ("2", _("2 – kun lidt")),
    ("3", _("3 – nogenlunde")),
    ("4", _("4 – godt")),
    ("5", _("5 – rigtig godt")),
]


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _length_errors(required: Any = None) -> dict[str, Any]:
    errors = {
        "max_length": _("Skriv højst %(limit_value)d tegn (du har skrevet %(show_value)d)."),
    }
    if required is not None:
        errors["required"] = required
    return errors


def case_data_message(kinds: Sequence[str]) -> str:
    """ "Teksten ser ud til at indeholde et navn og en dato." for what find_case_data found."""
    return gettext("Teksten ser ud til at indeholde %(kinds)s.") % {
        "kinds": get_text_list(list(kinds), gettext("og"))
    }


class HiddenTokenForm(forms.Form):
    # One per form page: the same page sent twice saves once (T20).
    submit_token = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE}
    )


class VersionForm(forms.Form):
    # The version the editor started from (optimistic locking, T19).
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE, "min_value": INCOMPLETE},
    )


# Personal reflections.


class ReflectionForm(forms.Form):
    """The answers to the model's questions (answer_0, answer_1, …), an optional self-rating
    and whether to share it with the team sessions. A shared reflection must hold no case data:
    `names` are the names of the child and the network it follows (if any)."""

    self_rating = forms.TypedChoiceField(
        label=_("Hvor godt synes du selv, at barnets perspektiv kom frem?"),
        choices=RATINGS,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={"invalid_choice": _("Vælg et af svarene.")},
    )
    shared_with_team = forms.BooleanField(
        label=_("Del med teamets refleksionsmøder"),
        required=False,
        help_text=_(
            "Kollegerne i din enhed og jeres leder kan så læse refleksionen på enhedens "
            "refleksionsmøder. Skriv den uden barnets navn, CPR-nummer, adresse og datoer."
        ),
    )

    def __init__(
        self, *args: Any, questions: Sequence[str], names: Sequence[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.names = list(names)
        for n, question in enumerate(self.questions):
            self.fields[f"answer_{n}"] = forms.CharField(
                label=question,
                required=False,
                max_length=ANSWER_MAX,
                widget=forms.Textarea(attrs={"rows": 4}),
                validators=[reject_markup],
                error_messages=_length_errors(),
            )
        # The answers first, in the model's order.
        self.order_fields([f"answer_{n}" for n in range(len(self.questions))])

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[f"answer_{n}"] for n in range(len(self.questions))]

    def answers(self) -> list[str]:
        return [self.cleaned_data.get(f"answer_{n}", "") for n in range(len(self.questions))]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if any(f"answer_{n}" in self.errors for n in range(len(self.questions))):
            return cleaned
        answers = self.answers()
        if not any(answer.strip() for answer in answers):
            raise ValidationError(_("Skriv svar på mindst ét af spørgsmålene."), code="no_answers")
        if cleaned.get("shared_with_team"):
            kinds = find_case_data("\n".join(answers), names=self.names)
            if kinds:
                self.add_error(
                    "shared_with_team",
                    format_lazy(
                        "{} {}",
                        case_data_message(kinds),
                        _(
                            "Fjern det, før du deler refleksionen med teamet, "
                            "eller gem den uden at dele den."
                        ),
                    ),
                )
        return cleaned


class NewReflectionForm(ReflectionForm, HiddenTokenForm):
    pass


def answers_initial(answers: Sequence[dict[str, str]], questions: Sequence[str]) -> dict[str, str]:
    """The stored answers as the form's initial values, matched to the questions by text (the
    model's questions may have changed since)."""
    by_question = {item.get("question", ""): item.get("answer", "") for item in answers}
    return {f"answer_{n}": by_question.get(q, "") for n, q in enumerate(questions)}


# Reflection models (the administrator's page).


def parse_questions(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


class ReflectionModelForm(forms.Form):
    use = forms.ChoiceField(
        label=_("Bruges til"),
        choices=ReflectionModel.Use.choices,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={
            "required": _("Vælg, hvad modellen skal bruges til."),
            "invalid_choice": _("Vælg et af svarene."),
        },
    )
    name = forms.CharField(
        label=_("Navn"),
        max_length=200,
        validators=[reject_markup],
        error_messages=_length_errors(_("Giv modellen et navn.")),
    )
    questions = forms.CharField(
        label=_("Spørgsmål"),
        help_text=_("Ét spørgsmål pr. linje, højst 10 spørgsmål og højst 300 tegn pr. spørgsmål."),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_QUESTIONS * (QUESTION_MAX + 2),
        validators=[reject_markup],
        error_messages=_length_errors(_("Skriv mindst ét spørgsmål.")),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # a model keeps its use: sessions and reflections were made with it
            del self.fields["use"]

    def clean_questions(self) -> list[str]:
        questions = parse_questions(self.cleaned_data["questions"])
        if not questions:
            raise ValidationError(_("Skriv mindst ét spørgsmål."), code="required")
        if len(questions) > MAX_QUESTIONS:
            raise ValidationError(
                _("Skriv højst %(max)d spørgsmål (du har skrevet %(n)d).")
                % {"max": MAX_QUESTIONS, "n": len(questions)},
                code="too_many",
            )
        for n, question in enumerate(questions, start=1):
            if len(question) > QUESTION_MAX:
                raise ValidationError(
                    _("Spørgsmål %(n)d er for langt: højst %(max)d tegn (det har %(len)d).")
                    % {"n": n, "max": QUESTION_MAX, "len": len(question)},
                    code="too_long",
                )
        if len(set(questions)) < len(questions):
            raise ValidationError(_("Det samme spørgsmål står to gange."), code="duplicate")
        return questions


# Sessions.


def normalise_themes(text: str) -> str:
    """Comma-separated themes, each trimmed, in lower case, with single spaces, once each."""
    themes = dict.fromkeys(" ".join(theme.split()).lower() for theme in split_themes(text))
    return ", ".join(theme for theme in themes if theme)


class PersonField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class OwnerField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class SessionForm(forms.Form):
    """A team session or a leaders' quarterly reflection. `people` are who may take part;
    `models` the reflection models to choose from; `units` (for a team session planned by a
    leader without a unit) the units to choose from."""

    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=_("Enhed"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        empty_label=_("Vælg en enhed"),
        error_messages={
            "required": _("Vælg den enhed, mødet er for."),
            "invalid_choice": _("Vælg en af enhederne på listen."),
        },
    )
    held_on = forms.DateField(
        label=_("Dato for mødet"),
        widget=_date_widget(),
        error_messages={"required": _("Skriv datoen for mødet."), **DATE_ERRORS},
    )
    title = forms.CharField(
        label=_("Emne"),
        max_length=200,
        validators=[reject_markup],
        help_text=_("Fx “Barnets egne ord i vores afgørelser”."),
        error_messages=_length_errors(_("Skriv mødets emne.")),
    )
    model: forms.ModelChoiceField[ReflectionModel] = forms.ModelChoiceField(
        label=_("Refleksionsmodel"),
        queryset=ReflectionModel.objects.none(),
        to_field_name="code",
        empty_label=None,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={
            "required": _("Vælg en refleksionsmodel."),
            "invalid_choice": _("Vælg en af modellerne på listen."),
        },
    )
    participants = PersonField(
        label=_("Deltagere"),
        queryset=User.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        error_messages={"invalid_choice": _("Vælg deltagerne på listen.")},
    )
    notes = forms.CharField(
        label=_("Noter fra mødet"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        validators=[reject_markup],
        help_text=_(
            "Hvad I talte om. Skriv ingen navne, CPR-numre, adresser eller datoer fra sager."
        ),
        error_messages=_length_errors(),
    )
    themes = forms.CharField(
        label=_("Temaer"),
        required=False,
        max_length=300,
        validators=[reject_markup],
        help_text=_("Adskil temaerne med komma, fx “børnesamtalen, bisidder, breve til barnet”."),
        error_messages=_length_errors(),
    )

    def __init__(
        self,
        *args: Any,
        people: QuerySet[User],
        models: QuerySet[ReflectionModel],
        units: QuerySet[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        if units is None:
            del self.fields["unit"]
        else:
            unit_field = self.fields["unit"]
            assert isinstance(unit_field, forms.ModelChoiceField)
            unit_field.queryset = units
        model_field = self.fields["model"]
        assert isinstance(model_field, forms.ModelChoiceField)
        model_field.queryset = models
        participants = self.fields["participants"]
        assert isinstance(participants, PersonField)
        participants.queryset = people

    def clean_held_on(self) -> date:
        held_on: date = self.cleaned_data["held_on"]
        today = timezone.localdate()
        if held_on < today - timedelta(days=366):
            raise ValidationError(_("Datoen må højst ligge et år tilbage."), code="too_old")
        if held_on > today + timedelta(days=366):
            raise ValidationError(_("Datoen må højst ligge et år frem."), code="too_far")
        return held_on

    def clean_themes(self) -> str:
        themes = normalise_themes(self.cleaned_data["themes"])
        for theme in split_themes(themes):
            if len(theme) > THEME_MAX:
                raise ValidationError(
                    _("Et tema må højst have %(max)d tegn: “%(theme)s…”.")
                    % {"max": THEME_MAX, "theme": theme[:20]},
                    code="too_long",
                )
        return themes

    def hidden_errors(self) -> list[str]:
        errors = [str(e) for e in self.non_field_errors()]
        return errors + [str(e) for field in self.hidden_fields() for e in field.errors]


class NewSessionForm(SessionForm, HiddenTokenForm):
    pass


class EditSessionForm(SessionForm, VersionForm):
    pass


class CaseField(forms.ModelChoiceField[Case]):
    def label_from_instance(self, obj: Case) -> str:
        return obj.reference  # the reference only: the list shows no child data


class VignetteForm(forms.Form):
    """Pick a case of the unit to turn into a vignette. The text is always built by
    make_vignette; the leader can give more words to remove (names the case's data does not
    know, e.g. a friend or a teacher named in the child's words) and a title."""

    case = CaseField(
        label=_("Sag"),
        queryset=Case.objects.none(),
        to_field_name="code",
        empty_label=_("Vælg en sag"),
        help_text=_("Enhedens åbne sager, efter sagsnummer."),
        error_messages={
            "required": _("Vælg den sag, vignetten skal bygges på."),
            "invalid_choice": _("Vælg en af sagerne på listen."),
        },
    )
    extra_names = forms.CharField(
        label=_("Flere navne eller steder, der skal fjernes"),
        required=False,
        max_length=EXTRA_NAMES_MAX * 101,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_markup],
        help_text=_(
            "Ét pr. linje. Barnets, netværkets og sagsbehandlernes navne fjernes altid, "
            "og det samme gør CPR-numre, adresser og datoer."
        ),
        error_messages=_length_errors(),
    )
    title = forms.CharField(
        label=_("Overskrift"),
        required=False,
        max_length=200,
        validators=[reject_markup],
        help_text=_("Fx “Pige på 10–12 år i plejefamilie”. Uden navne og datoer."),
        error_messages=_length_errors(),
    )

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = cases

    def clean_extra_names(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["extra_names"].splitlines()]
        names = [name for name in names if name]
        if len(names) > EXTRA_NAMES_MAX:
            raise ValidationError(
                _("Skriv højst %(max)d navne.") % {"max": EXTRA_NAMES_MAX}, code="too_many"
            )
        if any(len(name) > 100 for name in names):
            raise ValidationError(_("Et navn må højst have 100 tegn."), code="too_long")
        return names


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label=_("Aftale"),
        max_length=500,
        validators=[reject_markup],
        help_text=_("Hvad I aftalte, fx “Vi spørger barnet, hvor det vil mødes”."),
        error_messages=_length_errors(_("Skriv aftalen.")),
    )
    owner = OwnerField(
        label=_("Ansvarlig"),
        queryset=User.objects.none(),
        to_field_name="code",
        empty_label=_("Vælg en ansvarlig"),
        error_messages={
            "required": _("Vælg, hvem der følger op."),
            "invalid_choice": _("Vælg en af personerne på listen."),
        },
    )
    due_on = forms.DateField(
        label=_("Frist"),
        widget=_date_widget(),
        error_messages={"required": _("Skriv en frist."), **DATE_ERRORS},
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, OwnerField)
        field.queryset = people

    def clean_due_on(self) -> date:
        due_on: date = self.cleaned_data["due_on"]
        today = timezone.localdate()
        if due_on < today:
            raise ValidationError(_("Fristen må ikke ligge i fortiden."), code="past")
        if due_on > today + timedelta(days=2 * 366):
            raise ValidationError(_("Fristen må højst ligge to år frem."), code="too_far")
        return due_on


class PeriodForm(forms.Form):
    """The period of the themes overview: by default the last 12 months."""

    start = forms.DateField(
        label=_("Fra"), required=False, widget=_date_widget(), error_messages=DATE_ERRORS
    )
    end = forms.DateField(
        label=_("Til"), required=False, widget=_date_widget(), error_messages=DATE_ERRORS
    )
    is_filter = True  # the field template shows no "(frivillig)"

    def period(self, *, today: date) -> tuple[date, date]:
        """The valid period, or the default for what is missing or wrong."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=365)
        return start, end

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise ValidationError(_("“Fra” skal ligge før “Til”."), code="order")
        if start and end and (end - start).days > 5 * 366:
            raise ValidationError(_("Vælg en periode på højst fem år."), code="too_long")
        return cleaned
