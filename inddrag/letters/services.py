"""State changes of letters: each owns its transaction and writes its access event inside it
(house style rules 10 and 14). A letter is written as a draft, changed with optimistic locking,
sent once, and then read by the child (the read receipt); the child can ask to be called.
The municipality's list of bureaucratic words is changed here too."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.audit.log import Action, record
from inddrag.children.models import Case
from inddrag.letters.models import Letter, LetterTemplate, PlainWord
from inddrag.letters.readability import (
    LetterReadability,
    analyse_letter,
    plain_words_for,
)
from inddrag.lib.dates import age_on
from inddrag.lib.readability import shown_lix
from inddrag.lib.text import reject_markup
from inddrag.municipalities.models import Membership, Municipality
from inddrag.portal.access import record_for_child
from inddrag.portal.models import ChildAccess, ChildMessage
from inddrag.portal.notify import notify_child_on_commit

# A letter to a child younger than this, above the LIX limit, needs the caseworker's
# confirmation that the child gets help to understand it (issue 6, point 3).
CONFIRMATION_AGE = 15
CALL_ME_TEXT_LIMIT = 3000  # ChildMessage.text

_LETTER_KEYS = ["municipality", "case", "created_by", "sent_by"]


class LetterError(Exception):
    pass


class LetterConflict(LetterError):
    """Someone saved the letter after this editor loaded it (optimistic locking, T19)."""


class LetterAlreadySent(LetterError):
    """A sent letter is not changed, and not sent again."""


class HardTextNotConfirmed(LetterError):
    """A letter to a child under 15 with a LIX above the limit, sent without the confirmation."""


class PlaceholdersLeft(LetterError):
    """The letter still has a template's [bracket] for the caseworker to fill in."""

    def __init__(self, placeholders: tuple[str, ...]) -> None:
        super().__init__(", ".join(placeholders))
        self.placeholders = placeholders


# Reading the rules.


def lix_limit() -> int:
    return int(settings.CHILD_LETTER_LIX_LIMIT)


def readability_of(text: str, *, audience: str, municipality_id: int) -> LetterReadability:
    """The panel's analysis of `text` for a letter of `audience`. One query (the word list)."""
    return analyse_letter(
        text,
        plain_words_for(municipality_id),
        for_child=audience == Letter.Audience.CHILD,
        lix_limit=lix_limit(),
    )


def needs_confirmation(letter: Letter, *, lix: int, today: date) -> bool:
    """Whether sending `letter` with this LIX needs the hard-text confirmation: a letter to a
    child under 15 whose LIX (as shown) is above the limit. Note: reads letter.case.child."""
    if letter.audience != Letter.Audience.CHILD:
        return False
    child = letter.case.child
    return age_on(child.birth_date, today) < CONFIRMATION_AGE and lix > lix_limit()


def fill_template(template: LetterTemplate, *, case: Case, by: User) -> tuple[str, str]:
    """(subject, body) of `template` with the child's first name and the caseworker's name
    filled in; [brackets] stay for the caseworker to write."""
    values = {
        "{barn}": case.child.first_name,
        "{sagsbehandler}": by.get_full_name() or by.get_username(),
    }
    subject, body = template.subject, template.body
    for placeholder, value in values.items():
        subject, body = subject.replace(placeholder, value), body.replace(placeholder, value)
    return subject, body


# Letters.


@transaction.atomic(durable=True)
def create_letter(
    case: Case,
    *,
    by: User,
    membership: Membership,
    audience: str,
    recipient: str,
    subject: str,
    body: str,
    submit_token: UUID | None = None,
) -> Letter:
    """Save a new draft letter in the case.

    A second call with the same `submit_token` saves nothing and returns the first call's
    letter, also when both run at the same time (T20)."""
    if submit_token is not None:
        earlier = Letter.objects.filter(submit_token=submit_token).first()
        if earlier is not None:
            return _same_case(earlier, case)
    letter = Letter(
        municipality_id=case.municipality_id,
        case=case,
        audience=audience,
        recipient=recipient,
        subject=subject,
        body=body,
        created_by=by,
        submit_token=submit_token,
    )
    _validate(letter)
    try:
        with transaction.atomic():
            letter.save(force_insert=True)
    except IntegrityError:
        # PostgreSQL: the same form, submitted twice at once; the other transaction inserted the
        # token first and has committed. (SQLite's IMMEDIATE transactions never overlap.)
        if submit_token is None:
            raise
        return _same_case(Letter.objects.get(submit_token=submit_token), case)
    record(Action.CREATE, user=by, membership=membership, child=case.child, obj=letter)
    return letter


