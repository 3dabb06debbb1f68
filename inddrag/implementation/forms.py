"""Forms of the implementation groups and the dialogue space. Free text refuses HTML; the
dialogue space's texts are also checked for case data before anything is saved."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from inddrag.accounts.models import User
from inddrag.conversations.forms import INCOMPLETE
from inddrag.implementation.models import DialoguePost, Group, GroupMeeting, months_after
from inddrag.implementation.services import case_data_in
from inddrag.lib.text import reject_markup

YEARS_AHEAD = 2  # a meeting or a follow-up date at most this far ahead
YEARS_BACK = 5  # an earlier meeting recorded at most this far back


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


def _date_field(label: Any, required_message: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": required_message, "invalid": _("Skriv en rigtig dato.")},
    )


def join_words(items: list[str]) -> str:
    """ "et CPR-nummer, en adresse og en dato"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {_('og')} {items[-1]}"


class HiddenErrorsMixin:
    def hidden_errors(self) -> list[str]:
        """Errors that belong to no visible field, for the message at the top of the form."""
        form: Any = self
        errors = [str(e) for e in form.non_field_errors()]
        return errors + [str(e) for field in form.hidden_fields() for e in field.errors]


class StaffChoiceField(forms.ModelMultipleChoiceField[User]):
    """Staff of the municipality, by their public code (never the integer key, rule 7)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class OwnerChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


NOT_STAFF = _("Vælg kun medarbejdere i kommunen.")
NOT_MEMBER = _("Vælg en ansvarlig blandt gruppens medlemmer.")


class GroupForm(HiddenErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("Gruppens navn"),
        max_length=200,
        validators=[reject_markup],
        error_messages={"required": _("Skriv gruppens navn.")},
    )
    members = StaffChoiceField(
        label=_("Medlemmer"),
        help_text=_("Medarbejdere i kommunen: ledere, sagsbehandlere og administratorer."),
        queryset=User.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        error_messages={
            "invalid_choice": NOT_STAFF,
            "invalid_pk_value": NOT_STAFF,
            "invalid_list": NOT_STAFF,
        },
    )

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        assert isinstance(members, StaffChoiceField)
        members.queryset = staff.order_by("first_name", "last_name", "username")


class MeetingForm(HiddenErrorsMixin, forms.Form):
    held_on = _date_field(_("Dato for mødet"), _("Skriv datoen for mødet."))
    agenda = forms.CharField(
        label=_("Dagsorden"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
        validators=[reject_markup],
        help_text=_("Punkterne på mødet, et pr. linje."),
        error_messages={"required": _("Skriv dagsordenen for mødet.")},
    )
    decisions = forms.CharField(
        label=_("Beslutninger"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
        required=False,
        validators=[reject_markup],
        help_text=_(
            "Hvad gruppen besluttede. Skriv dem efter mødet, hvis det ikke er holdt endnu."
        ),
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_held_on(self) -> date:
        held_on: date = self.cleaned_data["held_on"]
        if held_on > months_after(self.today, 12 * YEARS_AHEAD):
            raise forms.ValidationError(_("Et møde kan højst planlægges to år frem."))
        if held_on < months_after(self.today, -12 * YEARS_BACK):
            raise forms.ValidationError(_("Et møde kan højst ligge fem år tilbage."))
        return held_on

    def meeting_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "agenda": data["agenda"],
            "decisions": data["decisions"],
        }


class NewMeetingForm(MeetingForm):
    submit_token = _hidden_token()


class EditMeetingForm(MeetingForm):
    version = _hidden_version()

    def same_as(self, meeting: GroupMeeting) -> bool:
        """The saved meeting is what this form sent (the same form sent twice)."""
        return all(
            getattr(meeting, name) == (value.strip() if isinstance(value, str) else value)
            for name, value in self.meeting_fields().items()
        )


class FollowUpForm(HiddenErrorsMixin, forms.Form):
    prefix = "follow_up"  # its fields apart from the meeting form's on the same page
    text = forms.CharField(
        label=_("Opfølgningspunkt"),
        max_length=500,
        validators=[reject_markup],
        help_text=_("Hvad er aftalt? Fx “Planlæg temadag om børnesamtalen for alle teams”."),
        error_messages={"required": _("Skriv, hvad der er aftalt.")},
    )
    owner = OwnerChoiceField(
        label=_("Ansvarlig"),
        queryset=User.objects.none(),
        to_field_name="code",
        empty_label=_("Vælg en ansvarlig"),
        error_messages={"required": NOT_MEMBER, "invalid_choice": NOT_MEMBER},
    )
    due_on = _date_field(_("Frist"), _("Skriv en frist."))

    def __init__(self, *args: Any, members: QuerySet[User], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, OwnerChoiceField)
        owner.queryset = members.order_by("first_name", "last_name", "username")
        self.today = today

    def clean_due_on(self) -> date:
        due_on: date = self.cleaned_data["due_on"]
        if due_on < self.today:
            raise forms.ValidationError(
                _("Fristen er overskredet. Vælg i dag eller en senere dag.")
            )
        if due_on > months_after(self.today, 12 * YEARS_AHEAD):
            raise forms.ValidationError(_("En frist kan højst ligge to år frem."))
        return due_on


class DoneForm(forms.Form):
    follow_up = forms.UUIDField(error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE})


def case_data_message(kinds: list[str]) -> str:
    return str(
        _("Indlægget ser ud til at indeholde %(what)s. Del erfaringer, ikke sager.")
        % {"what": join_words(kinds)}
    )


class _DialogueForm(HiddenErrorsMixin, forms.Form):
    group_kind = forms.ChoiceField(
        label=_("Fra hvilken gruppe skriver du?"),
        choices=[("", _("Vælg en gruppe")), *Group.Kind.choices],
        error_messages={
            "required": _("Vælg den gruppe, du skriver fra."),
            "invalid_choice": _("Vælg den gruppe, du skriver fra."),
        },
    )
    text = forms.CharField(
        label=_("Jeres erfaring"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        validators=[reject_markup],
        help_text=_(
            "Del erfaringer, ikke sager: skriv ingen navne, CPR-numre, adresser eller datoer, "
            "der kan pege på et barn. Alle kommuner kan læse indlægget."
        ),
        error_messages={
            "required": _("Skriv jeres erfaring."),
            "max_length": _("Skriv højst %(limit_value)d tegn."),
        },
    )
    submit_token = _hidden_token()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        found = case_data_in(cleaned.get("title", ""), cleaned.get("text", ""))
        if found:
            raise forms.ValidationError(case_data_message(found), code="case_data")
        return cleaned


class PostForm(_DialogueForm):
    title = forms.CharField(
        label=_("Overskrift"),
        max_length=DialoguePost._meta.get_field("title").max_length,
        validators=[reject_markup],
        error_messages={"required": _("Skriv en overskrift.")},
    )
    field_order = ["group_kind", "title", "text"]


class ReplyForm(_DialogueForm):
    pass
