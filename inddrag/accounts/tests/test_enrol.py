from __future__ import annotations

from base64 import b32encode

from django.contrib.auth import SESSION_KEY
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from inddrag.accounts.tests.helpers import (
    CASE_LIST_URL,
    ENROL_URL,
    LOGIN_URL,
    TOKEN_URL,
    post_password,
    post_token,
    token_for,
    wrong_token,
)
from inddrag.audit.models import AccessEvent
from inddrag.municipalities.models import Membership
from inddrag.test import BaseTestCase, make_user

Action = AccessEvent.Action
WRONG_ENROL_TOKEN = "Koden passer ikke. Tjek at appen viser Inddrag, og prøv med den nye kode."


class EnrolTestCase(BaseTestCase):
    def setUp(self) -> None:
        # Eva is a new caseworker in Team Vest who has not connected an authenticator app yet.
        self.eva = make_user("eva", with_device=False)
        Membership.objects.create(
            user=self.eva, municipality=self.nordby, role=Membership.Role.CASEWORKER, unit=self.vest
        )

    def test_it_sends_a_user_without_an_app_to_the_qr_page(self) -> None:
        """First login: the password leads to the QR code, not into the app."""
        r = post_password(self.client, "eva")
        self.assertRedirects(r, ENROL_URL, fetch_redirect_response=False)

        r = self.client.get(ENROL_URL)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "<svg", count=1)
        device = TOTPDevice.objects.get(user=self.eva)
        self.assertIs(device.confirmed, False)
        secret = b32encode(device.bin_key).decode()
        self.assertContains(r, " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)))
        self.assertNotIn(SESSION_KEY, self.client.session)

    def test_it_keeps_one_device_while_enrolling(self) -> None:
        """Reloading the QR page does not pile up unconfirmed devices."""
        post_password(self.client, "eva")
        self.client.get(ENROL_URL)
        self.client.get(ENROL_URL)
        self.assertEqual(TOTPDevice.objects.filter(user=self.eva).count(), 1)

    def test_it_confirms_the_app_and_logs_in(self) -> None:
        """T11: the first right code confirms the app and signs in, verified."""
        post_password(self.client, "eva")
        self.client.get(ENROL_URL)
        device = TOTPDevice.objects.get(user=self.eva)

        r = post_token(self.client, token_for(device), url=ENROL_URL)
        self.assertRedirects(r, "/", fetch_redirect_response=False)
        device.refresh_from_db()
        self.assertIs(device.confirmed, True)
        self.assertEqual(self.client.session[SESSION_KEY], str(self.eva.pk))
        self.assertEqual(self.client.session[DEVICE_ID_SESSION_KEY], device.persistent_id)
        r = self.client.get(CASE_LIST_URL)
        self.assertEqual(r.status_code, 200)
        self.assertIs(r.wsgi_request.user.is_verified(), True)  # type: ignore[union-attr]
        event = AccessEvent.objects.get(action=Action.LOGIN_OK)
        self.assertEqual(event.user, self.eva)
        self.assertEqual(event.municipality, self.nordby)

    def test_it_refuses_a_wrong_code(self) -> None:
        """T10: a wrong code neither confirms the app nor signs in, and is logged."""
        post_password(self.client, "eva")
        self.client.get(ENROL_URL)
        device = TOTPDevice.objects.get(user=self.eva)

        r = post_token(self.client, wrong_token(device), url=ENROL_URL)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, WRONG_ENROL_TOKEN)
        device.refresh_from_db()
        self.assertIs(device.confirmed, False)
        self.assertNotIn(SESSION_KEY, self.client.session)
        event = AccessEvent.objects.get(action=Action.LOGIN_FAIL)
        self.assertEqual(event.user, self.eva)
        self.assertEqual(event.criterion, "otp")
        self.assertEqual(event.path, ENROL_URL)

    def test_it_needs_the_password_step(self) -> None:
        """The QR page (the secret) is shown only after the password."""
        r = self.client.get(ENROL_URL)
        self.assertRedirects(r, LOGIN_URL)
        self.assertFalse(TOTPDevice.objects.filter(user=self.eva).exists())

    def test_it_sends_an_enrolled_user_to_the_code_step(self) -> None:
        """Knowing Alice's password is not enough to connect another app to her account."""
        post_password(self.client, "alice")
        r = self.client.get(ENROL_URL)
        self.assertRedirects(r, TOKEN_URL, fetch_redirect_response=False)
        r = post_token(self.client, "123456", url=ENROL_URL)
        self.assertRedirects(r, TOKEN_URL, fetch_redirect_response=False)
        self.assertEqual(TOTPDevice.objects.filter(user=self.alice).count(), 1)

    def test_it_sends_a_user_without_an_app_from_the_code_step_to_enrol(self) -> None:
        """The code step sends a user without an app to enrolment."""
        post_password(self.client, "eva")
        r = self.client.get(TOKEN_URL)
        self.assertRedirects(r, ENROL_URL, fetch_redirect_response=False)
