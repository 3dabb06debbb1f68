"""Recommendations to the committee (indstilling til Børne- og Ungeudvalget): the state changes,
each owning its transaction and writing its access event inside it (house style rule 10), and
the reads that carry the one rule they all share: which of the child's statements may be quoted.

The child chose, statement by statement, who may read what they said (`Statement.sharing`). A
statement the child shared with the caseworker alone is never quoted: it is not offered, a
quote of it is refused when saved, and a quote whose statement has since become the
caseworker's alone is left out wherever a recommendation is read (page, PDF, case page)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.audit.log import Action, record
from inddrag.children.models import Case
from inddrag.conversations.models import Conversation, MeetingFeedback, Statement
from inddrag.letters.models import Quote, Recommendation
from inddrag.municipalities.models import Membership

# What the child agreed may stand in the case; "caseworker" (only the caseworker) is never quoted.
QUOTABLE = (Statement.Sharing.CASE_FILE, Statement.Sharing.PARENTS)
# The recommendation's own fields, as the forms and the services name them.
FIELDS = ("title", "child_perspective", "involvement", "recommendation")
# The foreign keys: clean_fields() would read each one's row to validate it.
_KEYS = ["municipality", "case", "created_by"]


class RecommendationError(Exception):
    pass


class RecommendationConflict(RecommendationError):
    """Someone saved the recommendation after this editor loaded it (optimistic locking, T19)."""


class NotQuotable(RecommendationError):
    """A statement that may not be quoted: the child shared it with the caseworker alone, or it
    is not the child's words in this case."""


class SubmitTokenUsed(RecommendationError):
    """The form's one-time token already created a recommendation in another case."""


# Reads


def quotable_statements(case: Case) -> QuerySet[Statement]:
    """The child's statements in the case that may be quoted, newest first, each with its
    conversation (for the date and the link). One query."""
    return (
        Statement.objects.filter(
            municipality_id=case.municipality_id,
            child_id=case.child_id,
            conversation__case_id=case.pk,
            sharing__in=QUOTABLE,
        )
        .select_related("conversation")
        .order_by("-said_on", "-conversation_id", "position")
    )


def quotes_of(recommendation: Recommendation) -> list[Statement]:
    """The statements the recommendation quotes, in its order, with their conversations; one
    that may no longer be quoted is left out (read-time filter). One query."""
    return [
        quote.statement
        for quote in Quote.objects.filter(
            recommendation_id=recommendation.pk,
            statement__sharing__in=QUOTABLE,
            statement__conversation__case_id=recommendation.case_id,
        )
        .select_related("statement__conversation")
        .order_by("position", "pk")
    ]


def withdrawn_quote_count(recommendation: Recommendation) -> int:
    """How many of the recommendation's quotes are left out because the child now shares the
    statement with the caseworker alone. One query."""
    return (
        Quote.objects.filter(recommendation_id=recommendation.pk)
        .exclude(statement__sharing__in=QUOTABLE)
        .count()
    )


@dataclass(frozen=True)
class InvolvementSummary:
    """What the case shows of how the child was involved, as help for "Sådan er barnet
    inddraget": conversations in the last 12 months, the latest one, how many with a
    bisidder, and the child's latest answer after a meeting."""

    since: date
    conversations: int
    with_bisidder: int
    last_conversation_on: date | None
    feedback: MeetingFeedback | None


def involvement_summary(case: Case, *, today: date) -> InvolvementSummary:
    """Two queries: the conversations' figures, and the child's latest meeting feedback."""
    since = today - timedelta(days=365)
    figures = Conversation.objects.filter(case_id=case.pk).aggregate(
        conversations=Count("pk", filter=Q(held_on__gt=since)),
        with_bisidder=Count("pk", filter=Q(held_on__gt=since, had_bisidder=True)),
        last=Max("held_on"),
    )
    feedback = (
        MeetingFeedback.objects.filter(meeting__case_id=case.pk, child_id=case.child_id)
        .only("felt_heard", "understood", "given_at")
        .order_by("-given_at")
        .first()
    )
    return InvolvementSummary(
        since=since,
        conversations=figures["conversations"],
        with_bisidder=figures["with_bisidder"],
        last_conversation_on=figures["last"],
        feedback=feedback,
    )


