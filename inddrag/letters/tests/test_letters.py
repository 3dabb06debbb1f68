"""Letters to the child and to custody holders (issue 6, point 3): the composer (templates, bad
input, idempotent create T20, optimistic locking T19), sending (with the hard-text confirmation
for a child under 15), the letter's page, the case page's list, and who may do what (T1, T3,
T5)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any
from unittest import mock

from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.children.models import Child
from inddrag.letters.models import Letter, LetterTemplate
from inddrag.letters.queries import letters_for_case
from inddrag.portal.models import ChildMessage
from inddrag.test import (
    BaseTestCase,
    make_child_access,
    make_child_message,
    make_letter,
    make_network_member,
)

Action = AccessEvent.Action
NOTIFY = "inddrag.portal.notify.send_child_notice"
EASY = "Vi mødtes i dag. Du fortalte om skolen og om fodbold."  # LIX 24 (test_readability)
HARD = "Kommunen har truffet afgørelse om anbringelse udenfor hjemmet."  # LIX 83


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


class LettersTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.create_url = reverse("letters:create", args=[self.case_a.code])

    def data(self, **fields: Any) -> dict[str, Any]:
        values = {
            "audience": "child",
            "recipient": "Asta",
            "subject": "Vi ses på torsdag",
            "body": EASY,
            "submit_token": str(uuid.uuid4()),
        }
        values.update(fields)
        return values

    def set_age(self, years: int) -> None:
        """Asta is `years` old today (a day past her birthday)."""
        Child.objects.filter(pk=self.case_a.child_id).update(birth_date=years_ago(years, 1))

    def send(self, letter: Letter, **fields: Any) -> Any:
        data = {"version": str(letter.version), **fields}
        return self.client.post(reverse("letters:send", args=[letter.code]), data)

    # --- The composer -------------------------------------------------------------------------

    def test_it_shows_the_composer_with_the_childs_name_and_the_templates(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.create_url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "<h1>Nyt brev</h1>", html=True)
        self.assertContains(r, 'name="recipient" value="Asta"')
        self.assertContains(r, 'value="child" checked')
        self.assertContains(r, 'name="submit_token"')
        for template in LetterTemplate.objects.filter(municipality__isnull=True):
            self.assertContains(r, f">{template.name}</option>")
        self.assertContains(r, "Brug skabelonen")
        self.assertContains(r, "Tjek teksten")
        [event] = AccessEvent.objects.filter(action=Action.READ)
        self.assertEqual(
            (event.object_code, event.child), (str(self.case_a.code), self.case_a.child)
        )

    def test_it_fills_in_a_template_without_saving(self) -> None:
        """ "Brug skabelonen": the template's subject and text with the child's and the
        caseworker's names; [brackets] are left for the caseworker; nothing is saved."""
        template = LetterTemplate.objects.get(municipality__isnull=True, name="Ny sagsbehandler")
        self.login(self.alice)
        r = self.client.post(self.create_url, {"start-template": template.pk, "use_template": "1"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'name="subject" value="Du får en ny sagsbehandler"')
        self.assertContains(r, "Hej Asta")
        self.assertContains(r, "Jeg hedder Alice Testesen.")
        self.assertContains(r, "Udfyld før du sender:")
        self.assertContains(r, "[dato]")
        self.assertNotContains(r, "{barn}")
        self.assertFalse(Letter.objects.exists())

    def test_it_fills_in_the_custody_holders_for_a_template_to_them(self) -> None:
        make_network_member(self.case_a, name="Mette Hansen")
        make_network_member(self.case_a, name="Jens Hansen")
        make_network_member(self.case_a, name="Gammel Værge", ended_on=date(2024, 1, 1))
        template = LetterTemplate.objects.create(
            name="Til forældre", audience="custody", subject="Møde", body="Kære forældre."
        )
        self.login(self.alice)
        r = self.client.post(self.create_url, {"start-template": template.pk, "use_template": "1"})
        self.assertContains(r, 'name="recipient" value="Jens Hansen og Mette Hansen"')
        self.assertContains(r, 'value="custody" checked')

    def test_it_saves_a_draft_once_however_often_the_form_is_sent(self) -> None:
        """T20: the same form sent twice makes one letter; both land on it."""
        self.login(self.alice)
        data = self.data(body=f"{EASY}\r\n\r\nHilsen Alice")
        first = self.client.post(self.create_url, data)
        second = self.client.post(self.create_url, data)
        letter = Letter.objects.get()
        self.assertRedirects(first, letter.get_absolute_url(), fetch_redirect_response=False)
        self.assertRedirects(second, letter.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(letter.body, f"{EASY}\n\nHilsen Alice")  # line endings as \n
        self.assertEqual(
            (letter.case, letter.created_by, letter.version), (self.case_a, self.alice, 1)
        )
        self.assertIsNone(letter.sent_at)
        [event] = AccessEvent.objects.filter(action=Action.CREATE)
        self.assertEqual((event.object_code, event.child), (str(letter.code), self.case_a.child))

    def test_it_rejects_bad_input_and_saves_nothing(self) -> None:
        self.login(self.alice)
        too_long = "a" * 20345
        for fields, message in [
            ({"body": ""}, "Skriv brevets tekst."),
            ({"body": "   "}, "Skriv brevets tekst."),
            (
                {"body": too_long},
                "Brevet er for langt: der må højst være 20.000 tegn, og der er 20.345. "
                "Gør det 345 tegn kortere, eller del det i to breve.",
            ),
            ({"body": "Hej <script>alert(1)</script>"}, "Skriv teksten uden HTML-koder"),
            ({"subject": "<b>Hej</b>"}, "Skriv teksten uden HTML-koder"),
            ({"subject": ""}, "Skriv en overskrift."),
            ({"recipient": ""}, "Skriv, hvem brevet er til."),
            ({"audience": "mayor"}, "Vælg, hvem brevet er til."),
            ({"submit_token": ""}, "Formularen er ikke komplet."),
        ]:
            with self.subTest(message=message):
                r = self.client.post(self.create_url, self.data(**fields))
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, message)
                self.assertContains(r, "Brevet er ikke gemt")
        # Exactly the limit is allowed.
        r = self.client.post(self.create_url, self.data(body="a" * Letter.MAX_LENGTH))
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Letter.objects.count(), 1)

    def test_it_edits_a_draft(self) -> None:
        letter = make_letter(self.case_a, self.alice)
        self.login(self.alice)
        url = reverse("letters:edit", args=[letter.code])
        r = self.client.get(url)
        self.assertContains(r, 'name="version" value="1"')
        self.assertContains(r, "Vi ses på torsdag klokken 14")
        r = self.client.post(url, self.data(version="1", subject="Ny tid", body=EASY))
        self.assertRedirects(r, letter.get_absolute_url(), fetch_redirect_response=False)
        letter.refresh_from_db()
        self.assertEqual((letter.subject, letter.body, letter.version), ("Ny tid", EASY, 2))
        self.assertEqual(AccessEvent.objects.filter(action=Action.UPDATE).count(), 1)

    def test_it_keeps_the_editors_text_when_someone_saved_meanwhile(self) -> None:
        """T19: an edit from version 1 after version 2 was saved is a 409 with both versions;
        the editor's text stays in the form; nothing is saved. The same text sent again is no
        conflict."""
        letter = make_letter(self.case_a, self.alice, version=2, body="Den gemte tekst.")
        self.login(self.alice)
        url = reverse("letters:edit", args=[letter.code])
        r = self.client.post(url, self.data(version="1", body="Min egen tekst."))
        self.assertEqual(r.status_code, 409)
        self.assertContains(r, "Brevet er ændret, mens du skrev", status_code=409)
        self.assertContains(r, "Den gemte tekst.", status_code=409)
        self.assertContains(r, "Min egen tekst.</textarea>", status_code=409)
        self.assertContains(r, 'name="version" value="2"', status_code=409)
        letter.refresh_from_db()
        self.assertEqual((letter.body, letter.version), ("Den gemte tekst.", 2))
        event = AccessEvent.objects.get(criterion__startswith="edit conflict")
        self.assertEqual(event.criterion, "edit conflict: version 1 is now 2")
        same = self.data(
            version="1", recipient=letter.recipient, subject=letter.subject, body=letter.body
        )
        r = self.client.post(url, same)
        self.assertRedirects(r, letter.get_absolute_url(), fetch_redirect_response=False)

    def test_it_never_changes_a_sent_letter(self) -> None:
        letter = make_letter(self.case_a, self.alice, sent=True)
        self.login(self.alice)
        url = reverse("letters:edit", args=[letter.code])
        r = self.client.get(url)
        self.assertRedirects(r, letter.get_absolute_url(), fetch_redirect_response=False)
        r = self.client.post(url, self.data(version="1", body="Ændret."))
        self.assertRedirects(r, letter.get_absolute_url(), fetch_redirect_response=False)
        letter.refresh_from_db()
        self.assertNotEqual(letter.body, "Ændret.")
        self.assertFalse(AccessEvent.objects.filter(action=Action.UPDATE).exists())

    # --- Sending ------------------------------------------------------------------------------

    def test_it_sends_a_letter_to_the_child_and_tells_the_child(self) -> None:
        access = make_child_access(self.case_a, self.alice)
        letter = make_letter(self.case_a, self.alice, body=EASY)
        self.login(self.alice)
        with mock.patch(NOTIFY) as task, self.captureOnCommitCallbacks(execute=True):
            r = self.send(letter)
        self.assertRedirects(r, letter.get_absolute_url(), fetch_redirect_response=False)
        letter.refresh_from_db()
        self.assertIsNotNone(letter.sent_at)
        self.assertEqual(
            (letter.sent_by, letter.lix, letter.hard_text_confirmed), (self.alice, 24, False)
        )
        task.enqueue.assert_called_once_with(access_id=access.pk)
        event = AccessEvent.objects.get(action=Action.UPDATE)
        self.assertEqual(event.criterion, "letter sent (LIX 24)")
        self.assertEqual((event.object_code, event.child), (str(letter.code), self.case_a.child))
        r = self.client.get(letter.get_absolute_url())
        self.assertContains(r, "Brevet er sendt til Asta.")
        self.assertContains(r, "Ikke læst af barnet endnu")
        self.assertNotContains(r, "Send brevet til Asta")
        self.assertNotContains(r, reverse("letters:edit", args=[letter.code]))

    def test_it_sends_once(self) -> None:
        letter = make_letter(self.case_a, self.alice, body=EASY)
        self.login(self.alice)
        self.send(letter)
        r = self.send(letter)
        self.assertRedirects(r, letter.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(AccessEvent.objects.filter(action=Action.UPDATE).count(), 1)

    def test_it_asks_for_the_confirmation_of_a_hard_letter_to_a_child_under_15(self) -> None:
        """LIX 83 to a 14-year-old: without the confirmation nothing is sent and the page says
        why; with it, the letter is sent and the confirmation is kept."""
        self.set_age(14)
        access = make_child_access(self.case_a, self.alice)
        letter = make_letter(self.case_a, self.alice, body=HARD)
        self.login(self.alice)
        r = self.client.get(letter.get_absolute_url())
        self.assertContains(r, "Teksten er svær for barnet")
        self.assertContains(r, "Brevet har LIX 83, og grænsen for breve til børn er 30.")
        self.assertContains(
            r, "Jeg har læst teksten igennem, og barnet får hjælp til at forstå den"
        )
        with mock.patch(NOTIFY) as task, self.captureOnCommitCallbacks(execute=True):
            r = self.send(letter)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Brevet er ikke sendt. Teksten er svær for et barn under 15 år.")
        letter.refresh_from_db()
        self.assertIsNone(letter.sent_at)
        task.enqueue.assert_not_called()
        self.assertFalse(AccessEvent.objects.filter(action=Action.UPDATE).exists())
        with mock.patch(NOTIFY) as task, self.captureOnCommitCallbacks(execute=True):
            r = self.send(letter, confirm_hard_text="on")
        self.assertRedirects(r, letter.get_absolute_url(), fetch_redirect_response=False)
        letter.refresh_from_db()
        self.assertIsNotNone(letter.sent_at)
        self.assertEqual((letter.lix, letter.hard_text_confirmed), (83, True))
        task.enqueue.assert_called_once_with(access_id=access.pk)
        event = AccessEvent.objects.get(action=Action.UPDATE)
        self.assertEqual(event.criterion, "letter sent (LIX 83, hard text confirmed)")

    def test_it_needs_no_confirmation_for_15_and_over_or_for_custody_holders(self) -> None:
        self.set_age(15)
        to_teen = make_letter(self.case_a, self.alice, body=HARD)
        self.login(self.alice)
        self.assertNotContains(self.client.get(to_teen.get_absolute_url()), "Teksten er svær")
        self.send(to_teen)
        to_teen.refresh_from_db()
        self.assertIsNotNone(to_teen.sent_at)
        self.assertFalse(to_teen.hard_text_confirmed)
        self.set_age(9)
        to_parents = make_letter(
            self.case_a, self.alice, body=HARD, audience="custody", recipient="Mette Hansen"
        )
        with mock.patch(NOTIFY) as task, self.captureOnCommitCallbacks(execute=True):
            r = self.send(to_parents)
        self.assertRedirects(r, to_parents.get_absolute_url(), fetch_redirect_response=False)
        to_parents.refresh_from_db()
        self.assertIsNotNone(to_parents.sent_at)
        task.enqueue.assert_not_called()  # custody holders' letters are not in the child channel

    def test_it_follows_the_configured_lix_limit(self) -> None:
        self.set_age(10)
        letter = make_letter(self.case_a, self.alice, body=EASY)  # LIX 24
        self.login(self.alice)
        with self.settings(CHILD_LETTER_LIX_LIMIT=20):
            r = self.send(letter)
            self.assertContains(r, "Brevet er ikke sendt.")
            letter.refresh_from_db()
            self.assertIsNone(letter.sent_at)
        with self.settings(CHILD_LETTER_LIX_LIMIT=24):  # "above the limit": 24 is not
            self.send(letter)
        letter.refresh_from_db()
        self.assertIsNotNone(letter.sent_at)

    def test_it_does_not_send_a_letter_with_brackets_left(self) -> None:
        letter = make_letter(self.case_a, self.alice, body="Vi ses [dag og dato] på [sted].")
        self.login(self.alice)
        r = self.send(letter)
        self.assertContains(
            r,
            "Brevet er ikke sendt. Udfyld først det, der står i skarpe parenteser: "
            "[dag og dato], [sted].",
        )
        letter.refresh_from_db()
        self.assertIsNone(letter.sent_at)

    def test_it_does_not_send_a_letter_changed_since_it_was_read(self) -> None:
        """T19: the send form carries the version shown; a newer version is not sent unread."""
        letter = make_letter(self.case_a, self.alice, body=EASY, version=3)
        self.login(self.alice)
        r = self.client.post(reverse("letters:send", args=[letter.code]), {"version": "2"})
        self.assertRedirects(r, letter.get_absolute_url(), fetch_redirect_response=False)
        letter.refresh_from_db()
        self.assertIsNone(letter.sent_at)
        r = self.client.get(letter.get_absolute_url())
        self.assertContains(r, "Brevet er ikke sendt: det er ændret, siden du åbnede det.")
        # A page without the version (old or altered) sends nothing either.
        r = self.client.post(reverse("letters:send", args=[letter.code]), {})
        self.assertRedirects(r, letter.get_absolute_url(), fetch_redirect_response=False)
        self.assertContains(self.client.get(letter.get_absolute_url()), "siden var for gammel")
        letter.refresh_from_db()
        self.assertIsNone(letter.sent_at)

    # --- The letter's page and the case page --------------------------------------------------

    def test_it_shows_a_draft_and_a_read_letter_with_their_state(self) -> None:
        draft = make_letter(self.case_a, self.alice, subject="Kladden", body="Din foranstaltning.")
        self.login(self.alice)
        r = self.client.get(draft.get_absolute_url())
        self.assertContains(r, "Kladde: ikke sendt")
        self.assertContains(r, "»foranstaltning«")
        self.assertContains(r, reverse("letters:pdf", args=[draft.code]))
        self.assertContains(r, reverse("letters:edit", args=[draft.code]))
        self.assertContains(r, "Send brevet til Asta")
        self.assertContains(r, "Barnet har ikke adgang til Inddrag endnu.")
        now = timezone.now()
        read = make_letter(
            self.case_a, self.alice, sent=True, lix=12, read_at=now, subject="Læst brev"
        )
        call = make_child_message(
            self.case_a, kind=ChildMessage.Kind.CALL_ME, letter=read, text="Hvad betyder det?"
        )
        r = self.client.get(read.get_absolute_url())
        self.assertContains(r, "Læst af barnet")
        self.assertContains(r, "Barnet har bedt dig ringe")
        self.assertContains(r, reverse("channel:message", args=[call.code]))
        self.assertContains(r, "Hvad betyder det?")
        events = AccessEvent.objects.filter(action=Action.READ)
        self.assertEqual([e.object_code for e in events], [str(draft.code), str(read.code)])

    def test_it_lists_the_letters_on_the_case_page_drafts_first(self) -> None:
        now = timezone.now()
        old = make_letter(
            self.case_a, self.alice, sent=True, subject="Gammelt", sent_at=now - timedelta(days=9)
        )
        new = make_letter(
            self.case_a,
            self.alice,
            sent=True,
            subject="Nyt",
            sent_at=now - timedelta(days=1),
            read_at=now,
        )
        draft = make_letter(self.case_a, self.alice, subject="Kladde til Asta")
        make_letter(self.case_a2, self.anna, subject="Aksels brev")
        make_child_message(self.case_a, kind=ChildMessage.Kind.CALL_ME, letter=old)
        with self.assertNumQueries(1):
            letters = list(letters_for_case(self.case_a))
        self.assertEqual(letters, [draft, new, old])
        self.assertEqual([letter.call_me_open for letter in letters], [False, False, True])  # type: ignore[attr-defined]
        self.login(self.alice)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, "Kladde til Asta")
        self.assertContains(r, "læst af barnet")
        self.assertContains(r, "barnet forstår det ikke og venter på, at du ringer")
        self.assertContains(r, self.create_url)
        self.assertNotContains(r, "Aksels brev")
        self.login(self.leo)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, "Kladde til Asta")
        self.assertNotContains(r, self.create_url)

    # --- Who may do what (T1, T3, T5) ---------------------------------------------------------

    def test_it_lets_the_leader_read_and_export_but_not_change(self) -> None:
        letter = make_letter(self.case_a, self.alice, body=EASY)
        self.login(self.leo)
        r = self.client.get(letter.get_absolute_url())
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "Send brevet")
        self.assertNotContains(r, reverse("letters:edit", args=[letter.code]))
        self.assertEqual(
            self.client.get(reverse("letters:pdf", args=[letter.code])).status_code, 200
        )
        for url, data in [
            (reverse("letters:send", args=[letter.code]), {"version": "1"}),
            (reverse("letters:edit", args=[letter.code]), self.data(version="1", body="Leos")),
            (self.create_url, self.data()),
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, data).status_code, 403)
        letter.refresh_from_db()
        self.assertEqual((letter.body, letter.version, letter.sent_at), (EASY, 1, None))
        self.assertEqual(Letter.objects.count(), 1)
        self.assertEqual(AccessEvent.objects.filter(action=Action.DENIED).count(), 3)
        self.assertFalse(
            AccessEvent.objects.filter(action__in=[Action.UPDATE, Action.CREATE]).exists()
        )

    def test_it_hides_a_letter_from_other_caseworkers_and_municipalities(self) -> None:
        """T1 (Bob, Sydby) and T3 (Anna, Nordby, another caseload): every letter route is a 404,
        and each attempt is logged as a denial; nothing changes."""
        letter = make_letter(self.case_a, self.alice, body=EASY)
        routes = [
            ("get", reverse("letters:detail", args=[letter.code]), {}),
            ("get", reverse("letters:pdf", args=[letter.code]), {}),
            ("get", reverse("letters:edit", args=[letter.code]), {}),
            ("post", reverse("letters:edit", args=[letter.code]), self.data(version="1")),
            ("post", reverse("letters:send", args=[letter.code]), {"version": "1"}),
            ("get", self.create_url, {}),
            ("post", self.create_url, self.data()),
        ]
        for user in (self.anna, self.bob):
            self.login(user)
            for method, url, data in routes:
                with self.subTest(user=user.username, method=method, url=url):
                    r = getattr(self.client, method)(url, data)
                    self.assertEqual(r.status_code, 404)
                    self.assertNotContains(r, EASY, status_code=404)
                    [denied] = AccessEvent.objects.filter(request_id=r["X-Request-ID"])
                    self.assertEqual((denied.action, denied.user), (Action.DENIED, user))
        letter.refresh_from_db()
        self.assertEqual((letter.version, letter.sent_at), (1, None))
        self.assertEqual(Letter.objects.count(), 1)
