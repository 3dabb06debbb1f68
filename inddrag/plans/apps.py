from __future__ import annotations

from django.apps import AppConfig


class PlansConfig(AppConfig):
    """Barnets plan: goals in the child's own words, approved in versions."""

    name = "inddrag.plans"
    verbose_name = "Barnets plan"
