"""The query shape of each page of the implementation groups and the dialogue space (house style
rule 11): a fixed number of queries, however many groups, members, meetings or posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from inddrag.accounts.models import User
from inddrag.implementation.models import DialoguePost, Group, GroupMeeting
from inddrag.municipalities.models import Membership, Municipality
from inddrag.reflection.models import FollowUp

MEETINGS_PER_PAGE = 20
POSTS_PER_PAGE = 20

_MEMBER_ORDER = ["first_name", "last_name", "username"]


@dataclass(frozen=True)
class GroupRow:
    """One group on the overview: its members, its last and next meeting and its rhythm."""

    group: Group
    members: list[User]
    last_held_on: date | None
    last_code: UUID | None
    next_held_on: date | None
    next_code: UUID | None
    due_on: date
    is_overdue: bool


def groups_overview(municipality: Municipality, *, today: date) -> list[GroupRow]:
    """The municipality's groups in the concept's order (steering, coordination, training).
    Two queries: the groups with their last and next meeting, and their members."""
    meetings = GroupMeeting.objects.filter(group=OuterRef("pk"))
    last = meetings.filter(held_on__lte=today).order_by("-held_on", "-pk")
    upcoming = meetings.filter(held_on__gt=today).order_by("held_on", "pk")
    groups = (
        Group.objects.filter(municipality=municipality)
        .annotate(
            last_held_on=Subquery(last.values("held_on")[:1]),
            last_code=Subquery(last.values("code")[:1]),
            next_held_on=Subquery(upcoming.values("held_on")[:1]),
            next_code=Subquery(upcoming.values("code")[:1]),
        )
        .prefetch_related(Prefetch("members", queryset=User.objects.order_by(*_MEMBER_ORDER)))
    )
    order = list(Group.Kind)
    rows = []
    for group in sorted(groups, key=lambda g: order.index(Group.Kind(g.kind))):
        annotated: Any = group
        last_held_on: date | None = annotated.last_held_on
        rows.append(
            GroupRow(
                group=group,
                members=list(group.members.all()),
                last_held_on=last_held_on,
                last_code=annotated.last_code,
                next_held_on=annotated.next_held_on,
                next_code=annotated.next_code,
                due_on=group.due_on(last_held_on),
                is_overdue=group.is_overdue(last_held_on, today=today),
            )
        )
    return rows


def open_follow_ups(municipality: Municipality) -> QuerySet[FollowUp]:
    """The open follow-up items of all the municipality's groups, the earliest date first,
    with their owner, meeting and group (one query)."""
    return (
        FollowUp.objects.filter(
            municipality=municipality, group_meeting__isnull=False, done_at__isnull=True
        )
        .select_related("owner", "group_meeting__group")
        .order_by("due_on", "pk")
    )


def group_members(group: Group) -> list[User]:
    return list(group.members.order_by(*_MEMBER_ORDER))


def meetings_page(group: Group, page_number: str | None) -> Page[Any]:
    """One page of the group's meetings, newest first, each with its count of open follow-up
    items (two queries: the count and the page)."""
    meetings = (
        GroupMeeting.objects.filter(group=group)
        .annotate(open_follow_ups=Count("follow_ups", filter=Q(follow_ups__done_at__isnull=True)))
        .order_by("-held_on", "-pk")
    )
    return Paginator(meetings, MEETINGS_PER_PAGE).get_page(page_number)


def meeting_follow_ups(meeting: GroupMeeting) -> list[FollowUp]:
    """The meeting's follow-up items: the open ones first, by date; then the done ones."""
    return list(
        FollowUp.objects.filter(group_meeting=meeting)
        .select_related("owner")
        .order_by(F("done_at").asc(nulls_first=True), "due_on", "pk")
    )


# The dialogue space.


@dataclass(frozen=True)
class PostRow:
    """A post as the viewer may see it: the author only as a role in a municipality, unless the
    viewer is of the same municipality. The author's user is not in the row, so a template
    cannot show a name by mistake."""

    post: DialoguePost
    author: str
    is_own: bool
    reply_count: int = 0


def author_label(post: DialoguePost, viewer: Membership) -> str:
    """ "En leder i Nordby Kommune" for other municipalities; the name is shown only inside the
    author's own municipality. Note: reads post.municipality and, for colleagues, post.author
    (select_related both)."""
    municipality = post.municipality.name
    if post.author_id == viewer.user_id:
        return _("Dig (%(municipality)s)") % {"municipality": municipality}
    role = {
        Membership.Role.LEADER: _("leder"),
        Membership.Role.ADMIN: _("kommune-administrator"),
    }.get(Membership.Role(post.author_role), _("medarbejder"))
    if post.municipality_id == viewer.municipality_id:
        name = post.author.get_full_name() or post.author.get_username()
        return _("%(name)s, %(role)s i %(municipality)s") % {
            "name": name,
            "role": role,
            "municipality": municipality,
        }
    return _("En %(role)s i %(municipality)s") % {"role": role, "municipality": municipality}


def _posts() -> QuerySet[DialoguePost]:
    return DialoguePost.objects.select_related("municipality", "author")


def dialogue_page(
    viewer: Membership, *, group_kind: str, page_number: str | None
) -> tuple[Page[Any], list[PostRow]]:
    """One page of the threads of all municipalities, newest first, with their number of
    replies (two queries: the count and the page), optionally of one group kind."""
    threads = (
        _posts()
        .filter(reply_to__isnull=True)
        .annotate(reply_count=Count("replies"))
        .order_by("-created_at", "-pk")
    )
    if group_kind:
        threads = threads.filter(group_kind=group_kind)
    page = Paginator(threads, POSTS_PER_PAGE).get_page(page_number)
    rows = [
        PostRow(
            post=post,
            author=author_label(post, viewer),
            is_own=post.author_id == viewer.user_id,
            reply_count=getattr(post, "reply_count", 0),
        )
        for post in page.object_list
    ]
    return page, rows


def thread_replies(thread: DialoguePost, viewer: Membership) -> list[PostRow]:
    """The thread's replies, oldest first (one query)."""
    replies = _posts().filter(reply_to=thread).order_by("created_at", "pk")
    return [
        PostRow(
            post=reply,
            author=author_label(reply, viewer),
            is_own=reply.author_id == viewer.user_id,
        )
        for reply in replies
    ]
