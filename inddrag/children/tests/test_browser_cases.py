"""A caseworker's cases in a real browser: the list, searching it, a case page, revealing the
whole CPR number (an htmx swap), logging out; and the administrator's access log of it all.

Same set-up and checks as inddrag/accounts/tests/test_browser_login.py (axe WCAG 2.1 A/AA, no
sideways scrolling at 320 px, no console errors or CSP violations, screenshots in
/tmp/inddrag-screens/), at 1280 px and 320 px.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from inddrag.accounts.tests.test_browser_login import (
    WIDTHS,
    Visitor,
    close_db_connections_before_playwright_stops,  # noqa: F401  (autouse fixtures, see there)
    lift_append_only_for_flush,  # noqa: F401
    make_world,
    restore_append_only,  # noqa: F401
)
from inddrag.test import login, make_conversation, make_measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", WIDTHS)
def test_it_lists_searches_opens_reveals_and_logs_out(
    page: Page, live_server: LiveServer, width: int
) -> None:
    world = make_world()
    asta = world.cases[0].child
    visitor = Visitor(page, live_server, width)
    visitor.sign_in(world.alice)

    visitor.goto("/sager/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine børn")
    results = page.locator("#case-results")
    expect(results.get_by_role("heading")).to_have_text("4 børn")
    expect(results.locator("tbody tr")).to_have_count(4)
    expect(results.get_by_text("Adressebeskyttet")).to_have_count(1)
    visitor.check("case-list")

    # The search is an htmx POST that replaces the results, not the page.
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Søg på navn, sagsnummer eller CPR").fill("asta")
    page.get_by_role("button", name="Søg").click()
    expect(results.get_by_role("heading")).to_have_text("1 barn fundet")
    expect(results.get_by_role("heading")).to_be_focused()  # so a screen reader reads it out
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results.locator("tbody").get_by_role("link")).to_have_text("Asta Andersen")
    assert page.evaluate("window.notReloaded") is True
    visitor.check("case-list-search")

    page.get_by_label("Søg på navn, sagsnummer eller CPR").fill("findes ikke")
    page.get_by_role("button", name="Søg").click()
    expect(results.get_by_role("heading")).to_have_text("0 børn fundet")
    expect(results).to_contain_text("Ingen børn passer til din søgning.")

    page.get_by_label("Søg på navn, sagsnummer eller CPR").fill("asta")
    page.get_by_role("button", name="Søg").click()
    results.get_by_role("link", name="Asta Andersen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Asta Andersen")
    expect(page).to_have_url(f"{live_server.url}{world.cases[0].get_absolute_url()}")
    cpr = page.locator("#cpr")
    expect(cpr).to_have_text(re.compile(re.escape(asta.masked_cpr)))
    expect(page.locator("main")).not_to_contain_text(f"{asta.cpr[:6]}-{asta.cpr[6:]}")
    visitor.check("case-detail")

    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Vis hele CPR-nummeret").click()
    expect(cpr).to_have_text(f"{asta.cpr[:6]}-{asta.cpr[6:]}")
    expect(cpr.locator(".monospace")).to_be_focused()  # the button is gone; focus is not lost
    expect(page.get_by_role("button", name="Vis hele CPR-nummeret")).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True
    visitor.check("case-detail-cpr")

    page.get_by_role("button", name="Log ud").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log ind")
    expect(page.get_by_role("status")).to_have_text("Du er logget ud.")
    visitor.goto("/sager/")  # the session is gone
    expect(page.get_by_role("heading", level=1)).to_have_text("Log ind")
    visitor.assert_no_problems()


@pytest.mark.parametrize("width", WIDTHS)
def test_it_has_a_skip_link_on_the_case_page(
    page: Page, live_server: LiveServer, width: int
) -> None:
    world = make_world()
    visitor = Visitor(page, live_server, width)
    visitor.sign_in(world.alice)
    visitor.goto(world.cases[0].get_absolute_url())
    visitor.assert_skip_link_first()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Tilbage til oversigten")).to_be_focused()
    visitor.assert_no_problems()


@pytest.mark.parametrize("width", WIDTHS)
def test_it_shows_the_leader_the_units_cases(
    page: Page, live_server: LiveServer, width: int
) -> None:
    world = make_world()
    visitor = Visitor(page, live_server, width)
    visitor.sign_in(world.leo)
    visitor.goto("/sager/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Børn i Team Vest")
    expect(page.get_by_role("columnheader", name="Sagsbehandler")).to_be_visible()
    expect(page.locator("#case-results tbody tr")).to_have_count(4)
    visitor.check("case-list-leader")


@pytest.mark.parametrize("width", WIDTHS)
def test_it_sorts_and_filters_the_caseload(page: Page, live_server: LiveServer, width: int) -> None:
    """Issue 4, item 4: the overdue child first and unmistakable (text, bold, a shape); sorting
    by a column header and filtering are htmx swaps with the URL pushed, not page loads."""
    world = make_world()
    today = timezone.localdate()
    _asta, bjorn, clara, _dagmar = world.cases
    make_measure(clara, kind="foster_care", started_on=today - timedelta(days=100))
    make_conversation(bjorn, world.alice, "Jeg kan lide min skole.", held_on=today - timedelta(30))
    visitor = Visitor(page, live_server, width)
    visitor.sign_in(world.alice)
    visitor.goto("/sager/")
    rows = page.locator("#case-results tbody tr")
    expect(rows.first.get_by_role("rowheader")).to_contain_text("Clara Møller")
    expect(rows.first.get_by_role("rowheader")).to_contain_text("Overskredet med 8 dage")
    expect(rows.first.locator(".status-overdue")).to_be_visible()  # in view at 320 px too
    visitor.check("caseload-overdue")

    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name="Barn", exact=True).click()
    expect(page).to_have_url(re.compile(r"/sager/\?status=open&sort=name$"))
    expect(rows.first).to_contain_text("Asta Andersen")
    expect(page.get_by_role("columnheader", name="Barn")).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(page.locator("#results-heading")).to_be_focused()

    page.get_by_label("Frister").select_option("overdue")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page).to_have_url(re.compile(r"filter=overdue"))
    expect(rows).to_have_count(1)
    expect(page.locator("#results-heading")).to_have_text("1 barn")
    assert page.evaluate("window.notReloaded") is True
    visitor.check("caseload-filtered")


@pytest.mark.parametrize("width", WIDTHS)
def test_it_shows_the_access_log_to_the_administrator(
    page: Page, live_server: LiveServer, width: int
) -> None:
    world = make_world()
    case = world.cases[0]
    alice = Client()
    login(alice, world.alice)
    alice.get("/sager/")
    alice.get(case.get_absolute_url())
    alice.post(f"{case.get_absolute_url()}cpr/")

    visitor = Visitor(page, live_server, width)
    visitor.sign_in(world.ada)
    visitor.goto("/adgangslog/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Adgangslog")
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile("Asta Andersen"))).to_have_count(2)
    visitor.check("access-log")

    page.get_by_label("Brugernavn").fill("alice")
    page.get_by_role("button", name="Søg").click()
    # Alice's login, the list, the read of Asta's case and the revealed CPR number.
    expect(page.get_by_role("heading", level=2)).to_have_text("4 hændelser")
    visitor.check("access-log-search")
