from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.children.models import Case
from inddrag.portal.models import ChildAccess, ChildMessage, DeviceSession
from inddrag.test import BaseTestCase, child_login, make_child_access, make_child_message

MESSAGE = reverse("portal:message")
BISIDDER = reverse("portal:bisidder")
MESSAGES = reverse("portal:messages")
ABOUT_ME = reverse("portal:about_me")
SIMPLE = reverse("portal:simple_mode")
HOME = reverse("portal:home")
CPH = ZoneInfo("Europe/Copenhagen")
Action = AccessEvent.Action
Kind = ChildMessage.Kind


class MessagesTestCase(BaseTestCase):
    """What the child sends and reads (issue 5, point 2): "Sig din mening" and "Jeg vil gerne
    have en bisidder" sent once per form (T20) with a receipt that names the answer day; "Mine
    beskeder" with the answers; "Det skal du vide om mig"; the simple mode. Only the child's own
    (T1), only with a child session (T2), every read and change logged (T5)."""

    def setUp(self) -> None:
        self.access = make_child_access(self.case_a, self.alice)
        child_login(self.client, self.access)

    def send(
        self, url: str = MESSAGE, text: str = "Jeg vil gerne bo hos min far.", **data: Any
    ) -> Any:
        """Post a form of the child channel with a fresh one-time token unless given."""
        data.setdefault("submit_token", str(uuid.uuid4()))
        return self.client.post(url, {"text": text, **data})

    def events(self, response: Any) -> list[AccessEvent]:
        return list(AccessEvent.objects.filter(request_id=response["X-Request-ID"]))

    # --- Sig din mening -----------------------------------------------------------------------

    def test_it_shows_the_form_with_a_one_time_token(self) -> None:
        r = self.client.get(MESSAGE)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "<h1>Sig din mening</h1>", html=True)
        self.assertContains(r, "Din sagsbehandler svarer dig inden for 2 hverdage.")
        self.assertContains(r, 'name="submit_token"')
        self.assertContains(r, '<label class="form-label" for="id_text">Din besked</label>')
        token = r.context["form"]["submit_token"].value()
        self.assertNotEqual(token, self.client.get(MESSAGE).context["form"]["submit_token"].value())
        [event] = self.events(r)
        self.assertEqual((event.action, event.role), (Action.READ, "child"))

    def test_it_sends_a_message_and_shows_the_receipt(self) -> None:
        """Friday 15:00: two working days are Monday and Tuesday, so "senest tirsdag"."""
        with time_machine.travel(datetime(2026, 3, 6, 15, 0, tzinfo=CPH), tick=False):
            child_login(self.client, self.access)
            r = self.send(text="Jeg vil gerne bo hos min far.")
            message = ChildMessage.objects.get()
            self.assertRedirects(
                r, f"{MESSAGE}?kvittering={message.code}", fetch_redirect_response=False
            )
            self.assertEqual(
                (message.kind, message.text, message.case, message.child),
                (Kind.MESSAGE, "Jeg vil gerne bo hos min far.", self.case_a, self.case_a.child),
            )
            self.assertEqual(message.sent_at, timezone.now())
            self.assertIsNone(message.answered_at)
            [created] = self.events(r)
            self.assertEqual(created.action, Action.CREATE)
            self.assertEqual(created.username, f"barn:{self.access.code}")
            self.assertEqual(created.object_code, str(message.code))
            r = self.client.get(r["Location"])
        self.assertContains(
            r, "Din sagsbehandler har fået din besked og svarer inden for 2 hverdage."
        )
        self.assertContains(r, "Du får svar senest tirsdag 10. marts.")
        self.assertContains(r, "Jeg vil gerne bo hos min far.")
        [read] = self.events(r)
        self.assertEqual((read.action, read.object_code), (Action.READ, str(message.code)))

    def test_it_names_the_answer_day_after_easter(self) -> None:
        """Wednesday before Easter 2026: skærtorsdag to 2. påskedag do not count."""
        with time_machine.travel(datetime(2026, 4, 1, 10, 0, tzinfo=CPH), tick=False):
            child_login(self.client, self.access)
            r = self.client.get(self.send()["Location"])
        self.assertContains(r, "Du får svar senest onsdag 8. april.")

    def test_it_sends_once_per_form(self) -> None:
        """T20: the same form sent again (a double tap, a reload, a retry after the answer got
        lost) makes no second message; every answer points to the same one."""
        token = str(uuid.uuid4())
        first = self.send(submit_token=token)
        second = self.send(submit_token=token)
        third = self.send(submit_token=token, text="Noget andet")  # the same form, edited
        message = ChildMessage.objects.get()
        self.assertEqual(first["Location"], f"{MESSAGE}?kvittering={message.code}")
        self.assertEqual(second["Location"], first["Location"])
        self.assertEqual(third["Location"], first["Location"])
        self.assertEqual(message.text, "Jeg vil gerne bo hos min far.")
        self.assertEqual(AccessEvent.objects.filter(action=Action.CREATE).count(), 1)
        # A new form has a new token and sends a new message.
        self.send(submit_token=str(uuid.uuid4()))
        self.assertEqual(ChildMessage.objects.count(), 2)

    def test_it_refuses_a_token_from_another_kind_of_form(self) -> None:
        """A token already used by "Sig din mening" cannot make "Jeg vil gerne have en
        bisidder" return that message: a tampered form, 400, nothing new."""
        token = str(uuid.uuid4())
        self.send(submit_token=token)
        r = self.send(BISIDDER, submit_token=token)
        self.assertEqual(r.status_code, 400)
        self.assertEqual(ChildMessage.objects.count(), 1)

    def test_it_checks_the_text(self) -> None:
        for text, error in [
            ("", "Skriv din besked, før du sender den."),
            ("   ", "Skriv din besked, før du sender den."),
            ("<script>alert(1)</script>", "Skriv teksten uden HTML-koder"),
            ("x" * 3001, "Skriv højst 3000 tegn (nu er der 3001)."),
        ]:
            with self.subTest(text=text[:20]):
                r = self.send(text=text)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, error)
                self.assertContains(r, 'aria-invalid="true"')
        self.assertFalse(ChildMessage.objects.exists())
        self.assertFalse(AccessEvent.objects.filter(action=Action.CREATE).exists())
        # 3000 characters and a child's "<3" are fine.
        self.assertEqual(self.send(text="x" * 2998 + "<3").status_code, 302)

    def test_it_asks_a_stale_page_to_reload(self) -> None:
        r = self.client.post(MESSAGE, {"text": "Hej"})
        self.assertContains(r, "Siden er for gammel. Hent den igen, og prøv igen.")
        r = self.client.post(MESSAGE, {"text": "Hej", "submit_token": "ikke-en-kode"})
        self.assertContains(r, "Siden er for gammel.")
        self.assertFalse(ChildMessage.objects.exists())

    def test_it_sends_nothing_without_an_open_case(self) -> None:
        """A child whose case is closed is told kindly that nobody reads messages here now."""
        Case.objects.filter(pk=self.case_a.pk).update(status="closed", closed_on=timezone.now())
        r = self.client.get(MESSAGE)
        self.assertContains(r, "Du har ikke en sagsbehandler lige nu")
        self.assertNotContains(r, "submit_token")
        r = self.send()
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "vi har ikke sendt noget")
        self.assertFalse(ChildMessage.objects.exists())
        r = self.client.get(BISIDDER)
        self.assertContains(r, "Du har ikke en sagsbehandler lige nu")

    def test_it_sends_to_the_newest_open_case(self) -> None:
        newer = Case.objects.create(
            municipality=self.nordby,
            unit=self.vest,
            child=self.case_a.child,
            reference="T-NY",
            opened_on=self.case_a.opened_on + timedelta(days=30),
        )
        self.send()
        self.assertEqual(ChildMessage.objects.get().case, newer)

    # --- The receipt: the child's own only (T1) -----------------------------------------------

    def test_it_refuses_another_childs_receipt(self) -> None:
        """T1: a receipt link of Aksel's message, or a made-up one, is a logged 404."""
        other = make_child_message(self.case_a2, text="Aksels besked")
        for code in [str(other.code), str(uuid.uuid4()), "noget-andet"]:
            with self.subTest(code=code):
                r = self.client.get(MESSAGE, {"kvittering": code})
                self.assertEqual(r.status_code, 404)
                self.assertNotContains(r, "Aksel", status_code=404)
                [denied] = self.events(r)
                self.assertEqual((denied.action, denied.role), (Action.DENIED, "child"))
        # Asta's own message of another kind is not a receipt of this page either.
        own = make_child_message(self.case_a, kind=Kind.BISIDDER)
        self.assertEqual(self.client.get(MESSAGE, {"kvittering": str(own.code)}).status_code, 404)
        self.assertEqual(self.client.get(BISIDDER, {"kvittering": str(own.code)}).status_code, 200)

    # --- Jeg vil gerne have en bisidder -------------------------------------------------------

    def test_it_explains_what_a_bisidder_is(self) -> None:
        r = self.client.get(BISIDDER)
        self.assertContains(r, "<h1>Jeg vil gerne have en bisidder</h1>", html=True)
        self.assertContains(r, "En bisidder er en voksen, du stoler på.")
        self.assertContains(r, "Det er dig, der vælger, hvem det skal være.")
        self.assertContains(r, "Er der en, du gerne vil have med?")
        self.assertContains(r, "(frivillig)")

    def test_it_sends_a_wish_for_a_bisidder_with_or_without_a_name(self) -> None:
        r = self.send(BISIDDER, text="")
        first = ChildMessage.objects.get()
        self.assertEqual((first.kind, first.text), (Kind.BISIDDER, ""))
        self.assertRedirects(
            r, f"{BISIDDER}?kvittering={first.code}", fetch_redirect_response=False
        )
        r = self.client.get(r["Location"])
        self.assertContains(r, "Din sagsbehandler har fået dit ønske om en bisidder")
        self.send(BISIDDER, text="Min træner Jens")
        self.assertEqual(ChildMessage.objects.filter(kind=Kind.BISIDDER).count(), 2)
        self.assertEqual(
            ChildMessage.objects.latest("pk").text,
            "Min træner Jens",
        )

    # --- Mine beskeder ------------------------------------------------------------------------

    def test_it_lists_my_messages_newest_first_with_the_answers(self) -> None:
        now = timezone.now()
        make_child_message(self.case_a, text="Den første", sent_at=now - timedelta(days=9))
        make_child_message(
            self.case_a,
            text="Den anden",
            sent_at=now - timedelta(days=5),
            answer="Tak, vi taler om det på fredag.",
            answered_at=now - timedelta(days=4),
            answered_by=self.alice,
        )
        make_child_message(self.case_a, kind=Kind.UNSAFE, text="", sent_at=now - timedelta(hours=2))
        make_child_message(self.case_a2, text="Aksels besked")  # T1: not Asta's
        r = self.client.get(MESSAGES)
        self.assertEqual(r.status_code, 200)
        body = r.content.decode()
        self.assertLess(body.index("Du følte dig ikke tryg"), body.index("Den anden"))
        self.assertLess(body.index("Den anden"), body.index("Den første"))
        self.assertContains(r, "Svar fra Alice Testesen")
        self.assertContains(r, "Tak, vi taler om det på fredag.")
        self.assertContains(r, "Ikke besvaret endnu", count=2)
        # The first is nine days old: late, said plainly instead of a date in the past.
        self.assertContains(r, "Din sagsbehandler er sent på den med svaret.", count=1)
        self.assertNotContains(r, "Aksel")
        [event] = self.events(r)
        self.assertEqual((event.action, event.criterion), (Action.LIST, "portal messages page=1"))
        self.assertEqual(event.child, self.case_a.child)

    def test_it_pages_my_messages_twenty_at_a_time(self) -> None:
        now = timezone.now()
        for n in range(25):
            make_child_message(
                self.case_a, text=f"Besked nummer {n:02d}", sent_at=now - timedelta(n)
            )
        r = self.client.get(MESSAGES)
        self.assertEqual(len(r.context["items"]), 20)
        self.assertContains(r, "Besked nummer 00")
        self.assertNotContains(r, "Besked nummer 20")
        self.assertContains(r, 'href="?page=2"')
        r = self.client.get(MESSAGES, {"page": "2"})
        self.assertEqual(len(r.context["items"]), 5)
        self.assertContains(r, "Besked nummer 24")
        self.assertContains(r, "Nyere beskeder")

    def test_it_lists_my_messages_in_constant_queries(self) -> None:
        """House style rule 26: one message or twenty with answers cost the same."""
        # 1 device session, 2 count, 3 the page with the answering caseworkers,
        # 4-8 the access event (savepoint, lock, insert, move, release).
        make_child_message(
            self.case_a, answer="Svar", answered_at=timezone.now(), answered_by=self.alice
        )
        self.client.get(MESSAGES)  # warm up: the municipality's first access event
        with self.assertNumQueries(8):
            self.client.get(MESSAGES)
        for _ in range(20):
            make_child_message(
                self.case_a, answer="Svar", answered_at=timezone.now(), answered_by=self.anna
            )
        with self.assertNumQueries(8):
            self.client.get(MESSAGES)

    def test_it_shows_the_empty_state(self) -> None:
        r = self.client.get(MESSAGES)
        self.assertContains(r, "Du har ikke skrevet til din sagsbehandler endnu.")
        self.assertContains(r, f'href="{MESSAGE}"')

    # --- Det skal du vide om mig --------------------------------------------------------------

    def test_it_saves_what_i_want_a_new_caseworker_to_know(self) -> None:
        r = self.client.get(ABOUT_ME)
        self.assertContains(r, "<h1>Det skal du vide om mig</h1>", html=True)
        [read] = self.events(r)
        self.assertEqual((read.action, read.object_code), (Action.READ, str(self.access.code)))
        with time_machine.travel(datetime(2026, 5, 4, 12, 0, tzinfo=CPH), tick=False):
            child_login(self.client, self.access)
            r = self.client.post(ABOUT_ME, {"about_me": "Jeg kan lide at tegne.\nTal langsomt."})
            self.assertRedirects(r, ABOUT_ME, fetch_redirect_response=False)
            [update] = self.events(r)
        self.access.refresh_from_db()
        self.assertEqual(self.access.about_me, "Jeg kan lide at tegne.\nTal langsomt.")
        self.assertEqual(self.access.about_me_updated_at, datetime(2026, 5, 4, 12, 0, tzinfo=CPH))
        self.assertEqual((update.action, update.role), (Action.UPDATE, "child"))
        self.assertEqual(update.object_code, str(self.access.code))
        child_login(self.client, self.access)  # back from the travel in time
        r = self.client.get(ABOUT_ME)
        self.assertContains(r, "Det er gemt. Din sagsbehandler kan læse det.")
        self.assertContains(r, "Jeg kan lide at tegne.")
        self.assertContains(r, "Sidst ændret 4. maj 2026")
        # The caseworker reads it on the case page.
        self.login(self.alice)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, "Det skal du vide om mig (skrevet af barnet)")
        self.assertContains(r, "Jeg kan lide at tegne.<br>Tal langsomt.")

    def test_it_checks_about_me(self) -> None:
        for text, error in [
            ("<b>fed</b>", "Skriv teksten uden HTML-koder"),
            ("x" * 3001, "Skriv højst 3000 tegn"),
        ]:
            with self.subTest(text=text[:10]):
                r = self.client.post(ABOUT_ME, {"about_me": text})
                self.assertContains(r, error)
        self.access.refresh_from_db()
        self.assertEqual(self.access.about_me, "")
        self.assertFalse(AccessEvent.objects.filter(action=Action.UPDATE).exists())

    def test_it_clears_about_me(self) -> None:
        ChildAccess.objects.filter(pk=self.access.pk).update(about_me="Noget")
        self.client.post(ABOUT_ME, {"about_me": ""})
        self.access.refresh_from_db()
        self.assertEqual(self.access.about_me, "")
        self.login(self.alice)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertNotContains(r, "skrevet af barnet")

    # --- Simple mode --------------------------------------------------------------------------

    def test_it_switches_the_simple_mode(self) -> None:
        r = self.client.post(SIMPLE, {"simple_mode": "on"})
        self.assertRedirects(r, HOME, fetch_redirect_response=False)
        self.access.refresh_from_db()
        self.assertTrue(self.access.simple_mode)
        [update] = self.events(r)
        self.assertEqual((update.action, update.role), (Action.UPDATE, "child"))
        # Sent twice: nothing changes the second time, and nothing more is logged.
        r = self.client.post(SIMPLE, {"simple_mode": "on"})
        self.assertEqual(self.events(r), [])
        # Every page of mine says "Læs op" now, and loads the script.
        for url in [HOME, MESSAGE, BISIDDER, MESSAGES, ABOUT_ME, reverse("portal:unsafe")]:
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertContains(r, "data-read-aloud", count=1)
                self.assertContains(r, '<script src="/static/app/read-aloud.js" defer></script>')
        self.client.post(SIMPLE, {"simple_mode": "off"})
        self.access.refresh_from_db()
        self.assertFalse(self.access.simple_mode)
        self.assertNotContains(self.client.get(MESSAGE), "read-aloud")
        # Without a choice, the button switches.
        self.client.post(SIMPLE)
        self.access.refresh_from_db()
        self.assertTrue(self.access.simple_mode)

    def test_it_sends_a_get_of_the_switch_home(self) -> None:
        r = self.client.get(SIMPLE)
        self.assertRedirects(r, HOME, fetch_redirect_response=False)
        self.access.refresh_from_db()
        self.assertFalse(self.access.simple_mode)

    # --- Without a child session (T2) ---------------------------------------------------------

    def test_it_sends_anyone_without_a_child_session_to_the_pin(self) -> None:
        """T2: no device, or a staff login alone, opens no child page and changes nothing."""
        anonymous, staff = Client(), Client()
        staff.force_login(self.alice)
        for client in [anonymous, staff]:
            for url in [MESSAGE, BISIDDER, MESSAGES, ABOUT_ME, SIMPLE]:
                with self.subTest(url=url):
                    r = client.post(url, {"text": "Hej", "submit_token": str(uuid.uuid4())})
                    self.assertRedirects(r, f"/barn/pin/?next={url}", fetch_redirect_response=False)
        self.assertFalse(ChildMessage.objects.exists())
        # Only the staff login itself is in the log.
        self.assertFalse(AccessEvent.objects.exclude(action=Action.LOGIN_OK).exists())

    def test_it_ends_with_a_revoked_device(self) -> None:
        DeviceSession.objects.update(revoked_at=timezone.now())
        r = self.send()
        self.assertRedirects(r, f"/barn/pin/?next={MESSAGE}", fetch_redirect_response=False)
        self.assertFalse(ChildMessage.objects.exists())
