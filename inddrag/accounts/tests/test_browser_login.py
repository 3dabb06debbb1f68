"""Staff login in a real browser: password, then the code from the authenticator app, and the
first-login enrolment with the QR code; plus the pages around it (lockouts, 403).

Debian's Chromium (see the root conftest.py) is driven by pytest-playwright against pytest-django's
live server, at a desktop width (1280 px) and the narrowest phone we support (320 px). Every page
is checked with axe-core (WCAG 2.1 A and AA: zero violations), for horizontal scrolling at 320 px,
and for console errors and CSP violations. Screenshots go to /tmp/inddrag-screens/.

The helpers here are shared with inddrag/children/tests/test_browser_cases.py.
"""

from __future__ import annotations

import re
from base64 import b32decode
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from inddrag.accounts.models import User
from inddrag.children.models import Case
from inddrag.municipalities.models import Membership, Municipality, Unit
from inddrag.test import (
    PASSWORD,
    current_token,
    login,
    make_case,
    make_member,
    make_municipality,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 320]
HEIGHT = 800
SCREENSHOTS = Path("/tmp/inddrag-screens")
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# axe is served to the page from its own origin (Playwright answers the request), so the page's
# CSP (script-src 'self') stays enforced while axe runs: no bypass_csp, no inline script.
AXE_PATH = "/__axe__/axe.min.js"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# Reported through the console, so that CSP violations fail the test like any console error.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


def _append_only_triggers(*, on: bool) -> None:
    append_only = import_module("inddrag.audit.migrations.0002_append_only")
    with connection.schema_editor(atomic=True) as editor:
        append_only.down(None, editor)
        if on:
            append_only.up(None, editor)


@pytest.fixture(autouse=True)
def lift_append_only_for_flush(transactional_db: None) -> Iterator[None]:
    """A transaction=True test ends by emptying every table, which the access log's triggers
    refuse (T6; on PostgreSQL even an empty table's TRUNCATE). The triggers are on while the test
    runs and off for the flush: this fixture depends on the database fixture, so its teardown
    runs first."""
    _append_only_triggers(on=True)
    yield
    _append_only_triggers(on=False)


@pytest.fixture(scope="module", autouse=True)
def restore_append_only(django_db_blocker: Any) -> Iterator[None]:
    """Turn the triggers back on after the module's last flush, for the tests that follow."""
    yield
    with django_db_blocker.unblock():
        _append_only_triggers(on=True)


@pytest.fixture(scope="session", autouse=True)
def close_db_connections_before_playwright_stops(playwright: Any) -> Iterator[None]:
    """Once Playwright runs, the tests' ORM calls use another database connection (Django keeps
    connections per context, and Playwright's sync API switches it). Close it while that context
    is current, or PostgreSQL refuses to drop the test database at the end."""
    yield
    connections.close_all()


@dataclass
class World:
    """Nordby Kommune: Alice (caseworker, Team Vest) with several cases, Leo leads Team Vest, Ada
    administers Nordby."""

    nordby: Municipality
    vest: Unit
    alice: User
    leo: User
    ada: User
    cases: list[Case]


def make_world() -> World:
    nordby = make_municipality("Nordby Kommune")
    vest = Unit.objects.create(municipality=nordby, name="Team Vest")
    alice = make_member("alice", nordby, Membership.Role.CASEWORKER, vest)
    cases = [
        make_case(vest, alice, first_name="Asta", last_name="Andersen"),
        make_case(vest, alice, first_name="Bjørn", last_name="Østergaard"),
        make_case(vest, alice, first_name="Clara", last_name="Møller", has_protected_address=True),
        make_case(vest, alice, first_name="Dagmar", last_name="Fiktivsen"),
    ]
    return World(
        nordby=nordby,
        vest=vest,
        alice=alice,
        leo=make_member("leo", nordby, Membership.Role.LEADER, vest),
        ada=make_member("ada", nordby, Membership.Role.ADMIN),
        cases=cases,
    )


