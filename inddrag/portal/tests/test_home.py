from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.children.models import Case
from inddrag.conversations.models import Meeting, MeetingPreparation
from inddrag.portal.models import ChildAccess, ChildMessage
from inddrag.test import (
    BaseTestCase,
    child_login,
    make_child_access,
    make_child_message,
    make_letter,
    make_meeting,
)

HOME = reverse("portal:home")
HELP = reverse("portal:help")
Action = AccessEvent.Action


def main_of(response: Any) -> str:
    body = response.content.decode()
    match = re.search(r"<main.*?</main>", body, re.S)
    assert match is not None
    return match.group(0)


class HomeTestCase(BaseTestCase):
    """The child's home (issue 5, point 2) and "Brug for hjælp nu?": the next meeting, my
    caseworker, "Til dig", every way to reach the caseworker, in child words; small and in a
    constant number of queries; only the child's own things (T1, T2); every read logged (T5)."""

    def setUp(self) -> None:
        self.access = make_child_access(self.case_a, self.alice)
        child_login(self.client, self.access)

    # --- It works -----------------------------------------------------------------------------

    def test_it_shows_the_empty_home_in_child_words(self) -> None:
        r = self.client.get(HOME)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "<h1>Hej Asta</h1>", html=True)
        self.assertContains(
            r, f'<a class="button button-unsafe" href="{reverse("portal:unsafe")}">', count=1
        )
        self.assertContains(r, "Du har ikke noget møde lige nu.")
        self.assertContains(r, "Der er ikke noget endnu.")  # Til dig
        self.assertContains(r, "Du har ikke skrevet til din sagsbehandler endnu.")
        for name in ["message", "bisidder", "about_me", "messages", "help"]:
            self.assertContains(r, f'href="{reverse(f"portal:{name}")}"')
        # No pictures and no read-aloud in the ordinary mode.
        self.assertNotContains(r, 'role="img"')
        self.assertNotContains(r, "read-aloud")

    def test_it_shows_my_caseworker_with_initials_presentation_and_phone(self) -> None:
        self.alice.presentation = "Jeg hjælper børn i Nordby.\nDu kan altid skrive til mig."
        self.alice.work_phone = "33 12 34 56"
        self.alice.save()
        r = self.client.get(HOME)
        self.assertContains(r, '<span class="caseworker-initials" aria-hidden="true">AT</span>')
        self.assertContains(r, '<p class="caseworker-name">Alice Testesen</p>', html=True)
        self.assertContains(r, "Jeg hjælper børn i Nordby.<br>Du kan altid skrive til mig.")
        self.assertContains(r, '<a href="tel:33123456">Ring på 33 12 34 56</a>', html=True)

    def test_it_shows_the_case_caseworker_not_a_former_one(self) -> None:
        self.case_a.assignments.update(ended_at=timezone.now())
        r = self.client.get(HOME)
        self.assertContains(r, "Du har ikke en sagsbehandler lige nu.")
        self.assertNotContains(r, "Alice")

    def test_it_shows_the_next_meeting_and_whether_it_is_prepared(self) -> None:
        now = timezone.now()
        make_meeting(self.case_a, self.alice, starts_at=now - timedelta(days=1))  # past
        make_meeting(
            self.case_a, self.alice, starts_at=now + timedelta(days=2), child_invited=False
        )
        make_meeting(
            self.case_a,
            self.alice,
            starts_at=now + timedelta(days=3),
            status=Meeting.Status.CANCELLED,
        )
        later = make_meeting(self.case_a, self.alice, starts_at=now + timedelta(days=20))
        soon = make_meeting(
            self.case_a,
            self.alice,
            starts_at=now + timedelta(days=5),
            place="Rådhuset",
            kind=Meeting.Kind.NETWORK,
        )
        r = self.client.get(HOME)
        self.assertEqual(r.context["meeting"], soon)
        self.assertContains(r, "<strong>Netværksmøde</strong>", html=True)
        self.assertContains(r, "Rådhuset")
        self.assertContains(r, f'href="{reverse("portal:meeting", args=[soon.code])}"')
        self.assertNotContains(r, str(later.code))
        self.assertContains(r, "Du kan forberede dig, før I mødes.")
        # A draft is not a preparation; a submitted one is.
        preparation = MeetingPreparation.objects.create(
            municipality=self.nordby, meeting=soon, child=self.case_a.child
        )
        self.assertContains(self.client.get(HOME), "Se mødet og forbered dig")
        preparation.submitted_at = timezone.now()
        preparation.save()
        r = self.client.get(HOME)
        self.assertContains(r, "Du har forberedt dig til mødet.")
        self.assertContains(r, ">Se mødet</a>")

    def test_it_lists_the_summaries_written_to_me_newest_first(self) -> None:
        """ "Til dig": the summaries of my meetings ("Det aftalte vi"); letters are in
        test_child_letters."""
        now = timezone.now()
        older = make_meeting(
            self.case_a,
            self.alice,
            starts_at=now - timedelta(days=60),
            status=Meeting.Status.HELD,
            summary="Vi talte om skolen.",
            summary_written_at=now - timedelta(days=59),
        )
        newer = make_meeting(
            self.case_a,
            self.alice,
            kind=Meeting.Kind.FOLLOW_UP,
            starts_at=now - timedelta(days=10),
            status=Meeting.Status.HELD,
            summary="Vi talte om din lillebror.",
            summary_written_at=now - timedelta(days=9),
        )
        make_meeting(  # held, but no summary yet
            self.case_a, self.alice, starts_at=now - timedelta(days=5), status="held"
        )
        make_meeting(  # another child's
            self.case_a2,
            self.anna,
            starts_at=now - timedelta(days=3),
            status=Meeting.Status.HELD,
            summary="Aksels møde.",
            summary_written_at=now - timedelta(days=2),
        )
        r = self.client.get(HOME)
        urls = [item.url for item in r.context["for_you"]]
        self.assertEqual(
            urls,
            [reverse("portal:meeting", args=[m.code]) for m in (newer, older)],
        )
        self.assertContains(r, "Det aftalte vi: Opfølgning")
        self.assertContains(r, "Det aftalte vi: Børnesamtale")

    def test_it_shows_my_latest_messages_with_their_answers(self) -> None:
        now = timezone.now()
        make_child_message(self.case_a, sent_at=now - timedelta(days=3))
        make_child_message(
            self.case_a,
            kind=ChildMessage.Kind.BISIDDER,
            sent_at=now - timedelta(days=2),
            answer="Det ordner vi.",
            answered_at=now - timedelta(days=1),
            answered_by=self.alice,
        )
        make_child_message(self.case_a2, text="Aksels besked")  # another child's
        r = self.client.get(HOME)
        main = main_of(r)
        self.assertLess(main.index("Du vil gerne have en bisidder"), main.index("Din mening"))
        self.assertIn("Du har fået svar", main)
        self.assertIn("Ikke besvaret endnu", main)
        self.assertNotIn("Aksel", main)
        self.assertContains(r, "Se alle dine beskeder og svar")

    def test_it_shows_picture_buttons_and_read_aloud_in_simple_mode(self) -> None:
        ChildAccess.objects.filter(pk=self.access.pk).update(simple_mode=True)
        r = self.client.get(HOME)
        self.assertContains(r, "portal-choices-simple")
        self.assertContains(
            r, '<span class="choice-picture" role="img" aria-label="En taleboble">💬</span>'
        )
        self.assertContains(r, 'role="img"', count=7)  # six choices and the unsafe button
        # "Læs op": hidden until read-aloud.js finds the browser's speech synthesis.
        self.assertContains(r, 'data-read-aloud data-stop-label="Stop oplæsningen" hidden>')
        self.assertContains(r, '<script src="/static/app/read-aloud.js" defer></script>')
        self.assertContains(r, 'value="off"')  # the switch back
        self.assertNotContains(r, "<script>")  # nothing inline (CSP)

    def test_it_shows_a_child_whose_case_is_closed(self) -> None:
        make_meeting(self.case_a, self.alice)
        Case.objects.filter(pk=self.case_a.pk).update(status="closed", closed_on=timezone.now())
        r = self.client.get(HOME)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Du har ikke noget møde lige nu.")
        self.assertContains(r, "Du har ikke en sagsbehandler lige nu.")

    # --- Access: the child's own things only (T1, T2) -----------------------------------------

    def test_it_shows_nothing_of_another_child(self) -> None:
        """T1: Aksel's meeting, caseworker and messages never appear on Asta's home."""
        make_meeting(self.case_a2, self.anna, place="Aksels skole")
        make_child_message(self.case_a2, text="Aksels hemmelighed")
        r = self.client.get(HOME)
        self.assertNotContains(r, "Aksel")
        self.assertNotContains(r, "Anna")
        self.assertIsNone(r.context["meeting"])

    def test_it_refuses_another_childs_meeting_and_opens_my_own(self) -> None:
        """T1 for the child role: a link to Aksel's meeting is a logged 404; the meeting on
        Asta's home opens."""
        other = make_meeting(self.case_a2, self.anna, place="Aksels skole")
        r = self.client.get(reverse("portal:meeting", args=[other.code]))
        self.assertEqual(r.status_code, 404)
        self.assertNotContains(r, "Aksels skole", status_code=404)
        [denied] = AccessEvent.objects.filter(request_id=r["X-Request-ID"])
        self.assertEqual((denied.action, denied.role), (Action.DENIED, "child"))
        self.assertEqual(denied.username, f"barn:{self.access.code}")
        own = make_meeting(self.case_a, self.alice)
        home = self.client.get(HOME)
        url = reverse("portal:meeting", args=[own.code])
        self.assertContains(home, f'href="{url}"')
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_it_sends_a_browser_without_a_child_session_to_the_pin(self) -> None:
        """T2: no device cookie, a locked access, or a staff login alone: the child's sign-in."""
        anonymous = Client()
        r = anonymous.get(HOME)
        self.assertRedirects(r, f"/barn/pin/?next={HOME}", fetch_redirect_response=False)
        staff = Client()
        staff.force_login(self.alice)
        self.client = staff
        self.login(self.alice)
        r = self.client.get(HOME)
        self.assertRedirects(r, f"/barn/pin/?next={HOME}", fetch_redirect_response=False)
        ChildAccess.objects.filter(pk=self.access.pk).update(locked_at=timezone.now())
        locked = Client()
        child_login(locked, self.access)
        r = locked.get(HOME)
        self.assertRedirects(r, f"/barn/pin/?next={HOME}", fetch_redirect_response=False)
        self.assertFalse(AccessEvent.objects.filter(action=Action.READ).exists())

    # --- Logging (T5) -------------------------------------------------------------------------

    def test_it_logs_the_read(self) -> None:
        r = self.client.get(HOME)
        [event] = AccessEvent.objects.filter(request_id=r["X-Request-ID"])
        self.assertEqual(event.action, Action.READ)
        self.assertEqual(event.role, "child")
        self.assertEqual(event.username, f"barn:{self.access.code}")
        self.assertIsNone(event.user)
        self.assertEqual((event.child, event.municipality), (self.case_a.child, self.nordby))
        self.assertEqual(event.object_code, str(self.case_a.code))

    # --- Small and fast -----------------------------------------------------------------------

    def fill(self, meetings: int, messages: int) -> None:
        """A full home: a coming meeting with a submitted preparation, a long presentation,
        `meetings` summaries, as many letters (half of them read) and `messages` answered
        messages."""
        now = timezone.now()
        self.alice.presentation = "Jeg hjælper børn og unge i Nordby. " * 17
        self.alice.work_phone = "33 12 34 56"
        self.alice.save()
        coming = make_meeting(self.case_a, self.alice, place="Skolen, lokale 12")
        MeetingPreparation.objects.create(
            municipality=self.nordby, meeting=coming, child=self.case_a.child, submitted_at=now
        )
        for n in range(meetings):
            make_meeting(
                self.case_a,
                self.alice,
                starts_at=now - timedelta(days=30 + n),
                status=Meeting.Status.HELD,
                summary="Det aftalte vi. " * 100,
                summary_written_at=now - timedelta(days=29 + n),
            )
        for n in range(meetings):
            make_letter(
                self.case_a,
                self.alice,
                sent=True,
                subject="Et brev til dig om det, vi har aftalt",
                sent_at=now - timedelta(days=20 + 2 * n),
                read_at=now - timedelta(days=19) if n % 2 else None,
            )
        for n in range(messages):
            make_child_message(
                self.case_a,
                text="Jeg vil gerne sige noget. " * 100,
                sent_at=now - timedelta(days=n + 2),
                answer="Tak for din besked. " * 100,
                answered_at=now - timedelta(days=n + 1),
                answered_by=self.alice,
            )

    def test_it_stays_within_14_kb_of_html(self) -> None:
        """The first view fits one TCP round trip (issue 5: HTML <= 14 KB), in both modes."""
        self.fill(meetings=8, messages=8)
        r = self.client.get(HOME)
        self.assertEqual(len(r.context["for_you"]), 5)
        self.assertLessEqual(len(r.content), 14 * 1024)
        ChildAccess.objects.filter(pk=self.access.pk).update(simple_mode=True)
        r = self.client.get(HOME)
        self.assertContains(r, "portal-choices-simple")
        self.assertLessEqual(len(r.content), 14 * 1024)

    # Expect 12 queries, whatever the number of meetings, summaries, letters and messages:
    #   1 the device session with the access, the child and the municipality
    #     (ChildSessionMiddleware; it moves the idle clock at most once a minute),
    #   2 the child's open case (current_case),
    #   3 the next planned meeting the child is invited to, with its preparation joined,
    #   4 the case's active assignment with the caseworker,
    #   5 the summaries written to the child ("Til dig"),
    #   6 the letters sent to the child ("Til dig"),
    #   7 the child's three newest messages,
    #   8 SAVEPOINT, 9 lock the access-log chain head, 10 insert the access event,
    #   11 move the chain head, 12 RELEASE SAVEPOINT.
    HOME_QUERIES = 12

    def test_it_reads_an_almost_empty_home_in_constant_queries(self) -> None:
        self.fill(meetings=1, messages=1)
        self.client.get(HOME)  # warm up: the municipality's first access event makes its chain
        with self.assertNumQueries(self.HOME_QUERIES):
            r = self.client.get(HOME)
        self.assertEqual(r.status_code, 200)

    def test_it_reads_a_full_home_in_the_same_queries(self) -> None:
        """House style rule 26: eight summaries and eight messages cost what one cost."""
        self.fill(meetings=8, messages=8)
        self.client.get(HOME)  # warm up: the municipality's first access event makes its chain
        with self.assertNumQueries(self.HOME_QUERIES):
            r = self.client.get(HOME)
        self.assertEqual(len(r.context["latest"]), 3)

    # --- Brug for hjælp nu? -------------------------------------------------------------------

    def test_it_shows_the_help_page_to_anyone_without_a_query_or_a_log(self) -> None:
        """Public and static: no query, no access event, whoever asks."""
        anonymous = Client()
        with self.assertNumQueries(0):
            r = anonymous.get(HELP)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, '<a href="tel:116111">116 111</a>', html=True)
        self.assertContains(r, '<a href="tel:112">112</a>', html=True)
        self.assertContains(r, "Du behøver ikke sige, hvem du er.")
        self.assertNotContains(r, "<script")
        # A signed-in child gets the same page, with a way back, and still nothing is logged.
        r = self.client.get(HELP)
        self.assertContains(r, "Tilbage til forsiden")
        self.assertFalse(AccessEvent.objects.exists())

    def test_it_refuses_to_change_anything_on_the_help_page(self) -> None:
        self.assertEqual(Client().post(HELP).status_code, 405)
        self.assertEqual(self.client.post(HOME).status_code, 405)
