from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime
from xml.etree import ElementTree

from django.test import SimpleTestCase

from inddrag.lib.spreadsheets import csv_response, safe_cell, xlsx_response

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HOSTILE = ['=HYPERLINK("https://evil.example","klik")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "no byte order mark"
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def sheet_cells(content: bytes) -> tuple[list[str], list[ElementTree.Element], str]:
    """The shared strings, the sheet's cells and the sheet XML of an XLSX file."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        shared_xml = archive.read("xl/sharedStrings.xml").decode("utf-8")
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    shared = ElementTree.fromstring(shared_xml)
    strings = ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in shared]
    cells = list(ElementTree.fromstring(sheet_xml).iter(f"{MAIN}c"))
    return strings, cells, sheet_xml


class SafeCellTestCase(SimpleTestCase):
    """Spreadsheet formula injection (security 1.2.10, T-export): text a spreadsheet would run
    as a formula gets a leading apostrophe."""

    def test_it_escapes_every_formula_start(self) -> None:
        for value in HOSTILE:
            self.assertEqual(safe_cell(value), "'" + value)

    def test_it_leaves_other_values_alone(self) -> None:
        for value in ["Asta", "Æbleø", "1-2", "a=b", "", 5, -2, 2.5, None, date(2026, 1, 1)]:
            self.assertEqual(safe_cell(value), value)


class CsvTestCase(SimpleTestCase):
    def test_it_round_trips_danish_letters_with_bom_and_semicolons(self) -> None:
        response = csv_response(
            "tal-æøå",
            ["Kommune", "Andel hørt", "Dato", "Afsluttet"],
            [["Ærøskøbing; Ø", 66.7, date(2026, 3, 1), True], ["Tønder", None, None, False]],
        )
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn(
            "filename*=utf-8''tal-%C3%A6%C3%B8%C3%A5.csv", response["Content-Disposition"]
        )
        self.assertEqual(
            read_csv(response.content),
            [
                ["Kommune", "Andel hørt", "Dato", "Afsluttet"],
                ["Ærøskøbing; Ø", "66,7", "2026-03-01", "ja"],
                ["Tønder", "", "", "nej"],
            ],
        )
        self.assertIn(b";", response.content)

    def test_it_escapes_formulas(self) -> None:
        response = csv_response("x.csv", ["Navn"], [[value] for value in HOSTILE])
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="x.csv"')
        rows = read_csv(response.content)[1:]
        self.assertEqual([row[0] for row in rows], ["'" + value for value in HOSTILE])

    def test_it_writes_times_in_local_time(self) -> None:
        moment = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # 12:00 in Copenhagen (summer time)
        rows = read_csv(csv_response("t", ["Tid"], [[moment]]).content)
        self.assertEqual(rows[1], ["2026-06-01 12:00"])


class XlsxTestCase(SimpleTestCase):
    def test_it_writes_strings_as_strings_never_as_formulas(self) -> None:
        response = xlsx_response(
            "eksport", "Afgørelser: [maj]", ["Barn", "Antal"], [[v, 1] for v in HOSTILE]
        )
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="eksport.xlsx"')
        strings, cells, sheet_xml = sheet_cells(response.content)
        self.assertNotIn("<f>", sheet_xml)
        self.assertNotIn("<f ", sheet_xml)
        self.assertEqual(cells[0].get("t"), "s")  # header "Barn": a shared string
        # (the XML spells a carriage return as _x000D_, which the spreadsheet reads back as \r)
        unescaped = [text.replace("_x000D_", "\r") for text in strings]
        for value in HOSTILE:
            self.assertIn("'" + value, unescaped)
        # Every cell of the first column is a shared string; the counts are numbers.
        first_column = [c for c in cells if re.fullmatch(r"A\d+", c.get("r", ""))]
        self.assertEqual(len(first_column), 1 + len(HOSTILE))
        self.assertTrue(all(c.get("t") == "s" for c in first_column))
        numbers = [c for c in cells if re.fullmatch(r"B[2-9]", c.get("r", ""))]
        self.assertTrue(numbers)
        self.assertTrue(all(c.get("t") is None for c in numbers))

    def test_it_keeps_danish_letters_and_a_valid_sheet_name(self) -> None:
        response = xlsx_response("tal", "Afgørelser: [maj]", ["Kommune"], [["Ærø"], [None]])
        strings, _, _ = sheet_cells(response.content)
        self.assertIn("Ærø", strings)
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8")
        self.assertIn('name="Afgørelser   maj"', workbook)