class Visitor:
    """One test's page, with the checks every page must pass."""

    def __init__(self, page: Page, live_server: LiveServer, width: int) -> None:
        self.page = page
        self.url = live_server.url
        self.host = live_server.thread.host
        self.width = width
        self.problems: list[str] = []
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.add_init_script(CSP_LISTENER)
        page.route(f"**{AXE_PATH}", self._serve_axe)

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    @staticmethod
    def _serve_axe(route: Route) -> None:
        route.fulfill(path=str(AXE_SCRIPT), content_type="text/javascript")

    def goto(self, path: str) -> None:
        self.page.goto(self.url + path)

    def sign_in(self, user: User) -> None:
        """Start with a verified session (the login form itself is tested below)."""
        client = Client()
        login(client, user)
        self.page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "domain": self.host,
                    "path": "/",
                    "secure": settings.SESSION_COOKIE_SECURE,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )

    def check(self, name: str) -> None:
        """axe (zero WCAG 2.1 A/AA violations), no page-level horizontal scroll at 320 px, no
        console errors or CSP violations so far; and a full-page screenshot to look at."""
        page = self.page
        page.wait_for_load_state("load")
        page.add_script_tag(url=AXE_PATH)
        result = page.evaluate("async (options) => await axe.run(document, options)", AXE_OPTIONS)
        violations = result["violations"]
        assert not violations, f"axe on {name} at {self.width} px:\n{describe(violations)}"
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= self.width, (
            f"{name} scrolls sideways at {self.width} px: {scroll_width} px wide"
            f"\n{overflowing(page, self.width)}"
        )
        self.assert_no_problems()
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{self.width}.png"), full_page=True)

    def assert_no_problems(self) -> None:
        assert not self.problems, "\n".join(self.problems)

    def assert_skip_link_first(self) -> None:
        """The first Tab stop is the skip link, and following it puts focus on <main>."""
        page = self.page
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        expect(focused).to_have_text("Gå til sidens indhold")
        expect(focused).to_be_visible()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']}"
            f" ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def overflowing(page: Page, width: int) -> str:
    """The elements that stick out to the right: where to look when a page scrolls sideways."""
    found: list[str] = page.evaluate(
        """(width) => [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > width + 0.5)
            .filter((el) => !el.closest(".table-responsive"))
            .slice(0, 10)
            .map((el) => `${el.tagName} .${el.className}: ${el.getBoundingClientRect().right}`)""",
        width,
    )
    return "\n".join(found)


