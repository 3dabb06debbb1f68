from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inddrag.accounts.policy import policy_of
from inddrag.audit.models import AccessEvent
from inddrag.children.models import NetworkMember
from inddrag.conversations.models import Conversation, Meeting
from inddrag.decisions.models import Decision
from inddrag.implementation.models import Group
from inddrag.letters.models import Letter, Recommendation
from inddrag.plans.models import Plan
from inddrag.portal.models import ChildMessage
from inddrag.reflection.models import ReflectionSession
from inddrag.test import (
    BaseTestCase,
    child_login,
    make_child_access,
    make_child_message,
    make_conversation,
    make_decision,
    make_dialogue_post,
    make_follow_up,
    make_goal_proposal,
    make_group,
    make_group_meeting,
    make_letter,
    make_measure,
    make_meeting,
    make_module,
    make_network_member,
    make_plan,
    make_recommendation,
    make_reflection,
    make_reflection_session,
    make_reminder,
    make_training_session,
    walk_urlpatterns,
)
from inddrag.training.models import Module

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
    "conversations_meeting",
    "conversations_meetingpreparation",
    "conversations_preparationanswer",
    "conversations_meetingfeedback",
    "portal_childaccess",
    "portal_childmessage",
    "plans_plan",
    "plans_planversion",
    "plans_goal",
    "plans_goalproposal",
    "plans_goalcheckin",
    "letters_letter",
    "letters_recommendation",
    "letters_quote",
    "reminders_reminder",
)


