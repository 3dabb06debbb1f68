"""State changes of reflections, reflection models, sessions, vignettes and follow-up items:
one function per change, each owning its transaction and writing its access event (house
style rule 10). Only the vignette reads child data (the case it is built from), and logs it."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.audit.log import Action, record
from inddrag.children.models import Case
from inddrag.conversations.models import Conversation, Meeting
from inddrag.municipalities.models import Membership, Municipality, Unit
from inddrag.reflection.models import (
    FollowUp,
    Reflection,
    ReflectionModel,
    ReflectionSession,
    Vignette,
)
from inddrag.reflection.queries import session_people
from inddrag.reflection.vignettes import make_vignette

Kind = ReflectionSession.Kind


class ReflectionError(Exception):
    pass


class SessionConflict(ReflectionError):
    """Someone saved the session after this editor loaded it (optimistic locking, T19)."""


class NotAPerson(ReflectionError):
    """A participant or an owner who is not among the session's people."""


# Personal reflections.


@transaction.atomic(durable=True)
def write_reflection(
    *,
    by: User,
    membership: Membership,
    model: ReflectionModel,
    answers: Sequence[str],
    self_rating: int | None,
    shared_with_team: bool,
    conversation: Conversation | None = None,
    meeting: Meeting | None = None,
    submit_token: UUID | None = None,
) -> Reflection:
    """Save the caseworker's reflection: one answer per question of the model, in order.

    A second call with the same `submit_token` saves nothing and returns the first call's
    reflection (T20)."""
    if submit_token is not None:
        earlier = Reflection.objects.filter(submit_token=submit_token).first()
        if earlier is not None:
            return _same_author(earlier, by)
    reflection = Reflection(
        municipality_id=membership.municipality_id,
        author=by,
        unit_id=membership.unit_id,
        conversation=conversation,
        meeting=meeting,
        model=model,
        answers=_answers(model.questions, answers),
        self_rating=self_rating,
        shared_with_team=shared_with_team,
        submit_token=submit_token,
    )
    _validate(reflection)
    try:
        with transaction.atomic():
            reflection.save(force_insert=True)
    except IntegrityError:
        # PostgreSQL: the same form sent twice at once; the other insert has committed.
        if submit_token is None:
            raise
        return _same_author(Reflection.objects.get(submit_token=submit_token), by)
    record(Action.CREATE, user=by, membership=membership, obj=reflection)
    return reflection


@transaction.atomic(durable=True)
def update_reflection(
    reflection: Reflection,
    *,
    by: User,
    membership: Membership,
    answers: Sequence[str],
    self_rating: int | None,
    shared_with_team: bool,
) -> Reflection:
    """Save the author's new answers (to the questions the reflection was written with)."""
    if reflection.author_id != by.pk:
        raise ReflectionError("Only the author changes a reflection")
    questions = [item.get("question", "") for item in reflection.answers]
    reflection.answers = _answers(questions, answers)
    reflection.self_rating = self_rating
    reflection.shared_with_team = shared_with_team
    _validate(reflection)
    reflection.save(update_fields=["answers", "self_rating", "shared_with_team", "updated_at"])
    record(Action.UPDATE, user=by, membership=membership, obj=reflection)
    return reflection


def _answers(questions: Sequence[str], answers: Sequence[str]) -> list[dict[str, str]]:
    if len(questions) != len(answers):
        raise ReflectionError("One answer per question")
    return [
        {"question": question, "answer": answer.strip()}
        for question, answer in zip(questions, answers, strict=True)
    ]


def _same_author(reflection: Reflection, by: User) -> Reflection:
    if reflection.author_id != by.pk:
        raise ReflectionError("The form's token belongs to another user's reflection")
    return reflection


# Reflection models.


