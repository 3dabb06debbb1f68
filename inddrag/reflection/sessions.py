"""Team reflection sessions on pseudonymised case vignettes, the leaders' and coordinators'
quarterly reflections, their follow-up items, and the themes across sessions."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.models import User
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record
from inddrag.children.access import visible_cases
from inddrag.children.models import Case
from inddrag.municipalities.models import Unit
from inddrag.reflection import services
from inddrag.reflection.access import (
    get_editable_session_for_user,
    get_follow_up_to_mark_done,
    get_session_for_user,
)
from inddrag.reflection.forms import (
    EditSessionForm,
    FollowUpForm,
    NewSessionForm,
    PeriodForm,
    SessionForm,
    VignetteForm,
    case_data_message,
)
from inddrag.reflection.models import ReflectionSession
from inddrag.reflection.queries import (
    active_models,
    leaders_people,
    my_open_follow_ups,
    session_list,
    session_people,
    shared_reflections,
    shared_window,
    split_themes,
    team_people,
    team_people_anywhere,
    themes_in_period,
)
from inddrag.reflection.vignettes import case_names, find_case_data, make_vignette

Kind = ReflectionSession.Kind
SESSIONS_PER_PAGE = 20
KIND_PARAM = "slags"
PREVIEW = "preview"  # the "Vis vignetten" button
BACK_TO_LIST = "list"  # follow_up_done from the sessions page goes back there


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET"])
def sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The sessions the user may see, newest first, and the user's own open follow-up items."""
    membership = request.membership
    page = Paginator(session_list(membership), SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "follow_ups": list(my_open_follow_ups(request.user, membership.municipality_id)),
        "is_leader": membership.role == Role.LEADER,
        "today": timezone.localdate(),
        "back_to_list": BACK_TO_LIST,
    }
    return render(request, "reflection/sessions.html", context)


def _session_form_parts(
    request: AuthenticatedHttpRequest, kind: str, unit_id: int | None
) -> dict[str, Any]:
    """The choices of the session form: the people, the models and (for a team session planned
    by a leader without a unit) the units."""
    municipality_id = request.membership.municipality_id
    units: QuerySet[Unit] | None = None
    people: QuerySet[User]
    if kind == Kind.LEADERS:
        people = leaders_people(municipality_id)
    elif request.membership.unit_id is None:
        units = Unit.objects.filter(municipality_id=municipality_id, disabled_on__isnull=True)
        # Everyone of the municipality who can sit in a team session; the service checks that
        # the participants belong to the unit chosen.
        people = (
            team_people_anywhere(municipality_id)
            if unit_id is None
            else team_people(municipality_id, unit_id)
        )
    else:
        people = team_people(municipality_id, request.membership.unit_id)
    return {"people": people, "models": active_models(municipality_id, kind), "units": units}