@transaction.atomic(durable=True)
def update_letter(
    letter: Letter,
    *,
    by: User,
    membership: Membership,
    version: int,
    audience: str,
    recipient: str,
    subject: str,
    body: str,
) -> Letter:
    """Save a new version of a draft.

    `version` is the version the editor started from. If anyone saved the letter since,
    nothing is changed and LetterConflict is raised (T19); a sent letter is never changed
    (LetterAlreadySent)."""
    fields = {"audience": audience, "recipient": recipient, "subject": subject, "body": body}
    _validate(Letter(**fields))
    now = timezone.now()
    # The checks and the write are one statement: a concurrent update or sending of the row
    # finds the new version (PostgreSQL), or runs after this transaction (SQLite).
    changed = Letter.objects.filter(pk=letter.pk, version=version, sent_at__isnull=True).update(
        **fields, version=F("version") + 1, updated_at=now
    )
    if not changed:
        if Letter.objects.filter(pk=letter.pk, sent_at__isnull=False).exists():
            raise LetterAlreadySent(str(letter.code))
        raise LetterConflict(str(letter.code))
    for name, value in fields.items():
        setattr(letter, name, value)
    letter.version, letter.updated_at = version + 1, now
    record(Action.UPDATE, user=by, membership=membership, child=letter.case.child, obj=letter)
    return letter


@transaction.atomic(durable=True)
def send_letter(
    letter: Letter,
    *,
    by: User,
    membership: Membership,
    version: int,
    confirmed_hard_text: bool = False,
) -> Letter:
    """Send the draft: stamp sent_at/by and the LIX of the text as sent. A letter to the child
    appears in the child channel, and the child gets a notice without content if the child
    has access. The version the caseworker read must still be the letter's (LetterConflict),
    and a letter to a child under 15 above the LIX limit needs `confirmed_hard_text`
    (HardTextNotConfirmed); nothing is sent otherwise."""
    saved = Letter.objects.select_related("case__child").get(pk=letter.pk)
    if saved.sent_at is not None:
        raise LetterAlreadySent(str(letter.code))
    if saved.version != version:
        raise LetterConflict(str(letter.code))
    analysis = readability_of(
        saved.body, audience=saved.audience, municipality_id=saved.municipality_id
    )
    if analysis.placeholders:
        raise PlaceholdersLeft(analysis.placeholders)
    lix = shown_lix(analysis.text.lix)
    hard = needs_confirmation(saved, lix=lix, today=timezone.localdate())
    if hard and not confirmed_hard_text:
        raise HardTextNotConfirmed(str(letter.code))
    now = timezone.now()
    changed = Letter.objects.filter(pk=saved.pk, version=version, sent_at__isnull=True).update(
        sent_at=now, sent_by=by, lix=lix, hard_text_confirmed=hard, updated_at=now
    )
    if not changed:  # PostgreSQL: sent or changed by a concurrent transaction meanwhile
        raise LetterConflict(str(letter.code))
    letter.sent_at, letter.sent_by, letter.lix, letter.hard_text_confirmed = now, by, lix, hard
    letter.updated_at = now
    child = saved.case.child
    record(
        Action.UPDATE,
        user=by,
        membership=membership,
        child=child,
        obj=letter,
        criterion=f"letter sent (LIX {lix}{', hard text confirmed' if hard else ''})",
    )
    if saved.audience == Letter.Audience.CHILD:
        access_id = (
            ChildAccess.objects.filter(child_id=child.pk).values_list("pk", flat=True).first()
        )
        if access_id is not None:
            notify_child_on_commit(access_id)
    return letter


# The child's side.


@transaction.atomic(durable=True)
def open_letter(access: ChildAccess, letter: Letter) -> bool:
    """The child opens one of their letters: logged every time; the first time stamps the
    read receipt (read_at), once, also when two opens run at the same time. Returns whether
    this open was the first."""
    now = timezone.now()
    first = bool(
        Letter.objects.filter(pk=letter.pk, read_at__isnull=True, sent_at__isnull=False).update(
            read_at=now
        )
    )
    record_for_child(access, Action.READ, obj=letter)
    if first:
        letter.read_at = now
        record_for_child(access, Action.UPDATE, obj=letter, criterion="read receipt")
    return first


