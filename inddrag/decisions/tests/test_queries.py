from __future__ import annotations

from datetime import date

from inddrag.children.models import Case
from inddrag.decisions.models import Decision
from inddrag.decisions.queries import (
    decisions_for_timeline,
    heard_share,
    is_heard,
    unheard_decision_count,
)
from inddrag.test import BaseTestCase, make_decision


class DecisionQueriesTestCase(BaseTestCase):
    """The headline measure and the reads other screens use."""

    def test_it_decides_heard_at_the_boundaries(self) -> None:
        on = date(2025, 6, 1)
        self.assertTrue(is_heard(date(2025, 3, 1), on, period_days=92))  # 92 days before
        self.assertFalse(is_heard(date(2025, 2, 28), on, period_days=92))  # 93 days
        self.assertTrue(is_heard(on, on, period_days=92))  # the same day
        self.assertFalse(is_heard(date(2025, 6, 2), on, period_days=92))  # after
        self.assertFalse(is_heard(None, on, period_days=92))

    def test_it_computes_the_heard_share_in_one_query(self) -> None:
        for heard in [True, True, False]:
            make_decision(self.case_a, self.alice, child_heard=heard)
        make_decision(self.case_b, self.bob, child_heard=True)
        with self.assertNumQueries(1):
            share = heard_share(Decision.objects.filter(municipality=self.nordby))
        self.assertEqual(share, (2, 3))
        self.assertEqual(heard_share(Decision.objects.none()), (0, 0))

    def test_it_counts_unheard_decisions_per_case(self) -> None:
        for heard in [False, False, True]:
            make_decision(self.case_a, self.alice, child_heard=heard)
        make_decision(self.case_a2, self.anna, child_heard=True)
        with self.assertNumQueries(1):
            counts = dict(
                Case.objects.filter(municipality=self.nordby)
                .annotate(unheard=unheard_decision_count())
                .values_list("reference", "unheard")
            )
        self.assertEqual(counts, {self.case_a.reference: 2, self.case_a2.reference: 0})
        self.assertEqual(Decision.objects.filter(case=self.case_a).unheard().count(), 2)
        self.assertEqual(Decision.objects.filter(case=self.case_a).heard().count(), 1)

    def test_it_lists_the_cases_decisions_newest_first(self) -> None:
        old = make_decision(self.case_a, self.alice, decided_on=date(2024, 2, 1))
        new = make_decision(self.case_a, self.alice, decided_on=date(2025, 2, 1))
        make_decision(self.case_a2, self.anna)
        with self.assertNumQueries(1):
            self.assertEqual(list(decisions_for_timeline(self.case_a)), [new, old])
