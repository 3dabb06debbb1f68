from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError

from inddrag.audit.models import AccessEvent
from inddrag.conversations import services
from inddrag.conversations.models import Conversation, Statement
from inddrag.municipalities.models import Membership
from inddrag.test import BaseTestCase


class ConversationServicesTestCase(BaseTestCase):
    """The services on their own, as seed_demo and later the API call them."""

    def fields(self, **changes: Any) -> dict[str, Any]:
        return {
            "by": self.alice,
            "membership": Membership.objects.get(user=self.alice),
            "held_on": date(2024, 3, 1),
            "place": "Skolen",
            "present": "",
            "had_bisidder": False,
            "without_staff_present": False,
            "assessment": "",
            "statements": [("Hej", "case_file")],
            **changes,
        }

    def test_it_needs_a_statement(self) -> None:
        with self.assertRaises(services.ConversationError):
            services.record_conversation(self.case_a, **self.fields(statements=[]))
        self.assertFalse(Conversation.objects.exists())
        self.assertFalse(AccessEvent.objects.exists())

    def test_it_checks_the_fields_itself(self) -> None:
        """What the form would refuse, the service refuses too (it has other callers)."""
        cases: list[dict[str, Any]] = [
            {"place": "x" * 201},
            {"statements": [("Hej", "everyone")]},
            {"statements": [("x" * 5001, "case_file")]},
            {"assessment": "x" * 10001},
        ]
        for changes in cases:
            with self.subTest(changes=changes), self.assertRaises(ValidationError):
                services.record_conversation(self.case_a, **self.fields(**changes))
        self.assertFalse(Conversation.objects.exists())
        self.assertFalse(Statement.objects.exists())

    def test_it_returns_the_same_conversation_for_the_same_token(self) -> None:
        """T20: sequentially, the second call finds the first's row."""
        token = uuid.uuid4()
        first = services.record_conversation(self.case_a, **self.fields(), submit_token=token)
        second = services.record_conversation(
            self.case_a, **self.fields(place="Andet sted"), submit_token=token
        )
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(Conversation.objects.get().place, "Skolen")
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 1)

    def test_it_refuses_a_stale_version(self) -> None:
        """T19: the conditional update changes nothing for a stale version."""
        conversation = services.record_conversation(self.case_a, **self.fields())
        fields = self.fields(statements=[("Ny", "parents")])
        services.update_conversation(conversation, version=1, **fields)
        with self.assertRaises(services.ConversationConflict):
            services.update_conversation(conversation, version=1, **self.fields(place="Gammel"))
        conversation.refresh_from_db()
        self.assertEqual((conversation.version, conversation.place), (2, "Skolen"))
        self.assertEqual(list(Statement.objects.values_list("text", flat=True)), ["Ny"])
        self.assertEqual(AccessEvent.objects.filter(action="update").count(), 1)