@allow(Role.LEADER)
@require_http_methods(["GET", "POST"])
def session_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Plan a team session (?slags=team, the default) for the leader's unit (or a unit of the
    municipality, for a leader without one), or a leaders' quarterly reflection
    (?slags=leaders) with the municipality's leaders and administrators."""
    kind = Kind.LEADERS if request.GET.get(KIND_PARAM) == Kind.LEADERS else Kind.TEAM
    membership = request.membership
    if request.method == "POST":
        unit_code = request.POST.get("unit") if membership.unit_id is None else None
        unit_id = _unit_id(membership.municipality_id, unit_code)
        form: SessionForm = NewSessionForm(
            request.POST, **_session_form_parts(request, kind, unit_id)
        )
        if form.is_valid():
            data = form.cleaned_data
            unit = None
            if kind == Kind.TEAM:
                unit = data.get("unit") or membership.unit
            try:
                session = services.plan_session(
                    by=request.user,
                    membership=membership,
                    kind=kind,
                    unit=unit,
                    held_on=data["held_on"],
                    title=data["title"],
                    model=data["model"],
                    notes=data["notes"],
                    themes=data["themes"],
                    participants=data["participants"],
                    submit_token=data["submit_token"],
                )
            except services.NotAPerson:
                form.add_error("participants", _("Vælg kun deltagere fra den enhed, mødet er for."))
            except services.ReflectionError as error:
                raise SuspiciousOperation(str(error)) from error
            else:
                messages.success(request, _("Mødet er planlagt."))
                return redirect("reflection:session_detail", code=session.code)
    else:
        parts = _session_form_parts(request, kind, None)
        initial: dict[str, Any] = {"submit_token": uuid4()}
        first_model = parts["models"].first()
        if first_model is not None:
            initial["model"] = first_model.code
        if kind == Kind.LEADERS:
            initial["participants"] = [user.code for user in parts["people"]]
        elif membership.unit_id is not None:  # the unit's own people, ticked
            unit_people = team_people(
                membership.municipality_id, membership.unit_id, municipality_leaders=False
            )
            initial["participants"] = [user.code for user in unit_people]
        form = NewSessionForm(initial=initial, **parts)
    context = {
        "form": form,
        "kind": kind,
        "session": None,
        "action": f"{reverse('reflection:session_create')}?{KIND_PARAM}={kind}",
        "back": reverse("reflection:sessions"),
    }
    return render(request, "reflection/session_form.html", context)


def _unit_id(municipality_id: int, code: str | None) -> int | None:
    if not code:
        return None
    try:
        uuid = UUID(code)
    except ValueError:
        return None
    unit = Unit.objects.filter(municipality_id=municipality_id, code=uuid).first()
    return unit.pk if unit is not None else None


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET"])
def session_detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session, can_edit = get_session_for_user(request, code)
    return _detail_page(request, session, can_edit=can_edit)


def _detail_page(
    request: AuthenticatedHttpRequest,
    session: ReflectionSession,
    *,
    can_edit: bool,
    follow_up_form: FollowUpForm | None = None,
) -> HttpResponse:
    """The session: its model's questions, participants, vignettes, the unit's shared
    reflections (team sessions), the follow-up items, and for the planner the forms."""
    today = timezone.localdate()
    if can_edit and follow_up_form is None:
        follow_up_form = FollowUpForm(people=session_people(session))
    follow_ups = list(session.follow_ups.select_related("owner").order_by("done_at", "due_on"))
    record(Action.READ, user=request.user, membership=request.membership, obj=session)
    context = {
        "session": session,
        "can_edit": can_edit,
        "participants": list(session.participants.order_by("first_name", "last_name")),
        "vignettes": list(session.vignettes.order_by("created_at", "pk")),
        "follow_ups": follow_ups,
        "reflections": list(shared_reflections(session, today=today)),
        "window": shared_window(session, today=today),
        "themes": split_themes(session.themes),
        "follow_up_form": follow_up_form,
        "today": today,
        "user_pk": request.user.pk,
    }
    return render(request, "reflection/session_detail.html", context)


