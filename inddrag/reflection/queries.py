"""The reads of the reflection pages, each a named query shape (house style rule 11)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from inddrag.accounts.models import User
from inddrag.municipalities.models import Membership
from inddrag.reflection.models import (
    FollowUp,
    Reflection,
    ReflectionModel,
    ReflectionSession,
    Vignette,
)

Role = Membership.Role
Kind = ReflectionSession.Kind
Use = ReflectionModel.Use

# A team session shows the unit's reflections shared in the three months up to its date.
SHARED_WINDOW_DAYS = 92
SHARED_LIMIT = 50


def active_models(municipality_id: int, use: str) -> QuerySet[ReflectionModel]:
    """The models a municipality can use for `use`: its own first (newest first), then the
    defaults; retired ones left out."""
    return ReflectionModel.objects.filter(
        Q(municipality_id=municipality_id) | Q(municipality__isnull=True),
        use=use,
        disabled_on__isnull=True,
    ).order_by(F("municipality_id").desc(nulls_last=True), "-pk")


def personal_model_for(municipality_id: int) -> ReflectionModel | None:
    """The questions a caseworker answers after a conversation: the municipality's own
    personal model if it has one (the newest), else the default. One query."""
    return active_models(municipality_id, Use.PERSONAL).first()


def team_people(
    municipality_id: int, unit_id: int | None, *, municipality_leaders: bool = True
) -> QuerySet[User]:
    """Who can take part in a team session of the unit, or be owner of its follow-up items:
    the unit's caseworkers and leaders, and (unless municipality_leaders=False) the
    municipality's leaders without a unit."""
    in_unit = Q(unit_id=unit_id, role__in=[Role.CASEWORKER, Role.LEADER])
    if municipality_leaders:
        in_unit |= Q(unit__isnull=True, role=Role.LEADER)
    memberships = Membership.objects.filter(
        in_unit, municipality_id=municipality_id, ended_at__isnull=True
    )
    return _users(memberships)


def team_people_anywhere(municipality_id: int) -> QuerySet[User]:
    """Everyone of the municipality who can sit in some unit's team session: the form of a
    leader without a unit offers them all, and the service checks them against the unit."""
    memberships = Membership.objects.filter(
        municipality_id=municipality_id,
        role__in=[Role.CASEWORKER, Role.LEADER],
        ended_at__isnull=True,
    )
    return _users(memberships)


def leaders_people(municipality_id: int) -> QuerySet[User]:
    """Who takes part in the leaders' and coordinators' quarterly reflection: the
    municipality's leaders and its administrators."""
    memberships = Membership.objects.filter(
        municipality_id=municipality_id,
        role__in=[Role.LEADER, Role.ADMIN],
        ended_at__isnull=True,
    )
    return _users(memberships)


def session_people(session: ReflectionSession) -> QuerySet[User]:
    if session.kind == Kind.LEADERS:
        return leaders_people(session.municipality_id)
    return team_people(session.municipality_id, session.unit_id)


def _users(memberships: QuerySet[Membership]) -> QuerySet[User]:
    return User.objects.filter(
        pk__in=memberships.values("user_id"), is_active=True, disabled_at__isnull=True
    ).order_by("first_name", "last_name", "username")


def visible_sessions(membership: Membership) -> QuerySet[ReflectionSession]:
    """The sessions a membership may open: a caseworker the team sessions of their unit; a
    leader the team sessions of the unit they lead (all of the municipality's when they lead no
    single unit) and the leaders' quarterly reflections."""
    sessions = ReflectionSession.objects.filter(municipality_id=membership.municipality_id)
    if membership.role == Role.CASEWORKER:
        if membership.unit_id is None:
            return sessions.none()
        return sessions.filter(kind=Kind.TEAM, unit_id=membership.unit_id)
    if membership.role == Role.LEADER:
        if membership.unit_id is None:
            return sessions
        return sessions.filter(Q(kind=Kind.LEADERS) | Q(unit_id=membership.unit_id))
    return sessions.none()


