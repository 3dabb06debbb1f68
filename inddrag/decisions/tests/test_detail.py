from __future__ import annotations

from inddrag.audit.models import AccessEvent
from inddrag.decisions.models import Decision
from inddrag.decisions.tests.helpers import prime_session
from inddrag.test import BaseTestCase, make_decision


class DecisionDetailTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.decision = make_decision(
            self.case_a,
            self.alice,
            title="Fortsat anbringelse",
            not_heard_reason=Decision.NotHeardReason.OTHER,
            not_heard_note="Barnet var på lejrskole.",
        )
        self.url = f"/afgoerelser/{self.decision.code}/"

    def test_it_shows_the_decision(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, '<h1 class="decision-title">Fortsat anbringelse</h1>', html=True)
        self.assertContains(r, "Barnet vil gerne blive boende.")
        self.assertContains(r, "Barnet er ikke hørt før afgørelsen")
        self.assertContains(r, "Anden grund. Barnet var på lejrskole.")
        self.assertContains(r, "1. juni 2024")

    def test_it_shows_a_heard_child(self) -> None:
        Decision.objects.filter(pk=self.decision.pk).update(
            child_heard=True, not_heard_reason="", not_heard_note=""
        )
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Barnet er hørt")
        self.assertNotContains(r, "Barnet er ikke hørt")

    def test_it_lets_the_unit_leader_read(self) -> None:
        self.login(self.leo)
        self.assertContains(self.client.get(self.url), "Fortsat anbringelse")

    def test_it_records_the_read(self) -> None:
        """T5: who read which child's decision."""
        self.login(self.alice)
        self.client.get(self.url)
        event = AccessEvent.objects.get(action="read")
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.child, self.case_a.child)
        self.assertEqual(event.object_type, "Decision")
        self.assertEqual(event.object_code, str(self.decision.code))

    def test_it_is_404_for_another_municipality(self) -> None:
        """T1: Bob and Bea of Sydby get a 404, logged as a denial, and read nothing."""
        for user in [self.bob, self.bea]:
            with self.subTest(user=user.username):
                self.login(user)
                r = self.client.get(self.url)
                self.assertEqual(r.status_code, 404)
                self.assertNotContains(r, "Fortsat anbringelse", status_code=404)
                self.assertTrue(AccessEvent.objects.filter(action="denied", user=user).exists())
        self.assertFalse(AccessEvent.objects.filter(action="read").exists())

    def test_it_is_404_for_a_colleague_without_the_case(self) -> None:
        """T3: Anna has no relation to Case A."""
        self.login(self.anna)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_is_404_after_the_case_is_handed_on(self) -> None:
        """The caseworker sees the decisions of her current cases only."""
        self.case_a.assignments.update(caseworker=self.anna)
        self.login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_refuses_the_administrator(self) -> None:
        self.login(self.ada)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_takes_no_post(self) -> None:
        self.login(self.alice)
        self.assertEqual(self.client.post(self.url).status_code, 405)

    # Expect 10 queries, whatever the number of decisions in the case:
    #   1 session, 2 user, 3 OTP device, 4 memberships,
    #   5 the decision with case, child and author joined (only if its case is visible),
    #   6 SAVEPOINT, 7 lock the chain head, 8 insert the access event, 9 move the chain head,
    #   10 RELEASE SAVEPOINT.
    DETAIL_QUERIES = 10

    def assert_detail_queries(self) -> None:
        self.login(self.alice)
        self.client.get(self.url)
        prime_session(self.client)
        with self.assertNumQueries(self.DETAIL_QUERIES):
            r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)

    def test_it_shows_a_decision_in_constant_queries(self) -> None:
        self.assert_detail_queries()

    def test_it_shows_a_decision_in_the_same_queries_among_many(self) -> None:
        """House style rule 26."""
        for _ in range(20):
            make_decision(self.case_a, self.alice)
        self.assert_detail_queries()
