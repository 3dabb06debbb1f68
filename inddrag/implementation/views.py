"""The implementation groups of the concept (steering, coordination and training group) with
their meetings and follow-up items, and the dialogue space across municipalities. For leaders
and the municipal administrator; none of these pages holds case data."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.models import User
from inddrag.accounts.policy import Role, allow
from inddrag.implementation import queries, services
from inddrag.implementation.access import (
    can_mark_done,
    get_completable_follow_up_for_user,
    get_dialogue_post,
    get_group_for_user,
    get_meeting_for_user,
)
from inddrag.implementation.forms import (
    DoneForm,
    EditMeetingForm,
    FollowUpForm,
    GroupForm,
    NewMeetingForm,
    PostForm,
    ReplyForm,
    case_data_message,
)
from inddrag.implementation.models import DialoguePost, Group, GroupMeeting

# The forms of the meeting page, told apart by their hidden "action" field.
EDIT, FOLLOW_UP, DONE = "edit", "follow_up", "done"


@allow(Role.LEADER, Role.ADMIN)
@require_GET
def groups(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The municipality's three groups (made on the first visit), each with its rhythm, members,
    last and next meeting and whether it is overdue; and the open follow-up items of all three."""
    municipality = request.membership.municipality
    today = timezone.localdate()
    rows = queries.groups_overview(municipality, today=today)
    if len(rows) < len(Group.Kind):
        services.ensure_groups(municipality, by=request.user, membership=request.membership)
        rows = queries.groups_overview(municipality, today=today)
    context = {
        "rows": rows,
        "follow_ups": list(queries.open_follow_ups(municipality)),
        "today": today,
    }
    return render(request, "implementation/groups.html", context)


@allow(Role.LEADER, Role.ADMIN)
@require_GET
def group_detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    group = get_group_for_user(request, code)
    page = queries.meetings_page(group, request.GET.get("page"))
    context = {
        "group": group,
        "members": queries.group_members(group),
        "page": page,
        "meetings": list(page.object_list),
        "today": timezone.localdate(),
    }
    return render(request, "implementation/group_detail.html", context)


