from __future__ import annotations

from django.apps import AppConfig


class ImplementationConfig(AppConfig):
    """The concept's implementation groups (steering, coordination, training) per municipality,
    and the dialogue space where groups of different municipalities share experience."""

    name = "inddrag.implementation"
    verbose_name = "Implementering"
