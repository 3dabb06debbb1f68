"""Versions of Barnets plan (issue 6, point 1): approving the draft (asked first; an empty plan
is refused with a clear message, acceptance) keeps it as version N and copies its goals into a
new draft; two versions are compared goal by goal, in words, not colour alone. T19 on the
approval; the leader reads the comparison but approves nothing (403); others get a logged 404."""

from __future__ import annotations

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from inddrag.audit.models import AccessEvent
from inddrag.plans.areas import Areas
from inddrag.plans.diff import ADDED, CHANGED, REMOVED, UNCHANGED, compare_goals, word_diff
from inddrag.plans.models import Goal, PlanVersion
from inddrag.plans.tests.helpers import approve_now, draft_of, in_days, make_goal, make_plan
from inddrag.test import BaseTestCase, make_child_access

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@override_settings(TASKS=IMMEDIATE)
class VersionsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.plan = make_plan(self.case_a, self.alice)
        self.approve_url = reverse("plans:approve", args=[self.plan.code])
        self.compare_url = reverse("plans:compare", args=[self.plan.code])

    def lock(self) -> dict[str, str]:
        draft = draft_of(self.plan)
        return {"draft": str(draft.number), "revision": str(draft.revision)}

    # Approving.

    def test_it_refuses_to_approve_an_empty_plan(self) -> None:
        """Acceptance: an empty plan cannot be approved, and the page says why."""
        self.login(self.alice)
        r = self.client.get(self.approve_url)
        self.assertContains(r, "En plan uden mål kan ikke godkendes. Skriv mindst ét mål først.")
        self.assertNotContains(r, "Ja, godkend")
        r = self.client.post(self.approve_url, self.lock())
        self.assertContains(
            r, "En plan uden mål kan ikke godkendes. Skriv mindst ét mål først.", status_code=400
        )
        draft = PlanVersion.objects.get()
        self.assertIsNone(draft.approved_at)
        self.assertEqual(draft.revision, 1)
        self.assertFalse(AccessEvent.objects.filter(action="update").exists())

    def test_it_asks_first_and_approves_the_draft_as_version_one(self) -> None:
        first = make_goal(self.plan, position=0)
        second = make_goal(self.plan, position=1, proposed_by_child=True)
        access = make_child_access(self.case_a, self.alice, notify_email="asta@example.com")
        self.login(self.alice)
        r = self.client.get(self.approve_url)
        self.assertContains(r, "<h1>Godkend version 1 af barnets plan</h1>", html=True)
        self.assertContains(r, "Kladden har 2 mål.")
        self.assertContains(r, "Barnet kan se den godkendte plan i Inddrag")
        self.assertIsNone(PlanVersion.objects.get().approved_at)
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(self.approve_url, self.lock())
        self.assertRedirects(r, self.plan.get_absolute_url(), fetch_redirect_response=False)
        one, two = PlanVersion.objects.order_by("number")
        self.assertEqual((one.number, one.approved_by), (1, self.alice))
        self.assertIsNotNone(one.approved_at)
        self.assertEqual((two.number, two.approved_at, two.revision), (2, None, 1))
        # The new draft has the same goals, by key, in the same order; version 1 keeps its own.
        copied = list(Goal.objects.filter(version=two).order_by("position"))
        self.assertEqual([g.key for g in copied], [first.key, second.key])
        self.assertEqual([g.proposed_by_child for g in copied], [False, True])
        self.assertEqual(copied[0].child_words, first.child_words)
        self.assertEqual(Goal.objects.filter(version=one).count(), 2)
        event = AccessEvent.objects.get(action="update")
        self.assertEqual((event.object_type, event.object_code), ("PlanVersion", str(one.code)))
        self.assertEqual(event.criterion, "approved version 1")
        self.assertEqual(event.child, self.case_a.child)
        # The child gets the content-free notice.
        self.assertEqual([m.to for m in mail.outbox], [[access.notify_email]])
        self.assertNotIn(first.child_words, mail.outbox[0].body)

    def test_it_approves_once_for_the_same_yes_twice(self) -> None:
        make_goal(self.plan)
        self.login(self.alice)
        lock = self.lock()
        self.client.post(self.approve_url, lock)
        r = self.client.post(self.approve_url, lock)
        self.assertRedirects(r, self.plan.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(PlanVersion.objects.count(), 2)
        self.assertEqual(AccessEvent.objects.filter(action="update").count(), 1)

    def test_it_refuses_to_approve_a_draft_changed_since_it_was_shown(self) -> None:
        """T19: the caseworker approves what the page showed, or nothing."""
        make_goal(self.plan)
        self.login(self.alice)
        lock = self.lock()
        make_goal(self.plan, child_words="Kom til bagefter.")
        PlanVersion.objects.filter(pk=draft_of(self.plan).pk).update(revision=2)
        r = self.client.post(self.approve_url, lock)
        self.assertContains(r, "Kladden er ændret, siden du åbnede siden.", status_code=409)
        self.assertContains(r, "Kladden har 2 mål.", status_code=409)
        self.assertContains(r, 'name="revision" value="2"', status_code=409)
        self.assertIsNone(PlanVersion.objects.get().approved_at)
        r = self.client.post(self.approve_url, self.lock())
        self.assertEqual(r.status_code, 302)
        self.assertIsNotNone(PlanVersion.objects.get(number=1).approved_at)

    def test_it_refuses_the_leader_and_others_the_approval(self) -> None:
        make_goal(self.plan)
        self.login(self.leo)
        self.assertEqual(self.client.get(self.approve_url).status_code, 403)
        self.assertEqual(self.client.post(self.approve_url, self.lock()).status_code, 403)
        for user in (self.anna, self.bob):
            self.login(user)
            self.assertEqual(self.client.post(self.approve_url, self.lock()).status_code, 404)
        self.assertIsNone(PlanVersion.objects.get().approved_at)
        self.assertEqual(AccessEvent.objects.filter(action="denied").count(), 4)

    def test_it_approves_version_two_after_a_change(self) -> None:
        goal = make_goal(self.plan)
        approve_now(self.plan, self.alice)
        self.login(self.alice)
        r = self.client.get(self.approve_url)
        self.assertContains(r, "I forhold til version 1: 0 tilføjet, 0 ændret og 0 fjernet.")
        Goal.objects.filter(version=draft_of(self.plan)).update(description="Ændret.")
        r = self.client.get(self.approve_url)
        self.assertContains(r, "I forhold til version 1: 0 tilføjet, 1 ændret og 0 fjernet.")
        self.client.post(self.approve_url, self.lock())
        two = PlanVersion.objects.get(number=2)
        self.assertIsNotNone(two.approved_at)
        self.assertEqual(Goal.objects.get(version=two).key, goal.key)
        self.assertEqual(draft_of(self.plan).number, 3)

    # Comparing.

    def test_it_compares_the_last_approved_version_with_the_draft(self) -> None:
        make_goal(self.plan, child_words="Jeg vil gå i skole hver dag.", position=0)
        changed = make_goal(self.plan, child_words="Jeg vil sove.", position=1)
        removed = make_goal(self.plan, child_words="Jeg vil have en kat.", position=2)
        approve_now(self.plan, self.alice)
        draft = draft_of(self.plan)
        Goal.objects.filter(version=draft, key=changed.key).update(
            child_words="Jeg vil sove hele natten.", review_on=in_days(20)
        )
        Goal.objects.filter(version=draft, key=removed.key).delete()
        make_goal(self.plan, child_words="Jeg vil gå til klaver.", area="leisure")
        self.login(self.alice)
        r = self.client.get(self.compare_url)
        self.assertContains(r, "Fra version 1 til version 2")
        self.assertContains(r, "1 tilføjet, 1 ændret, 1 fjernet og 1 uændret.")
        body = r.content.decode()
        # In words, not colour alone.
        self.assertIn('<span class="plan-tag">Tilføjet</span>', body)
        self.assertIn('<span class="plan-tag">Fjernet</span>', body)
        self.assertIn('<span class="plan-tag">Ændret</span>', body)
        self.assertIn("»Jeg vil gå til klaver.«", body)
        self.assertIn("»Jeg vil have en kat.«", body)
        # Which fields changed, the changed words marked.
        self.assertIn("<dt>Det vil jeg gerne (barnets egne ord)</dt>", body)
        self.assertIn('<ins><span class="sr-only">[Tilføjet: </span> hele natten', body)
        self.assertIn("<dt>Følges op</dt>", body)
        # The unchanged goal is folded away.
        self.assertIn("<summary>1 uændret mål</summary>", body)
        self.assertIn("»Jeg vil gå i skole hver dag.«", body[body.index("<summary>") :])
        event = AccessEvent.objects.get(action="read")
        self.assertEqual(
            (event.object_code, event.criterion), (str(self.plan.code), "compare v1 v2")
        )

    def test_it_compares_the_last_two_approved_versions_by_default(self) -> None:
        make_goal(self.plan)
        approve_now(self.plan, self.alice)
        make_goal(self.plan)
        approve_now(self.plan, self.alice)
        make_goal(self.plan)  # in draft 3
        self.login(self.leo)  # the leader reads the comparison too
        r = self.client.get(self.compare_url)
        self.assertContains(r, "Fra version 1 til version 2")
        self.assertContains(r, "1 tilføjet, 0 ændret, 0 fjernet og 1 uændret.")
        r = self.client.get(self.compare_url, {"a": "3", "b": "1"})
        self.assertContains(r, "Fra version 1 til version 3")
        self.assertContains(r, "2 tilføjet, 0 ændret, 0 fjernet og 1 uændret.")

    def test_it_says_what_is_wrong_with_a_choice(self) -> None:
        make_goal(self.plan)
        approve_now(self.plan, self.alice)
        self.login(self.alice)
        r = self.client.get(self.compare_url, {"a": "1", "b": "1"})
        self.assertContains(r, "Vælg to forskellige versioner.")
        self.assertContains(r, "Fra version 1 til version 2")  # the default instead
        r = self.client.get(self.compare_url, {"a": "1", "b": "9"})
        self.assertContains(r, "Vælg en version fra listen.")

    def test_it_has_nothing_to_compare_before_the_first_approval(self) -> None:
        make_goal(self.plan)
        self.login(self.alice)
        r = self.client.get(self.compare_url)
        self.assertContains(r, "Planen har kun én version endnu.")

    # The comparison itself (no queries).

    def test_it_marks_words_and_escapes_them(self) -> None:
        marked = word_diff("Asta går i <skole> & leger", "Asta går i klub & leger meget")
        self.assertEqual(
            marked,
            'Asta går i <del><span class="sr-only">[Slettet: </span>&lt;skole&gt;'
            '<span class="sr-only">]</span></del><ins><span class="sr-only">[Tilføjet: </span>'
            'klub<span class="sr-only">]</span></ins> &amp; leger<ins><span class="sr-only">'
            '[Tilføjet: </span> meget<span class="sr-only">]</span></ins>',
        )
        self.assertEqual(word_diff("ens", "ens"), "ens")

    def test_it_matches_goals_by_key(self) -> None:
        a = make_goal(self.plan, position=0, area="health")
        b = make_goal(self.plan, position=1, area="school")
        approve_now(self.plan, self.alice)
        old = list(Goal.objects.filter(version__number=1))
        draft = draft_of(self.plan)
        Goal.objects.filter(version=draft, key=b.key).update(proposed_by_child=True)
        Goal.objects.filter(version=draft, key=a.key).delete()
        new = list(Goal.objects.filter(version=draft)) + [make_goal(self.plan, area="school")]
        diffs = compare_goals(old, new, Areas())
        self.assertEqual([d.status for d in diffs], [CHANGED, ADDED, REMOVED])
        self.assertEqual([c.label for c in diffs[0].changes], ["Barnets forslag"])
        self.assertEqual((diffs[0].changes[0].old, diffs[0].changes[0].new), ("Nej", "Ja"))
        self.assertEqual(
            [d.status for d in compare_goals(old, old, Areas())], [UNCHANGED, UNCHANGED]
        )
