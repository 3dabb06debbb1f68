"""The municipal administrator adds a new caseworker to a unit: the account with a one-time
initial password, the membership and the onboarding path, in one service (issue 7, point 4)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from inddrag.accounts.models import User
from inddrag.audit.models import AccessEvent
from inddrag.municipalities.models import Membership, Unit
from inddrag.test import BaseTestCase, login
from inddrag.training import services
from inddrag.training.models import MemberAddition, Module, OnboardingStep

URL = reverse("training:member_add")
CONCEPT_PATH = [
    "Barnets perspektiv i sagsbehandlingen",
    "Børnesamtalen",
    "At skrive til børn",
    "Møder, barnet er med til at forberede",
]


class MemberAddTestCase(BaseTestCase):
    def form(self, **fields: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "username": "nina",
            "first_name": "Nina",
            "last_name": "Nybegynder",
            "email": "nina@example.com",
            "unit": str(self.vest.code),
            "role": "caseworker",
            "submit_token": str(uuid.uuid4()),
        }
        data.update(fields)
        return data

    def password_of(self, html: str) -> str:
        match = re.search(r'class="initial-password monospace">([^<]+)<', html)
        assert match is not None, "no initial password on the page"
        return match.group(1)

    def test_it_adds_a_caseworker_with_the_onboarding_path(self) -> None:
        self.login(self.ada)
        r = self.client.post(URL, self.form())
        self.assertEqual(r.status_code, 200)
        self.assertTemplateUsed(r, "training/member_added.html")
        nina = User.objects.get(username="nina")
        self.assertEqual(
            (nina.first_name, nina.last_name, nina.email),
            ("Nina", "Nybegynder", "nina@example.com"),
        )
        membership = Membership.objects.get(user=nina)
        self.assertEqual(
            (membership.municipality, membership.unit, membership.role),
            (self.nordby, self.vest, Membership.Role.CASEWORKER),
        )
        steps = list(OnboardingStep.objects.filter(membership=membership).select_related("module"))
        self.assertEqual([s.module.title for s in steps], CONCEPT_PATH)
        self.assertTrue(all(s.unit == self.vest and s.completed_at is None for s in steps))
        self.assertEqual(MemberAddition.objects.get().added_by, self.ada)

    def test_it_shows_an_initial_password_that_signs_in_to_the_enrolment(self) -> None:
        """The password works once the admin hands it over; the new caseworker has no device,
        so the login flow continues with the QR enrolment (6.4.1)."""
        self.login(self.ada)
        r = self.client.post(URL, self.form())
        password = self.password_of(r.content.decode())
        self.assertRegex(password, r"^([A-Za-z2-9]{4}-){3}[A-Za-z2-9]{4}$")
        self.assertTrue(User.objects.get(username="nina").check_password(password))
        self.client.logout()
        r = self.client.post(reverse("accounts:login"), {"username": "nina", "password": password})
        self.assertRedirects(r, reverse("accounts:enrol"), fetch_redirect_response=False)
        r = self.client.get(reverse("accounts:enrol"))
        self.assertContains(r, "Tilknyt din godkendelses-app")

    def test_it_never_logs_or_stores_the_password(self) -> None:
        """T7: the access event names the new user, never the password."""
        self.login(self.ada)
        r = self.client.post(URL, self.form())
        password = self.password_of(r.content.decode())
        event = AccessEvent.objects.get(action=AccessEvent.Action.CREATE)
        self.assertEqual(event.user, self.ada)
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.criterion, "new staff member: nina")
        self.assertEqual(event.object_type, "User")
        for row in AccessEvent.objects.all():
            self.assertNotIn(password, f"{row.criterion} {row.path}")
        self.assertNotIn(password, User.objects.get(username="nina").password)

    def test_it_lets_the_new_caseworker_see_their_path(self) -> None:
        self.login(self.ada)
        self.client.post(URL, self.form())
        nina = User.objects.get(username="nina")
        TOTPDevice.objects.create(user=nina, name="app", confirmed=True)  # as after enrolment
        login(self.client, nina)
        r = self.client.get(reverse("training:onboarding"))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "0 af 4")
        html = r.content.decode()
        positions = [html.index(title) for title in CONCEPT_PATH]
        self.assertEqual(positions, sorted(positions))

    def test_it_adds_a_leader_without_a_path(self) -> None:
        self.login(self.ada)
        r = self.client.post(URL, self.form(username="lars", role="leader"))
        self.assertEqual(r.status_code, 200)
        membership = Membership.objects.get(user__username="lars")
        self.assertEqual(membership.role, Membership.Role.LEADER)
        self.assertFalse(OnboardingStep.objects.filter(membership=membership).exists())

    def test_it_includes_the_municipalitys_own_onboarding_modules(self) -> None:
        Module.objects.create(
            municipality=self.nordby,
            title="Nordbys sagsgange",
            summary="Sådan gør vi i Nordby.",
            in_onboarding=True,
            position=25,
        )
        Module.objects.create(
            municipality=self.sydby,
            title="Sydbys sagsgange",
            summary="Sådan gør vi i Sydby.",
            in_onboarding=True,
            position=5,
        )
        self.login(self.ada)
        self.client.post(URL, self.form())
        titles = list(
            OnboardingStep.objects.filter(membership__user__username="nina").values_list(
                "module__title", flat=True
            )
        )
        self.assertEqual(titles, [*CONCEPT_PATH[:2], "Nordbys sagsgange", *CONCEPT_PATH[2:]])

    def test_it_refuses_a_taken_username(self) -> None:
        """Compared without regard to case: "Alice" is taken by alice."""
        self.login(self.ada)
        users = User.objects.count()
        r = self.client.post(URL, self.form(username="Alice"))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Brugernavnet »Alice« er allerede i brug. Vælg et andet.")
        self.assertEqual(User.objects.count(), users)
        self.assertFalse(MemberAddition.objects.exists())
        self.assertFalse(AccessEvent.objects.filter(action=AccessEvent.Action.CREATE).exists())

    def test_it_refuses_bad_input(self) -> None:
        """T13: every field's error in Danish, and nothing created."""
        self.login(self.ada)
        users = User.objects.count()
        cases = [
            ({"username": ""}, "Skriv et brugernavn."),
            ({"username": "nina nybegynder"}, "ingen mellemrum"),
            ({"username": "x" * 151}, "højst 150 tegn"),
            ({"first_name": "   "}, "Skriv fornavnet."),
            ({"last_name": "<b>Ny</b>"}, "uden HTML-koder"),
            ({"email": "nina"}, "Skriv en rigtig e-mailadresse"),
            ({"unit": ""}, "Vælg enheden."),
            ({"unit": str(self.syd.code)}, "Vælg en af kommunens enheder."),
            ({"unit": "ikke-en-enhed"}, "Vælg en af kommunens enheder."),
            ({"role": "admin"}, "Vælg et af svarene."),
            ({"submit_token": ""}, "Formularen er ikke komplet"),
        ]
        for fields, message in cases:
            with self.subTest(fields=fields):
                r = self.client.post(URL, self.form(**fields))
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, message)
                self.assertContains(
                    r,
                    "Medarbejderen er ikke oprettet"
                    if "submit_token" not in fields
                    else "ikke komplet",
                )
        self.assertEqual(User.objects.count(), users)

    def test_it_refuses_a_retired_unit(self) -> None:
        retired = Unit.objects.create(
            municipality=self.nordby, name="Team Nord", disabled_on="2024-01-01"
        )
        self.login(self.ada)
        r = self.client.post(URL, self.form(unit=str(retired.code)))
        self.assertContains(r, "Vælg en af kommunens enheder.")
        self.assertFalse(User.objects.filter(username="nina").exists())

    def test_it_adds_one_person_when_the_form_is_sent_twice(self) -> None:
        """T20: a double click adds one person; the second answer holds a new password, which
        replaces the first, so the page the browser shows last always works."""
        self.login(self.ada)
        data = self.form()
        first = self.password_of(self.client.post(URL, data).content.decode())
        r = self.client.post(URL, data)
        self.assertContains(r, "Formularen blev sendt to gange")
        second = self.password_of(r.content.decode())
        self.assertEqual(User.objects.filter(username="nina").count(), 1)
        self.assertEqual(
            OnboardingStep.objects.filter(membership__user__username="nina").count(), 4
        )
        nina = User.objects.get(username="nina")
        self.assertNotEqual(first, second)
        self.assertTrue(nina.check_password(second))
        self.assertFalse(nina.check_password(first))

    def test_it_makes_no_new_password_once_they_have_signed_in(self) -> None:
        self.login(self.ada)
        data = self.form()
        password = self.password_of(self.client.post(URL, data).content.decode())
        User.objects.filter(username="nina").update(last_login="2026-01-05T09:00:00Z")
        r = self.client.post(URL, data)
        self.assertRedirects(r, reverse("accounts:users"), fetch_redirect_response=False)
        self.assertTrue(User.objects.get(username="nina").check_password(password))

    def test_it_refuses_a_token_of_another_administrators_addition(self) -> None:
        self.login(self.ada)
        data = self.form()
        self.client.post(URL, data)
        other_admin = User.objects.create_user("adam")
        membership = Membership.objects.create(
            user=other_admin, municipality=self.nordby, role=Membership.Role.ADMIN
        )
        with self.assertRaises(services.TrainingError):
            services.add_member(
                by=other_admin,
                membership=membership,
                username="nina2",
                first_name="N",
                last_name="N",
                email="n@example.com",
                unit=self.vest,
                role="caseworker",
                submit_token=uuid.UUID(data["submit_token"]),
            )

    def test_it_is_for_the_administrator_only(self) -> None:
        """T2: a caseworker or leader gets 403, and nothing is created."""
        for user in (self.alice, self.leo):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(URL).status_code, 403)
                self.assertEqual(self.client.post(URL, self.form()).status_code, 403)
        self.assertFalse(User.objects.filter(username="nina").exists())

    def test_it_offers_only_the_municipalitys_units(self) -> None:
        """T1: Sydby's units are not offered to Nordby's administrator."""
        self.login(self.ada)
        r = self.client.get(URL)
        self.assertContains(r, "Team Vest")
        self.assertContains(r, "Team Øst")
        self.assertNotContains(r, "Team Syd")
