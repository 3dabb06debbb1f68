"""Barnets plan, /planer/ (staff): the case's caseworker makes the plan, writes its goals in the
draft, takes the child's proposals into it and approves it as a numbered version; the unit's
leader reads. Every read and change of the plan writes an access event."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record
from inddrag.children.access import get_editable_case_for_user
from inddrag.conversations.forms import INCOMPLETE
from inddrag.plans import services
from inddrag.plans.access import (
    get_editable_plan_for_user,
    get_goal_of_plan,
    get_plan_for_user,
    get_proposal_of_plan,
)
from inddrag.plans.areas import Areas, group_by_area, municipality_areas
from inddrag.plans.diff import ADDED, CHANGED, REMOVED, UNCHANGED, GoalDiff, compare_goals
from inddrag.plans.forms import CompareForm, DraftForm, GoalForm
from inddrag.plans.models import Area, Goal, GoalCheckIn, GoalProposal, Plan, PlanVersion
from inddrag.plans.queries import goals_of, newest_check_ins, open_proposals, versions_of


@dataclass
class GoalRow:
    goal: Goal
    check_ins: list[GoalCheckIn] = field(default_factory=list)


@dataclass
class Section:
    """One area of the plan with its goals."""

    area: str
    label: str
    rows: list[GoalRow]


def _read(request: AuthenticatedHttpRequest, plan: Plan, criterion: str = "") -> None:
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=plan.case.child,
        obj=plan,
        criterion=criterion,
    )


def _draft(plan: Plan) -> PlanVersion:
    """The plan's draft (there is always one: made with the plan and after each approval)."""
    return PlanVersion.objects.get(plan_id=plan.pk, approved_at__isnull=True)


def _areas_of(goals: list[Goal]) -> Areas:
    """The order of the goals' areas without reading the municipality's areas: the built-in
    ones, then the municipality's by name (as municipality_areas orders them)."""
    return Areas(sorted({goal.area for goal in goals if goal.area not in Area.values}))


def _goal_url(plan: Plan, key: UUID) -> str:
    return f"{plan.get_absolute_url()}#goal-{key}"


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest, case_code: UUID) -> HttpResponse:
    """ "Lav barnets plan": a case has one plan; making it twice opens the same plan."""
    case = get_editable_case_for_user(request, case_code)
    if request.method == "POST":
        plan, created = services.create_plan(case, by=request.user, membership=request.membership)
        if created:
            messages.success(request, _("Barnets plan er oprettet. Skriv det første mål."))
        else:
            _read(request, plan, "plan create: the case has its plan")
        return redirect(plan)
    existing = Plan.objects.filter(case_id=case.pk).select_related("case__child").first()
    if existing is not None:
        _read(request, existing, "plan create: the case has its plan")
        return redirect(existing)
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=case.child,
        obj=case,
        criterion="plan create form",
    )
    return render(request, "plans/create.html", {"case": case, "child": case.child})


