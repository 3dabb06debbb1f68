"""Writing the access log. Call `record` inside the transaction of the change it documents, or
before a read response is returned."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn

from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from inddrag.audit.context import EMPTY, current
from inddrag.audit.models import AccessEvent, ChainHead

if TYPE_CHECKING:
    from inddrag.accounts.http import AuthenticatedHttpRequest
    from inddrag.accounts.models import User
    from inddrag.children.models import Child
    from inddrag.municipalities.models import Membership, Municipality

Action = AccessEvent.Action
PLATFORM_CHAIN = 0  # events outside any municipality (e.g. a failed login with an unknown name)

# Ten digits however they are typed: the case search ignores spaces and dashes between them, so
# "0101011234", "010101-1234", "010101 1234" and "01 01 01 12 34" all find the same child.
_CPR = re.compile(r"(?<!\d)(\d(?:[\s-]*\d){5})[\s-]*\d(?:[\s-]*\d){3}(?!\d)")


# An object's UUID in a criterion ("case 1c0e…") is kept whole: its digit groups can look like a
# CPR number typed with dashes ("…4e27-9119-3625…"), and masking them would corrupt the id.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def mask_criterion(text: str) -> str:
    """Mask anything that looks like a CPR number and cap the length (T7: no raw CPR in logs)."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    parts, end = [], 0
    for uuid_match in _UUID.finditer(printable):
        parts += [_CPR.sub(r"\1-xxxx", printable[end : uuid_match.start()]), uuid_match.group()]
        end = uuid_match.end()
    parts.append(_CPR.sub(r"\1-xxxx", printable[end:]))
    return "".join(parts)[:300]


def record(
    action: str,
    *,
    user: User | None = None,
    membership: Membership | None = None,
    municipality: Municipality | None = None,
    child: Child | None = None,
    obj: object | None = None,
    criterion: str = "",
    username: str = "",
    role: str = "",
) -> AccessEvent:
    """Append one event to its municipality's hash chain.

    Three statements in one transaction: lock the chain head, insert the event, move the head.
    They are plain SQL built once from the models (see `_statements`): the ORM's query building
    cost more than SQLite's work, and every audited request pays it (bench/access_log.py)."""
    if membership is not None:
        municipality = membership.municipality
    if municipality is None and child is not None:
        municipality = child.municipality
    context = current.get() or EMPTY
    sql = _statements(connection.vendor)
    with transaction.atomic():
        chain = municipality.pk if municipality is not None else PLATFORM_CHAIN
        head_pk, head_seq, head_hash = _lock_head(chain, sql)
        event = AccessEvent(
            chain=chain,
            seq=head_seq + 1,
            occurred_at=timezone.now(),
            municipality=municipality,
            user=user if user is not None and user.pk else None,
            username=(username or (user.get_username() if user is not None else ""))[:150],
            role=membership.role if membership is not None else role,
            action=action,
            child=child,
            object_type=type(obj).__name__ if obj is not None else "",
            object_code=str(getattr(obj, "code", "")) if obj is not None else "",
            criterion=mask_criterion(criterion),
            request_id=context.request_id,
            ip=context.ip,
            path=context.path,
            prev_hash=head_hash,
        )
        event.hash = event.compute_hash()
        with connection.cursor() as cursor:
            values = [f.get_db_prep_save(f.pre_save(event, True), connection) for f in _FIELDS]
            cursor.execute(sql.insert, values)
            event.pk = cursor.fetchone()[0] if sql.returning else cursor.lastrowid
            cursor.execute(sql.move_head, [event.seq, event.hash, head_pk])
        event._state.adding = False
        event._state.db = connection.alias
    return event


# Every column but the primary key, in model order (a new field is written without a change here).
_FIELDS = [f for f in AccessEvent._meta.concrete_fields if not f.primary_key]
_COLUMNS = [f.get_attname_column()[1] or f.attname for f in _FIELDS]


class _Statements:
    def __init__(self) -> None:
        q = connection.ops.quote_name
        features = connection.features
        head, event = q(ChainHead._meta.db_table), q(AccessEvent._meta.db_table)
        # FOR UPDATE where the database has row locks (PostgreSQL); SQLite's IMMEDIATE
        # transaction already holds the database's write lock from BEGIN.
        self.lock_head = (
            f"SELECT {q('id')}, {q('seq')}, {q('last_hash')} FROM {head} WHERE {q('chain')} = %s"
            + (" FOR UPDATE" if features.has_select_for_update else "")
        )
        self.returning = features.can_return_columns_from_insert
        self.insert = (
            f"INSERT INTO {event} ({', '.join(q(column) for column in _COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(_FIELDS))})"
            + (f" RETURNING {q('id')}" if self.returning else "")
        )
        self.move_head = (
            f"UPDATE {head} SET {q('seq')} = %s, {q('last_hash')} = %s WHERE {q('id')} = %s"
        )


@cache
def _statements(vendor: str) -> _Statements:
    return _Statements()


def _lock_head(chain: int, sql: _Statements) -> tuple[Any, int, str]:
    """(pk, seq, last_hash) of the chain's head, locked until the transaction ends; the head
    is created with the chain's first event (as get_or_create would: in a savepoint, and read
    again if another transaction created it first)."""
    with connection.cursor() as cursor:
        cursor.execute(sql.lock_head, [chain])
        row = cursor.fetchone()
    if row is not None:
        return row[0], row[1], row[2]
    try:
        with transaction.atomic():
            head = ChainHead.objects.create(chain=chain)
    except IntegrityError:
        head = ChainHead.objects.select_for_update().get(chain=chain)
    return head.pk, head.seq, head.last_hash


def refuse(request: AuthenticatedHttpRequest, criterion: str) -> NoReturn:
    """Log the denied request and answer 404, exactly as for an object that does not exist, so
    an object of another municipality or caseload never shows that it exists (T1, T3, T5)."""
    record(Action.DENIED, user=request.user, membership=request.membership, criterion=criterion)
    raise Http404(criterion)
