"""The leader's figures (figures.load and the sections) over a small hand-built set of UnitMonth
and CaseSnapshot rows, with the exact expected numbers; small-cell suppression (security T24: no
figure based on fewer than 5 children across units or caseworkers) and the query count."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from inddrag.accounts.models import User
from inddrag.children.models import Case
from inddrag.insights import figures
from inddrag.insights.figures import SUPPRESSED, Data, Filters, Section, Table
from inddrag.insights.models import AgeBand, CaseSnapshot, MeasureGroup, Target, UnitMonth
from inddrag.municipalities.models import Membership, Unit
from inddrag.test import BaseTestCase, make_case, make_member

TODAY = date(2025, 6, 15)
WINDOW = date(2020, 4, 1)  # 62 months before June 2025 (refresh.py)
FEB, MAR, APR = date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)
SPRING = Filters(start=MAR, end=APR)
S = SUPPRESSED


def bit(month: date) -> int:
    return 1 << ((month.year - WINDOW.year) * 12 + month.month - WINDOW.month)


def section(data: Data, key: str) -> Section:
    return next(s for s in figures.sections(data) if s.key == key)


def table(data: Data, key: str) -> Table:
    found = figures.table(data, key)
    assert found is not None
    return found


class FiguresTest(BaseTestCase):
    carl: User

    @classmethod
    def snapshot(cls, case: Case, caseworker: User | None, **fields: Any) -> None:
        fields.setdefault("is_open", True)
        fields.setdefault("age_band", AgeBand.TWEEN)
        fields.setdefault("measure_group", MeasureGroup.PLACEMENT)
        CaseSnapshot.objects.create(
            case=case,
            municipality=case.municipality,
            unit=case.unit,
            child=case.child,
            caseworker=caseworker,
            window_start=WINDOW,
            refreshed_on=TODAY,
            **fields,
        )

    @classmethod
    def month(cls, unit: Any, caseworker: User, month: date, **fields: Any) -> None:
        fields.setdefault("age_band", AgeBand.TWEEN)
        fields.setdefault("measure_group", MeasureGroup.PLACEMENT)
        UnitMonth.objects.create(
            municipality=unit.municipality, unit=unit, caseworker=caseworker, month=month, **fields
        )

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        vest, oest, alice, anna = cls.vest, cls.oest, cls.alice, cls.anna
        cls.carl = make_member("carl", cls.nordby, Membership.Role.CASEWORKER, vest)
        m, a, f = bit(MAR), bit(APR), bit(FEB)
        teen_prev = {"age_band": AgeBand.TEEN, "measure_group": MeasureGroup.PREVENTIVE}
        small_none = {"age_band": AgeBand.SMALL, "measure_group": MeasureGroup.NONE}
        # Team Vest, Alice: six open cases and a closed one.
        a1, a2, a3, a4, a5, a6, a7 = [cls.case_a, *(make_case(vest, alice) for _ in range(6))]
        cls.snapshot(a1, alice, decision_months=m, feedback_months=m, days_since_conversation=10)
        cls.snapshot(
            a2,
            alice,
            decision_months=m | a,
            feedback_months=m,
            days_since_conversation=45,
            overdue=True,
            handovers_year=1,
        )
        cls.snapshot(
            a3,
            alice,
            decision_months=a,
            feedback_months=a,
            days_since_conversation=100,
            handovers_year=2,
            **teen_prev,
        )
        cls.snapshot(
            a4,
            alice,
            decision_months=m,
            feedback_months=m,
            days_since_conversation=200,
            handovers_year=3,
            **teen_prev,
        )
        cls.snapshot(a5, alice, decision_months=f, days_since_conversation=400, **small_none)
        cls.snapshot(a6, alice, overdue=True, **small_none)  # never a conversation
        cls.snapshot(a7, alice, is_open=False, decision_months=m, days_since_conversation=5)
        # Team Vest, Carl: two open cases.
        c1, c2 = make_case(vest, cls.carl), make_case(vest, cls.carl)
        cls.snapshot(c1, cls.carl, decision_months=m, feedback_months=m, days_since_conversation=20)
        cls.snapshot(c2, cls.carl, **teen_prev)
        # Team Øst, Anna: five open cases.
        n1, n2, n3, n4, n5 = [cls.case_a2, *(make_case(oest, anna) for _ in range(4))]
        for case, days, decided, fed, group in [
            (n1, 30, m, m, MeasureGroup.PLACEMENT),
            (n2, 31, m, m, MeasureGroup.PLACEMENT),
            (n3, 90, m, m, MeasureGroup.PREVENTIVE),
            (n4, 91, m, 0, MeasureGroup.PREVENTIVE),
            (n5, 365, a, 0, MeasureGroup.PREVENTIVE),
        ]:
            cls.snapshot(
                case,
                anna,
                decision_months=decided,
                feedback_months=fed,
                days_since_conversation=days,
                measure_group=group,
            )
        # Another municipality's rows never count.
        cls.snapshot(cls.case_b, cls.bob, decision_months=m, days_since_conversation=1)
        cls.month(cls.syd, cls.bob, MAR, decisions=9, decisions_heard=9)

        cls.month(
            vest,
            alice,
            MAR,
            decisions=3,
            decisions_heard=2,
            decisions_reason=1,
            feedback_answers=4,
            felt_heard=3,
            understood=2,
        )
        cls.month(vest, alice, APR, decisions=2, decisions_heard=1, **teen_prev)
        cls.month(
            vest,
            cls.carl,
            MAR,
            decisions=1,
            decisions_heard=1,
            feedback_answers=1,
            felt_heard=1,
            understood=1,
        )
        cls.month(vest, alice, FEB, decisions=5, **small_none)  # before the period
        cls.month(
            oest,
            anna,
            MAR,
            decisions=4,
            decisions_heard=1,
            decisions_reason=2,
            feedback_answers=3,
            felt_heard=1,
            understood=3,
        )
        cls.month(
            oest,
            anna,
            APR,
            decisions=1,
            decisions_heard=1,
            measure_group=MeasureGroup.PREVENTIVE,
        )

    def load(self, filters: Filters = SPRING, **kwargs: Any) -> Data:
        return figures.load(self.nordby.pk, filters, with_charts=False, **kwargs)

    def test_it_gives_the_heard_share_per_month_and_per_unit(self) -> None:
        data = self.load()
        heard = section(data, "heard")
        self.assertEqual(heard.children, 11)  # a1-a4, a7 (closed), c1; n1-n5
        self.assertEqual(heard.empty, "")
        self.assertEqual(
            table(data, "heard_months").rows,
            [["03.2025", 8, 4, 50.0, 4, 3], ["04.2025", 3, 2, 66.7, 1, 0]],
        )
        groups = table(data, "heard_groups")
        self.assertEqual(
            groups.rows,
            [["Team Vest", 6, 6, 4, 66.7, 2, 1], ["Team Øst", 5, 5, 2, 40.0, 3, 2]],
        )
        self.assertEqual(groups.footer, [["I alt", 11, 11, 6, 54.5, 5, 3]])

    def test_it_suppresses_a_caseworker_below_5_children_and_the_total(self) -> None:
        data = self.load(Filters(start=MAR, end=APR, unit_id=self.vest.pk))
        self.assertTrue(data.by_caseworker)
        self.assertEqual(section(data, "heard").children, 6)
        self.assertEqual(
            table(data, "heard_months").rows,
            [["03.2025", 4, 3, 75.0, 1, 1], ["04.2025", 2, 1, 50.0, 1, 0]],
        )
        groups = table(data, "heard_groups")
        # Alice: a1-a4 and a7 (5 children); Carl: c1 only.
        self.assertEqual(
            groups.rows,
            [["Alice Testesen", 5, 5, 3, 60.0, 2, 1], ["Carl Testesen", S, S, S, S, S, S]],
        )
        # With Carl's row hidden the total would give him back: hidden too.
        self.assertEqual(groups.footer, [["I alt", S, S, S, S, S, S]])
        self.assertEqual(str(S), "færre end 5")

    def test_it_hides_every_row_and_the_total_below_5_children(self) -> None:
        data = self.load(Filters(start=FEB, end=FEB))
        self.assertEqual(section(data, "heard").children, 1)  # a5
        self.assertEqual(table(data, "heard_months").rows, [["02.2025", 5, 0, 0.0, 5, 0]])
        groups = table(data, "heard_groups")
        self.assertEqual(groups.rows, [["Team Vest", S, S, S, S, S, S]])
        self.assertEqual(groups.footer, [["I alt", S, S, S, S, S, S]])

    def test_it_counts_the_children_behind_a_figure_by_the_period_mask(self) -> None:
        def children(start: date, end: date, family: str = "heard") -> int:
            return section(self.load(Filters(start=start, end=end)), family).children

        self.assertEqual(children(MAR, MAR), 9)  # a1, a2, a4, a7, c1, n1-n4
        self.assertEqual(children(APR, APR), 3)  # a2, a3, n5
        self.assertEqual(children(FEB, APR), 12)
        self.assertEqual(children(date(2025, 5, 1), date(2025, 6, 1)), 0)
        self.assertEqual(children(date(2019, 1, 1), date(2020, 3, 1)), 0)  # before the window
        self.assertEqual(children(MAR, APR, "feedback"), 8)  # a1-a4, c1, n1-n3
        self.assertEqual(children(APR, APR, "feedback"), 1)  # a3

    def test_it_gives_the_days_since_the_last_conversation_and_overdue(self) -> None:
        data = self.load()
        conversation = section(data, "conversation")
        self.assertEqual(conversation.children, 13)  # open cases only
        # Open; 0-30, 31-90, 91-180, 181-365, over 365, never; overdue.
        self.assertEqual(
            table(data, "conversation").rows,
            [["Team Vest", 8, 2, 1, 1, 1, 1, 2, 2], ["Team Øst", 5, 1, 2, 1, 1, 0, 0, 0]],
        )
        self.assertEqual(table(data, "conversation").footer, [["I alt", 13, 3, 3, 2, 2, 1, 2, 2]])
        unit = self.load(Filters(start=MAR, end=APR, unit_id=self.vest.pk))
        self.assertEqual(
            table(unit, "conversation").rows,
            [["Alice Testesen", 6, 1, 1, 1, 1, 1, 1, 2], ["Carl Testesen", S, S, S, S, S, S, S, S]],
        )
        self.assertEqual(table(unit, "conversation").footer, [["I alt", S, S, S, S, S, S, S, S]])

    def test_it_gives_the_feedback_shares(self) -> None:
        data = self.load()
        self.assertEqual(section(data, "feedback").children, 8)
        self.assertEqual(
            table(data, "feedback_months").rows,
            [["03.2025", 8, 62.5, 75.0], ["04.2025", 0, None, None]],
        )
        groups = table(data, "feedback_groups")
        # Team Vest: a1-a4, c1 (5 children); Team Øst: n1-n3.
        self.assertEqual(groups.rows, [["Team Vest", 5, 5, 80.0, 60.0], ["Team Øst", S, S, S, S]])
        self.assertEqual(groups.footer, [["I alt", S, S, S, S]])

    def test_it_gives_the_caseload_against_the_default_target(self) -> None:
        data = self.load()
        self.assertEqual(data.target, 25)
        caseload = table(data, "caseload")
        self.assertEqual(
            caseload.rows,
            [
                ["Alice Testesen", 6, 25, "Inden for målet"],
                ["Anna Testesen", 5, 25, "Inden for målet"],
                ["Carl Testesen", S, 25, "Under målet"],
            ],
        )
        handovers = table(data, "handovers")
        # Open; 0, 1, 2, 3+ caseworker changes in the last year.
        self.assertEqual(
            handovers.rows, [["Team Vest", 8, 5, 1, 1, 1], ["Team Øst", 5, 5, 0, 0, 0]]
        )
        self.assertEqual(handovers.footer, [["I alt", 13, 10, 1, 1, 1]])

    def test_it_gives_the_caseload_against_the_municipalitys_target(self) -> None:
        Target.objects.create(municipality=self.nordby, caseload_target=5)
        data = self.load(Filters(start=MAR, end=APR, unit_id=self.vest.pk))
        self.assertEqual(data.target, 5)
        self.assertEqual(
            table(data, "caseload").rows,
            [["Alice Testesen", 6, 5, "1 over målet"], ["Carl Testesen", S, 5, "Under målet"]],
        )
        # Below a target under 5, the words would tell whether Carl has more cases than it.
        Target.objects.filter(municipality=self.nordby).update(caseload_target=2)
        data = self.load(Filters(start=MAR, end=APR, unit_id=self.vest.pk))
        self.assertEqual(
            table(data, "caseload").rows,
            [["Alice Testesen", 6, 2, "4 over målet"], ["Carl Testesen", S, 2, S]],
        )

    def test_it_filters_by_age_band(self) -> None:
        data = self.load(Filters(start=MAR, end=APR, age_band=AgeBand.TWEEN))
        self.assertEqual(section(data, "heard").children, 9)  # a1, a2, a7, c1, n1-n5
        self.assertEqual(
            table(data, "heard_months").rows,
            [["03.2025", 8, 4, 50.0, 4, 3], ["04.2025", 1, 1, 100.0, 0, 0]],
        )
        self.assertEqual(
            table(data, "heard_groups").rows,
            [["Team Vest", S, S, S, S, S, S], ["Team Øst", 5, 5, 2, 40.0, 3, 2]],
        )

    def test_it_hides_a_total_that_gives_back_suppressed_rows_together(self) -> None:
        nord = Unit.objects.create(municipality=self.nordby, name="Team Nord")
        self.snapshot(make_case(nord, None), None, days_since_conversation=3)
        data = self.load(Filters(start=MAR, end=APR, age_band=AgeBand.TWEEN))
        # Open TWEEN cases: Team Nord 1, Team Vest a1, a2, c1 (3), Team Øst n1-n5: two rows
        # suppressed, and the total minus Team Øst would give their 4 children back.
        self.assertEqual(
            table(data, "conversation").rows,
            [
                ["Team Nord", S, S, S, S, S, S, S, S],
                ["Team Vest", S, S, S, S, S, S, S, S],
                ["Team Øst", 5, 1, 2, 1, 1, 0, 0, 0],
            ],
        )
        self.assertEqual(table(data, "conversation").footer, [["I alt", S, S, S, S, S, S, S, S]])
        # Without the filter Team Vest (8) and Team Øst (5) show; Team Nord's one child is hidden
        # and so is the total.
        data = self.load()
        self.assertEqual(
            [row[:2] for row in table(data, "conversation").rows],
            [["Team Nord", S], ["Team Vest", 8], ["Team Øst", 5]],
        )
        self.assertEqual(table(data, "conversation").footer[0][:2], ["I alt", S])

    def test_it_filters_by_measure_group(self) -> None:
        data = self.load(Filters(start=MAR, end=APR, measure_group=MeasureGroup.PREVENTIVE))
        self.assertEqual(section(data, "heard").children, 5)  # a3, a4, n3-n5
        self.assertEqual(
            table(data, "heard_months").rows,
            [["03.2025", 0, 0, None, 0, 0], ["04.2025", 3, 2, 66.7, 1, 0]],
        )
        self.assertEqual(section(data, "conversation").children, 6)  # a3, a4, c2, n3-n5

    def test_it_filters_by_unit(self) -> None:
        data = self.load(Filters(start=MAR, end=APR, unit_id=self.oest.pk))
        self.assertEqual(section(data, "heard").children, 5)
        self.assertEqual(table(data, "heard_groups").rows, [["Anna Testesen", 5, 5, 2, 40.0, 3, 2]])
        self.assertEqual(table(data, "heard_groups").footer, [["I alt", 5, 5, 2, 40.0, 3, 2]])
        self.assertEqual(
            table(data, "caseload").rows, [["Anna Testesen", 5, 25, "Inden for målet"]]
        )

    def test_it_shows_empty_states_for_a_municipality_without_figures(self) -> None:
        data = figures.load(self.sydby.pk, Filters(start=FEB, end=FEB), with_charts=False)
        heard = section(data, "heard")
        self.assertEqual(heard.children, 0)
        self.assertEqual(heard.empty, "Ingen afgørelser i perioden.")
        self.assertEqual(table(data, "heard_groups").rows, [])

    def test_it_draws_the_charts(self) -> None:
        data = figures.load(self.nordby.pk, SPRING)
        for built in figures.sections(data):
            if not built.empty:
                self.assertTrue(built.chart.startswith("data:image/svg+xml;base64,"), built.key)
                self.assertTrue(built.chart_alt, built.key)

    def test_it_reads_in_a_constant_number_of_queries(self) -> None:
        """The snapshot window, the months' counts, the snapshots' counts, the active
        caseworkers, the caseload target, and reflections, reflection sessions, training
        attendance and onboarding steps per month: 9, for 1 case or many."""
        one = Filters(start=MAR, end=APR, unit_id=self.syd.pk)
        with CaptureQueriesContext(connection) as few:
            figures.sections(figures.load(self.sydby.pk, one))
        with CaptureQueriesContext(connection) as many:
            figures.sections(figures.load(self.nordby.pk, SPRING))
        self.assertEqual(len(few), 9)
        self.assertEqual(len(many), 9)