@allow(Role.CASEWORKER, Role.LEADER)
@require_GET
def detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The plan: its newest approved version, the draft's goals by area with the child's own
    words first, the child's open proposals and the newest check-ins.

    Note: 6 queries besides the middleware's and the access event's, however many goals (see
    the query-count test in test_plan)."""
    plan, can_edit = get_plan_for_user(request, code)
    versions = versions_of(plan)
    draft = next(v for v in versions if v.approved_at is None)
    approved = [v for v in versions if v.approved_at is not None]
    latest = approved[-1] if approved else None
    goals = goals_of(draft)
    areas = _areas_of(goals)
    check_ins = newest_check_ins(plan)
    sections = [
        Section(
            group.area,
            group.label,
            [GoalRow(goal, check_ins.get(goal.key, [])) for goal in group.goals],
        )
        for group in group_by_area(goals, areas)
    ]
    changes = None
    if latest is not None:
        diffs = compare_goals(goals_of(latest), goals, areas)
        changes = sum(1 for d in diffs if d.status != UNCHANGED)
    _read(request, plan)
    context = {
        "plan": plan,
        "case": plan.case,
        "child": plan.case.child,
        "can_edit": can_edit,
        "versions": versions,
        "draft": draft,
        "latest": latest,
        "sections": sections,
        "goal_count": len(goals),
        "changes": changes,
        "proposals": open_proposals(plan),
        "lock": DraftForm.initial_for(draft),
    }
    return render(request, "plans/detail.html", context)


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def goal_add(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A new goal in the draft."""
    plan = get_editable_plan_for_user(request, code)
    areas = Areas(municipality_areas(plan.municipality_id))
    if request.method == "POST":
        form = GoalForm(request.POST, areas=areas)
        if form.is_valid():
            try:
                goal = services.add_goal(
                    plan,
                    by=request.user,
                    membership=request.membership,
                    **form.lock(),
                    **form.goal_fields(),
                )
            except services.PlanConflict:
                return _conflict(request, plan, form, key=None, areas=areas)
            messages.success(request, _("Målet er tilføjet til kladden."))
            return redirect(_goal_url(plan, goal.key))
    else:
        form = GoalForm(initial=DraftForm.initial_for(_draft(plan)), areas=areas)
    _read(request, plan, "goal form")
    return _goal_page(request, plan, form, action=reverse("plans:goal_add", args=[plan.code]))


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def goal_edit(request: AuthenticatedHttpRequest, code: UUID, goal: UUID) -> HttpResponse:
    """Change a goal of the draft. A goal of an approved version is never changed: its page
    leads to the same goal in the draft."""
    plan = get_editable_plan_for_user(request, code)
    found = get_goal_of_plan(request, plan, goal)
    draft = _draft(plan)
    if request.method == "GET" and found.version_id != draft.pk:
        return _to_draft_goal(request, plan, draft, found, "plans:goal_edit")
    areas = Areas(municipality_areas(plan.municipality_id))
    if request.method == "POST":
        form = GoalForm(request.POST, areas=areas, keep_area=found.area)
        if form.is_valid():
            try:
                services.update_goal(
                    plan,
                    key=found.key,
                    by=request.user,
                    membership=request.membership,
                    **form.lock(),
                    **form.goal_fields(),
                )
            except services.PlanConflict:
                return _conflict(request, plan, form, key=found.key, areas=areas)
            except services.GoalNotInPlan:
                _read(request, plan, "goal edit: not in the draft")
                messages.error(request, _("Målet er ikke i kladden længere."))
                return redirect(plan)
            messages.success(request, _("Målet er gemt i kladden."))
            return redirect(_goal_url(plan, found.key))
    else:
        initial: dict[str, Any] = {name: getattr(found, name) for name in services.GOAL_FIELDS}
        form = GoalForm(
            initial={**initial, **DraftForm.initial_for(draft)}, areas=areas, keep_area=found.area
        )
    _read(request, plan, f"goal {found.code}")
    return _goal_page(
        request,
        plan,
        form,
        goal=found,
        action=reverse("plans:goal_edit", args=[plan.code, found.code]),
    )


def _to_draft_goal(
    request: AuthenticatedHttpRequest, plan: Plan, draft: PlanVersion, goal: Goal, view: str
) -> HttpResponse:
    """An approved version's goal (an old link): the same goal in the draft, if it is there."""
    _read(request, plan, f"goal {goal.code} of an approved version")
    same = Goal.objects.filter(version_id=draft.pk, key=goal.key).first()
    if same is None:
        messages.info(request, _("Målet er ikke med i kladden."))
        return redirect(plan)
    messages.info(
        request,
        _("Den version er godkendt og kan ikke ændres. Du ændrer nu målet i kladden."),
    )
    return redirect(view, plan.code, same.code)


def _goal_page(
    request: AuthenticatedHttpRequest,
    plan: Plan,
    form: GoalForm,
    *,
    action: str,
    goal: Goal | None = None,
    proposal: GoalProposal | None = None,
) -> HttpResponse:
    context = {
        "plan": plan,
        "case": plan.case,
        "child": plan.case.child,
        "form": form,
        "goal": goal,
        "proposal": proposal,
        "action": action,
    }
    return render(request, "plans/goal_form.html", context)


