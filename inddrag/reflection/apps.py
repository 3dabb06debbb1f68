from __future__ import annotations

from django.apps import AppConfig


class ReflectionConfig(AppConfig):
    """Reflection on one's own practice (core effort 3): personal reflections, team sessions on
    pseudonymised case vignettes, leaders' quarterly reflections, and their follow-up items."""

    name = "inddrag.reflection"
    verbose_name = "Refleksion"
