"""The daily task: reminders, digests and the next day's run, each once however often it runs
(issue 8, point 4; T11: e-mail is content-free)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django.core import mail
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from inddrag.insights.tasks import refresh_figures
from inddrag.portal.models import ChildMessage
from inddrag.reminders.models import Digest, Reminder
from inddrag.reminders.tasks import daily
from inddrag.test import BaseTestCase, make_case, make_child_message, make_letter

DAY = date(2026, 11, 9)


@override_settings(SITE_URL="https://inddrag.example.dk")
@time_machine.travel(datetime(2026, 11, 9, 4, 0, tzinfo=UTC), tick=False)  # 05:00 local
class DailyTestCase(BaseTestCase):
    def setUp(self) -> None:
        # Alice: two unread letters to Asta, one to a second child (three reminders). Bob: one
        # waiting bisidder request. Anna: nothing due.
        self.case_a_second = make_case(self.vest, self.alice, first_name="Svend")
        sent_at = datetime(2026, 11, 2, 9, tzinfo=UTC)
        make_letter(self.case_a, self.alice, sent=True, sent_at=sent_at)
        make_letter(self.case_a, self.alice, sent=True, sent_at=sent_at)
        make_letter(self.case_a_second, self.alice, sent=True, sent_at=sent_at)
        make_child_message(
            self.case_b, kind=ChildMessage.Kind.BISIDDER, sent_at=datetime(2026, 11, 8, tzinfo=UTC)
        )

    def run_daily(self) -> int:
        with self.captureOnCommitCallbacks(execute=True):
            created: int = daily.call(DAY.isoformat())
        return created

    def test_it_does_the_days_work_once_when_run_twice(self) -> None:
        self.assertEqual(self.run_daily(), 4)
        self.assertEqual(self.run_daily(), 0)

        self.assertEqual(Reminder.objects.count(), 4)
        self.assertEqual(
            Reminder.objects.filter(caseworker=self.alice, kind="letter_unread").count(), 3
        )
        self.assertEqual(Reminder.objects.filter(caseworker=self.bob, kind="bisidder").count(), 1)
        self.assertEqual(
            sorted(Digest.objects.filter(day=DAY).values_list("user__username", "reminders")),
            [("alice", 3), ("bob", 1)],
        )
        self.assertEqual(
            sorted(to for m in mail.outbox for to in m.to),
            sorted([self.alice.email, self.bob.email]),
        )
        self.assertEqual(len(mail.outbox), 2)
        # The figures refreshed for each municipality (queued once per run: refresh is
        # idempotent) and the next day's run queued once.
        refreshes = DBTaskResult.objects.filter(task_path=refresh_figures.module_path)
        self.assertEqual(
            sorted(refreshes.values_list("args_kwargs__args__0", flat=True)),
            sorted([self.nordby.pk, self.sydby.pk] * 2),
        )
        next_runs = DBTaskResult.objects.filter(task_path=daily.module_path)
        self.assertEqual(
            list(next_runs.values_list("args_kwargs__args__0", flat=True)), ["2026-11-10"]
        )
        self.assertEqual(
            next_runs.get().run_after, datetime(2026, 11, 10, 4, 0, tzinfo=UTC)
        )  # 05:00 local

    def test_it_sends_a_content_free_digest(self) -> None:
        """T11: the e-mail says how many and where, never which child or what."""
        self.run_daily()
        message = next(m for m in mail.outbox if m.to == [self.alice.email])
        text = f"{message.subject}\n{message.body}"
        self.assertIn("Du har 3 påmindelser i Inddrag.", message.body)
        self.assertIn("https://inddrag.example.dk/paamindelser/", message.body)
        for case in (self.case_a, self.case_a_second):
            child = case.child
            for secret in (child.first_name, child.last_name, child.cpr, case.reference):
                self.assertNotIn(secret, text)
        self.assertNotIn("Vi ses på torsdag", text)  # the letters' subject
        bob = next(m for m in mail.outbox if m.to == [self.bob.email])
        self.assertIn("Du har 1 påmindelse i Inddrag.", bob.body)
        self.assertNotIn("bisidder", f"{bob.subject}\n{bob.body}".lower())

    def test_it_sends_no_digest_for_dismissed_or_done_reminders(self) -> None:
        self.run_daily()
        mail.outbox.clear()
        Reminder.objects.filter(caseworker=self.bob).update(dismissed_at=datetime.now(tz=UTC))
        with (
            time_machine.travel(datetime(2026, 11, 10, 4, 0, tzinfo=UTC), tick=False),
            self.captureOnCommitCallbacks(execute=True),
        ):
            daily.call("2026-11-10")
        self.assertEqual([m.to for m in mail.outbox], [[self.alice.email]])
