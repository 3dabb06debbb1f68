from __future__ import annotations

from typing import Any

from inddrag.audit.models import AccessEvent
from inddrag.decisions.models import DueRules
from inddrag.decisions.tests.helpers import prime_session
from inddrag.test import BaseTestCase

URL = "/afgoerelser/fristregler/"
DEFAULTS = {
    "conversation_before_decision_days": 92,
    "placement_follow_up_days": 92,
    "visits_per_year": 2,
    "plan_within_days": 92,
    "youth_plan_age": 16,
    "party_rights_age": 10,
}


class DueRulesTestCase(BaseTestCase):
    """The municipality's adjustable due rules: the administrator's page."""

    def post(self, **overrides: Any) -> Any:
        return self.client.post(URL, {**DEFAULTS, **overrides})

    def test_it_shows_the_defaults_with_their_legal_basis(self) -> None:
        self.login(self.ada)
        r = self.client.get(URL)
        self.assertContains(r, "Kommunen bruger standardreglerne")
        for basis in ["§ 5", "§ 95", "§ 156, stk. 5", "§§ 91–92", "§§ 108–109", "§ 3."]:
            self.assertContains(r, basis)
        self.assertContains(r, 'name="conversation_before_decision_days" value="92"')
        self.assertContains(r, 'name="visits_per_year" value="2"')
        self.assertContains(r, 'aria-current="page">Fristregler</a>')
        self.assertFalse(DueRules.objects.exists())

    def test_it_saves_the_rules(self) -> None:
        self.login(self.ada)
        r = self.post(conversation_before_decision_days="60", visits_per_year="4")
        self.assertRedirects(r, URL, fetch_redirect_response=False)
        rules = DueRules.objects.get(municipality=self.nordby)
        self.assertEqual(rules.conversation_before_decision_days, 60)
        self.assertEqual(rules.visits_per_year, 4)
        self.assertEqual(rules.youth_plan_age, 16)
        r = self.client.get(URL)
        self.assertContains(r, "Fristreglerne er gemt.")
        self.assertContains(r, "Kommunen har sine egne regler.")
        self.assertContains(r, 'name="conversation_before_decision_days" value="60"')
        self.assertFalse(DueRules.objects.filter(municipality=self.sydby).exists())

    def test_it_audits_the_change(self) -> None:
        """Not child data, but it changes what is overdue: the change is in the access log."""
        self.login(self.ada)
        self.post(conversation_before_decision_days="60")
        event = AccessEvent.objects.get(action="update")
        self.assertEqual((event.user, event.role), (self.ada, "admin"))
        self.assertEqual(event.municipality, self.nordby)
        self.assertIsNone(event.child)
        self.assertEqual(event.object_type, "DueRules")
        self.assertEqual(event.criterion, "due rules: conversation_before_decision_days 92→60")
        self.post(conversation_before_decision_days="60", party_rights_age="12")
        event = AccessEvent.objects.filter(action="update").latest("seq")
        self.assertEqual(event.criterion, "due rules: party_rights_age 10→12")
        self.post(conversation_before_decision_days="60", party_rights_age="12")
        self.assertEqual(AccessEvent.objects.filter(action="update").count(), 2)  # no change

    def test_it_rejects_bad_numbers(self) -> None:
        self.login(self.ada)
        for value, message in [
            ("", "Skriv et tal."),
            ("0", "Tallet skal være mindst 1."),
            ("-5", "Tallet skal være mindst 1."),
            ("366", "Tallet må højst være 365."),
            ("99999999999999999999999", "Tallet må højst være 365."),
            ("9.5", "Skriv et helt tal, fx 92."),
            ("tre", "Skriv et helt tal, fx 92."),
            ("<script>alert(1)</script>", "Skriv et helt tal, fx 92."),
        ]:
            with self.subTest(value=value):
                r = self.post(conversation_before_decision_days=value)
                self.assertContains(r, message)
                self.assertContains(r, "Reglerne er ikke gemt")
                self.assertNotContains(r, "<script>alert(1)</script>")
        for field, value, message in [
            ("visits_per_year", "13", "Tallet må højst være 12."),
            ("youth_plan_age", "19", "Tallet må højst være 18."),
            ("party_rights_age", "0", "Tallet skal være mindst 1."),
        ]:
            with self.subTest(field=field):
                self.assertContains(self.post(**{field: value}), message)
        self.assertFalse(DueRules.objects.exists())
        self.assertFalse(AccessEvent.objects.filter(action="update").exists())

    def test_it_is_for_the_administrator_only(self) -> None:
        """T2: caseworkers and leaders get 403 (logged) and change nothing."""
        for user in [self.alice, self.leo]:
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(URL).status_code, 403)
                self.assertEqual(self.post(visits_per_year="5").status_code, 403)
        self.assertFalse(DueRules.objects.exists())
        self.assertEqual(AccessEvent.objects.filter(action="denied").count(), 4)

    def test_it_changes_only_the_administrators_own_municipality(self) -> None:
        """T1: Sydby's administrator saves Sydby's rules; Nordby's stay the defaults."""
        self.login(self.bo)
        self.post(visits_per_year="6")
        self.assertEqual(DueRules.objects.get().municipality, self.sydby)
        self.assertEqual(DueRules.for_municipality(self.nordby).visits_per_year, 2)
        self.login(self.ada)
        self.assertContains(self.client.get(URL), 'name="visits_per_year" value="2"')

    def test_it_links_the_page_for_administrators_only(self) -> None:
        self.login(self.ada)
        self.assertContains(self.client.get("/konto/brugere/"), 'href="/afgoerelser/fristregler/"')
        self.login(self.alice)
        r = self.client.get(f"/afgoerelser/ny/{self.case_a.code}/")
        self.assertNotContains(r, 'href="/afgoerelser/fristregler/"')

    # Expect 4 queries: 1 session, 2 user, 3 OTP device, 4 memberships (with the municipality
    # and its due rules, saved or not).
    def test_it_shows_the_rules_in_constant_queries(self) -> None:
        self.login(self.ada)
        self.client.get(URL)
        prime_session(self.client)
        with self.assertNumQueries(4):
            self.client.get(URL)
        DueRules.objects.create(municipality=self.nordby)
        with self.assertNumQueries(4):
            self.client.get(URL)
