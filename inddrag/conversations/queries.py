"""The query shapes of the case page's conversation parts (house style rule 11)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, QuerySet

from inddrag.children.models import Case
from inddrag.conversations.models import Conversation, Statement

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class StatementCount(TypedDict):
    statement_count: int


def latest_statements(
    case: Case, limit: int = 5, *, viewer_is_caseworker: bool
) -> QuerySet[Statement]:
    """The child's latest statements in the case, newest first ("Barnets perspektiv").

    What the child agreed only the caseworker may read is left out unless the viewer is the
    case's caseworker (`can_edit` from get_case_for_user). One query; each statement's
    conversation is joined (for its date and link)."""
    statements = Statement.objects.filter(child_id=case.child_id, conversation__case_id=case.pk)
    if not viewer_is_caseworker:
        statements = statements.exclude(sharing=Statement.Sharing.CASEWORKER)
    return statements.select_related("conversation").order_by(
        "-said_on", "-conversation_id", "position"
    )[:limit]


def conversations_for_timeline(
    case: Case,
) -> QuerySet[WithAnnotations[Conversation, StatementCount]]:
    """The case's conversations, newest first, each with `statement_count` (all statements,
    whoever may read them) and its author joined. One query."""
    return (
        Conversation.objects.filter(case_id=case.pk)
        .select_related("created_by")
        .annotate(statement_count=Count("statements"))
        .order_by("-held_on", "-pk")
    )
