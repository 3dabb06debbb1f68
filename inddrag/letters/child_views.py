"""Letters in the child channel (/barn/breve/): the child reads a letter (the first open is the
read receipt) and can press "Jeg forstår det ikke — ring til mig", which asks the caseworker to
call within 2 working days. Mobile first; works without JavaScript; every read and change is
logged (T5)."""

from __future__ import annotations

from uuid import UUID, uuid4

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from inddrag.accounts.policy import for_child
from inddrag.audit.log import Action
from inddrag.letters import services
from inddrag.letters.access import get_letter_for_child
from inddrag.letters.forms import CallMeForm
from inddrag.letters.models import Letter
from inddrag.portal.access import record_child, refuse_child
from inddrag.portal.http import ChildHttpRequest
from inddrag.portal.messages import ANSWER_WITHIN_WORKING_DAYS, answer_due_on, caseworker_of
from inddrag.portal.models import ChildMessage

RECEIPT = "kvittering"  # ?kvittering=<code>: the receipt of "ring til mig" just sent


@for_child
@require_GET
def letter(request: ChildHttpRequest, code: UUID) -> HttpResponse:
    """A letter to the child, in large readable type, with "ring til mig" below it."""
    access = request.child_session.access
    letter = get_letter_for_child(request, code)
    services.open_letter(access, letter)
    form = CallMeForm(initial={"submit_token": uuid4()})
    return render(request, "portal/letter.html", _letter_context(request, letter, form))


@for_child
@require_http_methods(["GET", "POST"])
def call_me(request: ChildHttpRequest, code: UUID) -> HttpResponse:
    """ "Jeg forstår det ikke — ring til mig": the caseworker is asked to call (once per form:
    T20), and the child gets a receipt with the day by which the caseworker calls."""
    access = request.child_session.access
    letter = get_letter_for_child(request, code)
    url = reverse("portal:call_me", args=[letter.code])
    if request.method == "GET" and RECEIPT in request.GET:
        return _receipt(request, letter)
    if request.method == "POST":
        form = CallMeForm(request.POST)
        if form.is_valid():
            try:
                message = services.ask_to_be_called(
                    access,
                    letter,
                    text=form.cleaned_data["text"],
                    submit_token=form.cleaned_data["submit_token"],
                )
            except services.LetterError as error:  # a token copied from another form
                raise SuspiciousOperation(str(error)) from error
            # Every submit of the same form lands on the same receipt (T20).
            return redirect(f"{url}?{RECEIPT}={message.code}")
    else:
        form = CallMeForm(initial={"submit_token": uuid4()})
    record_child(request, Action.READ, obj=letter, criterion="call me form")
    return render(request, "portal/letter_call_me.html", _letter_context(request, letter, form))


def _letter_context(
    request: ChildHttpRequest, letter: Letter, form: CallMeForm
) -> dict[str, object]:
    """Note: one query, the child's open "ring til mig" on this letter."""
    access = request.child_session.access
    waiting = (
        ChildMessage.objects.filter(
            letter_id=letter.pk,
            child_id=access.child_id,
            kind=ChildMessage.Kind.CALL_ME,
            answered_at__isnull=True,
        )
        .order_by("-sent_at", "-pk")
        .first()
    )
    return {
        "letter": letter,
        "form": form,
        "waiting": waiting,
        "waiting_due_on": answer_due_on(waiting) if waiting is not None else None,
        "sender": letter.sent_by,
        "simple": access.simple_mode,
    }


def _receipt(request: ChildHttpRequest, letter: Letter) -> HttpResponse:
    """The receipt of the child's own "ring til mig" on this letter; anyone else's is a logged
    404."""
    access = request.child_session.access
    code = request.GET.get(RECEIPT, "")
    try:
        message_code = UUID(code)
    except ValueError:
        refuse_child(request, f"call me receipt {code[:40]}")
    message = ChildMessage.objects.filter(
        code=message_code,
        child_id=access.child_id,
        municipality_id=access.municipality_id,
        kind=ChildMessage.Kind.CALL_ME,
        letter_id=letter.pk,
    ).first()
    if message is None:
        refuse_child(request, f"child message {message_code}")
    record_child(request, Action.READ, obj=message)
    context = {
        "letter": letter,
        "message": message,
        "due_on": answer_due_on(message),
        "working_days": ANSWER_WITHIN_WORKING_DAYS,
        "caseworker": caseworker_of(letter.case),
        "simple": access.simple_mode,
    }
    return render(request, "portal/letter_call_me_receipt.html", context)
