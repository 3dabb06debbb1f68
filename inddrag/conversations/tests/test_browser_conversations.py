"""A child conversation in a real browser: record one with two statements (adding a statement
form with htmx on the way), read it, edit it while someone else saves it, see the conflict and
save one's own version knowingly.

Same set-up and checks as inddrag/accounts/tests/test_browser_login.py (axe WCAG 2.1 A/AA, no
sideways scrolling at 320 px, no console errors or CSP violations, screenshots in
/tmp/inddrag-screens/), at 1280 px and 320 px.
"""

from __future__ import annotations

import re

import pytest
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
from inddrag.conversations import services
from inddrag.conversations.models import Conversation
from inddrag.municipalities.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", WIDTHS)
def test_it_records_reads_and_edits_a_conversation(
    page: Page, live_server: LiveServer, width: int
) -> None:
    world = make_world()
    case = world.cases[0]
    visitor = Visitor(page, live_server, width)
    visitor.sign_in(world.alice)

    visitor.goto(f"/samtaler/ny/{case.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny børnesamtale")
    statements = page.locator("#statements fieldset.statement")
    expect(statements).to_have_count(3)
    visitor.check("conversation-new")

    # "Tilføj et udsagn" is an htmx POST that replaces the statements only, keeping the text.
    page.evaluate("window.notReloaded = true")
    page.get_by_role("group", name="Udsagn 1").get_by_label("Barnets egne ord").fill(
        "Jeg vil gerne bo hos mormor <3"
    )
    page.get_by_role("button", name="Tilføj et udsagn").click()
    expect(statements).to_have_count(4)
    assert page.evaluate("window.notReloaded") is True
    expect(
        page.get_by_role("group", name="Udsagn 4").get_by_label("Barnets egne ord")
    ).to_be_focused()
    expect(
        page.get_by_role("group", name="Udsagn 1").get_by_label("Barnets egne ord")
    ).to_have_value("Jeg vil gerne bo hos mormor <3")

    page.get_by_label("Dato for samtalen").fill("2025-03-04")
    page.get_by_label("Sted", exact=True).fill("Skolen")
    page.get_by_label("Barnet havde en bisidder med").check()
    page.get_by_role("group", name="Udsagn 1").get_by_label("Må også deles med forældrene").check()
    second = page.get_by_role("group", name="Udsagn 4")
    second.get_by_label("Barnets egne ord").fill("Jeg er bange for far.")
    page.get_by_label("Din vurdering").fill("Asta er tydelig om, hvor hun vil bo.")
    page.get_by_role("button", name="Gem samtalen").click()
    expect(page.get_by_text("Vælg, hvem barnet har sagt ja til, må læse det.")).to_be_visible()
    visitor.check("conversation-new-error")
    page.get_by_role("group", name="Udsagn 4").get_by_label("Kun sagsbehandleren").check()
    page.get_by_role("button", name="Gem samtalen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Børnesamtale 4. marts 2025")
    expect(page.locator("blockquote")).to_have_text(
        ["»Jeg vil gerne bo hos mormor <3«", "»Jeg er bange for far.«"]
    )
    expect(page.get_by_text("Samtalen er gemt.")).to_be_visible()
    visitor.check("conversation-detail")

    # Alice opens the edit form; meanwhile a colleague's save makes it version 2.
    page.get_by_role("link", name="Ret samtalen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ret børnesamtale")
    visitor.check("conversation-edit")
    conversation = Conversation.objects.select_related("case__child").get()
    services.update_conversation(
        conversation,
        by=world.alice,
        membership=Membership.objects.get(user=world.alice),
        version=1,
        held_on=conversation.held_on,
        place="Hjemme",
        present="",
        had_bisidder=True,
        without_staff_present=False,
        assessment="Den andens vurdering.",
        statements=[("Den andens udgave.", "case_file")],
    )
    page.get_by_label("Din vurdering").fill("Min egen vurdering.")
    page.get_by_role("button", name="Gem samtalen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Samtalen er ændret, mens du skrev")
    expect(page.get_by_role("region", name="Den gemte udgave")).to_contain_text(
        "Den andens udgave."
    )
    expect(page.get_by_label("Din vurdering")).to_have_value("Min egen vurdering.")
    assert "status of 409 (Conflict)" in visitor.problems.pop()  # the page's status, as meant
    visitor.check("conversation-conflict")

    page.get_by_role("button", name="Gem min udgave alligevel").click()
    expect(page).to_have_url(re.compile(rf"/samtaler/{conversation.code}/$"))
    expect(page.get_by_text("Min egen vurdering.")).to_be_visible()
    expect(page.locator("blockquote")).to_have_count(2)
    assert Conversation.objects.get().version == 3
    visitor.assert_no_problems()
