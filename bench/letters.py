"""The time to render a two-page letter PDF (issue 6: goal p95 under 1 s on this machine).

In-process, with the real `inddrag.lib.pdf.render_pdf` and the letter's real template and
context (`inddrag.letters.views.pdf_context`): the template rendered to HTML, laid out by
WeasyPrint with the embedded DejaVu fonts and written as PDF bytes. No request and no database:
the letter is built in memory, so the figure is the PDF alone (the view adds one access event,
measured in bench/access_log.py). The letter is checked to be exactly two pages first.

BENCH_PDF_RENDERS sets how many renders are timed (default 30), after BENCH_PDF_WARMUP (3)
untimed ones: the first render loads WeasyPrint and the fonts.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date

from bench.common import calibration_ms, figure, percentile
from inddrag.accounts.models import User
from inddrag.children.models import Case, Child
from inddrag.letters.models import Letter
from inddrag.letters.views import pdf_context
from inddrag.lib.pdf import render_pdf
from inddrag.municipalities.models import Municipality, Unit

RENDERS = int(os.getenv("BENCH_PDF_RENDERS", "30"))
WARMUP = int(os.getenv("BENCH_PDF_WARMUP", "3"))
TEMPLATE = "letters/pdf_letter.html"
PARAGRAPH = (
    "Vi har talt om, hvordan du har det i skolen og derhjemme. Du fortalte, at det går bedre "
    "nu, og at du gerne vil blive ved med at gå til fodbold om tirsdagen. Æbler, øer og både."
)
PARAGRAPHS = 15  # two A4 pages with the letter's head and the caseworker's name


def two_page_letter() -> Letter:
    """A sent letter to a child, built in memory (nothing is saved)."""
    municipality = Municipality(name="Roskilde Kommune", cvr="29189404", municipality_code="265")
    unit = Unit(municipality=municipality, name="Børn og Unge, Team Nord")
    child = Child(municipality=municipality, first_name="Asta", last_name="Fiktivsen")
    case = Case(municipality=municipality, unit=unit, child=child, reference="B-00001")
    caseworker = User(
        username="bench", first_name="Alice", last_name="Testesen", work_phone="46 31 30 00"
    )
    body = "Hej Asta\n\n" + "\n\n".join([PARAGRAPH] * PARAGRAPHS) + "\n\nMange hilsner\nAlice"
    return Letter(
        municipality=municipality,
        case=case,
        recipient="Asta",
        subject="Det talte vi om",
        body=body,
        created_by=caseworker,
        sent_by=caseworker,
    )


def page_count(context: dict[str, object]) -> int:
    """The pages WeasyPrint lays the letter out on (the same HTML render_pdf writes)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string(TEMPLATE, context)
    return len(HTML(string=html, base_url=None).render().pages)


def main() -> None:
    p50, p95 = calibration_ms()
    print(f"# machine steadiness: a fixed loop takes p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    context = pdf_context(two_page_letter(), dated=date(2026, 11, 23))
    pages = page_count(context)
    if pages != 2:
        sys.exit(f"bench: the letter has {pages} pages, not 2; change PARAGRAPHS")
    for _ in range(WARMUP):
        render_pdf(TEMPLATE, context)
    times = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        content = render_pdf(TEMPLATE, context)
        times.append((time.perf_counter() - started) * 1000)
        if not content.startswith(b"%PDF-"):
            sys.exit("bench: render_pdf did not return a PDF")
    figure("letter_pdf_p50", percentile(times, 50), "ms")
    figure("letter_pdf_p95", percentile(times, 95), "ms")
    print(f"figure letter_pdf_pages {pages} pages", flush=True)


if __name__ == "__main__":
    main()
