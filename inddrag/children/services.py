"""State changes of a child's case: the network, the measures and the handover. Each owns its
transaction and writes its access event inside it (house style rules 10 and 14)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.audit.log import Action, record
from inddrag.children.models import Assignment, Case, Handover, Measure, NetworkMember
from inddrag.municipalities.models import Membership
from inddrag.portal.models import ChildAccess
from inddrag.portal.notify import notify_child_on_commit

NIL = UUID(int=0)  # "no caseworker was assigned" for hand_over_case(seen_caseworker=...)


class PlacementOverlap(Exception):
    """The placement's period overlaps another placement of the same case."""

    def __init__(self, other: Measure) -> None:
        super().__init__(f"Overlaps {other.code}")
        self.other = other


class AlreadyEnded(Exception):
    pass


class HandoverError(Exception):
    """The handover cannot be made as asked (the form should have caught it)."""


class StaleHandover(HandoverError):
    """Someone else handed the case over after the form was loaded."""


@transaction.atomic(durable=True)
def add_network_member(
    case: Case,
    *,
    by: User,
    membership: Membership,
    kind: str,
    name: str,
    relation: str = "",
    phone: str = "",
    email: str = "",
    note: str = "",
) -> NetworkMember:
    """Add a person or place to the network of the case's child."""
    member = NetworkMember.objects.create(
        municipality_id=case.municipality_id,
        child=case.child,
        kind=kind,
        name=name,
        relation=relation,
        phone=phone,
        email=email,
        note=note,
    )
    record(Action.CREATE, user=by, membership=membership, child=case.child, obj=member)
    return member


@transaction.atomic(durable=True)
def update_network_member(
    member: NetworkMember,
    *,
    by: User,
    membership: Membership,
    kind: str,
    name: str,
    relation: str,
    phone: str,
    email: str,
    note: str,
) -> NetworkMember:
    """Change what is known about a person in the child's network (the last save wins: the
    fields are short and rarely edited by two people at once)."""
    locked = NetworkMember.objects.select_for_update().select_related("child").get(pk=member.pk)
    locked.kind, locked.name, locked.relation = kind, name, relation
    locked.phone, locked.email, locked.note = phone, email, note
    locked.save(update_fields=["kind", "name", "relation", "phone", "email", "note"])
    record(Action.UPDATE, user=by, membership=membership, child=locked.child, obj=locked)
    return locked


@transaction.atomic(durable=True)
def end_network_member(
    member: NetworkMember, *, by: User, membership: Membership, ended_on: date
) -> NetworkMember:
    """Record that a person is no longer in the child's network. The row stays: the network's
    history is part of the child's case."""
    locked = NetworkMember.objects.select_for_update().select_related("child").get(pk=member.pk)
    if locked.ended_on is not None:
        raise AlreadyEnded(str(locked.code))
    locked.ended_on = ended_on
    locked.save(update_fields=["ended_on"])
    record(Action.UPDATE, user=by, membership=membership, child=locked.child, obj=locked)
    return locked


def _overlapping_placement(
    case_id: int, *, started_on: date, ended_on: date | None, exclude_pk: int | None = None
) -> Measure | None:
    """The first other placement of the case whose period overlaps [started_on, ended_on].

    An open end runs on for ever. One placement may end on the day the next starts (a child
    moves on that day), so periods that only touch do not overlap."""
    others = Measure.objects.filter(case_id=case_id, kind__in=Measure.PLACEMENTS).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=started_on)
    )
    if ended_on is not None:
        others = others.filter(started_on__lt=ended_on)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.order_by("started_on").first()


def _lock_case(case: Case) -> None:
    """Serialise the measure changes of one case, so that two overlapping placements cannot be
    saved side by side (check-then-act under the lock; SQLite's IMMEDIATE transactions already
    serialise all writers)."""
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").get()


@transaction.atomic(durable=True)
def add_measure(
    case: Case,
    *,
    by: User,
    membership: Membership,
    kind: str,
    started_on: date,
    ended_on: date | None = None,
    description: str = "",
) -> Measure:
    """Record help the child gets. A placement may not overlap another placement of the case."""
    _lock_case(case)
    if kind in Measure.PLACEMENTS:
        other = _overlapping_placement(case.pk, started_on=started_on, ended_on=ended_on)
        if other is not None:
            raise PlacementOverlap(other)
    measure = Measure.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        kind=kind,
        description=description,
        started_on=started_on,
        ended_on=ended_on,
    )
    record(Action.CREATE, user=by, membership=membership, child=case.child, obj=measure)
    return measure


