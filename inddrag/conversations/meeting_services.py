"""State changes of meetings framed with the child (core effort 1): one function per change, each
owning its transaction, writing its access event and enqueueing the child's notice on commit.

The caseworker's changes take the user and membership; the child's take the child's access to
the child channel (the child has no User) and are logged with the role "child"."""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Max
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.audit.log import Action, record
from inddrag.children.models import Case
from inddrag.conversations.models import (
    Conversation,
    Meeting,
    MeetingFeedback,
    MeetingPreparation,
    PreparationAnswer,
    Statement,
)
from inddrag.municipalities.models import Membership
from inddrag.portal.access import record_for_child
from inddrag.portal.models import ChildAccess
from inddrag.portal.notify import notify_child_on_commit

# The foreign keys: clean_fields() would read each one's row to validate it.
_KEYS = ["municipality", "case", "created_by", "conversation", "child", "meeting", "preparation"]


class MeetingError(Exception):
    pass


class MeetingConflict(MeetingError):
    """Someone saved the meeting after this editor loaded it (optimistic locking, T19)."""


class MeetingCancelled(MeetingError):
    """The meeting is cancelled: it can be neither held, prepared nor answered."""


class MeetingNotHeld(MeetingError):
    """The summary comes after the meeting: record it as held first."""


class MeetingNotYet(MeetingError):
    """The meeting's day has not come: it cannot have been held."""


class MeetingOver(MeetingError):
    """The meeting has begun or is over: too late to prepare it."""


class PreparationSubmitted(MeetingError):
    """The child sent the preparation; it no longer changes."""


class NothingToSubmit(MeetingError):
    """The child has not answered any question."""


class NoSummary(MeetingError):
    """The child answers the summary; there is none yet."""


class NoConversation(MeetingError):
    """The child's words go into the case as statements of the conversation recorded from the
    meeting; there is none."""


class AlreadyInCase(MeetingError):
    """The same words are already a statement of the meeting's conversation."""


# The caseworker's changes.


@transaction.atomic(durable=True)
def schedule_meeting(
    case: Case,
    *,
    by: User,
    membership: Membership,
    kind: str,
    starts_at: datetime,
    place: str,
    child_invited: bool,
    submit_token: UUID | None = None,
) -> Meeting:
    """Plan a meeting about the case's child; an invited child with access to the child channel
    gets a notice. A second call with the same `submit_token` plans nothing and returns the
    first call's meeting, also when both run at the same time (T20)."""
    if submit_token is not None:
        earlier = Meeting.objects.filter(submit_token=submit_token).first()
        if earlier is not None:
            return _same_case(earlier, case)
    meeting = Meeting(
        municipality_id=case.municipality_id,
        case=case,
        kind=kind,
        starts_at=starts_at,
        place=place,
        child_invited=child_invited,
        created_by=by,
        submit_token=submit_token,
    )
    _validate(meeting)
    try:
        with transaction.atomic():
            meeting.save(force_insert=True)
    except IntegrityError:
        # PostgreSQL: the same form sent twice at once; the other insert committed first.
        if submit_token is None:
            raise
        return _same_case(Meeting.objects.get(submit_token=submit_token), case)
    record(Action.CREATE, user=by, membership=membership, child=case.child, obj=meeting)
    if child_invited:
        _notify_child(case)
    return meeting


@transaction.atomic(durable=True)
def cancel_meeting(meeting: Meeting, *, by: User, membership: Membership, version: int) -> Meeting:
    """Cancel a planned meeting; an invited child is told (T19: only from the version shown)."""
    changed = Meeting.objects.filter(
        pk=meeting.pk, version=version, status=Meeting.Status.PLANNED
    ).update(status=Meeting.Status.CANCELLED, version=F("version") + 1)
    if not changed:
        _why_unchanged(meeting, version)
    meeting.status = Meeting.Status.CANCELLED
    meeting.version = version + 1
    case = meeting.case
    record(
        Action.UPDATE,
        user=by,
        membership=membership,
        child=case.child,
        obj=meeting,
        criterion="cancelled",
    )
    if meeting.child_invited:
        _notify_child(case)
    return meeting


