"""Barnets plan in the child channel (issue 6, point 2): the child sees only the approved plan,
each goal in their own words first with who helps; "Hvordan går det?" on a goal and a proposal
of a goal, each once however often it is sent (T20); only the child's own plan and goals: a
logged 404 for anything else (T1, T3 for the child); every read and change logged as the
child's (T5)."""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import reverse

from inddrag.audit.models import AccessEvent
from inddrag.children.models import Case
from inddrag.plans.models import Goal, GoalCheckIn, GoalProposal, PlanArea
from inddrag.plans.tests.helpers import (
    approve_now,
    draft_of,
    in_days,
    make_check_in,
    make_goal,
    make_plan,
    make_proposal,
)
from inddrag.test import BaseTestCase, child_login, make_child_access

PLAN_URL = reverse("portal:plan")
PROPOSE_URL = reverse("portal:propose_goal")


class ChildPlanTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.access = make_child_access(self.case_a, self.alice)
        self.plan = make_plan(self.case_a, self.alice)
        child_login(self.client, self.access)

    def approved_goal(self, **fields: Any) -> Goal:
        """A goal in an approved version 1 (returned as it is there)."""
        goal = make_goal(self.plan, **fields)
        approve_now(self.plan, self.alice)
        return goal

    def check_in_url(self, goal: Goal) -> str:
        return reverse("portal:check_in", args=[goal.key])

    def check_in_data(self, **fields: Any) -> dict[str, str]:
        data = {"rating": "4", "comment": "", "submit_token": str(uuid.uuid4())}
        data.update(fields)
        return data

    def propose_data(self, **fields: Any) -> dict[str, str]:
        data = {"child_words": "Jeg vil gerne gå til spejder.", "area": "",
                "submit_token": str(uuid.uuid4())}  # fmt: skip
        data.update(fields)
        return data

    # The plan.

    def test_it_says_the_plan_is_not_ready(self) -> None:
        """Without an approved version the child sees no plan, and nothing of the draft."""
        make_goal(self.plan, child_words="Kun i kladden.")
        r = self.client.get(PLAN_URL)
        self.assertContains(r, "Din plan er ikke klar endnu")
        self.assertNotContains(r, "Kun i kladden.")
        self.assertContains(r, PROPOSE_URL)
        event = AccessEvent.objects.get(action="read")
        self.assertEqual((event.role, event.child), ("child", self.case_a.child))
        self.assertEqual(event.object_code, str(self.plan.code))

    def test_it_shows_the_approved_plan_in_the_childs_words(self) -> None:
        goal = self.approved_goal(
            area="leisure",
            child_words="Jeg vil gerne spille fodbold.",
            description="Sagsbehandlerens faglige beskrivelse.",
            who_does_what="Plejemor kører dig til træning.",
            review_on=in_days(21),
            proposed_by_child=True,
        )
        make_goal(self.plan, child_words="Et mål i den nye kladde.")
        r = self.client.get(PLAN_URL)
        self.assertContains(r, '<h2 id="area-1" class="h3">Fritid og venner</h2>', html=True)
        self.assertContains(r, "Det vil du gerne")
        self.assertContains(r, "»Jeg vil gerne spille fodbold.«")
        self.assertContains(r, "Det hjælper vi med")
        self.assertContains(r, "Plejemor kører dig til træning.")
        self.assertContains(r, "(om 3 uger)")
        self.assertContains(r, "Dit forslag")
        self.assertContains(r, self.check_in_url(goal))
        self.assertNotContains(r, "Sagsbehandlerens faglige beskrivelse.")
        self.assertNotContains(r, "Et mål i den nye kladde.")
        body = r.content.decode()
        self.assertLess(body.index("Jeg vil gerne spille fodbold."), body.index("Plejemor kører"))
        event = AccessEvent.objects.get(action="read")
        self.assertEqual((event.role, event.object_type), ("child", "PlanVersion"))

    def test_it_shows_a_goal_without_the_childs_words_by_its_description(self) -> None:
        self.approved_goal(
            child_words="",
            child_words_missing_reason="For lille.",
            description="Du skal have det godt i børnehaven.",
            who_does_what="",
        )
        r = self.client.get(PLAN_URL)
        self.assertContains(r, "Målet")
        self.assertContains(r, "Du skal have det godt i børnehaven.")
        self.assertNotContains(r, "For lille.")
        self.assertContains(r, "Det taler du og din sagsbehandler om.")

    def test_it_names_the_areas_in_a_childs_words_in_their_order(self) -> None:
        PlanArea.objects.create(municipality=self.nordby, name="Sprog")
        make_goal(self.plan, area="Sprog")
        make_goal(self.plan, area="adult_life")
        make_goal(self.plan, area="wellbeing")
        approve_now(self.plan, self.alice)
        body = self.client.get(PLAN_URL).content.decode()
        names = ["Hvordan jeg har det", "På vej til at blive voksen", ">Sprog<"]
        positions = [body.index(name) for name in names]
        self.assertEqual(positions, sorted(positions))

    def test_it_shows_the_childs_last_check_in_and_proposals(self) -> None:
        goal = self.approved_goal()
        make_check_in(self.plan, goal, rating=2)
        make_proposal(self.plan, child_words="Jeg vil have en cykel.")
        r = self.client.get(PLAN_URL)
        self.assertContains(r, "Sidst sagde du: Dårligt")
        self.assertContains(r, "»Jeg vil have en cykel.«")
        self.assertContains(r, "Din sagsbehandler har fået det.")

    def test_it_has_no_plan_for_a_child_without_an_open_case(self) -> None:
        Case.objects.filter(pk=self.case_a.pk).update(
            status=Case.Status.CLOSED, closed_on=self.case_a.opened_on
        )
        r = self.client.get(PLAN_URL)
        self.assertContains(r, "Din plan er ikke klar endnu")
        self.assertContains(r, reverse("portal:message"))

    # "Hvordan går det?"

    def test_it_asks_how_it_goes_with_words_and_faces(self) -> None:
        goal = self.approved_goal(child_words="Jeg vil sove bedre.")
        r = self.client.get(self.check_in_url(goal))
        self.assertContains(r, "<h1>Hvordan går det?</h1>", html=True)
        self.assertContains(r, "»Jeg vil sove bedre.«")
        self.assertContains(
            r, '<legend class="form-label h3">Hvordan går det med det?</legend>', html=True
        )
        for words in ["Rigtig dårligt", "Dårligt", "Midt imellem", "Godt", "Rigtig godt"]:
            self.assertContains(r, f"</span> {words}</label>")
        self.assertContains(r, '<span class="face" aria-hidden="true">😄</span>', html=True)
        self.assertContains(r, 'type="radio" name="rating"')
        event = AccessEvent.objects.get(action="read")
        self.assertEqual((event.role, event.object_type), ("child", "Goal"))

    def test_it_saves_a_check_in_once_and_thanks(self) -> None:
        """T20: the same form sent three times is one check-in and the same thank-you."""
        goal = self.approved_goal()
        data = self.check_in_data(rating="5", comment="Jeg har fået en ven!")
        responses = [self.client.post(self.check_in_url(goal), data) for _ in range(3)]
        row = GoalCheckIn.objects.get()
        for r in responses:
            self.assertRedirects(
                r, f"{self.check_in_url(goal)}?kvittering={row.code}", fetch_redirect_response=False
            )
        self.assertEqual(
            (row.rating, row.comment, row.goal_key), (5, "Jeg har fået en ven!", goal.key)
        )
        self.assertEqual((row.child, row.plan), (self.case_a.child, self.plan))
        event = AccessEvent.objects.get(action="create")
        self.assertEqual((event.role, event.object_code), ("child", str(row.code)))
        r = self.client.get(responses[0]["Location"])
        self.assertContains(r, "Tak, fordi du fortalte det")
        self.assertContains(r, "Rigtig godt")
        self.assertContains(r, "Jeg har fået en ven!")

    def test_it_rejects_a_bad_check_in_in_a_childs_words(self) -> None:
        goal = self.approved_goal()
        cases = [
            ({"rating": ""}, "Vælg, hvordan det går."),
            ({"rating": "7"}, "Vælg, hvordan det går."),
            ({"comment": "<script>hej</script>"}, "uden HTML-koder"),
            ({"comment": "x" * 2001}, "Du kan højst skrive 2000 tegn."),
            ({"submit_token": ""}, "Siden er for gammel."),
        ]
        for fields, message in cases:
            with self.subTest(message=message):
                r = self.client.post(self.check_in_url(goal), self.check_in_data(**fields))
                self.assertContains(r, message)
        self.assertFalse(GoalCheckIn.objects.exists())

    def test_it_is_404_for_a_goal_not_in_the_approved_plan(self) -> None:
        """A goal only in the draft, a goal removed in the newest version and a made-up key:
        a logged 404 (T1)."""
        removed = self.approved_goal()
        Goal.objects.filter(version=draft_of(self.plan), key=removed.key).delete()
        make_goal(self.plan)
        approve_now(self.plan, self.alice)
        draft_only = make_goal(self.plan)
        keys = [draft_only.key, removed.key, uuid.uuid4()]
        for key in keys:
            with self.subTest(key=key):
                url = reverse("portal:check_in", args=[key])
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url, self.check_in_data()).status_code, 404)
        self.assertFalse(GoalCheckIn.objects.exists())
        denied = AccessEvent.objects.filter(action="denied", role="child")
        self.assertEqual(
            sorted(denied.values_list("criterion", flat=True)),
            sorted(f"goal {key}" for key in keys for _ in range(2)),
        )

    def test_it_is_404_for_another_childs_goal_and_check_in(self) -> None:
        """T1, T3 for the child: Aksel's goal (same municipality) and Bertram's (Sydby); the
        thank-you of another child's check-in."""
        own = self.approved_goal()
        others = []
        for case, user in ((self.case_a2, self.anna), (self.case_b, self.bob)):
            plan = make_plan(case, user)
            others.append(make_goal(plan))
            approve_now(plan, user)
        for goal in others:
            with self.subTest(goal=goal.key):
                url = self.check_in_url(goal)
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url, self.check_in_data()).status_code, 404)
        foreign = make_check_in(others[0].version.plan, others[0])
        r = self.client.get(f"{self.check_in_url(own)}?kvittering={foreign.code}")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(GoalCheckIn.objects.count(), 1)
        self.assertEqual(AccessEvent.objects.filter(action="denied", role="child").count(), 5)

    def test_it_refuses_a_token_of_another_check_in(self) -> None:
        goal = self.approved_goal()
        other = make_goal(self.plan)
        approve_now(self.plan, self.alice)
        data = self.check_in_data()
        self.client.post(self.check_in_url(goal), data)
        r = self.client.post(self.check_in_url(other), data)
        self.assertEqual(r.status_code, 400)
        self.assertEqual(GoalCheckIn.objects.count(), 1)

    # Proposing a goal.

    def test_it_shows_the_proposal_form(self) -> None:
        r = self.client.get(PROPOSE_URL)
        self.assertContains(r, "<h1>Foreslå et mål</h1>", html=True)
        self.assertContains(r, "Det vil jeg gerne")
        self.assertContains(r, "Fritid og venner")
        self.assertContains(r, "Ved ikke")
        self.assertEqual(AccessEvent.objects.get(action="read").role, "child")

    def test_it_saves_a_proposal_once(self) -> None:
        """T20: sent twice, one proposal, the same receipt."""
        data = self.propose_data(area="leisure")
        first = self.client.post(PROPOSE_URL, data)
        second = self.client.post(PROPOSE_URL, data)
        proposal = GoalProposal.objects.get()
        for r in (first, second):
            self.assertRedirects(
                r, f"{PROPOSE_URL}?kvittering={proposal.code}", fetch_redirect_response=False
            )
        self.assertEqual(proposal.child_words, "Jeg vil gerne gå til spejder.")
        self.assertEqual(
            (proposal.area, proposal.plan, proposal.child),
            ("leisure", self.plan, self.case_a.child),
        )
        self.assertIsNone(proposal.handled_at)
        event = AccessEvent.objects.get(action="create")
        self.assertEqual((event.role, event.object_code), ("child", str(proposal.code)))
        r = self.client.get(first["Location"])
        self.assertContains(r, "Tak for dit forslag")
        self.assertContains(r, "»Jeg vil gerne gå til spejder.«")

    def test_it_rejects_a_bad_proposal_in_a_childs_words(self) -> None:
        cases = [
            ({"child_words": "  "}, "Skriv, hvad du gerne vil."),
            ({"child_words": "<b>hej</b>"}, "uden HTML-koder"),
            ({"child_words": "x" * 2001}, "Du kan højst skrive 2000 tegn."),
            ({"area": "noget"}, "Vælg et af svarene."),
        ]
        for fields, message in cases:
            with self.subTest(message=message):
                self.assertContains(
                    self.client.post(PROPOSE_URL, self.propose_data(**fields)), message
                )
        self.assertFalse(GoalProposal.objects.exists())

    def test_it_sends_a_child_without_a_plan_to_sig_din_mening(self) -> None:
        self.plan.versions.all().delete()
        self.plan.delete()
        r = self.client.get(PROPOSE_URL)
        self.assertContains(r, "Din plan er ikke lavet endnu")
        self.assertContains(r, reverse("portal:message"))
        r = self.client.post(PROPOSE_URL, self.propose_data())
        self.assertEqual(r.status_code, 200)
        self.assertFalse(GoalProposal.objects.exists())

    def test_it_is_404_for_another_childs_proposal_receipt(self) -> None:
        other = make_plan(self.case_a2, self.anna)
        foreign = make_proposal(other)
        r = self.client.get(f"{PROPOSE_URL}?kvittering={foreign.code}")
        self.assertEqual(r.status_code, 404)
        r = self.client.get(f"{PROPOSE_URL}?kvittering=ikke-en-kode")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(AccessEvent.objects.filter(action="denied", role="child").count(), 2)

    def test_it_sends_staff_to_the_childs_sign_in(self) -> None:
        """A staff login opens nothing in the child channel."""
        goal = self.approved_goal()
        self.client.cookies.clear()
        self.login(self.alice)
        for url in (PLAN_URL, self.check_in_url(goal), PROPOSE_URL):
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 302)
                self.assertIn(reverse("portal:unlock"), r["Location"])

    # Query counts (house style rule 26).

    def assert_plan_queries(self, goals: int) -> None:
        for n in range(goals):
            goal = make_goal(self.plan, area=["school", "health", "leisure"][n % 3])
            make_check_in(self.plan, goal)
            make_check_in(self.plan, goal, rating=1)
        approve_now(self.plan, self.alice)
        make_proposal(self.plan)
        make_proposal(self.plan)
        self.client.get(PLAN_URL)  # warm up: the device session's last-seen time
        with self.assertNumQueries(self.PLAN_QUERIES):
            r = self.client.get(PLAN_URL)
        self.assertEqual(sum(len(section.goals) for section in r.context["sections"]), goals)

    # Expect 12 queries, however many goals, check-ins and proposals:
    #   1 the device session with the child's access and child (the middleware),
    #   2 the child's open case, 3 its plan, 4 the newest approved version, 5 its goals,
    #   6 each goal's newest check-in by the child (a window), 7 the child's proposals,
    #   8 SAVEPOINT, 9 lock the access-log chain head, 10 insert the access event,
    #   11 move the chain head, 12 RELEASE SAVEPOINT.
    PLAN_QUERIES = 12

    def test_it_reads_a_plan_of_two_goals_in_constant_queries(self) -> None:
        self.assert_plan_queries(2)

    def test_it_reads_a_plan_of_nine_goals_in_the_same_queries(self) -> None:
        self.assert_plan_queries(9)
