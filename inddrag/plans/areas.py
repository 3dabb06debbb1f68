"""The plan's areas: the built-in ones of barnets lov, then the municipality's own, in that order;
each with a caseworker's name and a child's name."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inddrag.plans.models import Area, Goal, PlanArea

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# The built-in areas as a child would say them (the child channel).
CHILD_AREA_NAMES: dict[str, _StrPromise] = {
    Area.SCHOOL: _("Skole, uddannelse eller børnehave"),
    Area.WELLBEING: _("Hvordan jeg har det"),
    Area.HEALTH: _("Min krop og min sundhed"),
    Area.FAMILY: _("Min familie og de voksne omkring mig"),
    Area.LEISURE: _("Fritid og venner"),
    Area.ADULT_LIFE: _("På vej til at blive voksen"),
}


def municipality_areas(municipality_id: int) -> list[str]:
    """The names of the municipality's own areas in use today, by name. One query."""
    today = timezone.localdate()
    return list(
        PlanArea.objects.filter(municipality_id=municipality_id)
        .filter(Q(disabled_on__isnull=True) | Q(disabled_on__gt=today))
        .order_by("name")
        .values_list("name", flat=True)
    )


@dataclass(frozen=True)
class Areas:
    """The areas a municipality's plans use, in order: the built-in, then its own."""

    own: Sequence[str] = ()

    def choices(self, *, keep: str = "") -> list[tuple[str, str]]:
        """(value, label) for a select; `keep` is a goal's area that is no longer offered (a
        retired area of the municipality's), kept so that editing the goal does not lose it."""
        options = [(value, str(label)) for value, label in Area.choices]
        options += [(name, name) for name in self.own]
        if keep and keep not in {value for value, _label in options}:
            options.append((keep, keep))
        return options

    def child_choices(self) -> list[tuple[str, str]]:
        """(value, label) in a child's words, for the child's proposal."""
        options = [(value, str(CHILD_AREA_NAMES[value])) for value in Area.values]
        return options + [(name, name) for name in self.own]

    def values(self) -> set[str]:
        return set(Area.values) | set(self.own)

    def order(self, area: str) -> int:
        """The area's place in the plan; an area no longer offered comes last."""
        ordered = [*Area.values, *self.own]
        return ordered.index(area) if area in ordered else len(ordered)


def area_label(area: str) -> str:
    """The caseworker's name of an area: a built-in area's label, or the municipality's name."""
    return str(Area(area).label) if area in Area.values else area


def child_area_label(area: str) -> str:
    """An area as the child reads it."""
    return str(CHILD_AREA_NAMES[Area(area)]) if area in Area.values else area


@dataclass
class AreaGroup:
    area: str
    label: str
    goals: list[Goal] = field(default_factory=list)


def group_by_area(
    goals: Iterable[Goal], areas: Areas, *, for_child: bool = False
) -> list[AreaGroup]:
    """The goals by area, the areas in their order, the goals in theirs (position, then age)."""
    label = child_area_label if for_child else area_label
    groups: dict[str, AreaGroup] = {}
    for goal in sorted(goals, key=lambda g: (areas.order(g.area), g.area, g.position, g.pk)):
        if goal.area not in groups:
            groups[goal.area] = AreaGroup(goal.area, label(goal.area))
        groups[goal.area].goals.append(goal)
    return list(groups.values())
