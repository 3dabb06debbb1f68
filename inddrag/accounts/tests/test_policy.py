"""T2: the role × view matrix. `MATRIX` is the declared policy; the tests compare it with what
every view in the URLconf actually carries, and with what each role actually gets."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import get_resolver, path, reverse

from inddrag import urls as project_urls
from inddrag.accounts.policy import CHILD, OPERATOR, Policy, policy_of, public
from inddrag.audit.models import AccessEvent
from inddrag.children.models import NetworkMember
from inddrag.conversations.models import Conversation, Meeting
from inddrag.decisions.models import Decision
from inddrag.implementation.models import Group
from inddrag.letters.models import Letter, Recommendation
from inddrag.municipalities.models import Membership
from inddrag.plans.models import Goal, Plan
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
    make_user,
    walk_urlpatterns,
)
from inddrag.training.models import Module, OnboardingStep
from inddrag.training.services import start_onboarding

CASEWORKER, LEADER, ADMIN = Membership.Role.values
ROLES = [CASEWORKER, LEADER, ADMIN]
PUBLIC = "public"  # reachable without signing in
SIGNED_IN = "signed in"  # any verified staff user, also before a municipality is chosen
CHILD_ONLY = "child"  # a child with an unlocked device session (the child channel)
OPERATOR_ONLY = "operator"  # the platform operator (User.is_operator), whatever their role

# Who may call which view. A new view must be added here, or test_it_declares_every_view fails.
MATRIX: dict[str, str | frozenset[str]] = {
    "home": SIGNED_IN,
    "health": PUBLIC,
    "favicon": PUBLIC,
    "set_language": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:login_token": PUBLIC,
    "accounts:enrol": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:lockouts": frozenset({LEADER, ADMIN}),
    "accounts:users": frozenset({ADMIN}),
    "accounts:disable": frozenset({ADMIN}),
    "municipalities:choose": SIGNED_IN,
    "children:case_list": frozenset({CASEWORKER, LEADER}),
    "children:case_detail": frozenset({CASEWORKER, LEADER}),
    "children:reveal_cpr": frozenset({CASEWORKER, LEADER}),
    "audit:access_log": frozenset({ADMIN}),
    "decisions:create": frozenset({CASEWORKER}),
    "decisions:detail": frozenset({CASEWORKER, LEADER}),
    "decisions:due_rules": frozenset({ADMIN}),
    "conversations:create": frozenset({CASEWORKER}),
    "conversations:detail": frozenset({CASEWORKER, LEADER}),
    "conversations:edit": frozenset({CASEWORKER}),
    "children:network_add": frozenset({CASEWORKER}),
    "children:network_edit": frozenset({CASEWORKER}),
    "children:network_end": frozenset({CASEWORKER}),
    "children:measure_add": frozenset({CASEWORKER}),
    "children:measure_edit": frozenset({CASEWORKER}),
    "children:handover": frozenset({CASEWORKER, LEADER}),  # a leader hands over for the unit
    # The child channel: the child's own pages (an unlocked child device session, never staff).
    "portal:home": CHILD_ONLY,
    "portal:redeem": PUBLIC,
    "portal:unlock": PUBLIC,
    "portal:logout": PUBLIC,
    "portal:help": PUBLIC,  # static, logs nothing
    "portal:message": CHILD_ONLY,
    "portal:bisidder": CHILD_ONLY,
    "portal:unsafe": CHILD_ONLY,
    "portal:about_me": CHILD_ONLY,
    "portal:messages": CHILD_ONLY,
    "portal:simple_mode": CHILD_ONLY,
    "portal:meeting": CHILD_ONLY,
    "portal:prepare": CHILD_ONLY,
    "portal:feedback": CHILD_ONLY,
    # The staff side of the child channel.
    "channel:access": frozenset({CASEWORKER, LEADER}),
    "channel:invite": frozenset({CASEWORKER}),
    "channel:reset": frozenset({CASEWORKER}),
    "channel:message": frozenset({CASEWORKER, LEADER}),
    "channel:profile": frozenset({CASEWORKER, LEADER}),  # what children see about you
    # Meetings framed with the child.
    "conversations:meeting_create": frozenset({CASEWORKER}),
    "conversations:meeting_detail": frozenset({CASEWORKER, LEADER}),
    "conversations:meeting_record": frozenset({CASEWORKER}),
    "conversations:meeting_summary": frozenset({CASEWORKER}),
    "conversations:meeting_copy_statement": frozenset({CASEWORKER}),
    "conversations:feedback_figures": frozenset({LEADER}),
    # Barnets plan.
    "plans:create": frozenset({CASEWORKER}),
    "plans:detail": frozenset({CASEWORKER, LEADER}),
    "plans:goal_add": frozenset({CASEWORKER}),
    "plans:goal_edit": frozenset({CASEWORKER}),
    "plans:goal_remove": frozenset({CASEWORKER}),
    "plans:approve": frozenset({CASEWORKER}),
    "plans:compare": frozenset({CASEWORKER, LEADER}),
    "plans:take_proposal": frozenset({CASEWORKER}),
    "portal:plan": CHILD_ONLY,
    "portal:check_in": CHILD_ONLY,
    "portal:propose_goal": CHILD_ONLY,
    # Letters and recommendations to the committee.
    "letters:create": frozenset({CASEWORKER}),
    "letters:detail": frozenset({CASEWORKER, LEADER}),
    "letters:edit": frozenset({CASEWORKER}),
    "letters:send": frozenset({CASEWORKER}),
    "letters:pdf": frozenset({CASEWORKER, LEADER}),
    "letters:plain_words": frozenset({ADMIN}),
    "letters:recommendation_create": frozenset({CASEWORKER}),
    "letters:recommendation_detail": frozenset({CASEWORKER, LEADER}),
    "letters:recommendation_edit": frozenset({CASEWORKER}),
    "letters:recommendation_pdf": frozenset({CASEWORKER, LEADER}),
    "portal:letter": CHILD_ONLY,
    "portal:call_me": CHILD_ONLY,
    # Reflection on one's own practice.
    "reflection:create": frozenset({CASEWORKER}),
    "reflection:mine": frozenset({CASEWORKER, LEADER}),
    "reflection:detail": frozenset({CASEWORKER, LEADER}),
    "reflection:edit": frozenset({CASEWORKER}),
    "reflection:question_models": frozenset({ADMIN}),
    "reflection:sessions": frozenset({CASEWORKER, LEADER}),
    "reflection:session_create": frozenset({LEADER}),
    "reflection:session_detail": frozenset({CASEWORKER, LEADER}),
    "reflection:session_edit": frozenset({LEADER}),
    "reflection:vignette_add": frozenset({LEADER}),
    "reflection:follow_up_add": frozenset({LEADER}),
    "reflection:follow_up_done": frozenset({CASEWORKER, LEADER}),
    "reflection:themes": frozenset({LEADER}),
    # Training and onboarding.
    "training:modules": frozenset({CASEWORKER, LEADER, ADMIN}),
    "training:module_detail": frozenset({CASEWORKER, LEADER, ADMIN}),
    "training:module_create": frozenset({LEADER, ADMIN}),
    "training:session_create": frozenset({LEADER}),
    "training:session_detail": frozenset({LEADER}),
    "training:onboarding": frozenset({CASEWORKER}),
    "training:step_done": frozenset({CASEWORKER}),
    "training:overview": frozenset({LEADER}),
    "training:member_add": frozenset({ADMIN}),
    # The implementation groups and the dialogue space across municipalities.
    "implementation:groups": frozenset({LEADER, ADMIN}),
    "implementation:group_detail": frozenset({LEADER, ADMIN}),
    "implementation:group_edit": frozenset({LEADER, ADMIN}),
    "implementation:meeting_create": frozenset({LEADER, ADMIN}),
    "implementation:meeting_detail": frozenset({LEADER, ADMIN}),
    "implementation:dialogue": frozenset({LEADER, ADMIN}),
    "implementation:dialogue_post": frozenset({LEADER, ADMIN}),
    # Leader insights and reminders (issue 8).
    "insights:dashboard": frozenset({LEADER}),
    "insights:cases": frozenset({LEADER}),
    "insights:export": frozenset({LEADER}),
    "insights:target": frozenset({ADMIN}),
    "insights:national": OPERATOR_ONLY,
    "insights:national_export": OPERATOR_ONLY,
    "reminders:inbox": frozenset({CASEWORKER}),
    "reminders:dismiss": frozenset({CASEWORKER}),
    "reminders:undo": frozenset({CASEWORKER}),
}
# What a view needs in its query string to answer an allowed role with its page (the role walk).
QUERIES = {
    "insights:cases": "?figure=not_heard",
    "insights:export": "?table=cases&figure=not_heard&format=csv",
}
# Views that only take POST are requested with POST in the role walk; the rest with GET.
POST_ONLY = {
    "children:reveal_cpr",
    "channel:invite",
    "channel:reset",
    "conversations:meeting_copy_statement",
    "letters:send",
    "training:step_done",
    "reflection:follow_up_add",
    "reflection:follow_up_done",
    "reminders:dismiss",
    "reminders:undo",
}


def declared_policy(entry: str | frozenset[str]) -> Policy:
    if entry == PUBLIC:
        return Policy(roles=frozenset(), is_public=True, needs_membership=False)
    if entry == SIGNED_IN:
        return Policy(roles=frozenset(ROLES), needs_membership=False)
    if entry == CHILD_ONLY:
        return Policy(roles=frozenset({CHILD}), needs_membership=False, is_child=True)
    if entry == OPERATOR_ONLY:
        return Policy(roles=frozenset({OPERATOR}), needs_membership=False, is_operator=True)
    assert isinstance(entry, frozenset)
    return Policy(roles=entry)


def policy_problems(urlconf: str | None = None) -> list[str]:
    """Every difference between the URLconf and MATRIX, in words."""
    problems = []
    seen = set()
    for route in walk_urlpatterns(None if urlconf is None else _patterns_of(urlconf)):
        if route.name is None:
            problems.append(f"{route.route!r} has no name, so it cannot be in the matrix")
            continue
        seen.add(route.name)
        actual = policy_of(route.callback)
        if actual is None:
            problems.append(f"{route.name} has no access policy (decorate it with allow/public)")
        elif route.name not in MATRIX:
            problems.append(f"{route.name} is missing from MATRIX (it has {actual})")
        elif actual != declared_policy(MATRIX[route.name]):
            problems.append(f"{route.name}: declared {MATRIX[route.name]}, view has {actual}")
    problems += [f"{name} is in MATRIX but not in the URLconf" for name in MATRIX.keys() - seen]
    return problems


def _patterns_of(urlconf: str) -> Any:
    return get_resolver(urlconf).url_patterns


# A tiny URLconf for the deny-by-default test: the project's routes plus a view without a policy.
ran: list[str] = []


def view_without_policy(request: HttpRequest) -> HttpResponse:
    ran.append("view_without_policy")
    return HttpResponse("should never be seen")


def view_made_public(request: HttpRequest) -> HttpResponse:
    return HttpResponse("public")


urlpatterns = [
    *project_urls.urlpatterns,
    path("uden-politik/", view_without_policy, name="no_policy"),
    path("offentlig-test/", public(view_made_public), name="made_public"),
]


class PolicyTestCase(BaseTestCase):
    """T2: declared == actual for every view, for every role; deny by default."""

    def test_it_declares_every_view(self) -> None:
        """T2: every named view's policy equals MATRIX; none is missing, none is stale."""
        self.assertEqual(policy_problems(), [])

    def test_it_notices_a_view_without_policy(self) -> None:
        """T2: the walk itself catches a new view that has no policy (deny by default)."""
        problems = policy_problems(__name__)
        self.assertEqual(
            problems,
            [
                "no_policy has no access policy (decorate it with allow/public)",
                "made_public is missing from MATRIX (it has "
                "Policy(roles=frozenset(), is_public=True, needs_membership=False, "
                "is_child=False, is_operator=False))",
            ],
        )

    def url_for(self, name: str) -> str:
        """The view's URL, with ids of objects the role could see where there are any."""
        if name in ("children:case_detail", "children:reveal_cpr"):
            return reverse(name, args=[self.case_a.code])  # Alice's, in Leo's unit
        if name in ("children:network_add", "children:measure_add", "children:handover"):
            return reverse(name, args=[self.case_a.code])
        if name in ("children:network_edit", "children:network_end"):
            member = NetworkMember.objects.filter(child=self.case_a.child).first()
            return reverse(
                name, args=[self.case_a.code, (member or make_network_member(self.case_a)).code]
            )
        if name == "children:measure_edit":
            measure = self.case_a.measures.first() or make_measure(self.case_a)
            return reverse(name, args=[self.case_a.code, measure.code])
        if name == "decisions:create":
            return reverse(name, args=[self.case_a.code])
        if name == "decisions:detail":
            decision = Decision.objects.filter(case=self.case_a).first()
            return reverse(name, args=[(decision or make_decision(self.case_a, self.alice)).code])
        if name == "conversations:create":
            return reverse(name, args=[self.case_a.code])
        if name in ("conversations:detail", "conversations:edit"):
            conversation = Conversation.objects.filter(case=self.case_a).first()
            return reverse(
                name,
                args=[(conversation or make_conversation(self.case_a, self.alice, "Hej")).code],
            )
        if name == "accounts:disable":
            return reverse(name, args=[self.alice.code])  # a Nordby colleague of Ada's
        if name in ("channel:access", "channel:invite", "channel:reset"):
            return reverse(name, args=[self.case_a.code])
        if name == "channel:message":
            return reverse(name, args=[self.child_message().code])
        if name == "conversations:meeting_create":
            return reverse(name, args=[self.case_a.code])
        if name.startswith("conversations:meeting_") or name in (
            "portal:meeting",
            "portal:prepare",
            "portal:feedback",
        ):
            meeting = Meeting.objects.filter(case=self.case_a).first()
            return reverse(name, args=[(meeting or make_meeting(self.case_a, self.alice)).code])
        if name in ("plans:create", "letters:create", "letters:recommendation_create"):
            return reverse(name, args=[self.case_a.code])
        if name.startswith("plans:"):
            plan = self.plan()
            draft = plan.versions.get(approved_at__isnull=True)
            if name in ("plans:goal_edit", "plans:goal_remove"):
                return reverse(name, args=[plan.code, draft.goals.first().code])  # type: ignore[union-attr]
            if name == "plans:take_proposal":
                proposal = plan.proposals.first() or make_goal_proposal(
                    plan, child_words="Jeg vil gerne gå til svømning."
                )
                return reverse(name, args=[plan.code, proposal.code])
            return reverse(name, args=[plan.code])
        if name == "portal:check_in":
            goal = Goal.objects.filter(
                version__plan=self.plan(), version__approved_at__isnull=False
            ).first()
            return reverse(name, args=[goal.key])  # type: ignore[union-attr]
        if name.startswith("letters:recommendation_"):
            recommendation = Recommendation.objects.filter(case=self.case_a).first()
            return reverse(
                name, args=[(recommendation or make_recommendation(self.case_a, self.alice)).code]
            )
        if name.startswith("letters:") and name != "letters:plain_words":
            letter = Letter.objects.filter(case=self.case_a, sent_at__isnull=True).first()
            return reverse(name, args=[(letter or make_letter(self.case_a, self.alice)).code])
        if name in ("portal:letter", "portal:call_me"):
            letter = Letter.objects.filter(case=self.case_a, sent_at__isnull=False).first()
            letter = letter or make_letter(self.case_a, self.alice, sent=True)
            return reverse(name, args=[letter.code])
        if name.startswith(("reflection:", "training:", "implementation:")):
            return self.url_for_issue_7(name)
        if name in ("reminders:dismiss", "reminders:undo"):
            return reverse(name, args=[make_reminder(self.case_a, self.alice).code])
        return reverse(name)

    def url_for_issue_7(self, name: str) -> str:
        """Reflection, training and the implementation groups (issue 7)."""
        session = ReflectionSession.objects.first() or make_reflection_session(self.vest, self.leo)
        if name in ("reflection:detail", "reflection:edit"):
            url = reverse(name, args=[make_reflection(self.alice, shared=True).code])
            # Colleagues read a shared reflection only from a session of the author's unit.
            return url if name == "reflection:edit" else f"{url}?moede={session.code}"
        if name in (
            "reflection:session_detail",
            "reflection:session_edit",
            "reflection:vignette_add",
            "reflection:follow_up_add",
        ):
            return reverse(name, args=[session.code])
        if name == "reflection:follow_up_done":
            return reverse(name, args=[make_follow_up(session, self.alice).code])
        module = Module.objects.filter(municipality=self.nordby).first() or make_module(
            self.nordby, in_onboarding=True
        )
        if name == "training:step_done":
            start_onboarding(Membership.objects.get(user=self.alice, ended_at__isnull=True))
            step = OnboardingStep.objects.filter(membership__user=self.alice).first()
            assert step is not None
            return reverse(name, args=[step.module.code])
        if name == "training:module_detail":
            return reverse(name, args=[module.code])
        if name == "training:session_detail":
            return reverse(name, args=[make_training_session(module, self.nordby, self.leo).code])
        group = Group.objects.filter(municipality=self.nordby).first() or make_group(self.nordby)
        if name in ("implementation:group_detail", "implementation:group_edit"):
            return reverse(name, args=[group.code])
        if name == "implementation:meeting_create":
            return reverse(name, args=[group.code])
        if name == "implementation:meeting_detail":
            return reverse(name, args=[make_group_meeting(group, self.leo).code])
        if name == "implementation:dialogue_post":
            return reverse(name, args=[make_dialogue_post(self.leo).code])
        return reverse(name)

    def plan(self) -> Plan:
        return Plan.objects.filter(case=self.case_a).first() or make_plan(
            self.case_a, self.alice, approved=True
        )

    def child_message(self) -> ChildMessage:
        return ChildMessage.objects.filter(case=self.case_a).first() or make_child_message(
            self.case_a
        )

    def test_it_gives_each_role_what_the_matrix_says(self) -> None:
        """T2: every role requests every non-public view: allowed → not 403, denied → 403 and
        one 'denied' access event naming the view."""
        users = {CASEWORKER: self.alice, LEADER: self.leo, ADMIN: self.ada}
        checked = 0
        for role, user in users.items():
            self.login(user)
            for name, entry in MATRIX.items():
                if entry == PUBLIC:
                    continue
                if entry == CHILD_ONLY:
                    # No staff role opens a child page: the child's sign-in page answers.
                    with self.subTest(role=role, view=name):
                        method = "post" if name in POST_ONLY else "get"
                        url = self.url_for(name)
                        r = getattr(self.client, method)(url)
                        self.assertRedirects(
                            r, f"/barn/pin/?next={url}", fetch_redirect_response=False
                        )
                    checked += 1
                    continue
                if entry == OPERATOR_ONLY:
                    # No municipality role opens the operator's pages: 403, logged.
                    with self.subTest(role=role, view=name):
                        url = self.url_for(name)
                        r = self.client.get(url)
                        self.assertEqual(r.status_code, 403)
                        denials = AccessEvent.objects.filter(
                            request_id=r["X-Request-ID"], action=AccessEvent.Action.DENIED
                        )
                        self.assertEqual(
                            [d.criterion for d in denials],
                            [f"not the platform operator: {url}"],
                        )
                    checked += 1
                    continue
                allowed = declared_policy(entry).roles
                method = "post" if name in POST_ONLY else "get"
                url = self.url_for(name) + QUERIES.get(name, "")
                with self.subTest(role=role, view=name):
                    r = getattr(self.client, method)(url)
                    denials = AccessEvent.objects.filter(
                        request_id=r["X-Request-ID"], action=AccessEvent.Action.DENIED
                    )
                    if role in allowed:
                        self.assertNotEqual(r.status_code, 403)
                        self.assertLess(r.status_code, 400)
                        self.assertFalse(denials.exists())
                    else:
                        self.assertEqual(r.status_code, 403)
                        self.assertEqual(
                            [(d.user, d.role, d.criterion) for d in denials],
                            [(user, role, f"role not allowed: {name}")],
                        )
                    checked += 1
        non_public = sum(1 for entry in MATRIX.values() if entry != PUBLIC)
        self.assertEqual(checked, len(users) * non_public)

    def test_it_gives_the_operator_only_the_operator_pages(self) -> None:
        """T2 for the platform operator: a verified user with User.is_operator and no
        municipality opens the operator's pages; every municipality page asks them to choose a
        municipality first (they have none), so no case, child or municipality page opens."""
        operator = make_user("olga", is_operator=True)
        self.login(operator)
        for name, entry in MATRIX.items():
            if entry in (PUBLIC, CHILD_ONLY, SIGNED_IN):
                continue
            method = "post" if name in POST_ONLY else "get"
            url = self.url_for(name)
            with self.subTest(view=name):
                r = getattr(self.client, method)(url)
                if entry == OPERATOR_ONLY:
                    self.assertLess(r.status_code, 400)
                else:
                    self.assertRedirects(
                        r, reverse("municipalities:choose"), fetch_redirect_response=False
                    )

    def test_it_sends_anonymous_visitors_to_the_login_page(self) -> None:
        """T2: no non-public view answers an anonymous visitor with anything but a login: the
        staff login, or for a child page the child's PIN page."""
        for name, entry in MATRIX.items():
            if entry == PUBLIC:
                continue
            with self.subTest(view=name):
                method = "post" if name in POST_ONLY else "get"
                url = self.url_for(name)
                r = getattr(self.client, method)(url)
                login = "/barn/pin/" if entry == CHILD_ONLY else "/konto/login/"
                self.assertRedirects(r, f"{login}?next={url}", fetch_redirect_response=False)

    def test_it_gives_the_child_role_only_the_child_pages(self) -> None:
        """T2 extended to the child role: a child with an unlocked device session opens every
        child page of their own and no staff page (those answer with the staff login)."""
        access = make_child_access(self.case_a, self.alice)
        child_login(self.client, access)
        for name, entry in MATRIX.items():
            if entry == PUBLIC:
                continue
            method = "post" if name in POST_ONLY else "get"
            url = self.url_for(name)
            with self.subTest(view=name):
                r = getattr(self.client, method)(url)
                if entry == CHILD_ONLY:
                    self.assertLess(r.status_code, 400)
                    self.assertFalse(str(r.get("Location", "")).startswith("/barn/pin/"))
                else:
                    self.assertRedirects(
                        r, f"/konto/login/?next={url}", fetch_redirect_response=False
                    )

    @override_settings(ROOT_URLCONF=__name__)
    def test_it_refuses_a_view_without_policy(self) -> None:
        """T2: deny by default: the middleware refuses a view nobody gave a policy, for every
        role, before the view runs, and logs the refusal."""
        ran.clear()
        for user in [self.alice, self.leo, self.ada]:
            with self.subTest(user=user.username):
                self.login(user)
                for method in ["get", "post"]:
                    r = getattr(self.client, method)("/uden-politik/")
                    self.assertEqual(r.status_code, 403)
                    self.assertNotContains(r, "should never be seen", status_code=403)
                    event = AccessEvent.objects.get(request_id=r["X-Request-ID"])
                    self.assertEqual(event.action, AccessEvent.Action.DENIED)
                    self.assertEqual(event.criterion, "role not allowed: no_policy")
        self.client.logout()
        r = self.client.get("/uden-politik/")
        self.assertRedirects(r, "/konto/login/?next=/uden-politik/", fetch_redirect_response=False)
        self.assertEqual(ran, [])
        # While a view marked public in the same URLconf is served to anyone.
        self.assertContains(self.client.get("/offentlig-test/"), "public")

    @override_settings(ROOT_URLCONF=__name__)
    def test_it_refuses_a_view_without_policy_to_a_user_without_a_municipality(self) -> None:
        """T2: a signed-in user with no role anywhere gets no further either."""
        ran.clear()
        Membership.objects.filter(user=self.alice).delete()
        self.login(self.alice)
        r = self.client.get("/uden-politik/")
        self.assertEqual(r.status_code, 403)
        self.assertEqual(ran, [])