class AuditCompletenessTestCase(BaseTestCase):
    """T5: every request that touches a child's data writes an access event in that request.

    Walks the whole URLconf as every staff role, with GET and POST, captures the SQL of each
    request, and wherever a query read or wrote a child-data table, requires a new AccessEvent
    (a read, list, search, reveal or denial). A new view that reads child data without logging
    fails here without anyone having to remember to write a test for it."""

    def plan(self) -> Plan:
        return Plan.objects.filter(case=self.case_a).first() or make_plan(
            self.case_a, self.alice, approved=True
        )

    def fill_issue_6(self, params: tuple[str, ...], name: str) -> dict[str, str] | None:
        """Barnets plan, letters and recommendations (issue 6)."""
        if params == ("case_code",):
            return {"case_code": str(self.case_a.code)}
        if name.startswith("plans:"):
            plan = self.plan()
            draft = plan.versions.get(approved_at__isnull=True)
            filled = {"code": str(plan.code)}
            if "goal" in params:
                filled["goal"] = str(draft.goals.values_list("code", flat=True)[0])
            if "proposal" in params:
                proposal = plan.proposals.first() or make_goal_proposal(
                    plan, child_words="Jeg vil gerne gå til svømning."
                )
                filled["proposal"] = str(proposal.code)
            return filled
        if name == "portal:check_in":
            approved = self.plan().versions.filter(approved_at__isnull=False).first()
            assert approved is not None
            return {"key": str(approved.goals.values_list("key", flat=True)[0])}
        if name.startswith("letters:recommendation_"):
            recommendation = Recommendation.objects.filter(case=self.case_a).first()
            recommendation = recommendation or make_recommendation(self.case_a, self.alice)
            return {"code": str(recommendation.code)}
        if name.startswith("letters:"):
            letter = Letter.objects.filter(case=self.case_a, sent_at__isnull=True).first()
            return {"code": str((letter or make_letter(self.case_a, self.alice)).code)}
        if name in ("portal:letter", "portal:call_me"):
            letter = Letter.objects.filter(case=self.case_a, sent_at__isnull=False).first()
            letter = letter or make_letter(self.case_a, self.alice, sent=True)
            return {"code": str(letter.code)}
        return None

    def fill_issue_7(self, name: str) -> dict[str, str] | None:
        """Reflection, training and the implementation groups (issue 7)."""
        if name in ("reflection:detail", "reflection:edit"):
            return {"code": str(make_reflection(self.alice, shared=True).code)}
        session = ReflectionSession.objects.first() or make_reflection_session(self.vest, self.leo)
        if name.startswith("reflection:session_") or name in (
            "reflection:vignette_add",
            "reflection:follow_up_add",
        ):
            return {"code": str(session.code)}
        if name == "reflection:follow_up_done":
            return {"code": str(make_follow_up(session, self.alice).code)}
        module = Module.objects.filter(municipality=self.nordby).first() or make_module(
            self.nordby, in_onboarding=True
        )
        if name == "training:module_detail":
            return {"code": str(module.code)}
        if name == "training:step_done":
            return {"module": str(module.code)}
        if name == "training:session_detail":
            return {"code": str(make_training_session(module, self.nordby, self.leo).code)}
        group = Group.objects.filter(municipality=self.nordby).first() or make_group(self.nordby)
        if name in ("implementation:group_detail", "implementation:group_edit"):
            return {"code": str(group.code)}
        if name == "implementation:meeting_create":
            return {"code": str(group.code)}
        if name == "implementation:meeting_detail":
            return {"code": str(make_group_meeting(group, self.leo).code)}
        if name == "implementation:dialogue_post":
            return {"code": str(make_dialogue_post(self.leo).code)}
        return None

    def fill(self, params: tuple[str, ...], name: str | None) -> dict[str, str] | None:
        if not params:
            return {}
        if name in ("reminders:dismiss", "reminders:undo"):
            return {"code": str(make_reminder(self.case_a, self.alice).code)}
        if name and name.split(":")[0] in ("reflection", "training", "implementation"):
            return self.fill_issue_7(name)
        if (
            name
            and name.split(":")[0] in ("plans", "letters")
            or name
            in (
                "portal:check_in",
                "portal:letter",
                "portal:call_me",
            )
        ):
            return self.fill_issue_6(params, str(name))
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
        if params == ("case_code",) and name in (
            "conversations:create",
            "conversations:meeting_create",
        ):
            return {"case_code": str(self.case_a.code)}
        if (
            params == ("code",)
            and name
            and (
                name.startswith("conversations:meeting_")
                or name in ("portal:meeting", "portal:prepare", "portal:feedback")
            )
        ):
            meeting = Meeting.objects.filter(case=self.case_a).first()
            return {"code": str((meeting or make_meeting(self.case_a, self.alice)).code)}
        if params == ("code",) and name in ("channel:access", "channel:invite", "channel:reset"):
            return {"code": str(self.case_a.code)}
        if params == ("code",) and name == "channel:message":
            message = ChildMessage.objects.filter(case=self.case_a).first()
            message = message or make_child_message(self.case_a)
            return {"code": str(message.code)}
        if params == ("code",) and name and name.startswith("conversations:"):
            conversation = Conversation.objects.filter(case=self.case_a).first()
            conversation = conversation or make_conversation(self.case_a, self.alice, "Hej")
            return {"code": str(conversation.code)}
        if params == ("code",) and name and name.startswith("accounts:"):
            return {"code": str(self.anna.code)}
        return None

    def test_it_logs_every_request_of_the_child_that_touches_child_data(self) -> None:
        """T5 for the child role: every child page, GET and POST, as a signed-in child."""
        access = make_child_access(self.case_a, self.alice)
        checked = 0
        for route in walk_urlpatterns():
            policy = policy_of(route.callback)
            if route.name is None or policy is None or not policy.is_child:
                continue
            kwargs = self.fill(route.params, route.name)
            assert kwargs is not None
            url = reverse(route.name, kwargs=kwargs)
            for method in ["get", "post"]:
                child_login(self.client, access)
                before = AccessEvent.objects.count()
                with CaptureQueriesContext(connection) as queries:
                    response = getattr(self.client, method)(url, {"text": "Asta"})
                touched = [
                    q["sql"]
                    for q in queries.captured_queries
                    if any(table in q["sql"] for table in CHILD_TABLES)
                    # The session middleware's lookup of the device (signing in, not a use).
                    and 'FROM "portal_devicesession"' not in q["sql"]
                ]
                with self.subTest(method=method, url=url, status=response.status_code):
                    if touched:
                        checked += 1
                        self.assertGreater(
                            AccessEvent.objects.count(),
                            before,
                            f"{method.upper()} {url} read child data without an access event:"
                            f" {touched[0][:120]}",
                        )
        self.assertGreater(checked, 5)

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
