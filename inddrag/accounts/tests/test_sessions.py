from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from inddrag.accounts import services
from inddrag.accounts.sessions import SessionStore
from inddrag.accounts.tests.helpers import (
    CASE_LIST_URL,
    LOCKOUTS_URL,
    LOGIN_URL,
    LOGOUT_URL,
    log_in,
    session_key,
)
from inddrag.audit.models import AccessEvent
from inddrag.municipalities.models import Membership
from inddrag.test import BaseTestCase, login

Action = AccessEvent.Action
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TO_LOGIN = f"{LOGIN_URL}?next={CASE_LIST_URL}"
IDLE_MESSAGE = "Du er blevet logget ud, fordi du ikke har været aktiv et stykke tid."


class SessionLifecycleTestCase(BaseTestCase):
    def assert_signed_in(self, client: Client) -> None:
        r = client.get(CASE_LIST_URL)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.wsgi_request.user, self.alice)

    def assert_signed_out(self, client: Client) -> None:
        r = client.get(CASE_LIST_URL)
        self.assertRedirects(r, TO_LOGIN, fetch_redirect_response=False)
        self.assertIs(r.wsgi_request.user.is_authenticated, False)

    def test_it_flushes_the_session_at_logout(self) -> None:
        """T11 / ASVS 7.4.1: a replayed session cookie is dead after logout."""
        log_in(self.client, self.alice)
        self.assert_signed_in(self.client)
        old = session_key(self.client)

        r = self.client.post(LOGOUT_URL)
        self.assertRedirects(r, LOGIN_URL, fetch_redirect_response=False)
        self.assertEqual(r["Clear-Site-Data"], '"cache", "storage"')
        self.assertIs(SessionStore().exists(old), False)
        self.assert_signed_out(self.client)

        replay = Client()
        replay.cookies[settings.SESSION_COOKIE_NAME] = old
        self.assert_signed_out(replay)

    def test_it_logs_the_logout(self) -> None:
        """T5: the logout is in the access log with the user's role."""
        self.login(self.alice)
        self.client.post(LOGOUT_URL)
        event = AccessEvent.objects.get(action=Action.LOGOUT)
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.role, "caseworker")
        self.assertEqual(event.criterion, "")

    def test_it_refuses_logout_by_get(self) -> None:
        """A link or image on another site cannot sign the user out."""
        self.login(self.alice)
        self.assertEqual(self.client.get(LOGOUT_URL).status_code, 405)
        self.assert_signed_in(self.client)
        self.assertFalse(AccessEvent.objects.filter(action=Action.LOGOUT).exists())

    def test_it_keeps_an_active_session(self) -> None:
        """T11: a request now and then keeps the session alive past the idle time."""
        step = settings.SESSION_IDLE_SECONDS - 60
        with time_machine.travel(START, tick=False) as clock:
            log_in(self.client, self.alice)
            for _request in range(4):
                clock.shift(step)
                self.assert_signed_in(self.client)

    def test_it_logs_out_after_the_idle_time(self) -> None:
        """T11 / ASVS 7.3.1: no request for SESSION_IDLE_SECONDS ends the session."""
        with time_machine.travel(START, tick=False) as clock:
            log_in(self.client, self.alice)
            clock.shift(settings.SESSION_IDLE_SECONDS - 1)
            self.assert_signed_in(self.client)
            old = session_key(self.client)

            clock.shift(settings.SESSION_IDLE_SECONDS + 1)
            r = self.client.get(CASE_LIST_URL, follow=True)
            self.assertEqual(r.redirect_chain, [(TO_LOGIN, 302)])
            self.assertContains(r, IDLE_MESSAGE)
            self.assertIs(SessionStore().exists(old), False)
            self.assert_signed_out(self.client)

        event = AccessEvent.objects.get(action=Action.LOGOUT)
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.criterion, "session expired")

    def test_it_logs_out_at_the_absolute_limit(self) -> None:
        """T11 / ASVS 7.3.2: even an active session ends SESSION_ABSOLUTE_SECONDS after login."""
        step = settings.SESSION_IDLE_SECONDS - 60
        limit = settings.SESSION_ABSOLUTE_SECONDS
        with time_machine.travel(START, tick=False) as clock:
            log_in(self.client, self.alice)
            elapsed = 0
            while elapsed + step < limit:
                clock.shift(step)
                elapsed += step
                self.assert_signed_in(self.client)
            clock.shift(limit - elapsed - 1)
            self.assert_signed_in(self.client)

            clock.shift(2)
            self.assert_signed_out(self.client)

        self.assertEqual(AccessEvent.objects.get(action=Action.LOGOUT).criterion, "session expired")

    def test_it_denies_a_revoked_membership_on_the_next_request(self) -> None:
        """T11 / ASVS 8.3.2: ending Alice's only role locks her out of the case at once."""
        self.login(self.alice)
        url = self.case_a.get_absolute_url()
        self.assertEqual(self.client.get(url).status_code, 200)

        Membership.objects.filter(user=self.alice).update(ended_at=timezone.now())

        r = self.client.get(url)
        self.assertRedirects(r, "/kommune/vaelg/", target_status_code=403)
        self.assertEqual(AccessEvent.objects.filter(action=Action.READ).count(), 1)

    def test_it_applies_a_changed_role_on_the_next_request(self) -> None:
        """T11 / ASVS 8.3.2: Leo stops being a leader, and the leader's page is gone at once."""
        self.login(self.leo)
        self.assertEqual(self.client.get(LOCKOUTS_URL).status_code, 200)

        Membership.objects.filter(user=self.leo).update(ended_at=timezone.now())
        Membership.objects.create(
            user=self.leo, municipality=self.nordby, role=Membership.Role.CASEWORKER, unit=self.vest
        )

        self.assertEqual(self.client.get(LOCKOUTS_URL).status_code, 403)

    def test_it_ends_the_session_of_a_disabled_account(self) -> None:
        """T11 / ASVS 7.4.2: disable_user makes the account's live session anonymous."""
        log_in(self.client, self.alice)
        self.assert_signed_in(self.client)

        services.disable_user(
            self.alice,
            by=self.ada,
            membership=Membership.objects.get(user=self.ada),
            reason="Fratrådt 1. marts",
        )

        self.assert_signed_out(self.client)

    def test_it_ends_the_session_when_disabled_on_the_admin_page(self) -> None:
        """T11: the administrator's page has the same effect on Alice's open session."""
        log_in(self.client, self.alice)
        self.assert_signed_in(self.client)

        admin = Client()
        login(admin, self.ada)
        r = admin.post(f"/konto/brugere/{self.alice.code}/deaktiver/", {"reason": "Fratrådt"})
        self.assertRedirects(r, "/konto/brugere/", fetch_redirect_response=False)

        self.assert_signed_out(self.client)