@allow(Role.LEADER)
@require_http_methods(["GET", "POST"])
def session_edit(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Change the session: date, subject, model, participants, notes and themes. The form
    carries the version it was loaded at; a save over someone else's newer version gets the
    conflict page, with the editor's text kept in the form (T19)."""
    session = get_editable_session_for_user(request, code)
    parts = _session_form_parts(request, session.kind, session.unit_id)
    parts["units"] = None  # a session keeps its unit
    if request.method == "POST":
        form = EditSessionForm(request.POST, **parts)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_session(
                    session,
                    by=request.user,
                    membership=request.membership,
                    version=data["version"],
                    held_on=data["held_on"],
                    title=data["title"],
                    model=data["model"],
                    notes=data["notes"],
                    themes=data["themes"],
                    participants=data["participants"],
                )
            except services.SessionConflict:
                return _conflict(request, session, form, parts)
            except services.NotAPerson:
                form.add_error("participants", _("Vælg kun deltagere fra den enhed, mødet er for."))
            except services.ReflectionError as error:
                raise SuspiciousOperation(str(error)) from error
            else:
                messages.success(request, _("Mødet er gemt."))
                return redirect("reflection:session_detail", code=session.code)
    else:
        form = EditSessionForm(initial=_session_initial(session), **parts)
    context = {
        "form": form,
        "kind": session.kind,
        "session": session,
        "action": reverse("reflection:session_edit", args=[session.code]),
        "back": reverse("reflection:session_detail", args=[session.code]),
    }
    return render(request, "reflection/session_form.html", context)


def _session_initial(session: ReflectionSession) -> dict[str, Any]:
    return {
        "held_on": session.held_on,
        "title": session.title,
        "model": session.model.code,
        "participants": [user.code for user in session.participants.all()],
        "notes": session.notes,
        "themes": session.themes,
        "version": session.version,
    }


def _conflict(
    request: AuthenticatedHttpRequest,
    session: ReflectionSession,
    form: EditSessionForm,
    parts: dict[str, Any],
) -> HttpResponse:
    """The saved version beside the editor's own (409 Conflict). If the saved version is what
    they sent (the same form sent twice), that is no conflict."""
    saved = ReflectionSession.objects.select_related("model", "unit").get(pk=session.pk)
    data = form.cleaned_data
    saved_participants = list(saved.participants.order_by("first_name", "last_name"))
    if (saved.held_on, saved.title, saved.model_id, saved.notes, saved.themes) == (
        data["held_on"],
        data["title"],
        data["model"].pk,
        data["notes"],
        data["themes"],
    ) and {u.pk for u in saved_participants} == {u.pk for u in data["participants"]}:
        messages.success(request, _("Mødet er gemt."))
        return redirect("reflection:session_detail", code=saved.code)
    posted = request.POST.copy()
    posted["version"] = str(saved.version)  # saving again overwrites the version shown
    again = EditSessionForm(posted, **parts)
    again.full_clean()
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        obj=saved,
        criterion=f"edit conflict: version {data['version']} is now {saved.version}",
    )
    context = {
        "form": again,
        "kind": saved.kind,
        "session": saved,
        "saved_participants": saved_participants,
        "saved_themes": split_themes(saved.themes),
        "action": reverse("reflection:session_edit", args=[saved.code]),
        "back": reverse("reflection:session_detail", args=[saved.code]),
        "conflict": True,
    }
    return render(request, "reflection/session_conflict.html", context, status=409)


def _vignette_cases(request: AuthenticatedHttpRequest, session: ReflectionSession) -> Any:
    """The open cases a vignette can be built from: those the leader may see, of the session's
    unit for a team session. By reference only: the list shows no child data."""
    cases = visible_cases(request.membership).filter(status=Case.Status.OPEN)
    if session.unit_id is not None:
        cases = cases.filter(unit_id=session.unit_id)
    return cases.order_by("reference")


