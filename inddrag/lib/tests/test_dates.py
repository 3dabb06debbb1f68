from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase

from inddrag.lib.dates import (
    add_working_days,
    age_on,
    birthday,
    danish_holidays,
    deadline_day,
    easter_sunday,
    is_working_day,
    next_working_day,
    previous_working_day,
    working_days_cutoff,
)

CPH = ZoneInfo("Europe/Copenhagen")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CPH)


class DatesTestCase(SimpleTestCase):
    """Ages, birthdays and working days (hverdage): the child channel's "svar inden for 2
    hverdage" and the caseload's overdue messages depend on these."""

    # Ages and birthdays.

    def test_it_counts_whole_years(self) -> None:
        self.assertEqual(age_on(date(2012, 3, 5), date(2024, 3, 4)), 11)
        self.assertEqual(age_on(date(2012, 3, 5), date(2024, 3, 5)), 12)

    def test_it_moves_a_leap_day_birthday_to_the_first_of_march(self) -> None:
        self.assertEqual(birthday(date(2008, 2, 29), 10), date(2018, 3, 1))
        self.assertEqual(birthday(date(2008, 2, 29), 16), date(2024, 2, 29))

    # Easter and the holidays.

    def test_it_computes_easter(self) -> None:
        """Easter Sunday from the almanac, for years that test each branch of the algorithm."""
        known = {
            1818: date(1818, 3, 22),  # the earliest possible
            1943: date(1943, 4, 25),  # the latest possible
            2000: date(2000, 4, 23),
            2008: date(2008, 3, 23),
            2019: date(2019, 4, 21),
            2023: date(2023, 4, 9),
            2024: date(2024, 3, 31),
            2025: date(2025, 4, 20),
            2026: date(2026, 4, 5),
            2027: date(2027, 3, 28),
            2038: date(2038, 4, 25),
            2285: date(2285, 3, 22),
        }
        for year, sunday in known.items():
            with self.subTest(year=year):
                self.assertEqual(easter_sunday(year), sunday)
                self.assertEqual(easter_sunday(year).weekday(), 6)

    def test_it_knows_the_danish_holidays_of_2025(self) -> None:
        self.assertEqual(
            sorted(danish_holidays(2025)),
            [
                date(2025, 1, 1),  # nytårsdag
                date(2025, 4, 17),  # skærtorsdag
                date(2025, 4, 18),  # langfredag
                date(2025, 4, 20),  # påskedag
                date(2025, 4, 21),  # 2. påskedag
                date(2025, 5, 29),  # Kristi himmelfartsdag
                date(2025, 6, 5),  # grundlovsdag
                date(2025, 6, 8),  # pinsedag
                date(2025, 6, 9),  # 2. pinsedag
                date(2025, 12, 24),  # juleaftensdag
                date(2025, 12, 25),  # juledag
                date(2025, 12, 26),  # 2. juledag
                date(2025, 12, 31),  # nytårsaftensdag
            ],
        )

    def test_it_follows_easter_through_the_years(self) -> None:
        """The moving holidays of several years, from the almanac."""
        for year, holy_thursday, ascension, whit_monday in [
            (2024, date(2024, 3, 28), date(2024, 5, 9), date(2024, 5, 20)),
            (2026, date(2026, 4, 2), date(2026, 5, 14), date(2026, 5, 25)),
            (2027, date(2027, 3, 25), date(2027, 5, 6), date(2027, 5, 17)),
            (2030, date(2030, 4, 18), date(2030, 5, 30), date(2030, 6, 10)),
        ]:
            with self.subTest(year=year):
                for day in (holy_thursday, ascension, whit_monday):
                    self.assertFalse(is_working_day(day), day)
                good_friday = holy_thursday + timedelta(days=1)
                easter_monday = holy_thursday + timedelta(days=4)
                self.assertFalse(is_working_day(good_friday))
                self.assertFalse(is_working_day(easter_monday))
                self.assertTrue(is_working_day(easter_monday + timedelta(days=1)))
                self.assertTrue(is_working_day(ascension - timedelta(days=1)))
                self.assertTrue(is_working_day(ascension + timedelta(days=1)))

    def test_it_keeps_store_bededag_until_2023_only(self) -> None:
        self.assertFalse(is_working_day(date(2023, 5, 5)))  # the last store bededag
        self.assertFalse(is_working_day(date(2022, 5, 13)))
        self.assertTrue(is_working_day(date(2024, 4, 26)))  # abolished from 2024
        self.assertTrue(is_working_day(date(2025, 5, 16)))

    def test_it_treats_christmas_and_new_year_as_days_off(self) -> None:
        for day in [date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 31), date(2027, 1, 1)]:
            with self.subTest(day=day):
                self.assertFalse(is_working_day(day))
        self.assertTrue(is_working_day(date(2026, 12, 23)))
        self.assertTrue(is_working_day(date(2026, 12, 28)))  # a Monday between the holidays
        # Grundlovsdag on a weekday.
        self.assertFalse(is_working_day(date(2026, 6, 5)))

    def test_it_skips_weekends(self) -> None:
        self.assertTrue(is_working_day(date(2026, 3, 6)))  # Friday
        self.assertFalse(is_working_day(date(2026, 3, 7)))
        self.assertFalse(is_working_day(date(2026, 3, 8)))
        self.assertEqual(next_working_day(date(2026, 3, 6)), date(2026, 3, 9))
        self.assertEqual(previous_working_day(date(2026, 3, 9)), date(2026, 3, 6))
        # From the Wednesday before Easter 2026 to the Tuesday after it.
        self.assertEqual(next_working_day(date(2026, 4, 1)), date(2026, 4, 7))
        self.assertEqual(previous_working_day(date(2026, 4, 7)), date(2026, 4, 1))
        # Over Christmas and New Year 2025.
        self.assertEqual(next_working_day(date(2025, 12, 23)), date(2025, 12, 29))
        self.assertEqual(next_working_day(date(2025, 12, 30)), date(2026, 1, 2))

    # Adding working days.

    def test_it_adds_working_days_at_the_same_time_of_day(self) -> None:
        self.assertEqual(add_working_days(at(2026, 3, 2, 10), 2), at(2026, 3, 4, 10))
        # Friday 15:00 + the weekend: Tuesday 15:00.
        self.assertEqual(add_working_days(at(2026, 3, 6, 15), 2), at(2026, 3, 10, 15))
        # Sent on a Saturday: Monday and Tuesday count, so the end of Tuesday.
        self.assertEqual(add_working_days(at(2026, 3, 7, 10), 2), at(2026, 3, 11, 0))
        self.assertEqual(deadline_day(at(2026, 3, 11, 0)), date(2026, 3, 10))
        self.assertEqual(deadline_day(at(2026, 3, 10, 15)), date(2026, 3, 10))

    def test_it_adds_working_days_over_easter(self) -> None:
        # Wednesday before Easter 2025, 10:00: Tuesday 22 and Wednesday 23 April.
        self.assertEqual(add_working_days(at(2025, 4, 16, 10), 2), at(2025, 4, 23, 10))
        # On langfredag: from the start of Tuesday, ending with Wednesday.
        deadline = add_working_days(at(2025, 4, 18, 12), 2)
        self.assertEqual(deadline, at(2025, 4, 24, 0))
        self.assertEqual(deadline_day(deadline), date(2025, 4, 23))
        # On Kristi himmelfartsdag 2025 (a Thursday): Friday and Monday.
        deadline = add_working_days(at(2025, 5, 29, 9), 2)
        self.assertEqual(deadline, at(2025, 6, 3, 0))
        self.assertEqual(deadline_day(deadline), date(2025, 6, 2))

    def test_it_adds_working_days_over_christmas(self) -> None:
        # 23 December 2025, 14:00: Monday 29 and Tuesday 30 December.
        self.assertEqual(add_working_days(at(2025, 12, 23, 14), 2), at(2025, 12, 30, 14))
        # Juleaftensdag (a Wednesday): the 29th and the 30th; the 31st is a day off.
        deadline = add_working_days(at(2025, 12, 24, 20), 2)
        self.assertEqual(deadline, at(2026, 1, 2, 0))
        self.assertEqual(deadline_day(deadline), date(2025, 12, 30))

    def test_it_keeps_the_wall_clock_over_summer_time(self) -> None:
        """Friday 27 March 2026, 15:00 + 2: Tuesday 31 March, 15:00 summer time."""
        deadline = add_working_days(at(2026, 3, 27, 15), 2)
        self.assertEqual(deadline, at(2026, 3, 31, 15))
        self.assertEqual(deadline.utcoffset(), timedelta(hours=2))

    # The cutoff: what a query compares with.

    def test_it_gives_the_cutoff_of_a_working_day(self) -> None:
        # On Wednesday 15:00 everything sent up to Monday 15:00 is 2 working days old.
        self.assertEqual(working_days_cutoff(at(2026, 3, 11, 15), 2), at(2026, 3, 9, 15))
        # On Tuesday 15:00: up to Friday 15:00 (the weekend does not count).
        self.assertEqual(working_days_cutoff(at(2026, 3, 10, 15), 2), at(2026, 3, 6, 15))

    def test_it_gives_the_cutoff_of_a_day_off(self) -> None:
        # On Saturday: everything sent up to the end of Wednesday (due by the end of Friday).
        cutoff = working_days_cutoff(at(2026, 3, 7, 11), 2)
        self.assertEqual(cutoff, datetime.combine(date(2026, 3, 4), time.max, tzinfo=CPH))

    def test_it_agrees_with_adding_working_days(self) -> None:
        """For any two moments: the deadline has come exactly when the sending time is at or
        before the cutoff. Random moments over three years with Easter, Christmas and summer
        time (seeded); the hour of the summer-time change is left out, where a wall-clock time
        is missing or twice."""
        rng = random.Random(20260406)
        start = at(2024, 12, 1).timestamp()
        span = 3 * 365 * 86400
        checked = 0
        while checked < 3000:
            sent = datetime.fromtimestamp(start + rng.random() * span, tz=CPH)
            now = sent + timedelta(seconds=rng.random() * 10 * 86400)
            if 2 <= sent.hour < 3 or 2 <= now.hour < 3:
                continue
            with self.subTest(sent=sent, now=now):
                self.assertEqual(
                    add_working_days(sent, 2) <= now, sent <= working_days_cutoff(now, 2)
                )
            checked += 1
