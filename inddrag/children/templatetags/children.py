from __future__ import annotations

from datetime import date

from django import template

from inddrag.lib.dates import age_on

register = template.Library()


@register.filter
def age(birth_date: date, today: date) -> int:
    """Whole years from `birth_date` to `today` (pass today from the view: one clock per page)."""
    return age_on(birth_date, today)
