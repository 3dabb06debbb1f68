from __future__ import annotations

from inddrag.accounts.models import User
from inddrag.accounts.tests.helpers import LOGIN_URL, USERS_URL, post_password
from inddrag.audit.models import AccessEvent
from inddrag.municipalities.models import Membership
from inddrag.test import BaseTestCase

Action = AccessEvent.Action
REASON = "Fratrådt pr. 1. marts"


class DisableUserTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.url = f"/konto/brugere/{self.alice.code}/deaktiver/"

    def assert_unchanged(self, user: User) -> None:
        user.refresh_from_db()
        self.assertIs(user.is_active, True)
        self.assertIsNone(user.disabled_at)
        self.assertEqual(user.disabled_reason, "")
        self.assertEqual(Membership.objects.filter(user=user, ended_at__isnull=True).count(), 1)
        self.assertFalse(AccessEvent.objects.filter(action=Action.ACCOUNT_DISABLED).exists())

    def test_it_asks_for_confirmation(self) -> None:
        """GET shows a confirmation page and changes nothing."""
        self.login(self.ada)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Deaktivér Alice Testesen?")
        self.assertContains(r, 'name="reason"')
        self.assert_unchanged(self.alice)

    def test_it_disables_the_account(self) -> None:
        """T11: the administrator disables Alice, ends her roles and logs why."""
        self.login(self.ada)
        r = self.client.post(self.url, {"reason": f"  {REASON}  "})
        self.assertRedirects(r, USERS_URL, fetch_redirect_response=False)

        self.alice.refresh_from_db()
        self.assertIs(self.alice.is_active, False)
        self.assertIsNotNone(self.alice.disabled_at)
        self.assertEqual(self.alice.disabled_reason, REASON)
        membership = Membership.objects.get(user=self.alice)
        self.assertEqual(membership.ended_at, self.alice.disabled_at)

        event = AccessEvent.objects.get(action=Action.ACCOUNT_DISABLED)
        self.assertEqual(event.user, self.ada)
        self.assertEqual(event.role, "admin")
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.object_type, "User")
        self.assertEqual(event.object_code, str(self.alice.code))
        self.assertEqual(event.criterion, f"alice: {REASON}")

    def test_it_stops_the_next_login(self) -> None:
        """T10/T11: a disabled account cannot sign in, and gets the ordinary error."""
        self.login(self.ada)
        self.client.post(self.url, {"reason": REASON})
        r = post_password(self.client_class(), "alice")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Brugernavnet eller adgangskoden er forkert.")

    def test_it_requires_a_reason(self) -> None:
        """A reason is required; the account stays active."""
        self.login(self.ada)
        for reason, error in (
            ("", "Skriv en begrundelse."),
            ("   ", "Skriv en begrundelse."),
            ("kort", "Begrundelsen skal være på mindst 5 tegn."),
        ):
            with self.subTest(reason=reason):
                r = self.client.post(self.url, {"reason": reason})
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, error)
        self.assert_unchanged(self.alice)

    def test_it_refuses_the_own_account(self) -> None:
        """An administrator cannot lock herself out."""
        self.login(self.ada)
        r = self.client.post(f"/konto/brugere/{self.ada.code}/deaktiver/", {"reason": REASON})
        self.assertRedirects(r, USERS_URL, fetch_redirect_response=False)
        r = self.client.get(USERS_URL)
        self.assertContains(r, "Du kan ikke deaktivere din egen konto.")
        self.assert_unchanged(self.ada)

    def test_it_says_when_the_account_is_already_disabled(self) -> None:
        """A second disable changes nothing and logs nothing."""
        self.login(self.ada)
        self.client.post(self.url, {"reason": REASON})
        r = self.client.post(self.url, {"reason": "Igen, ved en fejl"}, follow=True)
        self.assertContains(r, "Kontoen var allerede deaktiveret.")
        self.assertEqual(AccessEvent.objects.filter(action=Action.ACCOUNT_DISABLED).count(), 1)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.disabled_reason, REASON)

    def test_it_is_404_for_another_municipality(self) -> None:
        """T1: Sydby's administrator cannot even learn that Alice exists."""
        self.login(self.bo)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, {"reason": REASON}).status_code, 404)
        self.assert_unchanged(self.alice)

    def test_it_is_404_for_an_unknown_code(self) -> None:
        """T1: an unknown code is 404."""
        self.login(self.ada)
        r = self.client.get("/konto/brugere/00000000-0000-4000-8000-000000000000/deaktiver/")
        self.assertEqual(r.status_code, 404)

    def test_it_refuses_a_leader(self) -> None:
        """T2: only the administrator disables accounts."""
        self.login(self.leo)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, {"reason": REASON}).status_code, 403)
        self.assert_unchanged(self.alice)

    def test_it_refuses_a_caseworker(self) -> None:
        """T2: a caseworker gets 403, and the denial is logged."""
        self.login(self.anna)
        self.assertEqual(self.client.post(self.url, {"reason": REASON}).status_code, 403)
        self.assert_unchanged(self.alice)
        self.assertEqual(
            AccessEvent.objects.filter(action=Action.DENIED, user=self.anna).count(), 1
        )

    def test_it_sends_an_anonymous_visitor_to_login(self) -> None:
        """T2: the page needs a signed-in user."""
        r = self.client.post(self.url, {"reason": REASON})
        self.assertRedirects(r, f"{LOGIN_URL}?next={self.url}", fetch_redirect_response=False)
        self.assert_unchanged(self.alice)
