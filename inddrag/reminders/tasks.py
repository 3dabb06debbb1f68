"""The daily task: reminders for every municipality, the leader figures refreshed, the digest
e-mails sent, and the next day's run queued (at DAILY_AT local time).

Every step is idempotent: the reminders by their key (compute.py), the digests by their one row
per user and day, the next run by looking in the queue first. So a task run twice, or a
`schedule_daily` at every start of `./run`, does each thing once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.tasks import TaskResultStatus, task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from inddrag.accounts.models import User
from inddrag.municipalities.models import Municipality
from inddrag.reminders.compute import compute_reminders
from inddrag.reminders.models import Digest, Reminder

DAILY_AT = time(5, 0)  # local time of the daily run


@task()
def daily(day_iso: str) -> int:
    """Run the day's work; returns the number of reminders created."""
    from inddrag.insights.tasks import refresh_figures  # noqa: PLC0415 (helper B's module)

    day = date.fromisoformat(day_iso)
    created = 0
    for municipality_id in Municipality.objects.order_by("pk").values_list("pk", flat=True):
        created += compute_reminders(municipality_id, today=day)
        refresh_figures.enqueue(municipality_id)
    send_digests(day)
    schedule_daily(day + timedelta(days=1))
    return created


def digest_text(count: int) -> str:
    """Content-free: how many, never about which child or what."""
    return ngettext(
        "Du har %(count)d påmindelse i Inddrag.",
        "Du har %(count)d påmindelser i Inddrag.",
        count,
    ) % {"count": count}


def inbox_url() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") + reverse("reminders:inbox")


def send_digests(day: date) -> int:
    """One e-mail per active user with open reminders, at most once a day: the Digest row is
    inserted first (its unique user and day stops a second one), the e-mail sent when that
    commits. Returns the number sent."""
    counts = dict(
        Reminder.objects.filter(done_at__isnull=True, dismissed_at__isnull=True)
        .values_list("caseworker_id")
        .annotate(n=Count("pk"))
        .values_list("caseworker_id", "n")
    )
    if not counts:
        return 0
    already = set(Digest.objects.filter(day=day).values_list("user_id", flat=True))
    users = (
        User.objects.filter(pk__in=[pk for pk in counts if pk not in already], is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    sent = 0
    for user in users:
        try:
            with transaction.atomic():
                Digest.objects.create(
                    user=user, day=day, reminders=counts[user.pk], sent_at=timezone.now()
                )
                transaction.on_commit(partial(_send_digest, user.email, counts[user.pk]))
        except IntegrityError:
            continue  # another run sent it
        sent += 1
    return sent


def _send_digest(email: str, count: int) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        text = digest_text(count)
        see = _("Se dem i din indbakke:")
        body = f"{text}\n\n{see} {inbox_url()}\n"
        send_mail(_("Dine påmindelser i Inddrag"), body, None, [email])


def is_scheduled(day: date) -> bool:
    """Whether the daily task for `day` is queued, running or done (a failed one is not)."""
    return (
        DBTaskResult.objects.filter(
            task_path=daily.module_path, args_kwargs__args__0=day.isoformat()
        )
        .exclude(status=TaskResultStatus.FAILED)
        .exists()
    )


def schedule_daily(day: date, *, now: bool = False) -> bool:
    """Queue the daily task for `day` (at DAILY_AT local time, or at once with `now`) unless it
    is queued or done already. Only with the database backend: the queue is where we look, and
    another backend (the immediate one in tests) would run the chain of days at once. Returns
    whether it queued one. Enqueued on commit."""
    if not isinstance(daily.get_backend(), DatabaseBackend) or is_scheduled(day):
        return False
    run_after = timezone.now() if now else timezone.make_aware(datetime.combine(day, DAILY_AT))
    transaction.on_commit(lambda: daily.using(run_after=run_after).enqueue(day.isoformat()))
    return True
