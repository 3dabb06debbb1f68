"""The query shape of each training screen (rule 11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.municipalities.models import Membership
from inddrag.reflection.models import Reflection, ReflectionSession
from inddrag.training.models import Attendance, Module, OnboardingStep, TrainingSession

Role = Membership.Role
AUDIENCE_OF_ROLE = {
    Role.CASEWORKER: Module.Audience.CASEWORKERS,
    Role.LEADER: Module.Audience.LEADERS,
}
RECENT_SESSIONS = 10  # held sessions shown on the leader's module list


def visible_modules(municipality_id: int) -> QuerySet[Module]:
    """The concept's modules and the municipality's own, retired ones included."""
    return Module.objects.filter(Q(municipality__isnull=True) | Q(municipality_id=municipality_id))


def module_list(membership: Membership) -> list[Module]:
    """The modules in use, for the reader's audience first (`is_for_reader` on each), then by
    audience and position. One query."""
    today = timezone.localdate()
    audience = AUDIENCE_OF_ROLE.get(Role(membership.role))
    modules = visible_modules(membership.municipality_id).filter(
        Q(disabled_on__isnull=True) | Q(disabled_on__gt=today)
    )
    if audience is None:  # the administrator: everything, in audience order
        modules = modules.annotate(is_for_reader=Value(0))
    else:
        modules = modules.annotate(
            is_for_reader=Case(When(audience=audience, then=Value(1)), default=Value(0))
        )
    return list(modules.order_by("-is_for_reader", "audience", "position", "title", "pk"))


def sessions_of(municipality_id: int) -> QuerySet[TrainingSession]:
    """The municipality's sessions with the module and the number who attended."""
    return (
        TrainingSession.objects.filter(municipality_id=municipality_id)
        .select_related("module")
        .annotate(attendees=Count("attendance", filter=Q(attendance__attended=True)))
    )


def upcoming_and_recent_sessions(
    municipality_id: int, *, module: Module | None = None
) -> tuple[list[TrainingSession], list[TrainingSession]]:
    """Sessions from today on (soonest first), and the latest held ones (newest first)."""
    today = timezone.localdate()
    sessions = sessions_of(municipality_id)
    if module is not None:
        sessions = sessions.filter(module=module)
    upcoming = list(sessions.filter(held_on__gte=today).order_by("held_on", "pk"))
    recent = list(sessions.filter(held_on__lt=today).order_by("-held_on", "-pk")[:RECENT_SESSIONS])
    return upcoming, recent


def staff_ids(municipality_id: int) -> QuerySet[Membership, Any]:
    """The user ids of the municipality's active staff, for a subquery."""
    return Membership.objects.filter(
        municipality_id=municipality_id, ended_at__isnull=True, user__is_active=True
    ).values("user_id")


def staff_of(municipality_id: int) -> QuerySet[User]:
    """The municipality's active staff, each with their active roles there (`roles`)."""
    active = Membership.objects.filter(
        municipality_id=municipality_id, ended_at__isnull=True
    ).select_related("unit")
    return (
        User.objects.filter(
            is_active=True,
            memberships__municipality_id=municipality_id,
            memberships__ended_at__isnull=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
        .prefetch_related(Prefetch("memberships", queryset=active, to_attr="roles"))
    )


def path_of(membership: Membership) -> list[OnboardingStep]:
    return list(
        OnboardingStep.objects.filter(membership=membership)
        .select_related("module")
        .order_by("position", "pk")
    )


@dataclass(frozen=True)
class Activity:
    """One caseworker's reflection and training in a period, and their onboarding progress."""

    name: str
    unit: str
    reflections: int
    shared: int
    team_sessions: int
    trainings: int
    steps_done: int
    steps: int  # 0: no onboarding path

    @property
    def has_path(self) -> bool:
        return self.steps > 0


def _count(rows: QuerySet[Any], key: str) -> Coalesce:
    """A correlated COUNT(*) of `rows` (filtered on OuterRef) per `key`, 0 when there are none."""
    counted = rows.order_by().values(key).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def activity(
    *, municipality_id: int, unit_id: int | None, start: date, end: date
) -> list[Activity]:
    """Per active caseworker of the unit (the municipality's with no unit), from `start` to
    `end` (both days included): personal reflections written and how many of them were shared
    with the team, team reflection sessions and training sessions they took part in, and
    their onboarding steps done of all. ONE query, however many caseworkers: every figure is a
    correlated subquery of the membership row."""
    start_at = timezone.make_aware(datetime.combine(start, time.min))
    end_at = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    user = OuterRef("user_id")
    reflections = Reflection.objects.filter(
        municipality_id=municipality_id,
        author_id=user,
        created_at__gte=start_at,
        created_at__lt=end_at,
    )
    team_sessions = ReflectionSession.participants.through.objects.filter(
        user_id=user,
        reflectionsession__municipality_id=municipality_id,
        reflectionsession__kind=ReflectionSession.Kind.TEAM,
        reflectionsession__held_on__gte=start,
        reflectionsession__held_on__lte=end,
    )
    trainings = Attendance.objects.filter(
        municipality_id=municipality_id,
        user_id=user,
        attended=True,
        session__held_on__gte=start,
        session__held_on__lte=end,
    )
    steps = OnboardingStep.objects.filter(membership_id=OuterRef("pk"))
    memberships = Membership.objects.filter(
        municipality_id=municipality_id,
        role=Role.CASEWORKER,
        ended_at__isnull=True,
        user__is_active=True,
    )
    if unit_id is not None:
        memberships = memberships.filter(unit_id=unit_id)
    rows = (
        memberships.select_related("user", "unit")
        .annotate(
            n_reflections=_count(reflections, "author_id"),
            n_shared=_count(reflections.filter(shared_with_team=True), "author_id"),
            n_team_sessions=_count(team_sessions, "user_id"),
            n_trainings=_count(trainings, "user_id"),
            n_steps=_count(steps, "membership_id"),
            n_steps_done=_count(steps.filter(completed_at__isnull=False), "membership_id"),
        )
        .order_by("user__first_name", "user__last_name", "user__username", "pk")
    )
    return [
        Activity(
            name=str(row.user),
            unit=row.unit.name if row.unit else "",
            reflections=row.n_reflections,
            shared=row.n_shared,
            team_sessions=row.n_team_sessions,
            trainings=row.n_trainings,
            steps_done=row.n_steps_done,
            steps=row.n_steps,
        )
        for row in rows
    ]


def total(rows: list[Activity]) -> Activity:
    """The sum of the rows (onboarding: of those with a path)."""
    return Activity(
        name="",
        unit="",
        reflections=sum(r.reflections for r in rows),
        shared=sum(r.shared for r in rows),
        team_sessions=sum(r.team_sessions for r in rows),
        trainings=sum(r.trainings for r in rows),
        steps_done=sum(r.steps_done for r in rows),
        steps=sum(r.steps for r in rows),
    )
