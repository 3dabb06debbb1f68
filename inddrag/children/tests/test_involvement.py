from __future__ import annotations

from datetime import date, timedelta

from django.test import SimpleTestCase

from inddrag.children.involvement import (
    Due,
    DueKind,
    Involvement,
    involvement,
)
from inddrag.children.models import Measure
from inddrag.decisions.models import DueRules
from inddrag.lib.dates import birthday

TODAY = date(2025, 6, 15)
BORN = date(2012, 3, 5)  # 13 years old on TODAY
FOSTER = "foster_care"


def status(
    *,
    birth_date: date = BORN,
    today: date = TODAY,
    measures: list[tuple[str, date]] | None = None,  # the active ones: (kind, start day)
    last_conversation_on: date | None = None,
    last_unsupervised_on: date | None = None,
    decisions_not_heard: int = 0,
    rules: DueRules | None = None,
    is_open: bool = True,
) -> Involvement:
    """The status of a child with `measures`; the current placement is the latest one, as
    inddrag/children/queries.py's subquery finds it."""
    measures = measures or []
    placements = [started_on for kind, started_on in measures if kind in Measure.PLACEMENTS]
    return involvement(
        birth_date=birth_date,
        today=today,
        measure_kinds=[kind for kind, _started_on in measures],
        placement_started_on=max(placements) if placements else None,
        last_conversation_on=last_conversation_on,
        last_unsupervised_on=last_unsupervised_on,
        decisions_not_heard=decisions_not_heard,
        rules=rules or DueRules(),
        is_open=is_open,
    )


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def item(result: Involvement, kind: DueKind) -> Due:
    found = [due for due in result.items if due.kind == kind]
    assert len(found) == 1, result.items
    return found[0]


