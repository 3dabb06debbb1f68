from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def age(birth_date: date) -> int:
    """Whole years from `birth_date` to today (local time)."""
    today = timezone.localdate()
    years = today.year - birth_date.year
    return years - 1 if (today.month, today.day) < (birth_date.month, birth_date.day) else years
