from __future__ import annotations

import uuid
from typing import Any

from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from inddrag.accounts.policy import policy_of
from inddrag.audit.models import AccessEvent, ChainHead
from inddrag.municipalities.middleware import SESSION_KEY
from inddrag.municipalities.models import Membership
from inddrag.plans.models import Goal
from inddrag.test import (
    BaseTestCase,
    Route,
    child_login,
    make_case,
    make_child_access,
    make_child_message,
    make_conversation,
    make_decision,
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

CASEWORKER, LEADER, ADMIN = Membership.Role.values
METHODS = ["GET", "POST"]
# Sent with every POST, so that a view that wrongly found the object would also act on it.
POST_DATA = {"reason": "T1-sweep: dette må aldrig ske", "status": "closed", "q": "Bertram"}

# What each Nordby role must get for a Sydby object, per route and method:
#   404  the role may use the view, and the object is invisible (never 403: existence must not
#        leak, ASVS 8.4.1);
#   403  the role may not use the view at all (decided from the role, before any lookup);
#   405  the view does not take the method at all (also decided before any lookup).
# Every one of them must equal the answer for an id that does not exist anywhere.
CASE_ANSWERS = {
    "GET": {CASEWORKER: 404, LEADER: 404, ADMIN: 403},
    "POST": {CASEWORKER: 405, LEADER: 405, ADMIN: 403},
}
EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "children:case_detail": CASE_ANSWERS,
    "children:reveal_cpr": {
        "GET": {CASEWORKER: 405, LEADER: 405, ADMIN: 403},
        "POST": {CASEWORKER: 404, LEADER: 404, ADMIN: 403},
    },
    "accounts:disable": {
        "GET": {CASEWORKER: 403, LEADER: 403, ADMIN: 404},
        "POST": {CASEWORKER: 403, LEADER: 403, ADMIN: 404},
    },
    # Only a caseworker records decisions: the leader is refused by role, before any lookup.
    "decisions:create": {
        "GET": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
        "POST": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
    },
    "decisions:detail": CASE_ANSWERS,
    # Only a caseworker records or edits a conversation: the leader is refused by role.
    "conversations:create": {
        "GET": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
        "POST": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
    },
    "conversations:detail": CASE_ANSWERS,
    "conversations:edit": {
        "GET": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
        "POST": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
    },
}
# Network and measures: only a caseworker writes them, the leader is refused by role.
for _name in ["network_add", "network_edit", "network_end", "measure_add", "measure_edit"]:
    EXPECTED[f"children:{_name}"] = {
        "GET": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
        "POST": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
    }
# The handover: the one write a leader may make (for the cases of the unit they lead).
EXPECTED["children:handover"] = {
    "GET": {CASEWORKER: 404, LEADER: 404, ADMIN: 403},
    "POST": {CASEWORKER: 404, LEADER: 404, ADMIN: 403},
}
# The staff side of the child channel, and meetings.
EXPECTED["channel:access"] = {  # POST saves the access settings (simple mode, contact)
    "GET": {CASEWORKER: 404, LEADER: 404, ADMIN: 403},
    "POST": {CASEWORKER: 404, LEADER: 404, ADMIN: 403},
}
EXPECTED["channel:message"] = {  # POST answers the message (the leader: a logged 403 later)
    "GET": {CASEWORKER: 404, LEADER: 404, ADMIN: 403},
    "POST": {CASEWORKER: 404, LEADER: 404, ADMIN: 403},
}
for _name in ["channel:invite", "channel:reset"]:
    EXPECTED[_name] = {
        "GET": {CASEWORKER: 405, LEADER: 403, ADMIN: 403},
        "POST": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
    }
for _name in ["meeting_create", "meeting_record", "meeting_summary"]:
    EXPECTED[f"conversations:{_name}"] = {
        "GET": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
        "POST": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
    }
EXPECTED["conversations:meeting_detail"] = CASE_ANSWERS
EXPECTED["conversations:meeting_copy_statement"] = {
    "GET": {CASEWORKER: 405, LEADER: 403, ADMIN: 403},
    "POST": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
}
# Barnets plan, letters and recommendations: only a caseworker writes; a leader reads.
STAFF_WRITES = {
    "GET": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
    "POST": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
}
STAFF_POSTS = {  # a POST-only action
    "GET": {CASEWORKER: 405, LEADER: 403, ADMIN: 403},
    "POST": {CASEWORKER: 404, LEADER: 403, ADMIN: 403},
}
STAFF_READS = {  # a page to read, GET only
    "GET": {CASEWORKER: 404, LEADER: 404, ADMIN: 403},
    "POST": {CASEWORKER: 405, LEADER: 405, ADMIN: 403},
}
for _name in ["create", "goal_add", "goal_edit", "goal_remove", "approve"]:
    EXPECTED[f"plans:{_name}"] = STAFF_WRITES
