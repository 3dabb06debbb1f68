"""Object-level access to conversations (house style rule 13): a conversation is visible to
whoever may see its case, and editable by whoever may edit the case."""

from __future__ import annotations

from typing import NoReturn
from uuid import UUID

from django.core.exceptions import PermissionDenied

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.audit.log import Action, record, refuse
from inddrag.children.access import visible_cases
from inddrag.conversations.models import Conversation, Meeting
from inddrag.municipalities.models import Membership


def get_conversation_for_user(
    request: AuthenticatedHttpRequest, code: UUID
) -> tuple[Conversation, bool]:
    """Return the conversation if the current membership may see its case, and whether it may
    edit it. Any other conversation is a 404, and the attempt is logged as a denial (T1, T3)."""
    membership = request.membership
    conversation = (
        Conversation.objects.filter(
            municipality_id=membership.municipality_id,
            case__in=visible_cases(membership).values("pk"),
            code=code,
        )
        .select_related("case__child", "created_by")
        .first()
    )
    if conversation is None:
        refuse(request, f"conversation {code}")
    return conversation, membership.role == Membership.Role.CASEWORKER


def get_editable_conversation_for_user(
    request: AuthenticatedHttpRequest, code: UUID
) -> Conversation:
    """As get_conversation_for_user, and a logged 403 for a reader who may not edit it."""
    conversation, can_edit = get_conversation_for_user(request, code)
    if not can_edit:
        _refuse(request, f"read-only: conversation {code}")
    return conversation


def _refuse(request: AuthenticatedHttpRequest, criterion: str) -> NoReturn:
    record(Action.DENIED, user=request.user, membership=request.membership, criterion=criterion)
    raise PermissionDenied(criterion)


def get_meeting_for_user(request: AuthenticatedHttpRequest, code: UUID) -> tuple[Meeting, bool]:
    """Return the meeting if the current membership may see its case, and whether it may edit
    it. Any other meeting is a 404, and the attempt is logged as a denial (T1, T3)."""
    membership = request.membership
    meeting = (
        Meeting.objects.filter(
            municipality_id=membership.municipality_id,
            case__in=visible_cases(membership).values("pk"),
            code=code,
        )
        .select_related("case__child", "created_by", "conversation")
        .first()
    )
    if meeting is None:
        refuse(request, f"meeting {code}")
    return meeting, membership.role == Membership.Role.CASEWORKER


def get_editable_meeting_for_user(request: AuthenticatedHttpRequest, code: UUID) -> Meeting:
    """As get_meeting_for_user, and a logged 403 for a reader who may not edit it."""
    meeting, can_edit = get_meeting_for_user(request, code)
    if not can_edit:
        _refuse(request, f"read-only: meeting {code}")
    return meeting
