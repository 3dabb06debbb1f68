"""The exports of /indsigt/eksport/: a dashboard table as CSV and XLSX with the same suppressed
cells as on the page (T24), the cases behind a figure within the leader's visible cases (T3, T1),
one EXPORT access event each (T5), and no formula injection from a child's name or a decision's
title (security 1.2.10: `=HYPERLINK(...)` comes out as text)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

import time_machine
from django.urls import reverse

from inddrag.audit.models import AccessEvent
from inddrag.insights.tests.test_dashboard import HYPERLINK, NOW, InsightsData, snapshot
from inddrag.test import make_case, make_decision


def csv_lines(response: Any) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return [line.split(";") for line in text[1:].strip().split("\r\n")]


@time_machine.travel(NOW, tick=False)
class ExportTest(InsightsData):
    def export(self, **params: Any) -> Any:
        return self.client.get(reverse("insights:export"), params)

    def test_it_exports_a_table_with_the_cells_suppressed_as_on_the_page(self) -> None:
        """T24: Team Øst's two children stay "færre end 5" in the file too."""
        self.login(self.chef)
        response = self.export(table="heard_groups", format="csv")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn("indsigt-heard_groups-2025-03_2025-05.csv", response["Content-Disposition"])
        lines = csv_lines(response)
        self.assertEqual(lines[0][:3], ["Enhed", "Børn", "Afgørelser"])
        self.assertEqual(lines[1], ["Team Vest", "5", "5", "3", "60,0", "2", "1"])
        self.assertEqual(lines[2], ["Team Øst", *["færre end 5"] * 6])
        self.assertEqual(lines[3], ["I alt", *["færre end 5"] * 6])
        self.assertEqual(len(lines), 4)
        event = AccessEvent.objects.get(action=AccessEvent.Action.EXPORT)
        self.assertEqual(event.user, self.chef)
        self.assertIsNone(event.child_id)
        self.assertEqual(
            event.criterion,
            "insights export table heard_groups csv municipality 2025-03..2025-05",
        )

    def test_it_exports_a_table_as_xlsx(self) -> None:
        self.login(self.leo)
        response = self.export(table="heard_months", format="xlsx")
        self.assertEqual(response.status_code, 200)
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            strings = book.read("xl/sharedStrings.xml").decode()
        self.assertIn("03.2025", strings)
        self.assertIn("Andel hørt (%)", strings)

    def test_it_escapes_formulas_in_the_cases_list(self) -> None:
        """Security 1.2.10: a decision titled =HYPERLINK(...) and a child named so are text."""
        case = make_case(self.vest, self.alice, first_name=HYPERLINK)
        snapshot(case, self.alice, days_since_conversation=3)
        make_decision(case, self.alice, decided_on=date(2025, 4, 9), title="+SUM(A1)")
        self.login(self.leo)
        response = self.export(table="cases", format="csv", figure="not_heard")
        text = response.content.decode("utf-8")
        self.assertIn('\'=HYPERLINK(""http://evil.example"",""klik"")', text)
        self.assertIn("'+SUM(A1)", text)
        self.assertNotIn(";=HYPERLINK", text)
        self.assertNotIn("\n=HYPERLINK", text)
        lines = csv_lines(response)
        self.assertEqual(lines[0], ["Barn", "Sagsnummer", "Dato", "Afgørelse", "Begrundelse"])
        self.assertEqual(len(lines), 4)  # header + three decisions of Team Vest
        response = self.export(table="cases", format="xlsx", figure="not_heard")
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            strings = book.read("xl/sharedStrings.xml").decode()
            sheet = book.read("xl/worksheets/sheet1.xml").decode()
        self.assertIn("'=HYPERLINK(", strings)
        self.assertIn("'+SUM(A1)", strings)
        self.assertNotIn("<f>", sheet)
        events = AccessEvent.objects.filter(action=AccessEvent.Action.EXPORT, user=self.leo)
        self.assertEqual(
            sorted(events.values_list("criterion", flat=True)),
            [
                f"insights export cases not_heard csv unit {self.vest.pk} 2025-03..2025-05",
                f"insights export cases not_heard xlsx unit {self.vest.pk} 2025-03..2025-05",
            ],
        )
        self.assertFalse(events.exclude(child=None).exists())

    def test_it_never_exports_another_units_or_municipalitys_cases(self) -> None:
        """T3 and T1."""
        self.login(self.leo)
        response = self.export(table="cases", format="csv", figure="not_heard", enhed=self.oest.pk)
        text = response.content.decode("utf-8")
        self.assertNotIn("Østs afgørelse", text)
        self.assertNotIn("Sydbys afgørelse", text)
        self.assertIn("Teenagerens flytning", text)
        response = self.export(
            table="cases", format="csv", figure="no_conversation", bucket="over-365"
        )
        self.assertEqual(len(csv_lines(response)), 1)  # Øst's two cases are not Leo's
        self.login(self.bea)
        response = self.export(table="cases", format="csv", figure="overdue")
        lines = csv_lines(response)
        self.assertEqual([line[1] for line in lines[1:]], [self.case_b.reference])

    def test_it_answers_404_to_an_unknown_table_or_format(self) -> None:
        self.login(self.leo)
        for params in [
            {"table": "nonsense", "format": "csv"},
            {"table": "heard_months", "format": "pdf"},
            {"table": "cases", "format": "csv", "figure": "nonsense"},
            {"table": "heard_months", "format": "csv", "fra": "2025-13"},
        ]:
            with self.subTest(params=params):
                self.assertEqual(self.export(**params).status_code, 404)
        self.assertFalse(AccessEvent.objects.filter(action=AccessEvent.Action.EXPORT).exists())

    def test_it_gives_a_caseworker_403(self) -> None:
        """T2."""
        self.login(self.alice)
        self.assertEqual(self.export(table="heard_months", format="csv").status_code, 403)
