"""State changes for child conversations: each owns its transaction and its access event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.audit.log import Action, record
from inddrag.children.models import Case
from inddrag.conversations.models import Conversation, Statement
from inddrag.letters.models import Quote
from inddrag.municipalities.models import Membership

# The foreign keys: clean_fields() would read each one's row to validate it.
_CONVERSATION_KEYS = ["municipality", "case", "created_by"]
_STATEMENT_KEYS = ["municipality", "conversation", "child"]


class ConversationError(Exception):
    pass


class StatementQuoted(ConversationError):
    """A statement the edit would delete is quoted in a recommendation to the committee."""


class ConversationConflict(ConversationError):
    """Someone saved the conversation after this editor loaded it (optimistic locking, T19)."""


@transaction.atomic(durable=True)
def record_conversation(
    case: Case,
    *,
    by: User,
    membership: Membership,
    held_on: date,
    place: str,
    present: str,
    had_bisidder: bool,
    without_staff_present: bool,
    assessment: str,
    statements: Sequence[tuple[str, str]],
    submit_token: UUID | None = None,
) -> Conversation:
    """Record a conversation with the child's statements (text, sharing), in that order.

    A second call with the same `submit_token` records nothing and returns the first call's
    conversation, also when both run at the same time (T20)."""
    if not statements:
        raise ConversationError("A conversation needs at least one statement")
    if submit_token is not None:
        earlier = Conversation.objects.filter(submit_token=submit_token).first()
        if earlier is not None:
            return _same_case(earlier, case)
    conversation = Conversation(
        municipality_id=case.municipality_id,
        case=case,
        held_on=held_on,
        place=place,
        present=present,
        had_bisidder=had_bisidder,
        without_staff_present=without_staff_present,
        assessment=assessment,
        created_by=by,
        submit_token=submit_token,
    )
    _validate(conversation, exclude=_CONVERSATION_KEYS)
    try:
        with transaction.atomic():
            conversation.save(force_insert=True)
    except IntegrityError:
        # PostgreSQL: the same form, submitted twice at once; the other transaction inserted the
        # token first and has committed, so its row is visible now. (SQLite's IMMEDIATE
        # transactions never overlap, and the check above finds it.)
        if submit_token is None:
            raise
        return _same_case(Conversation.objects.get(submit_token=submit_token), case)
    _add_statements(conversation, case, statements)
    record(Action.CREATE, user=by, membership=membership, child=case.child, obj=conversation)
    return conversation


@transaction.atomic(durable=True)
def update_conversation(
    conversation: Conversation,
    *,
    by: User,
    membership: Membership,
    version: int,
    held_on: date,
    place: str,
    present: str,
    had_bisidder: bool,
    without_staff_present: bool,
    assessment: str,
    statements: Sequence[tuple[str, str]],
) -> Conversation:
    """Save a new version of the conversation, whose statements replace the old ones: the n-th
    statement of the form is saved over the n-th one stored (so a statement quoted in a
    recommendation keeps its row, and a change of its sharing to caseworker-only takes it out of
    the recommendation), new ones are added, and the surplus is deleted — unless one of those is
    quoted in a recommendation: then StatementQuoted is raised and nothing changes.

    `version` is the version the editor started from. If anyone saved the conversation since,
    nothing is changed and ConversationConflict is raised (optimistic locking, T19)."""
    if not statements:
        raise ConversationError("A conversation needs at least one statement")
    fields = {
        "held_on": held_on,
        "place": place,
        "present": present,
        "had_bisidder": had_bisidder,
        "without_staff_present": without_staff_present,
        "assessment": assessment,
    }
    _validate(Conversation(**fields), exclude=_CONVERSATION_KEYS)
    # The version check and the write are one statement: on PostgreSQL a concurrent UPDATE of
    # the row waits for this transaction and then finds the new version, so it changes nothing;
    # SQLite's IMMEDIATE transactions run one after the other.
    now = timezone.now()
    changed = Conversation.objects.filter(pk=conversation.pk, version=version).update(
        **fields, version=F("version") + 1, updated_at=now
    )
    if not changed:
        raise ConversationConflict(str(conversation.code))
    for name, value in fields.items():
        setattr(conversation, name, value)
    conversation.version = version + 1
    conversation.updated_at = now
    case = conversation.case
    stored = list(Statement.objects.filter(conversation=conversation).order_by("position", "pk"))
    surplus = [row.pk for row in stored[len(statements) :]]
    if surplus and Quote.objects.filter(statement_id__in=surplus).exists():
        raise StatementQuoted(str(conversation.code))
    Statement.objects.filter(pk__in=surplus).delete()
    kept = stored[: len(statements)]
    for position, (row, (text, sharing)) in enumerate(zip(kept, statements, strict=False)):
        row.text, row.sharing, row.said_on, row.position = text, sharing, held_on, position
        _validate(row, exclude=_STATEMENT_KEYS)
    if kept:
        Statement.objects.bulk_update(kept, ["text", "sharing", "said_on", "position"])
    _add_statements(conversation, case, statements, start=len(stored))
    record(Action.UPDATE, user=by, membership=membership, child=case.child, obj=conversation)
    return conversation


def _add_statements(
    conversation: Conversation,
    case: Case,
    statements: Sequence[tuple[str, str]],
    *,
    start: int = 0,
) -> None:
    """Create the statements from position `start` on."""
    rows = [
        Statement(
            municipality_id=case.municipality_id,
            conversation=conversation,
            child_id=case.child_id,
            text=text,
            sharing=sharing,
            said_on=conversation.held_on,
            position=position,
        )
        for position, (text, sharing) in enumerate(statements)
        if position >= start
    ]
    for row in rows:
        _validate(row, exclude=_STATEMENT_KEYS)
    Statement.objects.bulk_create(rows)


def _same_case(conversation: Conversation, case: Case) -> Conversation:
    if conversation.case_id != case.pk:
        raise ConversationError("The form's token belongs to another case")
    return conversation


def _validate(row: models.Model, *, exclude: list[str]) -> None:
    """The model's field checks, plus the length of text fields, which Django leaves to forms."""
    row.clean_fields(exclude=exclude)
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if (
            isinstance(field, models.TextField)
            and field.max_length
            and len(value) > field.max_length
        ):
            raise ValidationError({field.name: f"At most {field.max_length} characters"})
