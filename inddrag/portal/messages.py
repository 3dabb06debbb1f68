"""What the child sends to the caseworker ("Sig din mening", a bisidder, "Jeg føler mig ikke
tryg") and the caseworker's answers; the child's "Det skal du vide om mig" and simple mode; and
what children see about a caseworker. The services own their transactions and write their
access events inside them (house style rules 10 and 14); the forms validate what comes in.

Every message from a child is answered within ANSWER_WITHIN_WORKING_DAYS working days, or it is
overdue on the caseload (inddrag/children/caseload.py)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inddrag.accounts.models import User
from inddrag.accounts.policy import CHILD
from inddrag.audit.log import Action, record
from inddrag.children.models import Assignment, Case, Child
from inddrag.lib.dates import add_working_days, deadline_day
from inddrag.lib.text import reject_markup
from inddrag.municipalities.models import Membership
from inddrag.portal.models import ChildAccess, ChildMessage
from inddrag.portal.notify import notify_child_on_commit

ANSWER_WITHIN_WORKING_DAYS = 2
TEXT_LIMIT = 3000  # ChildMessage.text, ChildMessage.answer, ChildAccess.about_me
PRESENTATION_LIMIT = 600  # User.presentation

Kind = ChildMessage.Kind


# Deadlines.


def answer_due_at(message: ChildMessage) -> datetime:
    """When the message must be answered: ANSWER_WITHIN_WORKING_DAYS working days after it was
    sent (weekends and Danish holidays do not count)."""
    return add_working_days(message.sent_at, ANSWER_WITHIN_WORKING_DAYS)


def answer_due_on(message: ChildMessage) -> date:
    """The last working day for the answer, to tell the child ("senest tirsdag")."""
    return deadline_day(answer_due_at(message))


def is_overdue(message: ChildMessage, *, now: datetime) -> bool:
    return message.answered_at is None and answer_due_at(message) <= now


# Services.


class MessageError(Exception):
    """The message cannot be sent or answered as asked."""


class AlreadyAnswered(MessageError):
    """Someone answered the message already (the same answer sent twice, or a colleague)."""


def _record_child(access: ChildAccess, action: str, obj: object) -> None:
    """The child's own change in the access log, as `portal.access.record_child` writes it."""
    record(
        action,
        municipality=access.municipality,
        child=access.child,
        obj=obj,
        username=f"barn:{access.code}",
        role=CHILD,
    )


def case_for_unsafe(child: Child) -> Case | None:
    """Where "Jeg føler mig ikke tryg" goes when the child has no open case: the newest case, so
    that the unit sees it (a leader sees every case of the unit, closed ones too). One query."""
    return (
        Case.objects.filter(child_id=child.pk, municipality_id=child.municipality_id)
        .order_by("-opened_on", "-pk")
        .first()
    )


@transaction.atomic(durable=True)
def send_message(
    access: ChildAccess, case: Case, *, kind: str, text: str, submit_token: UUID
) -> ChildMessage:
    """The child sends a message to the caseworker of `case` (the child's own case).

    A second call with the same `submit_token` sends nothing and returns the first call's
    message, also when both run at the same time (T20). The caseworker sees it on the caseload
    and the case page at once; nothing with its content is sent anywhere."""
    if case.child_id != access.child_id:
        raise MessageError("The case is not the child's")
    earlier = ChildMessage.objects.filter(submit_token=submit_token).first()
    if earlier is not None:
        return _same_sender(earlier, access, kind)
    message = ChildMessage(
        municipality_id=access.municipality_id,
        child_id=access.child_id,
        case=case,
        kind=kind,
        text=text,
        sent_at=timezone.now(),
        submit_token=submit_token,
    )
    message.clean_fields(exclude=["municipality", "child", "case"])
    if len(text) > TEXT_LIMIT:
        raise ValidationError({"text": f"At most {TEXT_LIMIT} characters"})
    if kind == Kind.MESSAGE and not text.strip():
        raise ValidationError({"text": "A message needs words"})
    reject_markup(text)
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        # PostgreSQL: the same form sent twice at once; the other transaction inserted the token
        # first and has committed. (SQLite's IMMEDIATE transactions never overlap.)
        return _same_sender(ChildMessage.objects.get(submit_token=submit_token), access, kind)
    _record_child(access, Action.CREATE, message)
    return message


