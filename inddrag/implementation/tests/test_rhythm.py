"""The groups' rhythm as pure functions (house style rule 9): when the next meeting is due and
whether a group is over time, without the database."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.test import SimpleTestCase

from inddrag.implementation.models import Group, months_after


class RhythmTestCase(SimpleTestCase):
    def group(self, kind: str, created: date = date(2026, 1, 10)) -> Group:
        return Group(
            kind=kind, created_at=datetime(created.year, created.month, created.day, 12, tzinfo=UTC)
        )

    def test_it_adds_months_to_a_day(self) -> None:
        self.assertEqual(months_after(date(2026, 2, 28), 3), date(2026, 5, 28))
        self.assertEqual(months_after(date(2026, 11, 30), 3), date(2027, 2, 28))
        self.assertEqual(months_after(date(2028, 1, 31), 1), date(2028, 2, 29))
        self.assertEqual(months_after(date(2026, 12, 15), 1), date(2027, 1, 15))
        self.assertEqual(months_after(date(2026, 3, 31), -1), date(2026, 2, 28))
        self.assertEqual(months_after(date(2026, 6, 1), -60), date(2021, 6, 1))

    def test_it_knows_each_groups_rhythm(self) -> None:
        self.assertEqual(self.group("steering").rhythm_months, 3)
        self.assertEqual(self.group("coordination").rhythm_months, 1)
        self.assertEqual(self.group("training").rhythm_months, 4)
        self.assertEqual(self.group("steering").rhythm_words, "Mødes hvert kvartal")
        self.assertEqual(self.group("coordination").rhythm_words, "Mødes hver måned")
        self.assertEqual(self.group("training").rhythm_words, "Mødes 3-4 gange om året")

    def test_the_steering_group_is_over_time_after_more_than_three_months(self) -> None:
        steering = self.group("steering")
        last = date(2026, 2, 28)
        self.assertEqual(steering.due_on(last), date(2026, 5, 28))
        self.assertFalse(steering.is_overdue(last, today=date(2026, 5, 28)))
        self.assertTrue(steering.is_overdue(last, today=date(2026, 5, 29)))

    def test_the_coordination_group_is_over_time_after_more_than_a_month(self) -> None:
        coordination = self.group("coordination")
        last = date(2026, 5, 2)
        self.assertFalse(coordination.is_overdue(last, today=date(2026, 6, 2)))
        self.assertTrue(coordination.is_overdue(last, today=date(2026, 6, 3)))

    def test_the_training_group_is_over_time_after_more_than_four_months(self) -> None:
        training = self.group("training")
        last = date(2026, 1, 20)
        self.assertFalse(training.is_overdue(last, today=date(2026, 5, 20)))
        self.assertTrue(training.is_overdue(last, today=date(2026, 5, 21)))

    def test_a_group_that_never_met_counts_from_when_it_was_set_up(self) -> None:
        steering = self.group("steering", created=date(2026, 1, 10))
        self.assertEqual(steering.due_on(None), date(2026, 4, 10))
        self.assertFalse(steering.is_overdue(None, today=date(2026, 4, 10)))
        self.assertTrue(steering.is_overdue(None, today=date(2026, 4, 11)))
