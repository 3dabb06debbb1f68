from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from inddrag.audit.models import AccessEvent
from inddrag.conversations.models import Conversation, Statement
from inddrag.letters.models import Quote
from inddrag.test import BaseTestCase, make_conversation, make_recommendation

CASE_FILE, PARENTS, CASEWORKER = "case_file", "parents", "caseworker"


def edit_data(version: int | str, /, *statements: tuple[str, str], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "held_on": "2024-03-02",
        "place": "Hjemme hos plejefamilien",
        "present": "Asta, plejemor og Alice",
        "assessment": "Asta er faldet godt til.",
        "version": str(version),
        "statements-TOTAL_FORMS": str(len(statements)),
        "statements-INITIAL_FORMS": str(len(statements)),
    }
    for i, (text, sharing) in enumerate(statements):
        data[f"statements-{i}-text"] = text
        data[f"statements-{i}-sharing"] = sharing
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


class EditConversationTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.conversation = make_conversation(
            self.case_a,
            self.alice,
            "Jeg vil gerne bo hos mormor.",
            "Skolen er fin.",
            place="Skolen",
            assessment="Første vurdering.",
        )
        self.url = reverse("conversations:edit", args=[self.conversation.code])

    def snapshot(self) -> tuple[Any, ...]:
        conversation = Conversation.objects.get(pk=self.conversation.pk)
        statements = list(Statement.objects.order_by("pk").values_list("text", "sharing"))
        return (conversation.version, conversation.place, conversation.assessment, statements)

    def test_it_shows_the_form_filled_in(self) -> None:
        """The saved statements and one empty one; the version the editor starts from."""
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Ret børnesamtale")
        self.assertContains(r, 'value="2024-03-01"')
        self.assertContains(r, 'value="Skolen"')
        self.assertContains(r, "\nJeg vil gerne bo hos mormor.</textarea>")
        self.assertContains(r, "\nSkolen er fin.</textarea>")
        self.assertEqual(len(r.context["formset"].forms), 3)
        self.assertContains(r, '<input type="hidden" name="version" value="1"', html=False)
        event = AccessEvent.objects.get(action="read")
        self.assertEqual(event.object_code, str(self.conversation.code))
        self.assertEqual(event.child, self.case_a.child)

    def test_it_saves_a_new_version(self) -> None:
        """The statements are replaced as a set; the version goes up by one."""
        self.login(self.alice)
        data = edit_data(
            1, ("Jeg vil bo hos mormor.", PARENTS), ("", CASE_FILE), ("Far råber.", CASEWORKER)
        )
        r = self.client.post(self.url, data)
        self.assertRedirects(r, self.conversation.get_absolute_url(), fetch_redirect_response=False)
        conversation = Conversation.objects.get()
        self.assertEqual(conversation.version, 2)
        self.assertEqual(conversation.held_on, date(2024, 3, 2))
        self.assertEqual(conversation.place, "Hjemme hos plejefamilien")
        self.assertEqual(conversation.present, "Asta, plejemor og Alice")
        self.assertEqual(conversation.assessment, "Asta er faldet godt til.")
        self.assertGreater(conversation.updated_at, conversation.created_at)
        self.assertEqual(
            list(conversation.statements.values_list("position", "text", "sharing", "said_on")),
            [
                (0, "Jeg vil bo hos mormor.", PARENTS, date(2024, 3, 2)),
                (1, "Far råber.", CASEWORKER, date(2024, 3, 2)),
            ],
        )
        self.assertEqual(Statement.objects.count(), 2)

    def test_it_records_the_change_in_the_access_log(self) -> None:
        """T5: the update and its access event, in the same request."""
        self.login(self.alice)
        r = self.client.post(self.url, edit_data(1, ("Ja.", CASE_FILE)))
        event = AccessEvent.objects.get(action="update")
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.child, self.case_a.child)
        self.assertEqual(event.object_code, str(self.conversation.code))
        self.assertEqual(event.request_id, r["X-Request-ID"])

    def test_it_shows_a_conflict_for_a_stale_version(self) -> None:
        """T19: someone saved since this editor loaded version 1. Nothing of theirs is saved;
        they get 409 with the saved version next to their own text, which stays in the form
        with the saved version's number, so saving again overwrites knowingly."""
        self.login(self.alice)
        self.client.post(self.url, edit_data(1, ("Den gemte udgave.", PARENTS)))
        before = self.snapshot()
        mine = edit_data(
            1, ("Min egen <3 tekst.", CASE_FILE), assessment="Min vurdering.", place="Parken"
        )
        r = self.client.post(self.url, mine)
        self.assertEqual(r.status_code, 409)
        self.assertEqual(self.snapshot(), before)
        self.assertContains(r, "Samtalen er ændret, mens du skrev", status_code=409)
        # The saved version...
        self.assertContains(r, "<p>»Den gemte udgave.«</p>", html=True, status_code=409)
        self.assertContains(r, "Asta er faldet godt til.", status_code=409)
        # ...and the editor's own, in the form, to be saved over version 2.
        self.assertContains(r, "\nMin egen &lt;3 tekst.</textarea>", status_code=409)
        self.assertContains(r, "\nMin vurdering.</textarea>", status_code=409)
        self.assertContains(r, 'value="Parken"', status_code=409)
        self.assertContains(r, 'name="version" value="2"', status_code=409)
        self.assertContains(r, "Gem min udgave alligevel", status_code=409)
        self.assertContains(
            r, f'href="{self.conversation.get_absolute_url()}"', status_code=409
        )  # going back saves nothing
        # The attempt is in the access log: the editor was shown the saved version.
        event = AccessEvent.objects.filter(action="read").latest("seq")
        self.assertEqual(event.criterion, "edit conflict: version 1 is now 2")
        self.assertEqual(event.request_id, r["X-Request-ID"])
        self.assertEqual(AccessEvent.objects.filter(action="update").count(), 1)

    def test_it_overwrites_knowingly_from_the_conflict_page(self) -> None:
        """T19: the conflict page's form, sent as it is, saves the editor's text as version 3."""
        self.login(self.alice)
        self.client.post(self.url, edit_data(1, ("Den gemte udgave.", PARENTS)))
        r = self.client.post(self.url, edit_data(1, ("Min tekst.", CASE_FILE)))
        form = r.context["form"]
        resend = dict(form.data.items())
        self.assertEqual(resend["version"], "2")
        r = self.client.post(self.url, resend)
        self.assertEqual(r.status_code, 302)
        conversation = Conversation.objects.get()
        self.assertEqual(conversation.version, 3)
        self.assertEqual(
            list(conversation.statements.values_list("text", flat=True)), ["Min tekst."]
        )

    def test_it_takes_the_same_form_sent_twice_as_one_save(self) -> None:
        """T20: a double click on "Gem samtalen" saves once; the second answer is no conflict,
        since the saved version is exactly what was sent."""
        self.login(self.alice)
        data = edit_data(1, ("Jeg vil bo hos mormor.", PARENTS))
        first = self.client.post(self.url, data)
        second = self.client.post(self.url, data)
        for r in [first, second]:
            self.assertRedirects(
                r, self.conversation.get_absolute_url(), fetch_redirect_response=False
            )
        self.assertEqual(self.snapshot()[0], 2)
        self.assertEqual(AccessEvent.objects.filter(action="update").count(), 1)

    def test_it_adds_a_statement(self) -> None:
        self.login(self.alice)
        data = edit_data(1, ("Første.", PARENTS), add_statement="1")
        r = self.client.post(self.url, data)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(len(r.context["formset"].forms), 2)
        self.assertContains(r, 'name="version" value="1"')
        self.assertEqual(self.snapshot()[0], 1)

    def test_it_rejects_bad_input(self) -> None:
        """Bad values get messages at their fields; nothing changes, no update is logged."""
        before = self.snapshot()
        cases: list[tuple[str, dict[str, Any], str]] = [
            ("no statement", {"statements-0-text": ""}, "Skriv mindst ét udsagn"),
            ("future", {"held_on": "2999-01-01"}, "Datoen må ikke ligge i fremtiden."),
            ("before birth", {"held_on": "2011-01-01"}, "Datoen må ikke ligge før barnets fødsel."),
            ("script", {"statements-0-text": "<script>x</script>"}, "HTML-koder"),
            ("no version", {"version": ""}, "Formularen er ikke komplet."),
            ("bad version", {"version": "to"}, "Formularen er ikke komplet."),
            ("zero version", {"version": "0"}, "Formularen er ikke komplet."),
        ]
        self.login(self.alice)
        for name, change, message in cases:
            with self.subTest(name):
                data = edit_data(1, ("Ja.", CASE_FILE))
                data.update(change)
                r = self.client.post(self.url, data)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, message)
                self.assertNotContains(r, "<script>x")
                self.assertEqual(self.snapshot(), before)
        self.assertFalse(AccessEvent.objects.filter(action="update").exists())

    def test_it_is_404_for_another_municipality(self) -> None:
        """T1: Bob of Sydby; nothing changes, and the denial is logged."""
        before = self.snapshot()
        self.login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        r = self.client.post(self.url, edit_data(1, ("Bob var her.", CASE_FILE)))
        self.assertEqual(r.status_code, 404)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(AccessEvent.objects.filter(action="denied", user=self.bob).count(), 2)

    def test_it_is_404_for_a_colleague_without_the_case(self) -> None:
        """T3: Anna, same municipality, other unit."""
        before = self.snapshot()
        self.login(self.anna)
        r = self.client.post(self.url, edit_data(1, ("Anna var her.", CASE_FILE)))
        self.assertEqual(r.status_code, 404)
        self.assertEqual(self.snapshot(), before)

    def test_it_refuses_the_leader(self) -> None:
        """T2: Leo reads the case; he may not change it: 403, logged, nothing changed."""
        before = self.snapshot()
        self.login(self.leo)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        r = self.client.post(self.url, edit_data(1, ("Leo var her.", CASE_FILE)))
        self.assertEqual(r.status_code, 403)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(AccessEvent.objects.filter(action="denied", user=self.leo).count(), 2)
        self.assertFalse(AccessEvent.objects.filter(action__in=["read", "update"]).exists())

    def test_it_refuses_the_administrator(self) -> None:
        before = self.snapshot()
        self.login(self.ada)
        r = self.client.post(self.url, edit_data(1, ("Ada var her.", CASE_FILE)))
        self.assertEqual(r.status_code, 403)
        self.assertEqual(self.snapshot(), before)

    def test_it_saves_ten_statements_with_as_many_queries_as_one(self) -> None:
        """Rule 26: saving the statements is one SELECT, one UPDATE of the stored ones and one
        INSERT of the new ones (one DELETE of fewer), however many."""
        self.login(self.alice)
        self.client.get(self.url)  # warm up: the first request saves the session's idle clock
        self.client.post(
            self.url, edit_data(1, ("Først en, så sessionen har sin besked.", PARENTS))
        )
        # session, user, OTP device, membership, conversation (+ case, child, author); the
        # service: savepoint, conditional update, the stored statements, their update, (the
        # new ones' insert), the access event (savepoint, head lock, event insert, head move,
        # release), release.
        for version, n, queries in [(2, 1, 15), (3, 10, 16), (4, 10, 15)]:
            data = edit_data(version, *[(f"Udsagn {i} v{version}", CASE_FILE) for i in range(n)])
            with self.assertNumQueries(queries):
                r = self.client.post(self.url, data)
            self.assertEqual(r.status_code, 302)
        self.assertEqual(Statement.objects.count(), 10)

    def test_it_keeps_a_statement_quoted_in_a_recommendation(self) -> None:
        """A statement quoted in a recommendation to the committee keeps its row when the
        conversation is edited: its text and sharing change in place (made caseworker-only, it
        drops out of the recommendation), and removing it is refused with a message and nothing
        saved."""
        quoted = Statement.objects.get(conversation=self.conversation, position=1)
        recommendation = make_recommendation(self.case_a, self.alice)
        Quote.objects.create(
            municipality=self.nordby, recommendation=recommendation, statement=quoted
        )
        self.login(self.alice)
        r = self.client.post(
            self.url,
            edit_data(
                1, ("Jeg vil gerne bo hos mormor.", CASE_FILE), ("Skolen er svær.", CASEWORKER)
            ),
        )
        self.assertEqual(r.status_code, 302)
        quoted.refresh_from_db()
        self.assertEqual((quoted.text, quoted.sharing), ("Skolen er svær.", CASEWORKER))
        before = list(Statement.objects.order_by("pk").values_list("pk", "text", "sharing"))
        r = self.client.post(self.url, edit_data(2, ("Kun et udsagn nu.", CASE_FILE)))
        self.assertContains(r, "er citeret i en indstilling til udvalget")
        self.assertEqual(
            list(Statement.objects.order_by("pk").values_list("pk", "text", "sharing")), before
        )
        self.conversation.refresh_from_db()
        self.assertEqual(self.conversation.version, 2)
