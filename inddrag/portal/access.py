"""Object-level access in the child channel (house style rule 13): a child sees only their own
things. Anything else is a 404, logged as a denial, exactly as for staff (T1, T2)."""

from __future__ import annotations

from typing import NoReturn
from uuid import UUID

from django.http import Http404

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import CHILD
from inddrag.audit.log import Action, record, refuse
from inddrag.children.access import visible_cases
from inddrag.children.models import Case
from inddrag.conversations.models import Meeting
from inddrag.municipalities.models import Membership
from inddrag.portal.http import ChildHttpRequest
from inddrag.portal.models import ChildAccess, ChildMessage


def child_username_of(access: ChildAccess) -> str:
    """How a child appears in the access log: never the name, the access's code."""
    return f"barn:{access.code}"


def child_username(request: ChildHttpRequest) -> str:
    return child_username_of(request.child_session.access)


def record_for_child(
    access: ChildAccess,
    action: str,
    *,
    obj: object | None = None,
    criterion: str = "",
) -> None:
    """Log the child's own use of their data (T5): the child, the role 'child', the object.
    Services that take the access (not the request) call this."""
    record(
        action,
        municipality=access.municipality,
        child=access.child,
        obj=obj,
        criterion=criterion,
        username=child_username_of(access),
        role=CHILD,
    )


def record_child(
    request: ChildHttpRequest,
    action: str,
    *,
    obj: object | None = None,
    criterion: str = "",
) -> None:
    """record_for_child for the signed-in child of the request."""
    record_for_child(request.child_session.access, action, obj=obj, criterion=criterion)


def refuse_child(request: ChildHttpRequest, criterion: str) -> NoReturn:
    """A logged 404 for anything that is not the child's own."""
    access = request.child_session.access
    record(
        Action.DENIED,
        municipality=access.municipality,
        criterion=criterion,
        username=child_username(request),
        role=CHILD,
    )
    raise Http404(criterion)


def current_case(request: ChildHttpRequest) -> Case | None:
    """The child's open case (the newest, if a child has more than one); None if all are
    closed. Note: one query."""
    child = request.child_session.access.child
    return (
        Case.objects.filter(child_id=child.pk, municipality_id=child.municipality_id)
        .filter(status=Case.Status.OPEN)
        .order_by("-opened_on", "-pk")
        .first()
    )


def get_meeting_for_child(request: ChildHttpRequest, code: UUID) -> Meeting:
    """A meeting the child is invited to, in one of the child's own cases; else a logged 404."""
    child = request.child_session.access.child
    meeting = (
        Meeting.objects.filter(
            code=code,
            municipality_id=child.municipality_id,
            case__child_id=child.pk,
            child_invited=True,
        )
        .select_related("case")
        .first()
    )
    if meeting is None:
        refuse_child(request, f"meeting {code}")
    return meeting


def get_message_for_user(
    request: AuthenticatedHttpRequest, code: UUID
) -> tuple[ChildMessage, bool]:
    """A message from a child whose case the membership may see, and whether it may answer it
    (the case's caseworker). Any other message is a logged 404 (T1, T3)."""
    membership = request.membership
    message = (
        ChildMessage.objects.filter(
            code=code,
            municipality_id=membership.municipality_id,
            case__in=visible_cases(membership).values("pk"),
        )
        .select_related("case", "child", "answered_by")
        .first()
    )
    if message is None:
        refuse(request, f"child message {code}")
    return message, membership.role == Membership.Role.CASEWORKER
