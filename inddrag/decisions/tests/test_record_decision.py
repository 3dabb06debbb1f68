from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from inddrag.audit.models import AccessEvent
from inddrag.decisions import services
from inddrag.decisions.models import Decision, DueRules
from inddrag.decisions.tests.helpers import DECIDED_ON, make_conversation
from inddrag.municipalities.models import Membership
from inddrag.test import BaseTestCase


class RecordDecisionTestCase(BaseTestCase):
    """The service decides whether the child was heard, inside its transaction (§ 5)."""

    def record(self, **fields: Any) -> Decision:
        values: dict[str, Any] = {
            "by": self.alice,
            "membership": Membership.objects.get(user=self.alice),
            "kind": Decision.Kind.RECOMMENDATION,
            "title": "Anbringelse uden for hjemmet",
            "decided_on": DECIDED_ON,
            "child_perspective": "»Jeg vil bo hos mormor.«",
            "child_told_how": "Ved et møde med bisidder.",
        }
        values.update(fields)
        return services.record_decision(self.case_a, **values)

    def test_it_records_a_heard_child(self) -> None:
        make_conversation(self.case_a, self.alice, DECIDED_ON - timedelta(days=92))
        decision = self.record(not_heard_reason="urgency", not_heard_note="ignoreres")
        self.assertTrue(decision.child_heard)
        self.assertEqual((decision.not_heard_reason, decision.not_heard_note), ("", ""))
        self.assertEqual(decision.kind, Decision.Kind.RECOMMENDATION)

    def test_it_refuses_an_unheard_child_without_a_reason(self) -> None:
        make_conversation(self.case_a, self.alice, DECIDED_ON - timedelta(days=93))
        make_conversation(self.case_a, self.alice, DECIDED_ON + timedelta(days=1))
        with self.assertRaises(services.ChildNotHeard):
            self.record()
        self.assertFalse(Decision.objects.exists())
        self.assertFalse(AccessEvent.objects.exists())

    def test_it_records_an_unheard_child_with_a_reason(self) -> None:
        decision = self.record(not_heard_reason="maturity")
        self.assertFalse(decision.child_heard)
        self.assertEqual(decision.not_heard_reason, "maturity")

    def test_it_follows_the_municipalitys_period(self) -> None:
        DueRules.objects.create(municipality=self.nordby, conversation_before_decision_days=200)
        make_conversation(self.case_a, self.alice, DECIDED_ON - timedelta(days=200))
        self.assertTrue(self.record().child_heard)
        # Sydby's rules do not apply to Nordby.
        DueRules.objects.create(municipality=self.sydby, conversation_before_decision_days=1)
        self.assertTrue(self.record().child_heard)

    def test_it_writes_the_create_event_in_its_transaction(self) -> None:
        decision = self.record(not_heard_reason="urgency")
        event = AccessEvent.objects.get()
        self.assertEqual(event.action, "create")
        self.assertEqual(event.child, self.case_a.child)
        self.assertEqual(event.object_code, str(decision.code))

    def test_it_returns_the_first_decision_for_a_used_token(self) -> None:
        """T20: one row per token, whatever is sent the second time."""
        token = uuid.uuid4()
        first = self.record(not_heard_reason="urgency", submit_token=token)
        again = self.record(not_heard_reason="declined", title="Noget andet", submit_token=token)
        self.assertEqual(again.pk, first.pk)
        self.assertEqual(Decision.objects.get().title, "Anbringelse uden for hjemmet")
        self.assertEqual(AccessEvent.objects.count(), 1)

    def test_it_refuses_a_token_of_another_case(self) -> None:
        token = uuid.uuid4()
        self.record(not_heard_reason="urgency", submit_token=token)
        with self.assertRaises(services.SubmitTokenUsed):
            services.record_decision(
                self.case_a2,
                by=self.anna,
                membership=Membership.objects.get(user=self.anna),
                kind="decision",
                title="x",
                decided_on=DECIDED_ON,
                child_perspective="x",
                child_told_how="x",
                not_heard_reason="urgency",
                submit_token=token,
            )
        self.assertEqual(Decision.objects.count(), 1)

    def test_it_refuses_an_unknown_kind(self) -> None:
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            self.record(kind="verdict", not_heard_reason="urgency")
        self.assertFalse(Decision.objects.exists())
