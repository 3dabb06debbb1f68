"""The caseworker's pages of meetings framed with the child (core effort 1), and the leader's
feedback figures. Reads log a read, changes go through meeting_services (which log them)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record, refuse
from inddrag.children.access import get_editable_case_for_user
from inddrag.conversations import meeting_services as services
from inddrag.conversations.access import get_editable_meeting_for_user, get_meeting_for_user
from inddrag.conversations.meeting_forms import (
    FEEDBACK_SOURCE,
    CancelMeetingForm,
    CopyStatementForm,
    FeedbackFiguresForm,
    RecordMeetingForm,
    ScheduleMeetingForm,
    SummaryForm,
    choice_label,
    feedback_label,
)
from inddrag.conversations.models import Meeting, PreparationAnswer
from inddrag.conversations.queries import MIN_CHILDREN, meeting_page
from inddrag.conversations.queries import feedback_figures as figures_query
from inddrag.lib.readability import CHILD_TARGET, LONG_SENTENCE_WORDS, analyse

CANCEL = "cancel"  # the name of the "Aflys mødet" buttons: "ask", then "confirm"


def _read(request: AuthenticatedHttpRequest, meeting: Meeting, criterion: str = "") -> None:
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=meeting.case.child,
        obj=meeting,
        criterion=criterion,
    )


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest, case_code: UUID) -> HttpResponse:
    """Plan a meeting about the child and, unless the caseworker says not, invite the child."""
    case = get_editable_case_for_user(request, case_code)
    if request.method == "POST":
        form = ScheduleMeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.schedule_meeting(
                    case,
                    by=request.user,
                    membership=request.membership,
                    submit_token=form.cleaned_data["submit_token"],
                    **form.meeting_fields(),
                )
            except services.MeetingError as error:  # a token copied from another case
                raise SuspiciousOperation(str(error)) from error
            messages.success(request, _("Mødet er planlagt."))
            return redirect(meeting)
    else:
        form = ScheduleMeetingForm(initial={"submit_token": uuid4()})
    record(
        Action.READ, user=request.user, membership=request.membership, child=case.child, obj=case
    )
    context = {"case": case, "child": case.child, "form": form}
    return render(request, "conversations/meeting_form.html", context)


@allow(Role.CASEWORKER, Role.LEADER)
@require_GET
def detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    meeting, can_edit = get_meeting_for_user(request, code)
    _read(request, meeting)
    return _detail_page(request, meeting, can_edit=can_edit)


def _detail_page(
    request: AuthenticatedHttpRequest,
    meeting: Meeting,
    *,
    can_edit: bool,
    copy_form: CopyStatementForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = meeting_page(meeting)
    answers = [
        {
            "answer": answer,
            "question": PreparationAnswer.Question(answer.question).label,
            "choice": choice_label(answer.question, answer.choice) if answer.choice else "",
            "source": f"answer:{answer.question}",
            "in_case": answer.text in page.statement_texts,
        }
        for answer in page.shared_answers
    ]
    feedback = page.feedback
    context = {
        "meeting": meeting,
        "case": meeting.case,
        "child": meeting.case.child,
        "can_edit": can_edit,
        "is_leader": request.membership.role == Role.LEADER,
        "page": page,
        "answers": answers,
        "feedback": feedback,
        "felt_heard": feedback_label(feedback.felt_heard) if feedback else "",
        "understood": feedback_label(feedback.understood) if feedback else "",
        "feedback_in_case": bool(feedback and feedback.text in page.statement_texts),
        "feedback_source": FEEDBACK_SOURCE,
        "copy_form": copy_form or CopyStatementForm(),
        "can_record": can_edit and meeting.status != Meeting.Status.CANCELLED,
        "can_write_summary": can_edit and meeting.status == Meeting.Status.HELD,
        "can_copy": can_edit and meeting.conversation_id is not None,
    }
    return render(request, "conversations/meeting_detail.html", context, status=status)


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def record_held(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Record the meeting as held (notes for the case file; for a child conversation, the
    conversation in the case), or cancel it. Both carry the version the page was loaded at: a
    stale save gets the conflict page and keeps what was typed (T19)."""
    meeting = get_editable_meeting_for_user(request, code)
    offer = meeting.kind == Meeting.Kind.CHILD_CONVERSATION and meeting.conversation_id is None
    if meeting.status == Meeting.Status.CANCELLED:
        _read(request, meeting)
        messages.error(request, _("Mødet er aflyst. Det kan ikke registreres som holdt."))
        return redirect(meeting)
    if request.method == "POST" and CANCEL in request.POST:
        return _cancel(request, meeting)
    too_early = timezone.localdate(meeting.starts_at) > timezone.localdate()
    if request.method == "POST":
        form = RecordMeetingForm(request.POST, offer_conversation=offer)
        if too_early:
            form.add_error(
                None, _("Mødet er ikke holdt endnu. Registrér det på dagen eller senere.")
            )
        elif form.is_valid():
            try:
                services.record_meeting_held(
                    meeting,
                    by=request.user,
                    membership=request.membership,
                    version=form.cleaned_data["version"],
                    **form.record_fields(),
                )
            except services.MeetingConflict:
                return _record_conflict(request, meeting, form)
            except services.MeetingError as error:
                form.add_error(None, _message_of(error))
            else:
                messages.success(request, _("Mødet er registreret som holdt."))
                return redirect(meeting)
    else:
        initial: dict[str, Any] = {"notes": meeting.notes, "version": meeting.version}
        form = RecordMeetingForm(initial=initial, offer_conversation=offer)
    _read(request, meeting)
    context = _record_context(meeting, form, too_early=too_early)
    return render(request, "conversations/meeting_record.html", context)


