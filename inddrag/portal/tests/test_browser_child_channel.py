"""Issue 5's acceptance path in a real browser on a phone (360×740 and 320 px): Alice invites
Asta to the child channel and plans a meeting; Asta signs in with the code and a new PIN,
prepares the meeting (one private and two shared answers), closes the browser half-way and finds
her draft again, sends it twice and gets one preparation; Alice sees only the shared answers and
writes "Det aftalte vi"; Asta answers "Følte du dig hørt?". Then Asta logs out: the site data is
cleared and Back shows no child data (T23).

Same checks on every page as inddrag/accounts/tests/test_browser_login.py: axe (zero WCAG 2.1
A/AA violations), no sideways scrolling, no console errors or CSP violations; screenshots in
/tmp/inddrag-screens/.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
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
from inddrag.audit.models import AccessEvent
from inddrag.conversations.models import Meeting, MeetingFeedback, MeetingPreparation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_HEIGHT = 740
SHARED_TOPIC = "Jeg vil gerne tale om at blive på mit fodboldhold."
SHARED_GOOD = "Det går godt i skolen. Jeg har fået en ny ven."
PRIVATE_HARD = "Jeg kan ikke sove, når de skændes om aftenen."
PIN = "2580"


def phone(browser: Browser, live_server: LiveServer, width: int, **context: object) -> Visitor:
    """A fresh browser (its own cookies) held like a phone."""
    page = browser.new_context(**context).new_page()  # type: ignore[arg-type]
    visitor = Visitor(page, live_server, width)
    page.set_viewport_size({"width": width, "height": PHONE_HEIGHT})
    return visitor


def answer_step(page: Page, text: str, *, shared: bool) -> None:
    page.get_by_label("Skriv her").fill(text)
    page.get_by_role("group", name="Må din sagsbehandler se det?").get_by_label(
        "Ja" if shared else "Nej, kun mig", exact=True
    ).check()


def assert_nothing_stored(page: Page) -> None:
    """T23: the child channel keeps nothing in the browser's storage."""
    stored = page.evaluate(
        "() => [localStorage.length, sessionStorage.length, indexedDB.databases ? 0 : 0]"
    )
    assert stored == [0, 0, 0], stored


