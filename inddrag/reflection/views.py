"""Personal reflections after a child conversation or a meeting, and the municipality's
reflection models."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record, refuse
from inddrag.children.models import Case, Child
from inddrag.conversations.access import (
    get_editable_conversation_for_user,
    get_editable_meeting_for_user,
)
from inddrag.conversations.models import Conversation, Meeting
from inddrag.reflection import services
from inddrag.reflection.access import get_own_reflection, get_reflection_for_user
from inddrag.reflection.forms import (
    NewReflectionForm,
    ReflectionForm,
    ReflectionModelForm,
    answers_initial,
)
from inddrag.reflection.models import Reflection, ReflectionModel
from inddrag.reflection.queries import my_reflections, personal_model_for
from inddrag.reflection.vignettes import case_names

MINE_PER_PAGE = 20
CONVERSATION_PARAM = "samtale"
MEETING_PARAM = "moede"


def _code(request: AuthenticatedHttpRequest, value: str | None, what: str) -> UUID | None:
    """A UUID from the query string; anything else is a logged 404, as for an unknown object."""
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        refuse(request, f"{what} {value[:40]}")


def _source(
    request: AuthenticatedHttpRequest,
) -> tuple[Conversation | None, Meeting | None, Case | None]:
    """The conversation (?samtale=) or meeting (?moede=) the reflection follows: one the
    caseworker may edit, else a logged 404 or 403 (conversations.access)."""
    conversation_code = _code(request, request.GET.get(CONVERSATION_PARAM), "conversation")
    meeting_code = _code(request, request.GET.get(MEETING_PARAM), "meeting")
    if conversation_code is not None:
        conversation = get_editable_conversation_for_user(request, conversation_code)
        return conversation, None, conversation.case
    if meeting_code is not None:
        meeting = get_editable_meeting_for_user(request, meeting_code)
        return None, meeting, meeting.case
    return None, None, None


def _child_of(reflection: Reflection) -> Child | None:
    """The child of the conversation or meeting the reflection follows (its answers may be
    about the child: reading them is logged with the child). Note: reads the relations
    get_reflection_for_user selects."""
    if reflection.conversation is not None:
        return reflection.conversation.case.child
    if reflection.meeting is not None:
        return reflection.meeting.case.child
    return None


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Write a reflection, after a conversation or a meeting (the link from its page right
    after saving it) or on its own: the municipality's personal questions, an optional
    self-rating, and whether to share it with the team sessions."""
    conversation, meeting, case = _source(request)
    membership = request.membership
    model = personal_model_for(membership.municipality_id)
    if model is None:  # only if someone removed the defaults from the database
        messages.error(request, _("Kommunen har ingen refleksionsmodel. Kontakt administratoren."))
        return redirect("reflection:mine")
    if case is not None:
        record(
            Action.READ,
            user=request.user,
            membership=membership,
            child=case.child,
            obj=conversation or meeting,
            criterion="reflection",
        )
    if request.method == "POST":
        names = case_names(case) if case is not None else []
        form = NewReflectionForm(request.POST, questions=model.questions, names=names)
        if form.is_valid():
            try:
                reflection = services.write_reflection(
                    by=request.user,
                    membership=membership,
                    model=model,
                    answers=form.answers(),
                    self_rating=form.cleaned_data["self_rating"],
                    shared_with_team=form.cleaned_data["shared_with_team"],
                    conversation=conversation,
                    meeting=meeting,
                    submit_token=form.cleaned_data["submit_token"],
                )
            except services.ReflectionError as error:  # a token copied from another user
                raise SuspiciousOperation(str(error)) from error
            messages.success(request, _("Din refleksion er gemt."))
            return redirect("reflection:detail", code=reflection.code)
    else:
        form = NewReflectionForm(initial={"submit_token": uuid4()}, questions=model.questions)
    context = {
        "form": form,
        "model": model,
        "conversation": conversation,
        "meeting": meeting,
        "action": request.get_full_path(),
        "back": (conversation or meeting).get_absolute_url()  # type: ignore[union-attr]
        if case is not None
        else reverse("reflection:mine"),
    }
    return render(request, "reflection/form.html", context)


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET"])
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The caseworker's own reflections, newest first, a page at a time (no answers shown)."""
    reflections = my_reflections(request.user, request.membership.municipality_id)
    page = Paginator(reflections, MINE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "reflection/mine.html", {"page": page})


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET"])
def detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """A reflection: for its author, or (shared) for a colleague or the leader of the author's
    unit who opens it from a team session of the unit (?moede=<session>)."""
    session_code = _code(request, request.GET.get(MEETING_PARAM), "reflection session")
    reflection, session = get_reflection_for_user(request, code, session_code=session_code)
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=_child_of(reflection),
        obj=reflection,
    )
    context = {
        "reflection": reflection,
        "session": session,
        "is_author": session is None,
    }
    return render(request, "reflection/detail.html", context)


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The author changes the answers, the self-rating or the sharing."""
    reflection = get_own_reflection(request, code)
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=_child_of(reflection),
        obj=reflection,
    )
    questions = [item.get("question", "") for item in reflection.answers]
    case = None
    if reflection.conversation is not None:
        case = reflection.conversation.case
    elif reflection.meeting is not None:
        case = reflection.meeting.case
    if request.method == "POST":
        names = case_names(case) if case is not None else []
        form = ReflectionForm(request.POST, questions=questions, names=names)
        if form.is_valid():
            services.update_reflection(
                reflection,
                by=request.user,
                membership=request.membership,
                answers=form.answers(),
                self_rating=form.cleaned_data["self_rating"],
                shared_with_team=form.cleaned_data["shared_with_team"],
            )
            messages.success(request, _("Din refleksion er gemt."))
            return redirect("reflection:detail", code=reflection.code)
    else:
        initial: dict[str, Any] = answers_initial(reflection.answers, questions)
        initial["self_rating"] = (
            str(reflection.self_rating) if reflection.self_rating is not None else ""
        )
        initial["shared_with_team"] = reflection.shared_with_team
        form = ReflectionForm(initial=initial, questions=questions)
    context = {
        "form": form,
        "model": reflection.model,
        "reflection": reflection,
        "conversation": reflection.conversation,
        "meeting": reflection.meeting,
        "action": reverse("reflection:edit", args=[reflection.code]),
        "back": reverse("reflection:detail", args=[reflection.code]),
    }
    return render(request, "reflection/form.html", context)


# The municipality's reflection models.

EDIT = "rediger"
COPY = "kopi"
RETIRE = "fjern"


@allow(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def question_models(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The default models and the municipality's own. The administrator adds a model (or a copy
    of a default to change), changes one of the municipality's own, or retires one (after a
    confirmation)."""
    membership = request.membership
    municipality = membership.municipality
    own = list(
        ReflectionModel.objects.filter(municipality=municipality).order_by("use", "name", "pk")
    )
    by_code = {str(model.code): model for model in own}
    edit_code = request.POST.get(EDIT) or request.GET.get(EDIT, "")
    editing = by_code.get(edit_code)
    if edit_code and (editing is None or editing.disabled_on is not None):
        # A default, another municipality's or a retired model is not the administrator's.
        refuse(request, f"reflection model {edit_code[:40]}")
    if request.method == "POST" and RETIRE in request.POST:
        model = by_code.get(request.POST[RETIRE])
        if model is None:
            refuse(request, f"reflection model {request.POST[RETIRE][:40]}")
        if services.retire_model(model, by=request.user, membership=membership):
            messages.success(request, _("»%(name)s« bruges ikke længere.") % {"name": model.name})
        else:
            messages.info(request, _("Modellen var allerede taget ud af brug."))
        return redirect("reflection:question_models")
    if request.method == "POST":
        form = ReflectionModelForm(request.POST, editing=editing is not None)
        if form.is_valid():
            data = form.cleaned_data
            if editing is not None:
                services.update_model(
                    editing,
                    by=request.user,
                    membership=membership,
                    name=data["name"],
                    questions=data["questions"],
                )
                messages.success(request, _("»%(name)s« er gemt.") % {"name": data["name"]})
            else:
                services.add_model(
                    municipality,
                    by=request.user,
                    membership=membership,
                    use=data["use"],
                    name=data["name"],
                    questions=data["questions"],
                )
                messages.success(request, _("»%(name)s« er tilføjet.") % {"name": data["name"]})
            return redirect("reflection:question_models")
    elif editing is not None:
        form = ReflectionModelForm(
            initial={"name": editing.name, "questions": "\n".join(editing.questions)},
            editing=True,
        )
    else:
        form = ReflectionModelForm(initial=_copy_initial(request.GET.get(COPY, "")))
    defaults = ReflectionModel.objects.filter(municipality__isnull=True).order_by("use", "pk")
    confirm = by_code.get(request.GET.get(RETIRE, ""))
    context = {
        "form": form,
        "editing": editing,
        "defaults": defaults,
        "own": [model for model in own if model.disabled_on is None],
        "retired": [model for model in own if model.disabled_on is not None],
        "confirm": confirm if confirm is not None and confirm.disabled_on is None else None,
        "edit_param": EDIT,
        "copy_param": COPY,
        "retire_param": RETIRE,
    }
    return render(request, "reflection/question_models.html", context)


def _copy_initial(code: str) -> dict[str, Any]:
    """The add form filled in with a default model's questions (?kopi=<code>), to change."""
    try:
        model = ReflectionModel.objects.filter(municipality__isnull=True, code=UUID(code)).first()
    except ValueError:
        model = None
    if model is None:
        return {}
    return {
        "use": model.use,
        "name": _("%(name)s (kommunens udgave)") % {"name": model.name},
        "questions": "\n".join(model.questions),
    }
