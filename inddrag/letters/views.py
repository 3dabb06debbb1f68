"""Letters to the child and to custody holders (/breve/): the composer with its readability
panel, the letter, sending, the PDF, and the municipality's list of bureaucratic words. Reads
log a read, the PDF an export; changes go through letters.services (which log them)."""

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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record
from inddrag.children.access import get_editable_case_for_user
from inddrag.children.models import Case, NetworkMember
from inddrag.letters import services
from inddrag.letters.access import get_editable_letter_for_user, get_letter_for_user
from inddrag.letters.forms import (
    LETTER_FIELDS,
    EditLetterForm,
    LetterForm,
    NewLetterForm,
    PlainWordForm,
    RetirePlainWordForm,
    SendLetterForm,
    TemplateChoiceForm,
)
from inddrag.letters.models import Letter, PlainWord
from inddrag.lib.dates import age_on
from inddrag.lib.pdf import render_pdf
from inddrag.portal.models import ChildAccess, ChildMessage

Audience = Letter.Audience
CHECK = "check"  # the name of the "Tjek teksten" button: show the panel, save nothing
USE_TEMPLATE = "use_template"  # the name of the "Brug skabelonen" button
RETIRE = "fjern"  # ?fjern=<term>: the confirmation of retiring one of the municipality's words


def _read(request: AuthenticatedHttpRequest, letter: Letter, criterion: str = "") -> None:
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=letter.case.child,
        obj=letter,
        criterion=criterion,
    )


