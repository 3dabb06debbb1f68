"""State changes for the training programme: modules, sessions with attendance, the onboarding
path, and adding a new staff member to a unit. Each owns its transaction (rule 10).

Modules, sessions, attendance and onboarding steps hold no child data, so they write no access
event; adding a staff member creates an account and is logged like the other account changes."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.audit.log import Action, record
from inddrag.municipalities.models import Membership, Municipality, Unit
from inddrag.training.models import (
    Attendance,
    MemberAddition,
    Module,
    OnboardingStep,
    TrainingSession,
)

Role = Membership.Role

# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand
# (no 0/O, 1/l/I): 16 of them are about 91 bits.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_PASSWORD_GROUPS = 4


class TrainingError(Exception):
    pass


class UsernameTaken(TrainingError):
    """Another account has this username (compared without regard to case)."""


class NotHeldYet(TrainingError):
    """Attendance is recorded on the day of the session or later."""


class AlreadySignedIn(TrainingError):
    """The form was sent again, but the new staff member has signed in since: their password is
    theirs now, and no new initial password is made."""


def initial_password() -> str:
    """A one-time initial password from `secrets`: four groups of four, e.g. "k7Mq-3xZp-…"."""
    groups = (
        "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4))
        for _ in range(_PASSWORD_GROUPS)
    )
    return "-".join(groups)


def onboarding_modules(municipality_id: int) -> list[Module]:
    """The modules of a new caseworker's path: the concept's and the municipality's own marked
    for onboarding, for caseworkers, not retired, in the path's order."""
    today = timezone.localdate()
    return list(
        Module.objects.filter(
            Q(municipality__isnull=True) | Q(municipality_id=municipality_id),
            Q(disabled_on__isnull=True) | Q(disabled_on__gt=today),
            in_onboarding=True,
            audience=Module.Audience.CASEWORKERS,
        ).order_by("position", "pk")
    )


@transaction.atomic
def start_onboarding(membership: Membership) -> int:
    """Give a caseworker's membership its onboarding path: a step for every onboarding module
    it has no step for yet. Idempotent, and safe inside another service's transaction (it is
    not durable). Returns the number of steps made."""
    if membership.role != Role.CASEWORKER or membership.ended_at is not None:
        raise TrainingError("Only an active caseworker membership gets an onboarding path")
    if membership.unit_id is None:
        raise TrainingError("A caseworker without a unit gets no onboarding path")
    has = set(
        OnboardingStep.objects.filter(membership=membership).values_list("module_id", flat=True)
    )
    steps = [
        OnboardingStep(
            municipality_id=membership.municipality_id,
            membership=membership,
            unit_id=membership.unit_id,
            module=module,
            position=module.position,
        )
        for module in onboarding_modules(membership.municipality_id)
        if module.pk not in has
    ]
    # A concurrent start of the same path (PostgreSQL) hits the unique constraint: the other
    # transaction made those steps, which is what was wanted.
    OnboardingStep.objects.bulk_create(steps, ignore_conflicts=True)
    return len(steps)


@transaction.atomic(durable=True)
def set_step_done(step: OnboardingStep, *, done: bool) -> OnboardingStep:
    """The caseworker marks a step of their own path as done (or not done after all). Marking a
    done step done again keeps the first time."""
    if done:
        OnboardingStep.objects.filter(pk=step.pk, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )
    else:
        OnboardingStep.objects.filter(pk=step.pk).update(completed_at=None)
    step.refresh_from_db(fields=["completed_at"])
    return step


@transaction.atomic(durable=True)
def create_module(
    *,
    municipality: Municipality,
    title: str,
    audience: str,
    summary: str,
    materials: str,
    in_onboarding: bool,
    position: int,
) -> Module:
    """A module of the municipality's own. An onboarding module is part of the path of every
    caseworker who joins from now on; paths already started keep their steps."""
    if in_onboarding and audience != Module.Audience.CASEWORKERS:
        raise TrainingError("Only modules for caseworkers are part of the onboarding path")
    module = Module(
        municipality=municipality,
        title=title,
        audience=audience,
        summary=summary,
        materials=materials,
        in_onboarding=in_onboarding,
        position=position,
    )
    module.full_clean(exclude=["municipality"])
    module.save(force_insert=True)
    return module


@transaction.atomic(durable=True)
def create_session(
    module: Module, *, municipality: Municipality, by: User, held_on: date, place: str
) -> TrainingSession:
    if module.municipality_id not in (None, municipality.pk):
        raise TrainingError("The module belongs to another municipality")
    session = TrainingSession(
        municipality=municipality, module=module, held_on=held_on, place=place, created_by=by
    )
    session.full_clean(exclude=["municipality", "module", "created_by"])
    session.save(force_insert=True)
    return session