def _record_context(
    meeting: Meeting, form: RecordMeetingForm, *, too_early: bool = False
) -> dict[str, Any]:
    return {
        "meeting": meeting,
        "case": meeting.case,
        "child": meeting.case.child,
        "form": form,
        "too_early": too_early,
        "can_cancel": meeting.status == Meeting.Status.PLANNED,
        "cancel": CANCEL,
    }


def _cancel(request: AuthenticatedHttpRequest, meeting: Meeting) -> HttpResponse:
    """ "Aflys mødet" asks first; "Ja, aflys mødet" cancels (from the version shown)."""
    form = CancelMeetingForm(request.POST)
    confirmed = request.POST.get(CANCEL) == "confirm"
    if confirmed and form.is_valid():
        try:
            services.cancel_meeting(
                meeting,
                by=request.user,
                membership=request.membership,
                version=form.cleaned_data["version"],
            )
        except services.MeetingConflict:
            _read(request, meeting, "cancel conflict")
            messages.error(
                request,
                _("Mødet er ændret, siden du åbnede siden. Se det igen, før du aflyser det."),
            )
            return redirect(meeting)
        except services.MeetingError as error:
            _read(request, meeting)
            messages.error(request, _message_of(error))
            return redirect(meeting)
        messages.success(request, _("Mødet er aflyst."))
        return redirect(meeting)
    _read(request, meeting)
    if meeting.status != Meeting.Status.PLANNED:
        messages.error(request, _("Kun et planlagt møde kan aflyses."))
        return redirect(meeting)
    context = {
        "meeting": meeting,
        "case": meeting.case,
        "child": meeting.case.child,
        "form": form if form.is_bound and not form.is_valid() else None,
        "version": form.cleaned_data["version"] if form.is_valid() else meeting.version,
        "cancel": CANCEL,
    }
    return render(request, "conversations/meeting_cancel.html", context)


