"""Writing the access log. Call `record` inside the transaction of the change it documents, or
before a read response is returned."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from inddrag.audit.context import EMPTY, current
from inddrag.audit.models import AccessEvent, ChainHead

if TYPE_CHECKING:
    from inddrag.accounts.models import User
    from inddrag.children.models import Child
    from inddrag.municipalities.models import Membership, Municipality

Action = AccessEvent.Action
PLATFORM_CHAIN = 0  # events outside any municipality (e.g. a failed login with an unknown name)

_CPR = re.compile(r"(?<!\d)(\d{6})-?(\d{4})(?!\d)")


def mask_criterion(text: str) -> str:
    """Mask anything that looks like a CPR number and cap the length (T7: no raw CPR in logs)."""
    masked = _CPR.sub(r"\1-xxxx", text)
    return "".join(ch if ch.isprintable() else " " for ch in masked)[:300]


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
) -> AccessEvent:
    """Append one event to its municipality's hash chain.

    Three queries: lock the chain head, insert the event, move the head."""
    if membership is not None:
        municipality = membership.municipality
    if municipality is None and child is not None:
        municipality = child.municipality
    context = current.get() or EMPTY
    with transaction.atomic():
        chain = municipality.pk if municipality is not None else PLATFORM_CHAIN
        head, _created = ChainHead.objects.select_for_update().get_or_create(chain=chain)
        event = AccessEvent(
            chain=chain,
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            municipality=municipality,
            user=user if user is not None and user.pk else None,
            username=(username or (user.get_username() if user is not None else ""))[:150],
            role=membership.role if membership is not None else "",
            action=action,
            child=child,
            object_type=type(obj).__name__ if obj is not None else "",
            object_code=str(getattr(obj, "code", "")) if obj is not None else "",
            criterion=mask_criterion(criterion),
            request_id=context.request_id,
            ip=context.ip,
            path=context.path,
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save(force_insert=True)
        ChainHead.objects.filter(pk=head.pk).update(seq=event.seq, last_hash=event.hash)
    return event
