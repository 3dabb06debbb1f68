from __future__ import annotations

from datetime import date


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
