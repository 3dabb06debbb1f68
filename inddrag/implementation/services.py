"""State changes of the implementation groups and the dialogue space: one function per change,
each owning its transaction and writing its access event (house style rule 10).

Nothing here touches child data. The dialogue space is the one place shared across
municipalities, so every text is checked for case data before it is saved (`find_case_data`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone, translation

from inddrag.accounts.models import User
from inddrag.audit.log import Action, record
from inddrag.implementation.models import DialoguePost, Group, GroupMeeting
from inddrag.municipalities.models import Membership, Municipality
from inddrag.reflection.models import FollowUp
from inddrag.reflection.vignettes import find_case_data

# The foreign keys: clean_fields() would read each one's row to validate it.
_KEYS = ["municipality", "group", "created_by", "author", "reply_to", "owner", "group_meeting"]


class ImplementationError(Exception):
    pass


class MeetingConflict(ImplementationError):
    """Someone saved the meeting after this editor loaded it (optimistic locking, T19)."""


class NotStaff(ImplementationError):
    """A member or an owner who is not staff of the group's municipality (or of the group)."""


class CaseDataFound(ImplementationError):
    """A text for the dialogue space looks as if it holds case data; nothing was saved."""

    def __init__(self, kinds: list[str]) -> None:
        super().__init__(", ".join(kinds))
        self.kinds = kinds


def staff_of(municipality: Municipality | int) -> models.QuerySet[User]:
    """The active users with an active role in the municipality (caseworkers, leaders and its
    administrators): who may sit in its implementation groups."""
    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(municipality=municipality, ended_at__isnull=True).values(
            "user_id"
        ),
    )


# The groups.


@transaction.atomic(durable=True)
def ensure_groups(municipality: Municipality, *, by: User, membership: Membership) -> list[Group]:
    """The municipality's three groups, each made the first time it is needed. Safe to call
    at any time and from two requests at once: a group of a kind is made once (the unique
    constraint per kind decides a race), and only a group made here is logged."""
    groups = {g.kind: g for g in Group.objects.filter(municipality=municipality)}
    for kind in Group.Kind:
        if kind in groups:
            continue
        with translation.override("da"):
            name = str(kind.label)  # the name the group starts with; stored in Danish
        try:
            with transaction.atomic():
                group = Group.objects.create(municipality=municipality, kind=kind, name=name)
        except IntegrityError:  # PostgreSQL: another request made it first, and has committed
            groups[kind] = Group.objects.get(municipality=municipality, kind=kind)
            continue
        groups[kind] = group
        record(Action.CREATE, user=by, membership=membership, obj=group)
    return [groups[kind] for kind in Group.Kind]


@transaction.atomic(durable=True)
def update_group(
    group: Group, *, by: User, membership: Membership, name: str, members: Iterable[User]
) -> Group:
    """Rename the group and set its members. Every member must be staff of the group's
    municipality (NotStaff otherwise, and nothing changes)."""
    members = list(members)
    staff = set(
        staff_of(group.municipality_id)
        .filter(pk__in=[m.pk for m in members])
        .values_list("pk", flat=True)
    )
    if any(member.pk not in staff for member in members):
        raise NotStaff(str(group.code))
    group.name = name.strip()
    _validate(group)
    Group.objects.filter(pk=group.pk).update(name=group.name)
    group.members.set(members)
    record(Action.UPDATE, user=by, membership=membership, obj=group)
    return group


# Meetings.


@transaction.atomic(durable=True)
def create_meeting(
    group: Group,
    *,
    by: User,
    membership: Membership,
    held_on: date,
    agenda: str,
    decisions: str = "",
    submit_token: UUID | None = None,
) -> GroupMeeting:
    """Record or plan a meeting of the group. A second call with the same `submit_token`
    makes nothing and returns the first call's meeting, also when both run at once (T20)."""
    if submit_token is not None:
        earlier = GroupMeeting.objects.filter(submit_token=submit_token).first()
        if earlier is not None:
            return _same_group(earlier, group)
    meeting = GroupMeeting(
        municipality_id=group.municipality_id,
        group=group,
        held_on=held_on,
        agenda=agenda.strip(),
        decisions=decisions.strip(),
        created_by=by,
        submit_token=submit_token,
    )
    _validate(meeting)
    try:
        with transaction.atomic():
            meeting.save(force_insert=True)
    except IntegrityError:
        # PostgreSQL: the same form sent twice at once; the other insert committed first.
        if submit_token is None:
            raise
        return _same_group(GroupMeeting.objects.get(submit_token=submit_token), group)
    record(Action.CREATE, user=by, membership=membership, obj=meeting)
    return meeting


@transaction.atomic(durable=True)
def update_meeting(
    meeting: GroupMeeting,
    *,
    by: User,
    membership: Membership,
    version: int,
    held_on: date,
    agenda: str,
    decisions: str,
) -> GroupMeeting:
    """Save the meeting's date, agenda and decisions. `version` is the version the editor
    started from: if anyone saved the meeting since, nothing changes and MeetingConflict is
    raised (T19). The check and the write are one UPDATE, so two editors cannot both win."""
    fields = {"held_on": held_on, "agenda": agenda.strip(), "decisions": decisions.strip()}
    _validate(GroupMeeting(**fields), only=list(fields))
    changed = GroupMeeting.objects.filter(pk=meeting.pk, version=version).update(
        **fields, version=F("version") + 1
    )
    if not changed:
        raise MeetingConflict(str(meeting.code))
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.version = version + 1
    record(Action.UPDATE, user=by, membership=membership, obj=meeting)
    return meeting


