"""The child prepares a meeting: one question per screen, a draft saved on every "Næste" and as
the child types, nothing lost with a closed browser, an overview with who can see what, and one
sent preparation however often it is sent (T20)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.conversations import meeting_services
from inddrag.conversations.models import Meeting, MeetingPreparation, PreparationAnswer
from inddrag.portal.models import ChildAccess
from inddrag.test import BaseTestCase, child_login, login, make_child_access, make_meeting

AUTOSAVE = {"X-Autosave": "1"}


class PrepareTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.access = make_child_access(self.case_a, self.alice)
        self.meeting = make_meeting(self.case_a, self.alice)
        self.url = reverse("portal:prepare", args=[self.meeting.code])
        child_login(self.client, self.access)

    def step(self, n: int, text: str = "", *, shared: str = "ja", **extra: Any) -> Any:
        return self.client.post(self.url, {"trin": str(n), "text": text, "shared": shared, **extra})

    def answers(self) -> dict[str, tuple[str, str, bool]]:
        return {a.question: (a.text, a.choice, a.shared) for a in PreparationAnswer.objects.all()}

    def test_it_shows_the_first_question(self) -> None:
        """One question per screen; "Ja" is the default for who may see it; the child's read is
        logged as the child's (role "child", never a name)."""
        r = self.client.get(self.url)
        self.assertContains(r, "Spørgsmål 1 af 7")
        self.assertContains(r, "<h1>Det vil jeg gerne tale om</h1>", html=True)
        self.assertContains(r, "Må din sagsbehandler se det?")
        self.assertContains(r, 'value="ja" class="form-radio" id="id_shared_0" checked')
        self.assertContains(r, "Nej, kun mig")
        self.assertContains(r, 'name="gaa" value="naeste"')
        self.assertContains(r, "data-autosave")
        self.assertContains(r, "/static/app/autosave.js")
        self.assertNotContains(r, "localStorage")
        event = AccessEvent.objects.get(action="read")
        self.assertEqual((event.role, event.username), ("child", f"barn:{self.access.code}"))
        self.assertEqual(event.child, self.case_a.child)
        self.assertIsNone(event.user)

    def test_it_saves_the_draft_on_next(self) -> None:
        r = self.step(1, "Jeg vil tale om fodbold.")
        self.assertRedirects(r, f"{self.url}?trin=2", fetch_redirect_response=False)
        preparation = MeetingPreparation.objects.get()
        self.assertIsNone(preparation.submitted_at)
        self.assertEqual(preparation.child, self.case_a.child)
        self.assertEqual(self.answers(), {"topics": ("Jeg vil tale om fodbold.", "", True)})
        event = AccessEvent.objects.get(action="update")
        self.assertEqual(event.role, "child")
        self.assertEqual(event.object_code, str(preparation.code))
        self.assertEqual(event.criterion, "draft: topics")
        # A changed answer replaces the old one: one row per question.
        self.step(1, "Noget andet.", shared="nej")
        self.assertEqual(self.answers(), {"topics": ("Noget andet.", "", False)})

    def test_it_goes_back_and_saves_for_later(self) -> None:
        r = self.step(3, "Matematik", gaa="tilbage")
        self.assertRedirects(r, f"{self.url}?trin=2", fetch_redirect_response=False)
        r = self.step(2, "Fodbold", gaa="senere")
        self.assertRedirects(
            r, reverse("portal:meeting", args=[self.meeting.code]), fetch_redirect_response=False
        )
        self.assertEqual(set(self.answers()), {"hard", "going_well"})

    def test_it_saves_as_the_child_types(self) -> None:
        """With JavaScript: the same POST with X-Autosave answers with a tiny "Gemt" and no
        redirect; the draft is on the server, not in the browser."""
        r = self.client.post(
            self.url, {"trin": "1", "text": "Jeg vil", "shared": "ja"}, headers=AUTOSAVE
        )
        self.assertEqual((r.status_code, r.content.decode()), (200, "Gemt"))
        self.assertEqual(self.answers(), {"topics": ("Jeg vil", "", True)})
        r = self.client.post(
            self.url, {"trin": "1", "text": "<b>x</b>", "shared": "ja"}, headers=AUTOSAVE
        )
        self.assertContains(r, "Ikke gemt")
        self.assertEqual(self.answers(), {"topics": ("Jeg vil", "", True)})

    def test_it_keeps_everything_when_the_browser_is_closed(self) -> None:
        """A new client (the browser was closed; a fresh PIN unlock) finds the draft and goes on
        at the first question without an answer."""
        self.step(1, "Fodbold")
        self.step(2, "Skolen")
        again = Client()
        child_login(again, self.access)
        r = again.get(self.url)
        self.assertEqual(r.context["step"].number, 3)
        self.assertContains(r, "Spørgsmål 3 af 7")
        r = again.get(f"{self.url}?trin=1")
        self.assertContains(r, "\nFodbold</textarea>")
        self.assertContains(r, 'class="prep-step is-answered"')
        for n in range(3, 8):
            again.post(self.url, {"trin": str(n), "text": "", "shared": "ja"})
        r = again.get(self.url)
        self.assertContains(r, "Send til din sagsbehandler")  # all answered: the overview

    def test_it_offers_choices_where_the_question_has_them(self) -> None:
        r = self.client.get(f"{self.url}?trin=6")
        for label in ["Hjemme", "I skolen", "På kommunen", "Et andet sted"]:
            self.assertContains(r, label)
        self.assertContains(r, "<legend", count=2)  # the choice, and who may see it
        self.step(6, "Hos mormor", choice="other")
        r = self.client.get(f"{self.url}?trin=7")
        self.assertContains(r, "En bisidder er en voksen")
        for label in ["Ja", "Nej", "Ved ikke"]:
            self.assertContains(r, f">{label}</label>")
        self.step(7, choice="unsure")
        r = self.step(7, choice="maybe")
        self.assertContains(r, "Vælg et af svarene.")
        self.assertEqual(
            self.answers(),
            {"where": ("Hos mormor", "other", True), "bisidder": ("", "unsure", True)},
        )
        r = self.client.get(f"{self.url}?trin=2")
        self.assertNotContains(r, 'name="choice"')  # a text question

    def test_it_shows_faces_in_the_simple_mode(self) -> None:
        """Steps 2 and 3 get a five-face scale: radios with text labels, the faces hidden from
        screen readers."""
        ChildAccess.objects.filter(pk=self.access.pk).update(simple_mode=True)
        r = self.client.get(f"{self.url}?trin=2")
        self.assertContains(r, 'type="radio" name="choice"', count=5)
        self.assertContains(r, '<span class="face" aria-hidden="true">😄</span> Rigtig godt')
        self.assertContains(r, "Slet ikke godt")
        r = self.client.get(f"{self.url}?trin=3")
        self.assertContains(r, '<span class="face" aria-hidden="true">😞</span> Meget svært')
        self.step(2, "", choice="4")
        self.assertEqual(self.answers(), {"going_well": ("", "4", True)})
        r = self.client.get(f"{self.url}?trin=8")
        self.assertContains(r, "🙂 Godt")
        # Back in the ordinary mode, step 2 asks for words only; the face chosen stays.
        ChildAccess.objects.filter(pk=self.access.pk).update(simple_mode=False)
        self.assertNotContains(self.client.get(f"{self.url}?trin=2"), 'name="choice"')
        self.step(2, "Fodbold")
        self.assertEqual(self.answers(), {"going_well": ("Fodbold", "4", True)})

    def test_it_rejects_markup_and_overlong_text(self) -> None:
        r = self.step(1, "<script>alert(1)</script>")
        self.assertContains(r, "Skriv teksten uden HTML-koder")
        r = self.step(1, "x" * 3001)
        self.assertContains(r, "Du kan højst skrive 3000 tegn.")
        self.assertFalse(PreparationAnswer.objects.exists())

    def test_it_shows_an_overview_with_who_can_see_what(self) -> None:
        self.step(1, "Fodbold")
        self.step(4, "Min kæreste", shared="nej")
        r = self.client.get(f"{self.url}?trin=8")
        self.assertContains(r, "Se dine svar")
        self.assertContains(r, "Fodbold")
        self.assertContains(r, "Min kæreste")
        self.assertContains(r, "Kun dig", count=2)  # the explanation and the private answer
        self.assertContains(r, "Din sagsbehandler kan se det", count=1)
        self.assertContains(r, "Du har ikke svaret på det.", count=5)
        self.assertContains(r, 'href="?trin=4"')
        self.assertContains(r, 'name="submit_token"')

    def test_it_sends_once_however_often_it_is_sent(self) -> None:
        """T20: a double tap and a retry with the same token, and another tab's token, make one
        sent preparation; every answer leads to the same receipt."""
        self.step(1, "Fodbold")
        token = str(self.client.get(f"{self.url}?trin=8").context["form"]["submit_token"].value())
        responses = [
            self.client.post(self.url, {"submit_token": token}),
            self.client.post(self.url, {"submit_token": token}),
            self.client.post(self.url, {"submit_token": str(uuid.uuid4())}),
        ]
        for r in responses:
            self.assertRedirects(r, self.url, fetch_redirect_response=False)
        preparation = MeetingPreparation.objects.get()
        self.assertEqual(str(preparation.submit_token), token)
        sent_at = preparation.submitted_at
        self.assertIsNotNone(sent_at)
        self.assertEqual(
            AccessEvent.objects.filter(action="update", criterion="submitted").count(), 1
        )
        r = self.client.get(self.url)
        self.assertContains(r, "Din forberedelse er sendt")
        self.assertContains(r, "Fodbold")
        self.assertNotContains(r, "<textarea")
        self.assertNotContains(r, "Send til din sagsbehandler")

    def test_it_sends_once_when_two_requests_race(self) -> None:
        """T20 at the service: the second request read the preparation as a draft before the
        first sent it; the guarded UPDATE … WHERE submitted_at IS NULL changes nothing, and the
        second gets the first's sent preparation."""
        self.step(1, "Fodbold")
        first_token, second_token = uuid.uuid4(), uuid.uuid4()
        first = meeting_services.submit_preparation(
            self.meeting, access=self.access, submit_token=first_token
        )
        second = meeting_services.submit_preparation(
            self.meeting, access=self.access, submit_token=second_token
        )
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(second.submit_token, first_token)
        self.assertEqual(second.submitted_at, first.submitted_at)
        # The lost racer's UPDATE, as it runs after the winner's commit:
        sent = MeetingPreparation.objects.filter(pk=first.pk, submitted_at__isnull=True).update(
            submitted_at=timezone.now(), submit_token=second_token
        )
        self.assertEqual(sent, 0)
        self.assertEqual(MeetingPreparation.objects.get().submit_token, first_token)

    def test_it_keeps_the_sent_answers_read_only(self) -> None:
        self.step(1, "Fodbold")
        token = str(self.client.get(f"{self.url}?trin=8").context["form"]["submit_token"].value())
        self.client.post(self.url, {"submit_token": token})
        r = self.step(1, "Ændret")
        self.assertRedirects(r, self.url, fetch_redirect_response=False)
        self.assertContains(self.client.get(self.url), "Fodbold")
        r = self.client.post(self.url, {"trin": "1", "text": "Ændret"}, headers=AUTOSAVE)
        self.assertEqual(r.status_code, 409)
        r = self.client.post(self.url, {"trin": "1", "text": "Ændret"}, follow=True)
        self.assertContains(r, "Du har allerede sendt dine svar")
        self.assertEqual(self.answers(), {"topics": ("Fodbold", "", True)})

    def test_it_needs_an_answer_before_sending(self) -> None:
        token = str(uuid.uuid4())
        r = self.client.post(self.url, {"submit_token": token}, follow=True)
        self.assertContains(r, "Du har ikke svaret på noget endnu")
        self.step(1, "")  # skipped: still nothing to send
        r = self.client.post(self.url, {"submit_token": token}, follow=True)
        self.assertContains(r, "Svar på mindst ét spørgsmål først")
        self.assertFalse(MeetingPreparation.objects.filter(submitted_at__isnull=False).exists())

    def test_it_cannot_prepare_a_meeting_that_has_begun_or_is_cancelled(self) -> None:
        self.step(1, "Fodbold")
        Meeting.objects.filter(pk=self.meeting.pk).update(
            starts_at=timezone.now() - timedelta(minutes=5)
        )
        r = self.client.get(self.url)
        self.assertContains(r, "Du kan ikke forberede dig mere")
        self.assertContains(r, "Mødet er begyndt eller holdt")
        self.assertContains(r, "Fodbold")  # the child's own draft, read-only
        self.step(1, "For sent")
        r = self.client.post(self.url, {"submit_token": str(uuid.uuid4())})
        self.assertEqual(r.status_code, 302)
        Meeting.objects.filter(pk=self.meeting.pk).update(
            starts_at=timezone.now() + timedelta(days=1), status=Meeting.Status.CANCELLED
        )
        r = self.client.get(self.url)
        self.assertContains(r, "Mødet er aflyst")
        r = self.client.post(self.url, {"trin": "1", "text": "x"}, headers=AUTOSAVE)
        self.assertEqual(r.status_code, 409)
        self.assertEqual(self.answers(), {"topics": ("Fodbold", "", True)})
        self.assertFalse(MeetingPreparation.objects.filter(submitted_at__isnull=False).exists())

    def test_it_is_404_for_meetings_that_are_not_the_childs(self) -> None:
        """T1, T3 for the child: Case A2's and Sydby's meetings, and a meeting the child is not
        invited to, are 404 and logged as denied; nothing is saved."""
        others = [
            make_meeting(self.case_a2, self.anna),
            make_meeting(self.case_b, self.bob),
            make_meeting(self.case_a, self.alice, child_invited=False),
        ]
        for meeting in others:
            url = reverse("portal:prepare", args=[meeting.code])
            with self.subTest(meeting=str(meeting)):
                self.assertEqual(self.client.get(url).status_code, 404)
                r = self.client.post(url, {"trin": "1", "text": "x", "shared": "ja"})
                self.assertEqual(r.status_code, 404)
        self.assertFalse(PreparationAnswer.objects.exists())
        denied = AccessEvent.objects.filter(action="denied", role="child")
        self.assertEqual(denied.count(), 6)
        self.assertFalse(AccessEvent.objects.exclude(action="denied").exists())

    def test_it_sends_a_staff_login_to_the_childs_pin(self) -> None:
        """T2: a caseworker's session opens no child page."""
        staff = Client()

        login(staff, self.alice)
        r = staff.get(self.url)
        self.assertRedirects(r, f"/barn/pin/?next={self.url}", fetch_redirect_response=False)
