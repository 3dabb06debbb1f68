from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.portal import services
from inddrag.portal.models import ChildAccess, DeviceSession, Invitation
from inddrag.test import BaseTestCase, make_child_access

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

Action = AccessEvent.Action
_CODE = re.compile(r'<span class="invitation-code">([0-9A-Z-]+)</span>')


class StaffAccessTestCase(BaseTestCase):
    """The caseworker's page for the child's access: status, codes, reset, settings (issue 5,
    point 1); the leader reads it; everyone else gets a logged 404 (T1, T2, T3, T5)."""

    def setUp(self) -> None:
        self.url = reverse("channel:access", args=[self.case_a.code])
        self.invite_url = reverse("channel:invite", args=[self.case_a.code])
        self.reset_url = reverse("channel:reset", args=[self.case_a.code])

    def invite(self, latest: str | None = None) -> tuple[TestResponse, str]:
        """Post the access page's "Lav en ny kode" as the page would (its hidden field names the
        newest code; `latest` overrides it); returns the response and the code shown."""
        if latest is None:
            newest = (
                Invitation.objects.filter(access__child=self.case_a.child).order_by("-pk").first()
            )
            latest = str(newest.code) if newest else ""
        r = self.client.post(self.invite_url, {"latest": latest})
        found = _CODE.search(r.content.decode())
        return r, found.group(1) if found else ""

    def events(self, action: str) -> list[AccessEvent]:
        return list(AccessEvent.objects.filter(action=action).order_by("pk"))

    # --- It works -----------------------------------------------------------------------------

    def test_it_shows_a_child_never_invited(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Barnets adgang til Inddrag")
        self.assertContains(r, "Barnet har ikke fået en kode endnu.")
        self.assertContains(r, "Lav en ny kode")
        self.assertNotContains(r, "Nulstil adgangen")  # nothing to reset yet
        self.assertNotContains(r, "Gem indstillinger")
        [read] = self.events(Action.READ)
        self.assertEqual((read.user, read.child), (self.alice, self.case_a.child))
        self.assertEqual(read.object_code, str(self.case_a.code))

    def test_it_issues_a_code_and_shows_it_once_with_a_letter(self) -> None:
        """6.4.1: a new code, shown once with a letter; the access is made; both logged."""
        self.login(self.alice)
        with time_machine.travel(timezone.now(), tick=False):
            r, code = self.invite("")
        self.assertEqual(r.status_code, 200)
        self.assertRegex(code, r"^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{2}$")
        self.assertContains(r, "Koden vises kun nu")
        self.assertContains(r, "Hej Asta")
        self.assertContains(r, "http://testserver/barn/start/")
        self.assertContains(r, "Vælg en pinkode med 4 tal")
        self.assertContains(r, 'class="invitation-letter"')
        self.assertEqual(r["Cache-Control"], "no-store")  # T23: no copy in a browser cache
        access = ChildAccess.objects.get(child=self.case_a.child)
        self.assertEqual(access.created_by, self.alice)
        invitation = Invitation.objects.get(access=access)
        self.assertEqual(invitation.code_hash, services.code_hash(code))
        self.assertEqual(invitation.expires_at - invitation.created_at, timedelta(hours=72))
        created = self.events(Action.CREATE)
        self.assertEqual(
            [(e.object_type, e.child) for e in created],
            [("ChildAccess", self.case_a.child), ("Invitation", self.case_a.child)],
        )
        # Not in the session, the log, or any URL.
        plain = code.replace("-", "")
        self.assertNotIn(plain, repr(dict(self.client.session.items())))
        self.assertNotIn(plain, repr(list(AccessEvent.objects.values())))
        self.assertNotIn("Location", r)
        # Once: the access page does not show it again.
        self.assertNotContains(self.client.get(self.url), code)
        self.assertContains(self.client.get(self.url), "Barnet har fået en kode. Den virker til")

    def test_it_withdraws_the_earlier_code_when_a_new_one_is_made(self) -> None:
        self.login(self.alice)
        _r, first = self.invite("")
        _r, second = self.invite()
        self.assertNotEqual(first, second)
        old, new = Invitation.objects.order_by("pk")
        self.assertIsNotNone(old.withdrawn_at)
        self.assertIsNone(new.withdrawn_at)

    def test_it_makes_no_second_code_from_a_doubled_form(self) -> None:
        """A reload or a double click posts the old page's form again: no new code, so the
        code just printed keeps working; the caseworker is told why."""
        self.login(self.alice)
        _r, code = self.invite("")
        r = self.client.post(self.invite_url, {"latest": ""})
        self.assertRedirects(r, self.url, fetch_redirect_response=False)
        self.assertEqual(Invitation.objects.count(), 1)
        self.assertIsNone(Invitation.objects.get().withdrawn_at)
        self.assertContains(self.client.get(self.url), "Der er lige lavet en ny kode")
        self.assertTrue(
            AccessEvent.objects.filter(action=Action.READ, user=self.alice, child=self.case_a.child)
        )

    def test_it_tells_the_status_in_words(self) -> None:
        self.login(self.alice)
        self.invite("")
        with time_machine.travel(timezone.now() + timedelta(hours=73), tick=False):
            self.login(self.alice)  # a new day's login
            self.assertContains(self.client.get(self.url), "uden at blive brugt")
        self.login(self.alice)
        access = ChildAccess.objects.get()
        access.pin_hash = "x"
        access.save()
        Invitation.objects.update(used_at=timezone.now())
        DeviceSession.objects.create(
            municipality=self.nordby,
            access=access,
            token_hash="a" * 64,
            last_seen_at=timezone.now(),
            unlocked_at=timezone.now(),
        )
        r = self.client.get(self.url)
        self.assertContains(r, "Aktiv siden")
        self.assertContains(r, "Sidst brugt")
        self.assertContains(r, "Logget ind på 1 enhed")
        ChildAccess.objects.update(locked_at=timezone.now())
        r = self.client.get(self.url)
        self.assertContains(r, "efter for mange forkerte pinkoder")
        self.client.post(self.reset_url)
        r = self.client.get(self.url)
        self.assertContains(r, "Adgangen er nulstillet. Barnet skal have en ny kode")
        self.assertContains(r, "Logget ind på 0 enheder")

    def test_it_asks_before_it_resets(self) -> None:
        """The reset is destructive: the page asks first, and only the POST resets."""
        make_child_access(self.case_a, self.alice)
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, 'href="?nulstil=1"')
        self.assertNotContains(r, "Vil du nulstille barnets adgang?")
        r = self.client.get(self.url + "?nulstil=1")
        self.assertContains(r, "Vil du nulstille barnets adgang?")
        self.assertContains(r, f'action="{self.reset_url}"')
        self.assertContains(r, "Fortryd")
        self.assertTrue(ChildAccess.objects.get().pin_hash)  # nothing changed yet

    def test_it_resets_the_access(self) -> None:
        """T10/T11: the reset revokes every device, clears PIN and lock, withdraws open codes,
        and is logged with the lifted lock."""
        access = make_child_access(self.case_a, self.alice, failed_pins=5)
        ChildAccess.objects.filter(pk=access.pk).update(locked_at=timezone.now())
        for n in range(2):
            DeviceSession.objects.create(
                municipality=self.nordby,
                access=access,
                token_hash=f"{n}" * 64,
                last_seen_at=timezone.now(),
                unlocked_at=timezone.now(),
            )
        self.login(self.alice)
        self.invite("")
        r = self.client.post(self.reset_url)
        self.assertRedirects(r, self.url, fetch_redirect_response=False)
        access.refresh_from_db()
        self.assertEqual((access.pin_hash, access.failed_pins, access.locked_at), ("", 0, None))
        self.assertFalse(DeviceSession.objects.filter(revoked_at=None).exists())
        self.assertFalse(Invitation.objects.filter(withdrawn_at=None).exists())
        [update] = self.events(Action.UPDATE)
        self.assertEqual(update.criterion, "child access reset: 2 device(s) signed out")
        self.assertEqual(update.child, self.case_a.child)
        [lifted] = self.events(Action.LOCKOUT_LIFTED)
        self.assertEqual(lifted.user, self.alice)
        self.assertContains(self.client.get(self.url), "barnet er logget ud på 2 enheder")

    def test_it_resets_nothing_for_a_child_never_invited(self) -> None:
        self.login(self.alice)
        r = self.client.post(self.reset_url)
        self.assertRedirects(r, self.url, fetch_redirect_response=False)
        self.assertFalse(ChildAccess.objects.exists())
        self.assertEqual(len(self.events(Action.READ)), 1)

    def test_it_saves_the_settings(self) -> None:
        access = make_child_access(self.case_a, self.alice)
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Gem indstillinger")
        r = self.client.post(
            self.url,
            {"simple_mode": "on", "notify_phone": "+45 20 30 40 50", "notify_email": "a@b.dk"},
        )
        self.assertRedirects(r, self.url, fetch_redirect_response=False)
        access.refresh_from_db()
        self.assertEqual(
            (access.simple_mode, access.notify_phone, access.notify_email),
            (True, "+4520304050", "a@b.dk"),
        )
        [update] = self.events(Action.UPDATE)
        self.assertEqual(
            update.criterion, "child access settings: simple_mode, notify_phone, notify_email"
        )
        self.assertNotIn("20304050", repr(list(AccessEvent.objects.values())))

    def test_it_accepts_danish_mobile_numbers_only(self) -> None:
        access = make_child_access(self.case_a, self.alice)
        self.login(self.alice)
        good = {"20304050": "+4520304050", "0045 31-32-33-34": "+4531323334", "": ""}
        for typed, stored in good.items():
            with self.subTest(typed=typed):
                r = self.client.post(self.url, {"notify_phone": typed})
                self.assertEqual(r.status_code, 302)
                access.refresh_from_db()
                self.assertEqual(access.notify_phone, stored)
        bad = {
            "1234": "8 cifre",
            "+46 20304050": "8 cifre",
            "203040501": "8 cifre",
            "12345678": "begynder ikke med 0 eller 1",
        }
        for typed, message in bad.items():
            with self.subTest(typed=typed):
                r = self.client.post(self.url, {"notify_phone": typed})
                self.assertContains(r, message)
        r = self.client.post(self.url, {"notify_email": "ikke-en-adresse"})
        self.assertContains(r, "Skriv en rigtig e-mailadresse")
        access.refresh_from_db()
        self.assertEqual((access.notify_phone, access.notify_email), ("", ""))

    def test_it_shows_the_childs_access_on_the_case_page(self) -> None:
        self.login(self.alice)
        case_page = reverse("children:case_detail", args=[self.case_a.code])
        r = self.client.get(case_page)
        self.assertContains(r, "Barnets adgang til Inddrag")
        self.assertContains(r, "Barnet har ikke fået en kode til Inddrag endnu.")
        self.assertContains(r, f'href="{self.url}"')
        access = make_child_access(self.case_a, self.alice)
        self.assertContains(self.client.get(case_page), "Barnet bruger Inddrag.")
        ChildAccess.objects.filter(pk=access.pk).update(locked_at=timezone.now())
        self.assertContains(self.client.get(case_page), "efter for mange forkerte pinkoder")

    # --- Read-only: the leader ----------------------------------------------------------------

    def test_it_shows_the_leader_a_read_only_page(self) -> None:
        make_child_access(self.case_a, self.alice, notify_phone="+4520304050")
        self.login(self.leo)
        r = self.client.get(self.url)
        self.assertContains(r, "Barnets adgang til Inddrag")
        self.assertNotContains(r, "Lav en ny kode")
        self.assertNotContains(r, "Nulstil adgangen")
        self.assertNotContains(r, "Gem indstillinger")
        self.assertNotContains(r, "20304050")
        self.assertContains(r, "Kun barnets sagsbehandler")
        r = self.client.get(self.url + "?nulstil=1")
        self.assertNotContains(r, "Vil du nulstille")
        reads = self.events(Action.READ)
        self.assertEqual([(e.user, e.role) for e in reads], [(self.leo, "leader")] * 2)

    def test_it_refuses_the_leaders_changes(self) -> None:
        """T2/T3: a leader's POST is a logged 403 and changes nothing."""
        access = make_child_access(self.case_a, self.alice)
        self.login(self.leo)
        r = self.client.post(self.url, {"simple_mode": "on", "notify_phone": "20304050"})
        self.assertEqual(r.status_code, 403)
        [denied] = self.events(Action.DENIED)
        self.assertEqual(denied.criterion, f"read-only: case {self.case_a.code}")
        for url in (self.invite_url, self.reset_url):
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url).status_code, 403)
        access.refresh_from_db()
        self.assertEqual((access.simple_mode, access.notify_phone), (False, ""))
        self.assertTrue(access.pin_hash)
        self.assertFalse(Invitation.objects.exists())
        self.assertEqual(len(self.events(Action.DENIED)), 3)
        self.assertFalse(self.events(Action.UPDATE) or self.events(Action.CREATE))

    # --- Outsiders ----------------------------------------------------------------------------

    def test_it_hides_the_page_from_outsiders(self) -> None:
        """T1/T3: anna (same municipality, not her case) and bob (another municipality) get a
        404 for every method, each logged as a denial, and nothing changes."""
        access = make_child_access(self.case_a, self.alice)
        for user in (self.anna, self.bob):
            self.login(user)
            for method, url in [
                ("get", self.url),
                ("post", self.url),
                ("post", self.invite_url),
                ("post", self.reset_url),
            ]:
                with self.subTest(user=user.username, method=method, url=url):
                    before = len(self.events(Action.DENIED))
                    r = getattr(self.client, method)(url, {"notify_phone": "20304050"})
                    self.assertEqual(r.status_code, 404)
                    denied = self.events(Action.DENIED)
                    self.assertEqual(len(denied), before + 1)
                    self.assertEqual(denied[-1].user, user)
        access.refresh_from_db()
        self.assertEqual(access.notify_phone, "")
        self.assertTrue(access.pin_hash)
        self.assertFalse(Invitation.objects.exists())
        self.assertFalse(
            AccessEvent.objects.exclude(action__in=[Action.DENIED, Action.LOGIN_OK]).exists()
        )

    def test_it_takes_invite_and_reset_by_post_only(self) -> None:
        self.login(self.alice)
        for url in (self.invite_url, self.reset_url):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 405)
        self.assertFalse(ChildAccess.objects.exists())

    def test_it_sends_the_child_to_the_staff_login(self) -> None:
        """A child's device session opens no staff page."""
        r = Client().get(self.url)
        self.assertRedirects(r, f"/konto/login/?next={self.url}", fetch_redirect_response=False)