class SessionStoreTestCase(BaseTestCase):
    """inddrag/accounts/sessions.py: Django's database sessions with the read built once."""

    def test_it_loads_a_live_session(self) -> None:
        store = SessionStore()
        store["answer"] = 42
        store.save()
        self.assertEqual(SessionStore(session_key=store.session_key)["answer"], 42)

    def test_it_does_not_load_an_expired_session(self) -> None:
        """T11: an expired session is empty, and its key is not kept (a new one is made)."""
        with time_machine.travel(START, tick=False):
            store = SessionStore()
            store["answer"] = 42
            store.set_expiry(60)
            store.save()
        with time_machine.travel(START.replace(minute=2), tick=False):
            later = SessionStore(session_key=store.session_key)
            self.assertNotIn("answer", later)
            self.assertIsNone(later.session_key)

    def test_it_does_not_load_an_unknown_key(self) -> None:
        store = SessionStore(session_key="x" * 32)
        self.assertEqual(dict(store.items()), {})
        self.assertIsNone(store.session_key)


def _verified(response: Any) -> bool:
    return bool(response.wsgi_request.user.is_verified())


class OTPMiddlewareTestCase(BaseTestCase):
    """inddrag/accounts/middleware.py's OTPMiddleware: the device read built once, django-otp's
    checks kept (T9)."""

    def test_it_verifies_the_users_own_confirmed_device(self) -> None:
        login(self.client, self.alice)
        r = self.client.get(CASE_LIST_URL)
        self.assertEqual(r.status_code, 200)
        self.assertTrue(_verified(r))

    def test_it_refuses_another_users_device(self) -> None:
        """A session that names Anna's device does not make Alice verified."""
        login(self.client, self.alice)
        session = self.client.session
        anna_device = TOTPDevice.objects.get(user=self.anna, confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = anna_device.persistent_id
        session.save()
        r = self.client.get(CASE_LIST_URL)
        self.assertIs(_verified(r), False)
        self.assertNotEqual(r.status_code, 200)

    def test_it_refuses_an_unconfirmed_or_deleted_device(self) -> None:
        login(self.client, self.alice)
        device = TOTPDevice.objects.get(user=self.alice, confirmed=True)
        device.confirmed = False
        device.save()
        r = self.client.get(CASE_LIST_URL)
        self.assertIs(_verified(r), False)
        device.confirmed = True
        device.save()
        login(self.client, self.alice)
        TOTPDevice.objects.filter(user=self.alice).delete()
        r = self.client.get(CASE_LIST_URL)
        self.assertIs(_verified(r), False)
