"""The child's meeting page and the feedback on the summary ("Følte du dig hørt?"): what the
child sees before, during and after a meeting; one answer per meeting (T20); only the child's
own meetings (T1, T3)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.conversations.models import Meeting, MeetingFeedback, MeetingPreparation
from inddrag.test import BaseTestCase, child_login, make_child_access, make_meeting


class ChildMeetingTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.access = make_child_access(self.case_a, self.alice)
        self.meeting = make_meeting(self.case_a, self.alice, place="Skolen, lokale 4")
        self.url = reverse("portal:meeting", args=[self.meeting.code])
        self.feedback_url = reverse("portal:feedback", args=[self.meeting.code])
        child_login(self.client, self.access)

    def summarised(self) -> None:
        Meeting.objects.filter(pk=self.meeting.pk).update(
            starts_at=timezone.now() - timedelta(days=1),
            status=Meeting.Status.HELD,
            summary="Du bor hos mormor i sommerferien.",
            summary_written_at=timezone.now(),
        )

    def feedback_data(self, **fields: Any) -> dict[str, Any]:
        data = {"felt_heard": "4", "understood": "2", "text": "", "submit_token": str(uuid.uuid4())}
        data.update(fields)
        return data

    # The meeting page.

    def test_it_shows_when_where_what_and_who(self) -> None:
        r = self.client.get(self.url)
        self.assertContains(r, "<h1>En samtale med din sagsbehandler</h1>", html=True)
        self.assertContains(r, "Skolen, lokale 4")
        self.assertContains(r, "Dig og din sagsbehandler, Alice Testesen.")
        when = timezone.localtime(self.meeting.starts_at)
        self.assertContains(r, f"kl. {when:%H:%M}")
        self.assertContains(r, reverse("portal:prepare", args=[self.meeting.code]))
        self.assertContains(r, "Forbered mødet")
        event = AccessEvent.objects.get(action="read")
        self.assertEqual((event.role, event.object_code), ("child", str(self.meeting.code)))
        self.assertEqual(event.child, self.case_a.child)

    def test_it_names_each_kind_in_a_childs_words(self) -> None:
        for kind, words in [
            (Meeting.Kind.NETWORK, "Et møde med dem omkring dig"),
            (Meeting.Kind.FOLLOW_UP, "Et møde, hvor I ser på, hvordan det går"),
            (Meeting.Kind.STATUS, "Et møde om, hvad der skal ske nu"),
        ]:
            with self.subTest(kind=kind):
                Meeting.objects.filter(pk=self.meeting.pk).update(kind=kind)
                self.assertContains(self.client.get(self.url), words)

    def test_it_shows_the_sent_preparation(self) -> None:
        MeetingPreparation.objects.create(
            municipality=self.nordby,
            meeting=self.meeting,
            child=self.case_a.child,
            submitted_at=timezone.now(),
            submit_token=uuid.uuid4(),
        )
        r = self.client.get(self.url)
        self.assertContains(r, "Se din forberedelse")
        self.assertNotContains(r, ">Forbered mødet<")

    def test_it_says_a_cancelled_meeting_is_cancelled(self) -> None:
        Meeting.objects.filter(pk=self.meeting.pk).update(status=Meeting.Status.CANCELLED)
        r = self.client.get(self.url)
        self.assertContains(r, "Mødet er aflyst")
        self.assertNotContains(r, "Forbered mødet")
        r = self.client.get(self.feedback_url)
        self.assertContains(r, "Mødet er aflyst, så der er ikke noget at svare på.")

    def test_it_shows_what_was_agreed_after_the_meeting(self) -> None:
        Meeting.objects.filter(pk=self.meeting.pk).update(
            starts_at=timezone.now() - timedelta(days=1), status=Meeting.Status.HELD
        )
        r = self.client.get(self.url)
        self.assertContains(r, "Din sagsbehandler skriver til dig her, hvad I aftalte.")
        self.assertNotContains(r, "Forbered mødet")
        self.summarised()
        r = self.client.get(self.url)
        self.assertContains(r, "Det aftalte vi")
        self.assertContains(r, "Du bor hos mormor i sommerferien.")
        self.assertContains(r, "Følte du dig hørt? Svar her")
        self.assertContains(r, self.feedback_url)

    def test_it_only_answers_get(self) -> None:
        self.assertEqual(self.client.post(self.url).status_code, 405)

    def test_it_is_404_for_meetings_that_are_not_the_childs(self) -> None:
        """T1, T3 for the child: Case A2's (same municipality) and Case B's (Sydby) meetings,
        and a meeting the child is not invited to: 404 on every page, each logged as denied."""
        others = [
            make_meeting(self.case_a2, self.anna),
            make_meeting(self.case_b, self.bob),
            make_meeting(self.case_a, self.alice, child_invited=False),
        ]
        for meeting in others:
            for name in ["portal:meeting", "portal:feedback"]:
                with self.subTest(meeting=str(meeting), name=name):
                    r = self.client.get(reverse(name, args=[meeting.code]))
                    self.assertEqual(r.status_code, 404)
        denied = AccessEvent.objects.filter(action="denied", role="child")
        self.assertEqual(denied.count(), 6)
        self.assertEqual(
            sorted(denied.values_list("criterion", flat=True)),
            sorted(f"meeting {meeting.code}" for meeting in others for _ in range(2)),
        )
        self.assertFalse(AccessEvent.objects.exclude(action="denied").exists())

    # Feedback.

    def test_it_waits_for_the_summary(self) -> None:
        r = self.client.get(self.feedback_url)
        self.assertContains(r, "Du kan svare, når din sagsbehandler har skrevet til dig")
        self.assertNotContains(r, '<form method="post" action="' + self.feedback_url)
        r = self.client.post(self.feedback_url, self.feedback_data())
        self.assertFalse(MeetingFeedback.objects.exists())
        self.assertEqual(AccessEvent.objects.filter(role="child").count(), 2)

    def test_it_asks_on_a_smiley_scale_with_words(self) -> None:
        """Two radio groups in fieldsets with legends; each option has a text label, the face
        is hidden from screen readers."""
        self.summarised()
        r = self.client.get(self.feedback_url)
        self.assertContains(r, "Du bor hos mormor i sommerferien.")
        self.assertContains(r, "<legend", count=2)
        self.assertContains(r, "Følte du dig hørt?")
        self.assertContains(r, "Forstod du, hvad der blev besluttet?")
        self.assertContains(r, 'type="radio" name="felt_heard"', count=5)
        self.assertContains(r, 'type="radio" name="understood"', count=5)
        self.assertContains(r, '<span class="face" aria-hidden="true">😞</span> Slet ikke')
        self.assertContains(r, '<span class="face" aria-hidden="true">😄</span> Helt')
        self.assertContains(r, "Vil du sige mere?")
        self.assertContains(r, 'name="submit_token"')

    def test_it_takes_the_answer_and_says_thank_you(self) -> None:
        self.summarised()
        r = self.client.post(self.feedback_url, self.feedback_data(text="Det var lidt hurtigt."))
        self.assertRedirects(r, self.feedback_url, fetch_redirect_response=False)
        feedback = MeetingFeedback.objects.get()
        self.assertEqual((feedback.felt_heard, feedback.understood), (4, 2))
        self.assertEqual(feedback.text, "Det var lidt hurtigt.")
        self.assertEqual(feedback.child, self.case_a.child)
        event = AccessEvent.objects.get(action="create")
        self.assertEqual((event.role, event.object_code), ("child", str(feedback.code)))
        r = self.client.get(self.feedback_url)
        self.assertContains(r, "Tak for dit svar")
        self.assertContains(r, "🙂 For det meste")
        self.assertContains(r, "🙁 Ikke rigtig")
        self.assertContains(r, "Det var lidt hurtigt.")
        r = self.client.get(self.url)
        self.assertContains(r, "Se dit svar")

    def test_it_takes_one_answer_however_often_it_is_sent(self) -> None:
        """T20: the same page sent twice, and a second page's answer, make one feedback; every
        answer leads to the same thank-you."""
        self.summarised()
        data = self.feedback_data()
        responses = [
            self.client.post(self.feedback_url, data),
            self.client.post(self.feedback_url, data),
            self.client.post(self.feedback_url, self.feedback_data(felt_heard="1")),
        ]
        for r in responses:
            self.assertRedirects(r, self.feedback_url, fetch_redirect_response=False)
        feedback = MeetingFeedback.objects.get()
        self.assertEqual(
            (feedback.felt_heard, str(feedback.submit_token)), (4, data["submit_token"])
        )
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 1)

    def test_it_asks_again_for_missing_or_bad_answers(self) -> None:
        self.summarised()
        r = self.client.post(self.feedback_url, self.feedback_data(felt_heard="", understood="9"))
        self.assertContains(r, "Vælg et af ansigterne.", count=2)
        r = self.client.post(self.feedback_url, self.feedback_data(text="<img src=x>"))
        self.assertContains(r, "Skriv teksten uden HTML-koder")
        self.assertNotContains(r, "<img src=x>")
        r = self.client.post(self.feedback_url, self.feedback_data(submit_token=""))
        self.assertContains(r, "Formularen er ikke komplet")
        self.assertFalse(MeetingFeedback.objects.exists())