def _same_sender(message: ChildMessage, access: ChildAccess, kind: str) -> ChildMessage:
    if message.child_id != access.child_id or message.kind != kind:
        raise MessageError("The form's token belongs to another message")
    return message


@transaction.atomic(durable=True)
def answer_message(
    message: ChildMessage, *, by: User, membership: Membership, answer: str
) -> ChildMessage:
    """The caseworker answers the child. The child gets a notice without content ("Du har en ny
    besked i Inddrag") if the child can be reached; the answer itself is read in the child
    channel. A message is answered once: AlreadyAnswered if it was answered meanwhile."""
    if not answer.strip() or len(answer) > TEXT_LIMIT:
        raise ValidationError({"answer": f"Between 1 and {TEXT_LIMIT} characters"})
    reject_markup(answer)
    now = timezone.now()
    # The check and the write are one statement: a concurrent answer finds the row answered.
    changed = ChildMessage.objects.filter(pk=message.pk, answered_at__isnull=True).update(
        answer=answer, answered_at=now, answered_by=by
    )
    if not changed:
        raise AlreadyAnswered(str(message.code))
    message.answer, message.answered_at, message.answered_by = answer, now, by
    record(Action.UPDATE, user=by, membership=membership, child=message.child, obj=message)
    access_id = (
        ChildAccess.objects.filter(child_id=message.child_id).values_list("pk", flat=True).first()
    )
    if access_id is not None:
        notify_child_on_commit(access_id)
    return message


@transaction.atomic(durable=True)
def save_about_me(access: ChildAccess, *, text: str) -> None:
    """The child's "Det skal du vide om mig" for a new caseworker (empty text clears it)."""
    if len(text) > TEXT_LIMIT:
        raise ValidationError({"about_me": f"At most {TEXT_LIMIT} characters"})
    reject_markup(text)
    now = timezone.now()
    ChildAccess.objects.filter(pk=access.pk).update(about_me=text, about_me_updated_at=now)
    access.about_me, access.about_me_updated_at = text, now
    _record_child(access, Action.UPDATE, access)


@transaction.atomic(durable=True)
def set_simple_mode(
    access: ChildAccess,
    *,
    simple_mode: bool,
    by: User | None = None,
    membership: Membership | None = None,
) -> None:
    """Switch the simple mode (pictures and read-aloud) on or off: by the child, or by the
    caseworker (`by`, `membership`) together with the child."""
    ChildAccess.objects.filter(pk=access.pk).update(simple_mode=simple_mode)
    access.simple_mode = simple_mode
    if by is None:
        _record_child(access, Action.UPDATE, access)
    else:
        record(Action.UPDATE, user=by, membership=membership, child=access.child, obj=access)


@transaction.atomic(durable=True)
def update_profile(
    user: User, *, membership: Membership, presentation: str, work_phone: str
) -> None:
    """What children see about their caseworker: a few lines and a phone number."""
    if len(presentation) > PRESENTATION_LIMIT or len(work_phone) > 20:
        raise ValidationError("The presentation or the phone number is too long")
    reject_markup(presentation)
    user.presentation, user.work_phone = presentation, work_phone
    user.save(update_fields=["presentation", "work_phone"])
    record(Action.UPDATE, user=user, membership=membership, obj=user, criterion="profile")


def caseworker_of(case: Case) -> User | None:
    """The case's active caseworker, as the child sees them. One query."""
    assignment = (
        Assignment.objects.filter(case_id=case.pk, ended_at__isnull=True)
        .select_related("caseworker")
        .first()
    )
    return assignment.caseworker if assignment is not None else None


def initials(user: User) -> str:
    """ "AT" for Alice Testesen: shown in a circle instead of a photo."""
    names = [name for name in (user.first_name, user.last_name) if name]
    return "".join(name[0] for name in names).upper() or user.username[:1].upper()


# Forms.

# A hidden field that is missing or changed: the page is old, or was tampered with.
INCOMPLETE = _("Siden er for gammel. Hent den igen, og prøv igen.")
_TOO_LONG = _(
    "Du har skrevet for meget. Skriv højst %(limit_value)d tegn (nu er der %(show_value)d)."
)


