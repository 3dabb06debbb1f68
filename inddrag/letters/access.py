"""Object-level access to what is written in a child's case (house style rule 13): a letter is
visible to whoever may see its case and editable by the case's caseworker; a child sees only
the sent letters to them in their own cases. Anything else is a logged 404 (T1, T3)."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.audit.log import Action, record, refuse
from inddrag.children.access import visible_cases
from inddrag.letters.models import Letter
from inddrag.municipalities.models import Membership
from inddrag.portal.access import refuse_child
from inddrag.portal.http import ChildHttpRequest


def get_letter_for_user(request: AuthenticatedHttpRequest, code: UUID) -> tuple[Letter, bool]:
    """Return the letter if the current membership may see its case, and whether it may edit
    it (the case's caseworker; a leader reads)."""
    membership = request.membership
    letter = (
        Letter.objects.filter(
            municipality_id=membership.municipality_id,
            case__in=visible_cases(membership).values("pk"),
            code=code,
        )
        .select_related("case__child", "case__unit", "municipality", "created_by", "sent_by")
        .first()
    )
    if letter is None:
        refuse(request, f"letter {code}")
    return letter, membership.role == Membership.Role.CASEWORKER


def get_editable_letter_for_user(request: AuthenticatedHttpRequest, code: UUID) -> Letter:
    """As get_letter_for_user, and a logged 403 for a reader who may not change it."""
    letter, can_edit = get_letter_for_user(request, code)
    if not can_edit:
        record(
            Action.DENIED,
            user=request.user,
            membership=request.membership,
            criterion=f"read-only: letter {code}",
        )
        raise PermissionDenied(f"read-only: letter {code}")
    return letter


def get_letter_for_child(request: ChildHttpRequest, code: UUID) -> Letter:
    """A sent letter to the child in one of the child's own cases; a draft, a letter to the
    custody holders or another child's letter is a logged 404."""
    child = request.child_session.access.child
    letter = (
        Letter.objects.filter(
            code=code,
            municipality_id=child.municipality_id,
            case__child_id=child.pk,
            audience=Letter.Audience.CHILD,
            sent_at__isnull=False,
        )
        .select_related("case", "sent_by")
        .first()
    )
    if letter is None:
        refuse_child(request, f"letter {code}")
    return letter