# The composer.


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest, case_code: UUID) -> HttpResponse:
    """Write a new letter in the case, from a template or blank; it is saved as a draft."""
    case = get_editable_case_for_user(request, case_code)
    if request.method == "POST" and request.htmx:
        return _panel(request, case, obj=case)
    wants_template = request.method == "POST" and USE_TEMPLATE in request.POST
    chooser = TemplateChoiceForm(
        request.POST if wants_template else None,
        municipality_id=case.municipality_id,
        prefix="start",
    )
    form: LetterForm
    if wants_template:
        form = _from_template(request, case, chooser)
    elif request.method == "POST":
        form = NewLetterForm(request.POST)
        if CHECK not in request.POST and form.is_valid():
            try:
                letter = services.create_letter(
                    case,
                    by=request.user,
                    membership=request.membership,
                    submit_token=form.cleaned_data["submit_token"],
                    **form.letter_fields(),
                )
            except services.LetterError as error:  # a token copied from another case
                raise SuspiciousOperation(str(error)) from error
            messages.success(
                request, _("Brevet er gemt som kladde. Læs det igennem, og send det herfra.")
            )
            return redirect(letter)
    else:
        form = NewLetterForm(initial=_new_letter_initial(case))
    record(
        Action.READ, user=request.user, membership=request.membership, child=case.child, obj=case
    )
    context = _composer_context(
        case, form, action=reverse("letters:create", args=[case.code]), chooser=chooser
    )
    return render(request, "letters/letter_form.html", context)


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Change a draft. The form carries the version it was loaded at; if someone saved the
    letter since, the editor gets the conflict page and keeps their text (T19). A sent letter
    is not changed."""
    letter = get_editable_letter_for_user(request, code)
    case = letter.case
    if letter.sent_at is not None:
        _read(request, letter)
        messages.info(request, _("Brevet er sendt og kan ikke ændres."))
        return redirect(letter)
    if request.method == "POST" and request.htmx:
        return _panel(request, case, obj=letter)
    if request.method == "POST":
        form = EditLetterForm(request.POST)
        if CHECK not in request.POST and form.is_valid():
            try:
                services.update_letter(
                    letter,
                    by=request.user,
                    membership=request.membership,
                    version=form.cleaned_data["version"],
                    **form.letter_fields(),
                )
            except services.LetterAlreadySent:
                _read(request, letter)
                messages.info(request, _("Brevet blev sendt, før du gemte. Det er ikke ændret."))
                return redirect(letter)
            except services.LetterConflict:
                return _conflict(request, letter, form)
            messages.success(request, _("Kladden er gemt."))
            return redirect(letter)
    else:
        initial: dict[str, Any] = {name: getattr(letter, name) for name in LETTER_FIELDS}
        initial["version"] = letter.version
        form = EditLetterForm(initial=initial)
    _read(request, letter)
    context = _composer_context(
        case, form, action=reverse("letters:edit", args=[letter.code]), letter=letter
    )
    return render(request, "letters/letter_form.html", context)


def _panel(request: AuthenticatedHttpRequest, case: Case, *, obj: Case | Letter) -> HttpResponse:
    """htmx, as the caseworker types: only the readability panel, nothing saved. The text was
    read, so that is logged."""
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=case.child,
        obj=obj,
        criterion="readability check",
    )
    audience = request.POST.get("audience", Audience.CHILD)
    body = request.POST.get("body", "")
    analysis = services.readability_of(
        body, audience=audience, municipality_id=case.municipality_id
    )
    return render(request, "letters/letter_form.html#panel", {"analysis": analysis})


def _new_letter_initial(case: Case) -> dict[str, Any]:
    return {"submit_token": uuid4(), "audience": Audience.CHILD, "recipient": case.child.first_name}


def _from_template(
    request: AuthenticatedHttpRequest, case: Case, chooser: TemplateChoiceForm
) -> NewLetterForm:
    """ "Brug skabelonen" (its own form, above the letter's): a new letter, unbound (nothing is
    marked as an error yet), with the template's audience, subject and text and the matching
    recipient; "Tomt brev" gives an empty one."""
    initial = _new_letter_initial(case)
    if chooser.is_valid() and chooser.cleaned_data["template"] is not None:
        template = chooser.cleaned_data["template"]
        subject, body = services.fill_template(template, case=case, by=request.user)
        initial.update(audience=template.audience, subject=subject, body=body)
        initial["recipient"] = _recipient_for(case, template.audience)
    return NewLetterForm(initial=initial)


def _recipient_for(case: Case, audience: str) -> str:
    """The child's first name, or the names of the child's custody holders. Note: one query for
    custody holders."""
    if audience == Audience.CHILD:
        return case.child.first_name
    names = NetworkMember.objects.filter(
        child_id=case.child_id, kind=NetworkMember.Kind.CUSTODY_HOLDER
    ).exclude(ended_on__lte=timezone.localdate())
    return _(" og ").join(names.order_by("name", "pk").values_list("name", flat=True))


def _composer_context(
    case: Case,
    form: LetterForm,
    *,
    action: str,
    letter: Letter | None = None,
    chooser: TemplateChoiceForm | None = None,
) -> dict[str, Any]:
    """The composer's page. The panel shows the text in the form: as typed, or as loaded."""
    audience = str(form["audience"].value() or Audience.CHILD)
    body = str(form["body"].value() or "")
    analysis = services.readability_of(
        body, audience=audience, municipality_id=case.municipality_id
    )
    return {
        "case": case,
        "child": case.child,
        "letter": letter,
        "form": form,
        "chooser": chooser,
        "action": action,
        "analysis": analysis if body.strip() else None,
        "back": letter.get_absolute_url() if letter else case.get_absolute_url(),
        "check": CHECK,
        "use_template": USE_TEMPLATE,
    }


def _conflict(
    request: AuthenticatedHttpRequest, letter: Letter, form: EditLetterForm
) -> HttpResponse:
    """The saved version next to the editor's own, which stays in the form: they can save it
    over the new version knowingly, or go back (409 Conflict). If the saved version is what
    they sent (the same form sent twice), that is no conflict."""
    saved = Letter.objects.select_related("case__child", "case__unit").get(pk=letter.pk)
    sent = form.letter_fields()
    if all(getattr(saved, name) == value for name, value in sent.items()):
        _read(request, saved)
        messages.success(request, _("Kladden er gemt."))
        return redirect(saved)
    version = form.cleaned_data["version"]
    data = request.POST.copy()
    data["version"] = str(saved.version)  # saving again overwrites the version shown here
    again = EditLetterForm(data)
    again.full_clean()
    _read(request, saved, f"edit conflict: version {version} is now {saved.version}")
    context = _composer_context(
        saved.case, again, action=reverse("letters:edit", args=[saved.code]), letter=saved
    )
    context.update(conflict=True, saved=saved)
    return render(request, "letters/letter_form.html", context, status=409)


