from __future__ import annotations

from datetime import date


def age_on(birth_date: date, today: date) -> int:
    """Whole years from `birth_date` to `today` (pure)."""
    years = today.year - birth_date.year
    return years - 1 if (today.month, today.day) < (birth_date.month, birth_date.day) else years