EXPECTED["plans:take_proposal"] = STAFF_WRITES
EXPECTED["plans:detail"] = STAFF_READS
EXPECTED["plans:compare"] = STAFF_READS
for _name in ["create", "edit", "recommendation_create", "recommendation_edit"]:
    EXPECTED[f"letters:{_name}"] = STAFF_WRITES
EXPECTED["letters:send"] = STAFF_POSTS
for _name in ["detail", "pdf", "recommendation_detail", "recommendation_pdf"]:
    EXPECTED[f"letters:{_name}"] = STAFF_READS


def answers(allowed: set[str], methods: set[str]) -> dict[str, dict[str, int]]:
    """A role the view does not allow: 403; an allowed role: 404 for a method the view takes,
    405 for one it does not."""
    return {
        method: {
            role: (404 if method in methods else 405) if role in allowed else 403
            for role in (CASEWORKER, LEADER, ADMIN)
        }
        for method in METHODS
    }


GET, POST, BOTH = {"GET"}, {"POST"}, {"GET", "POST"}
# Reflection, training and the implementation groups (issue 7).
EXPECTED |= {
    "reflection:detail": answers({CASEWORKER, LEADER}, GET),
    "reflection:edit": answers({CASEWORKER}, BOTH),
    "reflection:session_detail": answers({CASEWORKER, LEADER}, GET),
    "reflection:session_edit": answers({LEADER}, BOTH),
    "reflection:vignette_add": answers({LEADER}, BOTH),
    "reflection:follow_up_add": answers({LEADER}, POST),
    "reflection:follow_up_done": answers({CASEWORKER, LEADER}, POST),
    "training:module_detail": answers({CASEWORKER, LEADER, ADMIN}, GET),
    "training:session_detail": answers({LEADER}, BOTH),
    "training:step_done": answers({CASEWORKER}, POST),
    "implementation:group_detail": answers({LEADER, ADMIN}, GET),
    "implementation:group_edit": answers({LEADER, ADMIN}, BOTH),
    "implementation:meeting_create": answers({LEADER, ADMIN}, BOTH),
    "implementation:meeting_detail": answers({LEADER, ADMIN}, BOTH),
    # Reminders (issue 8): a caseworker's own, by code.
    "reminders:dismiss": answers({CASEWORKER}, POST),
    "reminders:undo": answers({CASEWORKER}, POST),
}
# Shared across municipalities by design, and never holding case data (tested in
# inddrag/implementation/tests/test_dialogue.py): the dialogue space's posts.
ACROSS_MUNICIPALITIES = {"implementation:dialogue_post"}
# The child's own pages: a Nordby child gets what a Sydby id that does not exist gets.
CHILD_EXPECTED: dict[str, dict[str, int]] = {
    "portal:meeting": {"GET": 404, "POST": 405},
    "portal:prepare": {"GET": 404, "POST": 404},
    "portal:feedback": {"GET": 404, "POST": 404},
    "portal:check_in": {"GET": 404, "POST": 404},
    "portal:letter": {"GET": 404, "POST": 405},
    "portal:call_me": {"GET": 404, "POST": 404},
}
# Tables whose rows change on every request by design; everything else must stay as it was.
CHANGING_MODELS = {AccessEvent, ChainHead, apps.get_model("sessions", "Session")}


def _is_child_route(route: Route) -> bool:
    policy = policy_of(route.callback)
    return policy is not None and policy.is_child