def _record_conflict(
    request: AuthenticatedHttpRequest, meeting: Meeting, form: RecordMeetingForm
) -> HttpResponse:
    """The saved record next to the editor's own, which stays in the form (409, T19). The same
    record sent twice is no conflict."""
    saved = Meeting.objects.select_related("case__child", "conversation").get(pk=meeting.pk)
    sent = form.record_fields()
    if saved.status == Meeting.Status.HELD and saved.notes == sent["notes"]:
        _read(request, saved)
        messages.success(request, _("Mødet er registreret som holdt."))
        return redirect(saved)
    version = form.cleaned_data["version"]
    data = request.POST.copy()
    data["version"] = str(saved.version)  # saving again overwrites the version shown here
    offer = saved.kind == Meeting.Kind.CHILD_CONVERSATION and saved.conversation_id is None
    again = RecordMeetingForm(data, offer_conversation=offer)
    again.full_clean()
    _read(request, saved, f"edit conflict: version {version} is now {saved.version}")
    context = {**_record_context(saved, again), "conflict": True}
    return render(request, "conversations/meeting_record.html", context, status=409)


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def summary(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Write the summary to the child, with a readability hint: after "Tjek teksten" (which
    saves nothing), or with htmx as the caseworker types (only the hint is sent back)."""
    meeting = get_editable_meeting_for_user(request, code)
    if meeting.status != Meeting.Status.HELD:
        _read(request, meeting)
        messages.error(request, _("Registrér mødet som holdt, før du skriver, hvad I aftalte."))
        return redirect(meeting)
    if request.method == "POST" and request.htmx:
        _read(request, meeting, "readability check")
        hint = analyse(request.POST.get("summary", "")[:5000])
        context = {"readability": hint, **_hint_limits()}
        return render(request, "conversations/meeting_summary.html#readability", context)
    if request.method == "POST":
        form = SummaryForm(request.POST)
        if "check" not in request.POST and form.is_valid():
            try:
                services.write_summary(
                    meeting,
                    by=request.user,
                    membership=request.membership,
                    version=form.cleaned_data["version"],
                    summary=form.cleaned_data["summary"],
                )
            except services.MeetingConflict:
                return _summary_conflict(request, meeting, form)
            except services.MeetingError as error:
                form.add_error(None, _message_of(error))
            else:
                messages.success(request, _("Teksten er gemt. Barnet kan læse den i Inddrag."))
                return redirect(meeting)
        text = form.data.get("summary", "")
    else:
        form = SummaryForm(initial={"summary": meeting.summary, "version": meeting.version})
        text = meeting.summary
    _read(request, meeting)
    context = _summary_context(meeting, form, text)
    return render(request, "conversations/meeting_summary.html", context)


def _hint_limits() -> dict[str, int]:
    return {"child_target": CHILD_TARGET, "long_sentence_words": LONG_SENTENCE_WORDS}


def _summary_context(meeting: Meeting, form: SummaryForm, text: str) -> dict[str, Any]:
    return {
        "meeting": meeting,
        "case": meeting.case,
        "child": meeting.case.child,
        "form": form,
        "readability": analyse(text) if text else None,
        **_hint_limits(),
    }


def _summary_conflict(
    request: AuthenticatedHttpRequest, meeting: Meeting, form: SummaryForm
) -> HttpResponse:
    """The saved summary next to the editor's text, which stays in the form (409, T19)."""
    saved = Meeting.objects.select_related("case__child").get(pk=meeting.pk)
    text = form.cleaned_data["summary"]
    if saved.summary == text:  # the same form sent twice
        _read(request, saved)
        messages.success(request, _("Teksten er gemt. Barnet kan læse den i Inddrag."))
        return redirect(saved)
    version = form.cleaned_data["version"]
    data = request.POST.copy()
    data["version"] = str(saved.version)
    again = SummaryForm(data)
    again.full_clean()
    _read(request, saved, f"edit conflict: version {version} is now {saved.version}")
    context = {**_summary_context(saved, again, text), "conflict": True}
    return render(request, "conversations/meeting_summary.html", context, status=409)


@allow(Role.CASEWORKER)
@require_POST
def copy_statement(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Copy the child's own words from the meeting into the case as a statement. Only what the
    child shared: a private answer is not the caseworker's to read (a logged 404)."""
    meeting = get_editable_meeting_for_user(request, code)
    form = CopyStatementForm(request.POST)
    if not form.is_valid():
        _read(request, meeting, "copy statement: invalid form")
        return _detail_page(request, meeting, can_edit=True, copy_form=form)
    text = _childs_words(request, meeting, form.question)
    try:
        services.copy_to_case_statement(
            meeting,
            by=request.user,
            membership=request.membership,
            text=text,
            sharing=form.cleaned_data["sharing"],
        )
    except services.NoConversation:
        _read(request, meeting, "copy statement: no conversation")
        messages.error(
            request,
            _(
                "Barnets ord kan kun kopieres til en børnesamtale i sagen. Registrér mødet "
                "som børnesamtale først."
            ),
        )
    except services.AlreadyInCase:
        _read(request, meeting, "copy statement: already in the case")
        messages.info(request, _("Det står allerede i sagen med barnets egne ord."))
    else:
        messages.success(request, _("Barnets ord står nu i sagen."))
    return redirect(meeting)


def _childs_words(request: AuthenticatedHttpRequest, meeting: Meeting, question: str | None) -> str:
    """The words to copy: a shared answer of the sent preparation, or the feedback's text.
    Anything else (a private answer, a draft, nothing) is a logged 404."""
    if question is None:
        text = (
            meeting.feedback.text
            if hasattr(meeting, "feedback") and meeting.feedback.text
            else None
        )
    else:
        text = (
            PreparationAnswer.objects.filter(
                preparation__meeting_id=meeting.pk,
                preparation__submitted_at__isnull=False,
                question=question,
                shared=True,
            )
            .exclude(text="")
            .values_list("text", flat=True)
            .first()
        )
    if text is None:
        refuse(request, f"meeting {meeting.code}: no shared words {question or FEEDBACK_SOURCE}")
    return text


@allow(Role.LEADER)
@require_GET
def feedback_figures(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The children's feedback per caseworker in the leader's unit (the whole municipality for
    a leader of no single unit), for a period. Averages only behind five children or more."""
    membership = request.membership
    today = timezone.localdate()
    form = FeedbackFiguresForm(request.GET, today=today)
    context: dict[str, Any] = {
        "form": form,
        "unit": membership.unit,
        "min_children": MIN_CHILDREN,
    }
    if form.is_valid():
        start, end = form.period()
        rows, total = figures_query(
            municipality_id=membership.municipality_id,
            unit_id=membership.unit_id,
            start=timezone.make_aware(datetime.combine(start, time.min)),
            end=timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)),
        )
        scope = f"unit {membership.unit_id}" if membership.unit_id else "municipality"
        record(
            Action.LIST,
            user=request.user,
            membership=membership,
            criterion=f"feedback figures {start.isoformat()}..{end.isoformat()} {scope}",
        )
        context.update({"rows": rows, "total": total, "start": start, "end": end})
    return render(request, "conversations/feedback_figures.html", context)


def _message_of(error: services.MeetingError) -> str:
    if isinstance(error, services.MeetingCancelled):
        return _("Mødet er aflyst.")
    if isinstance(error, services.MeetingNotHeld):
        return _("Registrér mødet som holdt, før du skriver, hvad I aftalte.")
    if isinstance(error, services.MeetingNotYet):
        return _("Mødet er ikke holdt endnu. Registrér det på dagen eller senere.")
    return _("Det kunne ikke gemmes. Hent siden igen, og prøv igen.")