@pytest.mark.parametrize("width", [360, 320])
def test_a_child_prepares_a_meeting_and_says_whether_she_felt_heard(
    page: Page, browser: Browser, live_server: LiveServer, width: int
) -> None:
    world = make_world()
    asta = world.cases[0]
    alice = world.alice

    # Alice, on her phone too: invite Asta and plan a meeting.
    staff = Visitor(page, live_server, width)
    page.set_viewport_size({"width": width, "height": PHONE_HEIGHT})
    staff.sign_in(alice)
    staff.goto(asta.get_absolute_url())
    page.get_by_role("link", name="Koder og indstillinger").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Barnets adgang til Inddrag")
    page.get_by_role("button", name="Lav en ny kode").click()
    code = page.locator(".invitation-code").first.inner_text()
    assert len(code.replace("-", "")) == 10, code
    staff.check("child-invitation")

    staff.goto(asta.get_absolute_url())
    page.get_by_role("link", name="Planlæg et møde").click()
    page.get_by_label("Børnesamtale").check()
    day = timezone.localdate() + timedelta(days=5)
    page.get_by_label("Dato").fill(day.isoformat())
    page.get_by_label("Klokkeslæt").fill("14:30")
    page.get_by_label("Sted", exact=True).fill("Skolen, lokale 12")
    staff.check("child-meeting-form")
    page.get_by_role("button", name="Planlæg mødet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Børnesamtale")
    meeting = Meeting.objects.get(case=asta)

    # Asta, on her own phone: the code from the letter and a PIN of her own.
    child = phone(browser, live_server, width)
    kid = child.page
    child.goto("/barn/")
    expect(kid).to_have_url(f"{live_server.url}/barn/pin/?next=/barn/")
    child.check("child-no-device")
    kid.get_by_role("link", name="kode").first.click()
    expect(kid.get_by_role("heading", level=1)).to_have_text("Kom i gang med Inddrag")
    child.check("child-redeem")
    kid.get_by_label("Koden fra dit brev").fill(code.lower())
    kid.get_by_label("Vælg en pinkode").fill(PIN)
    kid.get_by_label("Skriv pinkoden igen").fill(PIN)
    kid.get_by_role("button", name="Start").click()
    expect(kid.get_by_role("heading", level=1)).to_have_text("Hej Asta")
    child.check("child-home")

    # Prepare: two shared answers and one private, then the browser is closed half-way.
    kid.get_by_role("link", name="Se mødet og forbered dig").click()
    child.check("child-meeting")
    kid.get_by_role("link", name="Forbered mødet").click()
    answer_step(kid, SHARED_TOPIC, shared=True)
    child.check("child-prepare-step-1")
    kid.get_by_role("button", name="Næste").click()
    answer_step(kid, SHARED_GOOD, shared=True)
    kid.get_by_role("button", name="Næste").click()
    answer_step(kid, PRIVATE_HARD, shared=False)
    child.check("child-prepare-step-3")
    kid.get_by_role("button", name="Næste").click()
    expect(kid.locator(".prep-progress")).to_have_text("Spørgsmål 4 af 7")
    assert_nothing_stored(kid)
    cookies = kid.context.storage_state()
    kid.context.close()

    # The same phone, the browser opened again: the draft is there, and she goes on.
    child = phone(browser, live_server, width, storage_state=cookies)
    kid = child.page
    child.goto(f"/barn/moeder/{meeting.code}/forbered/")
    expect(kid.locator(".prep-progress")).to_have_text("Spørgsmål 4 af 7")
    kid.get_by_role("link", name="Se dine svar").click()
    expect(kid.get_by_text(SHARED_TOPIC)).to_be_visible()
    expect(kid.get_by_text(PRIVATE_HARD)).to_be_visible()
    child.check("child-prepare-overview")

    # Sent twice (a double tap): one preparation.
    kid.get_by_role("button", name="Send til din sagsbehandler").dblclick()
    expect(kid.get_by_role("heading", level=1)).to_be_visible()
    kid.wait_for_load_state("load")
    child.check("child-prepare-sent")
    assert MeetingPreparation.objects.filter(meeting=meeting).count() == 1
    assert MeetingPreparation.objects.get(meeting=meeting).submitted_at is not None

    # Alice sees what Asta shared, never the private answer.
    staff.goto(meeting.get_absolute_url())
    expect(page.get_by_text(SHARED_TOPIC)).to_be_visible()
    expect(page.get_by_text(SHARED_GOOD)).to_be_visible()
    assert PRIVATE_HARD not in page.content()
    staff.check("child-meeting-staff")

    # The meeting took place; Alice records it, then writes what they agreed, for Asta.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    staff.goto(meeting.get_absolute_url())
    page.get_by_role("link", name="Registrér eller aflys mødet").click()
    page.get_by_label("Referat til sagen").fill("Asta var med og sagde selv, hvad hun ønskede.")
    staff.check("child-meeting-record")
    page.get_by_role("button", name="Gem: mødet er holdt").click()
    page.get_by_role("link", name="Det aftalte vi").click()
    page.get_by_label("Det aftalte vi").fill(
        "Du bliver på dit fodboldhold. Vi taler med din træner om kørsel. Vi ses igen i maj."
    )
    page.get_by_role("button", name="Tjek teksten").click()
    expect(page.get_by_text("LIX 12: meget let.")).to_be_visible()
    staff.check("child-summary-form")
    page.get_by_role("button", name="Gem og vis til barnet").click()
    expect(page.get_by_text("Du bliver på dit fodboldhold.")).to_be_visible()

    # Asta reads it and answers.
    child.goto(f"/barn/moeder/{meeting.code}/")
    expect(kid.get_by_text("Du bliver på dit fodboldhold.")).to_be_visible()
    child.check("child-summary")
    kid.get_by_role("link", name="Følte du dig hørt? Svar her").click()
    kid.get_by_role("group", name="Følte du dig hørt?").get_by_label("For det meste").check()
    kid.get_by_role("group", name="Forstod du, hvad der blev besluttet?").get_by_label(
        "Helt"
    ).check()
    kid.get_by_label("Vil du sige mere?").fill("Det var godt, at jeg selv måtte vælge stedet.")
    child.check("child-feedback-form")
    kid.get_by_role("button", name="Send dit svar").click()
    expect(kid.get_by_role("heading", level=1)).to_be_visible()
    child.check("child-feedback-thanks")
    feedback = MeetingFeedback.objects.get(meeting=meeting)
    assert (feedback.felt_heard, feedback.understood) == (4, 5)
    assert AccessEvent.objects.filter(role="child", action="read").exists()

    # Logging out clears the site's data, and Back shows no child data (T23).
    child.goto("/barn/")
    with kid.expect_response(lambda r: r.url.endswith("/barn/log-ud/")) as logout:
        kid.get_by_role("button", name="Log ud af denne telefon").click()
    assert logout.value.all_headers().get("clear-site-data") == '"cache", "cookies", "storage"'
    child.check("child-logged-out")
    kid.go_back()
    kid.wait_for_load_state("load")
    assert "Hej Asta" not in kid.content()
    assert_nothing_stored(kid)
    child.assert_no_problems()
    staff.assert_no_problems()
