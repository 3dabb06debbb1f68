from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache

from django.utils import timezone


def age_on(birth_date: date, today: date) -> int:
    """Whole years from `birth_date` to `today` (pure)."""
    years = today.year - birth_date.year
    return years - 1 if (today.month, today.day) < (birth_date.month, birth_date.day) else years


def birthday(birth_date: date, years: int) -> date:
    """The day a child turns `years` old: the first day `age_on` says so (29 February → 1 March
    in other years)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:  # 29 February in a year that has none
        return date(birth_date.year + years, 3, 1)


# Working days (hverdage): the deadlines of the child channel ("svar inden for 2 hverdage").


def easter_sunday(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous algorithm of Meeus, Jones and
    Butcher), from which the Danish moving holidays follow."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


# Days from Easter Sunday: skærtorsdag, langfredag, påskedag, 2. påskedag, Kristi
# himmelfartsdag, pinsedag, 2. pinsedag.
_EASTER_OFFSETS = (-3, -2, 0, 1, 39, 49, 50)
_STORE_BEDEDAG = 26  # the fourth Friday after Easter; abolished from 2024 (lov nr. 40 af 2023)
_STORE_BEDEDAG_LAST_YEAR = 2023
# Nytårsdag, grundlovsdag, juleaftensdag, juledag, 2. juledag, nytårsaftensdag: grundlovsdag and
# the two evenings are not public holidays, but municipal offices are closed on them.
_FIXED_DAYS = ((1, 1), (6, 5), (12, 24), (12, 25), (12, 26), (12, 31))


@cache
def danish_holidays(year: int) -> frozenset[date]:
    """The days of `year` on which Danish municipalities do not work, weekends aside."""
    easter = easter_sunday(year)
    offsets: tuple[int, ...] = _EASTER_OFFSETS
    if year <= _STORE_BEDEDAG_LAST_YEAR:
        offsets = (*offsets, _STORE_BEDEDAG)
    moving = {easter + timedelta(days=offset) for offset in offsets}
    return frozenset(moving | {date(year, month, day) for month, day in _FIXED_DAYS})


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a day in `danish_holidays` (pure)."""
    return day.weekday() < 5 and day not in danish_holidays(day.year)


def next_working_day(day: date) -> date:
    """The first working day after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    """The last working day before `day`."""
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def add_working_days(moment: datetime, days: int) -> datetime:
    """The moment `days` whole working days after `moment`, at the same local time of day.

    Only working days count: a moment on a weekend or holiday counts from the start (00:00) of
    the next working day. Friday 15:00 + 2 is Tuesday 15:00; Saturday 10:00 + 2 is Wednesday
    00:00, the end of Tuesday. Aware in, aware out (the current time zone's wall clock)."""
    local = timezone.localtime(moment)
    day, at = local.date(), local.time().replace(tzinfo=None)
    if not is_working_day(day):
        day, at = next_working_day(day), time.min
    for _ in range(days):
        day = next_working_day(day)
    return timezone.make_aware(datetime.combine(day, at))


def working_days_cutoff(now: datetime, days: int) -> datetime:
    """The latest moment from which `add_working_days(moment, days)` has come by `now`: for any
    `moment`, `add_working_days(moment, days) <= now` exactly when `moment <= cutoff`. Lets a
    query find what is overdue with one comparison (`sent_at <= cutoff`)."""
    local = timezone.localtime(now)
    day, at = local.date(), local.time().replace(tzinfo=None)
    if not is_working_day(day):
        # Every deadline falls on a working day, so on a day off only those of an earlier day
        # have come: whatever started on or before the day `days` working days before it.
        day, at = previous_working_day(day), time.max
    for _ in range(days):
        day = previous_working_day(day)
    return timezone.make_aware(datetime.combine(day, at))


def deadline_day(deadline: datetime) -> date:
    """The last working day of a deadline from `add_working_days`, to tell a person ("senest
    tirsdag"): a deadline at 00:00 ends the working day before it."""
    local = timezone.localtime(deadline)
    if local.time() == time.min:
        return previous_working_day(local.date())
    return local.date()