@transaction.atomic(durable=True)
def record_meeting_held(
    meeting: Meeting,
    *,
    by: User,
    membership: Membership,
    version: int,
    notes: str,
    record_conversation: bool = False,
    present: str = "",
    had_bisidder: bool = False,
    without_staff_present: bool = False,
) -> Meeting:
    """Mark the meeting as held, with notes for the case file. For a child conversation, and if
    asked, record the child conversation in the case (once per meeting), dated the meeting's
    day, so the child's words can be copied into it.

    `version` is the version the editor started from; if anyone saved the meeting since,
    nothing changes and MeetingConflict is raised (T19)."""
    case = meeting.case
    held_on = timezone.localdate(meeting.starts_at)
    if held_on > timezone.localdate():
        raise MeetingNotYet(str(meeting.code))
    _validate(Meeting(notes=notes), only=["notes"])
    # The version check and the write are one statement: a concurrent save waits for this
    # transaction on PostgreSQL and then finds the new version (SQLite's IMMEDIATE
    # transactions run one after the other).
    changed = (
        Meeting.objects.filter(pk=meeting.pk, version=version)
        .exclude(status=Meeting.Status.CANCELLED)
        .update(status=Meeting.Status.HELD, notes=notes, version=F("version") + 1)
    )
    if not changed:
        _why_unchanged(meeting, version)
    meeting.status, meeting.notes, meeting.version = Meeting.Status.HELD, notes, version + 1
    conversation_id = Meeting.objects.filter(pk=meeting.pk).values_list("conversation_id")[0][0]
    if (
        record_conversation
        and meeting.kind == Meeting.Kind.CHILD_CONVERSATION
        and conversation_id is None
    ):
        conversation = Conversation(
            municipality_id=case.municipality_id,
            case=case,
            held_on=held_on,
            place=meeting.place,
            present=present,
            had_bisidder=had_bisidder,
            without_staff_present=without_staff_present,
            created_by=by,
        )
        _validate(conversation)
        conversation.save(force_insert=True)
        Meeting.objects.filter(pk=meeting.pk).update(conversation=conversation)
        meeting.conversation = conversation
        record(Action.CREATE, user=by, membership=membership, child=case.child, obj=conversation)
    record(Action.UPDATE, user=by, membership=membership, child=case.child, obj=meeting)
    return meeting


@transaction.atomic(durable=True)
def write_summary(
    meeting: Meeting, *, by: User, membership: Membership, version: int, summary: str
) -> Meeting:
    """Write or change the summary to the child ("Det aftalte vi") of a held meeting; an invited
    child gets a notice when the text is new. A stale `version` changes nothing (T19)."""
    _validate(Meeting(summary=summary), only=["summary"])
    if not summary.strip():
        raise ValidationError({"summary": "A summary needs words"})
    now = timezone.now()
    previous = (
        Meeting.objects.filter(pk=meeting.pk, version=version, status=Meeting.Status.HELD)
        .values_list("summary", flat=True)
        .first()
    )
    changed = Meeting.objects.filter(
        pk=meeting.pk, version=version, status=Meeting.Status.HELD
    ).update(summary=summary, summary_written_at=now, version=F("version") + 1)
    if not changed:
        _why_unchanged(meeting, version)
    meeting.summary, meeting.summary_written_at, meeting.version = summary, now, version + 1
    case = meeting.case
    record(Action.UPDATE, user=by, membership=membership, child=case.child, obj=meeting)
    if meeting.child_invited and previous != summary:
        _notify_child(case)
    return meeting


@transaction.atomic(durable=True)
def copy_to_case_statement(
    meeting: Meeting, *, by: User, membership: Membership, text: str, sharing: str
) -> Statement:
    """Copy the child's own words (a shared answer of the preparation, or the feedback's text)
    into the case, as a statement of the conversation recorded from the meeting, said on the
    meeting's day. The same words copied twice make one statement (AlreadyInCase)."""
    locked = Meeting.objects.select_for_update().filter(pk=meeting.pk).values("conversation_id")
    conversation_id = locked[0]["conversation_id"]
    if conversation_id is None:
        raise NoConversation(str(meeting.code))
    case = meeting.case
    statements = Statement.objects.filter(conversation_id=conversation_id)
    if statements.filter(text=text).exists():
        raise AlreadyInCase(str(meeting.code))
    last = statements.aggregate(last=Max("position"))["last"]
    statement = Statement(
        municipality_id=case.municipality_id,
        conversation_id=conversation_id,
        child_id=case.child_id,
        text=text,
        sharing=sharing,
        said_on=timezone.localdate(meeting.starts_at),
        position=0 if last is None else last + 1,
    )
    _validate(statement)
    statement.save(force_insert=True)
    record(
        Action.CREATE,
        user=by,
        membership=membership,
        child=case.child,
        obj=statement,
        criterion=f"from meeting {meeting.code}",
    )
    return statement


