"""The summary to the child, "Det aftalte vi": written after the meeting with a readability hint
(LIX and long sentences), saved with optimistic locking (T19), and the child told."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.conversations.models import Meeting
from inddrag.test import BaseTestCase, make_child_access, make_meeting

NOTIFY = "inddrag.portal.notify.send_child_notice"
EASY = "Vi mødtes i dag. Du fortalte om skolen og om fodbold."  # LIX 24 (test_readability)
# 17 words:
LONG = "Vi aftalte at du bor hos din mormor i hele sommerferien og at vi ses igen bagefter."
HARD = "Kommunen har truffet afgørelse om anbringelse udenfor hjemmet."  # LIX 83


class MeetingSummaryTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.meeting = make_meeting(
            self.case_a,
            self.alice,
            starts_at=timezone.now() - timedelta(hours=3),
            status=Meeting.Status.HELD,
            version=2,
        )
        self.url = reverse("conversations:meeting_summary", args=[self.meeting.code])

    def data(self, summary: str, version: int = 2, **extra: Any) -> dict[str, Any]:
        return {"summary": summary, "version": str(version), **extra}

    def test_it_shows_the_form_with_an_empty_hint(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Det aftalte vi")
        self.assertContains(r, "Tjek teksten")
        self.assertContains(r, "Når du har skrevet teksten")
        self.assertContains(r, 'name="version" value="2"')
        # htmx sends the text as it is typed; the hint is swapped into its region.
        self.assertContains(r, f'hx-post="{self.url}"')
        self.assertContains(r, 'hx-trigger="input changed delay:600ms"')
        self.assertContains(r, 'id="readability"')
        event = AccessEvent.objects.get(action="read")
        self.assertEqual(event.object_code, str(self.meeting.code))

    def test_it_checks_the_text_without_saving(self) -> None:
        """Without JavaScript: "Tjek teksten" shows LIX, its band and the long sentences, and
        keeps the text in the form; nothing is saved."""
        self.login(self.alice)
        r = self.client.post(self.url, self.data(f"{EASY} {LONG}", check="1"))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "LIX")
        self.assertContains(r, LONG)
        self.assertContains(r, "(17 ord)")
        self.assertContains(r, "mere end 15 ord")
        self.assertContains(r, f"{EASY} {LONG}</textarea>")
        r = self.client.post(self.url, self.data(EASY, check="1"))
        self.assertContains(r, "LIX 24: meget let.")
        self.assertContains(r, "Ingen sætninger har mere end 15 ord.")
        r = self.client.post(self.url, self.data(HARD, check="1"))
        self.assertContains(r, "LIX 83: meget svær.")
        self.assertContains(r, "Brug kortere sætninger og kortere ord.")
        self.meeting.refresh_from_db()
        self.assertEqual((self.meeting.summary, self.meeting.version), ("", 2))
        self.assertFalse(AccessEvent.objects.filter(action="update").exists())

    def test_it_sends_only_the_hint_to_htmx(self) -> None:
        """As the caseworker types: only the hint comes back, nothing is saved, the read of the
        meeting is logged."""
        self.login(self.alice)
        r = self.client.post(self.url, {"summary": LONG}, headers={"HX-Request": "true"})
        self.assertContains(r, "(17 ord)")
        self.assertNotContains(r, "<html")
        self.assertNotContains(r, "<textarea")
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.summary, "")
        self.assertEqual(AccessEvent.objects.get(action="read").criterion, "readability check")

    def test_it_saves_the_summary_and_tells_the_child(self) -> None:
        access = make_child_access(self.case_a, self.alice)
        self.login(self.alice)
        with mock.patch(NOTIFY) as task, self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(self.url, self.data(EASY))
        self.assertRedirects(r, self.meeting.get_absolute_url(), fetch_redirect_response=False)
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.summary, EASY)
        self.assertIsNotNone(self.meeting.summary_written_at)
        self.assertEqual(self.meeting.version, 3)
        task.enqueue.assert_called_once_with(access_id=access.pk)
        event = AccessEvent.objects.get(action="update")
        self.assertEqual((event.user, event.object_code), (self.alice, str(self.meeting.code)))
        # The same text saved again (from version 3) tells the child nothing new.
        with mock.patch(NOTIFY) as task, self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url, self.data(EASY, 3))
        task.enqueue.assert_not_called()
        r = self.client.get(self.meeting.get_absolute_url())
        self.assertContains(r, "Du fortalte om skolen og om fodbold.")

    def test_it_tells_no_child_who_is_not_invited(self) -> None:
        make_child_access(self.case_a, self.alice)
        Meeting.objects.filter(pk=self.meeting.pk).update(child_invited=False)
        self.login(self.alice)
        with mock.patch(NOTIFY) as task, self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url, self.data(EASY))
        task.enqueue.assert_not_called()

    def test_it_rejects_bad_text(self) -> None:
        self.login(self.alice)
        for summary, message in [
            ("", "Skriv til barnet, hvad I aftalte."),
            ("   ", "Skriv til barnet, hvad I aftalte."),
            ("<b>Hej</b>", "Skriv teksten uden HTML-koder"),
            ("x" * 5001, "højst have 5000 tegn"),
        ]:
            with self.subTest(message=message):
                r = self.client.post(self.url, self.data(summary))
                self.assertContains(r, message)
                self.assertContains(r, "Teksten er ikke gemt")
        r = self.client.post(self.url, {"summary": EASY})
        self.assertContains(r, "Formularen er ikke komplet")
        self.meeting.refresh_from_db()
        self.assertEqual((self.meeting.summary, self.meeting.version), ("", 2))

    def test_it_shows_a_conflict_and_keeps_the_text(self) -> None:
        """T19: a colleague (or another window) saved since this editor loaded version 2: 409,
        the saved text next to the editor's own, which stays in the form at the new version."""
        self.login(self.alice)
        self.client.post(self.url, self.data("Den gemte tekst."))
        r = self.client.post(self.url, self.data("Min egen tekst til Asta."))
        self.assertEqual(r.status_code, 409)
        self.assertContains(r, "Teksten er ændret, mens du skrev", status_code=409)
        self.assertContains(r, "Den gemte tekst.", status_code=409)
        self.assertContains(r, "\nMin egen tekst til Asta.</textarea>", status_code=409)
        self.assertContains(r, 'name="version" value="3"', status_code=409)
        self.assertContains(r, "Gem min udgave alligevel", status_code=409)
        self.meeting.refresh_from_db()
        self.assertEqual((self.meeting.summary, self.meeting.version), ("Den gemte tekst.", 3))
        event = AccessEvent.objects.filter(action="read").latest("seq")
        self.assertEqual(event.criterion, "edit conflict: version 2 is now 3")
        # Saved again from the conflict page: the editor's text wins, knowingly.
        r = self.client.post(self.url, self.data("Min egen tekst til Asta.", 3))
        self.assertEqual(r.status_code, 302)
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.summary, "Min egen tekst til Asta.")
        self.assertEqual(AccessEvent.objects.filter(action="update").count(), 2)

    def test_it_is_no_conflict_to_send_the_same_text_twice(self) -> None:
        """T19/T20: a double submit of the same form saves once and answers as saved."""
        self.login(self.alice)
        first = self.client.post(self.url, self.data(EASY))
        second = self.client.post(self.url, self.data(EASY))
        self.assertEqual((first.status_code, second.status_code), (302, 302))
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.version, 3)
        self.assertEqual(AccessEvent.objects.filter(action="update").count(), 1)

    def test_it_waits_until_the_meeting_is_recorded(self) -> None:
        Meeting.objects.filter(pk=self.meeting.pk).update(status=Meeting.Status.PLANNED)
        self.login(self.alice)
        r = self.client.post(self.url, self.data(EASY), follow=True)
        self.assertContains(r, "Registrér mødet som holdt, før du skriver")
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.summary, "")

    def test_it_refuses_the_leader(self) -> None:
        """T2: Leo reads the meeting but writes nothing: 403, nothing changed, logged."""
        self.login(self.leo)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, self.data(EASY)).status_code, 403)
        self.meeting.refresh_from_db()
        self.assertEqual((self.meeting.summary, self.meeting.version), ("", 2))
        self.assertEqual(AccessEvent.objects.filter(action="denied", user=self.leo).count(), 2)

    def test_it_is_404_to_others(self) -> None:
        """T1, T3."""
        for user in [self.anna, self.bob]:
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.url).status_code, 404)
                self.assertEqual(self.client.post(self.url, self.data(EASY)).status_code, 404)
                r = self.client.post(self.url, {"summary": EASY}, headers={"HX-Request": "true"})
                self.assertEqual(r.status_code, 404)
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.summary, "")
        self.assertFalse(AccessEvent.objects.filter(action="read").exists())
