"""Recording a decision in a real browser: without a child conversation the reason is demanded
(barnets lov § 5); with one, the date check (an htmx swap) says the child is heard. And the
administrator's due rules page. Same checks as inddrag/accounts/tests/test_browser_login.py
(axe WCAG 2.1 A/AA, no sideways scrolling at 320 px, no console errors or CSP violations,
screenshots in /tmp/inddrag-screens/), at 1280 px and 320 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
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
from inddrag.decisions.models import Decision, DueRules
from inddrag.decisions.tests.helpers import make_conversation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", WIDTHS)
def test_it_demands_a_reason_without_a_conversation(
    page: Page, live_server: LiveServer, width: int
) -> None:
    world = make_world()
    case = world.cases[0]
    visitor = Visitor(page, live_server, width)
    visitor.sign_in(world.alice)
    visitor.goto(f"/afgoerelser/ny/{case.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny afgørelse eller indstilling")
    expect(page.locator("#heard-status")).to_contain_text("Barnet er ikke hørt")
    visitor.check("decision-form")

    page.get_by_label("Hvad blev besluttet?").fill("Støtte i hjemmet fortsætter")
    # A long word (a pasted link, say) must wrap, not widen the page at 320 px.
    page.get_by_label("Barnets perspektiv").fill(
        "Asta siger: »Jeg vil gerne bo hjemme.« " + "x" * 120
    )
    page.get_by_label("Sådan fik barnet det at vide").fill("Ved et møde på skolen.")
    page.get_by_role("button", name="Gem afgørelsen").click()
    expect(page.get_by_role("alert")).to_contain_text("Afgørelsen er ikke gemt")
    group = page.get_by_role("group", name="Hvorfor er barnet ikke hørt?")
    expect(group).to_contain_text("Vælg hvorfor barnet ikke er hørt.")
    expect(group.get_by_role("radio").first).to_have_accessible_description(
        "Fejl: Der er ingen børnesamtale i de 92 dage før afgørelsen. "
        "Vælg hvorfor barnet ikke er hørt."
    )
    assert not Decision.objects.exists()
    visitor.check("decision-form-errors")

    group.get_by_label("Anden grund").check()
    page.get_by_label("Uddybning").fill("Barnet var indlagt.")
    page.get_by_role("button", name="Gem afgørelsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Støtte i hjemmet fortsætter")
    expect(page.get_by_role("status")).to_have_text("Afgørelsen er gemt.")
    expect(page.locator("main")).to_contain_text("Anden grund. Barnet var indlagt.")
    decision = Decision.objects.get()
    assert (decision.child_heard, decision.not_heard_reason) == (False, "other")
    visitor.check("decision-detail")


@pytest.mark.parametrize("width", WIDTHS)
def test_it_checks_the_date_for_a_conversation(
    page: Page, live_server: LiveServer, width: int
) -> None:
    world = make_world()
    case = world.cases[0]
    today = timezone.localdate()
    make_conversation(case, world.alice, today - timedelta(days=100))
    visitor = Visitor(page, live_server, width)
    visitor.sign_in(world.alice)
    visitor.goto(f"/afgoerelser/ny/{case.code}/")
    status = page.locator("#heard-status")
    expect(status).to_contain_text("Barnet er ikke hørt")

    page.evaluate("window.notReloaded = true")
    date_input = page.get_by_label("Dato for afgørelsen")
    date_input.fill((today - timedelta(days=30)).isoformat())
    date_input.dispatch_event("change")
    expect(status).to_contain_text("barnet er hørt.")
    assert page.evaluate("window.notReloaded") is True
    visitor.check("decision-form-heard")

    page.get_by_label("Hvad blev besluttet?").fill("Indstilling om anbringelse")
    page.get_by_label("Indstilling til Børne- og Ungeudvalget").check()
    page.get_by_label("Barnets perspektiv").fill("»Jeg vil bo hos min moster.«")
    page.get_by_label("Sådan fik barnet det at vide").fill("Telefonsamtale.")
    page.get_by_role("button", name="Gem afgørelsen").click()
    expect(page.locator("main")).to_contain_text("Barnet er hørt")
    decision = Decision.objects.get()
    assert decision.child_heard
    assert decision.kind == Decision.Kind.RECOMMENDATION
    visitor.assert_no_problems()


@pytest.mark.parametrize("width", WIDTHS)
def test_it_lets_the_administrator_adjust_the_due_rules(
    page: Page, live_server: LiveServer, width: int
) -> None:
    world = make_world()
    visitor = Visitor(page, live_server, width)
    visitor.sign_in(world.ada)
    visitor.goto("/afgoerelser/fristregler/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fristregler")
    expect(page.get_by_role("link", name="Fristregler")).to_have_attribute("aria-current", "page")
    visitor.check("due-rules")

    field = page.get_by_label("Børnesamtale før en afgørelse: højst antal dage før")
    field.fill("400")
    page.get_by_role("button", name="Gem fristreglerne").click()
    expect(field).to_have_accessible_description(
        "Barnets lov § 5: barnets synspunkter skal indhentes før en afgørelse. "
        "Standard: 92 dage (3 måneder). Fejl: Tallet må højst være 365."
    )
    visitor.check("due-rules-errors")

    field.fill("60")
    page.get_by_role("button", name="Gem fristreglerne").click()
    expect(page.get_by_role("status")).to_have_text("Fristreglerne er gemt.")
    assert DueRules.for_municipality(world.nordby).conversation_before_decision_days == 60
    visitor.assert_no_problems()
