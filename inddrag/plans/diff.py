"""Two versions of a plan compared goal by goal (through each goal's `key`): added, removed,
changed (which fields, old → new, with the changed words marked) and unchanged. Pure functions:
no queries."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from typing import Any

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from inddrag.plans.areas import Areas, area_label
from inddrag.plans.models import Goal

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"

# A word, a run of spaces, or one sign: the units the marks are put around.
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


# The compared fields: (name, label, how a value is shown, whether words are marked).
def _fields() -> list[tuple[str, str, Callable[[Any], str], bool]]:
    return [
        ("area", _("Område"), area_label, False),
        ("child_words", _("Det vil jeg gerne (barnets egne ord)"), _text, True),
        ("child_words_missing_reason", _("Hvorfor barnets ord mangler"), _text, True),
        ("description", _("Beskrivelse"), _text, True),
        ("who_does_what", _("Hvem gør hvad"), _text, True),
        ("review_on", _("Følges op"), _text, False),
        ("proposed_by_child", _("Barnets forslag"), _text, False),
    ]


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    marked: SafeString  # the new text with removed words in <del> and added words in <ins>


@dataclass
class GoalDiff:
    status: str  # ADDED, REMOVED, CHANGED or UNCHANGED
    old: Goal | None
    new: Goal | None
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def goal(self) -> Goal:
        """The goal as it is in the newer version (as it was, for a removed goal)."""
        goal = self.new or self.old
        assert goal is not None
        return goal


def word_diff(old: str, new: str) -> SafeString:
    """`new` with what changed from `old` marked word by word: removed words in <del>, added
    words in <ins>, each with a hidden word for screen readers (not colour or strike alone).
    Changes with only spaces between them are marked as one. Every piece of text is escaped."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    ops = [
        (op, "".join(a[i1:i2]), "".join(b[j1:j2]))
        for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    ]
    pieces: list[tuple[str, str]] = []
    i = 0
    while i < len(ops):
        op, before, after = ops[i]
        if op == "equal":
            pieces.append(("equal", before))
            i += 1
            continue
        i += 1
        # Take in the next change when only spaces stand between.
        while i + 1 < len(ops) and ops[i][0] == "equal" and ops[i][1].isspace():
            gap, (_op, more_before, more_after) = ops[i][1], ops[i + 1]
            before, after = before + gap + more_before, after + gap + more_after
            i += 2
        pieces += [("delete", before), ("insert", after)]
    return _marks(pieces)


def _whole(old: str, new: str) -> SafeString:
    """A short value (an area, a date, yes or no) replaced as a whole."""
    return _marks([("delete", old), ("insert", new)])


def _marks(pieces: list[tuple[str, str]]) -> SafeString:
    removed, added = escape(_("Slettet:")), escape(_("Tilføjet:"))
    parts: list[str] = []
    for op, text in pieces:
        if not text:
            continue
        if op == "equal":
            parts.append(escape(text))
        elif op == "delete":
            parts.append(
                f'<del><span class="sr-only">[{removed} </span>{escape(text)}'
                '<span class="sr-only">]</span></del>'
            )
        else:
            parts.append(
                f'<ins><span class="sr-only">[{added} </span>{escape(text)}'
                '<span class="sr-only">]</span></ins>'
            )
    return mark_safe("".join(parts))  # every text part went through escape()


def changes_between(old: Goal, new: Goal) -> list[FieldChange]:
    """The fields that differ, in the order of the goal form."""
    found = []
    for name, label, show, by_words in _fields():
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        old_text, new_text = show(before), show(after)
        marked = word_diff(old_text, new_text) if by_words else _whole(old_text, new_text)
        found.append(FieldChange(label=label, old=old_text, new=new_text, marked=marked))
    return found


def compare_goals(old: Sequence[Goal], new: Sequence[Goal], areas: Areas) -> list[GoalDiff]:
    """Every goal of either version, matched by key, in the newer version's order (by area,
    then position); a removed goal where it stood in the older one."""
    before = {goal.key: goal for goal in old}
    after = {goal.key: goal for goal in new}
    diffs = []
    for goal in new:
        earlier = before.get(goal.key)
        if earlier is None:
            diffs.append(GoalDiff(ADDED, None, goal))
            continue
        changes = changes_between(earlier, goal)
        diffs.append(GoalDiff(CHANGED if changes else UNCHANGED, earlier, goal, changes))
    diffs += [GoalDiff(REMOVED, goal, None) for goal in old if goal.key not in after]
    return sorted(
        diffs,
        key=lambda d: (areas.order(d.goal.area), d.goal.area, d.goal.position, d.goal.pk or 0),
    )
