from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.conversations.models import Conversation, Statement
from inddrag.test import BaseTestCase

CASE_FILE, PARENTS, CASEWORKER = "case_file", "parents", "caseworker"


def post_data(*statements: tuple[str, str], **fields: Any) -> dict[str, Any]:
    """A complete form: the conversation's fields, then one statement form per (text, sharing)."""
    data: dict[str, Any] = {
        "held_on": "2025-03-04",
        "place": "Skolen",
        "present": "Asta og Alice",
        "had_bisidder": "on",
        "assessment": "Asta virker glad for skolen.",
        "submit_token": str(uuid.uuid4()),
        "statements-TOTAL_FORMS": str(len(statements)),
        "statements-INITIAL_FORMS": str(len(statements)),
    }
    for i, (text, sharing) in enumerate(statements):
        data[f"statements-{i}-text"] = text
        data[f"statements-{i}-sharing"] = sharing
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


class CreateConversationTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.url = reverse("conversations:create", args=[self.case_a.code])

    def test_it_shows_the_form_with_room_for_three_statements(self) -> None:
        """T5: the form names the child, so showing it is a logged read of the case."""
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Ny børnesamtale")
        self.assertContains(r, "Asta")
        self.assertEqual(len(r.context["formset"].forms), 3)
        self.assertContains(r, 'name="statements-2-text"')
        self.assertNotContains(r, 'name="statements-3-text"')
        self.assertContains(r, 'name="submit_token"')
        self.assertContains(r, "Tilføj et udsagn")
        event = AccessEvent.objects.get(action="read")
        self.assertEqual(
            (event.action, event.user, event.child, event.object_code),
            ("read", self.alice, self.case_a.child, str(self.case_a.code)),
        )

    def test_it_gives_each_page_its_own_token(self) -> None:
        """T20: a new page is a new conversation; only the same page sent again is not."""
        self.login(self.alice)
        first = self.client.get(self.url).context["form"]["submit_token"].value()
        second = self.client.get(self.url).context["form"]["submit_token"].value()
        self.assertNotEqual(first, second)

    def test_it_records_a_conversation_with_two_statements(self) -> None:
        self.login(self.alice)
        data = post_data(
            ("Jeg vil gerne bo hos mormor.", PARENTS),
            ("", CASE_FILE),  # an empty form is left out
            ("Jeg er bange for far.", CASEWORKER),
        )
        r = self.client.post(self.url, data)
        conversation = Conversation.objects.get()
        self.assertRedirects(r, conversation.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(conversation.case, self.case_a)
        self.assertEqual(conversation.municipality, self.nordby)
        self.assertEqual(conversation.held_on, date(2025, 3, 4))
        self.assertEqual(conversation.place, "Skolen")
        self.assertEqual(conversation.present, "Asta og Alice")
        self.assertTrue(conversation.had_bisidder)
        self.assertFalse(conversation.without_staff_present)
        self.assertEqual(conversation.assessment, "Asta virker glad for skolen.")
        self.assertEqual(conversation.created_by, self.alice)
        self.assertEqual(conversation.version, 1)
        self.assertEqual(str(conversation.submit_token), data["submit_token"])
        self.assertEqual(
            [
                (s.position, s.text, s.sharing, s.child, s.said_on, s.municipality)
                for s in conversation.statements.all()
            ],
            [
                (0, "Jeg vil gerne bo hos mormor.", PARENTS, self.case_a.child, date(2025, 3, 4),
                 self.nordby),
                (1, "Jeg er bange for far.", CASEWORKER, self.case_a.child, date(2025, 3, 4),
                 self.nordby),
            ],
        )  # fmt: skip

    def test_it_records_the_creation_in_the_access_log(self) -> None:
        """T5: the write and its access event, in the same request."""
        self.login(self.alice)
        r = self.client.post(self.url, post_data(("Det er fint.", CASE_FILE)))
        conversation = Conversation.objects.get()
        event = AccessEvent.objects.get(action="create")
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.role, "caseworker")
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.child, self.case_a.child)
        self.assertEqual(event.object_type, "Conversation")
        self.assertEqual(event.object_code, str(conversation.code))
        self.assertEqual(event.request_id, r["X-Request-ID"])

    def test_it_records_a_conversation_without_staff_present(self) -> None:
        """§ 156, stk. 5: the supervision visit's conversation is marked as such."""
        self.login(self.alice)
        data = post_data(("Her er rart.", CASE_FILE), without_staff_present="on", had_bisidder=None)
        self.client.post(self.url, data)
        conversation = Conversation.objects.get()
        self.assertTrue(conversation.without_staff_present)
        self.assertFalse(conversation.had_bisidder)

    def test_it_adds_a_statement_without_javascript(self) -> None:
        """The "Tilføj et udsagn" button is a submit button: the page comes back with what was
        typed, one more statement form (with the focus), no error messages, and nothing saved."""
        self.login(self.alice)
        data = post_data(
            ("Første <3", PARENTS), ("", CASE_FILE), ("", CASE_FILE), held_on="", add_statement="1"
        )
        r = self.client.post(self.url, data)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(len(r.context["formset"].forms), 4)
        self.assertContains(r, 'name="statements-3-text"')
        self.assertContains(r, "\nFørste &lt;3</textarea>")
        self.assertContains(
            r, 'value="parents" class="form-radio" id="id_statements-0-sharing_2" checked'
        )
        self.assertContains(r, 'value="Skolen"')
        self.assertContains(r, f'value="{data["submit_token"]}"')  # the same page, the same token
        self.assertNotContains(r, "form-error")
        self.assertInHTML(
            '<textarea name="statements-3-text" cols="40" rows="4" maxlength="5000" '
            'class="form-input" aria-describedby="id_statements-3-text_helptext" autofocus '
            'id="id_statements-3-text"></textarea>',
            r.content.decode(),
        )
        self.assertFalse(Conversation.objects.exists())
        self.assertEqual(AccessEvent.objects.filter(action="read").count(), 1)
        self.assertFalse(AccessEvent.objects.filter(action="create").exists())

    def test_it_adds_a_statement_with_htmx(self) -> None:
        """With HTMX the answer is the statements' region alone, with its management form."""
        self.login(self.alice)
        data = post_data(("Første", PARENTS), add_statement="1")
        r = self.client.post(self.url, data, headers={"HX-Request": "true"})
        self.assertEqual(r.status_code, 200)
        content = r.content.decode()
        self.assertTrue(content.lstrip().startswith('<section id="statements"'))
        self.assertNotIn("<html", content)
        self.assertIn('name="statements-TOTAL_FORMS" value="2"', content)
        self.assertIn(">\nFørste</textarea>", content)
        self.assertFalse(Conversation.objects.exists())

    def test_it_stops_adding_statements_at_twenty(self) -> None:
        self.login(self.alice)
        data = post_data(*[(f"Udsagn {n}", CASE_FILE) for n in range(20)], add_statement="1")
        r = self.client.post(self.url, data)
        self.assertEqual(len(r.context["formset"].forms), 20)
        self.assertNotContains(r, "Tilføj et udsagn")

    def test_it_requires_a_statement(self) -> None:
        self.login(self.alice)
        r = self.client.post(self.url, post_data(("", CASE_FILE), ("  ", PARENTS)))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Skriv mindst ét udsagn med barnets egne ord.")
        self.assertContains(r, 'id="id_statements-0-text_error"')
        self.assertFalse(Conversation.objects.exists())
        self.assertFalse(Statement.objects.exists())

    def test_it_requires_the_childs_choice_of_who_may_read_it(self) -> None:
        self.login(self.alice)
        data = post_data(("Jeg vil hjem.", CASE_FILE))
        del data["statements-0-sharing"]
        r = self.client.post(self.url, data)
        self.assertContains(r, "Vælg, hvem barnet har sagt ja til, må læse det.")
        self.assertContains(r, 'aria-describedby="id_statements-0-sharing_error"')
        self.assertFalse(Conversation.objects.exists())

    def test_it_rejects_bad_input(self) -> None:
        """Each bad value gets a message at its field, and nothing is saved."""
        today = timezone.localdate()
        statement = ("Det er fint.", CASE_FILE)
        cases: list[tuple[str, dict[str, Any], str]] = [
            ("no date", {"held_on": ""}, "Skriv datoen for samtalen."),
            ("not a date", {"held_on": "i går"}, "Skriv en rigtig dato."),
            ("no such day", {"held_on": "2025-02-30"}, "Skriv en rigtig dato."),
            (
                "future",
                {"held_on": (today + timedelta(days=1)).isoformat()},
                "Datoen må ikke ligge i fremtiden.",
            ),
            ("before birth", {"held_on": "2012-03-04"}, "Datoen må ikke ligge før barnets fødsel."),
            ("no place", {"place": "   "}, "Skriv, hvor samtalen foregik."),
            ("long place", {"place": "x" * 201}, "højst have 200 tegn"),
            ("long present", {"present": "x" * 501}, "højst have 500 tegn"),
            ("long assessment", {"assessment": "x" * 10001}, "højst have 10000 tegn"),
            (
                "markup",
                {"place": "<b>Skolen</b>"},
                "Skriv teksten uden HTML-koder",
            ),
            (
                "long statement",
                {"statements-0-text": "x" * 5001},
                "højst have 5000 tegn",
            ),
            (
                "unknown sharing",
                {"statements-0-sharing": "everyone"},
                "Vælg et af svarene.",
            ),
            (
                "no token",
                {"submit_token": ""},
                "Formularen er ikke komplet. Hent siden igen, og prøv igen.",
            ),
            (
                "bad token",
                {"submit_token": "1234"},
                "Formularen er ikke komplet. Hent siden igen, og prøv igen.",
            ),
        ]
        self.login(self.alice)
        for name, change, message in cases:
            with self.subTest(name):
                r = self.client.post(self.url, post_data(statement, **change))
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, message)
                self.assertFalse(Conversation.objects.exists())
                self.assertFalse(Statement.objects.exists())
        self.assertFalse(AccessEvent.objects.filter(action="create").exists())

    def test_it_keeps_the_form_working_with_broken_statement_counts(self) -> None:
        """A tampered management form is a message, not a crash, and saves nothing."""
        self.login(self.alice)
        for total in ["", "abc", "0", "-1", "1000"]:
            with self.subTest(total=total):
                data = post_data(("Det er fint.", CASE_FILE))
                data["statements-TOTAL_FORMS"] = total
                r = self.client.post(self.url, data)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, "alert-error")
                data["add_statement"] = "1"
                r = self.client.post(self.url, data)
                self.assertEqual(r.status_code, 200)
                self.assertFalse(Conversation.objects.exists())

    def test_it_renders_script_escaped(self) -> None:
        """HTML in any text field is refused at its field, and echoed back escaped."""
        self.login(self.alice)
        script = "<script>alert('x')</script>"
        data = post_data((script, CASE_FILE), present=script, assessment=script)
        r = self.client.post(self.url, data)
        self.assertContains(r, "Skriv teksten uden HTML-koder", count=3)
        self.assertNotContains(r, script)
        self.assertContains(r, "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", count=3)
        self.assertFalse(Conversation.objects.exists())

    def test_it_records_a_double_submit_once(self) -> None:
        """T20: the same page sent twice records one conversation; both answers lead to it."""
        self.login(self.alice)
        data = post_data(("Jeg vil hjem.", CASE_FILE))
        first = self.client.post(self.url, data)
        second = self.client.post(self.url, data)
        conversation = Conversation.objects.get()
        for r in [first, second]:
            self.assertRedirects(r, conversation.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(Statement.objects.count(), 1)
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 1)

    def test_it_refuses_a_token_from_another_case(self) -> None:
        """T20: a token is good for its own page only; reused for another case it saves
        nothing there (400)."""
        other = self.case_a.__class__.objects.create(
            municipality=self.nordby,
            unit=self.vest,
            child=self.case_a.child,
            reference="T-OTHER",
            opened_on=date(2024, 1, 10),
        )
        other.assignments.create(
            municipality=self.nordby, caseworker=self.alice, started_at=timezone.now()
        )
        self.login(self.alice)
        data = post_data(("Jeg vil hjem.", CASE_FILE))
        self.client.post(self.url, data)
        r = self.client.post(reverse("conversations:create", args=[other.code]), data)
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Conversation.objects.get().case, self.case_a)

    def test_it_is_404_for_another_municipality(self) -> None:
        """T1: Bob of Sydby can neither see the form nor record in Nordby's case; logged."""
        self.login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        r = self.client.post(self.url, post_data(("Jeg vil hjem.", CASE_FILE)))
        self.assertEqual(r.status_code, 404)
        self.assertFalse(Conversation.objects.exists())
        self.assertEqual(AccessEvent.objects.filter(action="denied", user=self.bob).count(), 2)
        self.assertFalse(AccessEvent.objects.exclude(action__in=["denied", "login_ok"]).exists())

    def test_it_is_404_for_a_colleague_without_the_case(self) -> None:
        """T3: Anna, same municipality, other unit."""
        self.login(self.anna)
        r = self.client.post(self.url, post_data(("Jeg vil hjem.", CASE_FILE)))
        self.assertEqual(r.status_code, 404)
        self.assertFalse(Conversation.objects.exists())

    def test_it_refuses_the_leader(self) -> None:
        """T2: the unit's leader may read the case, not record in it: 403, logged, nothing
        saved."""
        self.login(self.leo)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        r = self.client.post(self.url, post_data(("Jeg vil hjem.", CASE_FILE)))
        self.assertEqual(r.status_code, 403)
        self.assertFalse(Conversation.objects.exists())
        self.assertFalse(Statement.objects.exists())
        self.assertEqual(AccessEvent.objects.filter(action="denied", user=self.leo).count(), 2)
        self.assertFalse(AccessEvent.objects.exclude(action__in=["denied", "login_ok"]).exists())

    def test_it_refuses_the_administrator(self) -> None:
        self.login(self.ada)
        r = self.client.post(self.url, post_data(("Jeg vil hjem.", CASE_FILE)))
        self.assertEqual(r.status_code, 403)
        self.assertFalse(Conversation.objects.exists())

    def test_it_saves_ten_statements_with_as_many_queries_as_one(self) -> None:
        """Rule 26: the statements are written with one INSERT, however many there are."""
        self.login(self.alice)
        self.client.post(self.url, post_data(("Først en, så sessionen har sin besked.", PARENTS)))
        for n in [1, 10]:
            data = post_data(*[(f"Udsagn {i}", CASE_FILE) for i in range(n)])
            # session, user, OTP device, membership, case (+ child, unit, municipality); then
            # the service: savepoint, token check, conversation insert (in its own savepoint:
            # 3), one insert for all the statements, the access event (savepoint, head lock,
            # event insert, head move, release), release.
            with self.assertNumQueries(17):
                r = self.client.post(self.url, data)
            self.assertEqual(r.status_code, 302)
        self.assertEqual(Statement.objects.count(), 12)
