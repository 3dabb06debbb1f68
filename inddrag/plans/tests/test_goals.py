"""Goals in the draft of Barnets plan (issue 6, point 1): add, change and remove (with a
question first), and take the child's proposal into the plan. Validated in Danish; a goal
without the child's words needs a stated reason (acceptance); optimistic locking on the draft
(T19); the caseworker writes, the leader reads (403), others get a logged 404 (T1, T3)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from inddrag.audit.models import AccessEvent
from inddrag.conversations.meeting_forms import years_after
from inddrag.plans.models import Goal, GoalProposal, PlanArea, PlanVersion
from inddrag.plans.tests.helpers import (
    approve_now,
    draft_of,
    goal_data,
    in_days,
    make_goal,
    make_plan,
    make_proposal,
)
from inddrag.test import BaseTestCase, make_case


class GoalsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.plan = make_plan(self.case_a, self.alice)
        self.add_url = reverse("plans:goal_add", args=[self.plan.code])

    def draft(self) -> PlanVersion:
        return draft_of(self.plan)

    def edit_url(self, goal: Goal) -> str:
        return reverse("plans:goal_edit", args=[self.plan.code, goal.code])

    def remove_url(self, goal: Goal) -> str:
        return reverse("plans:goal_remove", args=[self.plan.code, goal.code])

    def post(self, url: str, **fields: Any) -> Any:
        return self.client.post(url, goal_data(self.draft(), **fields))

    def snapshot(self) -> list[tuple[Any, ...]]:
        return list(
            Goal.objects.order_by("pk").values_list(
                "version__number", "key", "area", "child_words", "description", "review_on"
            )
        )

    # Adding.

    def test_it_shows_the_goal_form(self) -> None:
        PlanArea.objects.create(municipality=self.nordby, name="Sprog og dansk")
        PlanArea.objects.create(municipality=self.sydby, name="Sydbys eget område")
        self.login(self.alice)
        r = self.client.get(self.add_url)
        self.assertContains(r, "<h1>Nyt mål i planen</h1>", html=True)
        self.assertContains(r, "Det vil jeg gerne (barnets egne ord)")
        self.assertContains(r, "Hvis barnets egne ord mangler: hvorfor?")
        # The built-in areas in the order of barnets lov, then the municipality's own.
        body = r.content.decode()
        options = ["Skole og dagtilbud", "Trivsel og mental sundhed", "Fysisk sundhed",
                   "Familie og netværk", "Fritid og venner", "På vej til voksenlivet",
                   "Sprog og dansk"]  # fmt: skip
        positions = [body.index(f">{label}</option>") for label in options]
        self.assertEqual(positions, sorted(positions))
        self.assertNotContains(r, "Sydbys eget område")
        self.assertContains(r, '<input type="hidden" name="revision" value="1"', html=False)
        event = AccessEvent.objects.get(action="read")
        self.assertEqual((event.object_code, event.child), (str(self.plan.code), self.case_a.child))

    def test_it_adds_a_goal_to_the_draft(self) -> None:
        self.login(self.alice)
        r = self.post(self.add_url)
        goal = Goal.objects.get()
        self.assertRedirects(
            r, f"{self.plan.get_absolute_url()}#goal-{goal.key}", fetch_redirect_response=False
        )
        self.assertEqual(goal.version, self.draft())
        self.assertEqual(goal.child_words, "Jeg vil gerne have en ven i klassen.")
        self.assertEqual(goal.description, "Asta får en makker i frikvartererne.")
        self.assertEqual(goal.who_does_what, "Lærer Lise finder en makker. Alice følger op.")
        self.assertEqual(goal.review_on, in_days(60))
        self.assertFalse(goal.proposed_by_child)
        self.assertEqual(self.draft().revision, 2)
        event = AccessEvent.objects.get(action="create")
        self.assertEqual((event.object_type, event.object_code), ("Goal", str(goal.code)))
        self.assertEqual(event.child, self.case_a.child)

    def test_it_adds_a_goal_in_the_municipalitys_own_area(self) -> None:
        PlanArea.objects.create(municipality=self.nordby, name="Sprog og dansk")
        self.login(self.alice)
        self.post(self.add_url, area="Sprog og dansk")
        self.assertEqual(Goal.objects.get().area, "Sprog og dansk")

    def test_it_needs_the_childs_words_or_a_reason(self) -> None:
        """Acceptance: a goal without the child's words is allowed only with a stated reason."""
        self.login(self.alice)
        r = self.post(self.add_url, child_words="  ", child_words_missing_reason="")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Skriv barnets egne ord. Mangler de, så skriv hvorfor")
        self.assertFalse(Goal.objects.exists())
        r = self.post(
            self.add_url,
            child_words="",
            child_words_missing_reason="Asta er 2 år og kan ikke sige det selv.",
        )
        goal = Goal.objects.get()
        self.assertEqual(goal.child_words, "")
        self.assertEqual(goal.child_words_missing_reason, "Asta er 2 år og kan ikke sige det selv.")

    def test_it_drops_the_reason_when_the_childs_words_are_there(self) -> None:
        self.login(self.alice)
        self.post(self.add_url, child_words_missing_reason="Ville ikke.")
        self.assertEqual(Goal.objects.get().child_words_missing_reason, "")

    def test_it_rejects_bad_input_in_danish(self) -> None:
        PlanArea.objects.create(municipality=self.sydby, name="Sydbys eget område")
        self.login(self.alice)
        cases = [
            ({"area": ""}, "area", "Vælg det område i barnets liv, målet hører til."),
            ({"area": "Sydbys eget område"}, "area", "Vælg et af områderne på listen."),
            ({"description": ""}, "description", "Beskriv målet."),
            ({"description": "x" * 5001}, "description", "Skriv højst 5000 tegn."),
            ({"description": "<b>vigtigt</b>"}, "description", "uden HTML-koder"),
            ({"child_words": "<script>x</script>"}, "child_words", "uden HTML-koder"),
            ({"review_on": ""}, "review_on", "Skriv, hvornår målet skal følges op."),
            ({"review_on": "i morgen"}, "review_on", "Skriv en rigtig dato."),
            ({"review_on": in_days(-1).isoformat()}, "review_on", "Datoen er passeret."),
            ({"review_on": in_days(800).isoformat()}, "review_on", "inden for 2 år"),
        ]
        for fields, field, message in cases:
            with self.subTest(field=field, message=message):
                r = self.post(self.add_url, **fields)
                self.assertEqual(r.status_code, 200)
                errors = " ".join(r.context["form"].errors.get(field, []))
                self.assertIn(message, errors)
        self.assertFalse(Goal.objects.exists())
        self.assertFalse(AccessEvent.objects.filter(action="create").exists())

    def test_it_accepts_today_and_two_years_ahead(self) -> None:
        self.login(self.alice)
        self.post(self.add_url, review_on=in_days(0).isoformat())
        two_years = years_after(in_days(0), 2)
        self.post(self.add_url, review_on=two_years.isoformat())
        self.assertEqual(Goal.objects.count(), 2)

    def test_it_shows_a_conflict_for_a_stale_draft_and_keeps_the_text(self) -> None:
        """T19: the draft was saved since the form was loaded: nothing is saved, the editor's
        text is in the form, which now carries the new revision (saving again saves it)."""
        self.login(self.alice)
        stale = goal_data(self.draft(), description="Min egen tekst om målet.")
        other = make_goal(self.plan, description="Kollegaens mål.")
        PlanVersion.objects.filter(pk=self.draft().pk).update(revision=2)
        r = self.client.post(self.add_url, stale)
        self.assertEqual(r.status_code, 409)
        self.assertContains(r, "Planen er ændret, mens du skrev", status_code=409)
        self.assertContains(r, "Kollegaens mål.", status_code=409)
        self.assertContains(r, "Min egen tekst om målet.</textarea>", status_code=409)
        self.assertContains(r, "Jeg vil gerne have en ven i klassen.</textarea>", status_code=409)
        self.assertContains(
            r, '<input type="hidden" name="revision" value="2"', status_code=409, html=False
        )
        self.assertEqual(list(Goal.objects.all()), [other])
        self.assertEqual(
            AccessEvent.objects.get(action="read").criterion,
            "edit conflict: revision 1 is now 2",
        )
        again = {**stale, "revision": "2"}
        self.client.post(self.add_url, again)
        self.assertEqual(Goal.objects.count(), 2)

    def test_it_is_no_conflict_to_send_the_same_goal_twice(self) -> None:
        self.login(self.alice)
        data = goal_data(self.draft())
        self.client.post(self.add_url, data)
        r = self.client.post(self.add_url, data)
        goal = Goal.objects.get()
        self.assertRedirects(
            r, f"{self.plan.get_absolute_url()}#goal-{goal.key}", fetch_redirect_response=False
        )

    # Changing.

    def test_it_shows_the_goal_filled_in(self) -> None:
        goal = make_goal(self.plan, child_words="Jeg vil spille fodbold.", area="leisure")
        self.login(self.alice)
        r = self.client.get(self.edit_url(goal))
        self.assertContains(r, "<h1>Ret målet</h1>", html=True)
        self.assertContains(r, "Jeg vil spille fodbold.</textarea>")
        self.assertContains(r, '<option value="leisure" selected>', html=False)

    def test_it_changes_a_goal_and_keeps_the_childs_mark(self) -> None:
        goal = make_goal(self.plan, proposed_by_child=True)
        self.login(self.alice)
        r = self.post(self.edit_url(goal), description="Ny beskrivelse.", area="wellbeing")
        self.assertRedirects(
            r, f"{self.plan.get_absolute_url()}#goal-{goal.key}", fetch_redirect_response=False
        )
        goal.refresh_from_db()
        self.assertEqual((goal.description, goal.area), ("Ny beskrivelse.", "wellbeing"))
        self.assertTrue(goal.proposed_by_child)
        self.assertEqual(AccessEvent.objects.get(action="update").object_code, str(goal.code))

    def test_it_keeps_a_retired_area_when_a_goal_is_changed(self) -> None:
        goal = make_goal(self.plan, area="Gammelt område")
        self.login(self.alice)
        self.post(self.edit_url(goal), area="Gammelt område", description="Stadig her.")
        goal.refresh_from_db()
        self.assertEqual((goal.area, goal.description), ("Gammelt område", "Stadig her."))

    def test_it_shows_a_conflict_with_the_saved_goal(self) -> None:
        """T19 for a change: a colleague changed the goal since; both versions are shown."""
        goal = make_goal(self.plan, description="Første udgave.")
        self.login(self.alice)
        stale = goal_data(self.draft(), description="Min udgave.")
        Goal.objects.filter(pk=goal.pk).update(description="Kollegaens udgave.")
        PlanVersion.objects.filter(pk=self.draft().pk).update(revision=5)
        r = self.client.post(self.edit_url(goal), stale)
        self.assertEqual(r.status_code, 409)
        self.assertContains(r, "Målet, som det er gemt nu", status_code=409)
        self.assertContains(r, "Kollegaens udgave.", status_code=409)
        self.assertContains(r, "Min udgave.</textarea>", status_code=409)
        goal.refresh_from_db()
        self.assertEqual(goal.description, "Kollegaens udgave.")
        r = self.client.post(self.edit_url(goal), {**stale, "revision": "5"})
        goal.refresh_from_db()
        self.assertEqual(goal.description, "Min udgave.")

    def test_it_sends_an_approved_versions_goal_to_the_draft(self) -> None:
        """An approved version never changes: an old link leads to the draft's same goal."""
        goal = make_goal(self.plan)
        approve_now(self.plan, self.alice)
        same = Goal.objects.get(version=self.draft(), key=goal.key)
        self.login(self.alice)
        r = self.client.get(self.edit_url(goal))
        self.assertRedirects(r, self.edit_url(same), fetch_redirect_response=False)
        # A stale form for it is a conflict, not a change of the approved version.
        stale = goal_data(PlanVersion.objects.get(number=1), description="Ændret?")
        r = self.client.post(self.edit_url(goal), stale)
        self.assertEqual(r.status_code, 409)
        goal.refresh_from_db()
        self.assertNotEqual(goal.description, "Ændret?")

    # Removing.

    def test_it_asks_before_it_removes_a_goal(self) -> None:
        goal = make_goal(self.plan, child_words="Jeg vil sove bedre.")
        self.login(self.alice)
        r = self.client.get(self.remove_url(goal))
        self.assertContains(r, "<h1>Vil du fjerne målet fra kladden?</h1>", html=True)
        self.assertContains(r, "Jeg vil sove bedre.")
        self.assertContains(r, "Ja, fjern målet")
        self.assertTrue(Goal.objects.filter(pk=goal.pk).exists())
        r = self.client.post(self.remove_url(goal), {"draft": "1", "revision": "1"})
        self.assertRedirects(r, self.plan.get_absolute_url(), fetch_redirect_response=False)
        self.assertFalse(Goal.objects.exists())
        self.assertEqual(AccessEvent.objects.get(action="delete").object_code, str(goal.code))
        # The same "Ja" again: the goal is gone (it was never in an approved version).
        r = self.client.post(self.remove_url(goal), {"draft": "1", "revision": "1"})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(AccessEvent.objects.filter(action="delete").count(), 1)

    def test_it_says_a_goal_is_gone_when_the_same_yes_comes_twice(self) -> None:
        """A goal that an approved version keeps: the second "Ja" finds it removed already."""
        goal = make_goal(self.plan)
        approve_now(self.plan, self.alice)
        same = Goal.objects.get(version=self.draft(), key=goal.key)
        self.login(self.alice)
        self.client.post(self.remove_url(same), {"draft": "2", "revision": "1"})
        r = self.client.post(self.remove_url(goal), {"draft": "2", "revision": "1"})
        self.assertRedirects(r, self.plan.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(AccessEvent.objects.filter(action="delete").count(), 1)

    def test_it_asks_again_when_the_draft_changed(self) -> None:
        """T19 for a removal: the goal is removed only as the caseworker saw it."""
        goal = make_goal(self.plan)
        self.login(self.alice)
        PlanVersion.objects.filter(pk=self.draft().pk).update(revision=3)
        r = self.client.post(self.remove_url(goal), {"draft": "1", "revision": "1"})
        self.assertRedirects(r, self.remove_url(goal), fetch_redirect_response=False)
        self.assertTrue(Goal.objects.filter(pk=goal.pk).exists())

    def test_it_keeps_the_goal_in_the_approved_version(self) -> None:
        goal = make_goal(self.plan)
        approve_now(self.plan, self.alice)
        same = Goal.objects.get(version=self.draft(), key=goal.key)
        self.login(self.alice)
        self.client.post(self.remove_url(same), {"draft": "2", "revision": "1"})
        self.assertEqual(list(Goal.objects.all()), [goal])

    # The child's proposal.

    def test_it_takes_the_childs_proposal_into_the_draft(self) -> None:
        proposal = make_proposal(
            self.plan, child_words="Jeg vil gerne gå til svømning.", area="leisure"
        )
        url = reverse("plans:take_proposal", args=[self.plan.code, proposal.code])
        self.login(self.alice)
        r = self.client.get(url)
        self.assertContains(r, "»Jeg vil gerne gå til svømning.«")
        self.assertContains(r, '<option value="leisure" selected>', html=False)
        self.assertNotContains(r, 'name="child_words"')
        # The child's words are the child's: a posted text does not replace them.
        r = self.post(url, area="leisure", child_words="Noget andet.")
        goal = Goal.objects.get()
        self.assertRedirects(
            r, f"{self.plan.get_absolute_url()}#goal-{goal.key}", fetch_redirect_response=False
        )
        self.assertEqual(goal.child_words, "Jeg vil gerne gå til svømning.")
        self.assertTrue(goal.proposed_by_child)
        proposal.refresh_from_db()
        self.assertIsNotNone(proposal.handled_at)
        self.assertEqual(proposal.goal_key, goal.key)
        event = AccessEvent.objects.get(action="create")
        self.assertEqual(event.criterion, f"from the child's proposal {proposal.code}")
        # Sent again: one goal.
        r = self.post(url, area="leisure")
        self.assertEqual(Goal.objects.count(), 1)
        self.assertEqual(r.status_code, 302)

    def test_it_leaves_the_proposal_open_on_a_conflict(self) -> None:
        proposal = make_proposal(self.plan)
        url = reverse("plans:take_proposal", args=[self.plan.code, proposal.code])
        self.login(self.alice)
        stale = goal_data(self.draft(), description="Min tekst.")
        PlanVersion.objects.filter(pk=self.draft().pk).update(revision=2)
        r = self.client.post(url, stale)
        self.assertEqual(r.status_code, 409)
        self.assertContains(r, "Min tekst.</textarea>", status_code=409)
        proposal.refresh_from_db()
        self.assertIsNone(proposal.handled_at)
        self.assertFalse(Goal.objects.exists())

    # Who may (T1, T3, house style rule 25).

    def test_it_refuses_the_leader_every_change(self) -> None:
        """The unit's leader reads the plan but changes nothing: 403, logged, nothing saved."""
        goal = make_goal(self.plan)
        proposal = make_proposal(self.plan)
        before = self.snapshot()
        self.login(self.leo)
        urls = [
            self.add_url,
            self.edit_url(goal),
            self.remove_url(goal),
            reverse("plans:take_proposal", args=[self.plan.code, proposal.code]),
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
                self.assertEqual(self.post(url).status_code, 403)
        self.assertEqual(self.snapshot(), before)
        self.assertIsNone(GoalProposal.objects.get().handled_at)
        self.assertEqual(AccessEvent.objects.filter(action="denied").count(), 8)

    def test_it_is_404_to_others(self) -> None:
        """Anna (same municipality, not her case) and Bob (Sydby): a logged 404 everywhere."""
        goal = make_goal(self.plan)
        proposal = make_proposal(self.plan)
        before = self.snapshot()
        urls = [
            self.add_url,
            self.edit_url(goal),
            self.remove_url(goal),
            reverse("plans:take_proposal", args=[self.plan.code, proposal.code]),
        ]
        for user in (self.anna, self.bob):
            self.login(user)
            for url in urls:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
                    self.assertEqual(self.post(url).status_code, 404)
        self.assertEqual(self.snapshot(), before)
        denied = AccessEvent.objects.filter(action="denied")
        self.assertEqual(denied.count(), 16)
        self.assertEqual(
            set(denied.values_list("criterion", flat=True)), {f"plan {self.plan.code}"}
        )

    def test_it_is_404_for_a_goal_of_another_plan(self) -> None:
        other_case = make_case(self.vest, self.alice, first_name="Alma")
        other = make_plan(other_case, self.alice)
        foreign = make_goal(other)
        self.login(self.alice)
        for url in (self.edit_url(foreign), self.remove_url(foreign)):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(
            set(AccessEvent.objects.filter(action="denied").values_list("criterion", flat=True)),
            {f"goal {foreign.code}"},
        )