def _conflict(
    request: AuthenticatedHttpRequest,
    plan: Plan,
    form: GoalForm,
    *,
    key: UUID | None,
    areas: Areas,
    proposal: GoalProposal | None = None,
) -> HttpResponse:
    """The draft changed after the editor loaded it (T19): the saved goal (or the draft's goals,
    for a new one) next to the editor's text, which stays in the form; saving again saves it
    over the draft as it is now (409 Conflict). The same goal sent twice is no conflict."""
    draft = _draft(plan)
    goals = goals_of(draft)
    sent = form.goal_fields()
    same = [g for g in goals if all(getattr(g, n) == v for n, v in sent.items())]
    if key is not None:
        same = [g for g in same if g.key == key]
    if same:
        messages.success(request, _("Målet er gemt i kladden."))
        return redirect(_goal_url(plan, same[0].key))
    saved = next((g for g in goals if g.key == key), None) if key is not None else None
    data = request.POST.copy()
    # Saving again saves over the draft as shown here.
    data["draft"], data["revision"] = str(draft.number), str(draft.revision)
    again = GoalForm(
        data,
        areas=areas,
        keep_area=sent["area"],
        child_words=proposal.child_words if proposal is not None else None,
    )
    again.full_clean()
    if proposal is not None:
        action = reverse("plans:take_proposal", args=[plan.code, proposal.code])
    elif saved is not None:
        action = reverse("plans:goal_edit", args=[plan.code, saved.code])
    else:  # a new goal, or one a colleague removed meanwhile: saving adds it
        action = reverse("plans:goal_add", args=[plan.code])
    _read(
        request,
        plan,
        f"edit conflict: revision {form.cleaned_data['revision']} is now {draft.revision}",
    )
    context = {
        "plan": plan,
        "case": plan.case,
        "child": plan.case.child,
        "form": again,
        "saved": saved,
        "was_removed": key is not None and saved is None and proposal is None,
        "draft_goals": goals,
        "draft": draft,
        "proposal": proposal,
        "action": action,
        "conflict": True,
    }
    return render(request, "plans/conflict.html", context, status=409)


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def goal_remove(request: AuthenticatedHttpRequest, code: UUID, goal: UUID) -> HttpResponse:
    """ "Fjern målet" asks first; "Ja, fjern målet" removes it from the draft (the approved
    versions keep it)."""
    plan = get_editable_plan_for_user(request, code)
    found = get_goal_of_plan(request, plan, goal)
    draft = _draft(plan)
    if request.method == "GET" and found.version_id != draft.pk:
        return _to_draft_goal(request, plan, draft, found, "plans:goal_remove")
    form = DraftForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_goal(
                plan, key=found.key, by=request.user, membership=request.membership, **form.lock()
            )
        except services.PlanConflict:
            return _remove_again(request, plan, found)
        except services.GoalNotInPlan:
            _read(request, plan, "goal remove: not in the draft")
            messages.info(request, _("Målet er allerede fjernet fra kladden."))
            return redirect(plan)
        messages.success(request, _("Målet er fjernet fra kladden."))
        return redirect(plan)
    _read(request, plan, f"goal {found.code}")
    context = {
        "plan": plan,
        "case": plan.case,
        "child": plan.case.child,
        "goal": found,
        "form": form if form.is_bound else None,
        "lock": DraftForm.initial_for(draft),
    }
    return render(request, "plans/goal_remove.html", context)


