"""The caseworker's side of the child's access to Inddrag: status, a new invitation code, a
reset, and the child's settings (issue 5, point 1). A leader of the unit sees it read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db.models import Count, Max, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record
from inddrag.children.access import get_case_for_user, get_editable_case_for_user
from inddrag.children.models import Case
from inddrag.portal import services
from inddrag.portal.forms import AccessSettingsForm, InviteForm
from inddrag.portal.models import ChildAccess, Invitation
from inddrag.portal.queries import access_of
from inddrag.portal.session import DEVICE_DAYS

RESET_PARAM = "nulstil"  # ?nulstil=1 shows the reset's confirmation


@dataclass(frozen=True)
class AccessState:
    """The child's access in words, for the access page.

    `state` is one of: none (never invited), invited (a code is open, no PIN yet), expired (the
    last code ran out unused), reset (the access was started over; no open code), active, and
    locked."""

    state: str
    access: ChildAccess | None
    open_invitation: Invitation | None = None
    last_invitation: Invitation | None = None
    active_since: datetime | None = None
    last_used: datetime | None = None
    devices: int = 0


def access_state(access: ChildAccess | None, *, now: datetime) -> AccessState:
    """Note: two queries when the child has an access (its codes, its devices)."""
    if access is None:
        return AccessState("none", None)
    invitations = list(access.invitations.order_by("-created_at", "-pk")[:20])
    open_invitation = next(
        (
            i
            for i in invitations
            if i.used_at is None and i.withdrawn_at is None and i.expires_at > now
        ),
        None,
    )
    used = [i.used_at for i in invitations if i.used_at is not None]
    # A device unused for DEVICE_DAYS has lost its cookie: it no longer counts.
    usable = Q(revoked_at=None, last_seen_at__gt=now - timedelta(days=DEVICE_DAYS))
    devices = access.devices.aggregate(
        active=Count("pk", filter=usable), last_used=Max("last_seen_at", filter=usable)
    )
    if access.is_locked:
        state = "locked"
    elif access.pin_hash:
        state = "active"
    elif open_invitation is not None:
        state = "invited"
    elif invitations and invitations[0].withdrawn_at is None and invitations[0].used_at is None:
        state = "expired"
    elif invitations:
        state = "reset"
    else:
        state = "none"
    return AccessState(
        state=state,
        access=access,
        open_invitation=open_invitation,
        last_invitation=invitations[0] if invitations else None,
        active_since=max(used) if used else None,
        last_used=devices["last_used"],
        devices=devices["active"],
    )


def _access_url(case: Case) -> str:
    return reverse("channel:access", args=[case.code])


def _record_read(request: AuthenticatedHttpRequest, case: Case, obj: object) -> None:
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=case.child,
        obj=obj,
    )


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET", "POST"])
def access(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The child's access: status for both; codes, reset and settings for the caseworker."""
    if request.method == "POST":
        case = get_editable_case_for_user(request, code)
        can_edit = True
    else:
        case, can_edit = get_case_for_user(request, code)
    child_access = access_of(case)
    form = None
    if child_access is not None and can_edit:
        form = AccessSettingsForm(
            request.POST or None,
            initial={name: getattr(child_access, name) for name in services.SETTINGS_FIELDS},
        )
    if request.method == "POST":
        if child_access is None or form is None:
            _record_read(request, case, case)
            messages.error(
                request, _("Lav først en kode til barnet. Så kan du vælge indstillinger.")
            )
            return redirect(_access_url(case))
        if form.is_valid():
            changed = services.update_access_settings(
                child_access, by=request.user, membership=request.membership, **form.cleaned_data
            )
            if changed:
                messages.success(request, _("Indstillingerne er gemt."))
            else:
                messages.info(request, _("Der var ingen ændringer at gemme."))
            return redirect(_access_url(case))
    _record_read(request, case, child_access or case)
    context: dict[str, Any] = {
        "case": case,
        "child": case.child,
        "status": access_state(child_access, now=timezone.now()),
        "can_edit": can_edit,
        "form": form,
        "confirm_reset": can_edit
        and child_access is not None
        and request.GET.get(RESET_PARAM) == "1",
    }
    context["invite_form"] = InviteForm(
        initial={"latest": getattr(context["status"].last_invitation, "code", None)}
    )
    return render(request, "portal/staff_access.html", context)


@allow(Role.CASEWORKER)
@require_POST
def invite(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Make a new invitation code and show it once, with a letter to print for the child. The
    code is in this response only: never in a URL, the session, or a log."""
    case = get_editable_case_for_user(request, code)
    form = InviteForm(request.POST)
    seen_latest = form.cleaned_data["latest"] if form.is_valid() else None
    try:
        issued = services.issue_invitation(
            case, by=request.user, membership=request.membership, seen_latest=seen_latest
        )
    except services.InvitationStale:
        _record_read(request, case, case)
        messages.warning(
            request,
            _(
                "Der er lige lavet en ny kode til barnet, og den kan ikke vises igen. Har du "
                "ikke fået den skrevet ned eller printet, så lav en ny kode herunder."
            ),
        )
        return redirect(_access_url(case))
    context = {
        "case": case,
        "child": case.child,
        "code": issued.code,
        "invitation": issued.invitation,
        "start_url": request.build_absolute_uri(reverse("portal:redeem")),
        "caseworker": request.user,
        "municipality": request.membership.municipality,
    }
    return render(request, "portal/invitation.html", context)


@allow(Role.CASEWORKER)
@require_POST
def reset(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Start the child's access over (confirmed on the access page first): every device is
    signed out, the PIN and any lock are cleared, and open codes stop working."""
    case = get_editable_case_for_user(request, code)
    child_access = access_of(case)
    if child_access is None:
        _record_read(request, case, case)
        messages.info(
            request, _("Barnet har ingen adgang til Inddrag endnu, så der er intet at nulstille.")
        )
        return redirect(_access_url(case))
    signed_out = services.reset_access(child_access, by=request.user, membership=request.membership)
    text = ngettext(
        "Adgangen er nulstillet, og barnet er logget ud på %(n)d enhed. Lav en ny kode, når "
        "barnet skal ind igen.",
        "Adgangen er nulstillet, og barnet er logget ud på %(n)d enheder. Lav en ny kode, når "
        "barnet skal ind igen.",
        signed_out,
    )
    messages.success(request, text % {"n": signed_out})
    return redirect(_access_url(case))
