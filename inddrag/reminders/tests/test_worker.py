"""The daily task through the real queue: enqueued with the database backend and run by
`manage.py db_worker` in its own process, as `./run` does (issue 8, point 4)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.tasks import TaskResultStatus
from django.test import TransactionTestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from inddrag.accounts.policy import Role
from inddrag.conversations.tests.test_concurrent_writes import _append_only_triggers
from inddrag.municipalities.models import Unit
from inddrag.reminders.models import Digest, Reminder
from inddrag.reminders.tasks import daily
from inddrag.test import make_case, make_letter, make_member, make_municipality

WORKER_TIMEOUT = 120  # seconds; a batch of three small tasks takes a few


class WorkerTestCase(TransactionTestCase):
    """The access log's append-only triggers (T6) are on while the test runs and off for the
    flush that ends it, which they would refuse (on PostgreSQL even an empty TRUNCATE)."""

    def setUp(self) -> None:
        _append_only_triggers(on=True)

    def tearDown(self) -> None:
        _append_only_triggers(on=False)

    @classmethod
    def tearDownClass(cls) -> None:
        _append_only_triggers(on=True)
        super().tearDownClass()

    def test_it_runs_the_daily_task_in_the_worker(self) -> None:
        nordby = make_municipality("Nordby Kommune")
        vest = Unit.objects.create(municipality=nordby, name="Team Vest")
        alice = make_member("alice", nordby, Role.CASEWORKER, vest)
        case = make_case(vest, alice, first_name="Asta")
        make_letter(case, alice, sent=True, sent_at=timezone.now() - timedelta(days=6))
        today = timezone.localdate()
        result = daily.enqueue(today.isoformat())
        connection.close()  # the worker is the only writer while it runs

        env = {
            **os.environ,
            "DEBUG": "1",
            "DB_NAME": str(settings.DATABASES["default"]["NAME"]),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        worker = subprocess.run(
            [
                sys.executable,
                str(settings.BASE_DIR / "manage.py"),
                "db_worker",
                "--batch",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT,
            check=False,
        )
        self.assertEqual(worker.returncode, 0, worker.stderr)

        result.refresh()
        self.assertEqual(result.status, TaskResultStatus.SUCCESSFUL, worker.stderr)
        self.assertEqual(result.return_value, 1)
        reminder = Reminder.objects.get()
        self.assertEqual((reminder.kind, reminder.caseworker_id), ("letter_unread", alice.pk))
        self.assertTrue(Digest.objects.filter(user=alice, day=today).exists())
        # The worker queued tomorrow's run, at 05:00 local time, and has not run it.
        tomorrow = DBTaskResult.objects.get(
            task_path=daily.module_path,
            args_kwargs__args__0=(today + timedelta(days=1)).isoformat(),
        )
        self.assertEqual(tomorrow.status, TaskResultStatus.READY)
        self.assertEqual(
            tomorrow.run_after,
            timezone.make_aware(datetime.combine(today + timedelta(days=1), time(5))),
        )
