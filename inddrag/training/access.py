"""Object-level access to the training programme (rule 13). Another municipality's module,
session or onboarding step is a 404, and the attempt is logged as a denial (T1)."""

from __future__ import annotations

from uuid import UUID

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.audit.log import refuse
from inddrag.training.models import Module, OnboardingStep, TrainingSession
from inddrag.training.queries import visible_modules


def get_module_for_user(request: AuthenticatedHttpRequest, code: UUID) -> Module:
    """The concept's modules and the current municipality's own."""
    module = visible_modules(request.membership.municipality_id).filter(code=code).first()
    if module is None:
        refuse(request, f"training module {code}")
    return module


def get_session_for_user(request: AuthenticatedHttpRequest, code: UUID) -> TrainingSession:
    """A session of the current municipality."""
    session = (
        TrainingSession.objects.filter(
            municipality_id=request.membership.municipality_id, code=code
        )
        .select_related("module", "created_by")
        .first()
    )
    if session is None:
        refuse(request, f"training session {code}")
    return session


def get_step_for_user(request: AuthenticatedHttpRequest, module_code: UUID) -> OnboardingStep:
    """The step of the module in the current membership's own onboarding path: nobody else's,
    and a 404 when the module is not in the path."""
    step = (
        OnboardingStep.objects.filter(membership=request.membership, module__code=module_code)
        .select_related("module")
        .first()
    )
    if step is None:
        refuse(request, f"onboarding step of module {module_code}")
    return step
