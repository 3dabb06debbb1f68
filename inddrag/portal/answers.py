"""The staff side of what children send (/kanal/): the case's caseworker reads and answers a
child's message; anyone presents themselves to the children ("Min sagsbehandler")."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record
from inddrag.portal.access import get_message_for_user
from inddrag.portal.messages import (
    AlreadyAnswered,
    AnswerForm,
    ProfileForm,
    answer_due_at,
    answer_due_on,
    answer_message,
    initials,
    update_profile,
)
from inddrag.portal.models import ChildMessage


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET", "POST"])
def message(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A message from a child: the case's caseworker reads and answers it; the unit's leader
    reads it only (an answer from them is a logged 403); anyone else gets a logged 404."""
    child_message, can_answer = get_message_for_user(request, code)
    case = child_message.case
    if request.method == "POST":
        if not can_answer:
            record(
                Action.DENIED,
                user=request.user,
                membership=request.membership,
                criterion=f"read-only: child message {code}",
            )
            raise PermissionDenied(f"read-only: child message {code}")
        if child_message.answered_at is not None:
            return _already_answered(request, child_message)
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                answer_message(
                    child_message,
                    by=request.user,
                    membership=request.membership,
                    answer=form.cleaned_data["answer"],
                )
            except AlreadyAnswered:
                return _already_answered(request, child_message)
            flash.success(request, _("Dit svar er sendt til barnet."))
            return redirect(case)
    else:
        form = AnswerForm()
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=child_message.child,
        obj=child_message,
    )
    due_at = answer_due_at(child_message)
    context = {
        "child_message": child_message,
        "case": case,
        "child": child_message.child,
        "form": form,
        "can_answer": can_answer,
        "due_on": answer_due_on(child_message),
        "is_overdue": child_message.answered_at is None and due_at <= timezone.now(),
    }
    return render(request, "portal/answer.html", context)


def _already_answered(
    request: AuthenticatedHttpRequest, child_message: ChildMessage
) -> HttpResponse:
    """An answer to a message answered meanwhile (the same form sent twice, or a colleague):
    nothing changes; the message was read, so that is logged."""
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=child_message.child,
        obj=child_message,
        criterion="already answered",
    )
    flash.info(request, _("Beskeden var allerede besvaret."))
    return redirect(child_message.case)


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What children see about you: a few lines and a phone number, with a preview."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            update_profile(user, membership=request.membership, **form.cleaned_data)
            flash.success(request, _("Gemt. Sådan ser børnene dig nu."))
            return redirect("channel:profile")
    else:
        form = ProfileForm(
            initial={"presentation": user.presentation, "work_phone": user.work_phone}
        )
    context = {"form": form, "person": user, "initials": initials(user)}
    return render(request, "portal/profile.html", context)
