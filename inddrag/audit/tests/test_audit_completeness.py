from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inddrag.audit.models import AccessEvent
from inddrag.children.models import NetworkMember
from inddrag.conversations.models import Conversation
from inddrag.decisions.models import Decision
from inddrag.test import (
    BaseTestCase,
    make_conversation,
    make_decision,
    make_measure,
    make_network_member,
    walk_urlpatterns,
)

# Tables that hold a child's personal data. A new one belongs here (and in the access log).
CHILD_TABLES = (
    "children_child",
    "children_case",
    "children_assignment",
    "children_networkmember",
    "children_measure",
    "children_handover",
    "decisions_decision",
    "conversations_conversation",
    "conversations_statement",
)


class AuditCompletenessTestCase(BaseTestCase):
    """T5: every request that touches a child's data writes an access event in that request.

    Walks the whole URLconf as every staff role, with GET and POST, captures the SQL of each
    request, and wherever a query read or wrote a child-data table, requires a new AccessEvent
    (a read, list, search, reveal or denial). A new view that reads child data without logging
    fails here without anyone having to remember to write a test for it."""

    def fill(self, params: tuple[str, ...], name: str | None) -> dict[str, str] | None:
        if not params:
            return {}
        if params == ("code",) and name and name.startswith("children:"):
            return {"code": str(self.case_a.code)}
        if params == ("code", "member"):
            member = NetworkMember.objects.filter(child=self.case_a.child).first()
            member = member or make_network_member(self.case_a)
            return {"code": str(self.case_a.code), "member": str(member.code)}
        if params == ("code", "measure"):
            measure = self.case_a.measures.first() or make_measure(self.case_a)
            return {"code": str(self.case_a.code), "measure": str(measure.code)}
        if params == ("case_code",) and name == "decisions:create":
            return {"case_code": str(self.case_a.code)}
        if params == ("code",) and name == "decisions:detail":
            decision = Decision.objects.filter(case=self.case_a).first()
            return {"code": str((decision or make_decision(self.case_a, self.alice)).code)}
        if params == ("case_code",) and name == "conversations:create":
            return {"case_code": str(self.case_a.code)}
        if params == ("code",) and name and name.startswith("conversations:"):
            conversation = Conversation.objects.filter(case=self.case_a).first()
            conversation = conversation or make_conversation(self.case_a, self.alice, "Hej")
            return {"code": str(conversation.code)}
        if params == ("code",) and name and name.startswith("accounts:"):
            return {"code": str(self.anna.code)}
        return None

    def test_it_logs_every_request_that_touches_child_data(self) -> None:
        checked = 0
        for user in [self.alice, self.leo, self.ada]:
            self.login(user)
            for route in walk_urlpatterns():
                kwargs = self.fill(route.params, route.name)
                self.assertIsNotNone(kwargs, f"T5 sweep cannot fill {route.route}: teach fill()")
                if route.name is None or route.name in {"accounts:logout"}:
                    continue  # logging out ends the sweep's session; it reads no child data
                url = reverse(route.name, kwargs=kwargs)
                for method in ["get", "post"]:
                    before = AccessEvent.objects.count()
                    denied_before = AccessEvent.objects.filter(action="denied").count()
                    with CaptureQueriesContext(connection) as queries:
                        response = getattr(self.client, method)(url, {"q": "Asta"})
                    touched = [
                        q["sql"]
                        for q in queries.captured_queries
                        if any(table in q["sql"] for table in CHILD_TABLES)
                    ]
                    with self.subTest(user=user.username, method=method, url=url):
                        if touched:
                            checked += 1
                            self.assertGreater(
                                AccessEvent.objects.count(),
                                before,
                                f"{method.upper()} {url} read child data without an access event:"
                                f" {touched[0][:120]}",
                            )
                        if response.status_code in (403, 404):
                            denied = AccessEvent.objects.filter(action="denied").count()
                            self.assertEqual(denied, denied_before + 1, "denial not logged")
        self.assertGreater(checked, 5)  # the sweep really reached the case pages
