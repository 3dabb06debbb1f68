from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from inddrag.accounts.tests.helpers import (
    LOCKED,
    TOKEN_URL,
    WRONG_CREDENTIALS,
    WRONG_TOKEN,
    lock_out,
    log_in,
    post_password,
    post_token,
    without_csrf,
    wrong_token,
)
from inddrag.audit.models import AccessEvent
from inddrag.test import BaseTestCase, current_token

Action = AccessEvent.Action


class LockoutTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.device = TOTPDevice.objects.get(user=self.alice)

    def assert_locked(self, username: str, *, ip: str) -> None:
        """The right password is refused with the locked page, and no login step starts."""
        client = Client()
        r = post_password(client, username, ip=ip)
        self.assertEqual(r.status_code, 429)
        self.assertContains(r, LOCKED, status_code=429)
        self.assertNotIn("pending_login", client.session)

    def test_it_locks_an_account_after_5_wrong_passwords(self) -> None:
        """T10: five wrong passwords, each from another address, lock the account."""
        for n in range(1, 5):
            r = post_password(self.client, "alice", "wrong password!", ip=f"10.0.1.{n}")
            self.assertEqual(r.status_code, 200)
            self.assertContains(r, WRONG_CREDENTIALS)
        r = post_password(self.client, "alice", "wrong password!", ip="10.0.1.5")
        self.assertContains(r, LOCKED, status_code=429)

        self.assert_locked("alice", ip="10.0.2.1")
        # Nobody else is affected.
        r = post_password(Client(), "anna", ip="10.0.1.1")
        self.assertRedirects(r, TOKEN_URL, fetch_redirect_response=False)

    def test_it_locks_an_unknown_username_the_same_way(self) -> None:
        """T10: the lockout does not tell a known from an unknown username either."""
        lock_out("alice")
        lock_out("alfie")
        known = post_password(Client(), "alice", "wrong password!", ip="10.0.2.1")
        unknown = post_password(Client(), "alfie", "wrong password!", ip="10.0.2.1")
        self.assertEqual(known.status_code, 429)
        self.assertEqual(unknown.status_code, 429)
        self.assertEqual(without_csrf(known), without_csrf(unknown))

    def test_it_locks_an_address_across_usernames(self) -> None:
        """T10: five failures from one address lock that address only."""
        for username in ("alice", "anna", "leo", "alfie"):
            r = post_password(self.client, username, "wrong password!", ip="10.0.3.1")
            self.assertEqual(r.status_code, 200)
        r = post_password(self.client, "ada", "wrong password!", ip="10.0.3.1")
        self.assertEqual(r.status_code, 429)

        self.assert_locked("bob", ip="10.0.3.1")
        # The same accounts from another address are not locked.
        r = log_in(Client(), self.alice, ip="10.0.3.2")
        self.assertRedirects(r, "/", fetch_redirect_response=False)

    def test_it_locks_an_account_after_5_wrong_codes(self) -> None:
        """T10: guessing the second factor locks the account like guessing the password."""
        post_password(self.client, "alice")
        for _attempt in range(4):
            r = post_token(self.client, wrong_token(self.device))
            self.assertEqual(r.status_code, 200)
            self.assertContains(r, WRONG_TOKEN)
        r = post_token(self.client, wrong_token(self.device))
        self.assertContains(r, LOCKED, status_code=429)

        self.assert_locked("alice", ip="10.0.2.1")

    @override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
    def test_it_refuses_the_right_code_once_locked(self) -> None:
        """T10: a locked account cannot finish a code step it started before the lockout."""
        post_password(self.client, "alice")
        for _attempt in range(5):
            post_token(self.client, wrong_token(self.device))

        r = post_token(self.client, current_token(self.alice))
        self.assertContains(r, LOCKED, status_code=429)
        self.assertNotIn(SESSION_KEY, self.client.session)
        self.assertFalse(AccessEvent.objects.filter(action=Action.LOGIN_OK).exists())
        # The refused right code is an attempt like the others (T10: every attempt logged).
        self.assertEqual(
            AccessEvent.objects.filter(action=Action.LOGIN_FAIL, criterion="otp").count(), 6
        )
        self.assertEqual(AccessEvent.objects.filter(action=Action.LOCKED_OUT).count(), 2)

    @override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
    def test_it_refuses_the_code_step_when_locked_by_others(self) -> None:
        """T10: a lockout that happens between the two steps also stops the second."""
        post_password(self.client, "alice")
        lock_out("alice")

        r = post_token(self.client, current_token(self.alice))
        self.assertContains(r, LOCKED, status_code=429)
        self.assertNotIn(SESSION_KEY, self.client.session)

    def test_it_logs_the_lockout(self) -> None:
        """T10: the attempt that reaches the limit and every later one write locked_out."""
        lock_out("alice")
        event = AccessEvent.objects.get(action=Action.LOCKED_OUT)
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.username, "alice")
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.criterion, "ip 10.9.0.5")
        self.assertEqual(event.ip, "10.9.0.5")
        self.assertEqual(AccessEvent.objects.filter(action=Action.LOGIN_FAIL).count(), 5)

        self.assert_locked("alice", ip="10.0.2.1")
        self.assertEqual(AccessEvent.objects.filter(action=Action.LOCKED_OUT).count(), 2)
        self.assertEqual(AccessEvent.objects.filter(action=Action.LOGIN_FAIL).count(), 6)

    def test_it_forgets_failures_after_a_successful_login(self) -> None:
        """T10: a successful login resets the account's count of failures."""
        for n in range(1, 5):
            post_password(self.client, "alice", "wrong password!", ip=f"10.0.1.{n}")
        log_in(self.client, self.alice, ip="10.0.1.1")
        self.assertFalse(AccessAttempt.objects.filter(username="alice").exists())

        for n in range(1, 5):
            post_password(Client(), "alice", "wrong password!", ip=f"10.0.1.{n}")
        r = post_password(Client(), "alice", ip="10.0.1.1")
        self.assertRedirects(r, TOKEN_URL, fetch_redirect_response=False)
