from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.test import Client

from inddrag.accounts.tests.helpers import (
    CASE_LIST_URL,
    LOCKOUTS_URL,
    LOGIN_URL,
    lock_out,
    log_in,
)
from inddrag.test import PASSWORD, BaseTestCase, login

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


def csp_directives(response: TestResponse) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives: dict[str, list[str]] = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


class SecurityHeadersTestCase(BaseTestCase):
    def responses(self) -> dict[str, TestResponse]:
        """A sample of every kind of page: anonymous, signed in, HTMX, denied, missing, locked."""
        anonymous = Client()
        signed_in = Client()
        login(signed_in, self.alice)
        admin = Client()
        login(admin, self.ada)
        lock_out("anna")
        return {
            "login": anonymous.get(LOGIN_URL, secure=True),
            "case list": signed_in.get(CASE_LIST_URL, secure=True),
            "case list (htmx)": signed_in.get(
                CASE_LIST_URL, secure=True, headers={"HX-Request": "true"}
            ),
            "case detail": signed_in.get(self.case_a.get_absolute_url(), secure=True),
            "404": signed_in.get(self.case_b.get_absolute_url(), secure=True),
            "403": admin.get(self.case_a.get_absolute_url(), secure=True),
            "locked": anonymous.post(
                LOGIN_URL, {"username": "anna", "password": PASSWORD}, secure=True
            ),
            "redirect": anonymous.get(LOCKOUTS_URL, secure=True),
        }

    def test_it_sends_the_expected_statuses(self) -> None:
        """T16: the sample covers success, redirect, 403, 404 and 429 responses."""
        statuses = {name: r.status_code for name, r in self.responses().items()}
        self.assertEqual(
            statuses,
            {
                "login": 200,
                "case list": 200,
                "case list (htmx)": 200,
                "case detail": 200,
                "404": 404,
                "403": 403,
                "locked": 429,
                "redirect": 302,
            },
        )

    def test_it_enforces_a_strict_content_security_policy(self) -> None:
        """T16: default-src 'self', object-src/base-uri/frame-ancestors 'none', no inline code."""
        for name, r in self.responses().items():
            with self.subTest(page=name):
                self.assertNotIn("Content-Security-Policy-Report-Only", r)
                csp = csp_directives(r)
                self.assertEqual(csp["default-src"], ["'self'"])
                self.assertEqual(csp["script-src"], ["'self'"])
                self.assertEqual(csp["style-src"], ["'self'"])
                self.assertEqual(csp["object-src"], ["'none'"])
                self.assertEqual(csp["base-uri"], ["'none'"])
                self.assertEqual(csp["frame-ancestors"], ["'none'"])
                self.assertEqual(csp["form-action"], ["'self'"])
                self.assertNotIn("'unsafe-inline'", r["Content-Security-Policy"])
                self.assertNotIn("'unsafe-eval'", r["Content-Security-Policy"])

    def test_it_sends_the_hardening_headers(self) -> None:
        """T16: nosniff, Referrer-Policy, no-store, DENY framing, COOP."""
        for name, r in self.responses().items():
            with self.subTest(page=name):
                self.assertEqual(r["X-Content-Type-Options"], "nosniff")
                self.assertEqual(r["Referrer-Policy"], "same-origin")
                self.assertEqual(r["Cache-Control"], "no-store")
                self.assertEqual(r["X-Frame-Options"], "DENY")
                self.assertEqual(r["Cross-Origin-Opener-Policy"], "same-origin")

    def test_it_sends_hsts_over_https(self) -> None:
        """T16: HSTS for a year or more, with subdomains."""
        for name, r in self.responses().items():
            with self.subTest(page=name):
                hsts = [part.strip() for part in r["Strict-Transport-Security"].split(";")]
                max_age = int(hsts[0].removeprefix("max-age="))
                self.assertEqual(hsts[0], f"max-age={max_age}")
                self.assertGreaterEqual(max_age, 31_536_000)
                self.assertIn("includeSubDomains", hsts)

    def test_it_sends_no_hsts_over_http(self) -> None:
        """T16: HSTS only over HTTPS, where browsers honour it."""
        r = self.client.get(LOGIN_URL)
        self.assertNotIn("Strict-Transport-Security", r)

    def test_it_sets_host_only_secure_cookies(self) -> None:
        """T16 / ASVS 3.3.1: __Host- session and CSRF cookies, Secure, HttpOnly, SameSite."""
        self.assertEqual(settings.SESSION_COOKIE_NAME, "__Host-sessionid")
        self.assertEqual(settings.CSRF_COOKIE_NAME, "__Host-csrftoken")
        page = self.client.get(LOGIN_URL, secure=True)
        r = log_in(self.client, self.alice)
        for cookie in (
            page.cookies["__Host-csrftoken"],
            r.cookies["__Host-sessionid"],
        ):
            with self.subTest(cookie=cookie.key):
                self.assertIs(cookie["secure"], True)
                self.assertIs(cookie["httponly"], True)
                self.assertEqual(cookie["samesite"], "Lax")
                self.assertEqual(cookie["path"], "/")
                self.assertEqual(cookie["domain"], "")