class TenantSweepTestCase(BaseTestCase):
    """T1: nobody in Nordby reaches anything of Sydby's, through any route and any method."""

    def setUp(self) -> None:
        self.sydby_decision = make_decision(self.case_b, self.bob)
        self.sydby_conversation = make_conversation(self.case_b, self.bob, "Bertram siger hej")
        self.sydby_member = make_network_member(self.case_b, name="Bertrams far")
        self.sydby_measure = make_measure(self.case_b)
        self.sydby_meeting = make_meeting(self.case_b, self.bob)
        self.sydby_plan = make_plan(self.case_b, self.bob, approved=True)
        self.sydby_draft = self.sydby_plan.versions.get(approved_at__isnull=True)
        self.sydby_proposal = make_goal_proposal(
            self.sydby_plan, child_words="Bertram vil gerne gå til fodbold."
        )
        self.sydby_practice = self.make_sydby_practice()
        self.sydby_letter = make_letter(self.case_b, self.bob, sent=True)
        self.sydby_draft_letter = make_letter(self.case_b, self.bob)
        self.sydby_recommendation = make_recommendation(self.case_b, self.bob)
        self.sydby_message = make_child_message(self.case_b, text="Bertram vil tale med dig")
        self.sydby_reminder = make_reminder(self.case_b, self.bob)

    def make_sydby_practice(self) -> dict[str, list[dict[str, Any]]]:
        """Sydby's reflections, sessions, modules and groups (issue 7), made once in setUp."""
        reflection = make_reflection(self.bob, shared=True)
        session = make_reflection_session(self.syd, self.bea)
        module = make_module(self.sydby, in_onboarding=True)
        group = make_group(self.sydby)
        return {
            "reflection:detail": [{"code": reflection.code}],
            "reflection:edit": [{"code": reflection.code}],
            "reflection:session_detail": [{"code": session.code}],
            "reflection:session_edit": [{"code": session.code}],
            "reflection:vignette_add": [{"code": session.code}],
            "reflection:follow_up_add": [{"code": session.code}],
            "reflection:follow_up_done": [{"code": make_follow_up(session, self.bob).code}],
            "training:module_detail": [{"code": module.code}],
            "training:session_detail": [
                {"code": make_training_session(module, self.sydby, self.bea).code}
            ],
            "training:step_done": [{"module": module.code}],
            "implementation:group_detail": [{"code": group.code}],
            "implementation:group_edit": [{"code": group.code}],
            "implementation:meeting_create": [{"code": group.code}],
            "implementation:meeting_detail": [{"code": make_group_meeting(group, self.bea).code}],
        }

    @property
    def sydby_goal(self) -> Goal:
        goal = self.sydby_draft.goals.first()
        assert goal is not None
        return goal

    def sydby_objects(self, route: Route) -> list[dict[str, Any]]:
        """The URL parameters that point at Sydby's objects, for each route that takes an id.
        A new route with a parameter must be added here (and to EXPECTED), or the sweep fails."""
        cases = [{"code": self.case_b.code}]
        users = [{"code": user.code} for user in (self.bob, self.bea, self.bo)]
        fillers = {
            "children:case_detail": cases,
            "children:reveal_cpr": cases,
            "accounts:disable": users,
            "decisions:create": [{"case_code": self.case_b.code}],
            "decisions:detail": [{"code": self.sydby_decision.code}],
            "conversations:create": [{"case_code": self.case_b.code}],
            "conversations:detail": [{"code": self.sydby_conversation.code}],
            "conversations:edit": [{"code": self.sydby_conversation.code}],
            "children:network_add": cases,
            "children:network_edit": [{"code": self.case_b.code, "member": self.sydby_member.code}],
            "children:network_end": [{"code": self.case_b.code, "member": self.sydby_member.code}],
            "children:measure_add": cases,
            "children:measure_edit": [
                {"code": self.case_b.code, "measure": self.sydby_measure.code}
            ],
            "children:handover": cases,
            "channel:access": cases,
            "channel:invite": cases,
            "channel:reset": cases,
            "channel:message": [{"code": self.sydby_message.code}],
            "conversations:meeting_create": [{"case_code": self.case_b.code}],
            "conversations:meeting_detail": [{"code": self.sydby_meeting.code}],
            "conversations:meeting_record": [{"code": self.sydby_meeting.code}],
            "conversations:meeting_summary": [{"code": self.sydby_meeting.code}],
            "conversations:meeting_copy_statement": [{"code": self.sydby_meeting.code}],
            "portal:meeting": [{"code": self.sydby_meeting.code}],
            "portal:prepare": [{"code": self.sydby_meeting.code}],
            "portal:feedback": [{"code": self.sydby_meeting.code}],
            "plans:create": [{"case_code": self.case_b.code}],
            "plans:detail": [{"code": self.sydby_plan.code}],
            "plans:goal_add": [{"code": self.sydby_plan.code}],
            "plans:goal_edit": [{"code": self.sydby_plan.code, "goal": self.sydby_goal.code}],
            "plans:goal_remove": [{"code": self.sydby_plan.code, "goal": self.sydby_goal.code}],
            "plans:approve": [{"code": self.sydby_plan.code}],
            "plans:compare": [{"code": self.sydby_plan.code}],
            "plans:take_proposal": [
                {"code": self.sydby_plan.code, "proposal": self.sydby_proposal.code}
            ],
            "portal:check_in": [{"key": self.sydby_goal.key}],
            "letters:create": [{"case_code": self.case_b.code}],
            "letters:detail": [{"code": self.sydby_letter.code}],
            "letters:edit": [{"code": self.sydby_draft_letter.code}],
            "letters:send": [{"code": self.sydby_draft_letter.code}],
            "letters:pdf": [{"code": self.sydby_letter.code}],
            "letters:recommendation_create": [{"case_code": self.case_b.code}],
            "letters:recommendation_detail": [{"code": self.sydby_recommendation.code}],
            "letters:recommendation_edit": [{"code": self.sydby_recommendation.code}],
            "letters:recommendation_pdf": [{"code": self.sydby_recommendation.code}],
            "portal:letter": [{"code": self.sydby_letter.code}],
            "portal:call_me": [{"code": self.sydby_letter.code}],
            "reminders:dismiss": [{"code": self.sydby_reminder.code}],
            "reminders:undo": [{"code": self.sydby_reminder.code}],
            **self.sydby_practice,
        }
        if route.name not in fillers:
            self.fail(
                f"The T1 sweep does not know how to fill {route.route!r} ({route.name}): add its "
                "parameters to sydby_objects() and its expected answers to EXPECTED."
            )
        return fillers[route.name]

    def routes_with_ids(self, *, child: bool = False) -> list[Route]:
        """Staff routes with an id, or (child=True) the child channel's."""
        return [
            route
            for route in walk_urlpatterns()
            if route.params
            and _is_child_route(route) == child
            and route.name not in ACROSS_MUNICIPALITIES
        ]

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every table, except those that change on each request by design."""
        return {
            model._meta.label: list(model._default_manager.order_by("pk").values())
            for model in apps.get_models()
            if model not in CHANGING_MODELS and not model._meta.proxy
        }

    def test_it_knows_every_route_that_takes_an_id(self) -> None:
        """T1: a route the sweep cannot fill fails here, so new routes get swept too."""
        routes = self.routes_with_ids()
        self.assertTrue(routes)
        for route in routes:
            with self.subTest(route=route.route):
                self.assertIsNotNone(route.name, f"{route.route!r} needs a name to be swept")
                self.assertNotIn("?", route.params, "unnamed URL parameters cannot be filled")
                for kwargs in self.sydby_objects(route):
                    self.assertEqual(set(kwargs), set(route.params))
                self.assertIn(route.name, EXPECTED)
                self.assertEqual(set(EXPECTED[str(route.name)]), set(METHODS))
        # And nothing in the tables that is no longer in the URLconf.
        self.assertEqual(set(EXPECTED), {route.name for route in routes})
        child_routes = self.routes_with_ids(child=True)
        for route in child_routes:
            for kwargs in self.sydby_objects(route):
                self.assertEqual(set(kwargs), set(route.params))
        self.assertEqual(set(CHILD_EXPECTED), {route.name for route in child_routes})

    def test_it_answers_404_to_a_child_for_everything_of_another_municipality(self) -> None:
        """T1 for the child role: a Nordby child signed in to the child channel gets, for every
        child route with a Sydby id, exactly what a non-existent id gets (404, or 405 for a
        method the view does not take); each refusal is logged; nothing changes. Staff
        signed in get no child page at all: the child's sign-in page."""
        access = make_child_access(self.case_a, self.alice)
        child_login(self.client, access)
        before = self.snapshot()
        checked = 0
        for route in self.routes_with_ids(child=True):
            assert route.name is not None
            for kwargs in self.sydby_objects(route):
                url = reverse(route.name, kwargs=kwargs)
                nowhere = reverse(route.name, kwargs={k: uuid.uuid4() for k in kwargs})
                for method in METHODS:
                    expected = CHILD_EXPECTED[route.name][method]
                    with self.subTest(url=url, method=method):
                        r = self.request(method, url, {})
                        self.assertEqual(r.status_code, expected)
                        self.assertEqual(self.request(method, nowhere, {}).status_code, expected)
                        self.assertNotContains(r, "Bertram", status_code=expected)
                        if expected == 404:
                            self.assertEqual(self.denials_of(r), 1)
                        checked += 1
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(checked, 2 * len(CHILD_EXPECTED))
        # A staff login alone opens no child page.
        self.client.post(reverse("portal:logout"))
        self.login(self.bob)
        for route in self.routes_with_ids(child=True):
            assert route.name is not None
            url = reverse(route.name, kwargs=self.sydby_objects(route)[0])
            with self.subTest(staff_url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 302)
                self.assertTrue(r["Location"].startswith(reverse("portal:unlock")))

    def test_it_answers_404_for_every_object_of_another_municipality(self) -> None:
        """T1: every route with an id, with GET and POST, plain and HTMX, as every Nordby role:
        the exact status of EXPECTED, the same as for an id that does not exist, never a
        success; each refusal is logged as a denial (T5); no row changes anywhere."""
        routes = self.routes_with_ids()
        checked = 0
        for user in [self.alice, self.leo, self.ada]:
            self.login(user)  # signing in writes last_login and axes' log: before the snapshot
            before = self.snapshot()
            role = Membership.objects.get(user=user).role
            for route in routes:
                assert route.name is not None
                for kwargs in self.sydby_objects(route):
                    url = reverse(route.name, kwargs=kwargs)
                    nowhere = reverse(route.name, kwargs={k: uuid.uuid4() for k in kwargs})
                    for method in METHODS:
                        expected = EXPECTED[route.name][method][role]
                        for headers in [{}, {"HX-Request": "true"}]:
                            with self.subTest(
                                user=user.username, url=url, method=method, headers=headers
                            ):
                                r = self.request(method, url, headers)
                                self.assertEqual(r.status_code, expected)
                                self.assertGreaterEqual(r.status_code, 400)
                                self.assertEqual(
                                    self.request(method, nowhere, headers).status_code, expected
                                )
                                self.assertNotContains(r, "Bertram", status_code=expected)
                                self.assertNotContains(
                                    r, self.case_b.reference, status_code=expected
                                )
                                if expected in (403, 404):
                                    self.assertEqual(
                                        self.denials_of(r), 1, "refusal not in the access log"
                                    )
                                checked += 1
            self.assertEqual(self.snapshot(), before)
        self.assertEqual(checked, 3 * 2 * 2 * sum(len(self.sydby_objects(r)) for r in routes))
        self.assertFalse(
            AccessEvent.objects.filter(
                action__in=["read", "reveal_cpr", "account_disabled"]
            ).exists()
        )

    def request(self, method: str, url: str, headers: dict[str, str]) -> Any:
        if method == "GET":
            return self.client.get(url, headers=headers)
        return self.client.post(url, POST_DATA, headers=headers)

    def denials_of(self, response: Any) -> int:
        return AccessEvent.objects.filter(
            request_id=response["X-Request-ID"], action=AccessEvent.Action.DENIED
        ).count()

    def make_sydby_traffic(self) -> None:
        """Bob reads, searches and reveals in Sydby, so Sydby's log names Bertram."""
        self.login(self.bob)
        self.client.get("/sager/")
        self.client.post("/sager/", {"q": "Bertram"})
        self.client.get(self.case_b.get_absolute_url())
        self.client.post(self.case_b.get_absolute_url() + "cpr/")
        self.client.logout()
        self.assertTrue(
            AccessEvent.objects.filter(municipality=self.sydby, child=self.case_b.child).exists()
        )

    def test_it_keeps_sydby_out_of_nordby_case_lists(self) -> None:
        """T1: no list, search or HTMX partial in Nordby shows Sydby's children."""
        self.make_sydby_traffic()
        for user in [self.alice, self.leo]:
            self.login(user)
            responses = [
                self.client.get("/sager/", {"status": "all"}),
                self.client.get("/sager/", {"status": "all"}, headers={"HX-Request": "true"}),
            ]
            for q in ["Bertram", self.case_b.reference, self.case_b.child.cpr, "Fiktivsen"]:
                responses.append(
                    self.client.post(
                        "/sager/", {"q": q, "status": "all"}, headers={"HX-Request": "true"}
                    )
                )
            for r in responses:
                with self.subTest(user=user.username, request=r.wsgi_request.POST or "list"):
                    self.assertEqual(r.status_code, 200)
                    self.assertNotContains(r, "Bertram")
                    self.assertNotContains(r, self.case_b.reference)
                    cases = list(r.context["page"].object_list)  # CaseloadItems
                    self.assertNotIn(self.case_b.code, [c.code for c in cases])
                    self.assertEqual({c.municipality_id for c in cases} - {self.nordby.pk}, set())

    def test_it_keeps_sydby_out_of_the_nordby_access_log(self) -> None:
        """T1: Nordby's administrator sees no event of Sydby's, searched for or not."""
        self.make_sydby_traffic()
        self.login(self.ada)
        responses = [self.client.get("/adgangslog/")]
        for data in [
            {"username": "bob"},
            {"child": self.case_b.reference},
            {"child": self.case_b.child.cpr},
            {"action": "reveal_cpr"},
            {"date_from": "2000-01-01", "date_to": "2100-01-01"},
        ]:
            responses.append(self.client.post("/adgangslog/", data))
        for r in responses:
            with self.subTest(request=r.wsgi_request.POST or "page"):
                self.assertEqual(r.status_code, 200)
                self.assertNotContains(r, "Bertram")
                self.assertNotContains(r, "<td>bob</td>", html=True)
                rows = [event for event, _name in r.context["rows"]]
                self.assertEqual({e.municipality_id for e in rows} - {self.nordby.pk}, set())

    def test_it_keeps_sydby_users_out_of_nordby_user_pages(self) -> None:
        """T1: Nordby's administrator neither lists nor can act on Sydby's staff."""
        self.login(self.ada)
        r = self.client.get("/konto/brugere/")
        members = set(r.context["members"])
        self.assertEqual(members, {self.alice, self.anna, self.leo, self.ada})
        for username in ["bob", "bea", "bo"]:
            self.assertNotContains(r, f"<td>{username}</td>", html=True)

    def test_it_keeps_sydby_lockouts_out_of_nordby(self) -> None:
        """T1: a locked Sydby account is neither listed nor unlocked by Nordby's staff."""
        attempt = AccessAttempt.objects.create(
            username="bob",
            ip_address="192.0.2.1",
            user_agent="test",
            http_accept="*/*",
            path_info="/konto/login/",
            get_data="",
            post_data="",
            failures_since_start=settings.AXES_FAILURE_LIMIT,
        )
        for user in [self.leo, self.ada]:
            self.login(user)
            with self.subTest(user=user.username):
                r = self.client.get("/konto/spaerringer/")
                self.assertEqual(r.context["rows"], [])
                self.assertNotContains(r, "(bob)")
                r = self.client.post(
                    "/konto/spaerringer/", {"username": "bob", "reason": "Jeg har tjekket det."}
                )
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, "Kontoen er ikke spærret, eller den hører ikke til")
                self.assertTrue(AccessAttempt.objects.filter(pk=attempt.pk).exists())
        self.assertFalse(AccessEvent.objects.filter(action="lockout_lifted").exists())

    def test_it_does_not_let_a_nordby_user_choose_a_sydby_membership(self) -> None:
        """T1: the role chooser takes a membership code from the form; Bob's is refused."""
        self.login(self.alice)
        bobs = Membership.objects.get(user=self.bob)
        r = self.client.post("/kommune/vaelg/", {"membership": str(bobs.code)})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Vælg en af dine roller på listen.")
        self.assertNotIn(SESSION_KEY, self.client.session)
        r = self.client.get("/sager/")
        self.assertEqual(r.context["membership"].municipality, self.nordby)

    def test_it_does_not_let_a_user_in_both_municipalities_mix_them(self) -> None:
        """T1: with a role in each municipality, Alice sees only the chosen one's cases."""
        Membership.objects.create(
            user=self.alice, municipality=self.sydby, role=CASEWORKER, unit=self.syd
        )
        sydby_case = make_case(self.syd, self.alice, first_name="Sigurd")
        self.login(self.alice)
        for municipality, visible, invisible in [
            (self.nordby, self.case_a, sydby_case),
            (self.sydby, sydby_case, self.case_a),
        ]:
            with self.subTest(municipality=municipality.name):
                chosen = Membership.objects.get(user=self.alice, municipality=municipality)
                self.client.post("/kommune/vaelg/", {"membership": str(chosen.code)})
                r = self.client.get("/sager/", {"status": "all"})
                self.assertEqual([c.code for c in r.context["page"].object_list], [visible.code])
                self.assertEqual(self.client.get(invisible.get_absolute_url()).status_code, 404)
                self.assertEqual(self.client.get(visible.get_absolute_url()).status_code, 200)
