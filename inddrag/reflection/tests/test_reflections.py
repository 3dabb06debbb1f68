"""Personal reflections: written after a child conversation or a meeting (offered on its page
right after saving it), private to the author unless shared with the team sessions, where the
unit's caseworkers and leader read them. T1, T3, T5, T20 and the acceptance "reflections are
visible only as their author shared them"."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.audit.models import AccessEvent
from inddrag.conversations.models import Meeting
from inddrag.municipalities.models import Membership
from inddrag.reflection.models import Reflection, ReflectionModel
from inddrag.test import (
    BaseTestCase,
    make_conversation,
    make_meeting,
    make_member,
    make_reflection,
    make_reflection_model,
    make_reflection_session,
)

Role = Membership.Role
CREATE = reverse("reflection:create")
MINE = reverse("reflection:mine")
QUESTIONS = [
    "Hvad sagde barnet, som betød mest?",
    "Hvordan sikrede jeg, at barnets perspektiv kom frem?",
    "Hvad vil jeg gøre anderledes næste gang?",
]


def post_data(*answers: str, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {f"answer_{n}": answer for n, answer in enumerate(answers)}
    data["submit_token"] = str(uuid.uuid4())
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


class ReflectionTestCase(BaseTestCase):
    vera: User
    ole: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Vera is Alice's colleague in Team Vest; Ole leads Team Øst.
        cls.vera = make_member("vera", cls.nordby, Role.CASEWORKER, cls.vest)
        cls.ole = make_member("ole", cls.nordby, Role.LEADER, cls.oest)

    def setUp(self) -> None:
        self.conversation = make_conversation(self.case_a, self.alice, "Jeg vil bo hos mor.")

    def create_url(self, **params: str) -> str:
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return f"{CREATE}?{query}" if query else CREATE

    def prime_session(self) -> None:
        """As if just seen: SessionTimeoutMiddleware saves nothing during a counted request."""
        session = self.client.session
        session["last_seen"] = session["auth_started"] = time.time()
        session.save()

    # Writing a reflection.

    def test_it_shows_the_municipalitys_personal_questions(self) -> None:
        """The default personal model (data migration) has the issue's three questions."""
        self.login(self.alice)
        r = self.client.get(self.create_url(samtale=str(self.conversation.code)))
        self.assertEqual(r.status_code, 200)
        for question in QUESTIONS:
            self.assertContains(r, question)
        self.assertContains(r, 'name="submit_token"')
        self.assertContains(r, "Del med teamets refleksionsmøder")
        self.assertNotContains(r, 'name="shared_with_team" checked')
        for word in ["1 – slet ikke", "3 – nogenlunde", "5 – rigtig godt", "Ingen vurdering"]:
            self.assertContains(r, word)
        self.assertContains(r, "Refleksion efter en børnesamtale.")
        self.assertNotContains(r, "Asta")  # the page holds no case data

    def test_it_logs_the_read_of_the_conversation_it_follows(self) -> None:
        """T5: the request touched the conversation (and, on saving, the names of the case)."""
        self.login(self.alice)
        self.client.get(self.create_url(samtale=str(self.conversation.code)))
        event = AccessEvent.objects.get(action="read")
        self.assertEqual(
            (event.user, event.child, event.object_code, event.criterion),
            (self.alice, self.case_a.child, str(self.conversation.code), "reflection"),
        )

    def test_it_saves_a_reflection_after_a_conversation(self) -> None:
        self.login(self.alice)
        data = post_data("At hun savner mor.", "Jeg spurgte åbent.", "", self_rating="4")
        r = self.client.post(self.create_url(samtale=str(self.conversation.code)), data)
        reflection = Reflection.objects.get()
        self.assertRedirects(
            r, reverse("reflection:detail", args=[reflection.code]), fetch_redirect_response=False
        )
        self.assertEqual(
            reflection.answers,
            [
                {"question": QUESTIONS[0], "answer": "At hun savner mor."},
                {"question": QUESTIONS[1], "answer": "Jeg spurgte åbent."},
                {"question": QUESTIONS[2], "answer": ""},
            ],
        )
        self.assertEqual(reflection.self_rating, 4)
        self.assertFalse(reflection.shared_with_team)
        self.assertEqual(reflection.conversation, self.conversation)
        self.assertIsNone(reflection.meeting)
        self.assertEqual(
            (reflection.author, reflection.unit, reflection.municipality),
            (self.alice, self.vest, self.nordby),
        )
        self.assertEqual(reflection.model.name, "Refleksion efter samtalen")
        event = AccessEvent.objects.get(action="create")
        self.assertEqual((event.user, event.object_type), (self.alice, "Reflection"))

    def test_it_saves_a_reflection_after_a_meeting_and_without_either(self) -> None:
        meeting = make_meeting(self.case_a, self.alice, status=Meeting.Status.HELD)
        self.login(self.alice)
        self.client.post(self.create_url(moede=str(meeting.code)), post_data("Hun lo."))
        self.client.post(CREATE, post_data("", "", "Spørge mere åbent."))
        with_meeting, alone = Reflection.objects.order_by("pk")
        self.assertEqual((with_meeting.meeting, with_meeting.conversation), (meeting, None))
        self.assertEqual((alone.meeting, alone.conversation), (None, None))
        self.assertIsNone(alone.self_rating)

    def test_it_saves_the_same_form_once(self) -> None:
        """T20: the same page sent twice (double tap, a retry) saves one reflection."""
        self.login(self.alice)
        data = post_data("Et svar.")
        first = self.client.post(CREATE, data)
        second = self.client.post(CREATE, data)
        reflection = Reflection.objects.get()
        self.assertEqual(first["Location"], second["Location"])
        self.assertEqual(first["Location"], reverse("reflection:detail", args=[reflection.code]))

    def test_it_refuses_another_users_token(self) -> None:
        """T20: a token is the page's; another user's token is a bad request, not their row."""
        self.login(self.alice)
        data = post_data("Et svar.")
        self.client.post(CREATE, data)
        self.login(self.vera)
        self.assertEqual(self.client.post(CREATE, data).status_code, 400)
        self.assertEqual(Reflection.objects.count(), 1)

    def test_it_needs_one_answer(self) -> None:
        self.login(self.alice)
        r = self.client.post(CREATE, post_data("", " ", ""))
        self.assertContains(r, "Skriv svar på mindst ét af spørgsmålene.")
        self.assertFalse(Reflection.objects.exists())

    def test_it_refuses_html_long_answers_and_a_rating_off_the_scale(self) -> None:
        self.login(self.alice)
        for data, message in [
            (post_data("<script>x</script>"), "Skriv teksten uden HTML-koder"),
            (post_data("a" * 3001), "Skriv højst 3000 tegn (du har skrevet 3001)."),
            (post_data("Et svar.", self_rating="6"), "Vælg et af svarene."),
        ]:
            with self.subTest(message=message):
                self.assertContains(self.client.post(CREATE, data), message)
        self.assertFalse(Reflection.objects.exists())

    def test_it_refuses_to_share_a_reflection_with_case_data(self) -> None:
        """Shared with the team, a reflection must not name the child, the network, or hold a
        CPR number, an address or a date; kept private, it may."""
        self.login(self.alice)
        url = self.create_url(samtale=str(self.conversation.code))
        for answer, found in [
            ("Asta sagde, at hun savner mor.", "et navn"),
            ("Hun bor på Bakkevej 12.", "en adresse"),
            ("Vi mødtes 3. maj 2026.", "en dato"),
        ]:
            with self.subTest(answer=answer):
                r = self.client.post(url, post_data(answer, shared_with_team="on"))
                self.assertContains(r, f"Teksten ser ud til at indeholde {found}.")
                self.assertContains(r, "Fjern det, før du deler refleksionen med teamet")
        self.assertFalse(Reflection.objects.exists())
        self.client.post(url, post_data("Asta sagde, at hun savner mor."))
        self.assertEqual(
            Reflection.objects.get().answers[0]["answer"], "Asta sagde, at hun savner mor."
        )
        self.client.post(url, post_data("Hun sagde, at hun savner sin mor.", shared_with_team="on"))
        self.assertTrue(Reflection.objects.get(shared_with_team=True))

    def test_it_uses_the_municipalitys_own_personal_model(self) -> None:
        make_reflection_model("personal", municipality=self.sydby)  # another municipality's
        own = ReflectionModel.objects.create(
            municipality=self.nordby, use="personal", name="Nordbys", questions=["Hvad lærte jeg?"]
        )
        self.login(self.alice)
        r = self.client.get(CREATE)
        self.assertContains(r, "Hvad lærte jeg?")
        self.assertNotContains(r, QUESTIONS[0])
        self.client.post(CREATE, post_data("At lytte."))
        self.assertEqual(Reflection.objects.get().model, own)

    def test_it_is_404_for_a_conversation_the_caseworker_may_not_see(self) -> None:
        """T1, T3: Case A2's conversation (Anna's), Sydby's and a malformed code: 404, logged."""
        other = make_conversation(self.case_a2, self.anna, "Aksels ord")
        sydby = make_conversation(self.case_b, self.bob, "Bertrams ord")
        self.login(self.alice)
        for params in [
            {"samtale": str(other.code)},
            {"samtale": str(sydby.code)},
            {"samtale": "ikke-en-kode"},
            {"moede": str(uuid.uuid4())},
        ]:
            with self.subTest(params=params):
                r = self.client.get(self.create_url(**params))
                self.assertEqual(r.status_code, 404)
                r = self.client.post(self.create_url(**params), post_data("Et svar."))
                self.assertEqual(r.status_code, 404)
        self.assertFalse(Reflection.objects.exists())
        self.assertEqual(AccessEvent.objects.filter(action="denied", user=self.alice).count(), 8)
        self.assertFalse(AccessEvent.objects.filter(action="read").exists())

    def test_it_is_403_for_a_leader(self) -> None:
        """A leader writes no personal reflection (the role policy refuses it, logged)."""
        self.login(self.leo)
        r = self.client.post(self.create_url(samtale=str(self.conversation.code)), post_data("x"))
        self.assertEqual(r.status_code, 403)
        self.assertFalse(Reflection.objects.exists())
        self.assertTrue(AccessEvent.objects.filter(action="denied", user=self.leo).exists())

    # The offer on the conversation's and the meeting's page.

    def test_it_offers_a_reflection_on_the_saved_conversation_until_one_is_written(self) -> None:
        url = self.conversation.get_absolute_url()
        link = f"{CREATE}?samtale={self.conversation.code}"
        self.login(self.alice)
        r = self.client.get(url)
        self.assertContains(r, "Vil du reflektere over samtalen?")
        self.assertContains(r, f'href="{link}"')
        make_reflection(self.alice, conversation=self.conversation)
        self.assertNotContains(self.client.get(url), "Vil du reflektere over samtalen?")
        # Vera's own reflection on it would not count for Alice, and a leader gets no offer.
        self.login(self.leo)
        self.assertNotContains(self.client.get(url), "Vil du reflektere")

    def test_it_offers_a_reflection_on_a_held_meeting(self) -> None:
        planned = make_meeting(self.case_a, self.alice)
        held = make_meeting(
            self.case_a,
            self.alice,
            status=Meeting.Status.HELD,
            starts_at=timezone.now() - timedelta(days=1),
            conversation=self.conversation,
        )
        self.login(self.alice)
        self.assertNotContains(self.client.get(planned.get_absolute_url()), "Vil du reflektere")
        r = self.client.get(held.get_absolute_url())
        self.assertContains(r, "Vil du reflektere over mødet?")
        self.assertContains(r, f'href="{CREATE}?moede={held.code}"')
        # A reflection on the meeting's child conversation counts for the meeting too.
        make_reflection(self.alice, conversation=self.conversation)
        self.assertNotContains(self.client.get(held.get_absolute_url()), "Vil du reflektere")

    def test_it_costs_the_conversation_page_one_query(self) -> None:
        """The offer is one EXISTS query on the conversation's page."""
        self.login(self.alice)
        url = self.conversation.get_absolute_url()
        self.client.get(url)
        self.prime_session()
        # session, user, OTP device, membership, conversation, statements, the offer's EXISTS;
        # the access event (savepoint, head lock, insert, head move, release).
        with self.assertNumQueries(12):
            self.client.get(url)

    # Mine, detail and edit.

    def test_it_lists_my_own_reflections_only(self) -> None:
        mine = make_reflection(self.alice, shared=True, self_rating=3)
        make_reflection(self.vera, shared=True)
        self.login(self.alice)
        r = self.client.get(MINE)
        self.assertEqual([x.pk for x in r.context["page"].object_list], [mine.pk])
        self.assertContains(r, "3 af 5")
        self.assertContains(r, "Delt med teamet")
        self.assertNotContains(r, "At hun savner")  # the list shows no answers

    def test_it_pages_my_reflections_in_a_constant_number_of_queries(self) -> None:
        """Rule 26: 2 or 25 reflections, the same queries."""
        self.login(self.alice)
        self.client.get(MINE)
        for count in [2, 23]:
            for _ in range(count):
                make_reflection(self.alice)
            self.prime_session()
            # session, user, OTP device, membership, the count, the page of reflections (with
            # their model).
            with self.assertNumQueries(6):
                r = self.client.get(MINE)
            self.assertEqual(
                len(r.context["page"].object_list), min(Reflection.objects.count(), 20)
            )
        self.assertContains(self.client.get(MINE + "?page=2"), "Side 2 af 2")

    def test_it_shows_the_empty_list(self) -> None:
        self.login(self.alice)
        self.assertContains(self.client.get(MINE), "Du har ikke skrevet nogen refleksioner endnu.")

    def test_it_shows_my_reflection_and_logs_the_read(self) -> None:
        reflection = make_reflection(self.alice, conversation=self.conversation, self_rating=5)
        self.login(self.alice)
        r = self.client.get(reverse("reflection:detail", args=[reflection.code]))
        self.assertContains(r, "At hun savner")
        self.assertContains(r, "5 af 5")
        self.assertContains(r, "Kun dig")
        self.assertContains(r, self.conversation.get_absolute_url())
        self.assertContains(r, reverse("reflection:edit", args=[reflection.code]))
        event = AccessEvent.objects.get(action="read")
        self.assertEqual(
            (event.child, event.object_code), (self.case_a.child, str(reflection.code))
        )

    def test_it_lets_the_author_change_and_share_it(self) -> None:
        reflection = make_reflection(self.alice, conversation=self.conversation)
        url = reverse("reflection:edit", args=[reflection.code])
        self.login(self.alice)
        r = self.client.get(url)
        self.assertContains(r, "At hun savner")
        self.assertNotContains(r, 'name="submit_token"')
        r = self.client.post(url, {"answer_0": "Asta savner mor.", "shared_with_team": "on"})
        self.assertContains(r, "Teksten ser ud til at indeholde et navn.")
        r = self.client.post(
            url, {"answer_0": "Hun savner sin mor.", "shared_with_team": "on", "self_rating": "2"}
        )
        self.assertRedirects(
            r, reverse("reflection:detail", args=[reflection.code]), fetch_redirect_response=False
        )
        reflection.refresh_from_db()
        self.assertEqual(reflection.answers[0]["answer"], "Hun savner sin mor.")
        self.assertEqual(reflection.answers[0]["question"], "Hvad sagde barnet, som betød mest?")
        self.assertEqual((reflection.shared_with_team, reflection.self_rating), (True, 2))
        self.assertTrue(AccessEvent.objects.filter(action="update", user=self.alice).exists())

    # Who sees a reflection: only as its author shared it.

    def test_it_shows_a_reflection_only_as_its_author_shared_it(self) -> None:
        """The acceptance: the author always; the unit's caseworkers and leader a shared one,
        only inside a team session of the unit; another unit, another municipality and
        anyone without a session: a logged 404 (T1, T3)."""
        shared = make_reflection(
            self.alice, shared=True, answers=[{"question": "Q", "answer": "DELT"}]
        )
        private = make_reflection(self.alice, answers=[{"question": "Q", "answer": "PRIVAT"}])
        vest = make_reflection_session(self.vest, self.leo)
        oest = make_reflection_session(self.oest, self.ole)
        sydby = make_reflection_session(self.syd, self.bea)

        def detail(reflection: Reflection, session: Any = None) -> int:
            url = reverse("reflection:detail", args=[reflection.code])
            if session is not None:
                url += f"?moede={session.code}"
            return self.client.get(url).status_code

        # (user, reflection, session) → status
        expected = [
            (self.alice, shared, None, 200),
            (self.alice, private, None, 200),
            (self.vera, shared, None, 404),
            (self.vera, shared, vest, 200),
            (self.vera, private, vest, 404),
            (self.vera, shared, oest, 404),
            (self.leo, shared, None, 404),
            (self.leo, shared, vest, 200),
            (self.leo, private, vest, 404),
            (self.anna, shared, vest, 404),
            (self.anna, shared, oest, 404),
            (self.ole, shared, oest, 404),
            (self.ole, shared, vest, 404),
            (self.bob, shared, sydby, 404),
            (self.bea, shared, sydby, 404),
            (self.bea, shared, vest, 404),
        ]
        for user, reflection, session, status in expected:
            with self.subTest(
                user=user.username, shared=reflection.shared_with_team, session=session
            ):
                self.login(user)
                before = AccessEvent.objects.filter(action="denied", user=user).count()
                self.assertEqual(detail(reflection, session), status)
                denied = AccessEvent.objects.filter(action="denied", user=user).count() - before
                self.assertEqual(denied, 1 if status == 404 else 0)
        # Inside the sessions: Vest's lists the shared one, never the private one.
        for user in [self.alice, self.vera, self.leo]:
            with self.subTest(user=user.username, page="vest session"):
                self.login(user)
                r = self.client.get(reverse("reflection:session_detail", args=[vest.code]))
                self.assertContains(r, "DELT")
                self.assertNotContains(r, "PRIVAT")
        for user, session in [(self.anna, oest), (self.ole, oest)]:
            with self.subTest(user=user.username, page="øst session"):
                self.login(user)
                r = self.client.get(reverse("reflection:session_detail", args=[session.code]))
                self.assertNotContains(r, "DELT")
        for user in [self.anna, self.ole, self.bob, self.bea]:
            with self.subTest(user=user.username, page="vest session from outside"):
                self.login(user)
                r = self.client.get(reverse("reflection:session_detail", args=[vest.code]))
                self.assertEqual(r.status_code, 404)
        # Nobody but the author lists or edits it.
        for user in [self.vera, self.leo]:
            with self.subTest(user=user.username, page="mine"):
                self.login(user)
                self.assertNotContains(self.client.get(MINE), "DELT")
        self.login(self.vera)
        r = self.client.post(
            reverse("reflection:edit", args=[shared.code]) + f"?moede={vest.code}",
            {"answer_0": "Ændret af Vera"},
        )
        self.assertEqual(r.status_code, 404)
        shared.refresh_from_db()
        self.assertEqual(shared.answers[0]["answer"], "DELT")

    def test_it_leaves_reflections_outside_the_sessions_window_out(self) -> None:
        """A team session shows what was shared in the three months up to its date."""
        old = make_reflection(
            self.alice, shared=True, answers=[{"question": "Q", "answer": "GAMMEL"}]
        )
        Reflection.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=200))
        make_reflection(self.alice, shared=True, answers=[{"question": "Q", "answer": "NY"}])
        session = make_reflection_session(self.vest, self.leo)
        self.login(self.leo)
        r = self.client.get(reverse("reflection:session_detail", args=[session.code]))
        self.assertContains(r, "NY")
        self.assertNotContains(r, "GAMMEL")
