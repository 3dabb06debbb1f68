from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from inddrag.accounts.sessions import SessionStore
from inddrag.accounts.tests.helpers import (
    CASE_LIST_URL,
    IP,
    LOGIN_URL,
    TOKEN_URL,
    WRONG_CREDENTIALS,
    WRONG_TOKEN,
    log_in,
    post_password,
    post_token,
    session_key,
    without_csrf,
    wrong_token,
)
from inddrag.audit.log import PLATFORM_CHAIN
from inddrag.audit.models import AccessEvent
from inddrag.test import BaseTestCase, current_token

Action = AccessEvent.Action


class LoginTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.device = TOTPDevice.objects.get(user=self.alice)

    def test_it_logs_in_with_password_then_code(self) -> None:
        """T11: password, then code, leaves a second-factor-verified session."""
        r = post_password(self.client, "alice")
        self.assertRedirects(r, TOKEN_URL, fetch_redirect_response=False)
        # Between the steps nobody is signed in yet.
        self.assertNotIn(SESSION_KEY, self.client.session)

        r = post_token(self.client, current_token(self.alice))
        self.assertRedirects(r, "/", fetch_redirect_response=False)
        session = self.client.session
        self.assertEqual(session[SESSION_KEY], str(self.alice.pk))
        self.assertEqual(session[DEVICE_ID_SESSION_KEY], self.device.persistent_id)

        r = self.client.get(CASE_LIST_URL)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.wsgi_request.user, self.alice)
        self.assertIs(r.wsgi_request.user.is_verified(), True)  # type: ignore[union-attr]

    def test_it_rotates_the_session_key_at_login(self) -> None:
        """T11 / ASVS 7.2.4: a session key planted before login is worthless afterwards."""
        planted = self.client.session
        planted["probe"] = "before login"
        planted.save()
        before = session_key(self.client)
        self.assertEqual(before, planted.session_key)

        post_password(self.client, "alice")
        between = session_key(self.client)
        post_token(self.client, current_token(self.alice))
        after = session_key(self.client)

        self.assertEqual(len({before, between, after}), 3)
        self.assertIs(SessionStore().exists(before), False)
        self.assertIs(SessionStore().exists(between), False)
        self.assertEqual(SessionStore(session_key=after)[SESSION_KEY], str(self.alice.pk))

    def test_it_answers_a_wrong_password_and_an_unknown_user_alike(self) -> None:
        """T10: the response does not tell whether the username exists."""
        known = post_password(self.client, "alice", "wrong password!")
        unknown = post_password(self.client, "alfie", "wrong password!")

        self.assertEqual(known.status_code, 200)
        self.assertEqual(unknown.status_code, 200)
        self.assertContains(known, WRONG_CREDENTIALS)
        self.assertContains(unknown, WRONG_CREDENTIALS)

        # Apart from the CSRF token, only the echoed username differs.
        self.assertEqual(
            without_csrf(known).replace('value="alice"', ""),
            without_csrf(unknown).replace('value="alfie"', ""),
        )

    def test_it_answers_a_disabled_account_like_an_unknown_user(self) -> None:
        """T10: the right password of a disabled account gets the ordinary error."""
        self.alice.is_active = False
        self.alice.save(update_fields=["is_active"])
        r = post_password(self.client, "alice")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, WRONG_CREDENTIALS)
        self.assertNotIn("pending_login", self.client.session)

    def test_it_refuses_a_wrong_code(self) -> None:
        """T10: a wrong second factor signs nobody in."""
        post_password(self.client, "alice")
        r = post_token(self.client, wrong_token(self.device))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, WRONG_TOKEN)
        self.assertNotIn(SESSION_KEY, self.client.session)
        self.assertRedirects(
            self.client.get(CASE_LIST_URL),
            f"{LOGIN_URL}?next={CASE_LIST_URL}",
            fetch_redirect_response=False,
        )

    def test_it_refuses_the_code_step_without_the_password_step(self) -> None:
        """T10: the code alone is not a login."""
        r = post_token(self.client, current_token(self.alice))
        self.assertRedirects(r, LOGIN_URL)
        self.assertNotIn(SESSION_KEY, self.client.session)

    def test_it_keeps_the_password_step_for_5_minutes(self) -> None:
        """T11: the code step is open for 5 minutes after the password."""
        with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
            post_password(self.client, "alice")
            clock.shift(299)
            r = post_token(self.client, current_token(self.alice))
            self.assertRedirects(r, "/", fetch_redirect_response=False)
            self.assertEqual(self.client.session[SESSION_KEY], str(self.alice.pk))

    def test_it_expires_the_password_step_after_5_minutes(self) -> None:
        """T11: a half-finished login goes stale after 5 minutes."""
        with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
            post_password(self.client, "alice")
            clock.shift(301)
            r = post_token(self.client, current_token(self.alice))
            self.assertRedirects(r, LOGIN_URL)
            self.assertNotIn(SESSION_KEY, self.client.session)
        self.assertFalse(AccessEvent.objects.filter(action=Action.LOGIN_OK).exists())

    def test_it_honours_next_on_the_same_host(self) -> None:
        """The login returns to the page the user asked for."""
        r = log_in(self.client, self.alice, query="?next=/sager/?side=2")
        self.assertRedirects(r, "/sager/?side=2", fetch_redirect_response=False)

    def test_it_ignores_next_to_another_host(self) -> None:
        """No open redirect: `next` to another host or scheme goes home."""
        for target in (
            "https://evil.example.com/",
            "//evil.example.com/",
            "http://testserver.evil.example.com/",
            "javascript:alert(1)",
        ):
            with self.subTest(target=target):
                self.client.cookies.clear()
                r = log_in(self.client, self.alice, query=f"?next={target}")
                self.assertRedirects(r, "/", fetch_redirect_response=False)
                # The code is single use; let the next round use a fresh one.
                TOTPDevice.objects.filter(pk=self.device.pk).update(last_t=-1)

    def test_it_logs_a_successful_login(self) -> None:
        """T5: login_ok with user, municipality and address."""
        log_in(self.client, self.alice)
        event = AccessEvent.objects.get(action=Action.LOGIN_OK)
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.username, "alice")
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.ip, IP)
        self.assertEqual(event.path, TOKEN_URL)
        self.assertFalse(AccessEvent.objects.filter(action=Action.LOGIN_FAIL).exists())

    def test_it_logs_a_wrong_password(self) -> None:
        """T5/T10: a failed password step is logged in the user's municipality."""
        post_password(self.client, "alice", "wrong password!")
        event = AccessEvent.objects.get(action=Action.LOGIN_FAIL)
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.username, "alice")
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.criterion, "password")
        self.assertEqual(event.ip, IP)
        self.assertEqual(event.path, LOGIN_URL)

    def test_it_logs_an_unknown_user(self) -> None:
        """T5/T10: a failed login with an unknown name goes into the platform chain."""
        post_password(self.client, "alfie", "wrong password!")
        event = AccessEvent.objects.get(action=Action.LOGIN_FAIL)
        self.assertIsNone(event.user)
        self.assertEqual(event.username, "alfie")
        self.assertIsNone(event.municipality)
        self.assertEqual(event.chain, PLATFORM_CHAIN)
        self.assertEqual(event.criterion, "password")
        self.assertEqual(event.ip, IP)

    def test_it_logs_a_wrong_code(self) -> None:
        """T5/T10: a failed code step is logged with stage otp."""
        post_password(self.client, "alice")
        post_token(self.client, wrong_token(self.device))
        event = AccessEvent.objects.get(action=Action.LOGIN_FAIL)
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.criterion, "otp")
        self.assertEqual(event.path, TOKEN_URL)
        self.assertFalse(AccessEvent.objects.filter(action=Action.LOGIN_OK).exists())

    def test_it_logs_every_attempt(self) -> None:
        """T10: one event per attempt, in order, for both stages."""
        post_password(self.client, "alice", "wrong password!")
        post_password(self.client, "alice")  # half a login: logged when it ends
        post_token(self.client, wrong_token(self.device))
        with self.settings(OTP_TOTP_THROTTLE_FACTOR=0):
            post_token(self.client, current_token(self.alice))
        events = AccessEvent.objects.filter(chain=self.nordby.pk).order_by("seq")
        self.assertEqual(
            [(e.action, e.criterion) for e in events],
            [
                (Action.LOGIN_FAIL, "password"),
                (Action.LOGIN_FAIL, "otp"),
                (Action.LOGIN_OK, ""),
            ],
        )

    def test_it_keeps_secrets_out_of_the_attempt_records(self) -> None:
        """T7: django-axes stores neither the tried password nor the tried code."""
        post_password(self.client, "alice", "wrong password!")
        post_password(self.client, "alice")
        post_token(self.client, wrong_token(self.device))
        attempt = AccessAttempt.objects.get(username="alice")
        self.assertEqual(attempt.failures_since_start, 2)
        self.assertNotIn("wrong password", attempt.post_data)
        self.assertNotIn(wrong_token(self.device), attempt.post_data)
        self.assertIn("password=********************", attempt.post_data)
        self.assertIn("otp_token=********************", attempt.post_data)
