"""The leader's dashboard (/indsigt/): the unit's view per caseworker, the municipality's view per
unit with small cells suppressed (security T24), the filters and their period presets, the
access log, the policy (T2: a caseworker gets 403), tenancy (T1: Sydby's rows never show) and the
query count (house style rule 26)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inddrag.accounts.models import User
from inddrag.audit.models import AccessEvent
from inddrag.children.models import Case
from inddrag.insights.figures import SUPPRESSED, Filters
from inddrag.insights.forms import InsightsFilterForm, preset_period
from inddrag.insights.models import AgeBand, CaseSnapshot, MeasureGroup, UnitMonth
from inddrag.municipalities.models import Membership, Unit
from inddrag.test import BaseTestCase, make_case, make_decision, make_member

TODAY = date(2025, 6, 15)
NOW = "2025-06-15 10:00:00+02:00"
WINDOW = date(2020, 4, 1)  # 62 months before June 2025 (refresh.py)
FEB, MAR, APR = date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)
HYPERLINK = '=HYPERLINK("http://evil.example","klik")'


def bit(month: date) -> int:
    return 1 << ((month.year - WINDOW.year) * 12 + month.month - WINDOW.month)


def snapshot(case: Case, caseworker: User | None, **fields: Any) -> CaseSnapshot:
    fields.setdefault("is_open", True)
    fields.setdefault("age_band", AgeBand.TWEEN)
    fields.setdefault("measure_group", MeasureGroup.PLACEMENT)
    return CaseSnapshot.objects.create(
        case=case,
        municipality=case.municipality,
        unit=case.unit,
        child=case.child,
        caseworker=caseworker,
        window_start=WINDOW,
        refreshed_on=TODAY,
        **fields,
    )


def unit_month(unit: Unit, caseworker: User, month: date, **fields: Any) -> UnitMonth:
    fields.setdefault("age_band", AgeBand.TWEEN)
    fields.setdefault("measure_group", MeasureGroup.PLACEMENT)
    return UnitMonth.objects.create(
        municipality=unit.municipality, unit=unit, caseworker=caseworker, month=month, **fields
    )


class InsightsData(BaseTestCase):
    """Team Vest: Alice's five open cases with decisions in March (one a teenager in a preventive
    measure); Team Øst: Anna's two; Sydby: Bob's case with nine heard decisions that must never
    show in Nordby. The decisions as rows too, for the drill-down."""

    chef: User
    vest_cases: list[Case]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.chef = make_member("chef", cls.nordby, Membership.Role.LEADER)
        m = bit(MAR)
        cls.vest_cases = [cls.case_a, *(make_case(cls.vest, cls.alice) for _ in range(4))]
        days = [10, 45, 100, 200, None]
        for n, (case, day) in enumerate(zip(cls.vest_cases, days, strict=True)):
            extra: dict[str, Any] = {}
            if n == 3:
                extra = {"age_band": AgeBand.TEEN, "measure_group": MeasureGroup.PREVENTIVE}
            snapshot(
                case,
                cls.alice,
                decision_months=m,
                days_since_conversation=day,
                overdue=n in (1, 4),
                **extra,
            )
        unit_month(cls.vest, cls.alice, MAR, decisions=5, decisions_heard=3, decisions_reason=1)
        oest_extra = make_case(cls.oest, cls.anna, first_name="Olga")
        for case in (cls.case_a2, oest_extra):
            snapshot(case, cls.anna, decision_months=m, days_since_conversation=400)
        unit_month(cls.oest, cls.anna, MAR, decisions=2, decisions_heard=1)
        snapshot(cls.case_b, cls.bob, decision_months=m, days_since_conversation=1, overdue=True)
        unit_month(cls.syd, cls.bob, MAR, decisions=9, decisions_heard=9)
        # Decision rows: two not heard in Vest in the period (one titled as a formula), one heard,
        # one not heard before the period; one not heard in Øst; one not heard in Sydby.
        vest = cls.vest_cases
        make_decision(vest[0], cls.alice, decided_on=date(2025, 3, 10), title=HYPERLINK)
        make_decision(
            vest[3],
            cls.alice,
            decided_on=date(2025, 3, 20),
            title="Teenagerens flytning",
        )
        make_decision(vest[1], cls.alice, decided_on=date(2025, 3, 5), child_heard=True)
        make_decision(vest[2], cls.alice, decided_on=date(2025, 2, 27), title="Før perioden")
        make_decision(cls.case_a2, cls.anna, decided_on=date(2025, 4, 2), title="Østs afgørelse")
        make_decision(cls.case_b, cls.bob, decided_on=date(2025, 3, 3), title="Sydbys afgørelse")

    def prime_session(self) -> None:
        session = self.client.session
        session["last_seen"] = session["auth_started"] = time.time()
        session.save()


def section(response: Any, key: str) -> dict[str, Any]:
    item: dict[str, Any] = next(s for s in response.context["sections"] if s["section"].key == key)
    return item


def rows(response: Any, key: str, table: str) -> list[list[Any]]:
    entry = next(t for t in section(response, key)["tables"] if t["table"].key == table)
    return [*entry["table"].rows, *entry["table"].footer]


@time_machine.travel(NOW, tick=False)
class DashboardTest(InsightsData):
    def test_it_shows_a_unit_leader_their_unit_per_caseworker(self) -> None:
        self.login(self.leo)
        response = self.client.get(reverse("insights:dashboard"))
        self.assertEqual(response.status_code, 200)
        # The default period is the last quarter: March to May 2025.
        self.assertEqual(response.context["filters"], Filters(MAR, date(2025, 5, 1), self.vest.pk))
        heard = section(response, "heard")["section"]
        self.assertEqual(heard.children, 5)
        self.assertContains(response, "Baseret på 5 børn")
        self.assertEqual(
            rows(response, "heard", "heard_groups"),
            [["Alice Testesen", 5, 5, 3, 60.0, 2, 1], ["I alt", 5, 5, 3, 60.0, 2, 1]],
        )
        self.assertEqual(rows(response, "heard", "heard_months")[0], ["03.2025", 5, 3, 60.0, 2, 1])
        # A chart with a meaningful alt text and always the table with a caption beside it.
        self.assertContains(response, '<img class="figure-chart" src="data:image/svg+xml;base64,')
        self.assertContains(response, "Linjediagram over andelen af afgørelser")
        self.assertContains(response, '<caption id="table-heard_groups">')
        self.assertContains(response, "figure=not_heard")
        self.assertContains(
            response, "table=heard_groups&amp;format=csv&amp;periode=sidste-kvartal"
        )
        self.assertNotContains(response, "Team Øst")
        self.assertNotContains(response, "Anna")
        event = AccessEvent.objects.get(user=self.leo, action=AccessEvent.Action.LIST)
        self.assertEqual(
            event.criterion, f"insights dashboard unit {self.vest.pk} 2025-03..2025-05"
        )

    def test_it_shows_the_municipality_per_unit_and_suppresses_small_units(self) -> None:
        """T24: Team Øst has two children behind its decisions: "færre end 5", and the total
        too, since it would give Øst's figures back."""
        self.login(self.chef)
        response = self.client.get(reverse("insights:dashboard"))
        self.assertEqual(response.status_code, 200)
        S = SUPPRESSED
        self.assertEqual(
            rows(response, "heard", "heard_groups"),
            [
                ["Team Vest", 5, 5, 3, 60.0, 2, 1],
                ["Team Øst", S, S, S, S, S, S],
                ["I alt", S, S, S, S, S, S],
            ],
        )
        self.assertEqual(section(response, "heard")["section"].children, 7)
        self.assertContains(response, "færre end 5")
        self.assertNotContains(response, "Team Syd")
        event = AccessEvent.objects.get(user=self.chef, action=AccessEvent.Action.LIST)
        self.assertEqual(event.criterion, "insights dashboard municipality 2025-03..2025-05")

    def test_it_filters_by_unit_age_band_and_measure_group(self) -> None:
        self.login(self.chef)
        response = self.client.get(
            reverse("insights:dashboard"),
            {"enhed": str(self.vest.pk), "alder": str(int(AgeBand.TEEN)), "indsats": "preventive"},
        )
        self.assertEqual(response.status_code, 200)
        heard = section(response, "heard")["section"]
        self.assertEqual(heard.children, 1)
        # The chosen unit is shown per caseworker.
        self.assertTrue(response.context["by_caseworker"])
        event = AccessEvent.objects.get(user=self.chef, action=AccessEvent.Action.LIST)
        self.assertEqual(
            event.criterion,
            f"insights dashboard municipality unit {self.vest.pk} 2025-03..2025-05 "
            f"age {AgeBand.TEEN} measure preventive",
        )

    def test_it_refuses_a_unit_of_another_municipality(self) -> None:
        """T1: Sydby's unit is no choice for Nordby's leader: a Danish message, no figures."""
        self.login(self.chef)
        response = self.client.get(reverse("insights:dashboard"), {"enhed": self.syd.pk})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Tallene kan ikke vises", status_code=400)
        self.assertNotIn("sections", response.context)
        self.assertFalse(AccessEvent.objects.filter(action=AccessEvent.Action.LIST).exists())

    def test_it_shows_empty_states_for_an_empty_period(self) -> None:
        self.login(self.leo)
        response = self.client.get(reverse("insights:dashboard"), {"periode": "sidste-maaned"})
        self.assertContains(response, "Ingen afgørelser i perioden.")
        self.assertContains(response, "Baseret på 0 børn")

    def test_it_shows_another_municipality_only_its_own_figures(self) -> None:
        """T1: Sydby's leader sees Bob's figures and nothing of Nordby."""
        self.login(self.bea)
        response = self.client.get(reverse("insights:dashboard"))
        self.assertEqual(rows(response, "heard", "heard_months")[0], ["03.2025", 9, 9, 100.0, 0, 0])
        self.assertNotContains(response, "Alice")
        self.assertNotContains(response, "Team Vest")

    def test_it_gives_a_caseworker_403(self) -> None:
        """T2: the dashboard is the leaders'."""
        self.login(self.alice)
        self.assertEqual(self.client.get(reverse("insights:dashboard")).status_code, 403)

    def test_it_explains_a_wrong_custom_period_in_danish(self) -> None:
        self.login(self.leo)
        response = self.client.get(
            reverse("insights:dashboard"), {"periode": "valgt", "fra": "2025-05", "til": "2025-03"}
        )
        self.assertContains(
            response,
            "Til-måneden skal være samme måned som fra-måneden eller senere.",
            status_code=400,
        )
        response = self.client.get(reverse("insights:dashboard"), {"fra": "2025-07"})
        self.assertContains(response, "Vælg den sidste måned i perioden.", status_code=400)
        response = self.client.get(reverse("insights:dashboard"), {"fra": "marts"})
        self.assertContains(response, "Skriv en måned som år og måned", status_code=400)

    # 1 session, 2 user, 3 second factor, 4 memberships, then figures.load: 5 the snapshot
    # window, 6 the months' counts, 7 the snapshot counts per unit and caseworker, 8 the active
    # caseworkers, 9 the caseload target, 10-13 reflections, reflection sessions, training
    # attendance, onboarding steps; the access event: 14 SAVEPOINT, 15 lock the chain head,
    # 16 insert, 17 move the head, 18 RELEASE.
    UNIT_QUERIES = 18

    def test_it_costs_the_same_number_of_queries_for_more_data(self) -> None:
        """House style rule 26: one more caseworker with cases and months costs no query."""
        self.login(self.leo)
        self.prime_session()
        with self.assertNumQueries(self.UNIT_QUERIES):
            self.client.get(reverse("insights:dashboard"))
        carl = make_member("carl", self.nordby, Membership.Role.CASEWORKER, self.vest)
        for _n in range(6):
            snapshot(make_case(self.vest, carl), carl, decision_months=bit(APR))
        unit_month(self.vest, carl, APR, decisions=6, decisions_heard=6)
        self.prime_session()
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse("insights:dashboard"))
        self.assertEqual(len(queries), self.UNIT_QUERIES)
        self.assertEqual(section(response, "heard")["section"].children, 11)


