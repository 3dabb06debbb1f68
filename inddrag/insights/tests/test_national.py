"""The platform operator's national figures (/indsigt/landet/) and their export: numbers on
hand-built rows, small cells suppressed (T4), the operator only (T2), the look and the export
logged in the platform chain (T5), formula escaping in the files (security 1.2.10)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from typing import Any

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inddrag.accounts.models import User
from inddrag.audit.log import PLATFORM_CHAIN
from inddrag.audit.models import AccessEvent
from inddrag.insights.figures import SUPPRESSED, Filters, add_months, month_index
from inddrag.insights.models import AgeBand, CaseSnapshot, MeasureGroup, MunicipalityMonth
from inddrag.insights.national import national_figures
from inddrag.insights.operator_views import national, national_export
from inddrag.municipalities.models import Municipality, Unit
from inddrag.test import BaseTestCase, make_case, make_municipality, make_user

URL = reverse("insights:national")
EXPORT = reverse("insights:national_export")
TODAY = date(2025, 6, 15)
WINDOW = add_months(date(2025, 6, 1), -62)  # refreshed this month
PERIOD = {"periode": "valgt", "fra": "2025-03", "til": "2025-05"}
MAR, APR, MAY, JAN = date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1), date(2025, 1, 1)
COLUMNS = {"decision": "decision_months", "feedback": "feedback_months"}
COLUMNS |= {"meeting": "meeting_months", "letter": "letter_months"}


def bit(month: date, window_start: date) -> int:
    return 1 << (month_index(month) - month_index(window_start))


def snapshots(unit: Unit, window_start: date, month: date, **children_per_family: int) -> None:
    """As many cases as the largest count, each with a snapshot whose family masks have
    `month`'s bit for the first `n` cases of each family."""
    for i in range(max(children_per_family.values())):
        case = make_case(unit, None)
        masks = {
            COLUMNS[family]: bit(month, window_start)
            for family, n in children_per_family.items()
            if i < n
        }
        CaseSnapshot.objects.create(
            case=case,
            municipality=unit.municipality,
            unit=unit,
            child=case.child,
            is_open=True,
            age_band=AgeBand.TWEEN,
            measure_group=MeasureGroup.NONE,
            window_start=window_start,
            refreshed_on=TODAY,
            **masks,
        )


def month_row(municipality: Municipality, month: date, **counts: Any) -> None:
    counts.setdefault("age_band", AgeBand.TWEEN)
    counts.setdefault("measure_group", MeasureGroup.NONE)
    MunicipalityMonth.objects.create(municipality=municipality, month=month, **counts)


class NationalBase(BaseTestCase):
    olga: User
    oestby: Municipality

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.olga = make_user("olga", is_operator=True)
        cls.oestby = make_municipality("Østby Kommune")
        oest_unit = Unit.objects.create(municipality=cls.oestby, name="Team Øst")
        # Nordby: decisions 5 children, feedback 6, meetings 5, letters 3 (suppressed).
        snapshots(cls.vest, WINDOW, APR, decision=5, feedback=6, meeting=5, letter=3)
        # A case with a decision before the period only: not counted.
        snapshots(cls.vest, WINDOW, JAN, decision=1)
        month_row(cls.nordby, APR, decisions=6, decisions_heard=4, feedback_answers=8,
                  felt_heard=6, understood=4, meetings=5, meetings_prepared=2,
                  letters_sent=4, letters_read=3)  # fmt: skip
        month_row(cls.nordby, MAY, age_band=AgeBand.TEEN, decisions=4, decisions_heard=3)
        month_row(cls.nordby, JAN, decisions=50, decisions_heard=0)  # outside the period
        # Sydby: decisions 5, feedback 5, meetings 2 (suppressed), letters 6.
        snapshots(cls.syd, WINDOW, MAR, decision=5, feedback=5, meeting=2, letter=6)
        month_row(cls.sydby, MAR, decisions=5, decisions_heard=1, feedback_answers=5,
                  felt_heard=5, understood=5, meetings=2, meetings_prepared=2,
                  letters_sent=10, letters_read=5)  # fmt: skip
        # Østby, refreshed a month earlier (another window start): decisions 5, letters 4.
        earlier = add_months(WINDOW, -1)
        snapshots(oest_unit, earlier, MAY, decision=5, letter=4)
        month_row(cls.oestby, MAY, decisions=5, decisions_heard=5, letters_sent=5,
                  letters_read=2)  # fmt: skip

    def get(self, url: str = URL, **params: str) -> Any:
        return self.client.get(url, {**PERIOD, **params})


