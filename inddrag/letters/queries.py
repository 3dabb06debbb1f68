"""The query shapes of the letters' and recommendations' parts of pages (house style rule 11)."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from inddrag.children.models import Case
from inddrag.letters.models import Letter, Recommendation
from inddrag.letters.recommendation_services import QUOTABLE
from inddrag.lib.prepared import Prepared
from inddrag.portal.models import ChildMessage

CASE_ROWS = 10  # the case page shows the ten newest letters and recommendations


def letters_for_case(case: Case) -> list[Letter]:
    """The case's letters: drafts first, then the newest sent; each with `call_me_open`, whether
    the child pressed "ring til mig" on it and is still waiting for the call. One query, its SQL
    built once (lib/prepared.py)."""
    return _case_letters(case_id=case.pk)


def recommendations_for_case(case: Case) -> list[Recommendation]:
    """The case's newest recommendations to the committee, each with `quote_count`: how many of
    the child's statements it quotes that may still be quoted (one the child has since shared
    with the caseworker alone does not count). One query, its SQL built once."""
    return _case_recommendations(case_id=case.pk)


def _letters(case_id: int) -> QuerySet[Letter]:
    waiting = ChildMessage.objects.filter(
        letter_id=OuterRef("pk"), kind=ChildMessage.Kind.CALL_ME, answered_at__isnull=True
    )
    return (
        Letter.objects.filter(case_id=case_id)
        .annotate(call_me_open=Exists(waiting))
        .only("code", "audience", "recipient", "subject", "created_at", "sent_at", "read_at")
        .order_by(F("sent_at").desc(nulls_first=True), "-created_at", "-pk")[:CASE_ROWS]
    )


def _recommendations(case_id: int) -> QuerySet[Recommendation]:
    return (
        Recommendation.objects.filter(case_id=case_id)
        .annotate(
            quote_count=Count("quote_rows", filter=Q(quote_rows__statement__sharing__in=QUOTABLE))
        )
        .only("code", "title", "created_at")
        .order_by("-created_at", "-pk")[:CASE_ROWS]
    )


_case_letters = Prepared(_letters, case_id=-7_070_707)
_case_recommendations = Prepared(_recommendations, case_id=-7_070_707)