# The child's changes.


@transaction.atomic(durable=True)
def save_preparation_draft(
    meeting: Meeting,
    *,
    access: ChildAccess,
    question: str,
    text: str,
    choice: str,
    shared: bool,
) -> MeetingPreparation:
    """Save one answer of the child's draft preparation (made with the first answer). Called for
    every "Næste" and as the child types, so a closed browser loses nothing."""
    _check_open(meeting)
    preparation = _draft(meeting, access)
    if preparation.submitted_at is not None:
        raise PreparationSubmitted(str(meeting.code))
    answer = PreparationAnswer(
        municipality_id=meeting.municipality_id,
        preparation=preparation,
        question=question,
        text=text,
        choice=choice,
        shared=shared,
    )
    _validate(answer)
    PreparationAnswer.objects.update_or_create(
        preparation=preparation,
        question=question,
        defaults={"text": text, "choice": choice, "shared": shared},
        create_defaults={
            "municipality_id": meeting.municipality_id,
            "text": text,
            "choice": choice,
            "shared": shared,
        },
    )
    MeetingPreparation.objects.filter(pk=preparation.pk).update(updated_at=timezone.now())
    _record_child(access, Action.UPDATE, preparation, criterion=f"draft: {question}")
    return preparation


@transaction.atomic(durable=True)
def submit_preparation(
    meeting: Meeting, *, access: ChildAccess, submit_token: UUID
) -> MeetingPreparation:
    """Send the preparation to the caseworker, who then sees the shared answers. However often
    it is sent (a double tap, a retry, two requests at once) it is sent once, and every call
    returns the same sent preparation (T20): the row is locked, and the write only changes a
    draft (an UPDATE … WHERE submitted_at IS NULL)."""
    preparation = (
        MeetingPreparation.objects.select_for_update().filter(meeting_id=meeting.pk).first()
    )
    if preparation is not None and preparation.submitted_at is not None:
        return preparation  # sent before: the same receipt
    _check_open(meeting)
    if preparation is None or not _has_answers(preparation):
        raise NothingToSubmit(str(meeting.code))
    now = timezone.now()
    try:
        with transaction.atomic():
            sent = MeetingPreparation.objects.filter(
                pk=preparation.pk, submitted_at__isnull=True
            ).update(submitted_at=now, submit_token=submit_token)
    except IntegrityError as error:  # the token of another preparation's page
        raise MeetingError("The form's token belongs to another preparation") from error
    if not sent:
        return MeetingPreparation.objects.get(pk=preparation.pk)
    preparation.submitted_at, preparation.submit_token = now, submit_token
    _record_child(access, Action.UPDATE, preparation, criterion="submitted")
    return preparation


@transaction.atomic(durable=True)
def give_feedback(
    meeting: Meeting,
    *,
    access: ChildAccess,
    felt_heard: int,
    understood: int,
    text: str,
    submit_token: UUID,
) -> MeetingFeedback:
    """The child's answer to the summary: one per meeting, however often it is sent (T20);
    every call returns the one answer."""
    earlier = MeetingFeedback.objects.filter(meeting_id=meeting.pk).first()
    if earlier is not None:
        return earlier
    state = Meeting.objects.filter(pk=meeting.pk).values("status", "summary_written_at")[0]
    if state["status"] == Meeting.Status.CANCELLED:
        raise MeetingCancelled(str(meeting.code))
    if state["summary_written_at"] is None:
        raise NoSummary(str(meeting.code))
    feedback = MeetingFeedback(
        municipality_id=meeting.municipality_id,
        meeting=meeting,
        child_id=access.child_id,
        felt_heard=felt_heard,
        understood=understood,
        text=text,
        given_at=timezone.now(),
        submit_token=submit_token,
    )
    _validate(feedback)
    try:
        with transaction.atomic():
            feedback.save(force_insert=True)
    except IntegrityError:
        # PostgreSQL: sent twice at once; the other answer committed first (one per meeting).
        found = MeetingFeedback.objects.filter(meeting_id=meeting.pk).first()
        if found is None:  # the token of another meeting's page
            raise MeetingError("The form's token belongs to another meeting") from None
        return found
    _record_child(access, Action.CREATE, feedback)
    return feedback