class NationalTestCase(NationalBase):
    def test_it_computes_the_rows_and_the_national_total(self) -> None:
        data = national_figures(Filters(start=MAR, end=MAY), with_chart=False)
        S = SUPPRESSED
        self.assertEqual(
            data.table_rows(),
            [
                # name, decision (children, decisions, heard %), feedback (children, answers,
                # felt heard %, understood %), meetings (children, meetings, prepared %),
                # letters (children, sent, read %)
                ["Nordby Kommune", 5, 10, 70.0, 6, 8, 75.0, 50.0, 5, 5, 40.0, S, S, S],
                ["Sydby Kommune", 5, 5, 20.0, 5, 5, 100.0, 100.0, S, S, S, 6, 10, 50.0],
                ["Østby Kommune", 5, 5, 100.0, 0, 0, None, None, 0, 0, None, S, S, S],
                # The meetings' total would give Sydby's 2 children back: suppressed. The
                # letters' total hides 3 + 4 = 7 children: shown.
                ["Hele landet", 15, 20, 65.0, 11, 13, 84.6, 69.2, S, S, S, 13, 19, 52.6],
            ],
        )

    def test_it_shows_the_page_with_chart_table_and_export_links(self) -> None:
        """T5: the look is one LIST event in the platform chain, with the period."""
        self.login(self.olga)
        with time_machine.travel(TODAY, tick=False):
            response = self.get()
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertIn('<img src="data:image/svg+xml;base64,', content)
        self.assertIn("Liggende søjlediagram", content)
        self.assertIn("<caption>", content)
        self.assertIn('<th scope="row">Hele landet</th>', content)
        self.assertIn("færre end 5", content)
        self.assertIn("periode=valgt&amp;fra=2025-03&amp;til=2025-05&amp;format=csv", content)
        self.assertNotIn("Fiktivsen", content)  # no child's name anywhere
        event = AccessEvent.objects.get(action=AccessEvent.Action.LIST)
        self.assertEqual(event.chain, PLATFORM_CHAIN)
        self.assertIsNone(event.municipality_id)
        self.assertEqual(event.user_id, self.olga.pk)
        self.assertEqual(event.role, "operator")
        self.assertEqual(event.criterion, "national figures 2025-03..2025-05")

    def test_it_uses_the_last_12_months_by_default(self) -> None:
        self.login(self.olga)
        with time_machine.travel(TODAY, tick=False):
            response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        event = AccessEvent.objects.get(action=AccessEvent.Action.LIST)
        self.assertEqual(event.criterion, "national figures 2024-06..2025-05")

    def test_it_shows_an_empty_state_and_danish_form_errors(self) -> None:
        self.login(self.olga)
        with time_machine.travel(TODAY, tick=False):
            empty = self.get(fra="2021-01", til="2021-02")
            self.assertContains(empty, "Ingen tal i perioden.")
            wrong = self.get(fra="2025-05", til="2025-03")
            self.assertContains(wrong, "Til-måneden skal være samme måned som fra-måneden")
            garbage = self.get(fra="maj", til="2025-03")
            self.assertContains(garbage, "Skriv en måned som år og måned")
            future = self.get(fra="2025-05", til="2025-09")
            self.assertContains(future, "Perioden kan ikke slutte efter den indeværende måned.")
        self.assertEqual(AccessEvent.objects.filter(action=AccessEvent.Action.LIST).count(), 1)

    def test_it_refuses_everyone_but_the_operator(self) -> None:
        """T2: a leader, an admin and a caseworker get 403 (the for_operator policy)."""
        self.assertTrue(national.access_policy.is_operator)  # type: ignore[attr-defined]
        self.assertTrue(national_export.access_policy.is_operator)  # type: ignore[attr-defined]
        for user in (self.leo, self.ada, self.alice):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.get().status_code, 403)
                self.assertEqual(self.get(EXPORT, format="csv").status_code, 403)
        self.assertFalse(AccessEvent.objects.filter(action=AccessEvent.Action.LIST).exists())
        self.assertFalse(AccessEvent.objects.filter(action=AccessEvent.Action.EXPORT).exists())

    def test_it_runs_the_same_queries_however_many_municipalities(self) -> None:
        self.login(self.olga)
        with time_machine.travel(TODAY, tick=False):
            self.get()  # the platform chain's head is created with its first event
            with CaptureQueriesContext(connection) as three:
                self.get()
            for name in ("Vestby Kommune", "Midtby Kommune"):
                municipality = make_municipality(name)
                unit = Unit.objects.create(municipality=municipality, name="Team")
                snapshots(unit, WINDOW, APR, decision=6)
                month_row(municipality, APR, decisions=6, decisions_heard=3)
            # The session, user, TOTP device and memberships (4), the month counts per
            # municipality (1), the window starts (1), the children per municipality (1),
            # and the access event (lock the chain head, insert, move the head: 3, in a
            # savepoint: 2).
            with CaptureQueriesContext(connection) as five:
                response = self.get()
        self.assertContains(response, "Midtby Kommune")
        self.assertEqual(len(five), len(three))
        self.assertEqual(len(five), 12, "\n".join(q["sql"][:90] for q in five))


