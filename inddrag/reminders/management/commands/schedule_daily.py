"""Queue today's daily task (reminders, figures, digests) unless it is queued or done already.
`./run` calls it before it starts the worker; the task then queues the next day's run itself."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from inddrag.reminders.tasks import schedule_daily


class Command(BaseCommand):
    help = "Queue today's daily task unless it is already queued or done."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if schedule_daily(today, now=True):
            self.stdout.write(f"Daily task for {today} queued.")
        else:
            self.stdout.write(f"Daily task for {today} already queued or done.")