@allow(Role.LEADER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def group_edit(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The group's name and members: staff of the municipality only."""
    group = get_group_for_user(request, code)
    staff = services.staff_of(group.municipality_id)
    if request.method == "POST":
        form = GroupForm(request.POST, staff=staff)
        if form.is_valid():
            try:
                services.update_group(
                    group,
                    by=request.user,
                    membership=request.membership,
                    name=form.cleaned_data["name"],
                    members=form.cleaned_data["members"],
                )
            except services.NotStaff:  # left the municipality while the form was open
                form.add_error("members", _("Vælg kun medarbejdere i kommunen."))
            else:
                messages.success(request, _("Gruppen er gemt."))
                return redirect(group)
    else:
        members = [member.code for member in group.members.all()]
        form = GroupForm(initial={"name": group.name, "members": members}, staff=staff)
    return render(request, "implementation/group_edit.html", {"group": group, "form": form})


@allow(Role.LEADER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def meeting_create(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Record a meeting of the group, or plan one: date, agenda and (after it) decisions."""
    group = get_group_for_user(request, code)
    today = timezone.localdate()
    if request.method == "POST":
        form = NewMeetingForm(request.POST, today=today)
        if form.is_valid():
            try:
                meeting = services.create_meeting(
                    group,
                    by=request.user,
                    membership=request.membership,
                    submit_token=form.cleaned_data["submit_token"],
                    **form.meeting_fields(),
                )
            except services.ImplementationError as error:  # a token copied from another group
                raise SuspiciousOperation(str(error)) from error
            messages.success(request, _("Mødet er gemt."))
            return redirect(meeting)
    else:
        form = NewMeetingForm(initial={"submit_token": uuid4(), "held_on": today}, today=today)
    return render(request, "implementation/meeting_form.html", {"group": group, "form": form})


@allow(Role.LEADER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def meeting_detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The meeting with its agenda, decisions and follow-up items. `?rediger=1` shows the
    meeting in a form; the page's forms save the meeting (from the version shown, T19), add a
    follow-up item, or mark one done (its owner or a leader)."""
    meeting = get_meeting_for_user(request, code)
    today = timezone.localdate()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == EDIT:
            return _edit_meeting(request, meeting)
        if action == FOLLOW_UP:
            return _add_follow_up(request, meeting)
        if action == DONE:
            return _mark_done(request, meeting)
        raise SuspiciousOperation(f"Unknown action on group meeting {meeting.code}")
    edit_form = None
    if "rediger" in request.GET:
        initial = {
            "held_on": meeting.held_on,
            "agenda": meeting.agenda,
            "decisions": meeting.decisions,
            "version": meeting.version,
        }
        edit_form = EditMeetingForm(initial=initial, today=today)
    return _meeting_page(request, meeting, edit_form=edit_form)


def _owners(meeting: GroupMeeting) -> QuerySet[User]:
    """Who may own a follow-up item of the meeting: the group's members who are staff."""
    members = Group.members.through.objects.filter(group_id=meeting.group_id)
    return services.staff_of(meeting.municipality_id).filter(pk__in=members.values("user_id"))


def _meeting_page(
    request: AuthenticatedHttpRequest,
    meeting: GroupMeeting,
    *,
    edit_form: EditMeetingForm | None = None,
    follow_up_form: FollowUpForm | None = None,
    conflict: bool = False,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    membership = request.membership
    follow_ups = queries.meeting_follow_ups(meeting)
    items = [
        {
            "follow_up": item,
            "is_overdue": item.done_at is None and item.due_on < today,
            "may_mark_done": item.done_at is None and can_mark_done(membership, item),
        }
        for item in follow_ups
    ]
    owners = _owners(meeting)
    context: dict[str, Any] = {
        "meeting": meeting,
        "group": meeting.group,
        "items": items,
        "edit_form": edit_form,
        "follow_up_form": follow_up_form or FollowUpForm(members=owners, today=today),
        "has_members": follow_up_form is not None or owners.exists(),
        "conflict": conflict,
        "actions": {"edit": EDIT, "follow_up": FOLLOW_UP, "done": DONE},
    }
    return render(request, "implementation/meeting_detail.html", context, status=status)


def _edit_meeting(request: AuthenticatedHttpRequest, meeting: GroupMeeting) -> HttpResponse:
    form = EditMeetingForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        return _meeting_page(request, meeting, edit_form=form)
    try:
        services.update_meeting(
            meeting,
            by=request.user,
            membership=request.membership,
            version=form.cleaned_data["version"],
            **form.meeting_fields(),
        )
    except services.MeetingConflict:
        return _meeting_conflict(request, meeting, form)
    messages.success(request, _("Mødet er gemt."))
    return redirect(meeting)


def _meeting_conflict(
    request: AuthenticatedHttpRequest, meeting: GroupMeeting, form: EditMeetingForm
) -> HttpResponse:
    """The saved meeting next to the editor's own text, which stays in the form (409, T19). The
    same text sent twice is no conflict."""
    saved = GroupMeeting.objects.select_related("group", "created_by").get(pk=meeting.pk)
    if form.same_as(saved):
        messages.success(request, _("Mødet er gemt."))
        return redirect(saved)
    data = request.POST.copy()
    data["version"] = str(saved.version)  # saving again overwrites the version shown here
    again = EditMeetingForm(data, today=timezone.localdate())
    again.full_clean()
    return _meeting_page(request, saved, edit_form=again, conflict=True, status=409)


def _add_follow_up(request: AuthenticatedHttpRequest, meeting: GroupMeeting) -> HttpResponse:
    form = FollowUpForm(request.POST, members=_owners(meeting), today=timezone.localdate())
    if not form.is_valid():
        return _meeting_page(request, meeting, follow_up_form=form)
    try:
        services.add_follow_up(
            meeting,
            by=request.user,
            membership=request.membership,
            text=form.cleaned_data["text"],
            owner=form.cleaned_data["owner"],
            due_on=form.cleaned_data["due_on"],
        )
    except services.NotStaff:  # left the group while the form was open
        form.add_error("owner", _("Vælg en ansvarlig blandt gruppens medlemmer."))
        return _meeting_page(request, meeting, follow_up_form=form)
    messages.success(request, _("Opfølgningspunktet er gemt."))
    return redirect(f"{meeting.get_absolute_url()}#opfoelgning")


def _mark_done(request: AuthenticatedHttpRequest, meeting: GroupMeeting) -> HttpResponse:
    form = DoneForm(request.POST)
    if not form.is_valid():
        raise SuspiciousOperation(f"No follow-up item named on group meeting {meeting.code}")
    follow_up = get_completable_follow_up_for_user(request, meeting, form.cleaned_data["follow_up"])
    if services.mark_follow_up_done(follow_up, by=request.user, membership=request.membership):
        messages.success(request, _("Opfølgningspunktet er markeret som udført."))
    else:
        messages.info(request, _("Opfølgningspunktet var allerede markeret som udført."))
    return redirect(f"{meeting.get_absolute_url()}#opfoelgning")


# The dialogue space across municipalities.


@allow(Role.LEADER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def dialogue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The posts of all municipalities, newest first (optionally of one group kind), and the
    form for a new post, whose text is refused if it holds case data."""
    if request.method == "POST":
        form = PostForm(request.POST)
        if form.is_valid():
            post = _post(request, form)
            if post is not None:
                messages.success(request, _("Indlægget er delt med de andre kommuner."))
                return redirect(post)
    else:
        form = PostForm(initial={"submit_token": uuid4()})
    group_kind = request.GET.get("gruppe", "")
    if group_kind not in Group.Kind.values:
        group_kind = ""
    page, rows = queries.dialogue_page(
        request.membership, group_kind=group_kind, page_number=request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "group_kind": group_kind,
        "kinds": Group.Kind.choices,
    }
    return render(request, "implementation/dialogue.html", context)


@allow(Role.LEADER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def dialogue_post(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A thread of the dialogue space with its replies, and the form to reply."""
    thread = get_dialogue_post(code)
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            reply = _post(request, form, reply_to=thread)
            if reply is not None:
                messages.success(request, _("Dit svar er delt med de andre kommuner."))
                return redirect(reply)
    else:
        form = ReplyForm(initial={"submit_token": uuid4()})
    membership = request.membership
    context = {
        "thread": queries.PostRow(
            post=thread,
            author=queries.author_label(thread, membership),
            is_own=thread.author_id == membership.user_id,
        ),
        "replies": queries.thread_replies(thread, membership),
        "form": form,
    }
    return render(request, "implementation/dialogue_post.html", context)


def _post(
    request: AuthenticatedHttpRequest,
    form: PostForm | ReplyForm,
    *,
    reply_to: DialoguePost | None = None,
) -> DialoguePost | None:
    """Save the post, or put the reason it was refused on the form (and return None)."""
    data = form.cleaned_data
    try:
        return services.post_to_dialogue(
            by=request.user,
            membership=request.membership,
            group_kind=data["group_kind"],
            title=data.get("title", ""),
            text=data["text"],
            reply_to=reply_to,
            submit_token=data["submit_token"],
        )
    except services.CaseDataFound as error:  # e.g. in the reply title made from the thread's
        form.add_error(None, case_data_message(error.kinds))
        return None
    except services.ImplementationError as error:  # a token copied from another author
        raise SuspiciousOperation(str(error)) from error
