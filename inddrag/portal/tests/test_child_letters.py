"""Letters in the child channel (issue 6, point 5): a sent letter to the child shows in "Til dig"
(unread ones marked "Ny"), opens in large type, and its first opening is the read receipt. "Jeg
forstår det ikke — ring til mig" asks the caseworker to call within 2 working days: once per form
(T20), as a message the caseworker sees on the case page and the caseload and answers. Only the
child's own sent letters (T1, T2); every read and change logged (T5)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.conversations.models import Meeting
from inddrag.letters.models import Letter
from inddrag.portal.models import ChildMessage
from inddrag.test import (
    BaseTestCase,
    child_login,
    login,
    make_child_access,
    make_letter,
    make_meeting,
)

Action = AccessEvent.Action
HOME = reverse("portal:home")
BODY = "Hej Asta\n\nVi har talt om skolen.\nDu må gerne ringe til mig."
CALL_ME = "Jeg forstår det ikke — ring til mig"


class ChildLettersTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.access = make_child_access(self.case_a, self.alice)
        child_login(self.client, self.access)
        self.letter = make_letter(
            self.case_a, self.alice, sent=True, subject="Det talte vi om", body=BODY
        )
        self.url = reverse("portal:letter", args=[self.letter.code])
        self.call_url = reverse("portal:call_me", args=[self.letter.code])

    def call_me(self, token: str | None = None, **fields: Any) -> Any:
        data = {"submit_token": token or str(uuid.uuid4()), "text": "", **fields}
        return self.client.post(self.call_url, data)

    def staff(self, user: Any) -> Any:
        """A second browser, signed in as staff."""
        client = self.client_class()
        login(client, user)
        return client

    # --- Reading the letter -------------------------------------------------------------------

    def test_it_shows_the_letter_and_stamps_the_read_receipt_once(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, '<h1 id="letter-heading">Det talte vi om</h1>', html=True)
        self.assertContains(r, '<div class="portal-letter-text"><p>Hej Asta</p>')
        self.assertContains(r, "<p>Vi har talt om skolen.<br>Du må gerne ringe til mig.</p>")
        self.assertContains(r, "Fra Alice Testesen")
        self.assertContains(r, CALL_ME)
        self.assertContains(r, f'action="{self.call_url}"')
        self.assertContains(r, "Hvad er svært?")
        self.letter.refresh_from_db()
        first = self.letter.read_at
        self.assertIsNotNone(first)
        events = list(AccessEvent.objects.filter(request_id=r["X-Request-ID"]).order_by("seq"))
        self.assertEqual(
            [(e.action, e.criterion) for e in events],
            [(Action.READ, ""), (Action.UPDATE, "read receipt")],
        )
        self.assertEqual(events[0].username, f"barn:{self.access.code}")
        self.assertEqual(
            (events[0].child, events[0].object_code), (self.case_a.child, str(self.letter.code))
        )
        # Opened again: logged again, the receipt stays the first.
        r = self.client.get(self.url)
        self.letter.refresh_from_db()
        self.assertEqual(self.letter.read_at, first)
        [again] = AccessEvent.objects.filter(request_id=r["X-Request-ID"])
        self.assertEqual(again.action, Action.READ)
        self.assertEqual(AccessEvent.objects.filter(action=Action.UPDATE).count(), 1)

    def test_it_shows_the_caseworker_that_the_child_has_read_it(self) -> None:
        self.client.get(self.url)
        r = self.staff(self.alice).get(self.letter.get_absolute_url())
        self.assertContains(r, "Læst af barnet")

    def test_it_lists_my_letters_in_til_dig_newest_first_with_new_ones_marked(self) -> None:
        now = timezone.now()
        Letter.objects.filter(pk=self.letter.pk).update(sent_at=now - timedelta(days=3))
        older = make_letter(
            self.case_a,
            self.alice,
            sent=True,
            subject="Gammelt brev",
            sent_at=now - timedelta(days=20),
            read_at=now - timedelta(days=19),
        )
        summary = make_meeting(
            self.case_a,
            self.alice,
            starts_at=now - timedelta(days=6),
            status=Meeting.Status.HELD,
            summary="Vi talte.",
            summary_written_at=now - timedelta(days=5),
        )
        make_letter(self.case_a, self.alice, subject="Kladden")  # a draft
        make_letter(
            self.case_a, self.alice, sent=True, subject="Til forældrene", audience="custody"
        )
        make_letter(self.case_a2, self.anna, sent=True, subject="Aksels brev")
        r = self.client.get(HOME)
        self.assertEqual(
            [(item.url, item.is_new) for item in r.context["for_you"]],
            [
                (self.url, True),
                (reverse("portal:meeting", args=[summary.code]), False),
                (reverse("portal:letter", args=[older.code]), False),
            ],
        )
        self.assertContains(
            r,
            f'<strong class="portal-new">Ny</strong> <a href="{self.url}">'
            "Brev: Det talte vi om</a>",
        )
        self.assertContains(r, "Brev: Gammelt brev")
        for hidden in ("Kladden", "Til forældrene", "Aksels brev"):
            self.assertNotContains(r, hidden)
        self.client.get(self.url)
        r = self.client.get(HOME)
        self.assertNotContains(r, "portal-new")

    # --- "Ring til mig" -----------------------------------------------------------------------

    def test_it_asks_the_caseworker_to_call_once_however_often_it_is_pressed(self) -> None:
        """T20: the same form sent twice asks once; both land on the same receipt."""
        token = str(uuid.uuid4())
        first = self.call_me(token, text="Hvad betyder skolen her?")
        second = self.call_me(token, text="Hvad betyder skolen her?")
        message = ChildMessage.objects.get()
        receipt = f"{self.call_url}?kvittering={message.code}"
        self.assertRedirects(first, receipt, fetch_redirect_response=False)
        self.assertRedirects(second, receipt, fetch_redirect_response=False)
        self.assertEqual(
            (message.kind, message.letter, message.case, message.child),
            (ChildMessage.Kind.CALL_ME, self.letter, self.case_a, self.case_a.child),
        )
        self.assertEqual(message.text, "Hvad betyder skolen her?")
        self.assertIsNone(message.answered_at)
        [event] = AccessEvent.objects.filter(action=Action.CREATE)
        self.assertEqual((event.role, event.object_code), ("child", str(message.code)))
        r = self.client.get(receipt)
        self.assertContains(r, "Alice Testesen ringer til dig inden for 2 hverdage.")
        self.assertContains(r, "Hvad betyder skolen her?")
        # The letter says the call is coming, instead of the button.
        r = self.client.get(self.url)
        self.assertContains(r, "Du har bedt din sagsbehandler om at ringe til dig.")
        self.assertNotContains(r, f'action="{self.call_url}"')

    def test_it_asks_without_words_too(self) -> None:
        r = self.call_me()
        self.assertEqual(r.status_code, 302)
        self.assertEqual(ChildMessage.objects.get().text, "")

    @time_machine.travel(datetime(2026, 11, 27, 9, 0, tzinfo=UTC), tick=False)  # a Friday
    def test_it_tells_the_day_of_the_call_in_working_days(self) -> None:
        """Friday + 2 working days is Tuesday (lib/dates.py: weekends and holidays do not
        count)."""
        child_login(self.client, self.access)  # a fresh unlock at the travelled-to time
        r = self.call_me()
        r = self.client.get(r["Location"])
        self.assertContains(r, "Du bliver ringet op senest tirsdag 1. december.")

    def test_it_rejects_bad_text_and_asks_nothing(self) -> None:
        for fields, message in [
            ({"text": "<script>x</script>"}, "Skriv teksten uden HTML-koder"),
            ({"text": "a" * 3001}, "Du har skrevet for meget."),
            ({"submit_token": "nej"}, "Siden er for gammel."),
        ]:
            with self.subTest(message=message):
                r = self.client.post(self.call_url, {"submit_token": str(uuid.uuid4()), **fields})
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, message)
                self.assertContains(r, "<h1>Ring til mig</h1>", html=True)
        self.assertFalse(ChildMessage.objects.exists())

    def test_it_shows_the_call_to_the_caseworker_as_a_task(self) -> None:
        """The caseworker sees "ring til mig" on the case page (with the letter) and the
        caseload, as an unanswered message that turns overdue after 2 working days; she answers
        it on the answer page, and the child can ask again."""
        self.call_me(text="Jeg forstår ikke brevet.")
        message = ChildMessage.objects.get()
        alice = self.staff(self.alice)
        r = alice.get(self.case_a.get_absolute_url())
        self.assertContains(r, "Forstår ikke brevet: ring til mig")
        self.assertContains(r, "Om brevet:")
        self.assertContains(r, reverse("letters:detail", args=[self.letter.code]))
        self.assertContains(r, "barnet forstår det ikke og venter på, at du ringer")
        r = alice.get(reverse("children:case_list"))
        self.assertContains(r, "Ny besked fra barnet")
        ChildMessage.objects.filter(pk=message.pk).update(
            sent_at=timezone.now() - timedelta(days=7)
        )
        r = alice.get(reverse("children:case_list"))
        self.assertContains(r, "Besked ubesvaret over 2 hverdage")
        answer_url = reverse("channel:message", args=[message.code])
        r = alice.get(answer_url)
        self.assertContains(r, "Barnet forstår ikke et brev og vil gerne ringes op")
        self.assertContains(r, f'href="{self.letter.get_absolute_url()}"')
        r = alice.post(answer_url, {"answer": "Jeg har ringet til dig og forklaret brevet."})
        self.assertEqual(r.status_code, 302)
        message.refresh_from_db()
        self.assertIsNotNone(message.answered_at)
        r = self.client.get(self.url)
        self.assertContains(r, f'action="{self.call_url}"')  # the button is back

    # --- Only my own sent letters (T1, T2, T5) ------------------------------------------------

    def test_it_refuses_another_childs_letter_a_draft_and_a_letter_to_the_parents(self) -> None:
        """A logged 404 for each, and nothing is stamped or asked."""
        others = [
            make_letter(self.case_a2, self.anna, sent=True, subject="Aksels brev"),
            make_letter(self.case_b, self.bob, sent=True, subject="Bertrams brev"),
            make_letter(self.case_a, self.alice, subject="Min kladde"),
            make_letter(self.case_a, self.alice, sent=True, audience="custody", subject="Forældre"),
        ]
        for letter in others:
            for method, url in [
                ("get", reverse("portal:letter", args=[letter.code])),
                ("get", reverse("portal:call_me", args=[letter.code])),
                ("post", reverse("portal:call_me", args=[letter.code])),
            ]:
                with self.subTest(letter=letter.subject, method=method, url=url):
                    data = {"submit_token": str(uuid.uuid4())} if method == "post" else {}
                    r = getattr(self.client, method)(url, data)
                    self.assertEqual(r.status_code, 404)
                    self.assertNotContains(r, letter.subject, status_code=404)
                    [denied] = AccessEvent.objects.filter(request_id=r["X-Request-ID"])
                    self.assertEqual((denied.action, denied.role), (Action.DENIED, "child"))
        self.assertFalse(Letter.objects.filter(read_at__isnull=False).exists())
        self.assertFalse(ChildMessage.objects.exists())

    def test_it_refuses_another_childs_receipt(self) -> None:
        self.call_me()
        mine = ChildMessage.objects.get()
        other = make_child_access(self.case_a2, self.anna)
        aksel = self.client_class()
        child_login(aksel, other)
        r = aksel.get(f"{self.call_url}?kvittering={mine.code}")
        self.assertEqual(r.status_code, 404)
        r = self.client.get(f"{self.call_url}?kvittering=ikke-en-kode")
        self.assertEqual(r.status_code, 404)

    def test_it_sends_staff_and_strangers_to_the_childs_sign_in(self) -> None:
        """T2: a staff login opens no child page; nothing is read or stamped."""
        alice = self.staff(self.alice)
        for url in (self.url, self.call_url):
            r = alice.get(url)
            self.assertRedirects(r, f"/barn/pin/?next={url}", fetch_redirect_response=False)
            r = self.client_class().post(url, {"submit_token": str(uuid.uuid4())})
            self.assertRedirects(r, f"/barn/pin/?next={url}", fetch_redirect_response=False)
        self.letter.refresh_from_db()
        self.assertIsNone(self.letter.read_at)
        self.assertFalse(ChildMessage.objects.exists())