class PeriodTest(BaseTestCase):
    def test_it_computes_the_presets_as_whole_months(self) -> None:
        self.assertEqual(
            preset_period("sidste-maaned", TODAY), (date(2025, 5, 1), date(2025, 5, 1))
        )
        self.assertEqual(preset_period("sidste-kvartal", TODAY), (MAR, date(2025, 5, 1)))
        self.assertEqual(
            preset_period("sidste-12-maaneder", TODAY), (date(2024, 6, 1), date(2025, 5, 1))
        )
        self.assertEqual(preset_period("i-aar", TODAY), (date(2025, 1, 1), date(2025, 6, 1)))
        self.assertEqual(
            preset_period("sidste-kvartal", date(2025, 1, 31)),
            (date(2024, 10, 1), date(2024, 12, 1)),
        )

    def test_it_takes_a_custom_period_of_months(self) -> None:
        form = InsightsFilterForm(
            {"fra": "2024-11", "til": "2025-02"},
            today=TODAY,
            municipality_id=self.nordby.pk,
            unit_id=self.vest.pk,
        )
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.filters(), Filters(date(2024, 11, 1), FEB, self.vest.pk))
        self.assertEqual(form.query(), {"periode": "valgt", "fra": "2024-11", "til": "2025-02"})
        self.assertNotIn("enhed", form.fields)

    def test_it_refuses_a_period_over_five_years(self) -> None:
        form = InsightsFilterForm(
            {"fra": "2020-01", "til": "2025-05"},
            today=TODAY,
            municipality_id=self.nordby.pk,
            unit_id=None,
        )
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["fra"], ["Vælg en periode på højst fem år."])