@allow(Role.LEADER)
@require_http_methods(["GET", "POST"])
def vignette_add(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Pick a case, see the vignette make_vignette builds from it (a logged read of the case),
    and save it to the session. The text is never typed: the leader can only name more words
    to remove and give it a title without case data."""
    session = get_editable_session_for_user(request, code)
    cases = _vignette_cases(request, session)
    preview = None
    if request.method == "POST":
        form = VignetteForm(request.POST, cases=cases)
        if form.is_valid():
            case: Case = form.cleaned_data["case"]
            extra = form.cleaned_data["extra_names"]
            names = [*case_names(case), *extra]
            title = form.cleaned_data["title"]
            kinds = find_case_data(title, names=names)
            if kinds:
                form.add_error(
                    "title",
                    case_data_message(kinds) + " " + _("Skriv en overskrift uden navne og datoer."),
                )
            if PREVIEW in request.POST or kinds:
                preview = make_vignette(case, extra_names=extra)
                record(
                    Action.READ,
                    user=request.user,
                    membership=request.membership,
                    child=case.child,
                    obj=case,
                    criterion="vignette preview",
                )
            else:
                services.add_vignette(
                    session,
                    case,
                    by=request.user,
                    membership=request.membership,
                    title=title or _default_title(session),
                    extra_names=extra,
                )
                messages.success(request, _("Vignetten er lagt på mødet."))
                return redirect("reflection:session_detail", code=session.code)
    else:
        form = VignetteForm(cases=cases)
    # The page lists the open cases by reference: a list of case rows, logged as such.
    record(
        Action.LIST,
        user=request.user,
        membership=request.membership,
        obj=session,
        criterion="open cases for a vignette",
    )
    context = {
        "session": session,
        "form": form,
        "preview": preview,
        "preview_name": PREVIEW,
        "has_cases": cases.exists(),
    }
    return render(request, "reflection/vignette_form.html", context)


def _default_title(session: ReflectionSession) -> str:
    return _("Vignet %(n)d") % {"n": session.vignettes.count() + 1}


@allow(Role.LEADER)
@require_http_methods(["POST"])
def follow_up_add(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """An agreement of the session becomes a follow-up item: text, owner and date (the form is
    on the session's page)."""
    session = get_editable_session_for_user(request, code)
    people = session_people(session)
    form = FollowUpForm(request.POST, people=people)
    if not form.is_valid():
        return _detail_page(request, session, can_edit=True, follow_up_form=form)
    try:
        services.add_follow_up(
            session,
            by=request.user,
            membership=request.membership,
            text=form.cleaned_data["text"],
            owner=form.cleaned_data["owner"],
            due_on=form.cleaned_data["due_on"],
        )
    except services.ReflectionError as error:  # the owner left the unit meanwhile
        form.add_error("owner", _("Vælg en af personerne på listen."))
        if not isinstance(error, services.NotAPerson):
            raise
        return _detail_page(request, session, can_edit=True, follow_up_form=form)
    messages.success(request, _("Aftalen er gemt som et opfølgningspunkt."))
    return redirect(reverse("reflection:session_detail", args=[session.code]) + "#opfoelgning")


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["POST"])
def follow_up_done(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The owner (or a leader who may change the session) marks the item done (the button on
    the sessions page and on the session's page)."""
    follow_up = get_follow_up_to_mark_done(request, code)
    assert follow_up.session is not None  # get_follow_up_to_mark_done only gives sessions'
    if services.mark_follow_up_done(follow_up, by=request.user, membership=request.membership):
        messages.success(request, _("Opfølgningspunktet er markeret som udført."))
    else:
        messages.info(request, _("Opfølgningspunktet var allerede udført."))
    if request.POST.get("back") == BACK_TO_LIST:
        return redirect("reflection:sessions")
    return redirect(
        reverse("reflection:session_detail", args=[follow_up.session.code]) + "#opfoelgning"
    )


@allow(Role.LEADER)
@require_http_methods(["GET"])
def themes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The themes across the municipality's sessions in a period (by default the last 12
    months), each with its number of sessions; a session links where the leader may open it."""
    membership = request.membership
    today = timezone.localdate()
    form = PeriodForm(request.GET if request.GET else None)
    start, end = form.period(today=today)
    rows = themes_in_period(membership.municipality_id, start, end)
    linked = {
        session.pk
        for row in rows
        for session in row.sessions
        if can_see(membership.unit_id, session)
    }
    context = {"form": form, "rows": rows, "start": start, "end": end, "linked": linked}
    return render(request, "reflection/themes.html", context)


def can_see(unit_id: int | None, session: ReflectionSession) -> bool:
    """Whether a leader of `unit_id` (None: of the municipality) may open the session (as
    queries.visible_sessions says for a leader)."""
    return session.kind == Kind.LEADERS or unit_id is None or session.unit_id == unit_id
