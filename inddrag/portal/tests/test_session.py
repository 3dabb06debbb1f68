from __future__ import annotations

from datetime import timedelta

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.portal.models import ChildAccess, DeviceSession
from inddrag.portal.session import (
    UNLOCK_IDLE_SECONDS,
    cookie_name,
)
from inddrag.test import BaseTestCase, child_login, make_child_access

Action = AccessEvent.Action
HOME = reverse("portal:home")
UNLOCK = reverse("portal:unlock")
LOGOUT = reverse("portal:logout")
REDEEM = reverse("portal:redeem")


class ChildSessionTestCase(BaseTestCase):
    """The child's device session: logout, idle expiry, reset (T11) and what the browser may
    keep (T23, server side)."""

    def setUp(self) -> None:
        self.access = make_child_access(self.case_a, self.alice, pin="2580")
        self.device = child_login(self.client, self.access)

    def assert_signed_in(self, client: Client | None = None) -> None:
        """The PIN page sends an unlocked device on to the child's home."""
        r = (client or self.client).get(UNLOCK)
        self.assertRedirects(r, HOME, fetch_redirect_response=False)

    def assert_signed_out(self, client: Client | None = None) -> None:
        """A child page sends the browser to the PIN page: no child session."""
        r = (client or self.client).get(HOME)
        self.assertRedirects(r, f"{UNLOCK}?next={HOME}", fetch_redirect_response=False)
        self.assertIsNone(r.wsgi_request.child_session)  # type: ignore[attr-defined]

    # --- Logout -------------------------------------------------------------------------------

    def test_it_logs_out_server_side(self) -> None:
        """T11: logout revokes the device session in the database, deletes the cookie and
        logs it; T23: the browser is told to clear what it kept."""
        self.assert_signed_in()
        r = self.client.post(LOGOUT)
        self.assertRedirects(r, LOGOUT, fetch_redirect_response=False)
        self.assertEqual(r["Clear-Site-Data"], '"cache", "cookies", "storage"')
        self.assertEqual(r.cookies[cookie_name()].value, "")
        self.assertEqual(r.cookies[cookie_name()]["max-age"], 0)
        self.device.refresh_from_db()
        self.assertIsNotNone(self.device.revoked_at)
        event = AccessEvent.objects.get(action=Action.LOGOUT)
        self.assertEqual(event.role, "child")
        self.assertEqual(event.username, f"barn:{self.access.code}")
        self.assertEqual(event.child, self.case_a.child)
        r = self.client.get(LOGOUT)
        self.assertContains(r, "Du er logget ud")
        self.assertNotContains(r, "Log ud</button>")
        self.assertEqual(r["Cache-Control"], "no-store")

    def test_it_opens_nothing_with_the_old_cookie_after_logout(self) -> None:
        """T11: the cookie replayed after logout is dead: no session, the PIN page answers,
        and the right PIN does not bring it back."""
        old_cookie = self.client.cookies[cookie_name()].value
        self.client.post(LOGOUT)
        self.client.cookies[cookie_name()] = old_cookie
        self.assert_signed_out()
        r = self.client.get(UNLOCK)
        self.assertContains(r, "Du skal bruge en kode")
        r = self.client.post(UNLOCK, {"pin": "2580"})
        self.assertContains(r, "Du skal bruge en kode")
        self.assertFalse(AccessEvent.objects.filter(action=Action.LOGIN_OK).exists())

    def test_it_logs_out_a_device_that_waits_for_its_pin(self) -> None:
        """The logout is public: a device whose unlock ran out can be signed out for good."""
        with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
            self.assertContains(self.client.get(UNLOCK), "Skriv din pinkode")
            r = self.client.post(LOGOUT)
        self.assertRedirects(r, LOGOUT, fetch_redirect_response=False)
        self.device.refresh_from_db()
        self.assertIsNotNone(self.device.revoked_at)

    def test_it_logs_out_only_on_post(self) -> None:
        r = self.client.get(LOGOUT)
        self.assertContains(r, "Du er logget ud")
        self.assertNotIn("Clear-Site-Data", r)
        self.device.refresh_from_db()
        self.assertIsNone(self.device.revoked_at)
        self.assertFalse(AccessEvent.objects.filter(action=Action.LOGOUT).exists())
        self.assert_signed_in()

    def test_it_logs_out_a_browser_without_a_device(self) -> None:
        r = Client().post(LOGOUT)
        self.assertRedirects(r, LOGOUT, fetch_redirect_response=False)
        self.assertEqual(r["Clear-Site-Data"], '"cache", "cookies", "storage"')
        self.assertFalse(AccessEvent.objects.exists())
        self.device.refresh_from_db()
        self.assertIsNone(self.device.revoked_at)

    def test_it_refuses_a_logout_without_csrf(self) -> None:
        """A page on another site cannot sign the child out."""
        client = Client(enforce_csrf_checks=True)
        client.cookies[cookie_name()] = self.client.cookies[cookie_name()].value
        self.assertEqual(client.post(LOGOUT).status_code, 403)
        self.device.refresh_from_db()
        self.assertIsNone(self.device.revoked_at)

    # --- Idle expiry and the PIN --------------------------------------------------------------

    def test_it_needs_the_pin_again_after_the_idle_time(self) -> None:
        """T11: within UNLOCK_IDLE_SECONDS the device stays unlocked; after it, the PIN."""
        start = timezone.now()
        with time_machine.travel(start + timedelta(seconds=UNLOCK_IDLE_SECONDS - 1), tick=False):
            self.assert_signed_in()
        DeviceSession.objects.filter(pk=self.device.pk).update(last_seen_at=start)
        later = start + timedelta(seconds=UNLOCK_IDLE_SECONDS + 1)
        with time_machine.travel(later, tick=False):
            self.assert_signed_out()
            self.assertContains(self.client.get(UNLOCK), "Skriv din pinkode")
            r = self.client.post(UNLOCK, {"pin": "2580", "next": HOME})
            self.assertRedirects(r, HOME, fetch_redirect_response=False)
            self.assert_signed_in()
        self.device.refresh_from_db()
        self.assertEqual(self.device.unlocked_at, later)

    def test_it_survives_a_doubled_pin_submit(self) -> None:
        """A double tap on "Lås op" sends the PIN twice: both open, the device stays known,
        and each attempt is logged."""
        DeviceSession.objects.filter(pk=self.device.pk).update(unlocked_at=None)
        for _ in range(2):
            r = self.client.post(UNLOCK, {"pin": "2580"})
            self.assertRedirects(r, HOME, fetch_redirect_response=False)
        self.assert_signed_in()
        self.assertEqual(AccessEvent.objects.filter(action=Action.LOGIN_OK).count(), 2)

    # --- Reset --------------------------------------------------------------------------------

    def test_it_signs_out_every_device_on_reset(self) -> None:
        """T11: the caseworker's reset revokes all the child's devices at once."""
        phone = Client()
        tablet_device = child_login(phone, self.access)
        self.assert_signed_in()
        self.assert_signed_in(phone)
        staff = Client()
        self.client, child = staff, self.client
        self.login(self.alice)
        r = self.client.post(reverse("channel:reset", args=[self.case_a.code]))
        self.assertEqual(r.status_code, 302)
        self.client = child
        self.assert_signed_out()
        self.assert_signed_out(phone)
        for device in (self.device, tablet_device):
            device.refresh_from_db()
            self.assertIsNotNone(device.revoked_at)

    # --- What the browser may keep (T23, the server's part) -----------------------------------

    def test_it_forbids_caching_of_child_pages(self) -> None:
        """T23: every page of the way in is sent with Cache-Control: no-store."""
        pages = [
            (self.client, REDEEM),
            (self.client, LOGOUT),
            (Client(), UNLOCK),
        ]
        for client, url in pages:
            with self.subTest(url=url):
                self.assertEqual(client.get(url)["Cache-Control"], "no-store")
        DeviceSession.objects.filter(pk=self.device.pk).update(unlocked_at=None)
        self.assertEqual(self.client.get(UNLOCK)["Cache-Control"], "no-store")
        ChildAccess.objects.filter(pk=self.access.pk).update(locked_at=timezone.now())
        r = self.client.get(UNLOCK)
        self.assertContains(r, "Din adgang er låst")
        self.assertEqual(r["Cache-Control"], "no-store")
