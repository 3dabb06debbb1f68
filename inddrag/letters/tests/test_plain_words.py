"""The municipality's list of bureaucratic words (issue 6, point 3: "the list is data that a
municipality can extend"): the administrator sees everyone's words and the municipality's own,
adds a word with its plain alternative (validated, unique per municipality) and retires one of
the municipality's own after a confirmation. Only the municipality's administrator (T2)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.letters.models import PlainWord
from inddrag.letters.readability import plain_words_for
from inddrag.test import BaseTestCase

Action = AccessEvent.Action
URL = reverse("letters:plain_words")


class PlainWordsTestCase(BaseTestCase):
    def test_it_lists_everyones_words_and_the_municipalitys_own(self) -> None:
        PlainWord.objects.create(municipality=self.nordby, term="visitere", plain="vælge")
        PlainWord.objects.create(municipality=self.sydby, term="sydbyord", plain="y")
        self.login(self.ada)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "<h1>Svære ord i breve</h1>", html=True)
        self.assertContains(r, '<th scope="row">foranstaltning</th>', html=True)
        self.assertContains(r, "den hjælp, du får")
        self.assertContains(r, '<th scope="row">visitere</th>', html=True)
        self.assertContains(r, f'href="{URL}?fjern=visitere"')
        self.assertNotContains(r, "sydbyord")
        # Everyone's words cannot be retired by a municipality.
        self.assertNotContains(r, "?fjern=foranstaltning")

    def test_it_adds_a_word_that_the_composer_then_flags(self) -> None:
        self.login(self.ada)
        r = self.client.post(URL, {"term": "  Udredning  ", "plain": "vi finder ud af"})
        self.assertRedirects(r, URL, fetch_redirect_response=False)
        word = PlainWord.objects.get(municipality=self.nordby, term="udredning")
        self.assertEqual((word.plain, word.disabled_on), ("vi finder ud af", None))
        self.assertIn(("udredning", "vi finder ud af"), plain_words_for(self.nordby.pk))
        self.assertNotIn(("udredning", "vi finder ud af"), plain_words_for(self.sydby.pk))
        event = AccessEvent.objects.get(action=Action.CREATE)
        self.assertEqual((event.user, event.municipality), (self.ada, self.nordby))
        self.assertEqual(event.criterion, "plain word: udredning → vi finder ud af")
        self.assertContains(self.client.get(URL), "»udredning« er tilføjet.")

    def test_it_lets_the_municipality_say_something_else_about_a_common_word(self) -> None:
        self.login(self.ada)
        self.client.post(URL, {"term": "afgørelse", "plain": "det, vi har bestemt"})
        self.assertEqual(dict(plain_words_for(self.nordby.pk))["afgørelse"], "det, vi har bestemt")
        self.assertEqual(dict(plain_words_for(self.sydby.pk))["afgørelse"], "beslutning")
        self.assertContains(self.client.get(URL), "kommunen har sit eget forslag")

    def test_it_rejects_bad_words(self) -> None:
        PlainWord.objects.create(municipality=self.nordby, term="visitere", plain="vælge")
        self.login(self.ada)
        for data, message in [
            ({"term": "", "plain": "x"}, "Skriv ordet eller udtrykket."),
            ({"term": "visitere", "plain": ""}, "Skriv, hvad man kan sige i stedet."),
            ({"term": "VISITERE", "plain": "y"}, "»visitere« står allerede på kommunens liste."),
            ({"term": "<b>ord</b>", "plain": "y"}, "Skriv teksten uden HTML-koder"),
            ({"term": "ord", "plain": "<i>y</i>"}, "Skriv teksten uden HTML-koder"),
            ({"term": "be*", "plain": "y"}, "En ordstamme med * skal have mindst 4 bogstaver."),
            ({"term": "a*b", "plain": "y"}, "Skriv et ord eller et udtryk med bogstaver."),
            ({"term": "!!", "plain": "y"}, "Skriv et ord eller et udtryk med bogstaver."),
            ({"term": "x" * 101, "plain": "y"}, "Skriv højst 100 tegn (du har skrevet 101)."),
        ]:
            with self.subTest(data=data):
                r = self.client.post(URL, data)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, "Ordet er ikke tilføjet")
                self.assertContains(r, message)
        self.assertEqual(PlainWord.objects.filter(municipality=self.nordby).count(), 1)
        self.assertFalse(AccessEvent.objects.filter(action=Action.CREATE).exists())

    def test_it_retires_a_word_after_a_confirmation(self) -> None:
        PlainWord.objects.create(municipality=self.nordby, term="visitere", plain="vælge")
        self.login(self.ada)
        r = self.client.get(f"{URL}?fjern=visitere")
        self.assertContains(r, "Vil du fjerne »visitere« fra kommunens liste?")
        self.assertContains(r, '<input type="hidden" name="fjern" value="visitere">', html=True)
        self.assertTrue(PlainWord.objects.get(term="visitere").disabled_on is None)  # not yet
        r = self.client.post(URL, {"fjern": "visitere"})
        self.assertRedirects(r, URL, fetch_redirect_response=False)
        word = PlainWord.objects.get(term="visitere")
        self.assertEqual(word.disabled_on, timezone.localdate())
        self.assertNotIn("visitere", dict(plain_words_for(self.nordby.pk)))
        event = AccessEvent.objects.get(action=Action.UPDATE)
        self.assertEqual(event.criterion, "plain word retired: visitere")
        r = self.client.get(URL)
        self.assertContains(r, "Fjernet fra listen")
        # Retiring it again changes nothing; adding it again takes it into use again.
        self.client.post(URL, {"fjern": "visitere"})
        self.assertEqual(AccessEvent.objects.filter(action=Action.UPDATE).count(), 1)
        self.client.post(URL, {"term": "visitere", "plain": "vælge, hvad du skal have"})
        word.refresh_from_db()
        self.assertEqual((word.disabled_on, word.plain), (None, "vælge, hvad du skal have"))
        self.assertEqual(PlainWord.objects.filter(term="visitere").count(), 1)

    def test_it_never_retires_everyones_or_another_municipalitys_word(self) -> None:
        theirs = PlainWord.objects.create(municipality=self.sydby, term="sydbyord", plain="y")
        self.login(self.ada)
        self.assertNotContains(self.client.get(f"{URL}?fjern=foranstaltning"), "Vil du fjerne")
        self.client.post(URL, {"fjern": "foranstaltning"})
        self.client.post(URL, {"fjern": "sydbyord"})
        self.assertFalse(
            PlainWord.objects.filter(disabled_on__isnull=False).exists(),
        )
        theirs.refresh_from_db()
        self.assertIsNone(theirs.disabled_on)
        self.assertFalse(AccessEvent.objects.filter(action=Action.UPDATE).exists())

    def test_it_is_for_the_municipalitys_administrator_only(self) -> None:
        """T2: caseworkers and leaders get a logged 403 and change nothing."""
        for user in (self.alice, self.leo):
            self.login(user)
            self.assertEqual(self.client.get(URL).status_code, 403)
            r = self.client.post(URL, {"term": "udredning", "plain": "x"})
            self.assertEqual(r.status_code, 403)
        self.assertFalse(PlainWord.objects.filter(municipality__isnull=False).exists())
        self.assertEqual(AccessEvent.objects.filter(action=Action.DENIED).count(), 4)
        # Sydby's administrator adds to Sydby's list, never Nordby's.
        self.login(self.bo)
        self.client.post(URL, {"term": "udredning", "plain": "x"})
        self.assertEqual(PlainWord.objects.get(term="udredning").municipality, self.sydby)
