"""The training programme (/uddannelse/): modules with materials, sessions with attendance, the
onboarding path of new caseworkers, adding a new staff member, and the leader's overview of
reflection and training per caseworker. None of these pages holds case data."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.municipalities.models import Unit
from inddrag.training import queries, services
from inddrag.training.access import get_module_for_user, get_session_for_user, get_step_for_user
from inddrag.training.forms import (
    AttendanceForm,
    MemberForm,
    ModuleForm,
    PeriodForm,
    SessionForm,
    StepForm,
)
from inddrag.training.models import Attendance, OnboardingStep


@allow(Role.CASEWORKER, Role.LEADER, Role.ADMIN)
@require_GET
def modules(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The concept's modules and the municipality's own, for the reader's audience first."""
    membership = request.membership
    rows = queries.module_list(membership)
    context: dict[str, Any] = {
        "for_reader": [m for m in rows if m.is_for_reader],  # type: ignore[attr-defined]
        "others": [m for m in rows if not m.is_for_reader],  # type: ignore[attr-defined]
        "is_leader": membership.role == Role.LEADER,
        "can_create": membership.role in (Role.LEADER, Role.ADMIN),
    }
    if membership.role == Role.LEADER:
        context["upcoming"], context["recent"] = queries.upcoming_and_recent_sessions(
            membership.municipality_id
        )
    if membership.role == Role.CASEWORKER:
        path = queries.path_of(membership)
        context["path"] = path
        context["path_done"] = sum(1 for step in path if step.completed_at)
    return render(request, "training/modules.html", context)


@allow(Role.CASEWORKER, Role.LEADER, Role.ADMIN)
@require_GET
def module_detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    module = get_module_for_user(request, code)
    membership = request.membership
    upcoming, recent = queries.upcoming_and_recent_sessions(
        membership.municipality_id, module=module
    )
    step = None
    if membership.role == Role.CASEWORKER:
        step = OnboardingStep.objects.filter(membership=membership, module=module).first()
    context = {
        "module": module,
        "materials": module.materials.splitlines(),
        "upcoming": upcoming,
        "recent": recent if membership.role == Role.LEADER else [],
        "is_leader": membership.role == Role.LEADER,
        "is_retired": module.disabled_on is not None and module.disabled_on <= timezone.localdate(),
        "step": step,
    }
    return render(request, "training/module_detail.html", context)


