"""The onboarding path of a new caseworker: started automatically and idempotently, shown in
order with progress, marked done by the caseworker (only their own steps), and by attendance
at a session of the module."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.municipalities.models import Membership
from inddrag.test import BaseTestCase, make_member, make_module
from inddrag.training import services
from inddrag.training.models import Module, OnboardingStep

URL = reverse("training:onboarding")


class OnboardingTestCase(BaseTestCase):
    def membership(self, user_id: int) -> Membership:
        return Membership.objects.get(user_id=user_id, ended_at__isnull=True)

    def path(self, user_id: int) -> list[OnboardingStep]:
        return list(
            OnboardingStep.objects.filter(membership__user_id=user_id).select_related("module")
        )

    def test_it_starts_the_path_with_the_onboarding_modules_in_order(self) -> None:
        own = make_module(self.nordby, title="Nordbys sagsgange", in_onboarding=True, position=15)
        make_module(self.nordby, title="Kun for ledere", audience="leaders", position=1)
        make_module(self.nordby, title="Ikke i introduktionen", position=2)
        make_module(
            self.nordby,
            title="Udgået modul",
            in_onboarding=True,
            position=3,
            disabled_on=timezone.localdate(),
        )
        make_module(self.sydby, title="Sydbys sagsgange", in_onboarding=True, position=4)
        made = services.start_onboarding(self.membership(self.alice.pk))
        self.assertEqual(made, 5)
        steps = self.path(self.alice.pk)
        self.assertEqual(
            [s.module.title for s in steps],
            [
                "Barnets perspektiv i sagsbehandlingen",
                own.title,
                "Børnesamtalen",
                "At skrive til børn",
                "Møder, barnet er med til at forberede",
            ],
        )
        self.assertTrue(all(s.unit == self.vest and s.municipality == self.nordby for s in steps))

    def test_it_is_idempotent(self) -> None:
        membership = self.membership(self.alice.pk)
        self.assertEqual(services.start_onboarding(membership), 4)
        self.assertEqual(services.start_onboarding(membership), 0)
        self.assertEqual(len(self.path(self.alice.pk)), 4)
        # A module added to the onboarding later is added to the path; the rest stay as they are.
        make_module(self.nordby, title="Nyt trin", in_onboarding=True, position=50)
        self.assertEqual(services.start_onboarding(membership), 1)
        self.assertEqual(len(self.path(self.alice.pk)), 5)

    def test_it_gives_no_path_to_leaders_or_caseworkers_without_a_unit(self) -> None:
        with self.assertRaises(services.TrainingError):
            services.start_onboarding(self.membership(self.leo.pk))
        loose = make_member("lone", self.nordby, Membership.Role.CASEWORKER)
        with self.assertRaises(services.TrainingError):
            services.start_onboarding(self.membership(loose.pk))
        self.assertFalse(OnboardingStep.objects.exists())

    def test_it_starts_missing_paths_with_the_command(self) -> None:
        """Existing caseworkers with a unit get a path; running it again changes nothing."""
        services.start_onboarding(self.membership(self.alice.pk))
        OnboardingStep.objects.filter(membership__user=self.alice).update(
            completed_at=timezone.now()
        )
        make_member("lone", self.nordby, Membership.Role.CASEWORKER)  # no unit: left out
        out = StringIO()
        call_command("start_onboarding", stdout=out)
        self.assertIn("Started 2 onboarding path(s).", out.getvalue())
        for user in (self.anna, self.bob):
            self.assertEqual(len(self.path(user.pk)), 4)
        self.assertFalse(OnboardingStep.objects.filter(membership__user=self.leo).exists())
        self.assertEqual(  # alice already had hers, done: untouched
            OnboardingStep.objects.filter(
                membership__user=self.alice, completed_at__isnull=False
            ).count(),
            4,
        )
        out = StringIO()
        call_command("start_onboarding", stdout=out)
        self.assertIn("Started 0 onboarding path(s).", out.getvalue())
        self.assertEqual(OnboardingStep.objects.count(), 12)

    def test_it_starts_only_newer_paths_with_since(self) -> None:
        Membership.objects.exclude(user=self.anna).update(
            created_at=timezone.now() - timedelta(days=400)
        )
        since = (timezone.localdate() - timedelta(days=30)).isoformat()
        out = StringIO()
        call_command("start_onboarding", since=since, stdout=out)
        self.assertIn("Started 1 onboarding path(s).", out.getvalue())
        self.assertEqual(
            set(OnboardingStep.objects.values_list("membership__user__username", flat=True)),
            {"anna"},
        )
        with self.assertRaises(CommandError):
            call_command("start_onboarding", since="sidste år", stdout=StringIO())

    def test_it_shows_the_path_in_order_with_progress(self) -> None:
        services.start_onboarding(self.membership(self.alice.pk))
        steps = self.path(self.alice.pk)
        for step in steps[:2]:
            step.completed_at = timezone.now()
            step.save()
        self.login(self.alice)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "2 af 4")
        html = r.content.decode()
        positions = [html.index(s.module.title) for s in steps]
        self.assertEqual(positions, sorted(positions))
        self.assertContains(r, '<span class="badge badge-success">Gennemført</span>', count=2)
        self.assertContains(r, '<span class="badge">Ikke gennemført</span>', count=2)
        self.assertContains(r, reverse("training:step_done", args=[steps[2].module.code]))

    def test_it_shows_an_empty_state_without_a_path(self) -> None:
        self.login(self.alice)
        r = self.client.get(URL)
        self.assertContains(r, "Du har ikke et introduktionsforløb.")

    def test_it_marks_a_step_done_and_not_done(self) -> None:
        services.start_onboarding(self.membership(self.alice.pk))
        step = self.path(self.alice.pk)[1]
        url = reverse("training:step_done", args=[step.module.code])
        self.login(self.alice)
        r = self.client.post(url, {"done": "1"})
        self.assertRedirects(r, f"{URL}#step-{step.module.code}")
        step.refresh_from_db()
        first = step.completed_at
        self.assertIsNotNone(first)
        self.client.post(url, {"done": "1"})  # again: keeps the first time
        step.refresh_from_db()
        self.assertEqual(step.completed_at, first)
        self.assertContains(self.client.get(URL), "1 af 4")
        self.client.post(url, {"done": "0"})
        step.refresh_from_db()
        self.assertIsNone(step.completed_at)

    def test_it_refuses_bad_input(self) -> None:
        services.start_onboarding(self.membership(self.alice.pk))
        step = self.path(self.alice.pk)[0]
        url = reverse("training:step_done", args=[step.module.code])
        self.login(self.alice)
        for data in ({}, {"done": "ja"}):
            with self.subTest(data=data):
                r = self.client.post(url, data, follow=True)
                self.assertContains(r, "Formularen er ikke komplet")
        step.refresh_from_db()
        self.assertIsNone(step.completed_at)
        self.assertEqual(self.client.get(url).status_code, 405)

    def test_it_refuses_someone_elses_step(self) -> None:
        """Anna's step, and a module not in alice's path, are a logged 404 (T1, T3)."""
        services.start_onboarding(self.membership(self.anna.pk))
        annas = self.path(self.anna.pk)[0]
        other = make_module(self.nordby, title="Ikke i stien")
        self.login(self.alice)
        for module in (annas.module, other):
            with self.subTest(module=module.title):
                r = self.client.post(
                    reverse("training:step_done", args=[module.code]), {"done": "1"}
                )
                self.assertEqual(r.status_code, 404)
        annas.refresh_from_db()
        self.assertIsNone(annas.completed_at)
        self.assertEqual(
            AccessEvent.objects.filter(action=AccessEvent.Action.DENIED, user=self.alice).count(),
            2,
        )

    def test_it_is_for_caseworkers(self) -> None:
        """T2: a leader or an administrator has no path of their own here."""
        services.start_onboarding(self.membership(self.alice.pk))
        step = self.path(self.alice.pk)[0]
        for user in (self.leo, self.ada):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(URL).status_code, 403)
                r = self.client.post(
                    reverse("training:step_done", args=[step.module.code]), {"done": "1"}
                )
                self.assertEqual(r.status_code, 403)
        step.refresh_from_db()
        self.assertIsNone(step.completed_at)

    def test_it_shows_the_step_on_the_module_page(self) -> None:
        services.start_onboarding(self.membership(self.alice.pk))
        step = self.path(self.alice.pk)[0]
        self.login(self.alice)
        r = self.client.get(reverse("training:module_detail", args=[step.module.code]))
        self.assertContains(r, "Modulet er et trin i din introduktion")
        module = Module.objects.get(title="Ledelse af inddragelse")
        r = self.client.get(reverse("training:module_detail", args=[module.code]))
        self.assertNotContains(r, "trin i din introduktion")

    def test_it_keeps_the_path_of_an_ended_membership_out(self) -> None:
        membership = self.membership(self.alice.pk)
        membership.ended_at = timezone.now() - timedelta(days=1)
        membership.save()
        with self.assertRaises(services.TrainingError):
            services.start_onboarding(membership)
        self.assertFalse(OnboardingStep.objects.exists())
