from __future__ import annotations

import re
import secrets
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING
from unittest import mock

import time_machine
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.municipalities.models import Membership
from inddrag.portal import services
from inddrag.portal.models import ChildAccess, DeviceSession, EntryAttempt, Invitation
from inddrag.portal.session import cookie_name
from inddrag.test import BaseTestCase, child_login, make_child_access

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

Action = AccessEvent.Action
REDEEM = reverse("portal:redeem")
UNLOCK = reverse("portal:unlock")
HOME = reverse("portal:home")
# The CSRF token and the form's one-time token differ on every response, by design.
_RANDOM = re.compile(r'name="(csrfmiddlewaretoken|submit_token)" value="[^"]+"')


def page_body(response: TestResponse) -> str:
    """The page without its random tokens."""
    return _RANDOM.sub("", response.content.decode())


class EntryTestCase(BaseTestCase):
    """The child's way in: the invitation code (ASVS 6.4.1) and the PIN (T10)."""

    def setUp(self) -> None:
        self.membership = Membership.objects.get(user=self.alice)

    def issue(self) -> services.IssuedInvitation:
        latest = Invitation.objects.filter(access__child=self.case_a.child).order_by("-pk").first()
        return services.issue_invitation(
            self.case_a,
            by=self.alice,
            membership=self.membership,
            seen_latest=latest.code if latest else None,
        )

    def redeem(
        self,
        code: str,
        pin: str = "2580",
        *,
        client: Client | None = None,
        ip: str = "10.0.0.1",
        submit_token: str = "",
    ) -> TestResponse:
        """Post the redeem page's form; a fresh page (a new one-time token) unless given."""
        data = {
            "code": code,
            "pin": pin,
            "pin_again": pin,
            "submit_token": submit_token or str(uuid.uuid4()),
        }
        return (client or self.client).post(REDEEM, data, REMOTE_ADDR=ip)

    def assert_refused(self, response: TestResponse) -> None:
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Koden virker ikke")
        self.assertNotIn(cookie_name(), response.cookies)

    # --- Redeeming the code -------------------------------------------------------------------

    def test_it_shows_the_redeem_page(self) -> None:
        r = self.client.get(REDEEM)
        self.assertContains(r, "Kom i gang med Inddrag")
        self.assertContains(r, 'inputmode="numeric"', count=2)
        self.assertContains(r, 'autocomplete="off"', count=3)
        self.assertEqual(r["Cache-Control"], "no-store")

    def test_it_redeems_a_code_and_signs_the_device_in(self) -> None:
        """6.4.1: the code works, the PIN is set, the device is signed in, login_ok logged."""
        issued = self.issue()
        r = self.redeem(issued.code.lower().replace("-", " "), "2580")
        self.assertRedirects(r, HOME, fetch_redirect_response=False)
        self.assertIn(cookie_name(), r.cookies)
        issued.invitation.refresh_from_db()
        self.assertIsNotNone(issued.invitation.used_at)
        access = ChildAccess.objects.get(child=self.case_a.child)
        self.assertTrue(check_password("2580", access.pin_hash))
        device = DeviceSession.objects.get(access=access)
        self.assertIsNotNone(device.unlocked_at)
        self.assertIsNone(device.revoked_at)
        event = AccessEvent.objects.filter(action=Action.LOGIN_OK).get()
        self.assertEqual(event.role, "child")
        self.assertEqual(event.username, f"barn:{access.code}")
        self.assertEqual(event.child, self.case_a.child)
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.object_code, str(issued.invitation.code))
        # The device is unlocked: the PIN page sends it on.
        r = self.client.get(UNLOCK)
        self.assertRedirects(r, HOME, fetch_redirect_response=False)

    def test_it_accepts_a_code_only_once(self) -> None:
        """6.4.1: single use: a second redeem, from another device, fails and changes nothing."""
        issued = self.issue()
        self.assertEqual(self.redeem(issued.code, "2580").status_code, 302)
        other = Client()
        r = self.redeem(issued.code, "1357", client=other)
        self.assert_refused(r)
        self.assertEqual(DeviceSession.objects.count(), 1)
        access = ChildAccess.objects.get(child=self.case_a.child)
        self.assertTrue(check_password("2580", access.pin_hash))
        fail = AccessEvent.objects.get(action=Action.LOGIN_FAIL)
        self.assertEqual(fail.criterion, "invitation code ****-****-**: already used")

    def test_it_refuses_an_expired_code(self) -> None:
        """6.4.1: the code works for 72 hours and not a second longer."""
        issued = self.issue()
        with time_machine.travel(timezone.now() + timedelta(hours=72, seconds=1), tick=False):
            self.assert_refused(self.redeem(issued.code))
        issued.invitation.refresh_from_db()
        self.assertIsNone(issued.invitation.used_at)
        self.assertFalse(DeviceSession.objects.exists())

    def test_it_accepts_a_code_just_before_it_expires(self) -> None:
        issued = self.issue()
        with time_machine.travel(timezone.now() + timedelta(hours=72, seconds=-2), tick=False):
            r = self.redeem(issued.code)
        self.assertRedirects(r, HOME, fetch_redirect_response=False)

    def test_it_refuses_a_withdrawn_code(self) -> None:
        """6.4.1: a newer code withdraws the earlier one."""
        first = self.issue()
        second = self.issue()
        first.invitation.refresh_from_db()
        self.assertIsNotNone(first.invitation.withdrawn_at)
        self.assert_refused(self.redeem(first.code))
        self.assertRedirects(self.redeem(second.code), HOME, fetch_redirect_response=False)

    def test_it_stores_the_code_only_as_its_hash(self) -> None:
        """6.4.1: the plain code is nowhere in the database: not in the invitation, not in any
        access event (a refused attempt included)."""
        issued = self.issue()
        self.redeem(issued.code)
        self.redeem(issued.code)  # refused: logged as login_fail
        plain = services.normalise_code(issued.code)
        invitation = Invitation.objects.values().get()
        self.assertEqual(invitation["code_hash"], services.code_hash(plain))
        for text in (issued.code, plain):
            self.assertNotIn(text, repr(list(Invitation.objects.values())))
            self.assertNotIn(text, repr(list(AccessEvent.objects.values())))
            self.assertNotIn(text, repr(list(ChildAccess.objects.values())))

    def test_it_draws_codes_from_secrets(self) -> None:
        """6.4.1: codes come from the CSPRNG (`secrets`), differ, and use the plain alphabet."""
        with mock.patch("secrets.choice", wraps=secrets.choice) as choice:
            codes = {services.new_code() for _ in range(50)}
        self.assertEqual(choice.call_count, 50 * services.CODE_LENGTH)
        self.assertEqual(len(codes), 50)
        for code in codes:
            self.assertTrue(services.is_well_formed(code))
            self.assertFalse(set(code) & set("01OI"))
        self.assertNotEqual(self.issue().code, self.issue().code)

    def test_it_answers_unknown_used_expired_and_withdrawn_codes_alike(self) -> None:
        """T10: no enumeration: unknown, used, expired and withdrawn codes get the same status
        and the same page (the form starts over, so not even the typed code is echoed)."""
        used = self.issue()
        self.redeem(used.code, client=Client())
        withdrawn = self.issue()
        self.issue()
        expiring = self.issue()
        answers = {}
        answers["unknown"] = self.redeem("ABCD-EFGH-JK")
        answers["used"] = self.redeem(used.code)
        answers["withdrawn"] = self.redeem(withdrawn.code)
        with time_machine.travel(timezone.now() + timedelta(hours=73), tick=False):
            answers["expired"] = self.redeem(expiring.code)
        bodies = {name: page_body(r) for name, r in answers.items()}
        for name, r in answers.items():
            with self.subTest(name):
                self.assert_refused(r)
                self.assertEqual(bodies[name], bodies["unknown"])
                self.assertNotContains(r, "ABCD")
        criteria = list(
            AccessEvent.objects.filter(action=Action.LOGIN_FAIL).values_list("criterion", flat=True)
        )
        self.assertEqual(
            sorted(criteria),
            sorted(
                f"invitation code ****-****-**: {reason}"
                for reason in ["unknown", "already used", "withdrawn", "expired"]
            ),
        )

    def test_it_throttles_wrong_codes_per_address(self) -> None:
        """T10: after CODE_ATTEMPTS_PER_IP wrong codes from one address, that address is refused
        even a valid code, with the same answer, for the window; every attempt is logged."""
        issued = self.issue()
        for n in range(services.CODE_ATTEMPTS_PER_IP):
            wrong = f"ABCD-EFGH-{services.CODE_ALPHABET[n]}K"
            self.assert_refused(self.redeem(wrong, ip="10.6.6.6"))
        wrong_page = page_body(self.redeem("ABCD-EFGH-ZZ", ip="10.6.6.6"))
        r = self.redeem(issued.code, ip="10.6.6.6")
        self.assert_refused(r)
        self.assertEqual(page_body(r), wrong_page)
        issued.invitation.refresh_from_db()
        self.assertIsNone(issued.invitation.used_at)  # the code was not spent
        fails = AccessEvent.objects.filter(action=Action.LOGIN_FAIL)
        self.assertEqual(fails.count(), services.CODE_ATTEMPTS_PER_IP + 2)
        self.assertEqual(fails.filter(criterion__endswith="too many wrong codes").count(), 2)
        self.assertEqual(set(fails.values_list("ip", flat=True)), {"10.6.6.6"})
        # Another address is not affected.
        other = self.issue()
        self.assertEqual(self.redeem(other.code, ip="10.7.7.7", client=Client()).status_code, 302)
        # After the window, the address may try again.
        later = timezone.now() + services.CODE_ATTEMPT_WINDOW + timedelta(seconds=1)
        third = self.issue()
        with time_machine.travel(later, tick=False):
            r = self.redeem(third.code, ip="10.6.6.6")
        self.assertRedirects(r, HOME, fetch_redirect_response=False)

    def test_it_throttles_an_ipv6_network_as_one_address(self) -> None:
        """T10: a phone has a whole /64; changing the last bits does not give new tries."""
        for n in range(services.CODE_ATTEMPTS_PER_IP):
            self.redeem("ABCD-EFGH-JK", ip=f"2001:db8:1:2::{n + 1:x}")
        self.assertEqual(set(EntryAttempt.objects.values_list("ip", flat=True)), {"2001:db8:1:2::"})
        issued = self.issue()
        self.assert_refused(self.redeem(issued.code, ip="2001:db8:1:2::ffff"))

    def test_it_checks_the_pin_before_it_spends_the_code(self) -> None:
        """A PIN that is easy to guess or typed differently twice: a friendly message, the code
        stays unused, nothing is counted against the address."""
        issued = self.issue()
        cases = {
            "1111": "for nem at gætte",
            "1234": "for nem at gætte",
            "4321": "for nem at gætte",
            "56789": "for nem at gætte",
            "123": "4, 5 eller 6 tal",
            "1234567": "4, 5 eller 6 tal",
            "12a4": "4, 5 eller 6 tal",
        }
        for pin, message in cases.items():
            with self.subTest(pin=pin):
                r = self.redeem(issued.code, pin)
                self.assertContains(r, message)
                self.assertContains(r, issued.code)  # the typed code stays in the form
        r = self.client.post(
            REDEEM,
            {"code": issued.code, "pin": "2580", "pin_again": "2581", "submit_token": uuid.uuid4()},
            REMOTE_ADDR="10.0.0.1",
        )
        self.assertContains(r, "De to pinkoder er ikke ens")
        r = self.redeem("ABC")
        self.assertContains(r, "Koden har 10 tegn")
        issued.invitation.refresh_from_db()
        self.assertIsNone(issued.invitation.used_at)
        self.assertFalse(EntryAttempt.objects.exists())
        self.assertRedirects(
            self.redeem(issued.code, "135790"), HOME, fetch_redirect_response=False
        )

    def test_it_signs_the_same_device_in_when_the_same_form_comes_twice(self) -> None:
        """A double tap sends the form twice; the browser may keep only the second answer. The
        same form (its one-time token), code and PIN within REPEAT_SECONDS get the same device
        again, not "Koden virker ikke", and nothing counts as a wrong code."""
        issued = self.issue()
        token = str(uuid.uuid4())
        first = self.redeem(issued.code, submit_token=token)
        second = self.redeem(issued.code, submit_token=token, client=Client())
        self.assertRedirects(second, HOME, fetch_redirect_response=False)
        self.assertEqual(
            second.cookies[cookie_name()].value.split(":")[0],
            first.cookies[cookie_name()].value.split(":")[0],
        )
        self.assertEqual(DeviceSession.objects.count(), 1)
        self.assertFalse(EntryAttempt.objects.exists())
        self.assertEqual(
            list(
                AccessEvent.objects.filter(action=Action.LOGIN_OK).values_list(
                    "criterion", flat=True
                )
            ),
            ["invitation code used", "invitation code: same form again"],
        )

    def test_it_refuses_the_same_form_with_another_pin_or_later(self) -> None:
        issued = self.issue()
        token = str(uuid.uuid4())
        self.redeem(issued.code, submit_token=token)
        self.assert_refused(self.redeem(issued.code, "1357", submit_token=token, client=Client()))
        later = timezone.now() + timedelta(seconds=services.REPEAT_SECONDS + 1)
        with time_machine.travel(later, tick=False):
            self.assert_refused(self.redeem(issued.code, submit_token=token, client=Client()))
        self.assertEqual(DeviceSession.objects.count(), 1)

    def test_it_gives_a_second_code_on_the_same_form_its_own_device(self) -> None:
        """A page restored from the browser's back-forward cache sends an old form token with
        another child's code: that device gets a token of its own."""
        first = self.issue()
        token = str(uuid.uuid4())
        self.redeem(first.code, submit_token=token)
        second = services.issue_invitation(
            self.case_a2,
            by=self.anna,
            membership=Membership.objects.get(user=self.anna),
            seen_latest=None,
        )
        r = self.redeem(second.code, submit_token=token, client=Client())
        self.assertRedirects(r, HOME, fetch_redirect_response=False)
        self.assertEqual(DeviceSession.objects.values("token_hash").distinct().count(), 2)
        self.assertEqual(
            set(DeviceSession.objects.values_list("access__child", flat=True)),
            {self.case_a.child_id, self.case_a2.child_id},
        )

    def test_it_asks_an_old_page_to_start_over(self) -> None:
        issued = self.issue()
        data = {"code": issued.code, "pin": "2580", "pin_again": "2580"}
        r = self.client.post(REDEEM, data)
        self.assertContains(r, "Siden er for gammel")
        issued.invitation.refresh_from_db()
        self.assertIsNone(issued.invitation.used_at)

    def test_it_replaces_the_device_session_the_browser_had(self) -> None:
        access = make_child_access(self.case_a, self.alice)
        old = child_login(self.client, access)
        issued = self.issue()
        self.assertEqual(self.redeem(issued.code).status_code, 302)
        old.refresh_from_db()
        self.assertIsNotNone(old.revoked_at)
        self.assertEqual(DeviceSession.objects.filter(revoked_at=None).count(), 1)

    # --- The PIN ------------------------------------------------------------------------------

    def waiting_for_pin(self, pin: str = "2580") -> tuple[ChildAccess, DeviceSession]:
        """A known device whose unlock has run out: the PIN page asks for the PIN."""
        access = make_child_access(self.case_a, self.alice, pin=pin)
        device = child_login(self.client, access)
        DeviceSession.objects.filter(pk=device.pk).update(unlocked_at=None)
        return access, device

    def unlock(self, pin: str, next_url: str = "") -> TestResponse:
        return self.client.post(UNLOCK, {"pin": pin, "next": next_url})

    def test_it_explains_the_code_to_a_browser_without_a_device(self) -> None:
        r = self.client.get(UNLOCK)
        self.assertContains(r, "Du skal bruge en kode")
        self.assertContains(r, f'href="{REDEEM}"')
        self.assertNotContains(r, 'name="pin"')
        self.assertEqual(r["Cache-Control"], "no-store")

    def test_it_unlocks_with_the_right_pin(self) -> None:
        access, device = self.waiting_for_pin()
        r = self.client.get(UNLOCK)
        self.assertContains(r, "Skriv din pinkode")
        self.assertContains(r, 'inputmode="numeric"')
        self.assertContains(r, 'autocomplete="off"')
        ChildAccess.objects.filter(pk=access.pk).update(failed_pins=3)
        r = self.unlock("2580")
        self.assertRedirects(r, HOME, fetch_redirect_response=False)
        device.refresh_from_db()
        access.refresh_from_db()
        self.assertIsNotNone(device.unlocked_at)
        self.assertEqual(access.failed_pins, 0)
        event = AccessEvent.objects.get(action=Action.LOGIN_OK)
        self.assertEqual((event.criterion, event.role), ("PIN", "child"))
        self.assertEqual(event.child, self.case_a.child)

    def test_it_goes_on_to_a_safe_next_page_only(self) -> None:
        targets = {
            "/barn/besked/": "/barn/besked/",
            "/barn/moeder/x/?a=1": "/barn/moeder/x/?a=1",
            "https://evil.example/barn/": HOME,
            "//evil.example/barn/": HOME,
            "/sager/": HOME,
            "/barn/log-ud/": HOME,
            "/barn/\\evil.example": HOME,
            "/barn/../sager/": HOME,
            "/barn/%2E%2E/sager/": HOME,
        }
        for target, expected in targets.items():
            with self.subTest(target=target):
                self.waiting_for_pin()
                r = self.unlock("2580", target)
                self.assertRedirects(r, expected, fetch_redirect_response=False)
                ChildAccess.objects.all().delete()

    def test_it_counts_wrong_pins_and_locks_after_five(self) -> None:
        """T10: each wrong PIN counts and is logged; the child is told the tries left when 2 or
        fewer; the fifth locks the access, and then even the right PIN is refused."""
        access, device = self.waiting_for_pin()
        r = self.unlock("9999")
        self.assertContains(r, "Pinkoden er forkert. Prøv igen.")
        self.assertNotContains(r, "forsøg tilbage")
        self.unlock("9998")
        r = self.unlock("9997")
        self.assertContains(r, "Du har 2 forsøg tilbage")
        r = self.unlock("9996")
        self.assertContains(r, "Du har 1 forsøg tilbage")
        r = self.unlock("9995")
        self.assertContains(r, "Din adgang er låst")
        self.assertContains(r, "sagsbehandler")
        access.refresh_from_db()
        self.assertEqual(access.failed_pins, 5)
        self.assertIsNotNone(access.locked_at)
        self.assertEqual(AccessEvent.objects.filter(action=Action.LOGIN_FAIL).count(), 5)
        self.assertEqual(AccessEvent.objects.filter(action=Action.LOCKED_OUT).count(), 1)
        # The right PIN is refused now, and logged.
        r = self.unlock("2580")
        self.assertContains(r, "Din adgang er låst")
        self.assertNotIn(cookie_name(), r.cookies)
        device.refresh_from_db()
        self.assertIsNone(device.unlocked_at)
        self.assertEqual(AccessEvent.objects.filter(action=Action.LOGIN_FAIL).count(), 6)
        self.assertContains(self.client.get(UNLOCK), "Din adgang er låst")
        r = self.client.get(HOME)
        self.assertRedirects(r, f"{UNLOCK}?next={HOME}", fetch_redirect_response=False)

    def test_it_opens_again_after_the_caseworkers_reset(self) -> None:
        """T10: the lock is lifted by the caseworker's reset (recorded); the child then needs a
        new code and chooses a new PIN."""
        access, _device = self.waiting_for_pin()
        for _ in range(services.MAX_WRONG_PINS):
            self.unlock("9999")
        access.refresh_from_db()
        self.assertTrue(access.is_locked)
        staff = Client()
        self.client, child = staff, self.client
        self.login(self.alice)
        r = self.client.post(reverse("channel:reset", args=[self.case_a.code]))
        self.assertEqual(r.status_code, 302)
        self.assertTrue(AccessEvent.objects.filter(action=Action.LOCKOUT_LIFTED).exists())
        self.client = child
        access.refresh_from_db()
        self.assertFalse(access.is_locked)
        self.assertContains(self.client.get(UNLOCK), "Du skal bruge en kode")
        issued = self.issue()
        self.assertRedirects(self.redeem(issued.code, "7531"), HOME, fetch_redirect_response=False)
        access.refresh_from_db()
        self.assertTrue(check_password("7531", access.pin_hash))
        self.assertEqual(access.failed_pins, 0)
