"""The caseworker's inbox of reminders, and dismissing one (with undo)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record, refuse
from inddrag.children.access import visible_cases
from inddrag.reminders.models import Reminder

PER_PAGE = 50


@allow(Role.CASEWORKER)
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The caseworker's open reminders by due day, each with its case. Two queries of its own,
    the count and the page (reminders with case and child), and the access event's (the full
    list is in test_inbox's query-count test)."""
    reminders = (
        Reminder.objects.filter(
            caseworker=request.user,
            municipality_id=request.membership.municipality_id,
            done_at__isnull=True,
            dismissed_at__isnull=True,
            # Only cases the caseworker may still see: after a handover the reminder stays open
            # until the next daily run closes it, but the child's name is no longer theirs.
            case__in=visible_cases(request.membership),
        )
        .select_related("case__child")
        .order_by("due_on", "pk")
    )
    page = Paginator(reminders, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(reminder, reminder.due_on < today) for reminder in page.object_list]
    record(
        Action.LIST,
        user=request.user,
        membership=request.membership,
        criterion=f"reminders inbox page={page.number}",
    )
    undo = _dismissed(request, request.GET.get("afvist", ""))
    context = {"page": page, "rows": rows, "today": today, "undo": undo}
    return render(request, "reminders/inbox.html", context)


def _dismissed(request: AuthenticatedHttpRequest, code: str) -> Reminder | None:
    """The reminder just dismissed (named in the redirect), to offer "Fortryd"."""
    try:
        uuid = UUID(code)
    except ValueError:
        return None
    return Reminder.objects.filter(
        code=uuid, caseworker=request.user, dismissed_at__isnull=False
    ).first()


def _own(request: AuthenticatedHttpRequest, code: UUID) -> Reminder:
    """The caseworker's own reminder; anyone else's (or none) is a logged 404."""
    reminder = Reminder.objects.filter(
        code=code, caseworker=request.user, municipality_id=request.membership.municipality_id
    ).first()
    if reminder is None:
        refuse(request, f"reminder {code}")
    return reminder


def set_dismissed(
    request: AuthenticatedHttpRequest, reminder: Reminder, *, dismissed: bool
) -> None:
    """Dismiss the reminder (or undo that), with its access event, in one transaction. Sent
    twice (a double click, Back and again), it changes nothing more but is logged again."""
    with transaction.atomic():
        if (reminder.dismissed_at is not None) != dismissed:
            reminder.dismissed_at = timezone.now() if dismissed else None
            reminder.save(update_fields=["dismissed_at"])
        record(
            Action.UPDATE,
            user=request.user,
            membership=request.membership,
            obj=reminder,
            criterion="reminder dismissed" if dismissed else "reminder dismissal undone",
        )


@allow(Role.CASEWORKER)
@require_POST
def dismiss(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    reminder = _own(request, code)
    set_dismissed(request, reminder, dismissed=True)
    return redirect(f"{reverse('reminders:inbox')}?afvist={reminder.code}")


@allow(Role.CASEWORKER)
@require_POST
def undo(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    reminder = _own(request, code)
    set_dismissed(request, reminder, dismissed=False)
    flash.success(request, _("Påmindelsen er tilbage i listen."))
    return redirect("reminders:inbox")
