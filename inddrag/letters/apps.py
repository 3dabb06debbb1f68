from __future__ import annotations

from django.apps import AppConfig


class LettersConfig(AppConfig):
    """What is written in a child's case: letters to the child and custody holders, and
    recommendations to the committee."""

    name = "inddrag.letters"
    verbose_name = "Breve og indstillinger"