def _remove_again(request: AuthenticatedHttpRequest, plan: Plan, goal: Goal) -> HttpResponse:
    """The draft changed since the question was asked: ask again about the goal as it is now,
    or say it is gone (the same "Ja" sent twice)."""
    draft = _draft(plan)
    same = Goal.objects.filter(version_id=draft.pk, key=goal.key).first()
    _read(request, plan, "goal remove conflict")
    if same is None:
        messages.info(request, _("Målet er fjernet fra kladden."))
        return redirect(plan)
    messages.error(
        request, _("Kladden er ændret, siden du åbnede siden. Se målet igen, før du fjerner det.")
    )
    return redirect("plans:goal_remove", plan.code, same.code)


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def take_proposal(request: AuthenticatedHttpRequest, code: UUID, proposal: UUID) -> HttpResponse:
    """ "Tag med i planen": the child's proposal becomes a goal in the draft with the child's
    words as written and marked as the child's; the caseworker adds the rest."""
    plan = get_editable_plan_for_user(request, code)
    found = get_proposal_of_plan(request, plan, proposal)
    if found.handled_at is not None:
        _read(request, plan, f"goal proposal {found.code}: already taken")
        messages.info(request, _("Barnets forslag er allerede taget med i planen."))
        return redirect(
            _goal_url(plan, found.goal_key) if found.goal_key else plan.get_absolute_url()
        )
    areas = Areas(municipality_areas(plan.municipality_id))
    if request.method == "POST":
        form = GoalForm(
            request.POST, areas=areas, keep_area=found.area, child_words=found.child_words
        )
        if form.is_valid():
            try:
                goal = services.take_proposal(
                    plan,
                    found,
                    by=request.user,
                    membership=request.membership,
                    **form.lock(),
                    **form.goal_fields(),
                )
            except services.ProposalHandled:
                _read(request, plan, f"goal proposal {found.code}: already taken")
                messages.info(request, _("Barnets forslag er allerede taget med i planen."))
                return redirect(plan)
            except services.PlanConflict:
                return _conflict(request, plan, form, key=None, areas=areas, proposal=found)
            messages.success(request, _("Barnets forslag er taget med i kladden."))
            return redirect(_goal_url(plan, goal.key))
    else:
        initial: dict[str, Any] = DraftForm.initial_for(_draft(plan))
        if found.area in areas.values():
            initial["area"] = found.area
        form = GoalForm(
            initial=initial, areas=areas, keep_area=found.area, child_words=found.child_words
        )
    _read(request, plan, f"goal proposal {found.code}")
    return _goal_page(
        request,
        plan,
        form,
        proposal=found,
        action=reverse("plans:take_proposal", args=[plan.code, found.code]),
    )


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def approve(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """ "Godkend planen" asks first (with what changed since the last version); "Ja, godkend"
    approves the draft as shown. A plan without goals is refused with a message."""
    plan = get_editable_plan_for_user(request, code)
    status = 200
    error = ""
    if request.method == "POST":
        form = DraftForm(request.POST)
        if not form.is_valid():
            return _approve_page(request, plan, error=str(INCOMPLETE), status=400)
        try:
            approved = services.approve_draft(
                plan, by=request.user, membership=request.membership, **form.lock()
            )
        except services.EmptyPlan:
            error = _("En plan uden mål kan ikke godkendes. Skriv mindst ét mål først.")
            status = 400
        except services.AlreadyApproved:
            _read(request, plan, "approve: already approved")
            messages.info(
                request,
                _("Version %(n)d er allerede godkendt.") % {"n": form.cleaned_data["draft"]},
            )
            return redirect(plan)
        except services.PlanConflict:
            error = _(
                "Kladden er ændret, siden du åbnede siden. Se ændringerne herunder, og godkend "
                "igen, hvis de er rigtige."
            )
            status = 409
        else:
            messages.success(
                request,
                _("Version %(n)d af planen er godkendt. Barnet kan se den i Inddrag.")
                % {"n": approved.number},
            )
            return redirect(plan)
    return _approve_page(request, plan, error=error, status=status)


def _approve_page(
    request: AuthenticatedHttpRequest, plan: Plan, *, error: str, status: int
) -> HttpResponse:
    """The question "Godkend version N?" with what changed since the last approved version."""
    versions = versions_of(plan)
    draft = next(v for v in versions if v.approved_at is None)
    approved_versions = [v for v in versions if v.approved_at is not None]
    latest = approved_versions[-1] if approved_versions else None
    goals = goals_of(draft)
    areas = _areas_of(goals)
    diffs = compare_goals(goals_of(latest) if latest else [], goals, areas)
    if not goals and not error:
        error = _("En plan uden mål kan ikke godkendes. Skriv mindst ét mål først.")
    _read(request, plan, "approve form")
    context = {
        "plan": plan,
        "case": plan.case,
        "child": plan.case.child,
        "draft": draft,
        "latest": latest,
        "goal_count": len(goals),
        "summary": _summary(diffs),
        "error": error,
        "lock": DraftForm.initial_for(draft),
        "has_access": hasattr(plan.case.child, "access"),
    }
    return render(request, "plans/approve.html", context, status=status)


def _summary(diffs: list[GoalDiff]) -> dict[str, int]:
    return {
        status: sum(1 for d in diffs if d.status == status)
        for status in (ADDED, CHANGED, REMOVED, UNCHANGED)
    }


@allow(Role.CASEWORKER, Role.LEADER)
@require_GET
def compare(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Two versions goal by goal (?a=1&b=2). Without a choice: the last two approved versions,
    or the last approved and the draft."""
    plan, _can_edit = get_plan_for_user(request, code)
    versions = versions_of(plan)
    default = _default_pair(versions)
    form = CompareForm(request.GET if {"a", "b"} & set(request.GET) else None, versions=versions)
    pair = default
    if form.is_bound and form.is_valid():
        pair = (form.cleaned_data["a"], form.cleaned_data["b"])
    diffs: list[GoalDiff] = []
    older = newer = None
    if pair is not None:
        by_number = {v.number: v for v in versions}
        older, newer = sorted((by_number[pair[0]], by_number[pair[1]]), key=lambda v: v.number)
        old_goals, new_goals = goals_of(older), goals_of(newer)
        diffs = compare_goals(old_goals, new_goals, _areas_of([*old_goals, *new_goals]))
    if not form.is_bound and pair is not None:
        form = CompareForm(initial={"a": pair[0], "b": pair[1]}, versions=versions)
    criterion = f"compare v{older.number} v{newer.number}" if older and newer else "compare"
    _read(request, plan, criterion)
    context = {
        "plan": plan,
        "case": plan.case,
        "child": plan.case.child,
        "form": form,
        "older": older,
        "newer": newer,
        "diffs": diffs,
        "changed": [d for d in diffs if d.status != UNCHANGED],
        "unchanged": [d for d in diffs if d.status == UNCHANGED],
        "summary": _summary(diffs),
    }
    return render(request, "plans/compare.html", context)


def _default_pair(versions: list[PlanVersion]) -> tuple[int, int] | None:
    approved = [v.number for v in versions if v.approved_at is not None]
    if len(approved) >= 2:
        return approved[-2], approved[-1]
    drafts = [v.number for v in versions if v.approved_at is None]
    if approved and drafts:
        return approved[-1], drafts[0]
    return None