@transaction.atomic(durable=True)
def record_attendance(
    session: TrainingSession, *, added: Collection[User], removed: Collection[User]
) -> int:
    """Mark `added` as having attended and `removed` as not, and leave everyone else as they
    are: two leaders ticking different people at once both keep their ticks. An attendee's
    onboarding step of the session's module is done by it (a step done before keeps its time).
    Only the municipality's active staff count. Returns the number of steps completed now."""
    if session.held_on > timezone.localdate():
        raise NotHeldYet(str(session.code))
    staff = set(
        Membership.objects.filter(
            municipality_id=session.municipality_id, ended_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    added_ids = {user.pk for user in added} & staff
    removed_ids = ({user.pk for user in removed} & staff) - added_ids
    Attendance.objects.filter(session=session, user_id__in=removed_ids).update(attended=False)
    Attendance.objects.filter(session=session, user_id__in=added_ids).update(attended=True)
    Attendance.objects.bulk_create(
        [
            Attendance(municipality_id=session.municipality_id, session=session, user_id=pk)
            for pk in added_ids
        ],
        ignore_conflicts=True,  # the ones with a row already were updated just above
    )
    return OnboardingStep.objects.filter(
        municipality_id=session.municipality_id,
        membership__user_id__in=added_ids,
        membership__ended_at__isnull=True,
        module_id=session.module_id,
        completed_at__isnull=True,
    ).update(completed_at=timezone.now())


@dataclass(frozen=True)
class NewMember:
    membership: Membership
    password: str  # shown once, on the answer to the form; never stored or logged
    again: bool = False  # the same form was sent before (a double click or a reload)


@transaction.atomic(durable=True)
def add_member(
    *,
    by: User,
    membership: Membership,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    unit: Unit,
    role: str,
    submit_token: UUID,
) -> NewMember:
    """The municipal administrator adds a new caseworker (or leader) to a unit: the account
    with a one-time initial password, the membership, and a caseworker's onboarding path. They
    sign in with the password and connect their authenticator app on the way in.

    The same form sent again (same `submit_token`) adds no one: the person it added gets a new
    initial password instead, which replaces the first one, unless they have signed in since
    (AlreadySignedIn) — so the answer the browser ends up showing always holds a password that
    works (T20)."""
    municipality = membership.municipality
    if membership.role != Role.ADMIN:
        raise TrainingError("Only the municipal administrator adds staff")
    if role not in (Role.CASEWORKER, Role.LEADER):
        raise TrainingError(f"Role {role} is not added here")
    if unit.municipality_id != municipality.pk or unit.disabled_on is not None:
        raise TrainingError("The unit is not one of the municipality's")
    earlier = _addition(submit_token)
    if earlier is not None:
        return _again(earlier, by=by, membership=membership)
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTaken(username)
    password = initial_password()
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    user.set_password(password)
    user.full_clean(exclude=["password"], validate_unique=False)  # checked just above
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError as error:
        # PostgreSQL: the same username, added at the same moment. If it was this very form,
        # sent twice at once, the other transaction has committed its addition by now.
        earlier = _addition(submit_token)
        if earlier is not None:
            return _again(earlier, by=by, membership=membership)
        raise UsernameTaken(username) from error
    new = Membership.objects.create(user=user, municipality=municipality, role=role, unit=unit)
    MemberAddition.objects.create(
        municipality=municipality, membership=new, added_by=by, submit_token=submit_token
    )
    if role == Role.CASEWORKER:
        start_onboarding(new)
    record(
        Action.CREATE,
        user=by,
        membership=membership,
        obj=user,
        criterion=f"new staff member: {username}",
    )
    return NewMember(membership=new, password=password)


def _addition(submit_token: UUID) -> MemberAddition | None:
    return (
        MemberAddition.objects.filter(submit_token=submit_token)
        .select_related("membership__user", "membership__unit", "membership__municipality")
        .first()
    )


def _again(earlier: MemberAddition, *, by: User, membership: Membership) -> NewMember:
    if earlier.municipality_id != membership.municipality_id or earlier.added_by_id != by.pk:
        raise TrainingError("The form's token belongs to another administrator's addition")
    user = User.objects.select_for_update().get(pk=earlier.membership.user_id)
    if user.last_login is not None:
        raise AlreadySignedIn(user.username)
    password = initial_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    record(
        Action.UPDATE,
        user=by,
        membership=membership,
        obj=user,
        criterion=f"new initial password (form sent again): {user.username}",
    )
    return NewMember(membership=earlier.membership, password=password, again=True)
