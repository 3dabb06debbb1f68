"""Object-level access to the implementation groups (house style rule 13). Only leaders and
administrators reach these views (the policy refuses caseworkers with a logged 403); a group, a
meeting or a follow-up item of another municipality is a logged 404 (T1). The dialogue space is
the exception by design: its posts are read by the leaders and administrators of every
municipality, and it never holds case data."""

from __future__ import annotations

from typing import NoReturn
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.audit.log import Action, record, refuse
from inddrag.implementation.models import DialoguePost, Group, GroupMeeting
from inddrag.municipalities.models import Membership
from inddrag.reflection.models import FollowUp


def get_group_for_user(request: AuthenticatedHttpRequest, code: UUID) -> Group:
    """The group, if it is one of the current municipality's. Any other is a logged 404."""
    group = Group.objects.filter(
        municipality_id=request.membership.municipality_id, code=code
    ).first()
    if group is None:
        refuse(request, f"implementation group {code}")
    return group


def get_meeting_for_user(request: AuthenticatedHttpRequest, code: UUID) -> GroupMeeting:
    """The group meeting, if it is one of the current municipality's. Any other is a logged
    404."""
    meeting = (
        GroupMeeting.objects.filter(municipality_id=request.membership.municipality_id, code=code)
        .select_related("group", "created_by")
        .first()
    )
    if meeting is None:
        refuse(request, f"group meeting {code}")
    return meeting


def get_follow_up_for_user(
    request: AuthenticatedHttpRequest, meeting: GroupMeeting, code: UUID
) -> tuple[FollowUp, bool]:
    """A follow-up item of the meeting, and whether the current user may mark it done (its
    owner, or any leader). An item of another meeting is a logged 404."""
    follow_up = (
        FollowUp.objects.filter(
            municipality_id=request.membership.municipality_id, group_meeting=meeting, code=code
        )
        .select_related("owner")
        .first()
    )
    if follow_up is None:
        refuse(request, f"follow-up {code}")
    return follow_up, can_mark_done(request.membership, follow_up)


def get_completable_follow_up_for_user(
    request: AuthenticatedHttpRequest, meeting: GroupMeeting, code: UUID
) -> FollowUp:
    """As get_follow_up_for_user, and a logged 403 for anyone but its owner and the leaders."""
    follow_up, may_complete = get_follow_up_for_user(request, meeting, code)
    if not may_complete:
        _forbid(request, f"not owner: follow-up {code}")
    return follow_up


def can_mark_done(membership: Membership, follow_up: FollowUp) -> bool:
    return follow_up.owner_id == membership.user_id or membership.role == Membership.Role.LEADER


def get_dialogue_post(code: UUID) -> DialoguePost:
    """A thread of the dialogue space, whatever municipality wrote it (the space is shared by
    design). A reply's code or an unknown code is a 404."""
    post = (
        DialoguePost.objects.filter(code=code, reply_to__isnull=True)
        .select_related("municipality", "author")
        .first()
    )
    if post is None:
        raise Http404(f"dialogue post {code}")
    return post


def _forbid(request: AuthenticatedHttpRequest, criterion: str) -> NoReturn:
    record(Action.DENIED, user=request.user, membership=request.membership, criterion=criterion)
    raise PermissionDenied(criterion)
