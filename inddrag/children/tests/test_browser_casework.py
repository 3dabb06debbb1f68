"""Issue 4's acceptance path in a real browser, as the caseworker Alice: open the caseload, sort
by overdue, open the overdue child, read the child's perspective, record a decision without a
recent child conversation (the reason is demanded), a child conversation with two statements,
a decision with the child heard, and hand the case over to a colleague. Also what the leader
sees of the same case, and the case page's timeline (filter, pages, the Back button).

Same set-up and checks as inddrag/accounts/tests/test_browser_login.py (axe WCAG 2.1 A/AA, no
sideways scrolling at 320 px, no console errors or CSP violations, screenshots in
/tmp/inddrag-screens/), at 1280 px and 320 px.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from inddrag.accounts.models import User
from inddrag.accounts.tests.test_browser_login import (
    WIDTHS,
    Visitor,
    World,
    close_db_connections_before_playwright_stops,  # noqa: F401  (autouse fixtures, see there)
    lift_append_only_for_flush,  # noqa: F401
    make_world,
    restore_append_only,  # noqa: F401
)
from inddrag.children.models import Assignment, Case, Handover
from inddrag.children.tests.test_timeline import add_decision, add_items
from inddrag.conversations.models import Conversation, Statement
from inddrag.decisions.models import Decision
from inddrag.municipalities.models import Membership
from inddrag.test import (
    make_conversation,
    make_decision,
    make_measure,
    make_member,
    make_network_member,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAID_BEFORE = "Jeg savner min hund, når jeg er hos plejefamilien."
KEPT_PRIVATE = "Jeg tør ikke sige det til min mor."


@dataclass
class Casework:
    """make_world(), plus: Dagmar was placed in a foster family 120 days ago and has not been
    heard since (the § 95 follow-up is 28 days overdue); she said something in a conversation
    before the placement. Bjørn was placed 100 days ago (8 days overdue). Carl is a caseworker
    in Team Vest too, to hand a case over to."""

    world: World
    dagmar: Case
    carl: User


def make_casework(today: date) -> Casework:
    world = make_world()
    _asta, bjorn, _clara, dagmar = world.cases
    make_measure(bjorn, kind="foster_care", started_on=today - timedelta(days=100))
    make_measure(dagmar, kind="foster_care", started_on=today - timedelta(days=120))
    make_conversation(
        dagmar, world.alice, SAID_BEFORE, KEPT_PRIVATE, held_on=today - timedelta(days=200)
    )
    Statement.objects.filter(text=KEPT_PRIVATE).update(sharing=Statement.Sharing.CASEWORKER)
    make_decision(dagmar, world.alice, decided_on=today - timedelta(days=190), child_heard=True)
    make_network_member(dagmar, name="Mette Fiktivsen", relation="mor")
    carl = make_member("carl", world.nordby, Membership.Role.CASEWORKER, world.vest)
    return Casework(world=world, dagmar=dagmar, carl=carl)


def assert_perspective_first(page: Page) -> None:
    """The child's perspective is the page's first section: before the facts and the timeline."""
    headings = page.locator("main h2")
    expect(headings.first).to_have_text("Barnets perspektiv")
    before_timeline = page.evaluate(
        """() => Boolean(document.querySelector("#perspective-heading")
            .compareDocumentPosition(document.querySelector("#timeline"))
            & Node.DOCUMENT_POSITION_FOLLOWING)"""
    )
    assert before_timeline


@pytest.mark.parametrize("width", WIDTHS)
def test_a_caseworker_hears_the_child_decides_and_hands_over(
    page: Page, live_server: LiveServer, width: int
) -> None:
    today = timezone.localdate()
    casework = make_casework(today)
    alice, dagmar = casework.world.alice, casework.dagmar
    visitor = Visitor(page, live_server, width)
    visitor.sign_in(alice)

    # The caseload, sorted by name first, then by overdue with the "Sortér efter" control.
    visitor.goto("/sager/?sort=name")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine børn")
    rows = page.locator("#case-results tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first.get_by_role("rowheader")).to_contain_text("Asta Andersen")
    visitor.check("casework-caseload-by-name")

    page.get_by_label("Sortér efter").select_option(label="Overskredne først")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]sort=overdue(&|$)"))
    expect(rows.nth(0).get_by_role("rowheader")).to_contain_text("Dagmar Fiktivsen")
    expect(rows.nth(1).get_by_role("rowheader")).to_contain_text("Bjørn Østergaard")
    # Overdue in words, not by colour alone; in view at 320 px too.
    overdue = rows.first.locator(".status-overdue")
    expect(overdue).to_have_text("Overskredet med 28 dage")
    expect(overdue).to_be_visible()
    expect(rows.nth(1).locator(".status-overdue")).to_have_text("Overskredet med 8 dage")
    expect(rows.nth(2).locator(".status-overdue")).to_have_count(0)
    visitor.check("casework-caseload-overdue")

    # The child's page: her own words first.
    rows.first.get_by_role("link", name="Dagmar Fiktivsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dagmar Fiktivsen")
    assert_perspective_first(page)
    perspective = page.get_by_role("region", name="Barnets perspektiv")
    expect(perspective.locator("blockquote").first).to_have_text(SAID_BEFORE)
    expect(perspective).to_contain_text(KEPT_PRIVATE)  # Alice is the caseworker: she sees it
    expect(perspective.get_by_text("Kun sagsbehandleren")).to_be_visible()
    visitor.check("casework-case")

    # A decision first: the latest conversation is 200 days old, so a reason is demanded.
    page.get_by_role("link", name="Ny afgørelse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny afgørelse eller indstilling")
    expect(page.locator("#heard-status")).to_contain_text("Barnet er ikke hørt")
    visitor.check("casework-decision-form")
    page.get_by_label("Hvad blev besluttet?").fill("Anbringelsen fortsætter")
    page.get_by_label("Barnets perspektiv").fill("»Jeg vil blive, hvis jeg må se min hund.«")
    page.get_by_label("Sådan fik barnet det at vide").fill("Telefonsamtale med Dagmar.")
    page.get_by_role("button", name="Gem afgørelsen").click()
    expect(page.get_by_role("alert")).to_contain_text("Afgørelsen er ikke gemt")
    reasons = page.get_by_role("group", name="Hvorfor er barnet ikke hørt?")
    expect(reasons).to_contain_text("Vælg hvorfor barnet ikke er hørt.")
    expect(reasons.get_by_role("radio").first).to_have_attribute("aria-invalid", "true")
    assert not Decision.objects.filter(title="Anbringelsen fortsætter").exists()
    visitor.check("casework-decision-reason-demanded")

    reasons.get_by_label("Barnet ønskede ikke en samtale").check()
    page.get_by_role("button", name="Gem afgørelsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anbringelsen fortsætter")
    expect(page.get_by_role("status")).to_have_text("Afgørelsen er gemt.")
    expect(page.locator("main")).to_contain_text("Barnet er ikke hørt før afgørelsen")
    expect(page.locator("main")).to_contain_text("Barnet ønskede ikke en samtale")
    first = Decision.objects.get(title="Anbringelsen fortsætter")
    assert (first.child_heard, first.not_heard_reason) == (False, "declined")
    visitor.check("casework-decision-not-heard")

    # Then a child conversation with two statements, each with what Dagmar agreed to share.
    page.get_by_role("link", name="Tilbage til Dagmar Fiktivsen").click()
    page.get_by_role("link", name="Ny børnesamtale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny børnesamtale")
    visitor.check("casework-conversation-form")
    page.get_by_label("Dato for samtalen").fill(today.isoformat())
    page.get_by_label("Sted", exact=True).fill("Hos plejefamilien")
    page.get_by_label("Samtale uden personale til stede").check()
    one = page.get_by_role("group", name="Udsagn 1")
    one.get_by_label("Barnets egne ord").fill("Jeg har det godt her, men jeg vil se min bror.")
    one.get_by_label("Må også deles med forældrene").check()
    two = page.get_by_role("group", name="Udsagn 2")
    two.get_by_label("Barnets egne ord").fill("Min lærer er sød.")
    two.get_by_label("Må stå i sagen").check()
    page.get_by_label("Din vurdering").fill("Dagmar er tryg i plejefamilien.")
    page.get_by_role("button", name="Gem samtalen").click()
    expect(page.get_by_role("status")).to_have_text("Samtalen er gemt.")
    expect(page.locator("blockquote")).to_have_text(
        ["»Jeg har det godt her, men jeg vil se min bror.«", "»Min lærer er sød.«"]
    )
    conversation = Conversation.objects.get(held_on=today)
    assert list(conversation.statements.values_list("sharing", flat=True)) == [
        "parents",
        "case_file",
    ]
    visitor.check("casework-conversation")

    # The case page shows her new words first.
    page.get_by_role("link", name="Tilbage til sagen").click()
    perspective = page.get_by_role("region", name="Barnets perspektiv")
    expect(perspective.locator("blockquote").first).to_have_text(
        "Jeg har det godt her, men jeg vil se min bror."
    )

    # A decision again: the child was heard today, so no reason is asked for.
    page.get_by_role("link", name="Ny afgørelse").click()
    expect(page.locator("#heard-status")).to_contain_text("barnet er hørt.")
    page.get_by_label("Hvad blev besluttet?").fill("Samvær med broren hver anden uge")
    page.get_by_label("Barnets perspektiv").fill("»Jeg vil se min bror.«")
    page.get_by_label("Sådan fik barnet det at vide").fill("Ved samtalen hos plejefamilien.")
    page.get_by_role("button", name="Gem afgørelsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Samvær med broren hver anden uge")
    expect(page.locator("main")).to_contain_text("Barnet er hørt")
    second = Decision.objects.get(title="Samvær med broren hver anden uge")
    assert (second.child_heard, second.not_heard_reason) == (True, "")
    visitor.check("casework-decision-heard")

    # The handover to Carl, with Dagmar's story in her own words.
    page.get_by_role("link", name="Tilbage til Dagmar Fiktivsen").click()
    page.get_by_role("link", name="Overdrag sagen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overdrag sagen om Dagmar Fiktivsen")
    visitor.check("casework-handover")
    page.get_by_label("Ny sagsbehandler").select_option(label="Carl Testesen, Team Vest")
    page.get_by_label("Barnets historie med barnets egne ord").fill(
        "Dagmar siger: »Jeg har det godt her, men jeg savner min hund og min bror.«"
    )
    page.get_by_role("button", name="Overdrag sagen").click()

    # A caseworker sees only her own children: Alice is back on her list, without Dagmar.
    expect(page).to_have_url(f"{live_server.url}/sager/")
    expect(page.get_by_role("status")).to_have_text("Sagen er overdraget til Carl Testesen.")
    expect(rows).to_have_count(3)
    expect(page.locator("#case-results")).not_to_contain_text("Dagmar")
    visitor.check("casework-handed-over")
    handover = Handover.objects.get(case=dagmar)
    assert (handover.from_caseworker, handover.to_caseworker, handover.written_by) == (
        alice,
        casework.carl,
        alice,
    )
    assert handover.child_story.startswith("Dagmar siger:")
    assert Assignment.objects.get(case=dagmar, ended_at__isnull=True).caseworker == casework.carl

    # And her old link to the case is a 404 now.
    response = page.goto(live_server.url + dagmar.get_absolute_url())
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Siden findes ikke")
    # Chromium reports the 404 response in the console; it is the page under test.
    assert len(visitor.problems) == 1, visitor.problems
    assert "status of 404" in visitor.problems.pop()
    visitor.check("casework-gone")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_leader_reads_the_case_but_does_not_record(
    page: Page, live_server: LiveServer, width: int
) -> None:
    casework = make_casework(timezone.localdate())
    visitor = Visitor(page, live_server, width)
    visitor.sign_in(casework.world.leo)
    visitor.goto("/sager/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Børn i Team Vest")
    page.get_by_role("link", name="Dagmar Fiktivsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dagmar Fiktivsen")
    assert_perspective_first(page)
    perspective = page.get_by_role("region", name="Barnets perspektiv")
    expect(perspective.locator("blockquote")).to_have_text([SAID_BEFORE])
    # What Dagmar said to her caseworker only is counted, not shown.
    expect(perspective).not_to_contain_text(KEPT_PRIVATE)
    expect(perspective).to_contain_text("1 udsagn kan kun ses af sagsbehandleren.")
    actions = page.get_by_role("navigation", name="Handlinger i sagen")
    expect(actions.get_by_role("link", name="Overdrag sagen")).to_be_visible()
    expect(page.get_by_role("link", name="Ny børnesamtale")).to_have_count(0)
    expect(page.get_by_role("link", name="Ny afgørelse")).to_have_count(0)
    visitor.check("casework-case-leader")


@pytest.mark.parametrize("width", WIDTHS)
def test_it_filters_pages_and_goes_back_in_the_timeline(
    page: Page, live_server: LiveServer, width: int
) -> None:
    """The timeline's filter and page links are htmx swaps with the URL pushed; the Back button
    brings the earlier filter and page back, with the whole page around it."""
    world = make_world()
    case = world.cases[0]
    add_items(case, 60, by=world.alice)
    add_decision(
        case,
        date(2024, 6, 1),
        by=world.alice,
        child_heard=False,
        not_heard_reason="urgency",
        title="Anbringelse <b>uden</b> samtykke",
    )
    make_conversation(
        case,
        world.alice,
        "Jeg vil gerne bo hos min moster, og jeg vil ikke skifte skole igen.",
        "Det er svært at sove.",
        held_on=date(2024, 7, 1),
    )
    make_network_member(case, name="Mette Andersen", relation="mor", phone="12345678")
    visitor = Visitor(page, live_server, width)
    visitor.sign_in(world.alice)
    visitor.goto(case.get_absolute_url())
    perspective_heading = page.get_by_role("heading", name="Barnets perspektiv")
    expect(perspective_heading).to_be_visible()
    visitor.check("timeline-case")

    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name="Afgørelser", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?kind=decisions$"))
    timeline = page.locator("#timeline")
    expect(timeline.locator(".timeline-item")).to_have_count(21)
    expect(page.get_by_role("link", name="Afgørelser", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    expect(page.locator("#timeline-heading")).to_be_focused()
    # The title is text, not markup.
    expect(timeline.get_by_text("Anbringelse <b>uden</b> samtykke")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    visitor.check("timeline-decisions")

    page.get_by_role("link", name="Alle", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?kind=all$"))
    page.get_by_role("link", name="Ældre").click()
    expect(page).to_have_url(re.compile(r"\?kind=all&page=2$"))
    expect(timeline).to_contain_text("Side 2 af")
    expect(page.get_by_role("link", name="Nyere")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    visitor.check("timeline-page-2")  # the pager fits at 320 px

    page.go_back()
    expect(page).to_have_url(re.compile(r"\?kind=all$"))
    expect(perspective_heading).to_be_visible()
    expect(timeline).to_contain_text("Side 1 af")
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?kind=decisions$"))
    expect(perspective_heading).to_be_visible()
    expect(timeline.locator(".timeline-item")).to_have_count(21)
    visitor.check("timeline-back")
