"""The caseworker's inbox: own reminders only, dismiss and undo (issue 8, point 4; T3, T5)."""

from __future__ import annotations

import time

from django.urls import reverse

from inddrag.audit.models import AccessEvent
from inddrag.reminders.models import Reminder
from inddrag.test import BaseTestCase, make_case, make_reminder


class InboxTestCase(BaseTestCase):
    def test_it_lists_own_reminders_and_logs_the_list(self) -> None:
        make_reminder(self.case_a, self.alice)
        make_reminder(self.case_a2, self.anna)
        self.login(self.alice)
        response = self.client.get(reverse("reminders:inbox"))
        self.assertContains(response, "Asta")
        self.assertNotContains(response, "Aksel")
        self.assertTrue(AccessEvent.objects.filter(user=self.alice, action="list").exists())

    def test_it_dismisses_and_undoes(self) -> None:
        reminder = make_reminder(self.case_a, self.alice)
        self.login(self.alice)
        response = self.client.post(reverse("reminders:dismiss", args=[reminder.code]), follow=True)
        self.assertContains(response, "Fortryd")
        self.assertNotContains(response, "Asta")
        self.client.post(reverse("reminders:undo", args=[reminder.code]))
        reminder.refresh_from_db()
        self.assertIsNone(reminder.dismissed_at)

    def test_it_refuses_another_caseworkers_reminder(self) -> None:
        """T3: another's code is a logged 404."""
        reminder = make_reminder(self.case_a2, self.anna)
        self.login(self.alice)
        response = self.client.post(reverse("reminders:dismiss", args=[reminder.code]))
        self.assertEqual(response.status_code, 404)
        self.assertIsNone(Reminder.objects.get(pk=reminder.pk).dismissed_at)
        self.assertTrue(AccessEvent.objects.filter(user=self.alice, action="denied").exists())

    # 1 session, 2 user, 3 second factor, 4 memberships (with municipality, due rules, unit),
    # 5 the count of open reminders, 6 the page (reminders with case and child), 7 SAVEPOINT,
    # 8 lock the audit chain head, 9 insert the list event, 10 move the head, 11 RELEASE.
    INBOX_QUERIES = 11

    def prime_session(self) -> None:
        """As if just seen: SessionTimeoutMiddleware saves the idle clock at most once a
        minute, and that save is not what is counted here."""
        session = self.client.session
        session["last_seen"] = session["auth_started"] = time.time()
        session.save()

    def test_it_lists_with_a_constant_number_of_queries(self) -> None:
        """House style rule 26: the inbox costs the same for 1 reminder as for 5."""
        self.login(self.alice)
        make_reminder(self.case_a, self.alice)
        for count, extra in [(1, 0), (5, 4)]:
            for n in range(extra):
                make_reminder(make_case(self.vest, self.alice, first_name=f"Barn{n}"), self.alice)
            self.prime_session()
            with self.subTest(reminders=count), self.assertNumQueries(self.INBOX_QUERIES):
                response = self.client.get(reverse("reminders:inbox"))
            self.assertContains(response, f"{count} påmindelse")
