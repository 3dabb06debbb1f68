from __future__ import annotations

from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """The training programme: modules, sessions with attendance, and the onboarding path of a
    new caseworker."""

    name = "inddrag.training"
    verbose_name = "Uddannelse"