@transaction.atomic(durable=True)
def add_model(
    municipality: Municipality,
    *,
    by: User,
    membership: Membership,
    use: str,
    name: str,
    questions: Sequence[str],
) -> ReflectionModel:
    model = ReflectionModel(
        municipality=municipality, use=use, name=name, questions=list(questions)
    )
    _validate(model)
    model.save(force_insert=True)
    record(Action.CREATE, user=by, membership=membership, obj=model)
    return model


@transaction.atomic(durable=True)
def update_model(
    model: ReflectionModel,
    *,
    by: User,
    membership: Membership,
    name: str,
    questions: Sequence[str],
) -> ReflectionModel:
    """Change the municipality's own model. Reflections keep the questions they were written
    with (each answer stores its question)."""
    if model.municipality_id is None:
        raise ReflectionError("The default models are not changed by a municipality")
    model.name, model.questions = name, list(questions)
    _validate(model)
    model.save(update_fields=["name", "questions"])
    record(Action.UPDATE, user=by, membership=membership, obj=model)
    return model


@transaction.atomic(durable=True)
def retire_model(model: ReflectionModel, *, by: User, membership: Membership) -> bool:
    """Retire the municipality's own model: it is no longer offered, and what was made with it
    keeps it. Returns False (and changes nothing) if it was retired already."""
    if model.municipality_id is None:
        raise ReflectionError("The default models are not retired by a municipality")
    today = timezone.localdate()
    changed = ReflectionModel.objects.filter(pk=model.pk, disabled_on__isnull=True).update(
        disabled_on=today
    )
    if not changed:
        return False
    model.disabled_on = today
    record(Action.UPDATE, user=by, membership=membership, obj=model, criterion="retired")
    return True


# Sessions.


@transaction.atomic(durable=True)
def plan_session(
    *,
    by: User,
    membership: Membership,
    kind: str,
    unit: Unit | None,
    held_on: date,
    title: str,
    model: ReflectionModel,
    notes: str,
    themes: str,
    participants: Iterable[User],
    submit_token: UUID | None = None,
) -> ReflectionSession:
    """Plan a team session for a unit, or a leaders' quarterly reflection (no unit). The
    participants must be among the session's people. The same form sent twice plans one (T20)."""
    if submit_token is not None:
        earlier = ReflectionSession.objects.filter(submit_token=submit_token).first()
        if earlier is not None:
            if earlier.planned_by_id != by.pk:
                raise ReflectionError("The form's token belongs to another session")
            return earlier
    if (kind == Kind.TEAM) != (unit is not None):
        raise ReflectionError("A team session has a unit; a leaders' reflection has none")
    if model.use != kind:
        raise ReflectionError("The model is for another kind of session")
    session = ReflectionSession(
        municipality_id=membership.municipality_id,
        unit=unit,
        kind=kind,
        held_on=held_on,
        title=title,
        model=model,
        notes=notes,
        themes=themes,
        planned_by=by,
        submit_token=submit_token,
    )
    _validate(session)
    try:
        with transaction.atomic():
            session.save(force_insert=True)
    except IntegrityError:
        if submit_token is None:
            raise
        return ReflectionSession.objects.get(submit_token=submit_token)
    session.participants.set(_people(session, participants))
    record(Action.CREATE, user=by, membership=membership, obj=session)
    return session


@transaction.atomic(durable=True)
def update_session(
    session: ReflectionSession,
    *,
    by: User,
    membership: Membership,
    version: int,
    held_on: date,
    title: str,
    model: ReflectionModel,
    notes: str,
    themes: str,
    participants: Iterable[User],
) -> ReflectionSession:
    """Save a new version of the session. `version` is the one the editor started from; if
    anyone saved the session since, nothing changes and SessionConflict is raised (T19)."""
    if model.use != session.kind:
        raise ReflectionError("The model is for another kind of session")
    fields = {"held_on": held_on, "title": title, "model": model, "notes": notes}
    fields["themes"] = themes
    people = _people(session, participants)
    _validate(ReflectionSession(**fields), exclude=["municipality", "unit", "planned_by"])
    # The version check and the write are one statement (see conversations.services).
    changed = ReflectionSession.objects.filter(pk=session.pk, version=version).update(
        **fields, version=F("version") + 1
    )
    if not changed:
        raise SessionConflict(str(session.code))
    for name, value in fields.items():
        setattr(session, name, value)
    session.version = version + 1
    session.participants.set(people)
    record(Action.UPDATE, user=by, membership=membership, obj=session)
    return session


