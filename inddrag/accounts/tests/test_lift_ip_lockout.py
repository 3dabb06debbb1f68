from __future__ import annotations

from axes.models import AccessAttempt
from django.core.management import call_command
from django.core.management.base import CommandError

from inddrag.audit.models import AccessEvent
from inddrag.test import BaseTestCase


class LiftIpLockoutTestCase(BaseTestCase):
    def setUp(self) -> None:
        for name in ["x", "y", "z", "w", "v"]:
            self.client.post(
                "/konto/login/", {"username": name, "password": "nope"}, REMOTE_ADDR="10.9.8.7"
            )

    def test_it_lifts_an_ip_lockout_with_a_reason(self) -> None:
        """T10: the lockout is lifted only with a documented reason, recorded in the access log."""
        r = self.client.post(
            "/konto/login/", {"username": "alice", "password": "nope"}, REMOTE_ADDR="10.9.8.7"
        )
        self.assertEqual(r.status_code, 429)
        call_command("lift_lockout", "--ip", "10.9.8.7", "--reason", "Office NAT; user mistyped")
        self.assertFalse(AccessAttempt.objects.filter(ip_address="10.9.8.7").exists())
        event = AccessEvent.objects.get(action="lockout_lifted")
        self.assertEqual(event.criterion, "ip 10.9.8.7: Office NAT; user mistyped")
        self.assertTrue(event.username.startswith("operator:"))

    def test_it_requires_a_reason(self) -> None:
        with self.assertRaises(CommandError):
            call_command("lift_lockout", "--ip", "10.9.8.7", "--reason", "short")
        self.assertTrue(AccessAttempt.objects.filter(ip_address="10.9.8.7").exists())
        self.assertFalse(AccessEvent.objects.filter(action="lockout_lifted").exists())
