"""Object-level access to cases: one helper per object type (house style rule 13)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.audit.log import Action, record, refuse
from inddrag.children.models import Case
from inddrag.lib.prepared import Prepared
from inddrag.municipalities.models import Membership

Role = Membership.Role


def visible_cases(membership: Membership) -> QuerySet[Case]:
    """Cases this membership may see: a caseworker their assigned cases; a leader the cases of
    the unit they lead (all of the municipality's when they lead no single unit)."""
    cases = Case.objects.filter(municipality_id=membership.municipality_id)
    if membership.role == Role.CASEWORKER:
        return cases.filter(
            assignments__caseworker_id=membership.user_id, assignments__ended_at__isnull=True
        )
    if membership.role == Role.LEADER:
        return cases.filter(unit_id=membership.unit_id) if membership.unit_id else cases
    return cases.none()


@dataclass(frozen=True)
class Shape:
    """What decides the SQL of `visible_cases` for a membership (its role, and for a leader
    whether they lead one unit), and the values that SQL filters by. Queries that are built once
    (lib/prepared.py) keep one SQL per shape."""

    role: str
    with_unit: bool
    values: dict[str, int]

    @property
    def key(self) -> tuple[str, bool]:
        return (self.role, self.with_unit)

    def standins(self) -> dict[str, object]:
        """Stand-ins for `values`, to build the SQL with."""
        return {name: -7_070_700 - i for i, name in enumerate(sorted(self.values), 1)}


def visible_shape(membership: Membership) -> Shape | None:
    """The shape of `visible_cases(membership)`; None for a role that sees no cases."""
    values = {"municipality_id": membership.municipality_id}
    if membership.role == Role.CASEWORKER:
        return Shape(Role.CASEWORKER, False, {**values, "user_id": membership.user_id})
    if membership.role == Role.LEADER and membership.unit_id:
        return Shape(Role.LEADER, True, {**values, "unit_id": membership.unit_id})
    if membership.role == Role.LEADER:
        return Shape(Role.LEADER, False, values)
    return None


def shaped_membership(
    role: str, *, municipality_id: int, user_id: int = 0, unit_id: int | None = None
) -> Membership:
    """An unsaved membership with a shape's values, to build a prepared query from."""
    return Membership(role=role, municipality_id=municipality_id, user_id=user_id, unit_id=unit_id)


def get_case_for_user(request: AuthenticatedHttpRequest, code: UUID) -> tuple[Case, bool]:
    """Return the case if the current membership may see it, and whether it may edit it.

    Any other case, in another municipality or outside the user's caseload, is a 404, and the
    attempt is logged as a denial (T1, T3). One query; its SQL is built once per shape of
    `visible_cases` (lib/prepared.py): every case view starts with it."""
    membership = request.membership
    shape = visible_shape(membership)
    found = _case_query(shape)(code=code, **shape.values) if shape else []
    if not found:
        refuse(request, f"case {code}")
    return found[0], membership.role == Role.CASEWORKER


_case_queries: dict[tuple[str, bool], Prepared[Case, Case]] = {}


def _case_query(shape: Shape) -> Prepared[Case, Case]:
    """The case with a code among those a membership of this shape may see."""
    if shape.key not in _case_queries:

        def build(code: UUID, **values: int) -> QuerySet[Case]:
            return (
                visible_cases(shaped_membership(shape.role, **values))
                # The due rules too (the case page and the decision form read them), and the
                # child's access to the child channel (the case page shows it).
                .select_related("child__access", "unit", "municipality__due_rules")
                .filter(code=code)
                .order_by("pk")[:1]
            )

        _case_queries[shape.key] = Prepared(build, code=UUID(int=7_070_700), **shape.standins())
    return _case_queries[shape.key]


def get_editable_case_for_user(request: AuthenticatedHttpRequest, code: UUID) -> Case:
    """get_case_for_user, and a logged 403 for a reader who may not change the case."""
    case, can_edit = get_case_for_user(request, code)
    if not can_edit:
        record(
            Action.DENIED,
            user=request.user,
            membership=request.membership,
            criterion=f"read-only: case {code}",
        )
        raise PermissionDenied(f"read-only: case {code}")
    return case