@transaction.atomic(durable=True)
def ask_to_be_called(
    access: ChildAccess, letter: Letter, *, text: str, submit_token: UUID
) -> ChildMessage:
    """ "Jeg forstår det ikke — ring til mig": a message of kind CALL_ME about the letter, in
    the letter's case. It is the caseworker's task like any message from the child (answered
    within 2 working days, or overdue on the caseload).

    A second call with the same `submit_token` asks nothing new and returns the first call's
    message, also when both run at the same time (T20)."""
    if letter.case.child_id != access.child_id or letter.sent_at is None:
        raise LetterError("The letter is not one the child has received")
    earlier = ChildMessage.objects.filter(submit_token=submit_token).first()
    if earlier is not None:
        return _same_letter(earlier, access, letter)
    if len(text) > CALL_ME_TEXT_LIMIT:
        raise ValidationError({"text": f"At most {CALL_ME_TEXT_LIMIT} characters"})
    reject_markup(text)
    message = ChildMessage(
        municipality_id=access.municipality_id,
        child_id=access.child_id,
        case_id=letter.case_id,
        kind=ChildMessage.Kind.CALL_ME,
        letter=letter,
        text=text,
        sent_at=timezone.now(),
        submit_token=submit_token,
    )
    message.clean_fields(exclude=["municipality", "child", "case", "letter"])
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        # PostgreSQL: the same form sent twice at once; the other transaction inserted the
        # token first and has committed.
        return _same_letter(ChildMessage.objects.get(submit_token=submit_token), access, letter)
    record_for_child(access, Action.CREATE, obj=message, criterion=f"call me: letter {letter.code}")
    return message


# The municipality's list of bureaucratic words.


@transaction.atomic(durable=True)
def add_plain_word(
    municipality: Municipality, *, by: User, membership: Membership, term: str, plain: str
) -> PlainWord:
    """Add a word and its plain alternative to the municipality's own list. A word the
    municipality retired before is taken into use again with the new alternative. Not child
    data, but it changes what the composer flags, so it is in the access log."""
    _check_admin(municipality, membership)
    term = " ".join(term.split()).lower()
    word = (
        PlainWord.objects.select_for_update().filter(municipality=municipality, term=term).first()
    )
    if word is not None and word.disabled_on is None:
        raise LetterError(f"{term!r} is on the list already")
    if word is None:
        word = PlainWord(municipality=municipality, term=term)
    word.plain, word.disabled_on = plain, None
    word.full_clean(exclude=["municipality"], validate_unique=False, validate_constraints=False)
    reject_markup(term)
    reject_markup(plain)
    word.save()
    record(
        Action.CREATE,
        user=by,
        membership=membership,
        obj=word,
        criterion=f"plain word: {term} → {plain}",
    )
    return word


@transaction.atomic(durable=True)
def retire_plain_word(
    municipality: Municipality, *, by: User, membership: Membership, term: str
) -> PlainWord:
    """Retire one of the municipality's own words (everyone's words are the platform's):
    kept, with the day it was retired, and no longer flagged."""
    _check_admin(municipality, membership)
    word = (
        PlainWord.objects.select_for_update()
        .filter(municipality=municipality, term=term, disabled_on__isnull=True)
        .first()
    )
    if word is None:
        raise LetterError(f"{term!r} is not on the municipality's list")
    word.disabled_on = timezone.localdate()
    word.save(update_fields=["disabled_on"])
    record(
        Action.UPDATE,
        user=by,
        membership=membership,
        obj=word,
        criterion=f"plain word retired: {term}",
    )
    return word


def _check_admin(municipality: Municipality, membership: Membership) -> None:
    if membership.municipality_id != municipality.pk or membership.role != Membership.Role.ADMIN:
        raise LetterError("Only the municipality's administrator may change its word list")


def _same_case(letter: Letter, case: Case) -> Letter:
    if letter.case_id != case.pk:
        raise LetterError("The form's token belongs to another case")
    return letter


def _same_letter(message: ChildMessage, access: ChildAccess, letter: Letter) -> ChildMessage:
    if message.child_id != access.child_id or message.letter_id != letter.pk:
        raise LetterError("The form's token belongs to another message")
    return message


def _validate(letter: Letter) -> None:
    """The model's field checks, plus the length of text fields, which Django leaves to forms,
    and no HTML in any of them."""
    letter.clean_fields(exclude=_LETTER_KEYS)
    for field in letter._meta.concrete_fields:
        value = getattr(letter, field.attname)
        if (
            isinstance(field, models.TextField)
            and field.max_length
            and len(value) > field.max_length
        ):
            raise ValidationError({field.name: f"At most {field.max_length} characters"})
    for name in ("recipient", "subject", "body"):
        reject_markup(getattr(letter, name))
