"""The cases behind a figure (/indsigt/sager/): decisions without a heard child and the open cases
by days since the last child conversation or with an overdue follow-up, only within the leader's
visible cases (T3: a unit leader never sees another unit's cases; T1: never another
municipality's), 50 a page, one access event for the list (T5), wrong parameters explained."""

from __future__ import annotations

from datetime import date
from typing import Any

import time_machine
from django.urls import reverse

from inddrag.audit.models import AccessEvent
from inddrag.insights.models import AgeBand
from inddrag.insights.tests.test_dashboard import HYPERLINK, MAR, NOW, InsightsData, snapshot
from inddrag.test import make_case, make_decision


def names(response: Any) -> list[str]:
    return [str(row["child"]) for row in response.context["rows"]]


@time_machine.travel(NOW, tick=False)
class CasesTest(InsightsData):
    def url(self, **params: Any) -> str:
        return reverse("insights:cases") + "?" + "&".join(f"{k}={v}" for k, v in params.items())

    def test_it_lists_a_unit_leaders_decisions_without_a_heard_child(self) -> None:
        self.login(self.leo)
        response = self.client.get(self.url(figure="not_heard"))
        self.assertEqual(response.status_code, 200)
        rows = response.context["rows"]
        # Newest first; the heard decision, the one before the period and Øst's are not there.
        self.assertEqual(
            [row["decided_on"] for row in rows], [date(2025, 3, 20), date(2025, 3, 10)]
        )
        self.assertEqual(rows[1]["title"], HYPERLINK)
        self.assertEqual(rows[1]["case"], self.case_a)
        self.assertContains(response, f'href="{self.case_a.get_absolute_url()}"')
        self.assertContains(response, "Sagen hastede")  # the reason, in words
        self.assertNotContains(response, "Østs afgørelse")
        self.assertNotContains(response, "Sydbys afgørelse")
        event = AccessEvent.objects.get(user=self.leo, action=AccessEvent.Action.LIST)
        self.assertEqual(
            event.criterion,
            f"insights cases not_heard unit {self.vest.pk} 2025-03..2025-05 page 1",
        )
        self.assertIsNone(event.child_id)

    def test_it_never_shows_a_unit_leader_another_units_cases(self) -> None:
        """T3: asking for Team Øst by the unit filter changes nothing for Team Vest's leader."""
        self.login(self.leo)
        response = self.client.get(self.url(figure="not_heard", enhed=self.oest.pk))
        self.assertEqual(len(response.context["rows"]), 2)
        self.assertNotContains(response, "Østs afgørelse")
        response = self.client.get(self.url(figure="no_conversation", bucket="over-365"))
        self.assertEqual(names(response), [])
        self.assertContains(response, "Der er ingen sager bag dette tal i perioden.")

    def test_it_lists_the_whole_municipality_for_a_leader_of_no_unit(self) -> None:
        self.login(self.chef)
        response = self.client.get(self.url(figure="not_heard"))
        self.assertEqual(
            [row["title"] for row in response.context["rows"]],
            ["Østs afgørelse", "Teenagerens flytning", HYPERLINK],
        )
        response = self.client.get(self.url(figure="not_heard", alder=AgeBand.TEEN))
        self.assertEqual(
            [row["title"] for row in response.context["rows"]], ["Teenagerens flytning"]
        )
        response = self.client.get(self.url(figure="not_heard", enhed=self.oest.pk))
        self.assertEqual([row["title"] for row in response.context["rows"]], ["Østs afgørelse"])

    def test_it_lists_the_open_cases_by_days_since_the_conversation(self) -> None:
        self.login(self.leo)
        vest = self.vest_cases
        for bucket, expected in [
            ("0-30", [vest[0]]),
            ("31-90", [vest[1]]),
            ("91-180", [vest[2]]),
            ("181-365", [vest[3]]),
            ("over-365", []),
            ("never", [vest[4]]),
        ]:
            with self.subTest(bucket=bucket):
                response = self.client.get(self.url(figure="no_conversation", bucket=bucket))
                self.assertEqual([row["case"] for row in response.context["rows"]], expected)
        response = self.client.get(self.url(figure="overdue"))
        self.assertEqual([row["case"] for row in response.context["rows"]], [vest[4], vest[1]])
        self.assertContains(response, "Overskredet")

    def test_it_shows_another_municipality_only_its_own_cases(self) -> None:
        """T1: Sydby's leader sees Bob's case only."""
        self.login(self.bea)
        response = self.client.get(self.url(figure="overdue"))
        self.assertEqual([row["case"] for row in response.context["rows"]], [self.case_b])
        response = self.client.get(self.url(figure="not_heard"))
        self.assertEqual([row["title"] for row in response.context["rows"]], ["Sydbys afgørelse"])

    def test_it_pages_50_at_a_time(self) -> None:
        self.login(self.leo)
        for _n in range(49):
            case = make_case(self.vest, self.alice)
            snapshot(case, self.alice, days_since_conversation=15)
            make_decision(case, self.alice, decided_on=date(2025, 4, 1))
        response = self.client.get(self.url(figure="not_heard"))
        self.assertEqual(len(response.context["rows"]), 50)
        self.assertContains(response, "51 rækker")
        self.assertContains(response, "Side 1 af 2")
        self.assertContains(response, "figure=not_heard&amp;periode=sidste-kvartal&amp;page=2")
        response = self.client.get(self.url(figure="not_heard", page=2))
        self.assertEqual(
            [row["decided_on"] for row in response.context["rows"]], [date(2025, 3, 10)]
        )

    def test_it_explains_wrong_parameters_in_danish(self) -> None:
        self.login(self.leo)
        for params in [{}, {"figure": "nonsense"}, {"figure": "no_conversation", "bucket": "x"}]:
            with self.subTest(params=params):
                response = self.client.get(reverse("insights:cases"), params)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "Vælg ", status_code=400)
        response = self.client.get(self.url(figure="not_heard", fra="2025-13"))
        self.assertContains(response, "Skriv en måned som år og måned", status_code=400)
        response = self.client.get(self.url(figure="not_heard", page="abc"))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(AccessEvent.objects.filter(action=AccessEvent.Action.LIST).count() > 1)

    def test_it_gives_a_caseworker_403(self) -> None:
        """T2."""
        self.login(self.alice)
        self.assertEqual(self.client.get(self.url(figure="not_heard")).status_code, 403)

    def test_it_ignores_decisions_outside_the_period(self) -> None:
        self.login(self.leo)
        response = self.client.get(
            self.url(figure="not_heard", periode="valgt", fra="2025-02", til="2025-02")
        )
        self.assertEqual([row["title"] for row in response.context["rows"]], ["Før perioden"])
        self.assertEqual(MAR.month, 3)
