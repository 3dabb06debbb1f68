from __future__ import annotations

from datetime import date

from inddrag.conversations.models import Statement
from inddrag.conversations.queries import latest_statements
from inddrag.test import BaseTestCase, make_case, make_conversation


class ConversationQueriesTestCase(BaseTestCase):
    """The case page's helpers: the child's latest words, and the conversations' timeline."""

    def setUp(self) -> None:
        self.march = make_conversation(
            self.case_a, self.alice, "Marts 1", "Marts 2", held_on=date(2024, 3, 1)
        )
        self.may = make_conversation(
            self.case_a, self.alice, "Maj 1", "Maj 2", "Maj 3", held_on=date(2024, 5, 1)
        )
        self.may.statements.filter(text="Maj 2").update(sharing=Statement.Sharing.CASEWORKER)
        # The same child in another case, and another child: neither belongs here.
        other_case = make_case(self.vest, self.alice)
        other_case.child = self.case_a.child
        other_case.save()
        make_conversation(other_case, self.alice, "Anden sag", held_on=date(2024, 6, 1))
        make_conversation(self.case_a2, self.anna, "Aksel", held_on=date(2024, 6, 1))

    def test_it_gives_the_latest_statements_newest_first(self) -> None:
        statements = latest_statements(self.case_a, viewer_is_caseworker=True)
        self.assertEqual(
            [s.text for s in statements], ["Maj 1", "Maj 2", "Maj 3", "Marts 1", "Marts 2"]
        )
        self.assertEqual(statements[0].conversation, self.may)

    def test_it_takes_a_limit(self) -> None:
        statements = latest_statements(self.case_a, 2, viewer_is_caseworker=True)
        self.assertEqual([s.text for s in statements], ["Maj 1", "Maj 2"])

    def test_it_leaves_out_what_is_for_the_caseworker_alone(self) -> None:
        """The child agreed that only the caseworker may read "Maj 2": a leader does not."""
        statements = latest_statements(self.case_a, viewer_is_caseworker=False)
        self.assertEqual([s.text for s in statements], ["Maj 1", "Maj 3", "Marts 1", "Marts 2"])

    def test_it_reads_the_statements_in_one_query(self) -> None:
        with self.assertNumQueries(1):
            dates = [s.conversation.held_on for s in latest_statements(
                self.case_a, viewer_is_caseworker=True
            )]  # fmt: skip
        self.assertEqual(dates[0], date(2024, 5, 1))
