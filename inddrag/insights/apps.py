from __future__ import annotations

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Leader insights: the figures of whether children are heard, per unit, municipality and
    (aggregates only) across municipalities, from tables the task worker keeps up to date."""

    name = "inddrag.insights"
    verbose_name = "Indsigt"
