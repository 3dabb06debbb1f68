from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import time_machine
from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.children.models import Case
from inddrag.conversations.models import Conversation, MeetingFeedback, Statement
from inddrag.letters import recommendation_services as services
from inddrag.letters.models import Quote, Recommendation
from inddrag.letters.queries import recommendations_for_case
from inddrag.test import BaseTestCase, make_conversation, make_meeting, make_recommendation

CASE_FILE, PARENTS, CASEWORKER = "case_file", "parents", "caseworker"
NOT_QUOTABLE = "Det udsagn kan ikke citeres."


def add_statement(case: Case, text: str, sharing: str, said_on: date, **fields: Any) -> Statement:
    """One statement of the case's child, said on `said_on` in a conversation of its own."""
    by = case.assignments.get().caseworker
    conversation = make_conversation(case, by, text, held_on=said_on, **fields)
    statement = conversation.statements.get()
    statement.sharing = sharing
    statement.save(update_fields=["sharing"])
    return statement


def count(row: Recommendation) -> int:
    """The quote count recommendations_for_case annotates on each row."""
    return int(vars(row)["quote_count"])


def form_data(*quotes: Statement | int, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Fortsat anbringelse i plejefamilie",
        "child_perspective": "Asta vil gerne blive boende hos sin plejefamilie.",
        "involvement": "Børnesamtale på skolen 3. maj 2026 med bisidder.",
        "recommendation": "Forvaltningen indstiller, at anbringelsen fortsætter.",
        "submit_token": str(uuid.uuid4()),
        "quotes": [q if isinstance(q, int) else q.pk for q in quotes],
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


class RecommendationTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.stay = add_statement(
            self.case_a,
            "Jeg vil gerne blive boende hos Ole & Åse.",
            CASE_FILE,
            date(2026, 5, 3),
            place="Nordskolen",
        )
        self.father = add_statement(
            self.case_a, "Jeg savner min far om søndagen.", PARENTS, date(2026, 4, 2)
        )
        self.secret = add_statement(
            self.case_a, "Kun til dig: jeg er bange for far.", CASEWORKER, date(2026, 5, 4)
        )
        self.other_case = add_statement(
            self.case_a2, "Aksels ord, ikke Astas.", CASE_FILE, date(2026, 5, 1)
        )
        self.other_town = add_statement(
            self.case_b, "Bertram i Sydby.", CASE_FILE, date(2026, 5, 1)
        )
        self.create_url = reverse("letters:recommendation_create", args=[self.case_a.code])

    def snapshot(self) -> tuple[Any, ...]:
        return (
            list(
                Recommendation.objects.order_by("pk").values_list(
                    "version", "title", "child_perspective", "involvement", "recommendation"
                )
            ),
            list(Quote.objects.order_by("pk").values_list("statement_id", "position")),
        )

    def write(self, *quotes: Statement, **fields: Any) -> Recommendation:
        row = make_recommendation(self.case_a, self.alice, **fields)
        for position, statement in enumerate(quotes):
            Quote.objects.create(
                municipality=self.nordby, recommendation=row, statement=statement, position=position
            )
        return row

    def urls(self, row: Recommendation) -> dict[str, str]:
        return {
            name: reverse(f"letters:recommendation_{name}", args=[row.code])
            for name in ["detail", "edit", "pdf"]
        }

    # Writing

    def test_it_offers_the_quotable_statements_newest_first(self) -> None:
        """Only what the child agreed may stand in the case, of this child and case, newest
        first with its date and conversation. Showing the form is a logged read (T5)."""
        self.login(self.alice)
        r = self.client.get(self.create_url)
        self.assertContains(r, "Ny indstilling til Børne- og Ungeudvalget")
        offered = list(r.context["form"].fields["quotes"].queryset)
        self.assertEqual(offered, [self.stay, self.father])
        content = r.content.decode()
        self.assertLess(content.index("blive boende hos Ole &amp; Åse"), content.index("savner"))
        self.assertContains(r, "Sagt til sagsbehandleren 3. maj 2026 · børnesamtale: Nordskolen")
        self.assertContains(r, f'value="{self.stay.pk}"')
        for hidden in [self.secret, self.other_case, self.other_town]:
            self.assertNotContains(r, hidden.text)
            self.assertNotContains(r, f'name="quotes" value="{hidden.pk}"')
        self.assertContains(r, 'name="submit_token"')
        event = AccessEvent.objects.get(action="read")
        self.assertEqual(
            (event.user, event.child, event.object_code),
            (self.alice, self.case_a.child, str(self.case_a.code)),
        )

    @time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=UTC), tick=False)
    def test_it_summarises_how_the_child_was_involved(self) -> None:
        """The help for "Sådan er barnet inddraget": conversations in the last 12 months (the
        three of setUp, one with a bisidder today, one 364 days ago; not one 365 days ago), the
        latest one, and the child's latest answer after a meeting."""
        today = date(2026, 6, 1)
        make_conversation(self.case_a, self.alice, "Ja.", held_on=today, had_bisidder=True)
        make_conversation(self.case_a, self.alice, "Ja.", held_on=today - timedelta(days=364))
        make_conversation(self.case_a, self.alice, "Nej.", held_on=today - timedelta(days=365))
        make_conversation(self.case_a2, self.anna, "Aksel.", held_on=today, had_bisidder=True)
        meeting = make_meeting(self.case_a, self.alice, starts_at=timezone.now())
        MeetingFeedback.objects.create(
            municipality=self.nordby,
            meeting=meeting,
            child=self.case_a.child,
            felt_heard=4,
            understood=3,
            given_at=timezone.now(),
            submit_token=uuid.uuid4(),
        )
        summary = services.involvement_summary(self.case_a, today=today)
        self.assertEqual(
            (summary.conversations, summary.with_bisidder, summary.last_conversation_on),
            (5, 1, today),
        )
        self.login(self.alice)
        r = self.client.get(self.create_url)
        self.assertContains(r, "5 børnesamtaler de seneste 12 måneder, heraf 1 med bisidder.")
        self.assertContains(r, "Seneste børnesamtale: 1. juni 2026.")
        self.assertContains(
            r,
            "Barnets svar efter seneste møde (1. juni 2026): følte sig hørt 4 af 5, "
            "forstod hvad der blev besluttet 3 af 5.",
        )

    @time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=UTC), tick=False)
    def test_it_says_when_the_case_shows_no_involvement(self) -> None:
        """Bob's case: one conversation (setUp's); without it, nothing to quote or count."""
        url = reverse("letters:recommendation_create", args=[self.case_b.code])
        self.login(self.bob)
        r = self.client.get(url)
        self.assertContains(r, "1 børnesamtale de seneste 12 måneder.")
        Conversation.objects.filter(case=self.case_b).delete()
        summary = services.involvement_summary(self.case_b, today=date(2026, 6, 1))
        self.assertEqual((summary.conversations, summary.last_conversation_on), (0, None))
        r = self.client.get(url)
        self.assertContains(r, "0 børnesamtaler de seneste 12 måneder.")
        self.assertContains(r, "Der er ingen børnesamtale i sagen.")
        self.assertContains(r, "Der er ingen udsagn med barnets egne ord i sagen")

    def test_it_writes_a_recommendation_quoting_the_child(self) -> None:
        """T5: the creation and its access event, with the child, in the same request."""
        self.login(self.alice)
        r = self.client.post(self.create_url, form_data(self.father, self.stay))
        row = Recommendation.objects.get()
        self.assertRedirects(r, row.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(
            (row.case, row.municipality, row.created_by), (self.case_a, self.nordby, self.alice)
        )
        self.assertEqual(row.title, "Fortsat anbringelse i plejefamilie")
        self.assertEqual(row.child_perspective, "Asta vil gerne blive boende hos sin plejefamilie.")
        self.assertEqual(row.involvement, "Børnesamtale på skolen 3. maj 2026 med bisidder.")
        self.assertEqual(row.version, 1)
        # In the order they are offered: newest first.
        self.assertEqual(
            list(row.quote_rows.values_list("statement", "position")),
            [(self.stay.pk, 0), (self.father.pk, 1)],
        )
        event = AccessEvent.objects.get(action="create")
        self.assertEqual(
            (event.user, event.child, event.object_type, event.object_code, event.request_id),
            (self.alice, self.case_a.child, "Recommendation", str(row.code), r["X-Request-ID"]),
        )

    def test_it_writes_a_recommendation_without_quotes(self) -> None:
        """A child may have said nothing that may stand in the case: the perspective is still
        required, the quotes are not."""
        self.login(self.alice)
        r = self.client.post(self.create_url, form_data())
        self.assertEqual(r.status_code, 302)
        self.assertFalse(Quote.objects.exists())

    def test_it_never_quotes_what_the_child_shared_with_the_caseworker_alone(self) -> None:
        """The acceptance: a forged POST with a caseworker-only statement is a field error at
        the quotes; nothing is saved and no creation is logged."""
        self.login(self.alice)
        r = self.client.post(self.create_url, form_data(self.stay, self.secret))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, NOT_QUOTABLE)
        self.assertIn("quotes", r.context["form"].errors)
        self.assertNotContains(r, self.secret.text)
        self.assertEqual(self.snapshot(), ([], []))
        self.assertFalse(AccessEvent.objects.filter(action="create").exists())

    def test_it_never_quotes_another_childs_statements(self) -> None:
        """T1/T3: statements of another case in the municipality, another municipality, or no
        statement at all are refused like a caseworker-only one."""
        self.login(self.alice)
        for name, quote in [
            ("other case", self.other_case.pk),
            ("other municipality", self.other_town.pk),
            ("no such statement", 999999),
            ("not a number", "x"),
        ]:
            with self.subTest(name):
                data = form_data(self.stay)
                data["quotes"] = [self.stay.pk, quote]
                r = self.client.post(self.create_url, data)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, NOT_QUOTABLE)
                self.assertEqual(self.snapshot(), ([], []))

    def test_it_refuses_a_quote_whose_sharing_changed_while_the_form_was_open(self) -> None:
        """The service checks again inside its transaction: the child's choice wins, and
        nothing is written."""
        self.stay.sharing = CASEWORKER
        self.stay.save(update_fields=["sharing"])
        with self.assertRaises(services.NotQuotable):
            services.create_recommendation(
                self.case_a,
                by=self.alice,
                membership=self.alice.memberships.get(),
                title="T",
                child_perspective="P",
                involvement="I",
                recommendation="R",
                quotes=[self.father, self.stay],
            )
        self.assertEqual(self.snapshot(), ([], []))
        self.assertFalse(AccessEvent.objects.exists())

    def test_it_rejects_bad_input(self) -> None:
        """Each bad value gets a Danish message at its field; nothing is saved."""
        perspective, involvement = "child_perspective", "involvement"
        cases: list[tuple[str, str, str, str]] = [
            ("no title", "title", "", "Skriv, hvad indstillingen gælder."),
            ("no perspective", perspective, "", "Skriv barnets perspektiv."),
            ("blank perspective", perspective, "   ", "Skriv barnets perspektiv."),
            ("no involvement", involvement, "", "Skriv, hvordan barnet er inddraget."),
            ("no recommendation", "recommendation", "", "Skriv indstillingen."),
            ("long title", "title", "x" * 301, "Skriv højst 300 tegn. Du har skrevet 301."),
            ("long perspective", perspective, "x" * 10001, "Skriv højst 10000 tegn."),
            ("long involvement", involvement, "x" * 5001, "Skriv højst 5000 tegn."),
            ("long recommendation", "recommendation", "x" * 20001, "Skriv højst 20000 tegn."),
            ("html", perspective, "<script>x</script>", "HTML-koder"),
            ("html title", "title", "<b>Fed</b>", "HTML-koder"),
            ("no token", "submit_token", "", "Formularen er ikke komplet."),
        ]
        self.login(self.alice)
        for name, field, value, message in cases:
            with self.subTest(name):
                r = self.client.post(self.create_url, form_data(self.stay, **{field: value}))
                self.assertEqual(r.status_code, 200)
                self.assertIn(field, r.context["form"].errors)
                self.assertContains(r, message)
                self.assertNotContains(r, "<script>x")
                self.assertEqual(self.snapshot(), ([], []))
        self.assertFalse(AccessEvent.objects.filter(action="create").exists())

    def test_it_writes_one_recommendation_for_a_double_submit(self) -> None:
        """T20: the same page sent twice writes one recommendation; both answers lead to it."""
        self.login(self.alice)
        data = form_data(self.stay)
        first = self.client.post(self.create_url, data)
        second = self.client.post(self.create_url, data)
        row = Recommendation.objects.get()
        for r in [first, second]:
            self.assertRedirects(r, row.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(Quote.objects.count(), 1)
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 1)

    def test_it_refuses_a_token_from_another_case(self) -> None:
        """T20: a token already used in another case is tampering: 400, nothing written."""
        other = make_recommendation(self.case_a2, self.anna, submit_token=uuid.uuid4())
        self.login(self.alice)
        r = self.client.post(self.create_url, form_data(submit_token=str(other.submit_token)))
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Recommendation.objects.count(), 1)

    # Reading

    def test_it_shows_the_childs_perspective_first(self) -> None:
        """The title, then "Barnets perspektiv" with the quotes as blockquotes and their
        dates, then how the child was involved, then the recommendation; a logged read."""
        row = self.write(self.stay, self.father, recommendation="Vi indstiller, at hun bliver.")
        self.login(self.alice)
        r = self.client.get(self.urls(row)["detail"])
        self.assertContains(
            r, '<h1 class="recommendation-title">Fortsat støttekontaktperson</h1>', html=True
        )
        self.assertContains(r, "<p>»Jeg vil gerne blive boende hos Ole &amp; Åse.«</p>", html=True)
        self.assertContains(r, "Sagt til sagsbehandleren 3. maj 2026")
        self.assertContains(r, "Sagt til sagsbehandleren 2. april 2026")
        content = r.content.decode()
        order = [
            content.index("Fortsat støttekontaktperson</h1>"),
            content.index("Barnets perspektiv</h2>"),
            content.index("Barnet vil gerne beholde sin støttekontaktperson."),
            content.index("»Jeg vil gerne blive boende"),
            content.index("»Jeg savner min far"),
            content.index("Sådan er barnet inddraget</h2>"),
            content.index("Børnesamtale på skolen med bisidder."),
            content.index("Indstilling</h2>"),
            content.index("Vi indstiller, at hun bliver."),
        ]
        self.assertEqual(order, sorted(order))
        self.assertContains(r, f'href="{self.urls(row)["pdf"]}"')
        self.assertContains(r, f'href="{self.urls(row)["edit"]}"')
        event = AccessEvent.objects.get(action="read")
        self.assertEqual(
            (event.user, event.child, event.object_code),
            (self.alice, self.case_a.child, str(row.code)),
        )

    def test_it_hides_a_quote_the_child_later_shared_with_the_caseworker_alone(self) -> None:
        """The sharing is enforced when read too: after the child's choice changes, the quote
        is gone from the page, the case page's count, the leader's view and the edit form."""
        row = self.write(self.stay, self.father)
        self.father.sharing = CASEWORKER
        self.father.save(update_fields=["sharing"])
        self.login(self.alice)
        r = self.client.get(self.urls(row)["detail"])
        self.assertContains(r, "Jeg vil gerne blive boende")
        self.assertNotContains(r, "savner min far")
        self.assertContains(r, "1 citat vises ikke længere")
        self.assertEqual(
            [vars(r)["quote_count"] for r in recommendations_for_case(self.case_a)], [1]
        )
        r = self.client.get(self.urls(row)["edit"])
        self.assertNotContains(r, "savner min far")
        self.assertContains(r, "1 citat er taget ud")
        self.assertEqual(r.context["form"].initial["quotes"], [self.stay.pk])
        self.login(self.leo)
        r = self.client.get(self.urls(row)["detail"])
        self.assertNotContains(r, "savner min far")
        self.assertNotContains(r, "vises ikke længere")

    def test_it_lists_the_recommendations_on_the_case_page(self) -> None:
        """Title, date and the number of the child's statements quoted; "Ny indstilling" for
        the caseworker only."""
        self.write(self.stay, self.father, title="Første indstilling")
        self.write(title="Anden indstilling")
        self.login(self.alice)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, "Indstillinger til udvalget")
        self.assertContains(r, "Første indstilling</a>")
        self.assertContains(r, "citerer 2 af barnets udsagn")
        self.assertContains(r, "citerer ikke barnets egne ord")
        self.assertContains(r, f'href="{self.create_url}"')
        self.login(self.leo)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, "Første indstilling</a>")
        self.assertNotContains(r, f'href="{self.create_url}"')

    def test_it_says_so_when_there_are_none(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, "Der er ingen indstillinger til Børne- og Ungeudvalget i sagen.")
        self.assertContains(r, "Ny indstilling")

    def test_it_lists_them_in_one_query(self) -> None:
        """Several recommendations with several quotes: the list and its counts are one query
        (the recommendations with a COUNT of their quotable quotes, grouped)."""
        for n in range(4):
            self.write(self.stay, self.father, title=f"Indstilling {n}")
        with self.assertNumQueries(1):
            # The count is an annotation, set on each row by the one query.
            rows = [(r.title, count(r)) for r in recommendations_for_case(self.case_a)]
        self.assertEqual(len(rows), 4)
        self.assertEqual({n for _title, n in rows}, {2})

    # Editing

    def test_it_saves_a_new_version(self) -> None:
        """The quotes are replaced as a set, the version goes up, the update is logged (T5)."""
        row = self.write(self.stay)
        self.login(self.alice)
        r = self.client.get(self.urls(row)["edit"])
        self.assertContains(r, 'name="version" value="1"')
        self.assertContains(r, f'value="{self.stay.pk}"')
        data = form_data(self.father, version="1", child_perspective="Ny tekst.")
        r = self.client.post(self.urls(row)["edit"], data)
        self.assertRedirects(r, row.get_absolute_url(), fetch_redirect_response=False)
        row.refresh_from_db()
        self.assertEqual((row.version, row.child_perspective), (2, "Ny tekst."))
        self.assertEqual(list(row.quote_rows.values_list("statement", flat=True)), [self.father.pk])
        event = AccessEvent.objects.get(action="update")
        self.assertEqual((event.child, event.object_code), (self.case_a.child, str(row.code)))

    def test_it_refuses_a_forged_quote_when_editing(self) -> None:
        row = self.write(self.stay)
        before = self.snapshot()
        self.login(self.alice)
        r = self.client.post(self.urls(row)["edit"], form_data(self.secret, version="1"))
        self.assertContains(r, NOT_QUOTABLE)
        self.assertEqual(self.snapshot(), before)
        self.assertFalse(AccessEvent.objects.filter(action="update").exists())

    def test_it_shows_a_conflict_for_a_stale_version(self) -> None:
        """T19: someone saved since this editor loaded version 1. Nothing of theirs is saved;
        they get 409 with the saved version next to their own text, which stays in the form
        with the saved version's number, so saving again overwrites knowingly."""
        row = self.write(self.stay)
        self.login(self.alice)
        self.client.post(
            self.urls(row)["edit"], form_data(self.stay, version="1", title="Den gemte udgave")
        )
        before = self.snapshot()
        mine = form_data(self.father, version="1", child_perspective="Min egen <3 tekst.")
        r = self.client.post(self.urls(row)["edit"], mine)
        self.assertEqual(r.status_code, 409)
        self.assertEqual(self.snapshot(), before)
        self.assertContains(r, "Indstillingen er ændret, mens du skrev", status_code=409)
        self.assertContains(r, "Den gemte udgave", status_code=409)
        self.assertContains(r, "\nMin egen &lt;3 tekst.</textarea>", status_code=409)
        self.assertContains(r, 'name="version" value="2"', status_code=409)
        self.assertContains(r, "Gem min udgave alligevel", status_code=409)
        event = AccessEvent.objects.filter(action="read").latest("seq")
        self.assertEqual(event.criterion, "edit conflict: version 1 is now 2")
        # Sent again from the conflict page, the editor's text is saved as version 3.
        resend = {key: r.context["form"].data.getlist(key) for key in r.context["form"].data}
        r = self.client.post(self.urls(row)["edit"], resend)
        self.assertEqual(r.status_code, 302)
        row.refresh_from_db()
        self.assertEqual((row.version, row.child_perspective), (3, "Min egen <3 tekst."))
        self.assertEqual(list(row.quote_rows.values_list("statement", flat=True)), [self.father.pk])

    def test_it_takes_the_same_edit_sent_twice_as_one_save(self) -> None:
        """T20: a double click on "Gem indstillingen" saves once, and is no conflict."""
        row = self.write(self.stay)
        self.login(self.alice)
        data = form_data(self.father, version="1", title="Ændret")
        for _n in range(2):
            r = self.client.post(self.urls(row)["edit"], data)
            self.assertRedirects(r, row.get_absolute_url(), fetch_redirect_response=False)
        row.refresh_from_db()
        self.assertEqual(row.version, 2)
        self.assertEqual(AccessEvent.objects.filter(action="update").count(), 1)

    # Access

    def test_it_lets_the_leader_read_but_not_write(self) -> None:
        """T2: Leo reads the recommendation (a logged read); every POST, and the forms, are a
        logged 403 with nothing changed."""
        row = self.write(self.stay)
        before = self.snapshot()
        self.login(self.leo)
        r = self.client.get(self.urls(row)["detail"])
        self.assertContains(r, "Jeg vil gerne blive boende")
        self.assertNotContains(r, f'href="{self.urls(row)["edit"]}"')
        self.assertEqual(AccessEvent.objects.filter(action="read", user=self.leo).count(), 1)
        for method, url, data in [
            ("post", self.urls(row)["edit"], form_data(version="1", title="Leo var her")),
            ("post", self.create_url, form_data(title="Leo var her")),
            ("get", self.urls(row)["edit"], {}),
            ("get", self.create_url, {}),
        ]:
            with self.subTest(method=method, url=url):
                denied = AccessEvent.objects.filter(action="denied").count()
                r = getattr(self.client, method)(url, data)
                self.assertEqual(r.status_code, 403)
                self.assertEqual(AccessEvent.objects.filter(action="denied").count(), denied + 1)
                self.assertEqual(self.snapshot(), before)

    def test_it_is_404_for_outsiders(self) -> None:
        """T1, T3: Anna (same municipality, not her case) and Bob (Sydby) get 404 on every
        route, nothing changes, and each attempt is a logged denial."""
        row = self.write(self.stay)
        before = self.snapshot()
        for user in [self.anna, self.bob]:
            self.login(user)
            for method, url, data in [
                ("get", self.urls(row)["detail"], {}),
                ("get", self.urls(row)["pdf"], {}),
                ("get", self.urls(row)["edit"], {}),
                ("post", self.urls(row)["edit"], form_data(version="1", title="Var her")),
                ("get", self.create_url, {}),
                ("post", self.create_url, form_data(title="Var her")),
            ]:
                with self.subTest(user=user.username, method=method, url=url):
                    denied = AccessEvent.objects.filter(action="denied", user=user).count()
                    r = getattr(self.client, method)(url, data)
                    self.assertEqual(r.status_code, 404)
                    after = AccessEvent.objects.filter(action="denied", user=user).count()
                    self.assertEqual(after, denied + 1)
                    self.assertEqual(self.snapshot(), before)
        # Nothing but the denials (and the sign-ins): no read, change or export of the child.
        self.assertFalse(AccessEvent.objects.exclude(action__in=["denied", "login_ok"]).exists())
