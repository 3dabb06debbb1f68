"""LIX and long sentences of Danish text (inddrag/lib/readability.py), checked against counts
done by hand."""

from __future__ import annotations

from django.test import SimpleTestCase

from inddrag.lib.readability import analyse, band_of, sentences_of, words_of


class ReadabilityTestCase(SimpleTestCase):
    def test_it_computes_lix_of_a_two_sentence_text(self) -> None:
        """By hand: 11 words, 2 sentences, 2 long words (fortalte, fodbold; "mødtes" and
        "skolen" have exactly 6 letters, which is not long). LIX = 11/2 + 100·2/11 = 23.68."""
        r = analyse("Vi mødtes i dag. Du fortalte om skolen og om fodbold.")
        self.assertEqual((r.words, r.sentences, r.long_words), (11, 2, 2))
        self.assertAlmostEqual(r.lix, 11 / 2 + 200 / 11)
        self.assertEqual(r.lix_rounded, 24)
        self.assertEqual(r.band, "very_easy")
        self.assertEqual(r.band_label, "meget let")
        self.assertTrue(r.fits_a_child)
        self.assertEqual(r.long_sentences, ())

    def test_it_finds_official_danish_very_hard(self) -> None:
        """By hand: 8 words in one sentence, 6 of them long. LIX = 8 + 75 = 83."""
        r = analyse("Kommunen har truffet afgørelse om anbringelse udenfor hjemmet.")
        self.assertEqual((r.words, r.sentences, r.long_words), (8, 1, 6))
        self.assertAlmostEqual(r.lix, 83.0)
        self.assertEqual(r.band, "very_hard")
        self.assertFalse(r.fits_a_child)

    def test_it_names_the_bands_at_their_edges(self) -> None:
        self.assertEqual(band_of(24.4)[0], "very_easy")
        self.assertEqual(band_of(24.5)[0], "easy")  # shown as 25: half up, not to even
        self.assertEqual(band_of(25)[0], "easy")
        self.assertEqual(band_of(34)[0], "easy")
        self.assertEqual(band_of(35)[0], "medium")
        self.assertEqual(band_of(44)[0], "medium")
        self.assertEqual(band_of(45)[0], "hard")
        self.assertEqual(band_of(54)[0], "hard")
        self.assertEqual(band_of(55)[0], "very_hard")
        self.assertEqual(band_of(120)[0], "very_hard")

    def test_it_lists_sentences_of_more_than_fifteen_words(self) -> None:
        sixteen = (
            "Vi aftalte at du bor hos din mormor i hele sommerferien og at vi ses igen bagefter."
        )
        fifteen = "Du går i skole hver dag og du spiller fodbold om tirsdagen med dine venner."
        self.assertEqual(len(words_of(sixteen)), 17)
        self.assertEqual(len(words_of(fifteen)), 15)
        r = analyse(f"{fifteen} {sixteen} Det er godt.")
        self.assertEqual(r.sentences, 3)
        self.assertEqual([(s.text, s.words) for s in r.long_sentences], [(sixteen, 17)])
        self.assertFalse(r.fits_a_child)
        self.assertEqual(analyse(sixteen, long_sentence_words=20).long_sentences, ())

    def test_it_handles_empty_text(self) -> None:
        for text in ["", "   \n\n ", "...", "- !"]:
            with self.subTest(text=text):
                r = analyse(text)
                self.assertTrue(r.is_empty)
                self.assertEqual((r.words, r.sentences, r.long_words, r.lix), (0, 0, 0, 0.0))
                self.assertEqual(r.long_sentences, ())
                self.assertFalse(r.fits_a_child)

    def test_it_counts_one_sentence_without_a_full_stop(self) -> None:
        r = analyse("Du bor hos mormor")
        self.assertEqual((r.words, r.sentences), (4, 1))
        self.assertEqual(r.lix, 4.0)

    def test_it_ends_sentences_at_line_breaks(self) -> None:
        """A list without full stops is one sentence per line."""
        text = "Det aftalte vi:\n- Du bor hos mormor\n- Vi ses igen i maj\n\n- Du må ringe"
        self.assertEqual(
            sentences_of(text),
            ["Det aftalte vi:", "- Du bor hos mormor", "- Vi ses igen i maj", "- Du må ringe"],
        )

    def test_it_does_not_end_a_sentence_after_dates_and_abbreviations(self) -> None:
        text = "Vi ses den 3. maj kl. 14. Tag fx. din mor med! Er det okay? Ja."
        self.assertEqual(
            sentences_of(text),
            ["Vi ses den 3. maj kl. 14.", "Tag fx. din mor med!", "Er det okay?", "Ja."],
        )
        # A number at the end of a sentence still ends it.
        self.assertEqual(
            sentences_of("Jeg er 12. Jeg går i 6. klasse."), ["Jeg er 12.", "Jeg går i 6. klasse."]
        )

    def test_it_counts_hyphenated_words_once_by_their_letters(self) -> None:
        """ "TV-skærm" is one word of 7 letters (long); "Asta's" one of 5."""
        self.assertEqual(words_of("Asta's TV-skærm, 12 år"), ["Asta's", "TV-skærm", "12", "år"])
        self.assertEqual(analyse("Asta's TV-skærm").long_words, 1)
