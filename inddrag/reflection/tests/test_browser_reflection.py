"""Issue 7's acceptance path in a real browser (1280 px): Alice saves a child conversation and
writes a reflection on it; Leo, her leader, plans a team session, adds a vignette built from
Asta's case — no name, CPR number, address or exact date of the child in it — and writes an
agreement that becomes a follow-up item; Ada adds a new caseworker to Team Vest, who then sees
her onboarding path.

Same checks on every page as inddrag/accounts/tests/test_browser_login.py (axe WCAG 2.1 A/AA, no
sideways scrolling, no console errors or CSP violations; screenshots in /tmp/inddrag-screens/).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from inddrag.accounts.models import User
from inddrag.accounts.tests.test_browser_login import (
    Visitor,
    close_db_connections_before_playwright_stops,  # noqa: F401  (autouse fixtures, see there)
    lift_append_only_for_flush,  # noqa: F401
    make_world,
    restore_append_only,  # noqa: F401
)
from inddrag.municipalities.models import Membership
from inddrag.reflection.models import FollowUp, Reflection, ReflectionModel, Vignette
from inddrag.test import make_network_member
from inddrag.training.models import Module

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HELD_ON = date(2025, 3, 4)


def visitor(browser: Browser, live_server: LiveServer, user: User) -> Visitor:
    """A browser of its own, signed in as `user`."""
    page = browser.new_context().new_page()
    signed_in = Visitor(page, live_server, 1280)
    signed_in.sign_in(user)
    return signed_in


def test_reflection_vignette_follow_up_and_onboarding(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    world = make_world()
    asta, alice = world.cases[0], world.alice
    make_network_member(asta, name="Mette Fiktivsen", relation="mor")
    # The defaults come with data migrations, which a transactional test's flush emptied.
    ReflectionModel.objects.create(
        use="personal",
        name="Efter samtalen",
        questions=[
            "Hvad sagde barnet, som betød mest?",
            "Hvordan sikrede jeg, at barnets perspektiv kom frem?",
            "Hvad vil jeg gøre anderledes næste gang?",
        ],
    )
    ReflectionModel.objects.create(
        use="team", name="Casevignetten", questions=["Hvad ser vi?", "Hvad gør vi nu?"]
    )
    Module.objects.create(
        title="Børnesamtalen", summary="Sådan taler du med barnet.", in_onboarding=True
    )
    Module.objects.create(
        title="At skrive til børn", summary="Korte breve.", in_onboarding=True, position=1
    )

    # Alice records a child conversation; the page offers her a reflection on it.
    staff = Visitor(page, live_server, 1280)
    staff.sign_in(alice)
    staff.goto(f"/samtaler/ny/{asta.code}/")
    page.get_by_label("Dato for samtalen").fill(HELD_ON.isoformat())
    page.get_by_label("Sted", exact=True).fill("Skolen")
    said = page.get_by_role("group", name="Udsagn 1")
    said.get_by_label("Barnets egne ord").fill("Jeg vil gerne bo hos mormor i weekenden.")
    said.get_by_label("Må stå i sagen").check()
    page.get_by_role("button", name="Gem samtalen").click()
    expect(page.get_by_text("Vil du reflektere over samtalen?")).to_be_visible()
    page.get_by_role("link", name="Skriv en refleksion").click()
    answers = page.locator("form textarea")
    answers.nth(0).fill("At hun vil se mormor, også når det er svært derhjemme.")
    answers.nth(1).fill("Jeg lod hende vælge, hvor vi skulle sidde.")
    answers.nth(2).fill("Jeg vil spørge, hvem der ikke må høre det.")
    page.get_by_label("Del med teamets refleksionsmøder").check()
    staff.check("reflection-form")
    page.get_by_role("button", name="Gem refleksionen").click()
    assert Reflection.objects.filter(author=alice, shared_with_team=True).count() == 1

    # Leo plans a team session with a vignette of Asta's case.
    leader = visitor(browser, live_server, world.leo)
    lp = leader.page
    leader.goto("/refleksion/moeder/")
    lp.get_by_role("link", name="Planlæg et teammøde").click()
    lp.get_by_label("Dato for mødet").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    lp.get_by_label("Emne").fill("Barnets stemme i samtalen")
    lp.get_by_label("Alice Testesen").check()
    leader.check("reflection-session-form")
    lp.get_by_role("button", name="Planlæg mødet").click()
    lp.get_by_role("link", name="Tilføj en case-vignet").click()
    lp.get_by_label("Sag").select_option(index=1)
    lp.get_by_role("button", name="Vis vignetten").click()
    preview = lp.locator(".vignette-text")
    expect(preview).to_be_visible()
    leader.check("reflection-vignette")
    text = preview.inner_text()
    child = asta.child
    for secret in [child.first_name, child.last_name, "Mette", "Fiktivsen", child.cpr]:
        assert secret not in text, (secret, text)
    assert f"{child.cpr[:6]}-{child.cpr[6:]}" not in text
    assert not re.search(r"\b\d{1,2}\. (januar|februar|marts|april|maj|juni)", text), text
    assert HELD_ON.isoformat() not in text and "4. marts 2025" not in text
    lp.get_by_role("button", name="Gem vignetten på mødet").click()
    vignette = Vignette.objects.get()
    assert child.first_name not in vignette.text

    # The session's agreement becomes a follow-up item with an owner and a date.
    lp.get_by_role("textbox", name="Aftale").fill(
        "Vi spørger altid barnet, hvem der ikke må høre det."
    )
    lp.get_by_label("Ansvarlig").select_option(label="Alice Testesen")
    lp.get_by_label("Frist").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    lp.get_by_role("button", name="Gem aftalen").click()
    expect(lp.locator(".follow-up-text").first).to_contain_text("Vi spørger altid barnet")
    leader.check("reflection-session")
    item = FollowUp.objects.get()
    assert (item.owner, item.session is not None) == (alice, True)

    # Ada adds a new caseworker to Team Vest; she sees her onboarding path.
    admin = visitor(browser, live_server, world.ada)
    ap = admin.page
    admin.goto("/konto/brugere/")
    ap.get_by_role("link", name="Tilføj en ny medarbejder").click()
    ap.get_by_label("Brugernavn").fill("nina")
    ap.get_by_label("Fornavn").fill("Nina")
    ap.get_by_label("Efternavn").fill("Testesen")
    ap.get_by_label("E-mail").fill("nina@example.com")
    ap.get_by_label("Enhed").select_option(label="Team Vest")
    admin.check("training-member-form")
    ap.get_by_role("button", name="Opret medarbejderen").click()
    admin.check("training-member-added")
    nina = User.objects.get(username="nina")
    assert Membership.objects.get(user=nina).unit == world.vest
    # Her own first login (password, then the QR enrolment) is tested in training's tests;
    # here she arrives with her authenticator set up.
    TOTPDevice.objects.create(user=nina, name="app", confirmed=True)
    newcomer = visitor(browser, live_server, nina)
    newcomer.goto("/uddannelse/introduktion/")
    expect(newcomer.page.get_by_text("Børnesamtalen").first).to_be_visible()
    expect(newcomer.page.get_by_text("At skrive til børn").first).to_be_visible()
    newcomer.check("training-onboarding")
    for signed_in in (staff, leader, admin, newcomer):
        signed_in.assert_no_problems()
