"""The leader's overview of reflection and training per caseworker, for a period, with the
onboarding progress; one query for the rows however many caseworkers (the acceptance)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.municipalities.models import Membership
from inddrag.reflection.models import Reflection, ReflectionSession
from inddrag.test import (
    BaseTestCase,
    make_member,
    make_reflection,
    make_reflection_session,
    make_training_session,
)
from inddrag.training import services
from inddrag.training.models import Attendance, Module, OnboardingStep, TrainingSession

URL = reverse("training:overview")


class OverviewTestCase(BaseTestCase):
    def caseworker(self, name: str) -> User:
        return make_member(name, self.nordby, Membership.Role.CASEWORKER, self.vest)

    def reflection(self, author: User, *, shared: bool = False, days_ago: int = 5) -> Reflection:
        reflection = make_reflection(author, shared=shared)
        written = timezone.now() - timedelta(days=days_ago)
        Reflection.objects.filter(pk=reflection.pk).update(created_at=written)
        return reflection

    def team_session(
        self, *people: User, days_ago: int = 5, kind: str = "team"
    ) -> ReflectionSession:
        session = make_reflection_session(
            self.vest, self.leo, held_on=timezone.localdate() - timedelta(days=days_ago), kind=kind
        )
        session.participants.set(people)
        return session

    def training(self, *people: User, days_ago: int = 5, attended: bool = True) -> TrainingSession:
        module = Module.objects.get(municipality=None, title="Børnesamtalen")
        session = make_training_session(module, self.nordby, self.leo)
        session.held_on = timezone.localdate() - timedelta(days=days_ago)
        session.save()
        for person in people:
            Attendance.objects.create(
                municipality=self.nordby, session=session, user=person, attended=attended
            )
        return session

    def activity(self, user: User) -> None:
        """Some of everything for `user`, all in the default period."""
        self.reflection(user, shared=True)
        self.team_session(user)
        self.training(user)
        services.start_onboarding(Membership.objects.get(user=user))

    def test_it_shows_the_figures_per_caseworker(self) -> None:
        carl = self.caseworker("carl")
        for shared in (True, True, False):
            self.reflection(self.alice, shared=shared)
        self.reflection(self.alice, days_ago=120)  # before the period
        self.reflection(self.anna, shared=True)  # another unit's caseworker
        self.team_session(self.alice, carl)
        self.team_session(self.alice)
        self.team_session(self.alice, days_ago=120)
        self.team_session(self.alice, kind="leaders")  # not a team session
        self.training(self.alice)
        self.training(self.alice, attended=False)
        self.training(self.alice, carl, days_ago=200)
        membership = Membership.objects.get(user=self.alice)
        services.start_onboarding(membership)
        for step in OnboardingStep.objects.filter(membership=membership)[:3]:
            step.completed_at = timezone.now()
            step.save()
        self.login(self.leo)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        rows = {row.name: row for row in r.context["rows"]}
        self.assertEqual(set(rows), {"Alice Testesen", "Carl Testesen"})  # not anna (Team Øst)
        alice, carl_row = rows["Alice Testesen"], rows["Carl Testesen"]
        self.assertEqual(
            (alice.reflections, alice.shared, alice.team_sessions, alice.trainings), (3, 2, 2, 1)
        )
        self.assertEqual((alice.steps_done, alice.steps), (3, 4))
        self.assertEqual(
            (carl_row.reflections, carl_row.shared, carl_row.team_sessions, carl_row.trainings),
            (0, 0, 1, 0),
        )
        self.assertFalse(carl_row.has_path)
        self.assertContains(r, "3 af 4")
        self.assertContains(r, '<span aria-hidden="true">–</span>')
        self.assertContains(r, "3 af 4 trin")  # the total row
        self.assertNotContains(r, "At hun savner")  # counts only, never what was written

    def test_it_shows_a_chosen_period(self) -> None:
        self.reflection(self.alice, days_ago=120)
        self.training(self.alice, days_ago=200)
        today = timezone.localdate()
        self.login(self.leo)
        r = self.client.get(URL, {"fra": (today - timedelta(days=365)).isoformat()})
        (row,) = r.context["rows"]
        self.assertEqual((row.reflections, row.trainings), (1, 1))
        r = self.client.get(
            URL,
            {
                "fra": (today - timedelta(days=150)).isoformat(),
                "til": (today - timedelta(days=100)).isoformat(),
            },
        )
        (row,) = r.context["rows"]
        self.assertEqual((row.reflections, row.trainings), (1, 0))

    def test_it_defaults_to_the_last_three_months(self) -> None:
        self.login(self.leo)
        r = self.client.get(URL)
        today = timezone.localdate()
        self.assertEqual(r.context["end"], today)
        self.assertIn((today - r.context["start"]).days, range(89, 93))

    def test_it_refuses_a_bad_period(self) -> None:
        """T13: Danish messages, and no figures."""
        today = timezone.localdate()
        cases = [
            ({"fra": "i går"}, "Skriv en rigtig dato."),
            ({"til": "2026-02-30"}, "Skriv en rigtig dato."),
            (
                {"fra": today.isoformat(), "til": (today - timedelta(days=1)).isoformat()},
                "Til-datoen skal være samme dag som fra-datoen eller senere.",
            ),
            ({"fra": "1999-12-31"}, "Vælg en dato fra 2000 eller senere."),
            ({"til": "9999-12-31"}, "Vælg en dato højst et år frem."),
        ]
        self.login(self.leo)
        for data, message in cases:
            with self.subTest(data=data):
                r = self.client.get(URL, data)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, "Perioden kan ikke vises")
                self.assertContains(r, message)
                self.assertNotIn("rows", r.context)

    def test_it_needs_as_many_queries_for_12_caseworkers_as_for_2(self) -> None:
        """The acceptance: the query count is constant in the number of caseworkers."""
        carl = self.caseworker("carl")
        self.activity(self.alice)
        self.activity(carl)
        self.login(self.leo)
        self.client.get(URL)  # the session's first request writes its clock
        # 5 queries: session, user, OTP device, memberships (+ municipality, unit); and ONE for
        # the rows: the caseworkers' memberships with user and unit, each figure a correlated
        # subquery. None per caseworker, reflection, session or step.
        with self.assertNumQueries(5):
            r = self.client.get(URL)
        self.assertEqual(len(r.context["rows"]), 2)
        for n in range(10):
            self.activity(self.caseworker(f"cw{n}"))
        with self.assertNumQueries(5):
            r = self.client.get(URL)
        self.assertEqual(len(r.context["rows"]), 12)
        self.assertTrue(all(row.reflections == 1 and row.steps == 4 for row in r.context["rows"]))

    def test_it_shows_the_whole_municipality_to_a_leader_of_no_unit(self) -> None:
        lea = make_member("lea", self.nordby, Membership.Role.LEADER)
        self.reflection(self.anna)
        self.login(lea)
        r = self.client.get(URL)
        rows = {row.name: row for row in r.context["rows"]}
        self.assertEqual(set(rows), {"Alice Testesen", "Anna Testesen"})
        self.assertEqual(rows["Anna Testesen"].unit, "Team Øst")
        self.assertEqual(rows["Anna Testesen"].reflections, 1)
        self.assertContains(r, "Kommunens sagsbehandlere")

    def test_it_shows_nothing_of_another_municipality(self) -> None:
        """T1: Sydby's leader sees Sydby's caseworker, with none of Nordby's activity."""
        self.activity(self.alice)
        self.login(self.bea)
        r = self.client.get(URL)
        self.assertEqual([row.name for row in r.context["rows"]], ["Bob Testesen"])
        self.assertEqual(r.context["total"].reflections, 0)
        self.assertNotContains(r, "Alice")

    def test_it_leaves_out_caseworkers_who_have_left(self) -> None:
        carl = self.caseworker("carl")
        Membership.objects.filter(user=carl).update(ended_at=timezone.now())
        self.login(self.leo)
        r = self.client.get(URL)
        self.assertEqual([row.name for row in r.context["rows"]], ["Alice Testesen"])

    def test_it_shows_an_empty_state(self) -> None:
        Membership.objects.filter(user=self.alice).update(ended_at=timezone.now())
        self.login(self.leo)
        self.assertContains(self.client.get(URL), "Der er ingen sagsbehandlere i enheden.")

    def test_it_is_for_leaders(self) -> None:
        """T2: caseworkers and the administrator get 403."""
        for user in (self.alice, self.ada):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(URL).status_code, 403)
