from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from inddrag.accounts.tests.helpers import (
    LOCKOUTS_URL,
    LOGIN_URL,
    TOKEN_URL,
    lock_out,
    log_in,
    post_password,
    post_token,
    wrong_token,
)
from inddrag.audit.models import AccessEvent
from inddrag.test import BaseTestCase

Action = AccessEvent.Action
REASON = "Alice ringede; hun havde skrevet forkert efter ferien."
NOTHING_LOCKED = "Ingen konti i din kommune er spærret."
NOT_YOURS = "Kontoen er ikke spærret, eller den hører ikke til din kommune."


class LiftLockoutTestCase(BaseTestCase):
    def setUp(self) -> None:
        lock_out("alice")

    def assert_still_locked(self) -> None:
        self.assertEqual(post_password(Client(), "alice", ip="10.0.2.1").status_code, 429)
        self.assertFalse(AccessEvent.objects.filter(action=Action.LOCKOUT_LIFTED).exists())

    def test_it_lists_the_locked_user_for_the_leader(self) -> None:
        """T10: an account locked from five addresses is on its leader's list."""
        self.login(self.leo)
        r = self.client.get(LOCKOUTS_URL)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Alice Testesen")
        self.assertContains(r, '<input type="hidden" name="username" value="alice">', html=True)
        self.assertNotContains(r, NOTHING_LOCKED)

    def test_it_lists_an_account_locked_from_one_address(self) -> None:
        """T10: an account locked from one address is listed for the administrator."""
        AccessAttempt.objects.all().delete()
        lock_out("anna", ips=("10.0.4.1",) * 5)
        self.login(self.ada)
        r = self.client.get(LOCKOUTS_URL)
        self.assertContains(r, '<input type="hidden" name="username" value="anna">', html=True)
        self.assertNotContains(r, 'value="alice"')

    def test_it_lists_nothing_when_nobody_is_locked(self) -> None:
        """T10: four failures are not a lockout."""
        AccessAttempt.objects.all().delete()
        # Failures below the limit are no lockout.
        lock_out("alice", ips=("10.0.4.1", "10.0.4.2", "10.0.4.3", "10.0.4.4"))
        self.login(self.leo)
        self.assertContains(self.client.get(LOCKOUTS_URL), NOTHING_LOCKED)

    def test_it_lifts_the_lockout_with_a_reason(self) -> None:
        """T10: the leader lifts the lockout, and the reason goes into the access log."""
        self.login(self.leo)
        r = self.client.post(LOCKOUTS_URL, {"username": "alice", "reason": REASON})
        self.assertRedirects(r, LOCKOUTS_URL, fetch_redirect_response=False)
        self.assertFalse(AccessAttempt.objects.filter(username="alice").exists())

        event = AccessEvent.objects.get(action=Action.LOCKOUT_LIFTED)
        self.assertEqual(event.user, self.leo)
        self.assertEqual(event.username, "leo")
        self.assertEqual(event.role, "leader")
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.object_type, "User")
        self.assertEqual(event.object_code, str(self.alice.code))
        self.assertEqual(event.criterion, f"alice: {REASON}")
        self.assertEqual(event.path, LOCKOUTS_URL)

        r = log_in(Client(), self.alice, ip="10.0.2.1")
        self.assertRedirects(r, "/", fetch_redirect_response=False)

    def test_it_lets_the_administrator_lift_it(self) -> None:
        """T10: the municipality's administrator may lift it too."""
        self.login(self.ada)
        r = self.client.post(LOCKOUTS_URL, {"username": "alice", "reason": REASON})
        self.assertRedirects(r, LOCKOUTS_URL, fetch_redirect_response=False)
        event = AccessEvent.objects.get(action=Action.LOCKOUT_LIFTED)
        self.assertEqual(event.user, self.ada)
        self.assertEqual(event.role, "admin")
        self.assertEqual(event.criterion, f"alice: {REASON}")

    def test_it_resets_the_throttled_authenticator(self) -> None:
        """T10: a wrong code throttles the device; lifting the lockout resets the throttle too."""
        AccessAttempt.objects.all().delete()
        device = TOTPDevice.objects.get(user=self.anna)
        # The clock stands still, so the throttle (1 s after one wrong code) has not run out.
        with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
            attacker = Client()
            post_password(attacker, "anna")
            for _attempt in range(5):
                post_token(attacker, wrong_token(device))
            device.refresh_from_db()
            # Codes sent while throttled are refused unchecked, so only the first one counted.
            self.assertEqual(device.throttling_failure_count, 1)
            self.assertIs(device.verify_is_allowed()[0], False)

            self.login(self.leo)
            self.client.post(LOCKOUTS_URL, {"username": "anna", "reason": REASON})

            device.refresh_from_db()
            self.assertEqual(device.throttling_failure_count, 0)
            self.assertIs(device.verify_is_allowed()[0], True)
            r = log_in(Client(), self.anna, ip="10.0.2.1")
            self.assertRedirects(r, "/", fetch_redirect_response=False)

    def test_it_requires_a_reason(self) -> None:
        """T10: no reason, no unlock, and nothing logged."""
        self.login(self.leo)
        r = self.client.post(LOCKOUTS_URL, {"username": "alice", "reason": ""})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Skriv en begrundelse.")
        self.assert_still_locked()

    def test_it_requires_a_reason_of_10_characters(self) -> None:
        """T10: a reason shorter than 10 characters (after trimming) is refused."""
        self.login(self.leo)
        for reason in ("Glemt pw", "   ok         ", "123456789"):
            with self.subTest(reason=reason):
                r = self.client.post(LOCKOUTS_URL, {"username": "alice", "reason": reason})
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, "Begrundelsen skal være på mindst 10 tegn.")
        self.assert_still_locked()

    def test_it_hides_a_lockout_in_another_municipality(self) -> None:
        """T1/T10: Sydby's administrator neither sees nor lifts Nordby's lockout."""
        self.login(self.bo)
        r = self.client.get(LOCKOUTS_URL)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, NOTHING_LOCKED)
        self.assertNotContains(r, "alice")

        r = self.client.post(LOCKOUTS_URL, {"username": "alice", "reason": REASON})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, NOT_YOURS)
        self.assertEqual(AccessAttempt.objects.filter(username="alice").count(), 5)
        self.assert_still_locked()

    def test_it_refuses_to_lift_an_account_that_is_not_locked(self) -> None:
        """Nothing is logged for an account that was not locked."""
        self.login(self.leo)
        r = self.client.post(LOCKOUTS_URL, {"username": "anna", "reason": REASON})
        self.assertContains(r, NOT_YOURS)
        self.assertFalse(AccessEvent.objects.filter(action=Action.LOCKOUT_LIFTED).exists())

    def test_it_refuses_a_caseworker(self) -> None:
        """T2: a caseworker gets 403, on GET and POST, and the denial is logged."""
        self.login(self.anna)
        self.assertEqual(self.client.get(LOCKOUTS_URL).status_code, 403)
        r = self.client.post(LOCKOUTS_URL, {"username": "alice", "reason": REASON})
        self.assertEqual(r.status_code, 403)
        self.assertEqual(
            AccessEvent.objects.filter(action=Action.DENIED, user=self.anna).count(), 2
        )
        self.assert_still_locked()

    def test_it_sends_an_anonymous_visitor_to_login(self) -> None:
        """T2: the page needs a signed-in user."""
        r = self.client.post(LOCKOUTS_URL, {"username": "alice", "reason": REASON})
        self.assertRedirects(r, f"{LOGIN_URL}?next={LOCKOUTS_URL}", fetch_redirect_response=False)
        self.assert_still_locked()

    def test_it_needs_the_second_factor(self) -> None:
        """A password-only session (not verified) cannot use the page."""
        self.client.force_login(self.leo, backend="django.contrib.auth.backends.ModelBackend")
        r = self.client.get(LOCKOUTS_URL)
        self.assertRedirects(r, f"{LOGIN_URL}?next={LOCKOUTS_URL}", fetch_redirect_response=False)

    def test_it_is_unrelated_to_the_code_step(self) -> None:
        """The code step of a locked account is not reachable by lifting someone else."""
        AccessAttempt.objects.all().delete()
        lock_out("anna")
        lock_out("alice")
        self.login(self.leo)
        self.client.post(LOCKOUTS_URL, {"username": "anna", "reason": REASON})
        r = post_password(Client(), "alice", ip="10.0.2.1")
        self.assertEqual(r.status_code, 429)
        self.assertNotEqual(r.get("Location"), TOKEN_URL)
