"""The query shapes of the letters' and recommendations' parts of pages (house style rule 11)."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from inddrag.children.models import Case
from inddrag.letters.models import Letter, Recommendation
from inddrag.letters.recommendation_services import QUOTABLE
from inddrag.portal.models import ChildMessage


def letters_for_case(case: Case, limit: int = 10) -> QuerySet[Letter]:
    """The case's letters: drafts first, then the newest sent; each with `call_me_open`, whether
    the child pressed "ring til mig" on it and is still waiting for the call. One query."""
    waiting = ChildMessage.objects.filter(
        letter_id=OuterRef("pk"), kind=ChildMessage.Kind.CALL_ME, answered_at__isnull=True
    )
    return (
        Letter.objects.filter(case_id=case.pk)
        .annotate(call_me_open=Exists(waiting))
        .only("code", "audience", "recipient", "subject", "created_at", "sent_at", "read_at")
        .order_by(F("sent_at").desc(nulls_first=True), "-created_at", "-pk")[:limit]
    )


def recommendations_for_case(case: Case, limit: int = 10) -> QuerySet[Recommendation]:
    """The case's newest recommendations to the committee, each with `quote_count`: how many of
    the child's statements it quotes that may still be quoted (one the child has since shared
    with the caseworker alone does not count). One query."""
    return (
        Recommendation.objects.filter(case_id=case.pk)
        .annotate(
            quote_count=Count("quote_rows", filter=Q(quote_rows__statement__sharing__in=QUOTABLE))
        )
        .only("code", "title", "created_at")
        .order_by("-created_at", "-pk")[:limit]
    )