class InvolvementTestCase(SimpleTestCase):
    """The due rules of the caseload (issue 4, item 4), as pure functions: no database. Unsaved
    `DueRules()` carry the defaults: 92 days for the follow-up and the plan, two visits a year,
    ungeplan from 16, party rights from 10."""

    def test_it_has_nothing_due_for_a_child_without_a_placement(self) -> None:
        result = status(measures=[("preventive", days_ago(300))])
        self.assertEqual(result.items, ())
        self.assertIsNone(result.next)
        self.assertFalse(result.is_overdue)
        self.assertFalse(result.is_placed)
        self.assertEqual(result.measure_kinds, ("preventive",))

    def test_it_dues_the_first_follow_up_within_92_days_of_a_placement(self) -> None:
        """§ 95: due on the 92nd day after the start; overdue from the day after."""
        for started_days_ago, days_left, overdue in [
            (91, 1, False),
            (92, 0, False),
            (93, -1, True),
        ]:
            with self.subTest(started_days_ago=started_days_ago):
                result = status(measures=[(FOSTER, days_ago(started_days_ago))])
                follow_up = item(result, DueKind.FOLLOW_UP)
                self.assertEqual(follow_up.due_on, days_ago(started_days_ago) + timedelta(92))
                self.assertEqual(follow_up.days_left, days_left)
                self.assertEqual(follow_up.is_overdue, overdue)
                self.assertEqual(follow_up.basis, "§ 95")
                self.assertEqual(result.next, follow_up)
                self.assertEqual(result.is_overdue, overdue)
                self.assertEqual(result.days_overdue, 1 if overdue else 0)

    def test_it_counts_a_conversation_from_the_start_day_as_the_follow_up(self) -> None:
        start = days_ago(100)
        done = status(measures=[(FOSTER, start)], last_conversation_on=start)
        self.assertEqual([due.kind for due in done.items], [DueKind.VISIT, DueKind.PLAN])
        before = status(measures=[(FOSTER, start)], last_conversation_on=start - timedelta(1))
        self.assertTrue(item(before, DueKind.FOLLOW_UP).is_overdue)

    def test_it_dues_a_visit_without_staff_182_days_after_the_placement(self) -> None:
        """§ 156, stk. 5: two a year, so the next one 365 // 2 = 182 days after the later of the
        placement start and the last conversation without staff present."""
        start = days_ago(200)
        result = status(measures=[(FOSTER, start)], last_conversation_on=start)
        visit = item(result, DueKind.VISIT)
        self.assertEqual(visit.due_on, start + timedelta(182))
        self.assertEqual((visit.days_left, visit.is_overdue), (-18, True))
        self.assertEqual(visit.basis, "§ 156, stk. 5")
        # A visit before the placement started does not count.
        early = status(
            measures=[(FOSTER, start)],
            last_conversation_on=start,
            last_unsupervised_on=start - timedelta(30),
        )
        self.assertEqual(item(early, DueKind.VISIT).due_on, start + timedelta(182))
        # The latest visit resets the clock.
        visited = status(
            measures=[(FOSTER, start)],
            last_conversation_on=start,
            last_unsupervised_on=days_ago(10),
        )
        self.assertEqual(item(visited, DueKind.VISIT).due_on, days_ago(10) + timedelta(182))
        self.assertFalse(visited.is_overdue)

    def test_it_takes_the_visits_per_year_from_the_rules(self) -> None:
        rules = DueRules(visits_per_year=4)
        result = status(
            measures=[(FOSTER, days_ago(10))], last_unsupervised_on=days_ago(5), rules=rules
        )
        self.assertEqual(item(result, DueKind.VISIT).due_on, days_ago(5) + timedelta(91))

    def test_it_takes_the_follow_up_period_from_the_rules(self) -> None:
        rules = DueRules(placement_follow_up_days=120)
        result = status(measures=[(FOSTER, days_ago(100))], rules=rules)
        self.assertEqual(item(result, DueKind.FOLLOW_UP).days_left, 20)
        self.assertFalse(result.is_overdue)

    def test_it_shows_barnets_plan_but_never_counts_it_overdue(self) -> None:
        """§§ 91–92: plans are not recorded here yet, so a past date is no overdue."""
        start = days_ago(400)
        result = status(measures=[(FOSTER, start)], last_conversation_on=days_ago(1))
        plan = item(result, DueKind.PLAN)
        self.assertEqual(plan.due_on, start + timedelta(92))
        self.assertFalse(plan.is_tracked)
        self.assertFalse(plan.is_overdue)
        self.assertEqual(plan.days_overdue, 0)
        self.assertEqual(plan.basis, "§§ 91–92")
        # The overdue visit is next: a tracked item always comes before an untracked one.
        self.assertEqual(result.next, item(result, DueKind.VISIT))

    def test_it_shows_the_ungeplan_from_a_year_before_16_until_18(self) -> None:
        """§§ 108–109: the ungeplan from 16; shown, not tracked."""
        for age, shown in [(14, False), (15, True), (16, True), (17, True), (18, False)]:
            with self.subTest(age=age):
                born = date(TODAY.year - age, 1, 10)
                result = status(birth_date=born)
                self.assertEqual(result.age, age)
                kinds = [due.kind for due in result.items]
                self.assertEqual(kinds, [DueKind.YOUTH_PLAN] if shown else [])
                if shown:
                    youth_plan = item(result, DueKind.YOUTH_PLAN)
                    self.assertEqual(youth_plan.due_on, date(born.year + 16, 1, 10))
                    self.assertFalse(youth_plan.is_overdue)
                    self.assertEqual(result.next, youth_plan)
        result = status(birth_date=date(TODAY.year - 13, 1, 10), rules=DueRules(youth_plan_age=14))
        self.assertEqual(item(result, DueKind.YOUTH_PLAN).due_on, date(TODAY.year + 1, 1, 10))

    def test_it_gives_party_rights_from_the_tenth_birthday(self) -> None:
        """§ 3: party rights from 10, or the municipality's age."""
        ten_today = date(TODAY.year - 10, TODAY.month, TODAY.day)
        self.assertTrue(status(birth_date=ten_today).has_party_rights)
        self.assertFalse(status(birth_date=ten_today + timedelta(1)).has_party_rights)
        rules = DueRules(party_rights_age=12)
        self.assertFalse(status(birth_date=ten_today, rules=rules).has_party_rights)

    def test_it_finds_the_birthday_of_a_leap_day_child(self) -> None:
        self.assertEqual(birthday(date(2008, 2, 29), 16), date(2024, 2, 29))
        self.assertEqual(birthday(date(2008, 2, 29), 17), date(2025, 3, 1))
        self.assertEqual(birthday(date(2012, 3, 5), 16), date(2028, 3, 5))

    def test_it_counts_the_days_since_the_last_conversation(self) -> None:
        self.assertIsNone(status().days_since_conversation)
        self.assertEqual(status(last_conversation_on=TODAY).days_since_conversation, 0)
        self.assertEqual(status(last_conversation_on=days_ago(45)).days_since_conversation, 45)

    def test_it_keeps_decisions_without_a_heard_child_apart_from_overdue(self) -> None:
        """§ 5 is a warning of its own: decisions without a heard child are not a due date."""
        result = status(decisions_not_heard=3)
        self.assertEqual(result.decisions_not_heard, 3)
        self.assertFalse(result.is_overdue)
        self.assertEqual(result.items, ())

    def test_it_follows_the_newest_placement(self) -> None:
        """A move to a new placement starts its own follow-up, plan and visits."""
        result = status(
            measures=[
                ("preventive", days_ago(900)),
                (FOSTER, days_ago(700)),
                ("institution", days_ago(10)),
            ],
            last_conversation_on=days_ago(20),
        )
        self.assertEqual(result.placement_started_on, days_ago(10))
        self.assertEqual(item(result, DueKind.FOLLOW_UP).due_on, days_ago(10) + timedelta(92))
        self.assertEqual(result.measure_kinds, ("preventive", FOSTER, "institution"))

    def test_it_treats_aftercare_as_no_placement(self) -> None:
        result = status(birth_date=date(2005, 1, 1), measures=[("aftercare", days_ago(100))])
        self.assertFalse(result.is_placed)
        self.assertEqual(result.items, ())

    def test_it_says_due_soon_within_30_days(self) -> None:
        """The filter "due within 30 days": a tracked item due today to 30 days ahead; an overdue
        child is in the overdue filter instead, and an untracked plan never counts."""
        for started_days_ago, soon in [(61, False), (62, True), (92, True), (93, False)]:
            with self.subTest(started_days_ago=started_days_ago):
                result = status(measures=[(FOSTER, days_ago(started_days_ago))])
                self.assertEqual(result.is_due_soon, soon)
        ungeplan_soon = status(
            birth_date=date(TODAY.year - 16, TODAY.month, TODAY.day) + timedelta(10)
        )
        self.assertFalse(ungeplan_soon.is_due_soon)

    def test_it_has_nothing_due_in_a_closed_case(self) -> None:
        result = status(measures=[(FOSTER, days_ago(300))], is_open=False)
        self.assertEqual(result.items, ())
        self.assertFalse(result.is_overdue)
