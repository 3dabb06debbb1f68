"""The municipality's caseload target (/indsigt/maal/): the admin of the municipality sets it,
1–100, and the change is one access event (T1 own municipality only, T2 roles, T5 logged)."""

from __future__ import annotations

from django.urls import reverse

from inddrag.audit.models import AccessEvent
from inddrag.insights.models import Target
from inddrag.insights.operator_views import target
from inddrag.insights.target_forms import set_caseload_target
from inddrag.municipalities.models import Membership
from inddrag.test import BaseTestCase

URL = reverse("insights:target")


class TargetTestCase(BaseTestCase):
    def test_it_shows_the_default_when_no_target_is_set(self) -> None:
        self.login(self.ada)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Kommunen har ikke sat et mål endnu")
        self.assertContains(response, 'value="25"')
        self.assertFalse(Target.objects.exists())

    def test_it_creates_the_target_when_missing_and_logs_the_change(self) -> None:
        """T5: the change is one UPDATE event in the municipality's chain."""
        self.login(self.ada)
        response = self.client.post(URL, {"caseload_target": "18"})
        self.assertRedirects(response, URL, fetch_redirect_response=False)
        self.assertEqual(Target.objects.get(municipality=self.nordby).caseload_target, 18)
        event = AccessEvent.objects.get(action=AccessEvent.Action.UPDATE)
        self.assertEqual(event.municipality_id, self.nordby.pk)
        self.assertEqual(event.user_id, self.ada.pk)
        self.assertEqual(event.object_type, "Target")
        self.assertIn("caseload target", event.criterion)
        self.assertIn("18", event.criterion)
        page = self.client.get(URL)
        self.assertContains(page, "Målet for sagstal er gemt.")
        self.assertContains(page, "Det nuværende mål er 18 sager")

    def test_it_updates_an_existing_target(self) -> None:
        Target.objects.create(municipality=self.nordby, caseload_target=30)
        self.login(self.ada)
        self.client.post(URL, {"caseload_target": "22"})
        self.assertEqual(Target.objects.get(municipality=self.nordby).caseload_target, 22)
        self.assertEqual(Target.objects.count(), 1)
        event = AccessEvent.objects.get(action=AccessEvent.Action.UPDATE)
        self.assertIn("30 -> 22", event.criterion)

    def test_it_refuses_values_outside_1_to_100_with_danish_messages(self) -> None:
        self.login(self.ada)
        for value in ("0", "101", "-3", "2.5", "tyve"):
            with self.subTest(value=value):
                response = self.client.post(URL, {"caseload_target": value})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Skriv et helt tal fra 1 til 100.")
                self.assertContains(response, "Målet er ikke gemt")
        response = self.client.post(URL, {"caseload_target": ""})
        self.assertContains(response, "Skriv målet for antal sager pr. sagsbehandler.")
        self.assertFalse(Target.objects.exists())
        self.assertFalse(AccessEvent.objects.filter(action=AccessEvent.Action.UPDATE).exists())

    def test_it_accepts_the_bounds(self) -> None:
        self.login(self.ada)
        for value in (1, 100):
            self.client.post(URL, {"caseload_target": str(value)})
            self.assertEqual(Target.objects.get(municipality=self.nordby).caseload_target, value)

    def test_it_never_changes_another_municipalitys_target(self) -> None:
        """T1: Sydby's admin sets Sydby's target; Nordby's row is untouched."""
        Target.objects.create(municipality=self.nordby, caseload_target=20)
        self.login(self.bo)
        response = self.client.get(URL)
        self.assertContains(response, "Sydby Kommune")
        self.assertNotContains(response, "Nordby Kommune")
        self.client.post(URL, {"caseload_target": "40"})
        self.assertEqual(Target.objects.get(municipality=self.nordby).caseload_target, 20)
        self.assertEqual(Target.objects.get(municipality=self.sydby).caseload_target, 40)
        event = AccessEvent.objects.get(action=AccessEvent.Action.UPDATE)
        self.assertEqual(event.municipality_id, self.sydby.pk)

    def test_it_gives_a_leader_and_a_caseworker_403(self) -> None:
        """T2: the policy allows the admin only; a refusal is logged, nothing is written."""
        self.assertEqual(target.access_policy.roles, frozenset({Membership.Role.ADMIN}))  # type: ignore[attr-defined]
        for user in (self.leo, self.alice):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(URL).status_code, 403)
                self.assertEqual(self.client.post(URL, {"caseload_target": "5"}).status_code, 403)
        self.assertFalse(Target.objects.exists())
        self.assertTrue(AccessEvent.objects.filter(action=AccessEvent.Action.DENIED).exists())

    def test_it_validates_in_the_service_too(self) -> None:
        membership = Membership.objects.get(user=self.ada)
        with self.assertRaises(ValueError):
            set_caseload_target(membership, by=self.ada, caseload_target=0)
        self.assertFalse(Target.objects.exists())
