"""The involvement status of a child on the caseload: what is due, when, and what is overdue.

Pure functions, no database: the caseload view fetches a child's few dates in its own queries
and hands them here, and the rules are tested without the DB. The periods are the
municipality's `DueRules` (defaults as we read barnets lov; an unsaved `DueRules()` has them).

The rules, each in its own function below:
- § 95: the first follow-up within `placement_follow_up_days` of a placement.
- § 156, stk. 5: while placed, `visits_per_year` conversations without staff present a year.
- §§ 91–92: barnets plan within `plan_within_days` of a placement (shown, not tracked yet).
- §§ 108–109: an ungeplan from `youth_plan_age` (shown, not tracked yet).
- § 5: a child conversation before every decision. Not a due date: the caseload shows the
  count of decisions without a heard child as a warning of its own (`decisions_not_heard`).
- § 3: party rights from `party_rights_age` (`has_party_rights`).

Only the latest dates matter to these rules (a follow-up is done by any conversation after the
placement started; the next visit counts from the latest one; the current placement is the one
that started last), so the caller passes those dates, not whole histories.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from inddrag.decisions.models import DueRules
from inddrag.lib.dates import age_on, birthday

ADULT_AGE = 18
DUE_SOON_DAYS = 30  # the "due within 30 days" filter of the caseload


class DueKind(StrEnum):
    FOLLOW_UP = "follow_up"
    VISIT = "visit"
    PLAN = "plan"
    YOUTH_PLAN = "youth_plan"


# The legal basis of each kind, as it is cited on the screen (not translated: it is a reference).
BASIS = {
    DueKind.FOLLOW_UP: "§ 95",
    DueKind.VISIT: "§ 156, stk. 5",
    DueKind.PLAN: "§§ 91–92",
    DueKind.YOUTH_PLAN: "§§ 108–109",
}


@dataclass(frozen=True, slots=True)
class Due:
    """One thing due for a child. An untracked item (a plan: plans arrive in a later issue) is
    shown with its date but never counts as overdue."""

    kind: DueKind
    due_on: date
    days_left: int  # negative when overdue
    is_tracked: bool = True

    @property
    def basis(self) -> str:
        return BASIS[self.kind]

    @property
    def is_overdue(self) -> bool:
        return self.is_tracked and self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left) if self.is_tracked else 0


@dataclass(frozen=True, slots=True)
class Involvement:
    """A child's involvement status on one day."""

    age: int
    has_party_rights: bool  # § 3
    measure_kinds: tuple[str, ...]  # the active measures' kinds
    placement_started_on: date | None
    days_since_conversation: int | None  # None: no conversation recorded
    decisions_not_heard: int  # § 5
    items: tuple[Due, ...]  # tracked first, each group by date
    next: Due | None  # the earliest tracked item, else the earliest untracked one

    @property
    def is_overdue(self) -> bool:
        return self.next is not None and self.next.is_overdue

    @property
    def days_overdue(self) -> int:
        return self.next.days_overdue if self.next is not None else 0

    @property
    def is_due_soon(self) -> bool:
        """A tracked item falls due within DUE_SOON_DAYS (today included), none is overdue."""
        return not self.is_overdue and any(
            item.is_tracked and item.days_left <= DUE_SOON_DAYS for item in self.items
        )

    @property
    def is_placed(self) -> bool:
        return self.placement_started_on is not None


def _due(kind: DueKind, due_on: date, today: date, *, is_tracked: bool = True) -> Due:
    return Due(kind, due_on, (due_on - today).days, is_tracked)


def follow_up_due(
    placement_started_on: date, last_conversation_on: date | None, today: date, rules: DueRules
) -> Due | None:
    """§ 95: the first follow-up on a placement within `placement_follow_up_days` of its start.
    Done by any child conversation on or after the start day."""
    if last_conversation_on is not None and last_conversation_on >= placement_started_on:
        return None
    due_on = placement_started_on + timedelta(days=rules.placement_follow_up_days)
    return _due(DueKind.FOLLOW_UP, due_on, today)


def visit_due(
    placement_started_on: date, last_unsupervised_on: date | None, today: date, rules: DueRules
) -> Due:
    """§ 156, stk. 5: at least `visits_per_year` supervision visits a year with a conversation
    with the placed child without staff present. The next is due a year / visits_per_year
    (whole days, 182 for two) after the later of the placement start and the latest such
    conversation."""
    since = placement_started_on
    if last_unsupervised_on is not None and last_unsupervised_on > since:
        since = last_unsupervised_on
    return _due(DueKind.VISIT, since + timedelta(days=365 // rules.visits_per_year), today)


def plan_due(placement_started_on: date, today: date, rules: DueRules) -> Due:
    """§§ 91–92: barnets plan within `plan_within_days` of a placement. Plans are not recorded
    here yet, so the date is shown but never counted as overdue."""
    due_on = placement_started_on + timedelta(days=rules.plan_within_days)
    return _due(DueKind.PLAN, due_on, today, is_tracked=False)


def youth_plan_due(birth_date: date, age: int, today: date, rules: DueRules) -> Due | None:
    """§§ 108–109: an ungeplan from `youth_plan_age`. Shown from a year before that birthday
    until the young person turns 18; not tracked yet, like barnets plan."""
    if not rules.youth_plan_age - 1 <= age < ADULT_AGE:
        return None
    due_on = birthday(birth_date, rules.youth_plan_age)
    return _due(DueKind.YOUTH_PLAN, due_on, today, is_tracked=False)


def involvement(
    *,
    birth_date: date,
    today: date,
    measure_kinds: Iterable[str],
    placement_started_on: date | None,
    last_conversation_on: date | None,
    last_unsupervised_on: date | None,
    decisions_not_heard: int,
    rules: DueRules,
    is_open: bool = True,
) -> Involvement:
    """The child's status from the child's birth date, the kinds of the active measures, the
    start of the current placement (the active placement that started last: a move to a new
    placement starts its own follow-up, plan and visits; None when not placed), the latest
    child conversation, the latest conversation without staff present, and the count of
    decisions made without a heard child. A closed case has nothing due."""
    age = age_on(birth_date, today)
    items: list[Due] = []
    if placement_started_on is not None:
        follow_up = follow_up_due(placement_started_on, last_conversation_on, today, rules)
        if follow_up is not None:
            items.append(follow_up)
        items.append(visit_due(placement_started_on, last_unsupervised_on, today, rules))
        items.append(plan_due(placement_started_on, today, rules))
    youth_plan = youth_plan_due(birth_date, age, today, rules)
    if youth_plan is not None:
        items.append(youth_plan)
    if not is_open:
        items.clear()
    items.sort(key=lambda item: (not item.is_tracked, item.due_on))
    return Involvement(
        age=age,
        has_party_rights=age >= rules.party_rights_age,
        measure_kinds=tuple(measure_kinds),
        placement_started_on=placement_started_on,
        days_since_conversation=(
            (today - last_conversation_on).days if last_conversation_on is not None else None
        ),
        decisions_not_heard=decisions_not_heard,
        items=tuple(items),
        next=items[0] if items else None,
    )
