"""The child's meeting pages (core effort 1, mobile first): the meeting, preparing it one question
per screen, and saying whether they felt heard. Every page works without JavaScript; with it, the
draft also saves as the child types (static/app/autosave.js). Every read and change of the
child's data is logged as the child's (T5)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from inddrag.accounts.policy import for_child
from inddrag.audit.log import Action
from inddrag.conversations import meeting_services as services
from inddrag.conversations.meeting_forms import (
    OVERVIEW_STEP,
    STEPS,
    FeedbackForm,
    PreparationStepForm,
    Step,
    SubmitPreparationForm,
    choice_label,
    feedback_label,
)
from inddrag.conversations.models import (
    Meeting,
    MeetingFeedback,
    MeetingPreparation,
    PreparationAnswer,
)
from inddrag.portal.access import get_meeting_for_child, record_child
from inddrag.portal.http import ChildHttpRequest

AUTOSAVE_HEADER = "X-Autosave"  # sent by static/app/autosave.js as the child types

# What kind of meeting it is, in a child's words.
KIND_TEXT: dict[str, Any] = {
    Meeting.Kind.CHILD_CONVERSATION: gettext_lazy("En samtale med din sagsbehandler"),
    Meeting.Kind.NETWORK: gettext_lazy("Et møde med dem omkring dig"),
    Meeting.Kind.FOLLOW_UP: gettext_lazy("Et møde, hvor I ser på, hvordan det går"),
    Meeting.Kind.STATUS: gettext_lazy("Et møde om, hvad der skal ske nu"),
}


@for_child
@require_GET
def meeting(request: ChildHttpRequest, code: UUID) -> HttpResponse:
    """When, where, what kind and who; the way to prepare; after the meeting, what was agreed
    and the question whether the child felt heard."""
    found = get_meeting_for_child(request, code)
    preparation = MeetingPreparation.objects.filter(meeting_id=found.pk).first()
    feedback = MeetingFeedback.objects.filter(meeting_id=found.pk).first()
    now = timezone.now()
    record_child(request, Action.READ, obj=found)
    context = {
        "meeting": found,
        "kind_text": KIND_TEXT.get(found.kind, found.get_kind_display()),
        "caseworker": found.created_by,
        "preparation": preparation,
        "feedback": feedback,
        "is_open": services.is_open_for_preparation(found, now=now),
        "is_past": found.starts_at <= now,
        "is_cancelled": found.status == Meeting.Status.CANCELLED,
        "has_summary": found.summary_written_at is not None
        and found.status != Meeting.Status.CANCELLED,
    }
    return render(request, "portal/meeting.html", context)


@for_child
@require_http_methods(["GET", "POST"])
def prepare(request: ChildHttpRequest, code: UUID) -> HttpResponse:
    """One question per screen (?trin=1…7), then an overview with the button that sends it. Each
    "Næste" saves the draft; a closed browser loses nothing, and the page opens again at the
    first question not yet answered."""
    found = get_meeting_for_child(request, code)
    preparation = MeetingPreparation.objects.filter(meeting_id=found.pk).first()
    answers = _answers_of(preparation)
    autosave = request.headers.get(AUTOSAVE_HEADER) == "1"
    if preparation is not None and preparation.submitted_at is not None:
        return _already_sent(request, found, preparation, answers, autosave=autosave)
    if not services.is_open_for_preparation(found, now=timezone.now()):
        return _closed(request, found, answers, autosave=autosave)
    if request.method == "POST":
        if "submit_token" in request.POST:
            return _submit(request, found)
        return _save_step(request, found, answers, autosave=autosave)
    step_number = _step_from(request.GET.get("trin"), answers)
    record_child(request, Action.READ, obj=preparation or found)
    if step_number == OVERVIEW_STEP:
        return _overview(
            request, found, answers, SubmitPreparationForm(initial={"submit_token": uuid4()})
        )
    step = STEPS[step_number - 1]
    form = PreparationStepForm(
        initial=_initial(answers.get(step.question)), step=step, simple_mode=_simple(request)
    )
    return _step_page(request, found, step, form, answers)


def _simple(request: ChildHttpRequest) -> bool:
    return request.child_session.access.simple_mode


def _answers_of(preparation: MeetingPreparation | None) -> dict[str, PreparationAnswer]:
    """The child's own answers by question (the private ones too: they are the child's)."""
    if preparation is None:
        return {}
    return {answer.question: answer for answer in preparation.answers.all()}


def _step_from(value: str | None, answers: dict[str, PreparationAnswer]) -> int:
    """The step asked for, or else the first question without an answer (the overview when all
    have one): a reopened preparation continues where the child left it."""
    if value is not None and value.isdigit() and 1 <= int(value) <= OVERVIEW_STEP:
        return int(value)
    for step in STEPS:
        if step.question not in answers:
            return step.number
    return OVERVIEW_STEP


def _initial(answer: PreparationAnswer | None) -> dict[str, Any]:
    if answer is None:
        return {"shared": "ja"}
    return {
        "text": answer.text,
        "choice": answer.choice,
        "shared": "ja" if answer.shared else "nej",
    }


def _prepare_url(found: Meeting, step: int | None = None) -> str:
    url = reverse("portal:prepare", args=[found.code])
    return f"{url}?trin={step}" if step is not None else url


def _step_page(
    request: ChildHttpRequest,
    found: Meeting,
    step: Step,
    form: PreparationStepForm,
    answers: dict[str, PreparationAnswer],
) -> HttpResponse:
    context = {
        "meeting": found,
        "step": step,
        "steps": STEPS,
        "form": form,
        "answered": set(answers),
        "overview_step": OVERVIEW_STEP,
        "action": _prepare_url(found, step.number),
        "question": PreparationAnswer.Question(step.question).label,
    }
    return render(request, "portal/prepare.html", context)


def _save_step(
    request: ChildHttpRequest,
    found: Meeting,
    answers: dict[str, PreparationAnswer],
    *,
    autosave: bool,
) -> HttpResponse:
    number = request.POST.get("trin", "")
    if not number.isdigit() or not 1 <= int(number) <= len(STEPS):
        record_child(request, Action.READ, obj=found, criterion="prepare: no step")
        return redirect(_prepare_url(found))
    step = STEPS[int(number) - 1]
    form = PreparationStepForm(request.POST, step=step, simple_mode=_simple(request))
    if not form.is_valid():
        record_child(request, Action.READ, obj=found, criterion="prepare: not saved")
        if autosave:
            errors = [str(e) for field in form for e in field.errors]
            return HttpResponse(_("Ikke gemt: %(error)s") % {"error": errors[0] if errors else ""})
        return _step_page(request, found, step, form, answers)
    answer = form.answer()
    earlier = answers.get(step.question)
    if not form.has_choice and earlier is not None:
        answer["choice"] = earlier.choice  # a face chosen in the simple mode stays when it is off
    try:
        services.save_preparation_draft(
            found, access=request.child_session.access, question=step.question, **answer
        )
    except services.MeetingError:
        # Sent, cancelled or begun since the page was loaded: the page says which.
        record_child(request, Action.READ, obj=found, criterion="prepare: closed")
        if autosave:
            return HttpResponse(_("Ikke gemt"), status=409)
        return redirect(_prepare_url(found))
    if autosave:
        return HttpResponse(_("Gemt"))
    go = request.POST.get("gaa")
    if go == "senere":
        messages.success(request, _("Dine svar er gemt. Du kan fortsætte, når du vil."))
        return redirect("portal:meeting", found.code)
    if go == "tilbage":
        return redirect(_prepare_url(found, max(step.number - 1, 1)))
    return redirect(_prepare_url(found, step.number + 1))


def _overview_rows(answers: dict[str, PreparationAnswer]) -> list[dict[str, Any]]:
    rows = []
    for step in STEPS:
        answer = answers.get(step.question)
        rows.append(
            {
                "step": step,
                "question": PreparationAnswer.Question(step.question).label,
                "answer": answer,
                "choice": choice_label(step.question, answer.choice)
                if answer is not None and answer.choice
                else "",
                "is_empty": answer is None or not (answer.text or answer.choice),
            }
        )
    return rows


def _overview(
    request: ChildHttpRequest,
    found: Meeting,
    answers: dict[str, PreparationAnswer],
    form: SubmitPreparationForm,
    status: int = 200,
) -> HttpResponse:
    rows = _overview_rows(answers)
    context = {
        "meeting": found,
        "steps": STEPS,
        "answered": set(answers),
        "overview_step": OVERVIEW_STEP,
        "rows": rows,
        "has_answers": any(not row["is_empty"] for row in rows),
        "form": form,
        "editable": True,
        "action": _prepare_url(found, OVERVIEW_STEP),
    }
    return render(request, "portal/prepare_overview.html", context, status=status)


def _submit(request: ChildHttpRequest, found: Meeting) -> HttpResponse:
    """ "Send til din sagsbehandler": once, however often the button is pressed (T20); every
    answer is the same receipt (the sent page)."""
    form = SubmitPreparationForm(request.POST)
    if not form.is_valid():
        record_child(request, Action.READ, obj=found, criterion="prepare: incomplete submit")
        messages.error(request, _("Noget gik galt. Tryk på knappen igen."))
        return redirect(_prepare_url(found, OVERVIEW_STEP))
    try:
        services.submit_preparation(
            found,
            access=request.child_session.access,
            submit_token=form.cleaned_data["submit_token"],
        )
    except services.NothingToSubmit:
        record_child(request, Action.READ, obj=found, criterion="prepare: nothing to send")
        messages.error(
            request, _("Du har ikke svaret på noget endnu. Svar på mindst ét spørgsmål først.")
        )
        return redirect(_prepare_url(found, 1))
    except (services.MeetingCancelled, services.MeetingOver):
        record_child(request, Action.READ, obj=found, criterion="prepare: closed")
        return redirect(_prepare_url(found))
    except services.MeetingError as error:  # a token from another meeting's page
        record_child(request, Action.READ, obj=found, criterion="prepare: foreign token")
        raise SuspiciousOperation(str(error)) from error
    return redirect(_prepare_url(found))


def _already_sent(
    request: ChildHttpRequest,
    found: Meeting,
    preparation: MeetingPreparation,
    answers: dict[str, PreparationAnswer],
    *,
    autosave: bool,
) -> HttpResponse:
    """The receipt: what the child sent and when, read-only."""
    record_child(request, Action.READ, obj=preparation)
    if autosave:
        return HttpResponse(_("Ikke gemt. Du har allerede sendt dine svar."), status=409)
    if request.method == "POST" and "submit_token" not in request.POST:
        messages.info(request, _("Du har allerede sendt dine svar. De kan ikke ændres nu."))
        return redirect(_prepare_url(found))
    if request.method == "POST":
        return redirect(_prepare_url(found))  # a second "Send": the same receipt
    context = {"meeting": found, "preparation": preparation, "rows": _overview_rows(answers)}
    return render(request, "portal/prepare_sent.html", context)


def _closed(
    request: ChildHttpRequest,
    found: Meeting,
    answers: dict[str, PreparationAnswer],
    *,
    autosave: bool,
) -> HttpResponse:
    """A cancelled meeting, or one that has begun, cannot be prepared."""
    record_child(request, Action.READ, obj=found, criterion="prepare: closed")
    if autosave:
        return HttpResponse(_("Ikke gemt. Mødet kan ikke forberedes mere."), status=409)
    if request.method == "POST":
        return redirect(_prepare_url(found))
    context = {
        "meeting": found,
        "is_cancelled": found.status == Meeting.Status.CANCELLED,
        "rows": _overview_rows(answers) if answers else [],
    }
    return render(request, "portal/prepare_closed.html", context)


@for_child
@require_http_methods(["GET", "POST"])
def feedback(request: ChildHttpRequest, code: UUID) -> HttpResponse:
    """ "Følte du dig hørt?" and "Forstod du, hvad der blev besluttet?" after the summary; once
    per meeting however often it is sent (T20), then a thank-you with what the child said."""
    found = get_meeting_for_child(request, code)
    given = MeetingFeedback.objects.filter(meeting_id=found.pk).first()
    if given is not None:
        record_child(request, Action.READ, obj=given)
        if request.method == "POST":
            return redirect("portal:feedback", found.code)
        return _thanks(request, found, given)
    ready = found.summary_written_at is not None and found.status != Meeting.Status.CANCELLED
    if not ready:
        record_child(request, Action.READ, obj=found, criterion="feedback: no summary")
        context = {"meeting": found, "is_cancelled": found.status == Meeting.Status.CANCELLED}
        return render(request, "portal/feedback_wait.html", context)
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                services.give_feedback(
                    found,
                    access=request.child_session.access,
                    submit_token=form.cleaned_data["submit_token"],
                    **form.feedback_fields(),
                )
            except (services.NoSummary, services.MeetingCancelled):
                record_child(request, Action.READ, obj=found, criterion="feedback: closed")
                return redirect("portal:feedback", found.code)
            except services.MeetingError as error:  # a token from another meeting's page
                record_child(request, Action.READ, obj=found, criterion="feedback: foreign token")
                raise SuspiciousOperation(str(error)) from error
            return redirect("portal:feedback", found.code)
    else:
        form = FeedbackForm(initial={"submit_token": uuid4()})
    record_child(request, Action.READ, obj=found)
    context = {"meeting": found, "form": form}
    return render(request, "portal/feedback.html", context)


def _thanks(request: ChildHttpRequest, found: Meeting, given: MeetingFeedback) -> HttpResponse:
    context = {
        "meeting": found,
        "feedback": given,
        "felt_heard": feedback_label(given.felt_heard),
        "understood": feedback_label(given.understood),
    }
    return render(request, "portal/feedback_thanks.html", context)
