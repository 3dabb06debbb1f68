from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from io import StringIO

import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from inddrag.accounts.sessions import SessionStore
from inddrag.municipalities.models import Municipality
from inddrag.test import BaseTestCase, current_token

# Variables the tests below set themselves, or that only the test process has; everything else is
# inherited from it (DB=postgres, for one).
DEPLOYMENT_VARIABLES = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by conftest.py for the browser tests
    "EMAIL_BACKEND",
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "STATIC_MANIFEST",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a fresh interpreter, as a deployment would (settings.TESTING is false)."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PYTEST") and name not in DEPLOYMENT_VARIABLES
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class SettingsTestCase(BaseTestCase):
    def test_it_passes_the_deployment_check(self) -> None:
        """T16: `check --deploy` is clean with production settings."""
        result = manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(45),
            ALLOWED_HOSTS="inddrag.example.dk",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "System check identified no issues (0 silenced).\n")

    def test_it_refuses_to_start_without_a_secret_key(self) -> None:
        """T16: with DEBUG off the app will not start without SECRET_KEY."""
        result = manage("check", DEBUG="0", ALLOWED_HOSTS="inddrag.example.dk")
        self.assertEqual(result.returncode, 1)
        self.assertIn(
            "django.core.exceptions.ImproperlyConfigured: Set SECRET_KEY (or SECRET_KEY_FILE)",
            result.stderr,
        )

    def test_it_refuses_to_start_without_allowed_hosts(self) -> None:
        """T16: with DEBUG off the app will not start without ALLOWED_HOSTS."""
        result = manage("check", DEBUG="0", SECRET_KEY=secrets.token_urlsafe(45))
        self.assertEqual(result.returncode, 1)
        self.assertIn(
            "django.core.exceptions.ImproperlyConfigured: "
            "Set ALLOWED_HOSTS (comma-separated host names)",
            result.stderr,
        )

    def test_it_reads_the_secret_key_from_a_file(self) -> None:
        """T16: SECRET_KEY_FILE (a container secret) works as well."""
        with tempfile.NamedTemporaryFile("w", suffix=".key", delete=False) as key_file:
            key_file.write(secrets.token_urlsafe(45) + "\n")
        self.addCleanup(os.unlink, key_file.name)
        result = manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            DEBUG="0",
            SECRET_KEY_FILE=key_file.name,
            ALLOWED_HOSTS="inddrag.example.dk",
        )
        self.assertEqual(result.returncode, 0, result.stderr)

    @override_settings(DEBUG=False)
    def test_it_refuses_demo_codes_without_debug(self) -> None:
        """T16: the demo code printer cannot run in production."""
        with self.assertRaisesMessage(
            CommandError, "Demo codes exist only for development: set DEBUG=1."
        ):
            call_command("demo_totp", "alice", stdout=StringIO())

    @override_settings(DEBUG=True)
    def test_it_prints_the_demo_code_with_debug(self) -> None:
        """The demo command prints the code an app would show."""
        out = StringIO()
        with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
            call_command("demo_totp", "alice", stdout=out)
            self.assertEqual(out.getvalue(), f"{current_token(self.alice)}\n")

    @override_settings(DEBUG=False)
    def test_it_refuses_demo_data_without_debug(self) -> None:
        """T16: demo data cannot be loaded into production."""
        with self.assertRaisesMessage(
            CommandError, "Demo data exists only for development: set DEBUG=1."
        ):
            call_command("seed_demo", stdout=StringIO())
        self.assertEqual(Municipality.objects.count(), 2)

    def test_it_has_the_lockout_policy(self) -> None:
        """T10: five failures lock the account or the address, until a person lifts it."""
        self.assertEqual(settings.AXES_FAILURE_LIMIT, 5)
        self.assertEqual(settings.AXES_LOCKOUT_PARAMETERS, ["username", "ip_address"])
        self.assertIsNone(settings.AXES_COOLOFF_TIME)
        self.assertIs(settings.AXES_RESET_ON_SUCCESS, False)
        self.assertIs(settings.AXES_ENABLE_ADMIN, False)
        for secret in ("password", "otp_token", "pin", "code"):
            self.assertIn(secret, settings.AXES_SENSITIVE_PARAMETERS)

    def test_it_has_the_session_limits(self) -> None:
        """T11: 30 minutes idle, 10 hours at most, and the cookie dies with the session."""
        self.assertEqual(settings.SESSION_IDLE_SECONDS, 1800)
        self.assertEqual(settings.SESSION_ABSOLUTE_SECONDS, 36_000)
        self.assertEqual(settings.SESSION_COOKIE_AGE, settings.SESSION_ABSOLUTE_SECONDS)
        # Server-side sessions, so logging out or a lockout ends them at once: Django's database
        # sessions (inddrag/accounts/sessions.py builds its one read once).
        self.assertEqual(settings.SESSION_ENGINE, "inddrag.accounts.sessions")
        self.assertTrue(issubclass(SessionStore, DatabaseSessionStore))