def can_plan(membership: Membership, session: ReflectionSession) -> bool:
    """Whether the membership may change the session: a leader of its unit, a leader without a
    unit (the municipality's), or for a leaders' reflection any leader."""
    if membership.role != Role.LEADER:
        return False
    return (
        session.kind == Kind.LEADERS
        or membership.unit_id is None
        or session.unit_id == membership.unit_id
    )


def _count(queryset: QuerySet[FollowUp] | QuerySet[Vignette]) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.filter(session=OuterRef("pk"))
            .order_by()
            .values("session")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def session_list(membership: Membership) -> QuerySet[ReflectionSession]:
    """The sessions page: the visible sessions, newest first, with their unit and model and the
    number of vignettes and of open follow-up items (subqueries: one query in all)."""
    return (
        visible_sessions(membership)
        .select_related("unit", "model")
        .annotate(
            vignette_count=_count(Vignette.objects.all()),
            open_follow_ups=_count(FollowUp.objects.filter(done_at__isnull=True)),
        )
        .order_by("-held_on", "-pk")
    )


def my_open_follow_ups(user: User, municipality_id: int) -> QuerySet[FollowUp]:
    """The user's open follow-up items from reflection sessions, soonest first."""
    return (
        FollowUp.objects.filter(
            municipality_id=municipality_id,
            owner=user,
            session__isnull=False,
            done_at__isnull=True,
        )
        .select_related("session")
        .order_by("due_on", "pk")
    )


def my_reflections(user: User, municipality_id: int) -> QuerySet[Reflection]:
    """The caseworker's own reflections, newest first (the page shows no answers)."""
    return (
        Reflection.objects.filter(author=user, municipality_id=municipality_id)
        .select_related("model")
        .order_by("-created_at", "-pk")
    )


def shared_window(session: ReflectionSession, *, today: date) -> tuple[date, date]:
    """The dates of the reflections a team session shows: the three months up to its date (up
    to today for a session not held yet)."""
    end = min(session.held_on, today)
    return end - timedelta(days=SHARED_WINDOW_DAYS), end


def shared_reflections(session: ReflectionSession, *, today: date) -> QuerySet[Reflection]:
    """The reflections the unit's caseworkers shared with the team sessions, written in the
    session's window, newest first (at most SHARED_LIMIT)."""
    if session.kind != Kind.TEAM or session.unit_id is None:
        return Reflection.objects.none()
    start, end = shared_window(session, today=today)
    return (
        Reflection.objects.filter(
            municipality_id=session.municipality_id,
            unit_id=session.unit_id,
            shared_with_team=True,
            created_at__date__gte=start,
            created_at__date__lte=end,
        )
        .select_related("author")
        .order_by("-created_at", "-pk")[:SHARED_LIMIT]
    )


@dataclass
class ThemeRow:
    theme: str
    sessions: list[ReflectionSession] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.sessions)


def split_themes(themes: str) -> list[str]:
    return [theme.strip() for theme in themes.split(",") if theme.strip()]


def themes_in_period(municipality_id: int, start: date, end: date) -> list[ThemeRow]:
    """The themes of the municipality's sessions held from `start` to `end`, the most frequent
    first, each with its sessions (newest first). One query: the sessions with their unit."""
    sessions = (
        ReflectionSession.objects.filter(
            municipality_id=municipality_id, held_on__gte=start, held_on__lte=end
        )
        .exclude(themes="")
        .select_related("unit")
        .order_by("-held_on", "-pk")
    )
    rows: dict[str, ThemeRow] = {}
    for session in sessions:
        for theme in dict.fromkeys(split_themes(session.themes)):
            rows.setdefault(theme, ThemeRow(theme)).sessions.append(session)
    return sorted(rows.values(), key=lambda row: (-row.count, row.theme))
