"""Object-level access to reflections, sessions and follow-up items (house style rule 13).

A personal reflection is its author's. Shared with the team, it can also be read by the
caseworkers and the leader of the author's unit, but only inside a team session of that unit:
the session page lists it, and the reflection's page opens from there (?moede=<session>).
Anything else is a logged 404 (T1, T3)."""

from __future__ import annotations

from typing import NoReturn
from uuid import UUID

from django.core.exceptions import PermissionDenied

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.audit.log import Action, record, refuse
from inddrag.reflection.models import FollowUp, Reflection, ReflectionSession
from inddrag.reflection.queries import can_plan, visible_sessions

Kind = ReflectionSession.Kind


def get_reflection_for_user(
    request: AuthenticatedHttpRequest, code: UUID, *, session_code: UUID | None = None
) -> tuple[Reflection, ReflectionSession | None]:
    """The reflection for its author (and None), or a shared one for a colleague or leader of
    the author's unit who opens it from a team session of that unit (and that session)."""
    membership = request.membership
    reflection = (
        Reflection.objects.filter(municipality_id=membership.municipality_id, code=code)
        .select_related("model", "author", "conversation__case__child", "meeting__case__child")
        .first()
    )
    if reflection is None:
        refuse(request, f"reflection {code}")
    if reflection.author_id == request.user.pk:
        return reflection, None
    if session_code is not None and reflection.shared_with_team and reflection.unit_id:
        session = (
            visible_sessions(membership)
            .filter(code=session_code, kind=Kind.TEAM, unit_id=reflection.unit_id)
            .first()
        )
        if session is not None:
            return reflection, session
    refuse(request, f"reflection {code}")


def get_own_reflection(request: AuthenticatedHttpRequest, code: UUID) -> Reflection:
    """The reflection, for its author only: anyone else gets a logged 404, shared or not."""
    return get_reflection_for_user(request, code)[0]


def get_session_for_user(
    request: AuthenticatedHttpRequest, code: UUID
) -> tuple[ReflectionSession, bool]:
    """The session if the membership may see it, and whether it may change it (plan, add
    vignettes and follow-up items). Any other session is a logged 404."""
    membership = request.membership
    session = (
        visible_sessions(membership)
        .select_related("unit", "model", "planned_by")
        .filter(code=code)
        .first()
    )
    if session is None:
        refuse(request, f"reflection session {code}")
    return session, can_plan(membership, session)


def get_editable_session_for_user(
    request: AuthenticatedHttpRequest, code: UUID
) -> ReflectionSession:
    """get_session_for_user, and a logged 403 for one who may see the session but not change
    it (a leader of another unit looking at a leaders' reflection cannot, but a caseworker of
    the unit can see the team session)."""
    session, can_edit = get_session_for_user(request, code)
    if not can_edit:
        _forbid(request, f"read-only: reflection session {code}")
    return session


def get_follow_up_to_mark_done(request: AuthenticatedHttpRequest, code: UUID) -> FollowUp:
    """A follow-up item of a session the membership may see, for its owner or a leader who may
    change the session; others who can see it get a logged 403, anyone else a logged 404.
    (The implementation groups' items are marked done on their meeting's page.)"""
    membership = request.membership
    follow_up = (
        FollowUp.objects.filter(
            municipality_id=membership.municipality_id,
            code=code,
            session__in=visible_sessions(membership).values("pk"),
        )
        .select_related("session", "owner")
        .first()
    )
    if follow_up is None or follow_up.session is None:
        refuse(request, f"follow-up {code}")
    if follow_up.owner_id != request.user.pk and not can_plan(membership, follow_up.session):
        _forbid(request, f"not the owner: follow-up {code}")
    return follow_up


def _forbid(request: AuthenticatedHttpRequest, criterion: str) -> NoReturn:
    record(Action.DENIED, user=request.user, membership=request.membership, criterion=criterion)
    raise PermissionDenied(criterion)
