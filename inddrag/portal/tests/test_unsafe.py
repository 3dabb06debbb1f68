from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.children.models import Case
from inddrag.conversations.models import MeetingPreparation, PreparationAnswer
from inddrag.portal.models import ChildMessage
from inddrag.test import (
    BaseTestCase,
    child_login,
    make_case,
    make_child_access,
    make_measure,
    make_meeting,
)

UNSAFE = reverse("portal:unsafe")
CASES = reverse("children:case_list")
Action = AccessEvent.Action
Kind = ChildMessage.Kind
FLAG = "Føler sig ikke tryg"


def row_names(response: Any) -> list[str]:
    """The children's names on the caseload page, in order."""
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', response.content.decode())


class UnsafeTestCase(BaseTestCase):
    """ "Jeg føler mig ikke tryg" (issue 5, point 2): one button; the child is at the very top of
    the caseworker's and the leader's lists in the next request, whatever the sort, filter or
    search, and on the case page; never hidden by the child's sharing choices; a plain answer
    to the child about what happens now; sent once per form (T20); logged (T5)."""

    def setUp(self) -> None:
        self.access = make_child_access(self.case_a, self.alice)
        self.child = Client()
        child_login(self.child, self.access)

    def press(self, text: str = "", token: str | None = None) -> Any:
        return self.child.post(UNSAFE, {"text": text, "submit_token": token or str(uuid.uuid4())})

    def make_busy_caseload(self) -> None:
        """Alice's other children: two overdue (a placement without its § 95 follow-up), some
        alphabetically before Asta Fiktivsen, and younger; one with an unanswered message."""
        today = timezone.localdate()
        for first, last, years in [
            ("Bo", "Andersen", 6),
            ("Cai", "Berg", 8),
            ("Dea", "Clausen", 16),
            ("Eik", "Dahl", 9),
        ]:
            case = make_case(
                self.vest,
                self.alice,
                first_name=first,
                last_name=last,
                birth_date=date(today.year - years, 1, 1),
            )
            if first in ("Bo", "Cai"):
                make_measure(case, kind="foster_care", started_on=today - timedelta(days=150))
            if first == "Dea":
                ChildMessage.objects.create(
                    municipality=self.nordby,
                    child=case.child,
                    case=case,
                    text="Hej",
                    sent_at=timezone.now() - timedelta(days=10),
                    submit_token=uuid.uuid4(),
                )

    # --- The child's side ---------------------------------------------------------------------

    def test_it_shows_one_big_button_and_the_help_numbers(self) -> None:
        r = self.child.get(UNSAFE)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "<h1>Jeg føler mig ikke tryg</h1>", html=True)
        self.assertContains(r, 'type="submit"', count=3)  # the button, log out, language
        self.assertContains(
            r,
            '<button type="submit" class="button button-unsafe portal-submit">'
            "Jeg føler mig ikke tryg</button>",
            html=True,
        )
        self.assertContains(r, '<a href="tel:112">112</a>', html=True)
        self.assertContains(r, '<a href="tel:116111">116 111</a>', html=True)
        self.assertContains(r, "(frivillig)")  # the text is optional
        [read] = AccessEvent.objects.filter(request_id=r["X-Request-ID"])
        self.assertEqual((read.action, read.role), (Action.READ, "child"))

    def test_it_tells_the_child_what_happens_now(self) -> None:
        self.alice.work_phone = "33 12 34 56"
        self.alice.save()
        r = self.press()
        message = ChildMessage.objects.get()
        self.assertEqual((message.kind, message.text, message.case), (Kind.UNSAFE, "", self.case_a))
        self.assertRedirects(
            r, f"{UNSAFE}?kvittering={message.code}", fetch_redirect_response=False
        )
        [created] = AccessEvent.objects.filter(request_id=r["X-Request-ID"])
        self.assertEqual((created.action, created.role), (Action.CREATE, "child"))
        self.assertEqual(created.object_code, str(message.code))
        r = self.child.get(r["Location"])
        self.assertContains(r, "Det sker nu")
        self.assertContains(r, "Din sagsbehandler kan se din besked øverst på sin liste lige nu.")
        self.assertContains(r, "Din sagsbehandler kontakter dig så hurtigt som muligt.")
        self.assertContains(r, "Du kan også selv ringe til Alice Testesen på")
        self.assertContains(r, '<a href="tel:33123456">33 12 34 56</a>', html=True)
        self.assertContains(r, "Er du i fare lige nu? Ring")
        self.assertContains(r, "Det er gratis, og du behøver ikke sige dit navn.")

    def test_it_keeps_what_the_child_wrote(self) -> None:
        self.press(text="Der er råben hjemme om aftenen.")
        self.assertEqual(ChildMessage.objects.get().text, "Der er råben hjemme om aftenen.")
        r = self.press(text="<script>x</script>")
        self.assertContains(r, "Skriv teksten uden HTML-koder")
        self.assertEqual(ChildMessage.objects.count(), 1)

    def test_it_sends_once_per_form(self) -> None:
        """T20: pressed twice on the same page (or sent again after a lost answer): one flag,
        the same receipt."""
        token = str(uuid.uuid4())
        first, second = self.press(token=token), self.press(token=token)
        self.assertEqual(ChildMessage.objects.count(), 1)
        self.assertEqual(first["Location"], second["Location"])
        self.assertEqual(AccessEvent.objects.filter(action=Action.CREATE).count(), 1)

    def test_it_refuses_another_childs_receipt(self) -> None:
        """T1: a receipt of Aksel's flag is a logged 404."""
        other = ChildMessage.objects.create(
            municipality=self.nordby,
            child=self.case_a2.child,
            case=self.case_a2,
            kind=Kind.UNSAFE,
            sent_at=timezone.now(),
            submit_token=uuid.uuid4(),
        )
        r = self.child.get(UNSAFE, {"kvittering": str(other.code)})
        self.assertEqual(r.status_code, 404)
        self.assertTrue(AccessEvent.objects.filter(action=Action.DENIED, role="child").exists())

    def test_it_sends_the_flag_when_the_case_is_closed(self) -> None:
        """Never lost: without an open case the flag goes to the child's newest case, so the
        unit's leader sees it at the top of the list, above the closed-case filter."""
        Case.objects.filter(pk=self.case_a.pk).update(status="closed", closed_on=date(2025, 1, 1))
        self.case_a.assignments.update(ended_at=timezone.now())
        r = self.child.get(self.press()["Location"])
        self.assertEqual(ChildMessage.objects.get().case, self.case_a)
        self.assertContains(
            r, "En voksen i kommunen kan se din besked øverst på sin liste lige nu."
        )
        self.login(self.leo)
        self.assertEqual(row_names(self.client.get(CASES))[0], "Asta Fiktivsen")

    # --- The acceptance test: the top of the list, in the next request --------------------------

    def test_it_puts_the_child_at_the_top_of_both_lists_and_on_the_case_page(self) -> None:
        """Issue 5 acceptance: Asta presses "Jeg føler mig ikke tryg" through the real view,
        having shared nothing else (no other message, and a meeting preparation whose answers
        she chose to keep to herself). In the very next request she is at the top of Alice's
        caseload and of Leo's, whatever the sort, filter or search, marked in words and with a
        sign; and the case page says so."""
        self.make_busy_caseload()
        meeting = make_meeting(self.case_a, self.alice)
        preparation = MeetingPreparation.objects.create(
            municipality=self.nordby, meeting=meeting, child=self.case_a.child
        )
        PreparationAnswer.objects.create(
            municipality=self.nordby,
            preparation=preparation,
            question=PreparationAnswer.Question.HARD,
            text="Det er svært derhjemme.",
            shared=False,
        )
        self.login(self.alice)
        before = row_names(self.client.get(CASES))
        self.assertNotEqual(before[0], "Asta Fiktivsen")  # the overdue children were first
        self.assertNotContains(self.client.get(CASES), FLAG)

        self.assertEqual(self.press().status_code, 302)

        for user in [self.alice, self.leo]:
            self.login(user)
            for params in [
                {},
                {"sort": "name"},
                {"sort": "age"},
                {"sort": "due"},
                {"sort": "conversation"},
                {"filter": "overdue"},
                {"filter": "soon"},
                {"filter": "messages", "sort": "name"},
                {"age": "0-9"},  # Asta is 14
                {"measure": "placement"},  # Asta has none
                {"status": "closed"},  # Asta's case is open
            ]:
                with self.subTest(user=user.username, params=params):
                    r = self.client.get(CASES, params)
                    names = row_names(r)
                    self.assertEqual(names[0], "Asta Fiktivsen")
                    self.assertEqual(names.count("Asta Fiktivsen"), 1)
                    row = r.content.decode().split("</tr>")[1]  # the first row of the body
                    self.assertIn('<tr class="row-urgent">', row)
                    self.assertIn(
                        '<strong class="status-urgent"><span class="status-urgent-icon" '
                        f'aria-hidden="true">!</span>{FLAG}</strong>',
                        row,
                    )
            # A search for another child still shows her first (the flag is never hidden).
            r = self.client.post(CASES, {"q": "Clausen"})
            self.assertEqual(row_names(r), ["Asta Fiktivsen", "Dea Clausen"])
            # The case page says it at the top of the child's messages.
            r = self.client.get(self.case_a.get_absolute_url())
            self.assertContains(r, "Føler sig ikke tryg: kontakt barnet hurtigst muligt")
        # The child's unshared preparation stays unshared: the flag shows nothing of it.
        self.login(self.alice)
        self.assertNotContains(self.client.get(CASES), "Det er svært derhjemme.")

    def test_it_orders_several_flags_by_waiting_time_and_drops_an_answered_one(self) -> None:
        self.make_busy_caseload()
        self.press()
        other = Case.objects.get(child__first_name="Eik")
        ChildMessage.objects.create(
            municipality=self.nordby,
            child=other.child,
            case=other,
            kind=Kind.UNSAFE,
            sent_at=timezone.now() - timedelta(hours=2),  # waiting longer than Asta
            submit_token=uuid.uuid4(),
        )
        self.login(self.alice)
        self.assertEqual(row_names(self.client.get(CASES))[:2], ["Eik Dahl", "Asta Fiktivsen"])
        # Answered: Eik is no longer flagged; Asta is first.
        ChildMessage.objects.filter(case=other).update(
            answer="Jeg ringer nu.", answered_at=timezone.now(), answered_by=self.alice
        )
        r = self.client.get(CASES)
        self.assertEqual(row_names(r)[0], "Asta Fiktivsen")
        self.assertContains(r, FLAG, count=1)

    def test_it_is_not_a_flag_for_other_caseloads(self) -> None:
        """T3: Anna (another team) and Bob (Sydby) see nothing of Asta's flag."""
        self.press()
        for user in [self.anna, self.bob]:
            with self.subTest(user=user.username):
                self.login(user)
                r = self.client.get(CASES)
                self.assertNotContains(r, "Asta")
                self.assertNotContains(r, FLAG)