# Follow-up items of a meeting.


@transaction.atomic(durable=True)
def add_follow_up(
    meeting: GroupMeeting,
    *,
    by: User,
    membership: Membership,
    text: str,
    owner: User,
    due_on: date,
) -> FollowUp:
    """Make an agreement of the meeting a follow-up item with an owner among the group's
    members (staff of the municipality) and a date that has not passed. The same item sent
    twice (a double click, a retry) is made once: an open item of the meeting with the same
    text, owner and date is returned instead (T20)."""
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date has passed"})
    members = Group.members.through.objects.filter(group_id=meeting.group_id)
    is_member = (
        staff_of(meeting.municipality_id)
        .filter(pk=owner.pk)
        .filter(pk__in=members.values("user_id"))
        .exists()
    )
    if not is_member:
        raise NotStaff(str(meeting.code))
    text = text.strip()
    # Lock the meeting so two identical submissions cannot both find no earlier item.
    GroupMeeting.objects.select_for_update().filter(pk=meeting.pk).values("pk").first()
    earlier = FollowUp.objects.filter(
        group_meeting=meeting, text=text, owner=owner, due_on=due_on, done_at__isnull=True
    ).first()
    if earlier is not None:
        return earlier
    follow_up = FollowUp(
        municipality_id=meeting.municipality_id,
        group_meeting=meeting,
        text=text,
        owner=owner,
        due_on=due_on,
    )
    _validate(follow_up)
    follow_up.save(force_insert=True)
    record(Action.CREATE, user=by, membership=membership, obj=follow_up)
    return follow_up


@transaction.atomic(durable=True)
def mark_follow_up_done(follow_up: FollowUp, *, by: User, membership: Membership) -> bool:
    """Mark the item done. Returns False (and changes nothing) if it already was: marking
    twice keeps the first time."""
    now = timezone.now()
    changed = FollowUp.objects.filter(pk=follow_up.pk, done_at__isnull=True).update(done_at=now)
    if not changed:
        return False
    follow_up.done_at = now
    record(Action.UPDATE, user=by, membership=membership, obj=follow_up, criterion="done")
    return True


# The dialogue space across municipalities.


def case_data_in(*texts: str) -> list[str]:
    """The kinds of case data found in any of the texts ("et CPR-nummer", "en dato"), each
    once, in the order found. No names are passed: the check must not read children's data."""
    kinds: dict[str, None] = {}
    for text in texts:
        for kind in find_case_data(text):
            kinds[kind] = None
    return list(kinds)


@transaction.atomic(durable=True)
def post_to_dialogue(
    *,
    by: User,
    membership: Membership,
    group_kind: str,
    text: str,
    title: str = "",
    reply_to: DialoguePost | None = None,
    submit_token: UUID | None = None,
) -> DialoguePost:
    """Share an experience in the dialogue space (a new thread, or a reply to one). Before
    anything is saved, the title and the text are checked for case data (CPR numbers,
    addresses, exact dates): if any is found, CaseDataFound names it and nothing is saved.
    A second call with the same `submit_token` returns the first call's post (T20)."""
    if reply_to is not None and reply_to.reply_to_id is not None:
        raise ImplementationError("A reply answers a thread, not another reply")
    text = text.strip()
    title = title.strip() if reply_to is None else _reply_title(reply_to.title)
    found = case_data_in(title, text)
    if found:
        raise CaseDataFound(found)
    if submit_token is not None:
        earlier = DialoguePost.objects.filter(submit_token=submit_token).first()
        if earlier is not None:
            return _same_author(earlier, by)
    post = DialoguePost(
        municipality_id=membership.municipality_id,
        group_kind=group_kind,
        title=title,
        text=text,
        reply_to=reply_to,
        author=by,
        author_role=membership.role,
        submit_token=submit_token,
    )
    _validate(post)
    try:
        with transaction.atomic():
            post.save(force_insert=True)
    except IntegrityError:
        if submit_token is None:
            raise
        return _same_author(DialoguePost.objects.get(submit_token=submit_token), by)
    record(Action.CREATE, user=by, membership=membership, obj=post)
    return post


def _reply_title(title: str) -> str:
    prefix = "Sv: "
    if title.startswith(prefix):
        return title
    return (prefix + title)[: DialoguePost._meta.get_field("title").max_length]


def _same_group(meeting: GroupMeeting, group: Group) -> GroupMeeting:
    if meeting.group_id != group.pk:
        raise ImplementationError("The form's token belongs to another group")
    return meeting


def _same_author(post: DialoguePost, by: User) -> DialoguePost:
    if post.author_id != by.pk:
        raise ImplementationError("The form's token belongs to another author")
    return post


def _validate(row: models.Model, *, only: Collection[str] | None = None) -> None:
    """The model's field checks (without reading foreign keys), plus the length of text fields,
    which Django leaves to forms."""
    fields = row._meta.concrete_fields
    if only is not None:
        exclude = [f.name for f in fields if f.name not in only]
    else:
        exclude = [f.name for f in fields if f.name in _KEYS or f.auto_created]
        exclude += [f.name for f in fields if isinstance(f, models.UUIDField)]
    row.clean_fields(exclude=exclude)
    for field in fields:
        if only is not None and field.name not in only:
            continue
        value = getattr(row, field.attname)
        if (
            isinstance(field, models.TextField)
            and field.max_length
            and isinstance(value, str)
            and len(value) > field.max_length
        ):
            raise ValidationError({field.name: f"At most {field.max_length} characters"})
