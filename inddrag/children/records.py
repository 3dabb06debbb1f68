"""Pages under /sager/<code>/ for the child's network, the measures and the handover.

Network and measures are written by the assigned caseworker only: the policy admits no other
role, and get_case_for_user shows a caseworker only her own cases. A leader reads them on the
case page; the handover is the one page where a leader may write (see `handover`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record, refuse
from inddrag.children import services
from inddrag.children.access import get_case_for_user, get_editable_case_for_user
from inddrag.children.forms import (
    EndNetworkMemberForm,
    HandoverForm,
    MeasureForm,
    NetworkMemberForm,
)
from inddrag.children.models import Case, Measure, NetworkMember


def _editable_case(request: AuthenticatedHttpRequest, code: UUID) -> Case:
    """The case, if the current user may see it (else 404) and change it (else 403); the 403
    is kept for any read-only role the policy may admit later."""
    return get_editable_case_for_user(request, code)


def _member_of(request: AuthenticatedHttpRequest, case: Case, member: UUID) -> NetworkMember:
    """A person in the network of the case's child; anyone else's is a logged 404 (T1, T3)."""
    found = case.child.network.filter(code=member).first()
    if found is None:
        refuse(request, f"network member {member}")
    return found


def _measure_of(request: AuthenticatedHttpRequest, case: Case, measure: UUID) -> Measure:
    """A measure of this case; any other is a logged 404 (T1, T3)."""
    found = case.measures.filter(code=measure).first()
    if found is None:
        refuse(request, f"measure {measure}")
    return found


def _read(request: AuthenticatedHttpRequest, case: Case, obj: object) -> None:
    record(Action.READ, user=request.user, membership=request.membership, child=case.child, obj=obj)


def _page(
    request: AuthenticatedHttpRequest, template: str, case: Case, status: int = 200, **context: Any
) -> HttpResponse:
    return render(request, template, {"case": case, "child": case.child, **context}, status=status)


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def network_add(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    case = _editable_case(request, code)
    form = NetworkMemberForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        member = services.add_network_member(
            case, by=request.user, membership=request.membership, **form.cleaned_data
        )
        messages.success(
            request, _("%(name)s er føjet til barnets netværk.") % {"name": member.name}
        )
        return redirect(case)
    _read(request, case, case)
    return _page(request, "children/network_form.html", case, form=form)


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def network_edit(request: AuthenticatedHttpRequest, code: UUID, member: UUID) -> HttpResponse:
    case = _editable_case(request, code)
    found = _member_of(request, case, member)
    initial = {f: getattr(found, f) for f in NetworkMemberForm.base_fields}
    form = NetworkMemberForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        services.update_network_member(
            found, by=request.user, membership=request.membership, **form.cleaned_data
        )
        messages.success(request, _("Oplysningerne om %(name)s er gemt.") % {"name": found.name})
        return redirect(case)
    _read(request, case, found)
    return _page(request, "children/network_form.html", case, form=form, member=found)


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def network_end(request: AuthenticatedHttpRequest, code: UUID, member: UUID) -> HttpResponse:
    """Mark that a person is no longer in the child's network. Nothing is deleted: a GET asks
    for the date and a confirmation, the POST records it."""
    case = _editable_case(request, code)
    found = _member_of(request, case, member)
    if found.ended_on is not None:
        messages.info(request, _("%(name)s er allerede ude af netværket.") % {"name": found.name})
        return redirect(case)
    today = timezone.localdate()
    form = EndNetworkMemberForm(
        request.POST if request.method == "POST" else None,
        child=case.child,
        today=today,
        initial={"ended_on": today},
    )
    if form.is_valid():
        try:
            services.end_network_member(
                found, by=request.user, membership=request.membership, **form.cleaned_data
            )
        except services.AlreadyEnded:
            messages.info(
                request, _("%(name)s er allerede ude af netværket.") % {"name": found.name}
            )
        else:
            messages.success(
                request, _("%(name)s står nu som tidligere i netværket.") % {"name": found.name}
            )
        return redirect(case)
    _read(request, case, found)
    return _page(request, "children/network_form.html", case, form=form, member=found, ending=True)


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def measure_add(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    case = _editable_case(request, code)
    form = MeasureForm(
        request.POST if request.method == "POST" else None,
        child=case.child,
        today=timezone.localdate(),
    )
    if form.is_valid():
        try:
            services.add_measure(
                case, by=request.user, membership=request.membership, **form.cleaned_data
            )
        except services.PlacementOverlap as overlap:
            form.add_error("started_on", _overlap_message(overlap.other))
        else:
            messages.success(request, _("Indsatsen er gemt."))
            return redirect(case)
    _read(request, case, case)
    return _page(request, "children/measure_form.html", case, form=form)


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def measure_edit(request: AuthenticatedHttpRequest, code: UUID, measure: UUID) -> HttpResponse:
    case = _editable_case(request, code)
    found = _measure_of(request, case, measure)
    initial = {f: getattr(found, f) for f in MeasureForm.base_fields}
    form = MeasureForm(
        request.POST if request.method == "POST" else None,
        child=case.child,
        today=timezone.localdate(),
        initial=initial,
    )
    if form.is_valid():
        try:
            services.update_measure(
                found, by=request.user, membership=request.membership, **form.cleaned_data
            )
        except services.PlacementOverlap as overlap:
            form.add_error("started_on", _overlap_message(overlap.other))
        else:
            messages.success(request, _("Indsatsen er gemt."))
            return redirect(case)
    _read(request, case, found)
    return _page(request, "children/measure_form.html", case, form=form, measure=found)


def _overlap_message(other: Measure) -> str:
    since = date_format(other.started_on, "DATE_FORMAT")
    if other.ended_on is None:
        return _(
            "Barnet er allerede anbragt i den periode: %(kind)s fra %(since)s. "
            "Giv den anbringelse en slutdato først."
        ) % {"kind": other.get_kind_display(), "since": since}
    return _("Barnet er allerede anbragt i den periode: %(kind)s fra %(since)s til %(until)s.") % {
        "kind": other.get_kind_display(),
        "since": since,
        "until": date_format(other.ended_on, "DATE_FORMAT"),
    }


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET", "POST"])
def handover(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Hand the case over to a colleague, with the child's story in the child's words.

    This is the one page where a leader writes to a case (leaders are otherwise read-only):
    when the outgoing caseworker has left or is away, the leader of the case's unit writes the
    story and hands the case over. get_case_for_user shows a caseworker only her own cases and a
    leader only the cases of the unit they lead (all the municipality's if they lead no single
    unit), so anyone else gets a 404. The new caseworker
    is chosen among the municipality's active caseworkers; anyone else is a form error."""
    case, _can_edit = get_case_for_user(request, code)
    active = case.assignments.filter(ended_at__isnull=True).select_related("caseworker").first()
    current = active.caseworker if active is not None else None
    form = HandoverForm(
        request.POST if request.method == "POST" else None, case=case, current=current
    )
    stale = False
    if form.is_valid():
        new = form.cleaned_data["to_caseworker"]
        try:
            services.hand_over_case(
                case,
                to_caseworker=new.user,
                by=request.user,
                membership=request.membership,
                child_story=form.cleaned_data["child_story"],
                seen_caseworker=form.cleaned_data["current"],
            )
        except services.StaleHandover:
            # Someone handed the case over since the form was loaded: show who has it now, and
            # keep the story that was written, so nothing is lost.
            stale = True
            active = (
                case.assignments.filter(ended_at__isnull=True).select_related("caseworker").first()
            )
            current = active.caseworker if active is not None else None
            form = HandoverForm(
                case=case,
                current=current,
                initial={
                    "child_story": form.cleaned_data["child_story"],
                    "current": current.code if current else services.NIL,
                },
            )
        except services.HandoverError:
            form.add_error("to_caseworker", _("Den kollega kan ikke overtage sagen nu."))
        else:
            messages.success(request, _("Sagen er overdraget til %(name)s.") % {"name": new.user})
            if request.membership.role == Role.CASEWORKER:
                return redirect("children:case_list")  # the case is no longer hers to see
            return redirect(case)
    _read(request, case, case)
    return _page(
        request,
        "children/handover.html",
        case,
        form=form,
        current=current,
        stale=stale,
        status=409 if stale else 200,
    )