def _people(session: ReflectionSession, participants: Iterable[User]) -> list[User]:
    chosen = list(participants)
    allowed = set(
        session_people(session).filter(pk__in=[u.pk for u in chosen]).values_list("pk", flat=True)
    )
    if any(user.pk not in allowed for user in chosen):
        raise NotAPerson(str(session.code))
    return chosen


@transaction.atomic(durable=True)
def add_vignette(
    session: ReflectionSession,
    case: Case,
    *,
    by: User,
    membership: Membership,
    title: str,
    extra_names: Sequence[str] = (),
) -> Vignette:
    """Build the case's vignette with make_vignette and add it to the session. The case is read
    (a logged read of child data); the vignette keeps no link to it."""
    if case.municipality_id != session.municipality_id:
        raise ReflectionError("The case belongs to another municipality")
    text = make_vignette(case, extra_names=extra_names)
    record(
        Action.READ,
        user=by,
        membership=membership,
        child=case.child,
        obj=case,
        criterion="vignette",
    )
    vignette = Vignette(
        municipality_id=session.municipality_id,
        session=session,
        title=title,
        text=text,
        created_by=by,
    )
    _validate(vignette)
    vignette.save(force_insert=True)
    record(Action.CREATE, user=by, membership=membership, obj=vignette)
    return vignette


@transaction.atomic(durable=True)
def add_follow_up(
    session: ReflectionSession,
    *,
    by: User,
    membership: Membership,
    text: str,
    owner: User,
    due_on: date,
) -> FollowUp:
    """An agreement of the session becomes a follow-up item with an owner among the session's
    people and a date. The same item sent twice (a double tap) is saved once."""
    _people(session, [owner])
    if due_on < timezone.localdate():
        raise ReflectionError("A follow-up item is due today or later")
    earlier = FollowUp.objects.filter(
        session=session, text=text, owner=owner, due_on=due_on, done_at__isnull=True
    ).first()
    if earlier is not None:
        return earlier
    follow_up = FollowUp(
        municipality_id=session.municipality_id,
        session=session,
        text=text,
        owner=owner,
        due_on=due_on,
    )
    _validate(follow_up)
    follow_up.save(force_insert=True)
    record(Action.CREATE, user=by, membership=membership, obj=follow_up)
    return follow_up


@transaction.atomic(durable=True)
def mark_follow_up_done(follow_up: FollowUp, *, by: User, membership: Membership) -> bool:
    """Mark the item done. Returns False (and changes nothing) if it already was."""
    now = timezone.now()
    changed = FollowUp.objects.filter(pk=follow_up.pk, done_at__isnull=True).update(done_at=now)
    if not changed:
        return False
    follow_up.done_at = now
    record(Action.UPDATE, user=by, membership=membership, obj=follow_up, criterion="done")
    return True


# The foreign keys: clean_fields() would read each one's row to validate it.
_KEYS = (
    "municipality",
    "author",
    "unit",
    "conversation",
    "meeting",
    "model",
    "planned_by",
    "session",
    "group_meeting",
    "owner",
    "created_by",
)


def _validate(row: models.Model, *, exclude: Collection[str] = ()) -> None:
    """The model's field checks, plus the length of text fields, which Django leaves to forms."""
    row.clean_fields(exclude=[*_KEYS, *exclude])
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if (
            isinstance(field, models.TextField)
            and field.max_length
            and len(value) > field.max_length
        ):
            raise ValidationError({field.name: f"At most {field.max_length} characters"})
