"""Issue 8's reminder path in a real browser, at 1280 and 320 px: the daily computation finds a
letter Asta has not read; Alice sees the reminder in her inbox, opens it from the menu, dismisses
it and takes that back.

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
from inddrag.letters.models import Letter
from inddrag.reminders.compute import compute_reminders
from inddrag.reminders.models import Reminder
from inddrag.test import make_letter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 320])
def test_reminder_inbox_dismiss_and_undo(page: Page, live_server: LiveServer, width: int) -> None:
    world = make_world()
    asta = world.cases[0]
    letter = make_letter(asta, world.alice, sent=True)
    Letter.objects.filter(pk=letter.pk).update(sent_at=timezone.now() - timedelta(days=6))
    assert compute_reminders(world.nordby.pk, today=timezone.localdate()) == 1

    alice = Visitor(page, live_server, width)
    alice.sign_in(world.alice)
    alice.goto("/sager/")
    page.get_by_role("link", name="Påmindelser").click()
    expect(page.get_by_role("heading", name="1 påmindelse")).to_be_visible()
    row = page.get_by_role("row", name="Asta Andersen")
    expect(row.get_by_role("cell", name="Brev ikke læst", exact=True)).to_be_visible()
    alice.check(f"reminders-inbox-{width}")

    row.get_by_role("button", name="Afvis »Brev ikke læst« for Asta").click()
    expect(page.get_by_role("heading", name="0 påmindelser")).to_be_visible()
    expect(page.get_by_text("Du har ingen påmindelser.")).to_be_visible()
    alice.check(f"reminders-dismissed-{width}")
    assert Reminder.objects.get().dismissed_at is not None

    page.get_by_role("button", name="Fortryd").click()
    expect(page.get_by_role("heading", name="1 påmindelse")).to_be_visible()
    assert Reminder.objects.get().dismissed_at is None
    alice.check(f"reminders-undone-{width}")
