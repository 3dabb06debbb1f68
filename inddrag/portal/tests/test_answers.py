from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.portal.models import ChildAccess, ChildMessage
from inddrag.portal.notify import LocmemSMSBackend
from inddrag.test import BaseTestCase, child_login, make_child_access, make_child_message

PROFILE = reverse("channel:profile")
CPH = ZoneInfo("Europe/Copenhagen")
Action = AccessEvent.Action
Kind = ChildMessage.Kind
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


class AnswersTestCase(BaseTestCase):
    """The staff side of the child's messages (issue 5, points 2 and 4): the case's caseworker
    reads and answers (the child gets a content-free notice); the unit's leader reads only
    (403 on answering, logged); everyone else gets a logged 404 (T1, T3, T5). And "Det ser
    børnene om dig": the caseworker's presentation and phone, with a preview."""

    def setUp(self) -> None:
        self.access = make_child_access(self.case_a, self.alice, notify_phone="+45 20 30 40 50")
        self.message = make_child_message(self.case_a, text="Jeg vil gerne bo hos min far.")
        self.url = reverse("channel:message", args=[self.message.code])
        LocmemSMSBackend.outbox.clear()

    def answer(self, text: str = "Tak for din besked. Jeg ringer til dig i morgen.") -> Any:
        """Post the answer; the notice task runs at once when the transaction commits."""
        with override_settings(TASKS=IMMEDIATE), self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, {"answer": text})

    def events(self, response: Any) -> list[AccessEvent]:
        return list(AccessEvent.objects.filter(request_id=response["X-Request-ID"]))

    # --- It works -----------------------------------------------------------------------------

    def test_it_shows_the_message_to_the_caseworker(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "<h1>Besked fra Asta Fiktivsen</h1>", html=True)
        self.assertContains(r, "Jeg vil gerne bo hos min far.")
        self.assertContains(r, "Send svaret til barnet")
        self.assertContains(r, "Svar senest")
        [read] = self.events(r)
        self.assertEqual(
            (read.action, read.user, read.child), (Action.READ, self.alice, self.case_a.child)
        )
        self.assertEqual(read.object_code, str(self.message.code))

    def test_it_answers_the_child(self) -> None:
        self.login(self.alice)
        with time_machine.travel(datetime(2026, 3, 9, 9, 30, tzinfo=CPH), tick=False):
            self.login(self.alice)
            r = self.answer()
            self.assertRedirects(r, self.case_a.get_absolute_url(), fetch_redirect_response=False)
            [update] = self.events(r)
        self.message.refresh_from_db()
        self.assertEqual(self.message.answer, "Tak for din besked. Jeg ringer til dig i morgen.")
        self.assertEqual(self.message.answered_at, datetime(2026, 3, 9, 9, 30, tzinfo=CPH))
        self.assertEqual(self.message.answered_by, self.alice)
        self.assertEqual((update.action, update.user), (Action.UPDATE, self.alice))
        self.assertEqual(update.object_code, str(self.message.code))
        # The child gets a notice without any content; the answer is read in the channel.
        self.assertEqual(
            LocmemSMSBackend.outbox, [("+45 20 30 40 50", "Du har en ny besked i Inddrag.")]
        )
        self.login(self.alice)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, "Dit svar er sendt til barnet.")
        self.assertContains(r, "Besvaret 09.03.2026 af Alice Testesen")
        child = Client()
        child_login(child, self.access)
        r = child.get(reverse("portal:messages"))
        self.assertContains(r, "Tak for din besked. Jeg ringer til dig i morgen.")
        self.assertContains(r, "Svar fra Alice Testesen")

    def test_it_notifies_by_email_or_not_at_all(self) -> None:
        ChildAccess.objects.filter(pk=self.access.pk).update(
            notify_phone="", notify_email="asta@example.com"
        )
        self.login(self.alice)
        self.answer()
        self.assertEqual(LocmemSMSBackend.outbox, [])
        [sent] = mail.outbox
        self.assertEqual(
            (sent.to, sent.body), (["asta@example.com"], "Du har en ny besked i Inddrag.")
        )
        self.assertNotIn("Tak for din besked", sent.body)

    def test_it_answers_a_child_who_has_no_access_without_a_notice(self) -> None:
        """A message always has a child with access, but the notice must not fail without."""
        other = make_child_message(self.case_a2)
        self.login(self.anna)
        with override_settings(TASKS=IMMEDIATE), self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(
                reverse("channel:message", args=[other.code]), {"answer": "Hej Aksel"}
            )
        self.assertEqual(r.status_code, 302)
        other.refresh_from_db()
        self.assertEqual(other.answered_by, self.anna)
        self.assertEqual(LocmemSMSBackend.outbox, [])

    def test_it_checks_the_answer(self) -> None:
        self.login(self.alice)
        for text, error in [
            ("", "Skriv et svar til barnet."),
            ("<a href=x>klik</a>", "Skriv teksten uden HTML-koder"),
            ("x" * 3001, "Skriv højst 3000 tegn (du har skrevet 3001)."),
        ]:
            with self.subTest(text=text[:10]):
                r = self.answer(text)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, error)
        self.message.refresh_from_db()
        self.assertIsNone(self.message.answered_at)
        self.assertFalse(AccessEvent.objects.filter(action=Action.UPDATE).exists())
        self.assertEqual(LocmemSMSBackend.outbox, [])

    def test_it_answers_once(self) -> None:
        """The same answer sent twice (or a colleague's second answer) changes nothing."""
        self.login(self.alice)
        self.answer("Det første svar")
        r = self.answer("Det andet svar")
        self.assertRedirects(r, self.case_a.get_absolute_url(), fetch_redirect_response=False)
        self.message.refresh_from_db()
        self.assertEqual(self.message.answer, "Det første svar")
        self.assertEqual(AccessEvent.objects.filter(action=Action.UPDATE).count(), 1)
        [read] = self.events(r)  # the second answer changed nothing, but read the message
        self.assertEqual((read.action, read.criterion), (Action.READ, "already answered"))
        self.assertEqual(len(LocmemSMSBackend.outbox), 1)
        r = self.client.get(self.url)
        self.assertContains(r, "Det første svar")
        self.assertNotContains(r, "Send svaret til barnet")

    def test_it_marks_an_urgent_message(self) -> None:
        unsafe = make_child_message(self.case_a, kind=Kind.UNSAFE, text="")
        self.login(self.alice)
        r = self.client.get(reverse("channel:message", args=[unsafe.code]))
        self.assertContains(r, "Barnet føler sig ikke tryg")
        self.assertContains(r, 'role="alert"')
        self.assertContains(r, "Barnet skrev ikke noget, men trykkede på knappen.")

    def test_it_says_when_the_answer_is_overdue(self) -> None:
        """Sent Friday 15:00: due Tuesday 15:00 (the weekend does not count)."""
        late = make_child_message(self.case_a, sent_at=datetime(2026, 3, 6, 15, 0, tzinfo=CPH))
        url = reverse("channel:message", args=[late.code])
        with time_machine.travel(datetime(2026, 3, 10, 14, 59, tzinfo=CPH), tick=False):
            self.login(self.alice)
            r = self.client.get(url)
            self.assertContains(r, "Svar senest 10. marts 2026 (2 hverdage)")
            self.assertNotContains(r, "Over fristen")
        with time_machine.travel(datetime(2026, 3, 10, 15, 0, tzinfo=CPH), tick=False):
            self.login(self.alice)
            r = self.client.get(url)
            self.assertContains(r, "Over fristen: svar senest 10. marts 2026")
            r = self.client.get(self.case_a.get_absolute_url())
            self.assertContains(r, "Over fristen: svar senest 10.03.2026")
            self.assertContains(r, 'class="child-message child-message-overdue"')

    # --- Read-only and outsiders (T1, T3) -----------------------------------------------------

    def test_it_lets_the_leader_read_but_not_answer(self) -> None:
        self.login(self.leo)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Kun barnets sagsbehandler kan svare.")
        self.assertNotContains(r, 'name="answer"')
        r = self.answer()
        self.assertEqual(r.status_code, 403)
        [denied] = self.events(r)
        self.assertEqual((denied.action, denied.user), (Action.DENIED, self.leo))
        self.assertEqual(denied.criterion, f"read-only: child message {self.message.code}")
        self.message.refresh_from_db()
        self.assertIsNone(self.message.answered_at)
        self.assertEqual(self.message.answer, "")
        self.assertEqual(LocmemSMSBackend.outbox, [])

    def test_it_hides_the_message_from_other_caseloads(self) -> None:
        """T3: Anna (another team in Nordby) and T1: Bob (Sydby) get a logged 404."""
        for user in [self.anna, self.bob, self.bea]:
            with self.subTest(user=user.username):
                self.login(user)
                for method in ["get", "post"]:
                    r = getattr(self.client, method)(self.url, {"answer": "Hej"})
                    self.assertEqual(r.status_code, 404)
                    self.assertNotContains(r, "bo hos min far", status_code=404)
                    [denied] = self.events(r)
                    self.assertEqual((denied.action, denied.user), (Action.DENIED, user))
        self.message.refresh_from_db()
        self.assertIsNone(self.message.answered_at)

    def test_it_hides_the_message_from_a_former_caseworker(self) -> None:
        self.case_a.assignments.update(ended_at=timezone.now())
        self.login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_refuses_the_administrator_and_the_child(self) -> None:
        """T2: an administrator has no access to children's messages; a child is no staff."""
        self.login(self.ada)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        child = Client()
        child_login(child, self.access)
        r = child.get(self.url)
        self.assertRedirects(r, f"/konto/login/?next={self.url}", fetch_redirect_response=False)

    # --- The case page's "Beskeder fra barnet" ------------------------------------------------

    def test_it_lists_the_messages_on_the_case_page_unanswered_first(self) -> None:
        now = timezone.now()
        make_child_message(
            self.case_a,
            text="Et gammelt spørgsmål",
            sent_at=now - timedelta(days=1, hours=1),
            answer="Svaret",
            answered_at=now - timedelta(days=1),
            answered_by=self.alice,
        )
        make_child_message(
            self.case_a,
            kind=Kind.UNSAFE,
            text="Det er uhyggeligt hjemme",
            sent_at=now - timedelta(hours=3),
        )
        make_child_message(self.case_a2, text="Aksels besked")
        self.login(self.alice)
        r = self.client.get(self.case_a.get_absolute_url())
        body = r.content.decode()
        section = body[body.index('id="child-messages"') :]
        self.assertLess(
            section.index("Føler sig ikke tryg: kontakt barnet hurtigst muligt"),
            section.index("Jeg vil gerne bo hos min far."),
        )
        self.assertLess(
            section.index("Jeg vil gerne bo hos min far."), section.index("Et gammelt spørgsmål")
        )
        self.assertIn('<span class="status-urgent-icon" aria-hidden="true">!</span>', section)
        self.assertIn(f'href="{self.url}"', section)
        self.assertContains(r, "Svar barnet", count=2)
        self.assertNotContains(r, "Aksels besked")
        # The leader reads the same list, without the answer links.
        self.login(self.leo)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, "Det er uhyggeligt hjemme")
        self.assertNotContains(r, "Svar barnet")

    def test_it_shows_the_empty_state_on_the_case_page(self) -> None:
        self.login(self.anna)
        r = self.client.get(self.case_a2.get_absolute_url())
        self.assertContains(r, "Barnet har ikke sendt nogen beskeder.")

    # --- Det ser børnene om dig (channel:profile) ---------------------------------------------

    def test_it_shows_my_profile_with_a_preview(self) -> None:
        self.login(self.alice)
        r = self.client.get(PROFILE)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "<h1>Det ser børnene om dig</h1>", html=True)
        self.assertContains(r, "Du har ikke skrevet noget om dig selv endnu.")
        self.assertContains(r, '<span class="caseworker-initials" aria-hidden="true">AT</span>')

    def test_it_saves_my_presentation_and_phone(self) -> None:
        self.login(self.alice)
        r = self.client.post(
            PROFILE,
            {
                "presentation": "Jeg hedder Alice.\nJeg arbejder på rådhuset.",
                "work_phone": "+45 33123456",
            },
        )
        self.assertRedirects(r, PROFILE, fetch_redirect_response=False)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.presentation, "Jeg hedder Alice.\nJeg arbejder på rådhuset.")
        self.assertEqual(self.alice.work_phone, "33 12 34 56")
        [update] = self.events(r)
        self.assertEqual(
            (update.action, update.user, update.child), (Action.UPDATE, self.alice, None)
        )
        self.assertEqual(update.object_code, str(self.alice.code))
        r = self.client.get(PROFILE)
        self.assertContains(r, "Gemt. Sådan ser børnene dig nu.")
        self.assertContains(r, "Jeg hedder Alice.<br>Jeg arbejder på rådhuset.")
        self.assertContains(r, '<a href="tel:33123456">Ring på 33 12 34 56</a>', html=True)
        # And the child sees just that.
        child = Client()
        child_login(child, self.access)
        self.assertContains(child.get(reverse("portal:home")), "Jeg hedder Alice.")

    def test_it_accepts_danish_phone_numbers_only(self) -> None:
        self.login(self.alice)
        for typed, saved in [
            ("33123456", "33 12 34 56"),
            ("33 12 34 56", "33 12 34 56"),
            ("0045 33-12-34-56", "33 12 34 56"),
            ("", ""),
        ]:
            with self.subTest(typed=typed):
                self.client.post(PROFILE, {"presentation": "", "work_phone": typed})
                self.alice.refresh_from_db()
                self.assertEqual(self.alice.work_phone, saved)
        for typed in ["1234567", "123456789", "+46 33123456", "12345678", "ring mig"]:
            with self.subTest(typed=typed):
                r = self.client.post(PROFILE, {"presentation": "", "work_phone": typed})
                self.assertContains(r, "Skriv et dansk telefonnummer med 8 cifre")

    def test_it_checks_the_presentation(self) -> None:
        self.login(self.alice)
        for text, error in [
            ("<img src=x>", "Skriv teksten uden HTML-koder"),
            ("x" * 601, "Skriv højst 600 tegn (du har skrevet 601)."),
        ]:
            with self.subTest(text=text[:10]):
                r = self.client.post(PROFILE, {"presentation": text, "work_phone": ""})
                self.assertContains(r, error)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.presentation, "")
        self.assertFalse(AccessEvent.objects.filter(action=Action.UPDATE).exists())

    def test_it_lets_only_caseworkers_and_leaders_present_themselves(self) -> None:
        """T2: the administrator has no profile for children."""
        self.login(self.leo)
        self.assertEqual(self.client.get(PROFILE).status_code, 200)
        self.login(self.ada)
        r = self.client.post(PROFILE, {"presentation": "Hej", "work_phone": ""})
        self.assertEqual(r.status_code, 403)
        self.ada.refresh_from_db()
        self.assertEqual(self.ada.presentation, "")
