from __future__ import annotations

from inddrag.audit.models import AccessEvent
from inddrag.conversations.models import Statement
from inddrag.test import BaseTestCase, make_conversation


class ConversationDetailTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.conversation = make_conversation(
            self.case_a,
            self.alice,
            "Jeg vil gerne bo hos mormor.",
            "Jeg er bange for far.",
            place="Asta's skole",
            present="Asta og Alice",
            had_bisidder=True,
            assessment="Asta virker tryg på skolen.",
        )
        self.conversation.statements.filter(position=1).update(sharing=Statement.Sharing.CASEWORKER)
        self.url = self.conversation.get_absolute_url()

    def test_it_shows_the_conversation(self) -> None:
        """The child's words in quotes with whom they may be shared, then the assessment."""
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Børnesamtale 1. marts 2024")
        self.assertContains(r, "Asta&#x27;s skole")
        self.assertContains(r, "Asta og Alice")
        self.assertContains(r, "Ja, barnet havde en bisidder med")
        self.assertContains(r, "<p>»Jeg vil gerne bo hos mormor.«</p>", html=True)
        self.assertContains(r, "Deling: Må stå i sagen")
        self.assertContains(r, "<p>»Jeg er bange for far.«</p>", html=True)
        self.assertContains(r, "Deling: Kun sagsbehandleren")
        self.assertContains(r, "Asta virker tryg på skolen.")
        self.assertContains(r, f'href="/samtaler/{self.conversation.code}/rediger/"')
        self.assertContains(r, f'href="{self.case_a.get_absolute_url()}"')

    def test_it_records_the_read_in_the_access_log(self) -> None:
        """T5: reading the conversation is logged with the child and the conversation."""
        self.login(self.alice)
        r = self.client.get(self.url)
        event = AccessEvent.objects.get(action="read")
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.child, self.case_a.child)
        self.assertEqual(event.object_type, "Conversation")
        self.assertEqual(event.object_code, str(self.conversation.code))
        self.assertEqual(event.request_id, r["X-Request-ID"])

    def test_it_renders_the_childs_words_escaped(self) -> None:
        """Whatever is stored is text: markup in it is shown, never run."""
        make_conversation(self.case_a, self.alice, "<script>alert(1)</script>\nNy linje")
        conversation = self.case_a.conversations.latest("pk")
        conversation.assessment = "<img src=x onerror=alert(1)>"
        conversation.save()
        self.login(self.alice)
        r = self.client.get(conversation.get_absolute_url())
        self.assertNotContains(r, "<script>alert")
        self.assertNotContains(r, "<img src=x")
        self.assertContains(r, "»&lt;script&gt;alert(1)&lt;/script&gt;<br>Ny linje«")
        self.assertContains(r, "&lt;img src=x onerror=alert(1)&gt;")

    def test_it_lets_the_unit_leader_read_what_the_child_shared(self) -> None:
        """Leo may read the conversation, not what the child said to the caseworker alone, and
        he may not edit it."""
        self.login(self.leo)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Jeg vil gerne bo hos mormor.")
        self.assertNotContains(r, "bange for far")
        self.assertContains(r, "1 udsagn må kun læses af sagsbehandleren.")
        self.assertNotContains(r, "/rediger/")
        self.assertTrue(AccessEvent.objects.filter(action="read", user=self.leo).exists())

    def test_it_is_404_for_another_municipality(self) -> None:
        """T1: Bob of Sydby gets a 404, the same as for a code that does not exist; logged."""
        self.login(self.bob)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 404)
        self.assertNotContains(r, "mormor", status_code=404)
        denial = AccessEvent.objects.get(action="denied")
        self.assertEqual(denial.criterion, f"conversation {self.conversation.code}")
        self.assertFalse(AccessEvent.objects.filter(action="read").exists())

    def test_it_is_404_for_a_colleague_without_the_case(self) -> None:
        """T3: Anna, same municipality, other unit, has no relation to Case A."""
        self.login(self.anna)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_is_404_for_the_former_caseworker(self) -> None:
        """T3: when the case is handed over, its conversations go with it."""
        self.case_a.assignments.update(ended_at="2024-06-01T00:00:00Z")
        self.login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_refuses_the_administrator(self) -> None:
        self.login(self.ada)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_rejects_post(self) -> None:
        self.login(self.alice)
        self.assertEqual(self.client.post(self.url).status_code, 405)

    def test_it_reads_ten_statements_with_as_many_queries_as_one(self) -> None:
        """Rule 26: one query for the statements, however many there are."""
        few = make_conversation(self.case_a, self.alice, "Et udsagn")
        many = make_conversation(self.case_a, self.alice, *[f"Udsagn {n}" for n in range(10)])
        self.login(self.alice)
        self.client.get(self.url)  # warm up: the first request saves the session's idle clock
        for conversation in [few, many]:
            # session, user, OTP device, membership, conversation (+ case, child, author, in a
            # subquery the visible cases), statements; the access event (savepoint, head lock,
            # event insert, head move, release).
            with self.assertNumQueries(12):
                r = self.client.get(conversation.get_absolute_url())
            self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Udsagn 9")