# Helpers.


def _draft(meeting: Meeting, access: ChildAccess) -> MeetingPreparation:
    """The meeting's preparation, locked; made if the child has none yet."""
    preparation = (
        MeetingPreparation.objects.select_for_update().filter(meeting_id=meeting.pk).first()
    )
    if preparation is not None:
        return preparation
    try:
        with transaction.atomic():
            return MeetingPreparation.objects.create(
                municipality_id=meeting.municipality_id, meeting=meeting, child_id=access.child_id
            )
    except IntegrityError:  # PostgreSQL: the first two saves of a draft at once
        return MeetingPreparation.objects.select_for_update().get(meeting_id=meeting.pk)


def _has_answers(preparation: MeetingPreparation) -> bool:
    return (
        PreparationAnswer.objects.filter(preparation=preparation)
        .exclude(text="", choice="")
        .exists()
    )


def _check_open(meeting: Meeting) -> None:
    """A meeting can be prepared until it begins, and never once it is cancelled."""
    state = Meeting.objects.filter(pk=meeting.pk).values("status", "starts_at")[0]
    if state["status"] == Meeting.Status.CANCELLED:
        raise MeetingCancelled(str(meeting.code))
    if state["status"] == Meeting.Status.HELD or state["starts_at"] <= timezone.now():
        raise MeetingOver(str(meeting.code))


def is_open_for_preparation(meeting: Meeting, *, now: datetime) -> bool:
    """The same rule as _check_open, on the meeting as loaded (pure)."""
    return meeting.status == Meeting.Status.PLANNED and meeting.starts_at > now


def _why_unchanged(meeting: Meeting, version: int) -> NoReturn:
    """Raise the reason a guarded UPDATE of the meeting changed nothing."""
    status, current = Meeting.objects.filter(pk=meeting.pk).values_list("status", "version")[0]
    if current != version:
        raise MeetingConflict(str(meeting.code))
    if status == Meeting.Status.CANCELLED:
        raise MeetingCancelled(str(meeting.code))
    if status == Meeting.Status.PLANNED:
        raise MeetingNotHeld(str(meeting.code))
    raise MeetingError(f"Meeting {meeting.code} is {status}")


def _notify_child(case: Case) -> None:
    """Tell the child there is something new, if the child has access to the child channel."""
    access_id = ChildAccess.objects.filter(child_id=case.child_id).values_list("pk", flat=True)
    first = access_id.first()
    if first is not None:
        notify_child_on_commit(first)


def _record_child(access: ChildAccess, action: str, obj: object, *, criterion: str = "") -> None:
    """The child's own change, logged as inddrag.portal.access.record_child logs it."""
    record_for_child(access, action, obj=obj, criterion=criterion)


def _same_case(meeting: Meeting, case: Case) -> Meeting:
    if meeting.case_id != case.pk:
        raise MeetingError("The form's token belongs to another case")
    return meeting


def _validate(row: models.Model, *, only: list[str] | None = None) -> None:
    """The model's field checks (without reading foreign keys), plus the length of text fields,
    which Django leaves to forms."""
    fields = row._meta.concrete_fields
    if only is not None:
        exclude = [f.name for f in fields if f.name not in only]
    else:
        exclude = [f.name for f in fields if f.name in _KEYS or f.auto_created]
        exclude += [f.name for f in fields if isinstance(f, models.UUIDField)]
    row.clean_fields(exclude=exclude)
    for field in fields:
        if only is not None and field.name not in only:
            continue
        value = getattr(row, field.attname)
        if (
            isinstance(field, models.TextField)
            and field.max_length
            and isinstance(value, str)
            and len(value) > field.max_length
        ):
            raise ValidationError({field.name: f"At most {field.max_length} characters"})
