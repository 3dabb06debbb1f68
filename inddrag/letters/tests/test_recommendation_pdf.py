from __future__ import annotations

import re
import subprocess
from datetime import date
from typing import Any

from django.urls import reverse

from inddrag.audit.models import AccessEvent
from inddrag.conversations.models import Statement
from inddrag.letters.models import Quote, Recommendation
from inddrag.test import BaseTestCase, make_conversation, make_recommendation

# The child's words with what a PDF pipeline tends to break: Danish letters, an ampersand, a
# "<3" (allowed: it is no HTML tag) and quotation marks.
WORDS = 'Jeg vil blive hos Ole & Åse <3 — "æøå ÆØÅ" er mine bogstaver.'


def pdf_text(response: Any) -> str:
    """The PDF's text as pdftotext (poppler-utils) extracts it, whitespace made single spaces
    (a long line may wrap anywhere in the PDF)."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=response.content,
        capture_output=True,
        check=True,
    )
    return re.sub(r"\s+", " ", result.stdout.decode("utf-8"))


class RecommendationPdfTestCase(BaseTestCase):
    def setUp(self) -> None:
        conversation = make_conversation(
            self.case_a, self.alice, WORDS, "Jeg savner far.", held_on=date(2026, 5, 3)
        )
        self.words, self.father = conversation.statements.order_by("position")
        conversation = make_conversation(
            self.case_a, self.alice, "Kun til dig: jeg er bange.", held_on=date(2026, 5, 4)
        )
        self.secret = conversation.statements.get()
        self.secret.sharing = Statement.Sharing.CASEWORKER
        self.secret.save(update_fields=["sharing"])
        self.row = make_recommendation(
            self.case_a,
            self.alice,
            title="Fortsat anbringelse hos plejefamilien Ørsted",
            child_perspective="Asta ønsker at blive boende. Hun er glad for skolen.",
            involvement="Børnesamtale på Nordskolen 3. maj 2026 med bisidder.",
            recommendation="Forvaltningen indstiller, at anbringelsen fortsætter i et år.",
        )
        for position, statement in enumerate([self.words, self.father]):
            Quote.objects.create(
                municipality=self.nordby,
                recommendation=self.row,
                statement=statement,
                position=position,
            )
        self.url = reverse("letters:recommendation_pdf", args=[self.row.code])

    def test_it_exports_the_childs_words_exactly(self) -> None:
        """The acceptance: pdftotext finds the child's words exactly as the child said them
        (escaped into the HTML, not changed), the Danish letters intact, the page numbers, and
        the committee document's heading and facts. The export is logged (T5)."""
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertEqual(
            r["Content-Disposition"],
            f'attachment; filename="indstilling-{self.case_a.reference}.pdf"',
        )
        self.assertTrue(r.content.startswith(b"%PDF-"))
        text = pdf_text(r)
        self.assertIn(f"»{WORDS}«", text)
        self.assertIn("æøå ÆØÅ", text)
        self.assertIn("Side 1 af 1", text)
        for expected in [
            "Indstilling til Børne- og Ungeudvalget",
            "Nordby Kommune",
            "Team Vest",
            self.case_a.reference,
            "Alice Testesen",
            "Asta Fiktivsen",
            "Indstillingen gælder: Fortsat anbringelse hos plejefamilien Ørsted",
            "Sagt til sagsbehandleren 3. maj 2026",
        ]:
            self.assertIn(expected, text)
        self.assertNotIn("&amp;", text)
        self.assertNotIn("&lt;", text)
        # Barnets perspektiv first, then the quotes, how the child was involved, the proposal.
        order = [
            text.index("Barnets perspektiv"),
            text.index("Asta ønsker at blive boende."),
            text.index(f"»{WORDS}«"),
            text.index("»Jeg savner far.«"),
            text.index("Sådan er barnet inddraget"),
            text.index("Børnesamtale på Nordskolen"),
            text.index("Forvaltningen indstiller"),
        ]
        self.assertEqual(order, sorted(order))
        event = AccessEvent.objects.get(action="export")
        logged = (self.alice, self.case_a.child, "Recommendation", str(self.row.code))
        self.assertEqual((event.user, event.child, event.object_type, event.object_code), logged)
        self.assertEqual(event.request_id, r["X-Request-ID"])

    def test_it_leaves_out_a_quote_the_child_later_kept_for_the_caseworker(self) -> None:
        """The child's choice is read when the PDF is made: a quoted statement that became
        "Kun sagsbehandleren" is not in it (and a caseworker-only one never was)."""
        Statement.objects.filter(pk=self.father.pk).update(sharing=Statement.Sharing.CASEWORKER)
        self.login(self.alice)
        text = pdf_text(self.client.get(self.url))
        self.assertIn(f"»{WORDS}«", text)
        self.assertNotIn("savner far", text)
        self.assertNotIn("bange", text)

    def test_it_says_so_when_nothing_is_quoted(self) -> None:
        Quote.objects.all().delete()
        self.login(self.alice)
        text = pdf_text(self.client.get(self.url))
        self.assertIn("Indstillingen citerer ikke barnets egne ord.", text)
        self.assertNotIn("Barnets egne ord", text)

    def test_it_lets_the_leader_export(self) -> None:
        """T2: the unit's leader may get the PDF; the export is logged under the leader."""
        self.login(self.leo)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/pdf")
        event = AccessEvent.objects.get(action="export")
        self.assertEqual((event.user, event.child), (self.leo, self.case_a.child))

    def test_it_is_404_for_outsiders(self) -> None:
        """T1, T3: Anna (another team) and Bob (Sydby) get 404, a logged denial, no export."""
        for user in [self.anna, self.bob]:
            with self.subTest(user=user.username):
                self.login(user)
                r = self.client.get(self.url)
                self.assertEqual(r.status_code, 404)
                self.assertNotEqual(r.get("Content-Type"), "application/pdf")
                self.assertTrue(AccessEvent.objects.filter(action="denied", user=user).exists())
        self.assertFalse(AccessEvent.objects.filter(action="export").exists())

    def test_it_only_answers_get(self) -> None:
        self.login(self.alice)
        self.assertEqual(self.client.post(self.url).status_code, 405)
        self.assertFalse(AccessEvent.objects.filter(action="export").exists())
        self.assertEqual(Recommendation.objects.count(), 1)
