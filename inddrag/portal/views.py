"""The child's own pages (/barn/): home, "Sig din mening", a bisidder, "Jeg føler mig ikke
tryg", "Mine beskeder", "Det skal du vide om mig" and the simple mode; and the public "Brug for
hjælp nu?". Mobile first; every page works without JavaScript (forms post and redirect), and
every read and change of the child's data writes an access event (`record_child`, T5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID, uuid4

from django.contrib import messages as flash
from django.core.exceptions import SuspiciousOperation
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from inddrag.accounts.policy import for_child, public
from inddrag.audit.log import Action
from inddrag.children.models import Case
from inddrag.conversations.models import Meeting, MeetingPreparation
from inddrag.letters.models import Letter
from inddrag.portal.access import current_case, record_child, refuse_child
from inddrag.portal.http import ChildHttpRequest
from inddrag.portal.messages import (
    ANSWER_WITHIN_WORKING_DAYS,
    AboutMeForm,
    BisidderForm,
    MessageError,
    MessageForm,
    SimpleModeForm,
    UnsafeForm,
    answer_due_on,
    case_for_unsafe,
    caseworker_of,
    initials,
    save_about_me,
    send_message,
    set_simple_mode,
)
from inddrag.portal.models import ChildMessage

Kind = ChildMessage.Kind
RECEIPT = "kvittering"  # ?kvittering=<code>: the receipt of a message just sent
MESSAGES_PER_PAGE = 20
FOR_YOU_LIMIT = 5


class ForYou(NamedTuple):
    """Something written to the child ("Til dig"): a meeting's summary or a letter; a letter the
    child has not opened yet is new."""

    title: str
    written_at: datetime
    url: str
    is_new: bool = False


@for_child
@require_GET
def home(request: ChildHttpRequest) -> HttpResponse:
    """The child's home: the next meeting, my caseworker, what was written to me (meeting
    summaries and letters, newest first), and every way to reach the caseworker, with "Jeg
    føler mig ikke tryg" first.

    Note: 6 queries besides the middleware's and the access event's (see test_home)."""
    access = request.child_session.access
    child = access.child
    case = current_case(request)
    meeting, caseworker, prepared = None, None, False
    if case is not None:
        meeting = (
            Meeting.objects.filter(
                case_id=case.pk,
                child_invited=True,
                status=Meeting.Status.PLANNED,
                starts_at__gte=timezone.now(),
            )
            .select_related("preparation")
            .order_by("starts_at", "pk")
            .first()
        )
        if meeting is not None:
            try:
                prepared = meeting.preparation.submitted_at is not None
            except MeetingPreparation.DoesNotExist:
                prepared = False
        caseworker = caseworker_of(case)
    summaries = Meeting.objects.filter(
        municipality_id=child.municipality_id,
        case__child_id=child.pk,
        child_invited=True,
        summary_written_at__isnull=False,
    ).order_by("-summary_written_at", "-pk")[:FOR_YOU_LIMIT]
    letters = (
        Letter.objects.filter(
            municipality_id=child.municipality_id,
            case__child_id=child.pk,
            audience=Letter.Audience.CHILD,
            sent_at__isnull=False,
        )
        .only("code", "subject", "sent_at", "read_at")
        .order_by("-sent_at", "-pk")[:FOR_YOU_LIMIT]
    )
    for_you = [
        ForYou(
            title=_("Det aftalte vi: %(meeting)s") % {"meeting": summary.get_kind_display()},
            written_at=summary.summary_written_at or summary.starts_at,
            url=reverse("portal:meeting", args=[summary.code]),
        )
        for summary in summaries
    ] + [
        ForYou(
            title=_("Brev: %(subject)s") % {"subject": letter.subject},
            written_at=letter.sent_at,
            url=reverse("portal:letter", args=[letter.code]),
            is_new=letter.read_at is None,
        )
        for letter in letters
        if letter.sent_at is not None
    ]
    for_you = sorted(for_you, key=lambda item: item.written_at, reverse=True)[:FOR_YOU_LIMIT]
    latest = list(
        ChildMessage.objects.filter(
            child_id=child.pk, municipality_id=child.municipality_id
        ).order_by("-sent_at", "-pk")[:3]
    )
    record_child(request, Action.READ, obj=case, criterion="portal home")
    context = {
        "case": case,
        "meeting": meeting,
        "prepared": prepared,
        "caseworker": caseworker,
        "initials": initials(caseworker) if caseworker is not None else "",
        "for_you": for_you,
        "latest": latest,
        "simple": access.simple_mode,
    }
    return render(request, "portal/home.html", context)


@public
@require_GET
def help_now(request: HttpRequest) -> HttpResponse:
    """Where to get help right now. Static: no query, no access event, no tracking."""
    return render(request, "portal/help.html")


def _send_page(
    request: ChildHttpRequest,
    *,
    kind: str,
    form_class: type[MessageForm | BisidderForm | UnsafeForm],
    template: str,
    receipt: str,
) -> HttpResponse:
    """A page that sends one kind of message: the form, the sending (once per form: T20), and
    the receipt the POST redirects to. A child without an open case sends nothing (except
    "Jeg føler mig ikke tryg", which goes to the child's newest case so the unit sees it)."""
    access = request.child_session.access
    url = reverse(f"portal:{kind}")  # the URL names are the kinds
    if request.method == "GET" and RECEIPT in request.GET:
        return _receipt(request, kind=kind, template=receipt)
    case = current_case(request)
    if case is None and kind == Kind.UNSAFE:
        case = case_for_unsafe(access.child)
    if request.method == "POST":
        form = form_class(request.POST)
        if case is not None and form.is_valid():
            try:
                sent = send_message(
                    access,
                    case,
                    kind=kind,
                    text=form.cleaned_data["text"],
                    submit_token=form.cleaned_data["submit_token"],
                )
            except MessageError as error:  # a token copied from another form
                raise SuspiciousOperation(str(error)) from error
            # Every submit of the same form lands on the same receipt (T20).
            return redirect(f"{url}?{RECEIPT}={sent.code}")
    else:
        form = form_class(initial={"submit_token": uuid4()})
    record_child(request, Action.READ, obj=case, criterion=f"portal {kind} form")
    context = {"form": form, "case": case, "action": url, "simple": access.simple_mode}
    return render(request, f"portal/{template}.html", context)


def _receipt(request: ChildHttpRequest, *, kind: str, template: str) -> HttpResponse:
    """The receipt of one of the child's own messages; anyone else's is a logged 404."""
    access = request.child_session.access
    code = request.GET.get(RECEIPT, "")
    try:
        message_code = UUID(code)
    except ValueError:
        refuse_child(request, f"child message receipt {code[:40]}")
    message = (
        ChildMessage.objects.filter(
            code=message_code,
            child_id=access.child_id,
            municipality_id=access.municipality_id,
            kind=kind,
        )
        .select_related("case")
        .first()
    )
    if message is None:
        refuse_child(request, f"child message {message_code}")
    caseworker = caseworker_of(message.case) if message.case.status == Case.Status.OPEN else None
    record_child(request, Action.READ, obj=message)
    context = {
        "message": message,
        "due_on": answer_due_on(message),
        "working_days": ANSWER_WITHIN_WORKING_DAYS,
        "caseworker": caseworker,
        "simple": access.simple_mode,
    }
    return render(request, f"portal/{template}.html", context)


@for_child
@require_http_methods(["GET", "POST"])
def message(request: ChildHttpRequest) -> HttpResponse:
    """ "Sig din mening": tell the caseworker anything, at any time."""
    return _send_page(
        request,
        kind=Kind.MESSAGE,
        form_class=MessageForm,
        template="message",
        receipt="message_receipt",
    )


@for_child
@require_http_methods(["GET", "POST"])
def bisidder(request: ChildHttpRequest) -> HttpResponse:
    """ "Jeg vil gerne have en bisidder" (barnets lov § 6)."""
    return _send_page(
        request,
        kind=Kind.BISIDDER,
        form_class=BisidderForm,
        template="message_bisidder",
        receipt="message_receipt",
    )


@for_child
@require_http_methods(["GET", "POST"])
def unsafe(request: ChildHttpRequest) -> HttpResponse:
    """ "Jeg føler mig ikke tryg": one button; the caseworker sees it at the top of the caseload
    at once. Never hidden by any of the child's sharing choices."""
    return _send_page(
        request,
        kind=Kind.UNSAFE,
        form_class=UnsafeForm,
        template="unsafe",
        receipt="unsafe_receipt",
    )


@for_child
@require_GET
def messages(request: ChildHttpRequest) -> HttpResponse:
    """ "Mine beskeder": what the child sent, newest first, each with its answer."""
    access = request.child_session.access
    sent = (
        ChildMessage.objects.filter(
            child_id=access.child_id, municipality_id=access.municipality_id
        )
        .select_related("answered_by")
        .order_by("-sent_at", "-pk")
    )
    page = Paginator(sent, MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    items = [
        (item, due_on, due_on < today)
        for item in page.object_list
        for due_on in [answer_due_on(item)]
    ]
    record_child(request, Action.LIST, criterion=f"portal messages page={page.number}")
    context = {"page": page, "items": items, "simple": access.simple_mode}
    return render(request, "portal/messages.html", context)


@for_child
@require_http_methods(["GET", "POST"])
def about_me(request: ChildHttpRequest) -> HttpResponse:
    """ "Det skal du vide om mig": a page the child writes for a new caseworker."""
    access = request.child_session.access
    if request.method == "POST":
        form = AboutMeForm(request.POST)
        if form.is_valid():
            save_about_me(access, text=form.cleaned_data["about_me"])
            flash.success(request, _("Det er gemt. Din sagsbehandler kan læse det."))
            return redirect("portal:about_me")
    else:
        form = AboutMeForm(initial={"about_me": access.about_me})
    record_child(request, Action.READ, obj=access, criterion="portal about me")
    context: dict[str, Any] = {"form": form, "access": access, "simple": access.simple_mode}
    return render(request, "portal/about_me.html", context)


@for_child
@require_http_methods(["GET", "POST"])
def simple_mode(request: ChildHttpRequest) -> HttpResponse:
    """Switch the simple mode (big pictures, read-aloud) on or off; the button is on the home
    page, where this returns to. `simple_mode=on|off` says which, so sending twice is harmless;
    without it, the mode is switched."""
    access = request.child_session.access
    if request.method == "POST":
        form = SimpleModeForm(request.POST)
        wanted = form.cleaned_data["simple_mode"] if form.is_valid() else ""
        simple = wanted == "on" if wanted else not access.simple_mode
        if simple != access.simple_mode:
            set_simple_mode(access, simple_mode=simple)
    return redirect("portal:home")
