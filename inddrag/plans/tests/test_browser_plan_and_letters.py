"""Issue 6's acceptance path in a real browser: Alice (at her desk, 1280 px) builds Asta's plan
with two goals and approves it; Asta (on her phone, 320 px) proposes a third; Alice takes it into
the plan, changes a goal, approves version 2 and sees the difference; Asta sees version 2 and
checks in on a goal. Then Alice writes Asta a letter with a bureaucratic word (the panel shows
the plain alternative and the LIX) and sends it; Asta reads it and presses "ring til mig"; Alice
sees the task on the case page.

Same checks on every page as inddrag/accounts/tests/test_browser_login.py (axe WCAG 2.1 A/AA, no
sideways scrolling, no console errors or CSP violations; screenshots in /tmp/inddrag-screens/).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from inddrag.accounts.tests.test_browser_login import (
    Visitor,
    close_db_connections_before_playwright_stops,  # noqa: F401  (autouse fixtures, see there)
    lift_append_only_for_flush,  # noqa: F401
    make_world,
    restore_append_only,  # noqa: F401
)
from inddrag.letters.models import Letter, PlainWord
from inddrag.plans.models import GoalCheckIn, Plan
from inddrag.portal.models import ChildAccess, ChildMessage
from inddrag.portal.session import cookie_name
from inddrag.test import child_login, make_child_access

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHILD_GOAL = "Jeg vil gerne lære at svømme."


def child_phone(browser: Browser, live_server: LiveServer, access: ChildAccess) -> Visitor:
    """Asta's phone, signed in (the sign-in itself is tested in the child channel's path)."""
    client = Client()
    child_login(client, access)
    context = browser.new_context()
    context.add_cookies(
        [
            {
                "name": cookie_name(),
                "value": client.cookies[cookie_name()].value,
                "domain": live_server.thread.host,
                "path": "/",
                "secure": settings.SESSION_COOKIE_SECURE,  # the name is __Host- when secure
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    visitor = Visitor(context.new_page(), live_server, 320)
    visitor.page.set_viewport_size({"width": 320, "height": 740})
    return visitor


def add_goal(page: Page, area: str, words: str, description: str, who: str) -> None:
    page.get_by_role("link", name="Tilføj et mål").first.click()
    page.get_by_label("Område").select_option(label=area)
    page.get_by_label("Det vil jeg gerne (barnets egne ord)").fill(words)
    page.get_by_label("Din beskrivelse af målet").fill(description)
    page.get_by_label("Hvem gør hvad").fill(who)
    page.get_by_label("Følges op").fill((timezone.localdate() + timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Gem målet").click()


def approve(page: Page, number: int) -> None:
    page.get_by_role("link", name=f"Godkend version {number}").click()
    page.get_by_role("button", name=f"Ja, godkend version {number}").click()


def test_a_plan_in_the_childs_words_and_a_letter_the_child_can_ask_about(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    world = make_world()
    asta, alice = world.cases[0], world.alice
    access = make_child_access(asta, alice)
    # The default word list comes with a data migration, which a transactional test's flush
    # has emptied; the municipality's own list works the same way.
    PlainWord.objects.create(municipality=world.nordby, term="bevil*", plain="vi har sagt ja til")

    staff = Visitor(page, live_server, 1280)
    staff.sign_in(alice)
    staff.goto(asta.get_absolute_url())
    page.get_by_role("button", name="Lav barnets plan").click()
    add_goal(
        page,
        "Skole og dagtilbud",
        "Jeg vil gerne blive i min klasse.",
        "Støtte i klassen fire timer om ugen.",
        "Skolen sørger for en støttelærer.",
    )
    add_goal(
        page,
        "Fritid og venner",
        "Jeg vil gerne spille fodbold igen.",
        "En fast fritidsaktivitet med jævnaldrende.",
        "Kontaktpersonen følger med de første gange.",
    )
    staff.check("plan-draft")
    approve(page, 1)
    expect(page.get_by_text("Godkendt version")).to_be_visible()

    # Asta sees version 1 on her phone and proposes a goal of her own.
    child = child_phone(browser, live_server, access)
    kid = child.page
    child.goto("/barn/plan/")
    expect(kid.get_by_role("heading", level=1)).to_have_text("Min plan")
    expect(kid.locator(".child-goal-words").first).to_have_text(
        "»Jeg vil gerne blive i min klasse.«"
    )
    child.check("plan-child")
    kid.get_by_role("link", name="Foreslå et mål").click()
    kid.get_by_label("Det vil jeg gerne").fill(CHILD_GOAL)
    child.check("plan-child-propose")
    kid.get_by_role("button", name="Send til din sagsbehandler").click()
    child.check("plan-child-proposed")

    # Alice takes it into the plan, changes a goal, approves version 2 and compares.
    staff.goto(Plan.objects.get(case=asta).get_absolute_url())
    expect(page.get_by_text(CHILD_GOAL)).to_be_visible()
    page.get_by_role("link", name="Tag med i planen").click()
    page.get_by_label("Område").select_option(label="Fritid og venner")
    page.get_by_label("Din beskrivelse af målet").fill("Svømmeundervisning i svømmehallen.")
    page.get_by_label("Følges op").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Tag med i planen").click()
    page.get_by_role("link", name="Ret målet").first.click()
    page.get_by_label("Din beskrivelse af målet").fill(
        "Støtte i klassen fire timer om ugen, også i frikvartererne."
    )
    page.get_by_role("button", name="Gem målet").click()
    expect(page.get_by_text("Barnets forslag").first).to_be_visible()
    staff.check("plan-draft-2")
    approve(page, 2)
    page.get_by_role("link", name="Sammenlign versioner").click()
    expect(page.get_by_text("Tilføjet").first).to_be_visible()
    expect(page.get_by_text("Ændret").first).to_be_visible()
    staff.check("plan-compare")

    # Asta sees version 2, with her own goal marked, and checks in on a goal.
    child.goto("/barn/plan/")
    expect(kid.locator(".child-goal-words").filter(has_text=CHILD_GOAL)).to_be_visible()
    expect(kid.get_by_text("Dit forslag").first).to_be_visible()
    kid.get_by_role("link", name="Hvordan går det?").first.click()
    kid.get_by_role("radio", name="Godt", exact=True).check()
    child.check("plan-child-check-in")
    kid.get_by_role("button", name="Send").click()
    expect(kid.get_by_role("heading", level=1)).to_be_visible()
    child.check("plan-child-checked-in")
    assert GoalCheckIn.objects.filter(plan__case=asta, rating=4).count() == 1

    # A letter with a bureaucratic word: the panel gives the plain word and the LIX.
    staff.goto(asta.get_absolute_url())
    page.get_by_role("link", name="Skriv et brev").click()
    page.get_by_label("Overskrift").fill("Du får en kontaktperson")
    page.get_by_label("Tekst", exact=True).fill(
        "Hej Asta. Vi har bevilget en kontaktperson til dig. Hun hedder Sara. "
        "I ses hver tirsdag efter skole. Hilsen Alice."
    )
    page.get_by_role("button", name="Tjek teksten").click()
    panel = page.locator("#readability")
    expect(panel).to_contain_text("»bevilget«")
    expect(panel).to_contain_text("LIX")
    staff.check("letter-composer")
    page.get_by_role("button", name="Gem kladden").click()
    page.get_by_role("button", name="Send brevet til Asta").click()
    letter = Letter.objects.get(case=asta)
    assert letter.sent_at is not None

    # Asta reads it and asks to be called.
    child.goto("/barn/")
    kid.get_by_role("link", name="Du får en kontaktperson").click()
    expect(kid.get_by_text("Vi har bevilget en kontaktperson til dig.")).to_be_visible()
    child.check("letter-child")
    kid.get_by_role("button", name="Jeg forstår det ikke — ring til mig").click()
    child.check("letter-child-call-me")
    letter.refresh_from_db()
    assert letter.read_at is not None
    assert ChildMessage.objects.filter(kind="call_me", letter=letter).count() == 1

    # Alice sees the task on the case page.
    staff.goto(asta.get_absolute_url())
    expect(page.get_by_text("Du får en kontaktperson").first).to_be_visible()
    staff.check("letter-task")
    staff.assert_no_problems()
    child.assert_no_problems()
