"""The figure tables' background task: the reminders' daily task enqueues one per municipality
(inddrag/reminders/tasks.py), and `manage.py refresh_figures` runs the same refresh at once."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from inddrag.insights.refresh import refresh_municipality


@task()
def refresh_figures(municipality_id: int) -> None:
    """Rebuild the municipality's figure tables as of today. Idempotent by construction: the
    refresh deletes and rebuilds the rows in one transaction, so a task that runs twice (or is
    retried after a crash) leaves the same rows."""
    refresh_municipality(municipality_id, today=timezone.localdate())