def _text_field(label: Any, *, required: bool, help_text: Any = "", rows: int = 6) -> forms.Field:
    return forms.CharField(
        label=label,
        max_length=TEXT_LIMIT,
        required=required,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        validators=[reject_markup],
        error_messages={"max_length": _TOO_LONG},
    )


class _SubmitOnce(forms.Form):
    # One per form page: sending the same page twice sends one message (T20).
    submit_token = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE}
    )


class MessageForm(_SubmitOnce):
    """ "Sig din mening": anything the child wants to tell the caseworker."""

    text = forms.CharField(
        label=_("Din besked"),
        max_length=TEXT_LIMIT,
        help_text=_("Skriv det, du gerne vil sige. Det er kun din sagsbehandler, der læser det."),
        widget=forms.Textarea(attrs={"rows": 8}),
        validators=[reject_markup],
        error_messages={
            "required": _("Skriv din besked, før du sender den."),
            "max_length": _TOO_LONG,
        },
    )


class BisidderForm(_SubmitOnce):
    """ "Jeg vil gerne have en bisidder" (barnets lov § 6): maybe with the grown-up's name."""

    text = _text_field(
        _("Er der en, du gerne vil have med?"),
        required=False,
        help_text=_(
            "Fx en lærer, en træner eller en fra familien. Du kan også lade feltet stå tomt."
        ),
        rows=4,
    )


class UnsafeForm(_SubmitOnce):
    """ "Jeg føler mig ikke tryg": the text is optional; pressing the button is enough."""

    text = _text_field(
        _("Vil du skrive, hvad der sker?"),
        required=False,
        help_text=_("Du behøver ikke skrive noget. Det er nok at trykke på knappen."),
        rows=3,
    )


class AboutMeForm(forms.Form):
    about_me = _text_field(
        _("Det skal du vide om mig"),
        required=False,
        help_text=_(
            "Fx hvad du kan lide, hvad der er svært, og hvordan du bedst kan lide at tale "
            "med en voksen."
        ),
        rows=10,
    )


class SimpleModeForm(forms.Form):
    """ "on" or "off"; empty switches the mode."""

    simple_mode = forms.ChoiceField(choices=[("on", "on"), ("off", "off")], required=False)


class AnswerForm(forms.Form):
    """The caseworker's answer to the child."""

    answer = forms.CharField(
        label=_("Dit svar til barnet"),
        max_length=TEXT_LIMIT,
        help_text=_(
            "Skriv med ord, barnet forstår. Barnet læser svaret i Inddrag; en sms eller e-mail "
            "siger kun, at der er en ny besked."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[reject_markup],
        error_messages={
            "required": _("Skriv et svar til barnet."),
            "max_length": _("Skriv højst %(limit_value)d tegn (du har skrevet %(show_value)d)."),
        },
    )


# A Danish number: eight digits, maybe after +45 or 0045, in any grouping.
_DANISH_PHONE = re.compile(r"^(?:\+45|0045)?([2-9][0-9]{7})$")


class ProfileForm(forms.Form):
    """What children see about you in the child channel ("Min sagsbehandler")."""

    presentation = forms.CharField(
        label=_("Et par linjer om dig til børnene"),
        max_length=PRESENTATION_LIMIT,
        required=False,
        help_text=_("Fx hvem du er, hvad du hjælper med, og hvornår man kan fange dig."),
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[reject_markup],
        error_messages={
            "max_length": _("Skriv højst %(limit_value)d tegn (du har skrevet %(show_value)d)."),
        },
    )
    work_phone = forms.CharField(
        label=_("Telefon, børnene kan ringe til"),
        max_length=20,
        required=False,
        help_text=_("Et dansk nummer med 8 cifre, fx 33 12 34 56."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        error_messages={"max_length": _("Skriv et dansk telefonnummer med 8 cifre.")},
    )

    def clean_work_phone(self) -> str:
        """Normalised to "33 12 34 56"."""
        typed = str(self.cleaned_data.get("work_phone", ""))
        compact = re.sub(r"[\s\-.()]", "", typed)
        if not compact:
            return ""
        match = _DANISH_PHONE.match(compact)
        if match is None:
            raise ValidationError(
                _("Skriv et dansk telefonnummer med 8 cifre, fx 33 12 34 56."), code="phone"
            )
        digits = match.group(1)
        return " ".join(digits[i : i + 2] for i in range(0, 8, 2))
