from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from inddrag.accounts.http import AuthenticatedHttpRequest
from inddrag.audit.models import AccessEvent
from inddrag.children.access import get_editable_case_for_user
from inddrag.conversations.access import get_editable_conversation_for_user
from inddrag.municipalities.models import Membership
from inddrag.test import BaseTestCase, make_conversation


class ConversationAccessTestCase(BaseTestCase):
    """The access helpers on their own. The views admit caseworkers only, so a reader never
    reaches these refusals through them; they guard the rule should a view admit more roles."""

    def request_as(self, membership: Membership) -> AuthenticatedHttpRequest:
        request = RequestFactory().post("/")
        request.user = membership.user
        request.membership = membership  # type: ignore[attr-defined]
        return request  # type: ignore[return-value]

    def test_it_refuses_the_leader_the_case_with_a_logged_denial(self) -> None:
        """T2: Leo may read Case A, not record in it."""
        request = self.request_as(Membership.objects.get(user=self.leo))
        with self.assertRaises(PermissionDenied):
            get_editable_case_for_user(request, self.case_a.code)
        denial = AccessEvent.objects.get(action="denied")
        self.assertEqual(denial.criterion, f"read-only: case {self.case_a.code}")

    def test_it_refuses_the_leader_the_conversation_with_a_logged_denial(self) -> None:
        conversation = make_conversation(self.case_a, self.alice, "Hej")
        request = self.request_as(Membership.objects.get(user=self.leo))
        with self.assertRaises(PermissionDenied):
            get_editable_conversation_for_user(request, conversation.code)
        denial = AccessEvent.objects.get(action="denied")
        self.assertEqual(denial.criterion, f"read-only: conversation {conversation.code}")

    def test_it_gives_the_caseworker_her_conversation(self) -> None:
        conversation = make_conversation(self.case_a, self.alice, "Hej")
        request = self.request_as(Membership.objects.get(user=self.alice))
        self.assertEqual(
            get_editable_conversation_for_user(request, conversation.code), conversation
        )
        self.assertFalse(AccessEvent.objects.exists())