@pytest.mark.parametrize("width", WIDTHS)
def test_it_logs_in_with_password_and_code(page: Page, live_server: LiveServer, width: int) -> None:
    world = make_world()
    visitor = Visitor(page, live_server, width)
    visitor.goto("/sager/")
    expect(page).to_have_url(re.compile(r"/konto/login/\?next=/sager/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log ind")
    visitor.check("login")

    page.get_by_label("Brugernavn").fill("alice")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Fortsæt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skriv din engangskode")
    expect(page.get_by_label("Engangskode")).to_be_focused()
    visitor.check("code")

    page.get_by_label("Engangskode").fill(current_token(world.alice))
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine børn")
    expect(page).to_have_url(f"{live_server.url}/sager/")
    expect(page.locator("#case-results tbody tr")).to_have_count(4)
    visitor.assert_no_problems()


@pytest.mark.parametrize("width", WIDTHS)
def test_it_shows_errors_on_the_login_form(page: Page, live_server: LiveServer, width: int) -> None:
    make_world()
    visitor = Visitor(page, live_server, width)
    visitor.goto("/konto/login/")
    page.get_by_label("Brugernavn").fill("alice")
    page.get_by_label("Adgangskode").fill("wrong password")
    page.get_by_role("button", name="Fortsæt").click()
    expect(page.get_by_role("alert")).to_have_text("Brugernavnet eller adgangskoden er forkert.")
    visitor.check("login-error")

    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Fortsæt").click()
    page.get_by_label("Engangskode").fill("12345")
    page.get_by_role("button", name="Log ind").click()
    code = page.get_by_label("Engangskode")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(code).to_have_accessible_description(re.compile("Fejl: Koden har 6 cifre."))
    visitor.check("code-error")


@pytest.mark.parametrize("width", WIDTHS)
def test_it_enrols_an_authenticator_app_on_first_login(
    page: Page, live_server: LiveServer, width: int
) -> None:
    world = make_world()
    newbie = make_user("nina", with_device=False)
    Membership.objects.create(
        user=newbie, municipality=world.nordby, role=Membership.Role.CASEWORKER, unit=world.vest
    )
    visitor = Visitor(page, live_server, width)
    visitor.goto("/konto/login/")
    page.get_by_label("Brugernavn").fill("nina")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Fortsæt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilknyt din godkendelses-app")
    expect(page.get_by_role("img", name="QR-kode til godkendelses-app")).to_be_visible()
    visitor.check("enrol")

    # What someone without a camera does: type the key shown under the QR code into the app.
    key_text = page.get_by_text(re.compile(r"^Nøgle:")).inner_text()
    secret = b32decode(re.sub(r"[^A-Z2-7]", "", key_text.removeprefix("Nøgle:")))
    page.get_by_label("Engangskode").fill(f"{totp(secret):06d}")
    page.get_by_role("button", name="Tilknyt og log ind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine børn")
    expect(page.get_by_role("status")).to_have_text("Din godkendelses-app er nu tilknyttet.")
    assert TOTPDevice.objects.get(user=newbie).confirmed
    visitor.assert_no_problems()


@pytest.mark.parametrize("width", WIDTHS)
def test_it_has_a_skip_link_to_the_content(page: Page, live_server: LiveServer, width: int) -> None:
    world = make_world()
    visitor = Visitor(page, live_server, width)
    visitor.sign_in(world.alice)
    visitor.goto("/sager/")
    visitor.assert_skip_link_first()
    page.keyboard.press("Tab")  # from <main>, the next stop is the search field
    expect(page.get_by_label("Søg på navn, sagsnummer eller CPR")).to_be_focused()
    visitor.assert_no_problems()


@pytest.mark.parametrize("width", WIDTHS)
def test_it_shows_the_lockouts_page_to_the_leader(
    page: Page, live_server: LiveServer, width: int
) -> None:
    world = make_world()
    AccessAttempt.objects.create(
        username="alice",
        ip_address="192.0.2.10",
        user_agent="test",
        http_accept="text/html",
        path_info="/konto/login/",
        get_data="",
        post_data="",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )
    visitor = Visitor(page, live_server, width)
    visitor.sign_in(world.leo)
    visitor.goto("/konto/spaerringer/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Spærrede konti")
    expect(page.get_by_role("heading", level=2)).to_have_text("Alice Testesen (alice)")
    visitor.check("lockouts")

    page.get_by_role("button", name="Ophæv spærring").click()  # no reason given
    expect(page.get_by_label("Begrundelse")).to_have_attribute("aria-invalid", "true")
    visitor.check("lockouts-error")

    page.get_by_label("Begrundelse").fill("Alice glemte sin kode; talt med hende i telefon.")
    page.get_by_role("button", name="Ophæv spærring").click()
    expect(page.get_by_role("status")).to_have_text("Spærringen af alice er ophævet.")
    expect(page.get_by_text("Ingen konti i din kommune er spærret.")).to_be_visible()
    assert not AccessAttempt.objects.filter(username="alice").exists()
    visitor.assert_no_problems()


@pytest.mark.parametrize("width", WIDTHS)
def test_it_shows_a_helpful_403_page(page: Page, live_server: LiveServer, width: int) -> None:
    world = make_world()
    visitor = Visitor(page, live_server, width)
    visitor.sign_in(world.alice)
    response = page.goto(live_server.url + "/adgangslog/")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har ikke adgang til denne side")
    # Chromium reports the 403 response in the console; it is the page under test, not a problem.
    assert len(visitor.problems) == 1, visitor.problems
    assert "status of 403" in visitor.problems.pop()
    visitor.check("403")
