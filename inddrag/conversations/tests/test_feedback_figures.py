"""The leader's feedback figures: per caseworker in the unit, for a period, with averages only
behind five children or more (T4: small cells suppressed)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.audit.models import AccessEvent
from inddrag.conversations.meeting_forms import months_before
from inddrag.conversations.models import Meeting, MeetingFeedback
from inddrag.municipalities.models import Membership
from inddrag.test import BaseTestCase, make_case, make_meeting, make_member

URL = reverse("conversations:feedback_figures")


class FeedbackFiguresTestCase(BaseTestCase):
    def held(
        self,
        caseworker: User,
        *,
        feedback: tuple[int, int] | None = None,
        days_ago: int = 10,
        unit: Any = None,
        summary: bool = True,
    ) -> Meeting:
        """A held meeting of a new child of `caseworker`, with the child's answer if given."""
        case = make_case(unit or self.vest, caseworker)
        meeting = make_meeting(
            case,
            caseworker,
            starts_at=timezone.now() - timedelta(days=days_ago),
            status=Meeting.Status.HELD,
            summary="Det aftalte vi." if summary else "",
            summary_written_at=timezone.now() if summary else None,
        )
        if feedback is not None:
            MeetingFeedback.objects.create(
                municipality=self.nordby,
                meeting=meeting,
                child=case.child,
                felt_heard=feedback[0],
                understood=feedback[1],
                given_at=timezone.now(),
                submit_token=uuid.uuid4(),
            )
        return meeting

    def caseworker(self, name: str) -> User:
        return make_member(name, self.nordby, Membership.Role.CASEWORKER, self.vest)

    def test_it_shows_figures_per_caseworker(self) -> None:
        """Alice: 6 meetings with 5 children answering (4, 5, 5, 3, 2 and 5, 4, 3, 3, 1): the
        averages 3.8 and 3.2, and 3 of 5 (60 %) and 2 of 5 (40 %) answered 4 or 5. Carl: two
        children answered: counts, no averages."""
        for heard, understood in [(4, 5), (5, 4), (5, 3), (3, 3), (2, 1)]:
            self.held(self.alice, feedback=(heard, understood))
        self.held(self.alice, summary=False)
        carl = self.caseworker("carl")
        self.held(carl, feedback=(5, 5))
        self.held(carl, feedback=(1, 1))
        self.login(self.leo)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        rows = {row.name: row for row in r.context["rows"]}
        alice = rows["Alice Testesen"]
        self.assertEqual((alice.held, alice.summaries, alice.answers, alice.children), (6, 5, 5, 5))
        self.assertAlmostEqual(alice.felt_heard, 3.8)
        self.assertAlmostEqual(alice.understood, 3.2)
        self.assertEqual((alice.felt_heard_percent, alice.understood_percent), (60, 40))
        self.assertFalse(alice.is_suppressed)
        self.assertContains(r, "3,8")
        self.assertContains(r, "3,2")
        self.assertContains(r, "60 % svarede 4 eller 5")
        carl_row = rows["Carl Testesen"]
        self.assertEqual((carl_row.held, carl_row.answers, carl_row.children), (2, 2, 2))
        self.assertTrue(carl_row.is_suppressed)
        self.assertContains(r, "For få svar til at vise et gennemsnit", count=1)
        # The unit in all: 7 children answered.
        total = r.context["total"]
        self.assertEqual((total.held, total.answers, total.children), (8, 7, 7))
        self.assertAlmostEqual(total.felt_heard, 25 / 7)

    def test_it_suppresses_averages_below_five_children(self) -> None:
        """T4: four children's answers could point at one child: no averages, no shares."""
        for _ in range(4):
            self.held(self.alice, feedback=(1, 5))
        self.login(self.leo)
        r = self.client.get(URL)
        self.assertContains(r, "For få svar til at vise et gennemsnit", count=2)  # row and total
        self.assertNotContains(r, "svarede 4 eller 5")
        self.assertNotContains(r, "1,0")

    def test_it_counts_children_not_answers(self) -> None:
        """One child answering five times is one child: still suppressed."""
        meeting = self.held(self.alice, feedback=(5, 5))
        for _ in range(4):
            again = make_meeting(
                meeting.case,
                self.alice,
                starts_at=timezone.now() - timedelta(days=5),
                status=Meeting.Status.HELD,
            )
            MeetingFeedback.objects.create(
                municipality=self.nordby,
                meeting=again,
                child=meeting.case.child,
                felt_heard=5,
                understood=5,
                given_at=timezone.now(),
                submit_token=uuid.uuid4(),
            )
        self.login(self.leo)
        row = self.client.get(URL).context["rows"][0]
        self.assertEqual((row.answers, row.children), (5, 1))
        self.assertTrue(row.is_suppressed)

    def test_it_uses_the_last_three_months_unless_told(self) -> None:
        self.held(self.alice, days_ago=10)
        self.held(self.alice, days_ago=200)
        Meeting.objects.create(  # planned, not held: not counted
            municipality=self.nordby,
            case=self.case_a,
            kind=Meeting.Kind.STATUS,
            starts_at=timezone.now() - timedelta(days=3),
            place="Rådhuset",
            created_by=self.alice,
        )
        self.login(self.leo)
        r = self.client.get(URL)
        self.assertEqual(r.context["rows"][0].held, 1)
        today = timezone.localdate()
        self.assertEqual(r.context["end"], today)
        self.assertLess((today - r.context["start"]).days, 93)
        self.assertGreater((today - r.context["start"]).days, 88)
        start = (today - timedelta(days=365)).isoformat()
        r = self.client.get(URL, {"fra": start, "til": today.isoformat()})
        self.assertEqual(r.context["rows"][0].held, 2)
        self.assertContains(r, f'value="{start}"')
        old = (today - timedelta(days=200)).isoformat()
        r = self.client.get(URL, {"fra": old, "til": old})
        self.assertEqual(r.context["rows"][0].held, 1)

    def test_it_counts_months_back_to_shorter_months(self) -> None:
        """The default period's first day: the same day three months back, or that month's
        last day when it is shorter (31 May → 28 February)."""
        self.assertEqual(months_before(date(2026, 5, 31), 3), date(2026, 2, 28))
        self.assertEqual(months_before(date(2028, 5, 31), 3), date(2028, 2, 29))
        self.assertEqual(months_before(date(2026, 1, 15), 3), date(2025, 10, 15))
        self.assertEqual(months_before(date(2026, 3, 31), 3), date(2025, 12, 31))

    def test_it_validates_the_period(self) -> None:
        self.held(self.alice, feedback=(5, 5))
        self.login(self.leo)
        today = timezone.localdate()
        for params, message in [
            ({"fra": "2026-02-30"}, "Skriv en rigtig dato."),
            ({"til": "i går"}, "Skriv en rigtig dato."),
            (
                {"fra": today.isoformat(), "til": (today - timedelta(days=1)).isoformat()},
                "Til-datoen skal være samme dag som fra-datoen eller senere.",
            ),
            ({"fra": "1990-01-01", "til": today.isoformat()}, "Vælg en periode på højst ti år."),
        ]:
            with self.subTest(params=params):
                r = self.client.get(URL, params)
                self.assertContains(r, message)
                self.assertContains(r, "Perioden kan ikke vises")
                self.assertNotIn("rows", r.context)
        self.assertFalse(AccessEvent.objects.filter(action="list").exists())

    def test_it_logs_the_list_with_its_criterion(self) -> None:
        self.login(self.leo)
        self.client.get(URL, {"fra": "2026-01-01", "til": "2026-03-31"})
        event = AccessEvent.objects.get(action="list")
        self.assertEqual(event.user, self.leo)
        self.assertEqual(
            event.criterion, f"feedback figures 2026-01-01..2026-03-31 unit {self.vest.pk}"
        )
        self.assertIsNone(event.child)

    def test_it_shows_only_the_leaders_unit(self) -> None:
        """T3, T1: Anna's unit (Øst) and Sydby stay out of Leo's figures; a leader of no single
        unit sees the whole municipality."""
        self.held(self.alice, feedback=(5, 5))
        self.held(self.anna, feedback=(1, 1), unit=self.oest)
        bob_case = make_case(self.syd, self.bob)
        make_meeting(
            bob_case,
            self.bob,
            starts_at=timezone.now() - timedelta(days=1),
            status=Meeting.Status.HELD,
        )
        self.login(self.leo)
        r = self.client.get(URL)
        self.assertEqual([row.name for row in r.context["rows"]], ["Alice Testesen"])
        self.assertNotContains(r, "Anna")
        chief = make_member("chief", self.nordby, Membership.Role.LEADER)
        self.login(chief)
        r = self.client.get(URL)
        self.assertEqual(
            [row.name for row in r.context["rows"]], ["Alice Testesen", "Anna Testesen"]
        )
        self.assertTrue(AccessEvent.objects.filter(criterion__endswith="municipality").exists())
        self.login(self.bea)
        r = self.client.get(URL)
        self.assertEqual([row.name for row in r.context["rows"]], ["Bob Testesen"])

    def test_it_needs_as_many_queries_for_many_caseworkers_as_for_one(self) -> None:
        """Rule 26: one aggregate query for the rows, one for the total, however many."""
        self.held(self.alice, feedback=(4, 4))
        self.login(self.leo)
        self.client.get(URL)  # the session's first request writes its clock
        # 11 queries: session, user, OTP device, membership (+ municipality, unit); the rows
        # (one GROUP BY query); the total; the access event (savepoint, head lock, insert, head
        # move, release). None per caseworker or per meeting.
        with self.assertNumQueries(11):
            r = self.client.get(URL)
        self.assertEqual(len(r.context["rows"]), 1)
        for name in ["carl", "cita", "cleo"]:
            user = self.caseworker(name)
            for _ in range(3):
                self.held(user, feedback=(3, 4))
        with self.assertNumQueries(11):
            r = self.client.get(URL)
        self.assertEqual(len(r.context["rows"]), 4)

    def test_it_refuses_caseworkers_and_admins(self) -> None:
        """T2: the figures are the leader's."""
        for user in [self.alice, self.ada]:
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(URL).status_code, 403)
        self.assertFalse(AccessEvent.objects.filter(action="list").exists())

    def test_it_says_when_there_are_no_meetings(self) -> None:
        self.login(self.leo)
        r = self.client.get(URL)
        self.assertContains(r, "Der er ingen holdte møder i perioden.")
