"""Test helpers of the implementation groups (house style rule 24: explicit make_* helpers)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from inddrag.accounts.models import User
from inddrag.implementation.models import DialoguePost, Group, GroupMeeting
from inddrag.municipalities.models import Municipality

_seq = itertools.count(1)


def make_group(municipality: Municipality, kind: str, **fields: Any) -> Group:
    fields.setdefault("name", str(Group.Kind(kind).label))
    return Group.objects.create(municipality=municipality, kind=kind, **fields)


def make_group_meeting(group: Group, held_on: date, by: User, **fields: Any) -> GroupMeeting:
    fields.setdefault("agenda", "1. Status på børnesamtalerne")
    return GroupMeeting.objects.create(
        municipality_id=group.municipality_id, group=group, held_on=held_on, created_by=by, **fields
    )


def make_post(municipality: Municipality, author: User, **fields: Any) -> DialoguePost:
    """A post in the dialogue space (a thread unless `reply_to` is given), by a leader."""
    n = next(_seq)
    fields.setdefault("group_kind", Group.Kind.COORDINATION)
    fields.setdefault("title", f"Erfaring {n}")
    fields.setdefault("text", f"Vi holder børnesamtaler på skolen. ({n})")
    fields.setdefault("author_role", "leader")
    return DialoguePost.objects.create(municipality=municipality, author=author, **fields)
