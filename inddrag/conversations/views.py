from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record
from inddrag.children.access import get_editable_case_for_user
from inddrag.children.models import Case
from inddrag.conversations import services
from inddrag.conversations.access import (
    get_conversation_for_user,
    get_editable_conversation_for_user,
)
from inddrag.conversations.forms import (
    CONVERSATION_FIELDS,
    MAX_STATEMENTS,
    NEW_STATEMENT_FORMS,
    BaseStatementFormSet,
    ConversationForm,
    EditConversationForm,
    NewConversationForm,
    statement_formset,
    with_one_more_statement,
)
from inddrag.conversations.models import Conversation, Statement

ADD_STATEMENT = "add_statement"  # the name of the "Tilføj et udsagn" button


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest, case_code: UUID) -> HttpResponse:
    """Record a child conversation with one or more of the child's statements."""
    case = get_editable_case_for_user(request, case_code)
    birth_date = case.child.birth_date
    if request.method == "POST":
        form = NewConversationForm(request.POST, birth_date=birth_date)
        formset = statement_formset(request.POST)
        if ADD_STATEMENT in request.POST:
            form, formset = with_one_more_statement(form, formset)
        elif form.is_valid() and formset.is_valid():
            try:
                conversation = services.record_conversation(
                    case,
                    by=request.user,
                    membership=request.membership,
                    statements=formset.statements(),
                    submit_token=form.cleaned_data["submit_token"],
                    **form.conversation_fields(),
                )
            except services.ConversationError as error:  # a token copied from another case
                raise SuspiciousOperation(str(error)) from error
            messages.success(request, _("Samtalen er gemt."))
            return redirect(conversation)
    else:
        form = NewConversationForm(initial={"submit_token": uuid4()}, birth_date=birth_date)
        formset = statement_formset(initial=[{}] * NEW_STATEMENT_FORMS)
    record(
        Action.READ, user=request.user, membership=request.membership, child=case.child, obj=case
    )
    return _form_page(
        request,
        case,
        form,
        formset,
        action=reverse("conversations:create", args=[case.code]),
        back=case.get_absolute_url(),
    )


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET"])
def detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    conversation, can_edit = get_conversation_for_user(request, code)
    case = conversation.case
    statements = list(conversation.statements.all())
    # What the child said to the caseworker alone is for the caseworker alone.
    shown = [s for s in statements if can_edit or s.sharing != Statement.Sharing.CASEWORKER]
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=case.child,
        obj=conversation,
    )
    context = {
        "conversation": conversation,
        "case": case,
        "child": case.child,
        "statements": shown,
        "hidden_count": len(statements) - len(shown),
        "can_edit": can_edit,
    }
    return render(request, "conversations/detail.html", context)


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Edit a conversation. The form carries the version it was loaded at; if someone saved the
    conversation since, the editor gets the conflict page and keeps their text (T19)."""
    conversation = get_editable_conversation_for_user(request, code)
    case = conversation.case
    birth_date = case.child.birth_date
    if request.method == "POST":
        form = EditConversationForm(request.POST, birth_date=birth_date)
        formset = statement_formset(request.POST)
        if ADD_STATEMENT in request.POST:
            form, formset = with_one_more_statement(form, formset)
        elif form.is_valid() and formset.is_valid():
            try:
                services.update_conversation(
                    conversation,
                    by=request.user,
                    membership=request.membership,
                    version=form.cleaned_data["version"],
                    statements=formset.statements(),
                    **form.conversation_fields(),
                )
            except services.ConversationConflict:
                return _conflict(request, conversation, form, formset)
            except services.StatementQuoted:
                form.add_error(
                    None,
                    _(
                        "Et udsagn, du har fjernet, er citeret i en indstilling til udvalget og "
                        "kan ikke slettes. Ret teksten, eller vælg “Kun sagsbehandleren”, så "
                        "citatet tages ud af indstillingen."
                    ),
                )
            else:
                messages.success(request, _("Samtalen er gemt."))
                return redirect(conversation)
    else:
        initial = {name: getattr(conversation, name) for name in CONVERSATION_FIELDS}
        initial["version"] = conversation.version
        form = EditConversationForm(initial=initial, birth_date=birth_date)
        statements = [{"text": s.text, "sharing": s.sharing} for s in conversation.statements.all()]
        formset = statement_formset(initial=[*statements, {}])
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=case.child,
        obj=conversation,
    )
    return _form_page(
        request,
        case,
        form,
        formset,
        conversation=conversation,
        action=reverse("conversations:edit", args=[conversation.code]),
        back=conversation.get_absolute_url(),
    )


def _conflict(
    request: AuthenticatedHttpRequest,
    conversation: Conversation,
    form: EditConversationForm,
    formset: BaseStatementFormSet,
) -> HttpResponse:
    """The saved version next to the editor's own, which stays in the form: they can save it
    over the new version knowingly, or go back (409 Conflict). If the saved version is what
    they sent (the same form sent twice), that is no conflict."""
    saved = (
        Conversation.objects.select_related("case__child")
        .prefetch_related("statements")
        .get(pk=conversation.pk)
    )
    sent = form.conversation_fields()
    if (
        all(getattr(saved, name) == value for name, value in sent.items())
        and [(s.text, s.sharing) for s in saved.statements.all()] == formset.statements()
    ):
        messages.success(request, _("Samtalen er gemt."))
        return redirect(saved)
    version = form.cleaned_data["version"]
    data = request.POST.copy()
    data["version"] = str(saved.version)  # saving again overwrites the version shown here
    case = saved.case
    form = EditConversationForm(data, birth_date=case.child.birth_date)
    formset = statement_formset(data)
    form.full_clean()
    formset.full_clean()
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=case.child,
        obj=saved,
        criterion=f"edit conflict: version {version} is now {saved.version}",
    )
    context = _form_context(
        case,
        form,
        formset,
        conversation=saved,
        action=reverse("conversations:edit", args=[saved.code]),
        back=saved.get_absolute_url(),
    )
    context["saved_statements"] = list(saved.statements.all())
    return render(request, "conversations/conflict.html", context, status=409)


def _form_page(
    request: AuthenticatedHttpRequest,
    case: Case,
    form: ConversationForm,
    formset: BaseStatementFormSet,
    *,
    action: str,
    back: str,
    conversation: Conversation | None = None,
) -> HttpResponse:
    context = _form_context(
        case, form, formset, conversation=conversation, action=action, back=back
    )
    if request.htmx and ADD_STATEMENT in request.POST:
        return render(request, "conversations/form.html#statements", context)
    return render(request, "conversations/form.html", context)


def _form_context(
    case: Case,
    form: ConversationForm,
    formset: BaseStatementFormSet,
    *,
    action: str,
    back: str,
    conversation: Conversation | None,
) -> dict[str, Any]:
    return {
        "case": case,
        "child": case.child,
        "conversation": conversation,
        "form": form,
        "formset": formset,
        "action": action,
        "back": back,
        "add_statement": ADD_STATEMENT,
        "max_statements": MAX_STATEMENTS,
    }