@allow(Role.LEADER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def module_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A module of the municipality's own."""
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        module = services.create_module(
            municipality=request.membership.municipality, **form.cleaned_data
        )
        messages.success(request, _("Modulet er oprettet."))
        return redirect("training:module_detail", code=module.code)
    return render(request, "training/module_form.html", {"form": form})


@allow(Role.LEADER)
@require_http_methods(["GET", "POST"])
def session_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Plan a session of a module (or record one held): the module, the date and the place."""
    membership = request.membership
    today = timezone.localdate()
    choices = (
        queries.visible_modules(membership.municipality_id)
        .filter(Q(disabled_on__isnull=True) | Q(disabled_on__gt=today))
        .order_by("audience", "position", "title")
    )
    initial: dict[str, Any] = {}
    chosen = _uuid_or_none(request.GET.get("modul", ""))  # from a module's page
    if chosen is not None:
        initial["module"] = choices.filter(code=chosen).first()
    form = SessionForm(request.POST or None, modules=choices, today=today, initial=initial)
    if request.method == "POST" and form.is_valid():
        session = services.create_session(
            form.cleaned_data["module"],
            municipality=membership.municipality,
            by=request.user,
            held_on=form.cleaned_data["held_on"],
            place=form.cleaned_data["place"],
        )
        messages.success(request, _("Undervisningen er oprettet."))
        return redirect("training:session_detail", code=session.code)
    return render(request, "training/session_form.html", {"form": form})


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


@allow(Role.LEADER)
@require_http_methods(["GET", "POST"])
def session_detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The session, and who attended among the municipality's staff (from the day it is held).
    Saving the attendance completes the attendees' onboarding step of the module."""
    session = get_session_for_user(request, code)
    staff = queries.staff_of(session.municipality_id)
    is_held = session.held_on <= timezone.localdate()
    # The attendees' codes are what the checkboxes carry (no second query of the staff list).
    attended = [
        str(code)
        for code in Attendance.objects.filter(session=session, attended=True).values_list(
            "user__code", flat=True
        )
    ]
    if request.method == "POST":
        form = AttendanceForm(request.POST, staff=staff)
        if form.is_valid():
            chosen, shown = set(form.cleaned_data["attendees"]), set(form.cleaned_data["shown"])
            try:
                completed = services.record_attendance(
                    session, added=chosen - shown, removed=shown - chosen
                )
            except services.NotHeldYet:
                messages.error(
                    request, _("Du kan registrere fremmøde fra den dag, undervisningen holdes.")
                )
                return redirect("training:session_detail", code=session.code)
            if completed:
                messages.success(
                    request,
                    _("Fremmødet er gemt. %(n)s trin i introduktionen er nu gennemført.")
                    % {"n": completed},
                )
            else:
                messages.success(request, _("Fremmødet er gemt."))
            return redirect("training:session_detail", code=session.code)
    else:
        form = AttendanceForm(initial={"attendees": attended, "shown": attended}, staff=staff)
    context = {
        "session": session,
        "form": form,
        "is_held": is_held,
        "attended_count": len(attended),
        # Who attended but has left the municipality's staff since: shown, never changed here.
        "former": [
            row.user
            for row in Attendance.objects.filter(session=session, attended=True)
            .exclude(user_id__in=queries.staff_ids(session.municipality_id))
            .select_related("user")
        ],
    }
    return render(request, "training/session_detail.html", context)


@allow(Role.CASEWORKER)
@require_GET
def onboarding(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The caseworker's own onboarding path, in order, with what is done."""
    path = queries.path_of(request.membership)
    context = {"path": path, "done": sum(1 for step in path if step.completed_at)}
    return render(request, "training/onboarding.html", context)


@allow(Role.CASEWORKER)
@require_POST
def step_done(request: AuthenticatedHttpRequest, module: UUID) -> HttpResponse:
    """Mark the module's step of one's own path as done, or not done after all."""
    row = get_step_for_user(request, module)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Formularen er ikke komplet. Hent siden igen, og prøv igen."))
        return redirect("training:onboarding")
    done: bool = form.cleaned_data["done"]
    services.set_step_done(row, done=done)
    if done:
        message = _("»%(title)s« er markeret som gennemført.")
    else:
        message = _("»%(title)s« er markeret som ikke gennemført.")
    messages.success(request, message % {"title": row.module.title})
    return redirect(f"{reverse('training:onboarding')}#step-{row.module.code}")


@allow(Role.LEADER)
@require_GET
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Reflection and training per caseworker of the leader's unit (the municipality's for a
    leader of no single unit) in a period, and each one's onboarding progress."""
    membership = request.membership
    form = PeriodForm(request.GET, today=timezone.localdate())
    context: dict[str, Any] = {"form": form, "unit": membership.unit}
    if form.is_valid():
        start, end = form.period()
        rows = queries.activity(
            municipality_id=membership.municipality_id,
            unit_id=membership.unit_id,
            start=start,
            end=end,
        )
        context.update({"rows": rows, "total": queries.total(rows), "start": start, "end": end})
    return render(request, "training/overview.html", context)


@allow(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def member_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add a new caseworker (or leader) to one of the municipality's units. The answer shows
    the one-time initial password, once; it is never stored in clear text or logged."""
    membership = request.membership
    units = Unit.objects.filter(
        municipality_id=membership.municipality_id, disabled_on__isnull=True
    ).order_by("name")
    if request.method == "POST":
        form = MemberForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                new = services.add_member(
                    by=request.user,
                    membership=membership,
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    unit=data["unit"],
                    role=data["role"],
                    submit_token=data["submit_token"],
                )
            except services.UsernameTaken:
                form.add_error(
                    "username",
                    _("Brugernavnet »%(username)s« er allerede i brug. Vælg et andet.")
                    % {"username": data["username"]},
                )
            except services.AlreadySignedIn:
                messages.info(
                    request,
                    _(
                        "Medarbejderen er allerede oprettet og har logget ind. Der er ikke "
                        "lavet en ny adgangskode."
                    ),
                )
                return redirect("accounts:users")
            except services.TrainingError as error:  # a token copied from another addition
                raise SuspiciousOperation(str(error)) from error
            else:
                return render(
                    request,
                    "training/member_added.html",
                    {"new": new.membership, "password": new.password, "again": new.again},
                )
    else:
        form = MemberForm(initial={"submit_token": uuid4()}, units=units)
    return render(request, "training/member_form.html", {"form": form, "has_units": units.exists()})
