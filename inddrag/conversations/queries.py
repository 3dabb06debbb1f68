"""The query shapes of the case page's conversation parts (house style rule 11)."""

from __future__ import annotations

from django.db.models import QuerySet

from inddrag.children.models import Case
from inddrag.conversations.models import Statement


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
    return (
        statements.select_related("conversation")
        # What the case page shows, not the conversation's assessment or the full row.
        .only(
            "text",
            "sharing",
            "said_on",
            "position",
            "conversation__code",
            "conversation__held_on",
            "conversation__place",
        )
        .order_by("-said_on", "-conversation_id", "position")[:limit]
    )
