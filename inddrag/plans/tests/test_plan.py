"""Barnets plan on the staff side (issue 6, point 1): one plan per case, made with its draft;
the plan page with the approved version, the goals by area with the child's own words first,
the child's proposals and check-ins; the case page's section. The caseworker writes, the
unit's leader reads, others get a logged 404 (T1, T3); every read is logged (T5); the plan page
costs the same queries for 2 goals as for 12 (house style rule 26). And the acceptance flow of
issue 6 at view level, from an empty case to the child's check-in and proposal."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.plans.models import Goal, GoalCheckIn, GoalProposal, Plan, PlanArea, PlanVersion
from inddrag.plans.queries import plan_for_case
from inddrag.plans.tests.helpers import (
    approve_now,
    draft_of,
    goal_data,
    in_days,
    make_check_in,
    make_goal,
    make_plan,
    make_proposal,
)
from inddrag.test import BaseTestCase, child_login, make_child_access


class PlanTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.create_url = reverse("plans:create", args=[self.case_a.code])

    def prime_session(self) -> None:
        """As if just seen: SessionTimeoutMiddleware saves nothing during a counted request."""
        session = self.client.session
        session["last_seen"] = session["auth_started"] = time.time()
        session.save()

    # Making the plan.

    def test_it_makes_one_plan_with_its_draft(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.create_url)
        self.assertContains(r, "Lav barnets plan for Asta")
        self.assertFalse(Plan.objects.exists())
        r = self.client.post(self.create_url)
        plan = Plan.objects.get()
        self.assertRedirects(r, plan.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(
            (plan.case, plan.created_by, plan.municipality), (self.case_a, self.alice, self.nordby)
        )
        draft = PlanVersion.objects.get()
        self.assertEqual((draft.plan, draft.number, draft.approved_at), (plan, 1, None))
        event = AccessEvent.objects.get(action="create")
        self.assertEqual((event.object_type, event.child), ("Plan", self.case_a.child))
        # Twice gives the same plan (and the form page leads to it).
        r = self.client.post(self.create_url)
        self.assertRedirects(r, plan.get_absolute_url(), fetch_redirect_response=False)
        r = self.client.get(self.create_url)
        self.assertRedirects(r, plan.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual((Plan.objects.count(), PlanVersion.objects.count()), (1, 1))
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 1)

    def test_it_lets_only_the_caseworker_make_the_plan(self) -> None:
        self.login(self.leo)
        self.assertEqual(self.client.post(self.create_url).status_code, 403)
        for user in (self.anna, self.bob):
            self.login(user)
            self.assertEqual(self.client.post(self.create_url).status_code, 404)
        self.assertFalse(Plan.objects.exists())
        self.assertEqual(AccessEvent.objects.filter(action="denied").count(), 3)

    # The plan page.

    def test_it_shows_the_goals_by_area_with_the_childs_words_first(self) -> None:
        plan = make_plan(self.case_a, self.alice)
        PlanArea.objects.create(municipality=self.nordby, name="Sprog og dansk")
        make_goal(plan, area="Sprog og dansk", child_words="Jeg vil læse bøger.")
        make_goal(plan, area="leisure", child_words="Jeg vil gå til fodbold.",
                  description="Asta starter på et hold.", who_does_what="Plejemor kører.",
                  review_on=in_days(30), proposed_by_child=True)  # fmt: skip
        make_goal(plan, area="school", child_words="",
                  child_words_missing_reason="Asta ville ikke tale om skolen.")  # fmt: skip
        self.login(self.alice)
        r = self.client.get(plan.get_absolute_url())
        body = r.content.decode()
        headings = re.findall(r'<h3 id="area-\d+" class="h4">(.*?)</h3>', body)
        self.assertEqual(headings, ["Skole og dagtilbud", "Fritid og venner", "Sprog og dansk"])
        football = body[body.index("Jeg vil gå til fodbold.") - 400 :]
        self.assertIn("Barnets forslag", football[:400])
        self.assertLess(
            body.index("»Jeg vil gå til fodbold.«"), body.index("Asta starter på et hold.")
        )
        self.assertIn("Plejemor kører.", body)
        self.assertContains(r, "Barnets egne ord mangler:")
        self.assertContains(r, "Asta ville ikke tale om skolen.")
        self.assertContains(r, "Planen er ikke godkendt endnu.")
        self.assertContains(r, "Ret målet")
        self.assertContains(r, reverse("plans:approve", args=[plan.code]))
        event = AccessEvent.objects.get(action="read")
        self.assertEqual((event.object_code, event.child), (str(plan.code), self.case_a.child))

    def test_it_shows_the_approved_version_and_what_changed_since(self) -> None:
        plan = make_plan(self.case_a, self.alice)
        goal = make_goal(plan)
        approve_now(plan, self.alice)
        self.login(self.alice)
        r = self.client.get(plan.get_absolute_url())
        self.assertContains(r, "Version 1, godkendt")
        self.assertContains(r, "af Alice Testesen.")
        self.assertContains(r, "Den er den samme som version 1.")
        Goal.objects.filter(version=draft_of(plan), key=goal.key).update(description="Ny.")
        r = self.client.get(plan.get_absolute_url())
        self.assertContains(r, "Den har 1 ændring i forhold til version 1.")
        self.assertContains(r, "Godkend version 2")

    def test_it_shows_the_childs_proposals_and_check_ins(self) -> None:
        plan = make_plan(self.case_a, self.alice)
        goal = make_goal(plan)
        approve_now(plan, self.alice)
        make_proposal(plan, child_words="Jeg vil have en hund.")
        make_proposal(plan, child_words="Taget med.", handled_at=timezone.now())
        for days, rating, comment in [
            (5, 1, "Svært"),
            (3, 3, ""),
            (2, 4, "Bedre"),
            (1, 5, "Super"),
        ]:
            make_check_in(plan, goal, rating=rating, comment=comment,
                          checked_in_at=timezone.now() - timedelta(days=days))  # fmt: skip
        self.login(self.alice)
        r = self.client.get(plan.get_absolute_url())
        self.assertContains(r, "Barnets forslag (1)")
        self.assertContains(r, "»Jeg vil have en hund.«")
        self.assertNotContains(r, "Taget med.")
        self.assertContains(r, "Tag med i planen")
        # The three newest check-ins, newest first, in words (the face is decoration).
        body = r.content.decode()
        self.assertLess(
            body.index("<strong>Rigtig godt</strong>"), body.index("<strong>Godt</strong>")
        )
        self.assertLess(
            body.index("<strong>Godt</strong>"), body.index("<strong>Midt imellem</strong>")
        )
        self.assertNotIn("Rigtig dårligt", body)
        self.assertContains(r, "<q>Super</q>", html=True)

    def test_it_shows_the_leader_the_plan_without_actions(self) -> None:
        plan = make_plan(self.case_a, self.alice)
        goal = make_goal(plan)
        proposal = make_proposal(plan)
        self.login(self.leo)
        r = self.client.get(plan.get_absolute_url())
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, goal.child_words)
        self.assertContains(r, proposal.child_words)
        self.assertNotContains(r, "Ret målet")
        self.assertNotContains(r, "Tag med i planen")
        self.assertNotContains(r, reverse("plans:approve", args=[plan.code]))
        self.assertEqual(AccessEvent.objects.get(action="read").role, "leader")

    def test_it_is_404_to_others(self) -> None:
        """T1, T3: Anna (same municipality, another unit) and Bob (Sydby) see nothing of the
        plan; each attempt is logged as denied. A made-up code is the same 404."""
        plan = make_plan(self.case_a, self.alice)
        make_goal(plan)
        for user in (self.anna, self.bob):
            self.login(user)
            for url in (plan.get_absolute_url(), reverse("plans:compare", args=[plan.code])):
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
        unknown = uuid.uuid4()
        self.assertEqual(self.client.get(reverse("plans:detail", args=[unknown])).status_code, 404)
        denied = AccessEvent.objects.filter(action="denied")
        self.assertEqual(denied.count(), 5)
        self.assertFalse(AccessEvent.objects.filter(action="read").exists())

    def test_it_logs_every_read_of_the_plan(self) -> None:
        """T5: every staff page of the plan, and every child page, writes an access event with
        the child, in the request that read it."""
        plan = make_plan(self.case_a, self.alice)
        goal = make_goal(plan)
        approve_now(plan, self.alice)
        draft_goal = Goal.objects.get(version=draft_of(plan), key=goal.key)
        proposal = make_proposal(plan)
        staff = [
            self.create_url,
            plan.get_absolute_url(),
            reverse("plans:goal_add", args=[plan.code]),
            reverse("plans:goal_edit", args=[plan.code, draft_goal.code]),
            reverse("plans:goal_edit", args=[plan.code, goal.code]),  # an approved version's
            reverse("plans:goal_remove", args=[plan.code, draft_goal.code]),
            reverse("plans:approve", args=[plan.code]),
            reverse("plans:compare", args=[plan.code]),
            reverse("plans:take_proposal", args=[plan.code, proposal.code]),
        ]
        self.login(self.alice)
        for url in staff:
            with self.subTest(url=url):
                r = self.client.get(url)
                events = AccessEvent.objects.filter(request_id=r["X-Request-ID"])
                found = [(e.action, e.child) for e in events]
                self.assertEqual(found, [("read", self.case_a.child)])
        child = self.client_class()
        child_login(child, make_child_access(self.case_a, self.alice))
        for url in (
            reverse("portal:plan"),
            reverse("portal:check_in", args=[goal.key]),
            reverse("portal:propose_goal"),
        ):
            with self.subTest(url=url):
                r = child.get(url)
                events = AccessEvent.objects.filter(request_id=r["X-Request-ID"])
                self.assertEqual(
                    [(e.action, e.child, e.role) for e in events],
                    [("read", self.case_a.child, "child")],
                )

    # The case page.

    def test_it_offers_to_make_the_plan_on_the_case_page(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, "Barnet har ingen plan endnu.")
        self.assertContains(r, f'action="{self.create_url}"')
        self.login(self.leo)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, "Barnet har ingen plan endnu.")
        self.assertNotContains(r, self.create_url)

    def test_it_sums_up_the_plan_on_the_case_page(self) -> None:
        plan = make_plan(self.case_a, self.alice)
        goal = make_goal(plan)
        make_goal(plan)
        self.login(self.alice)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, "Ikke godkendt endnu: kladden har 2 mål")
        approve_now(plan, self.alice)
        make_goal(plan)  # in the new draft only
        make_proposal(plan)
        make_check_in(plan, goal, rating=5, comment="Det går godt med vennerne.")
        r = self.client.get(self.case_a.get_absolute_url())
        approved_on = timezone.localdate(PlanVersion.objects.get(number=1).approved_at)
        self.assertContains(r, f"Version 1 godkendt {approved_on.day}.")
        self.assertContains(r, "godkendt")
        self.assertContains(r, ", 2 mål")
        self.assertContains(r, "1 forslag til et mål fra barnet")
        self.assertContains(r, "<strong>Rigtig godt</strong>", html=True)
        self.assertContains(r, "Det går godt med vennerne.")
        self.assertContains(r, plan.get_absolute_url())

    def test_it_reads_the_case_pages_plan_in_one_query(self) -> None:
        """The case page's section costs the one query of plan_for_case, whatever it shows."""
        self.assertIsNone(plan_for_case(self.case_a))
        plan = make_plan(self.case_a, self.alice)
        goal = make_goal(plan)
        approve_now(plan, self.alice)
        make_goal(plan)
        make_goal(plan)
        make_proposal(plan)
        make_check_in(plan, goal, rating=1, checked_in_at=timezone.now() - timedelta(days=2))
        make_check_in(plan, goal, rating=3, comment="Okay", checked_in_at=timezone.now())
        with self.assertNumQueries(1):
            found = plan_for_case(self.case_a)
            assert found is not None
            summary = (
                found.approved_number,  # type: ignore[attr-defined]
                found.approved_goals,  # type: ignore[attr-defined]
                found.draft_goals,  # type: ignore[attr-defined]
                found.open_proposals,  # type: ignore[attr-defined]
                found.check_in_rating,  # type: ignore[attr-defined]
                found.check_in_comment,  # type: ignore[attr-defined]
            )
        self.assertEqual(summary, (1, 1, 3, 1, 3, "Okay"))

    # Query counts (house style rule 26).

    def assert_plan_page_queries(self, goals: int) -> None:
        plan = make_plan(self.case_a, self.alice)
        for n in range(goals):
            goal = make_goal(plan, area=["school", "health", "leisure"][n % 3])
            make_check_in(plan, goal)
            make_check_in(plan, goal, rating=2)
        make_proposal(plan)
        make_proposal(plan)
        approve_now(plan, self.alice)
        self.login(self.alice)
        self.client.get(plan.get_absolute_url())  # warm up: the session's idle clock
        self.prime_session()
        with self.assertNumQueries(self.PLAN_PAGE_QUERIES):
            r = self.client.get(plan.get_absolute_url())
        self.assertEqual(len(r.context["sections"]), min(goals, 3))

    # Expect 15 queries, however many goals, check-ins and proposals:
    #   1 session, 2 user, 3 OTP device, 4 memberships (the middleware),
    #   5 the plan with its case and child, if the membership may see the case,
    #   6 the plan's versions with who approved them, 7 the draft's goals,
    #   8 each goal's three newest check-ins (a window), 9 the approved version's goals (what
    #   changed since), 10 the child's open proposals,
    #   11 SAVEPOINT, 12 lock the access-log chain head, 13 insert the access event,
    #   14 move the chain head, 15 RELEASE SAVEPOINT.
    PLAN_PAGE_QUERIES = 15

    def test_it_reads_a_plan_of_two_goals_in_constant_queries(self) -> None:
        self.assert_plan_page_queries(2)

    def test_it_reads_a_plan_of_twelve_goals_in_the_same_queries(self) -> None:
        self.assert_plan_page_queries(12)

    # The acceptance of issue 6, at view level.

    def test_it_builds_approves_changes_and_shows_the_plan_to_the_child(self) -> None:
        """A caseworker builds a plan with three goals (one proposed by the child), approves
        it, changes a goal and approves version 2, and sees the difference; the child sees
        version 2 (never the draft), checks in on a goal and proposes one."""
        access = make_child_access(self.case_a, self.alice)
        self.login(self.alice)
        self.client.post(self.create_url)
        plan = Plan.objects.get()
        # The child proposes a goal before the plan is approved.
        child = self.client_class()
        child_login(child, access)
        child.post(
            reverse("portal:propose_goal"),
            {"child_words": "Jeg vil gerne gå til svømning.", "area": "leisure",
             "submit_token": str(uuid.uuid4())},
        )  # fmt: skip
        proposal = GoalProposal.objects.get()
        # Three goals: two written by the caseworker, one taken from the child's proposal.
        add = reverse("plans:goal_add", args=[plan.code])
        self.client.post(add, goal_data(draft_of(plan), child_words="Jeg vil have en ven."))
        self.client.post(
            add,
            goal_data(draft_of(plan), area="wellbeing", child_words="Jeg vil sove bedre.",
                      description="Asta får hjælp til at falde til ro om aftenen."),
        )  # fmt: skip
        take = reverse("plans:take_proposal", args=[plan.code, proposal.code])
        self.assertContains(self.client.get(take), "»Jeg vil gerne gå til svømning.«")
        self.client.post(
            take,
            goal_data(draft_of(plan), area="leisure", description="Asta starter på et hold."),
        )
        self.assertEqual(Goal.objects.filter(version__number=1).count(), 3)
        r = self.client.get(plan.get_absolute_url())
        self.assertContains(r, "Barnets forslag")
        self.assertNotContains(r, "Barnets forslag (1)")  # the proposal is handled
        # Before approval, the child sees no plan (and nothing of the draft).
        r = child.get(reverse("portal:plan"))
        self.assertContains(r, "Din plan er ikke klar endnu")
        self.assertNotContains(r, "Jeg vil have en ven.")
        # Approve version 1.
        approve = reverse("plans:approve", args=[plan.code])
        self.assertContains(self.client.get(approve), "Kladden har 3 mål.")
        r = self.client.post(approve, {"draft": "1", "revision": str(draft_of(plan).revision)})
        self.assertRedirects(r, plan.get_absolute_url(), fetch_redirect_response=False)
        # Change a goal in the new draft and approve version 2.
        sleep_goal = Goal.objects.get(version=draft_of(plan), child_words="Jeg vil sove bedre.")
        self.client.post(
            reverse("plans:goal_edit", args=[plan.code, sleep_goal.code]),
            goal_data(draft_of(plan), area="wellbeing", child_words="Jeg vil sove bedre.",
                      description="Asta får hjælp til at falde til ro om aftenen.",
                      who_does_what="Plejemor læser højt hver aften."),
        )  # fmt: skip
        self.client.post(approve, {"draft": "2", "revision": str(draft_of(plan).revision)})
        self.assertEqual(
            list(PlanVersion.objects.order_by("number").values_list("number", "approved_by")),
            [(1, self.alice.pk), (2, self.alice.pk), (3, None)],
        )
        # The difference between version 1 and 2.
        r = self.client.get(reverse("plans:compare", args=[plan.code]))
        self.assertContains(r, "Fra version 1 til version 2")
        self.assertContains(r, "0 tilføjet, 1 ændret, 0 fjernet og 2 uændret.")
        self.assertContains(r, "Hvem gør hvad")
        self.assertContains(r, '<del><span class="sr-only">[Slettet: </span>Lærer Lise finder')
        self.assertContains(r, '<ins><span class="sr-only">[Tilføjet: </span>Plejemor læser')
        # A change in the draft (version 3) that the child must not see.
        self.client.post(add, goal_data(draft_of(plan), child_words="Kun i kladden."))
        # The child sees version 2.
        r = child.get(reverse("portal:plan"))
        self.assertContains(r, "»Jeg vil gerne gå til svømning.«")
        self.assertContains(r, "Dit forslag")
        self.assertContains(r, "Plejemor læser højt hver aften.")
        self.assertNotContains(r, "Kun i kladden.")
        self.assertEqual(r.context["version"].number, 2)
        # The child checks in on a goal and proposes another.
        swim = Goal.objects.get(version__number=2, proposed_by_child=True)
        r = child.post(
            reverse("portal:check_in", args=[swim.key]),
            {
                "rating": "5",
                "comment": "Jeg kan svømme 25 meter!",
                "submit_token": str(uuid.uuid4()),
            },
        )
        self.assertEqual(r.status_code, 302)
        child.post(
            reverse("portal:propose_goal"),
            {
                "child_words": "Jeg vil gerne på lejrskole.",
                "area": "",
                "submit_token": str(uuid.uuid4()),
            },
        )
        # The caseworker sees both on the plan page and the case page.
        r = self.client.get(plan.get_absolute_url())
        self.assertContains(r, "Jeg kan svømme 25 meter!")
        self.assertContains(r, "»Jeg vil gerne på lejrskole.«")
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, "1 forslag til et mål fra barnet")
        self.assertContains(r, "Jeg kan svømme 25 meter!")
        self.assertEqual(GoalCheckIn.objects.get().goal_key, swim.key)
