"""The letter as a PDF (issue 6, point 5): WeasyPrint with embedded fonts; the text extracted
with pdftotext (poppler-utils) has the child's own words and the Danish letters intact, and
page numbers ("Side 1 af 2"). Every PDF is an export in the access log (T5)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.urls import reverse

from inddrag.audit.models import AccessEvent
from inddrag.test import BaseTestCase, make_letter

Action = AccessEvent.Action
QUOTE = "»Jeg vil gerne bo hos min mormor, når det er sommerferie.«"
BODY = (
    "Hej Asta\n\n"
    "Tak fordi du fortalte mig, hvad du tænker. Du sagde:\n"
    f"{QUOTE}\n\n"
    "Det har vi lyttet til. æøå ÆØÅ står her, så du kan se, at bogstaverne er rigtige.\n\n"
    "Mange hilsner\nAlice"
)


def poppler(tool: str, content: bytes, *args: str) -> str:
    """The output of one of poppler-utils' tools (pdftotext, pdffonts) on the PDF."""
    if shutil.which(tool) is None:
        raise AssertionError(f"{tool} is missing: apt-get install -y poppler-utils")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "brev.pdf"
        path.write_bytes(content)
        command = [tool, *args, str(path)] + (["-"] if tool == "pdftotext" else [])
        out = subprocess.run(command, check=True, capture_output=True)
    return out.stdout.decode("utf-8")


def pdf_text(content: bytes) -> str:
    """The PDF's text as pdftotext reads it (one page after the other, with form feeds)."""
    return poppler("pdftotext", content, "-enc", "UTF-8")


class LetterPdfTestCase(BaseTestCase):
    def test_it_renders_the_letter_with_the_childs_words_and_danish_letters(self) -> None:
        self.alice.work_phone = "33 12 34 56"
        self.alice.save()
        letter = make_letter(
            self.case_a,
            self.alice,
            sent=True,
            subject="Det har vi besluttet",
            body=BODY,
            sent_at=datetime(2026, 5, 4, 10, 0, tzinfo=UTC),
        )
        self.login(self.alice)
        r = self.client.get(reverse("letters:pdf", args=[letter.code]))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertEqual(r["Content-Disposition"], 'attachment; filename="brev-2026-05-04.pdf"')
        self.assertTrue(r.content.startswith(b"%PDF-"))
        text = pdf_text(r.content)
        self.assertIn(QUOTE, text)
        self.assertIn("æøå ÆØÅ", text)
        self.assertIn("Det har vi besluttet", text)
        self.assertIn("Nordby Kommune", text)
        self.assertIn("Team Vest", text)  # the unit sends it
        self.assertIn("Til Asta", text)
        self.assertIn("4. maj 2026", text)
        self.assertIn("Sagsbehandler: Alice Testesen", text)
        self.assertIn("Telefon: 33 12 34 56", text)
        self.assertIn("Side 1 af 1", text)
        self.assertNotIn("KLADDE", text)
        # Fonts are embedded (DejaVu Sans), so the letters look the same on every machine:
        # pdffonts lists each font with "emb" yes.
        fonts = [line.split() for line in poppler("pdffonts", r.content).splitlines()[2:]]
        self.assertTrue(fonts)
        self.assertTrue(all("DejaVu-Sans" in font[0] for font in fonts), fonts)
        self.assertTrue(all(font[-5] == "yes" for font in fonts), fonts)  # the "emb" column

    def test_it_numbers_the_pages_of_a_long_letter(self) -> None:
        paragraph = (
            "Vi har talt om, hvordan du har det i skolen og derhjemme. Du fortalte, at det "
            "går bedre nu, og at du gerne vil blive ved med at gå til fodbold om tirsdagen."
        )
        letter = make_letter(self.case_a, self.alice, body="\n\n".join([paragraph] * 15))
        self.login(self.alice)
        r = self.client.get(reverse("letters:pdf", args=[letter.code]))
        text = pdf_text(r.content)
        pages = [page for page in text.split("\f") if page.strip()]
        self.assertEqual(len(pages), 2)
        self.assertIn("Side 1 af 2", pages[0])
        self.assertIn("Side 2 af 2", pages[1])
        self.assertIn("KLADDE: brevet er ikke sendt", text)  # a draft says so

    def test_it_escapes_markup_in_the_text(self) -> None:
        """Text is escaped, never HTML: a "<" typed in a letter is printed as it is."""
        letter = make_letter(self.case_a, self.alice, body="Hvis 3 < 5 og 5 > 3 & mere.")
        self.login(self.alice)
        text = pdf_text(self.client.get(reverse("letters:pdf", args=[letter.code])).content)
        self.assertIn("Hvis 3 < 5 og 5 > 3 & mere.", text)

    def test_it_logs_every_pdf_as_an_export(self) -> None:
        letter = make_letter(self.case_a, self.alice)
        for user in (self.alice, self.leo):
            self.login(user)
            r = self.client.get(reverse("letters:pdf", args=[letter.code]))
            self.assertEqual(r.status_code, 200)
            [event] = AccessEvent.objects.filter(request_id=r["X-Request-ID"])
            self.assertEqual((event.action, event.user), (Action.EXPORT, user))
            self.assertEqual(
                (event.child, event.object_code), (self.case_a.child, str(letter.code))
            )

    def test_it_refuses_the_pdf_to_outsiders(self) -> None:
        """T1 and T3: Bob (Sydby) and Anna (another caseload) get a logged 404 and no PDF."""
        letter = make_letter(self.case_a, self.alice)
        for user in (self.anna, self.bob):
            self.login(user)
            r = self.client.get(reverse("letters:pdf", args=[letter.code]))
            self.assertEqual(r.status_code, 404)
            self.assertNotEqual(r.get("Content-Type"), "application/pdf")
            [event] = AccessEvent.objects.filter(request_id=r["X-Request-ID"])
            self.assertEqual(event.action, Action.DENIED)
        self.assertFalse(AccessEvent.objects.filter(action=Action.EXPORT).exists())
        self.assertEqual(
            self.client.post(reverse("letters:pdf", args=[letter.code])).status_code, 405
        )
