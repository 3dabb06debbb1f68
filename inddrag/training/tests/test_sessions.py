"""Training sessions with attendance: a leader plans a session of a module and marks who
attended among the municipality's staff; attending completes the onboarding step."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.municipalities.models import Membership
from inddrag.test import BaseTestCase, make_member, make_module, make_training_session
from inddrag.training import services
from inddrag.training.models import Attendance, Module, OnboardingStep, TrainingSession

CREATE = reverse("training:session_create")


class SessionsTestCase(BaseTestCase):
    module: Module

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.module = Module.objects.get(municipality=None, title="Børnesamtalen")

    def form(self, **fields: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "module": str(self.module.code),
            "held_on": timezone.localdate().isoformat(),
            "place": "Mødelokale 2, rådhuset",
        }
        data.update(fields)
        return data

    def session(self, **fields: Any) -> TrainingSession:
        session = make_training_session(self.module, self.nordby, self.leo)
        for name, value in fields.items():
            setattr(session, name, value)
        session.save()
        return session

    def url(self, session: TrainingSession) -> str:
        return reverse("training:session_detail", args=[session.code])

    def attendees(self, session: TrainingSession) -> set[str]:
        return set(
            Attendance.objects.filter(session=session, attended=True).values_list(
                "user__username", flat=True
            )
        )

    def test_it_creates_a_session(self) -> None:
        self.login(self.leo)
        r = self.client.post(CREATE, self.form())
        session = TrainingSession.objects.get()
        self.assertRedirects(r, self.url(session))
        self.assertEqual(
            (session.municipality, session.module, session.place, session.created_by),
            (self.nordby, self.module, "Mødelokale 2, rådhuset", self.leo),
        )

    def test_it_offers_the_module_of_the_page_it_came_from(self) -> None:
        self.login(self.leo)
        r = self.client.get(CREATE, {"modul": str(self.module.code)})
        self.assertEqual(r.context["form"]["module"].value(), self.module.code)
        self.assertEqual(self.client.get(CREATE, {"modul": "nonsense"}).status_code, 200)

    def test_it_refuses_bad_input(self) -> None:
        """T13: Danish messages; a module of another municipality is not a choice (T1)."""
        sydbys = make_module(self.sydby, title="Sydbys modul")
        today = timezone.localdate()
        cases = [
            ({"module": ""}, "Vælg modulet."),
            ({"module": str(sydbys.code)}, "Vælg et af modulerne på listen."),
            ({"held_on": ""}, "Skriv datoen for undervisningen."),
            ({"held_on": "31-02-2026"}, "Skriv en rigtig dato."),
            (
                {"held_on": (today - timedelta(days=6 * 366)).isoformat()},
                "Datoen må højst ligge 5 år tilbage.",
            ),
            (
                {"held_on": (today + timedelta(days=3 * 366)).isoformat()},
                "Datoen må højst ligge 2 år frem.",
            ),
            ({"place": "  "}, "Skriv, hvor undervisningen foregår."),
            ({"place": "<script>x</script>"}, "uden HTML-koder"),
            ({"place": "x" * 201}, "højst 200 tegn"),
        ]
        self.login(self.leo)
        for fields, message in cases:
            with self.subTest(fields=fields):
                r = self.client.post(CREATE, self.form(**fields))
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, message)
                self.assertContains(r, "Undervisningen er ikke gemt.")
        self.assertFalse(TrainingSession.objects.exists())

    def test_it_saves_attendance_and_completes_the_onboarding_step(self) -> None:
        alice_membership = Membership.objects.get(user=self.alice)
        services.start_onboarding(alice_membership)
        session = self.session()
        self.login(self.leo)
        r = self.client.get(self.url(session))
        self.assertContains(r, "Alice Testesen (Sagsbehandler, Team Vest)")
        self.assertContains(r, "Ada Testesen (Kommune-administrator)")
        self.assertNotContains(r, "Bob")  # Sydby's staff are not offered (T1)
        r = self.client.post(
            self.url(session), {"attendees": [str(self.alice.code), str(self.anna.code)]}
        )
        self.assertRedirects(r, self.url(session))
        self.assertEqual(self.attendees(session), {"alice", "anna"})
        step = OnboardingStep.objects.get(membership=alice_membership, module=self.module)
        self.assertIsNotNone(step.completed_at)
        others = OnboardingStep.objects.filter(membership=alice_membership).exclude(pk=step.pk)
        self.assertFalse(others.filter(completed_at__isnull=False).exists())
        r = self.client.get(self.url(session))
        self.assertContains(r, "2 medarbejdere")
        html = r.content.decode()
        for user, ticked in ((self.alice, True), (self.anna, True), (self.leo, False)):
            box = re.search(
                rf'<input type="checkbox" name="attendees" value="{user.code}"[^>]*>', html
            )
            assert box is not None
            self.assertEqual("checked" in box.group(), ticked, user.username)
            hidden = f'<input type="hidden" name="shown" value="{user.code}"'
            self.assertEqual(hidden in html, ticked, user.username)
        self.login(self.alice)
        self.assertContains(self.client.get(reverse("training:onboarding")), "1 af 4")

    def test_it_changes_only_what_this_leader_changed(self) -> None:
        """Two leaders with the page open: one ticks anna, the other unticks alice (who was
        ticked when both loaded it). Both changes are kept; no lost update."""
        session = self.session()
        services.record_attendance(session, added=[self.alice], removed=[])
        self.login(self.leo)
        loaded = [str(self.alice.code)]
        self.client.post(
            self.url(session),
            {"attendees": [str(self.alice.code), str(self.anna.code)], "shown": loaded},
        )
        self.client.post(self.url(session), {"attendees": [], "shown": loaded})
        self.assertEqual(self.attendees(session), {"anna"})

    def test_it_keeps_the_first_completion_time(self) -> None:
        membership = Membership.objects.get(user=self.alice)
        services.start_onboarding(membership)
        earlier = timezone.now() - timedelta(days=30)
        OnboardingStep.objects.filter(membership=membership, module=self.module).update(
            completed_at=earlier
        )
        session = self.session()
        self.assertEqual(services.record_attendance(session, added=[self.alice], removed=[]), 0)
        step = OnboardingStep.objects.get(membership=membership, module=self.module)
        self.assertEqual(step.completed_at, earlier)

    def test_it_waits_for_the_day_of_the_session(self) -> None:
        session = self.session(held_on=timezone.localdate() + timedelta(days=3))
        self.login(self.leo)
        r = self.client.get(self.url(session))
        self.assertContains(r, "Du kan registrere, hvem der deltog, fra")
        self.assertNotContains(r, "Gem fremmødet")
        r = self.client.post(self.url(session), {"attendees": [str(self.alice.code)]}, follow=True)
        self.assertContains(r, "Du kan registrere fremmøde fra den dag, undervisningen holdes.")
        self.assertFalse(Attendance.objects.exists())

    def test_it_refuses_bad_attendance(self) -> None:
        """Someone of another municipality, a made-up code or a changed hidden field: a message,
        nothing saved."""
        session = self.session()
        self.login(self.leo)
        cases = [
            ({"attendees": [str(self.bob.code)]}, "Vælg blandt kommunens medarbejdere."),
            ({"attendees": ["ikke-en-kode"]}, "Vælg blandt kommunens medarbejdere."),
            ({"shown": [str(self.bob.code)]}, "Formularen er ikke komplet"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                r = self.client.post(self.url(session), data)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, message)
        self.assertFalse(Attendance.objects.exists())

    def test_it_ignores_staff_who_have_left(self) -> None:
        """The service counts only the municipality's active staff."""
        former = make_member("frida", self.nordby, Membership.Role.CASEWORKER, self.vest)
        Membership.objects.filter(user=former).update(ended_at=timezone.now())
        session = self.session()
        services.record_attendance(session, added=[former, self.bob, self.alice], removed=[])
        self.assertEqual(self.attendees(session), {"alice"})

    def test_it_hides_another_municipalitys_session(self) -> None:
        """T1: Sydby's session is a 404 for Nordby's leader, logged, and nothing changes."""
        sydbys = make_training_session(self.module, self.sydby, self.bea)
        self.login(self.leo)
        self.assertEqual(self.client.get(self.url(sydbys)).status_code, 404)
        r = self.client.post(self.url(sydbys), {"attendees": [str(self.bob.code)]})
        self.assertEqual(r.status_code, 404)
        self.assertFalse(Attendance.objects.exists())
        denied = AccessEvent.objects.filter(action=AccessEvent.Action.DENIED, user=self.leo)
        self.assertEqual(
            list(denied.values_list("criterion", flat=True)),
            [f"training session {sydbys.code}"] * 2,
        )

    def test_it_is_for_leaders(self) -> None:
        """T2: caseworkers and the administrator get 403, and nothing changes."""
        session = self.session()
        for user in (self.alice, self.ada):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(CREATE).status_code, 403)
                self.assertEqual(self.client.post(CREATE, self.form()).status_code, 403)
                r = self.client.post(self.url(session), {"attendees": [str(self.alice.code)]})
                self.assertEqual(r.status_code, 403)
        self.assertEqual(TrainingSession.objects.count(), 1)
        self.assertFalse(Attendance.objects.exists())

    def test_it_shows_who_attended_but_has_left(self) -> None:
        former = make_member("frida", self.nordby, Membership.Role.CASEWORKER, self.vest)
        session = self.session()
        services.record_attendance(session, added=[former, self.alice], removed=[])
        Membership.objects.filter(user=former).update(ended_at=timezone.now())
        self.login(self.leo)
        r = self.client.get(self.url(session))
        self.assertEqual(r.context["former"], [former])
        self.assertContains(r, "Deltog også (ikke længere medarbejdere i kommunen):")
        # Saving the form leaves her attendance as it was.
        self.client.post(self.url(session), {"attendees": [], "shown": [str(self.alice.code)]})
        self.assertEqual(self.attendees(session), {"frida"})

    def test_it_needs_as_many_queries_for_more_staff(self) -> None:
        """Rule 26: the staff list is one query with their roles prefetched, however many."""
        session = self.session()
        self.login(self.leo)
        self.client.get(self.url(session))  # the session's first request writes its clock
        # 9 queries: session, user, OTP device, memberships (+ municipality, unit); the training
        # session (+ module, planner); the codes of who attended; the staff, and their roles
        # (+ unit) prefetched; who attended but has left the staff since.
        with self.assertNumQueries(9):
            self.client.get(self.url(session))
        for n in range(8):
            user = make_member(f"cw{n}", self.nordby, Membership.Role.CASEWORKER, self.vest)
            services.record_attendance(session, added=[user], removed=[])
        with self.assertNumQueries(9):
            r = self.client.get(self.url(session))
        self.assertEqual(r.context["attended_count"], 8)