# Writes


@transaction.atomic(durable=True)
def create_recommendation(
    case: Case,
    *,
    by: User,
    membership: Membership,
    title: str,
    child_perspective: str,
    involvement: str,
    recommendation: str,
    quotes: Sequence[Statement],
    submit_token: UUID | None = None,
) -> Recommendation:
    """Write a recommendation quoting `quotes` (in that order).

    A second call with the same `submit_token` writes nothing and returns the first call's
    recommendation (T20). A statement that may not be quoted raises NotQuotable, and nothing
    is written."""
    # Lock the case: two submits of the same form queue here, and the second finds the first.
    case = Case.objects.select_for_update().select_related("child").get(pk=case.pk)
    if submit_token is not None:
        earlier = Recommendation.objects.filter(submit_token=submit_token).first()
        if earlier is not None:
            if earlier.case_id != case.pk:
                raise SubmitTokenUsed(str(submit_token))
            return earlier
    row = Recommendation(
        municipality_id=case.municipality_id,
        case=case,
        title=title,
        child_perspective=child_perspective,
        involvement=involvement,
        recommendation=recommendation,
        created_by=by,
        submit_token=submit_token,
    )
    _validate(row)
    row.save(force_insert=True)
    _quote(row, case, quotes)
    record(Action.CREATE, user=by, membership=membership, child=case.child, obj=row)
    return row


@transaction.atomic(durable=True)
def update_recommendation(
    row: Recommendation,
    *,
    by: User,
    membership: Membership,
    version: int,
    title: str,
    child_perspective: str,
    involvement: str,
    recommendation: str,
    quotes: Sequence[Statement],
) -> Recommendation:
    """Save a new version of the recommendation; `quotes` replace the old ones.

    `version` is the version the editor started from. If anyone saved the recommendation
    since, nothing is changed and RecommendationConflict is raised (optimistic locking, T19)."""
    fields = {
        "title": title,
        "child_perspective": child_perspective,
        "involvement": involvement,
        "recommendation": recommendation,
    }
    _validate(Recommendation(**fields))
    # The version check and the write are one statement: on PostgreSQL a concurrent UPDATE of
    # the row waits for this transaction and then finds the new version, so it changes nothing;
    # SQLite's IMMEDIATE transactions run one after the other.
    now = timezone.now()
    changed = Recommendation.objects.filter(pk=row.pk, version=version).update(
        **fields, version=F("version") + 1, updated_at=now
    )
    if not changed:
        raise RecommendationConflict(str(row.code))
    for name, value in fields.items():
        setattr(row, name, value)
    row.version = version + 1
    row.updated_at = now
    case = row.case
    Quote.objects.filter(recommendation_id=row.pk).delete()
    _quote(row, case, quotes)
    record(Action.UPDATE, user=by, membership=membership, child=case.child, obj=row)
    return row


def _quote(row: Recommendation, case: Case, quotes: Sequence[Statement]) -> None:
    """Quote the statements, checked again here, inside the transaction: the form's check may
    be a moment old, and the child's choice wins (a statement whose sharing changed since the
    form was shown is refused, and the transaction writes nothing)."""
    ids = list(dict.fromkeys(statement.pk for statement in quotes))
    allowed = set(quotable_statements(case).filter(pk__in=ids).values_list("pk", flat=True))
    refused = [pk for pk in ids if pk not in allowed]
    if refused:
        raise NotQuotable(f"statements {refused} may not be quoted in {case.reference}")
    Quote.objects.bulk_create(
        Quote(
            municipality_id=case.municipality_id,
            recommendation=row,
            statement_id=pk,
            position=position,
        )
        for position, pk in enumerate(ids)
    )


def _validate(row: Recommendation) -> None:
    """The model's field checks, plus the lengths of text fields, which Django leaves to forms,
    and the rule that the child's perspective and the involvement are never empty."""
    row.clean_fields(exclude=_KEYS)
    for name in FIELDS:
        field = Recommendation._meta.get_field(name)
        value = getattr(row, name)
        limit = getattr(field, "max_length", None)
        if limit and len(value) > limit:
            raise ValidationError({name: f"At most {limit} characters"})