# The letter.


@allow(Role.CASEWORKER, Role.LEADER)
@require_GET
def detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    letter, can_edit = get_letter_for_user(request, code)
    _read(request, letter)
    return _detail_page(request, letter, can_edit=can_edit)


@allow(Role.CASEWORKER)
@require_POST
def send(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Send the draft. A letter to a child under 15 above the LIX limit is sent only with the
    confirmation; without it (or with a [bracket] left), nothing is sent and the page says
    why."""
    letter = get_editable_letter_for_user(request, code)
    form = SendLetterForm(request.POST)
    if not form.is_valid():  # an old or altered page: nothing is sent
        _read(request, letter)
        messages.error(request, _("Brevet er ikke sendt: siden var for gammel. Prøv igen."))
        return redirect(letter)
    try:
        services.send_letter(
            letter,
            by=request.user,
            membership=request.membership,
            version=form.cleaned_data["version"],
            confirmed_hard_text=form.cleaned_data["confirm_hard_text"],
        )
    except services.LetterAlreadySent:
        _read(request, letter)
        messages.info(request, _("Brevet var allerede sendt."))
        return redirect(letter)
    except services.LetterConflict:
        _read(request, letter)
        messages.error(
            request,
            _("Brevet er ikke sendt: det er ændret, siden du åbnede det. Læs det igen, og send."),
        )
        return redirect(letter)
    except services.HardTextNotConfirmed:
        _read(request, letter)
        form.add_error(
            "confirm_hard_text",
            _(
                "Brevet er ikke sendt. Teksten er svær for et barn under 15 år. Gør den lettere, "
                "eller sæt kryds for at bekræfte, at barnet får hjælp til at forstå den."
            ),
        )
        return _detail_page(request, letter, can_edit=True, send_form=form)
    except services.PlaceholdersLeft as error:
        _read(request, letter)
        form.add_error(
            None,
            _("Brevet er ikke sendt. Udfyld først det, der står i skarpe parenteser: %(list)s.")
            % {"list": ", ".join(error.placeholders)},
        )
        return _detail_page(request, letter, can_edit=True, send_form=form)
    if letter.audience == Audience.CHILD:
        messages.success(
            request,
            _("Brevet er sendt til %(name)s.") % {"name": letter.case.child.first_name},
        )
    else:
        messages.success(
            request,
            _("Brevet er markeret som sendt. Send PDF'en til modtagerne, fx med Digital Post."),
        )
    return redirect(letter)


def _detail_page(
    request: AuthenticatedHttpRequest,
    letter: Letter,
    *,
    can_edit: bool,
    send_form: SendLetterForm | None = None,
) -> HttpResponse:
    """The letter, its state, its readability and, for a draft, the sending form. Note: three
    queries besides the letter (the word list, the child's access, the child's calls)."""
    case, child = letter.case, letter.case.child
    analysis = services.readability_of(
        letter.body, audience=letter.audience, municipality_id=letter.municipality_id
    )
    today = timezone.localdate()
    lix = letter.lix if letter.lix is not None else analysis.text.lix_rounded
    is_draft = letter.sent_at is None
    needs_confirmation = is_draft and services.needs_confirmation(letter, lix=lix, today=today)
    if is_draft and can_edit and send_form is None:
        send_form = SendLetterForm(initial={"version": letter.version})
    for_child = letter.audience == Audience.CHILD
    calls = (
        list(
            ChildMessage.objects.filter(
                letter_id=letter.pk, kind=ChildMessage.Kind.CALL_ME
            ).order_by("-sent_at", "-pk")
        )
        if for_child and not is_draft
        else []
    )
    context = {
        "letter": letter,
        "case": case,
        "child": child,
        "can_edit": can_edit,
        "is_draft": is_draft,
        "for_child": for_child,
        "analysis": analysis,
        "lix": lix,
        "age": age_on(child.birth_date, today),
        "confirmation_age": services.CONFIRMATION_AGE,
        "needs_confirmation": needs_confirmation,
        "send_form": send_form if is_draft and can_edit else None,
        "child_has_access": for_child and ChildAccess.objects.filter(child_id=child.pk).exists(),
        "calls": calls,
    }
    return render(request, "letters/letter_detail.html", context)


@allow(Role.CASEWORKER, Role.LEADER)
@require_GET
def pdf(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The letter as a PDF to print or send (an export in the access log)."""
    letter, _can_edit = get_letter_for_user(request, code)
    record(
        Action.EXPORT,
        user=request.user,
        membership=request.membership,
        child=letter.case.child,
        obj=letter,
        criterion="letter pdf",
    )
    dated = timezone.localdate(letter.sent_at) if letter.sent_at else timezone.localdate()
    content = render_pdf("letters/pdf_letter.html", pdf_context(letter, dated=dated))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="brev-{dated.isoformat()}.pdf"'
    return response


def pdf_context(letter: Letter, *, dated: Any) -> dict[str, Any]:
    """What the PDF shows: the municipality and unit as sender, the date, the recipient, the
    subject, the text, and the caseworker's name and phone. Note: reads letter.case.unit,
    letter.municipality and the sender."""
    sender = letter.sent_by or letter.created_by
    return {
        "letter": letter,
        "municipality": letter.municipality,
        "unit": letter.case.unit,
        "dated": dated,
        "sender": sender,
        "sender_name": sender.get_full_name() or sender.get_username(),
        "is_draft": letter.sent_at is None,
    }


# The municipality's list of bureaucratic words.


@allow(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def plain_words(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everyone's words and the municipality's own; the administrator adds a word with its plain
    alternative, or retires one of the municipality's own (after a confirmation)."""
    municipality = request.membership.municipality
    form = PlainWordForm(municipality_id=municipality.pk)
    if request.method == "POST" and RETIRE in request.POST:
        retire = RetirePlainWordForm({"term": request.POST.get(RETIRE, "")})
        if retire.is_valid():
            try:
                services.retire_plain_word(
                    municipality,
                    by=request.user,
                    membership=request.membership,
                    term=retire.cleaned_data["term"],
                )
            except services.LetterError:
                messages.info(request, _("Ordet var allerede fjernet fra listen."))
            else:
                messages.success(
                    request,
                    _("»%(term)s« er fjernet fra kommunens liste.")
                    % {"term": retire.cleaned_data["term"]},
                )
        return redirect("letters:plain_words")
    if request.method == "POST":
        form = PlainWordForm(request.POST, municipality_id=municipality.pk)
        if form.is_valid():
            try:
                services.add_plain_word(
                    municipality,
                    by=request.user,
                    membership=request.membership,
                    term=form.cleaned_data["term"],
                    plain=form.cleaned_data["plain"],
                )
            except services.LetterError:  # added by another administrator meanwhile
                messages.info(request, _("Ordet står allerede på kommunens liste."))
            else:
                messages.success(
                    request,
                    _("»%(term)s« er tilføjet. Sagsbehandlerne ser det, når de skriver breve.")
                    % {"term": form.cleaned_data["term"]},
                )
            return redirect("letters:plain_words")
    words = PlainWord.objects.filter(municipality_id=municipality.pk).order_by("term")
    own = [word for word in words if word.disabled_on is None]
    retired = [word for word in words if word.disabled_on is not None]
    everyone = PlainWord.objects.filter(
        municipality__isnull=True, disabled_on__isnull=True
    ).order_by("term")
    confirm = None
    if RETIRE in request.GET:
        confirm = next((w for w in own if w.term == request.GET[RETIRE]), None)
    context = {
        "form": form,
        "own": own,
        "retired": retired,
        "everyone": everyone,
        "confirm": confirm,
        "retire": RETIRE,
        "overridden": {word.term for word in own},
    }
    return render(request, "letters/plain_words.html", context)
