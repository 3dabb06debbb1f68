from __future__ import annotations

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """Reminders before a child is overlooked: due items computed daily by the task worker,
    shown in the caseworker's inbox and sent as a content-free daily digest e-mail."""

    name = "inddrag.reminders"
    verbose_name = "Påmindelser"
