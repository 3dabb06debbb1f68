"""The themes across the municipality's reflection sessions in a period (the leader's
overview): counts per theme, links where the leader may open the session, one query."""

from __future__ import annotations

import time
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from inddrag.municipalities.models import Membership
from inddrag.reflection.models import ReflectionSession
from inddrag.test import BaseTestCase, make_member, make_reflection_session

URL = reverse("reflection:themes")


class ThemesTestCase(BaseTestCase):
    def setUp(self) -> None:
        today = timezone.localdate()
        self.vest_session = make_reflection_session(
            self.vest, self.leo, title="Vest", themes="børnesamtalen, bisidder", held_on=today
        )
        self.ole = make_member("ole", self.nordby, Membership.Role.LEADER, self.oest)
        self.oest_session = make_reflection_session(
            self.oest,
            self.ole,
            title="Øst",
            themes="børnesamtalen",
            held_on=today - timedelta(days=30),
        )
        make_reflection_session(
            self.oest, self.ole, title="Gammel", themes="breve", held_on=today - timedelta(days=400)
        )
        make_reflection_session(self.syd, self.bea, title="Syd", themes="bisidder, sydtema")

    def prime_session(self) -> None:
        session = self.client.session
        session["last_seen"] = session["auth_started"] = time.time()
        session.save()

    def test_it_counts_the_themes_of_the_last_twelve_months(self) -> None:
        self.login(self.leo)
        r = self.client.get(URL)
        rows = [
            (row.theme, row.count, [s.title for s in row.sessions]) for row in r.context["rows"]
        ]
        self.assertEqual(rows, [("børnesamtalen", 2, ["Vest", "Øst"]), ("bisidder", 1, ["Vest"])])
        self.assertNotContains(r, "sydtema")  # another municipality's
        self.assertNotContains(r, "breve")  # older than 12 months

    def test_it_links_only_to_sessions_the_leader_may_open(self) -> None:
        self.login(self.leo)
        r = self.client.get(URL)
        self.assertContains(r, reverse("reflection:session_detail", args=[self.vest_session.code]))
        self.assertNotContains(
            r, reverse("reflection:session_detail", args=[self.oest_session.code])
        )
        self.assertContains(r, "Øst")
        self.login(self.ole)
        r = self.client.get(URL)
        self.assertContains(r, reverse("reflection:session_detail", args=[self.oest_session.code]))

    def test_it_takes_a_period(self) -> None:
        today = timezone.localdate()
        self.login(self.leo)
        start = (today - timedelta(days=500)).isoformat()
        end = (today - timedelta(days=10)).isoformat()
        r = self.client.get(URL, {"start": start, "end": end})
        self.assertEqual([row.theme for row in r.context["rows"]], ["breve", "børnesamtalen"])
        r = self.client.get(URL, {"start": end, "end": start})
        self.assertContains(r, "“Fra” skal ligge før “Til”.")
        self.assertEqual(r.context["start"], today - timedelta(days=365))  # the default again

    def test_it_shows_the_empty_state(self) -> None:
        ReflectionSession.objects.update(themes="")
        self.login(self.leo)
        self.assertContains(self.client.get(URL), "Ingen møder i perioden har temaer.")

    def test_it_reads_the_themes_in_one_query(self) -> None:
        """Rule 26: 4 or 40 sessions with themes, the list is one query."""
        self.login(self.leo)
        self.client.get(URL)
        for extra in [0, 36]:
            for n in range(extra):
                make_reflection_session(self.vest, self.leo, title=f"M{n}", themes=f"tema {n % 7}")
            self.prime_session()
            # session, user, OTP device, membership, the sessions of the period (with unit).
            with self.assertNumQueries(5):
                r = self.client.get(URL)
            self.assertEqual(r.status_code, 200)
        self.assertEqual(len(r.context["rows"]), 9)

    def test_it_is_403_for_caseworkers_and_administrators(self) -> None:
        for user in [self.alice, self.ada]:
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(URL).status_code, 403)