@transaction.atomic(durable=True)
def update_measure(
    measure: Measure,
    *,
    by: User,
    membership: Membership,
    kind: str,
    started_on: date,
    ended_on: date | None,
    description: str,
) -> Measure:
    """Change a measure, e.g. give it its end date."""
    case = measure.case  # note: a query unless the caller fetched the measure through its case
    _lock_case(case)
    locked = Measure.objects.select_for_update().get(pk=measure.pk)
    if kind in Measure.PLACEMENTS:
        other = _overlapping_placement(
            case.pk, started_on=started_on, ended_on=ended_on, exclude_pk=locked.pk
        )
        if other is not None:
            raise PlacementOverlap(other)
    locked.kind, locked.description = kind, description
    locked.started_on, locked.ended_on = started_on, ended_on
    locked.save(update_fields=["kind", "description", "started_on", "ended_on"])
    record(Action.UPDATE, user=by, membership=membership, child=case.child, obj=locked)
    return locked


@transaction.atomic(durable=True)
def hand_over_case(
    case: Case,
    *,
    to_caseworker: User,
    by: User,
    membership: Membership,
    child_story: str,
    seen_caseworker: UUID | None = None,
) -> Handover:
    """Give the case to another caseworker, with the child's story for them.

    `by` is the outgoing caseworker, or the leader of the case's unit when the outgoing one has
    left or is away. The active assignment is locked and ended, a new one starts, and the
    Handover keeps who wrote what for whom; the assignment history stays. `seen_caseworker` is
    the code of the caseworker the writer saw as assigned (NIL: none); when it is given and no
    longer true, someone handed the case over meanwhile and StaleHandover is raised. Two
    handovers at the same moment cannot both win: the lock serialises them, and the database
    allows one active assignment per case (assignment_one_active_per_case).

    A child with access to the child channel gets a content-free notice on commit; the child's
    home then shows the new caseworker, and the child's "Det skal du vide om mig" (on their
    ChildAccess) is on the case page for the new caseworker to read."""
    child_story = child_story.strip()
    if len(child_story) < 20:
        raise HandoverError("The child's story is required")
    leads_the_unit = membership.role == Membership.Role.LEADER and membership.unit_id in (
        None,
        case.unit_id,
    )
    if membership.municipality_id != case.municipality_id or not (
        leads_the_unit or membership.role == Membership.Role.CASEWORKER
    ):
        raise HandoverError("Only the assigned caseworker or the unit's leader hands over")
    is_caseworker = Membership.objects.filter(
        user=to_caseworker,
        municipality_id=case.municipality_id,
        role=Membership.Role.CASEWORKER,
        ended_at__isnull=True,
        user__is_active=True,
    ).exists()
    if not is_caseworker:
        raise HandoverError("The new caseworker is not a caseworker in the municipality")
    active = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("caseworker")
        .filter(case=case, ended_at__isnull=True)
        .first()
    )
    outgoing = active.caseworker if active is not None else None
    if seen_caseworker is not None and (outgoing.code if outgoing else NIL) != seen_caseworker:
        raise StaleHandover(case.reference)
    if membership.role == Membership.Role.CASEWORKER and outgoing != by:
        raise StaleHandover(case.reference)  # only the assigned caseworker hands over her case
    if outgoing == to_caseworker:
        raise HandoverError("The case is already assigned to the new caseworker")
    now = timezone.now()
    if active is not None:
        active.ended_at = now
        active.save(update_fields=["ended_at"])
    try:
        with transaction.atomic():
            Assignment.objects.create(
                municipality_id=case.municipality_id,
                case=case,
                caseworker=to_caseworker,
                started_at=now,
            )
    except IntegrityError as error:
        # Another handover committed a new active assignment after our read (PostgreSQL skips
        # the row it waited for once that row is no longer active).
        raise StaleHandover(case.reference) from error
    handover = Handover.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        from_caseworker=outgoing,
        to_caseworker=to_caseworker,
        written_by=by,
        child_story=child_story,
        handed_over_at=now,
    )
    record(Action.UPDATE, user=by, membership=membership, child=case.child, obj=handover)
    # The child sees the new caseworker on the child channel's home (name, a few lines, phone)
    # and can write "Det skal du vide om mig" for them; a content-free notice says so.
    access_id = ChildAccess.objects.filter(child_id=case.child_id).values_list("pk", flat=True)
    if (first := access_id.first()) is not None:
        notify_child_on_commit(first)
    return handover