class NationalExportTestCase(NationalBase):
    def test_it_exports_csv_with_the_suppressed_cells_and_logs_it(self) -> None:
        self.login(self.olga)
        with time_machine.travel(TODAY, tick=False):
            response = self.get(EXPORT, format="csv")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn("inddrag-landet-2025-03-2025-05.csv", response["Content-Disposition"])
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        self.assertEqual(rows[0][0], "Kommune")
        self.assertEqual(rows[1][:4], ["Nordby Kommune", "5", "10", "70,0"])
        self.assertEqual(rows[1][11:], ["færre end 5"] * 3)
        self.assertEqual(rows[-1][0], "Hele landet")
        self.assertEqual(rows[-1][8:11], ["færre end 5"] * 3)
        event = AccessEvent.objects.get(action=AccessEvent.Action.EXPORT)
        self.assertEqual(event.chain, PLATFORM_CHAIN)
        self.assertIsNone(event.municipality_id)
        self.assertEqual(event.criterion, "national figures 2025-03..2025-05 csv")

    def test_it_escapes_formulas_in_csv_and_xlsx(self) -> None:
        """Security 1.2.10: a municipality named like a formula is written as text."""
        self.nordby.name = '=HYPERLINK("http://x")'
        self.nordby.save()
        self.login(self.olga)
        with time_machine.travel(TODAY, tick=False):
            csv_file = self.get(EXPORT, format="csv")
            xlsx_file = self.get(EXPORT, format="xlsx")
        self.assertIn("'=HYPERLINK(", csv_file.content.decode("utf-8-sig"))
        with zipfile.ZipFile(io.BytesIO(xlsx_file.content)) as archive:
            strings = archive.read("xl/sharedStrings.xml").decode()
            sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        self.assertIn("'=HYPERLINK(", strings)
        self.assertNotIn("<f>", sheet)
        self.assertEqual(
            list(AccessEvent.objects.filter(action=AccessEvent.Action.EXPORT).values_list(
                "criterion", flat=True).order_by("seq")),
            ["national figures 2025-03..2025-05 csv", "national figures 2025-03..2025-05 xlsx"],
        )  # fmt: skip

    def test_it_answers_404_to_a_wrong_format_or_period(self) -> None:
        self.login(self.olga)
        with time_machine.travel(TODAY, tick=False):
            self.assertEqual(self.get(EXPORT, format="pdf").status_code, 404)
            self.assertEqual(self.get(EXPORT, format="csv", fra="x").status_code, 404)
        self.assertFalse(AccessEvent.objects.filter(action=AccessEvent.Action.EXPORT).exists())
