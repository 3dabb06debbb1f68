"""CSV and XLSX downloads of a table (the leaders' figures, the national view).

Spreadsheet formula injection (security 1.2.10, OWASP "CSV injection"): a text cell that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula by Excel or
LibreOffice (`=HYPERLINK("https://evil", "klik")` in a child's name or a decision title). Such a
cell gets a leading `'`, which the spreadsheet shows as text. In XLSX every string is also written
as a string cell, never as a formula (xlsxwriter's `strings_to_formulas` is off).

CSV as Danish Excel opens it: UTF-8 with a byte order mark (else "æøå" come out garbled), `;`
between fields and a decimal comma.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter  # type: ignore[import-untyped]
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: object) -> object:
    """`value`, with a leading `'` when it is a string a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_text(value: object) -> str:
    value = safe_cell(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float | Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _local(moment: datetime) -> datetime:
    """A naive local time: the time as the page shows it (spreadsheets have no time zones)."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.replace(tzinfo=None)


def _filename(filename: str, extension: str) -> str:
    return filename if filename.lower().endswith(extension) else filename + extension


def csv_response(
    filename: str, header: list[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """The table as a CSV download (`filename`, ".csv" added when missing)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_csv_text(cell) for cell in header])
    for row in rows:
        writer.writerow([_csv_text(cell) for cell in row])
    return HttpResponse(
        buffer.getvalue().encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=_filename(filename, ".csv")
            )
        },
    )


def _sheet_name(sheet: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, not empty, no leading '."""
    name = re.sub(r"[\[\]:*?/\\]", " ", sheet).strip().strip("'")[:31]
    return name or "Ark1"


def xlsx_response(
    filename: str, sheet: str, header: list[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """The table as an XLSX download (`filename`, ".xlsx" added when missing) with one sheet."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    worksheet = workbook.add_worksheet(_sheet_name(sheet))
    widths = [len(str(cell)) for cell in header]
    for column, title in enumerate(header):
        worksheet.write_string(0, column, str(safe_cell(title)), bold)
    for line, row in enumerate(rows, start=1):
        for column, raw in enumerate(row):
            value = safe_cell(raw)
            if value is None:
                worksheet.write_blank(line, column, None)
            elif isinstance(value, bool):
                worksheet.write_boolean(line, column, value)
            elif isinstance(value, int | float | Decimal):
                worksheet.write_number(line, column, float(value))
            elif isinstance(value, datetime):
                worksheet.write_datetime(line, column, _local(value), moment)
            elif isinstance(value, date):
                worksheet.write_datetime(line, column, value, day)
            else:
                worksheet.write_string(line, column, str(value))
            if column < len(widths):
                widths[column] = max(widths[column], len(str(value)) if value is not None else 0)
    for column, width in enumerate(widths):
        worksheet.set_column(column, column, min(max(width, 8), 60) + 2)
    worksheet.freeze_panes(1, 0)
    workbook.close()
    return HttpResponse(
        buffer.getvalue(),
        content_type=XLSX_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=_filename(filename, ".xlsx")
            )
        },
    )
