"""Recommendations to the committee (indstilling til Børne- og Ungeudvalget), /breve/indstillinger/:
written by the case's caseworker, read by the caseworker and the unit's leader, and exported as
a PDF for the committee. "Barnets perspektiv" comes first, in the caseworker's words and in the
child's own, quoted only as far as the child agreed to share them."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID, uuid4

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.accounts.policy import Role, allow
from inddrag.audit.log import Action, record
from inddrag.children.access import get_editable_case_for_user
from inddrag.children.models import Case
from inddrag.letters import recommendation_services as services
from inddrag.letters.models import Recommendation
from inddrag.letters.recommendation_access import (
    get_editable_recommendation_for_user,
    get_recommendation_for_user,
)
from inddrag.letters.recommendation_forms import (
    NOT_QUOTABLE,
    EditRecommendationForm,
    NewRecommendationForm,
    RecommendationForm,
)
from inddrag.lib.pdf import render_pdf


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest, case_code: UUID) -> HttpResponse:
    """Write a recommendation for the case; only its caseworker may."""
    case = get_editable_case_for_user(request, case_code)
    if request.method == "POST":
        form = NewRecommendationForm(request.POST, case=case)
        if form.is_valid():
            try:
                recommendation = services.create_recommendation(
                    case,
                    by=request.user,
                    membership=request.membership,
                    submit_token=form.cleaned_data["submit_token"],
                    **form.values(),
                )
            except services.SubmitTokenUsed as error:  # a token copied from another case
                raise SuspiciousOperation(str(error)) from error
            except services.NotQuotable:  # the child's choice changed since the form was read
                form.add_error("quotes", NOT_QUOTABLE)
            else:
                messages.success(request, _("Indstillingen er gemt."))
                return redirect(recommendation)
    else:
        form = NewRecommendationForm(initial={"submit_token": uuid4()}, case=case)
    record(
        Action.READ, user=request.user, membership=request.membership, child=case.child, obj=case
    )
    context = _form_context(
        case,
        form,
        action=reverse("letters:recommendation_create", args=[case.code]),
        back=case.get_absolute_url(),
    )
    return render(request, "letters/recommendation_form.html", context)


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET"])
def detail(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    recommendation, can_edit = get_recommendation_for_user(request, code)
    case = recommendation.case
    context = {
        "recommendation": recommendation,
        "case": case,
        "child": case.child,
        "quotes": services.quotes_of(recommendation),
        "withdrawn": services.withdrawn_quote_count(recommendation) if can_edit else 0,
        "can_edit": can_edit,
    }
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=case.child,
        obj=recommendation,
    )
    return render(request, "letters/recommendation_detail.html", context)


@allow(Role.CASEWORKER)
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """Edit a recommendation. The form carries the version it was loaded at; if someone saved
    it since, the editor gets the conflict page and keeps their text (T19)."""
    recommendation = get_editable_recommendation_for_user(request, code)
    case = recommendation.case
    if request.method == "POST":
        form = EditRecommendationForm(request.POST, case=case)
        if form.is_valid():
            try:
                services.update_recommendation(
                    recommendation,
                    by=request.user,
                    membership=request.membership,
                    version=form.cleaned_data["version"],
                    **form.values(),
                )
            except services.RecommendationConflict:
                return _conflict(request, recommendation, form)
            except services.NotQuotable:
                form.add_error("quotes", NOT_QUOTABLE)
            else:
                messages.success(request, _("Indstillingen er gemt."))
                return redirect(recommendation)
    else:
        initial: dict[str, Any] = {name: getattr(recommendation, name) for name in services.FIELDS}
        initial["version"] = recommendation.version
        initial["quotes"] = [s.pk for s in services.quotes_of(recommendation)]
        form = EditRecommendationForm(initial=initial, case=case)
    record(
        Action.READ,
        user=request.user,
        membership=request.membership,
        child=case.child,
        obj=recommendation,
    )
    context = _form_context(
        case,
        form,
        recommendation=recommendation,
        action=reverse("letters:recommendation_edit", args=[recommendation.code]),
        back=recommendation.get_absolute_url(),
    )
    return render(request, "letters/recommendation_form.html", context)


@allow(Role.CASEWORKER, Role.LEADER)
@require_http_methods(["GET"])
def pdf(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The recommendation as a PDF for the committee: an export, and logged as one."""
    recommendation, _can_edit = get_recommendation_for_user(request, code)
    case = recommendation.case
    context = {
        "recommendation": recommendation,
        "case": case,
        "child": case.child,
        "age": case.child.age(today=timezone.localdate()),
        "quotes": services.quotes_of(recommendation),
    }
    content = render_pdf("letters/pdf_recommendation.html", context)
    record(
        Action.EXPORT,
        user=request.user,
        membership=request.membership,
        child=case.child,
        obj=recommendation,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(case)}"'
    return response


def pdf_filename(case: Case) -> str:
    """indstilling-<reference>.pdf, with anything but letters, digits, "-" and "_" of the
    reference made a "-" (the header's quoting stays simple and safe)."""
    return "indstilling-{}.pdf".format(re.sub(r"[^A-Za-z0-9_-]", "-", case.reference))


def _conflict(
    request: AuthenticatedHttpRequest, recommendation: Recommendation, form: RecommendationForm
) -> HttpResponse:
    """The saved version next to the editor's own, which stays in the form: they can save it
    over the new version knowingly, or go back (409 Conflict). If the saved version is what
    they sent (the same form sent twice), that is no conflict."""
    saved = Recommendation.objects.select_related(
        "case__child", "case__unit", "case__municipality", "created_by"
    ).get(pk=recommendation.pk)
    sent = form.values()
    saved_quotes = services.quotes_of(saved)
    if all(getattr(saved, name) == sent[name] for name in services.FIELDS) and [
        s.pk for s in saved_quotes
    ] == [s.pk for s in sent["quotes"]]:
        messages.success(request, _("Indstillingen er gemt."))
        return redirect(saved)
    version = form.cleaned_data["version"]
    data = request.POST.copy()
    data["version"] = str(saved.version)  # saving again overwrites the version shown here
    case = saved.case
    mine = EditRecommendationForm(data, case=case)
    mine.full_clean()
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
        mine,
        recommendation=saved,
        action=reverse("letters:recommendation_edit", args=[saved.code]),
        back=saved.get_absolute_url(),
    )
    context["saved_quotes"] = saved_quotes
    return render(request, "letters/recommendation_conflict.html", context, status=409)


def _form_context(
    case: Case,
    form: RecommendationForm,
    *,
    action: str,
    back: str,
    recommendation: Recommendation | None = None,
) -> dict[str, Any]:
    return {
        "case": case,
        "child": case.child,
        "recommendation": recommendation,
        "form": form,
        "action": action,
        "back": back,
        "summary": services.involvement_summary(case, today=timezone.localdate()),
        "withdrawn": (
            services.withdrawn_quote_count(recommendation) if recommendation is not None else 0
        ),
    }
