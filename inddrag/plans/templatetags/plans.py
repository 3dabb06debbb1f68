"""Filters for the plan's pages: areas, the child's check-in, a review date in words."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inddrag.plans.areas import area_label, child_area_label
from inddrag.plans.forms import check_in_face, check_in_label

register = template.Library()


@register.filter
def area_name(area: str) -> str:
    """The caseworker's name of an area."""
    return area_label(area)


@register.filter
def child_area_name(area: str) -> str:
    """An area in a child's words."""
    return child_area_label(area)


@register.filter
def check_in_words(rating: int) -> str:
    """ "Rigtig godt" for 5."""
    return check_in_label(rating)


@register.filter
def check_in_icon(rating: int) -> str:
    """The face of a rating (decoration: always shown with the words, aria-hidden)."""
    return check_in_face(rating)


@register.filter
def review_words(review_on: date, today: date | None = None) -> str:
    """How far away the review date is, as a child would say it: "om 3 uger"."""
    days = (review_on - (today or timezone.localdate())).days
    if days < 0:
        return _("det er tid til at se på det nu")
    if days == 0:
        return _("i dag")
    if days == 1:
        return _("i morgen")
    if days < 14:
        return ngettext("om %(n)d dag", "om %(n)d dage", days) % {"n": days}
    if days < 60:
        weeks = days // 7
        return ngettext("om %(n)d uge", "om %(n)d uger", weeks) % {"n": weeks}
    months = round(days / 30.4)
    return ngettext("om cirka %(n)d måned", "om cirka %(n)d måneder", months) % {"n": months}
