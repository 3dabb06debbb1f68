"""Issue 8's leader path in a real browser, at 1280 and 320 px: Leo opens his unit's dashboard,
chooses the last quarter, goes from "decisions without a heard child" to the cases behind it and
downloads them as CSV. Every chart has its table beside it.

Same checks on every page as inddrag/accounts/tests/test_browser_login.py (axe WCAG 2.1 A/AA, no
sideways scrolling, no console errors or CSP violations; screenshots in /tmp/inddrag-screens/).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from inddrag.accounts.tests.test_browser_login import (
    Visitor,
    close_db_connections_before_playwright_stops,  # noqa: F401  (autouse fixtures, see there)
    lift_append_only_for_flush,  # noqa: F401
    make_world,
    restore_append_only,  # noqa: F401
)
from inddrag.audit.models import AccessEvent
from inddrag.insights.forms import preset_period
from inddrag.insights.refresh import refresh_municipality
from inddrag.test import make_conversation, make_decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 320])
def test_dashboard_drill_down_and_export(page: Page, live_server: LiveServer, width: int) -> None:
    world = make_world()
    today = timezone.localdate()
    start, _end = preset_period("sidste-kvartal", today)
    in_quarter = start + timedelta(days=10)
    asta, bjorn = world.cases[0], world.cases[1]
    make_conversation(bjorn, world.alice, "Jeg vil bo hos far.", held_on=in_quarter)
    make_decision(bjorn, world.alice, decided_on=in_quarter, child_heard=True, not_heard_reason="")
    make_decision(asta, world.alice, decided_on=in_quarter, title="Aflastning hos plejefamilie")
    refresh_municipality(world.nordby.pk, today=today)

    leo = Visitor(page, live_server, width)
    leo.sign_in(world.leo)
    leo.goto("/sager/")
    page.get_by_role("link", name="Indsigt").click()
    page.get_by_label("Periode").select_option(label="Sidste kvartal")
    page.get_by_role("button", name="Vis tallene").click()
    # Every chart comes with its table.
    assert page.locator("main img").count() > 0
    assert page.locator("main table").count() >= page.locator("main img").count()
    leo.check(f"insights-dashboard-{width}")

    page.get_by_role("link", name="Se afgørelserne uden hørt barn").first.click()
    expect(page.get_by_role("row").filter(has_text="Asta Andersen")).to_be_visible()
    expect(page.get_by_text("Bjørn Østergaard")).to_have_count(0)
    leo.check(f"insights-cases-{width}")

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        text = exported.read()
    assert "Asta" in text and "Aflastning hos plejefamilie" in text and "Bjørn" not in text
    assert AccessEvent.objects.filter(action="export", user=world.leo).count() == 1
