from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.audit.models import AccessEvent
from inddrag.children.models import Handover, NetworkMember
from inddrag.children.tests.test_timeline import (
    add_conversation,
    add_items,
    add_measure,
    count_items,
)
from inddrag.children.timeline import PAGE_SIZE
from inddrag.conversations.models import Statement
from inddrag.decisions.models import DueRules
from inddrag.test import BaseTestCase


class CaseDetailTestCase(BaseTestCase):
    """The case page: the child's perspective first, then the facts, the network, the measures,
    the caseworkers and the timeline; who sees what (T1, T3), the access event (T5), escaped
    text, and queries that do not grow with the timeline (house style rule 26)."""

    def setUp(self) -> None:
        self.url = self.case_a.get_absolute_url()

    def add_statement(self, text: str, on: date, sharing: str = "case_file") -> Statement:
        conversation = add_conversation(self.case_a, on, by=self.alice)
        return Statement.objects.create(
            municipality=self.nordby,
            conversation=conversation,
            child=self.case_a.child,
            text=text,
            said_on=on,
            sharing=sharing,
        )

    def test_it_shows_the_case_with_masked_cpr(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Asta")
        self.assertContains(r, self.case_a.child.masked_cpr)
        self.assertNotContains(r, self.case_a.child.cpr)

    def test_it_records_the_read_in_the_access_log(self) -> None:
        """T5: the read of a child's data is logged with user, municipality and child."""
        self.login(self.alice)
        self.client.get(self.url)
        event = AccessEvent.objects.get(action=AccessEvent.Action.READ)
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.child, self.case_a.child)
        self.assertEqual(event.role, "caseworker")
        self.assertEqual(event.object_code, str(self.case_a.code))
        self.assertEqual(event.path, self.url)
        self.assertEqual(len(event.request_id), 32)

    def test_it_is_404_for_another_municipality(self) -> None:
        """T1: Bob of Sydby cannot see Nordby's case, and the denial is logged."""
        self.login(self.bob)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 404)
        self.assertFalse(AccessEvent.objects.filter(action="read").exists())
        self.assertTrue(AccessEvent.objects.filter(action="denied", user=self.bob).exists())

    def test_it_is_404_for_a_colleague_without_the_case(self) -> None:
        """T3: Anna, same municipality, other unit, has no relation to Case A."""
        self.login(self.anna)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_lets_the_unit_leader_read(self) -> None:
        self.login(self.leo)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_it_refuses_the_administrator(self) -> None:
        self.login(self.ada)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_shows_the_childs_perspective_first(self) -> None:
        self.add_statement("Jeg vil gerne bo hos mormor.", date(2024, 3, 1))
        self.login(self.alice)
        r = self.client.get(self.url)
        html = r.content.decode()
        order = [
            html.index(text)
            for text in [
                'id="perspective-heading"',
                "Jeg vil gerne bo hos mormor.",
                'id="child-heading"',
                'id="case-heading"',
                'id="network-heading"',
                'id="measures-heading"',
                'id="assignment-heading"',
                'id="timeline-heading"',
            ]
        ]
        self.assertEqual(order, sorted(order))
        self.assertLess(html.index("<h1>"), order[0])

    def test_it_quotes_the_five_newest_statements_with_date_and_conversation(self) -> None:
        for day in range(1, 8):
            self.add_statement(f"Udsagn fra dag {day}", date(2024, 3, day))
        self.login(self.alice)
        r = self.client.get(self.url)
        statements = r.context["perspective"].statements
        self.assertEqual(
            [s.text for s in statements], [f"Udsagn fra dag {day}" for day in range(7, 2, -1)]
        )
        self.assertNotContains(r, "Udsagn fra dag 2")
        self.assertContains(r, "<blockquote><p>Udsagn fra dag 7</p></blockquote>", html=True)
        conversation = statements[0].conversation
        link = reverse("conversations:detail", args=[conversation.code])
        self.assertContains(r, f'7. marts 2024 · <a href="{link}">Børnesamtale: Skolen</a>')

    def test_it_shows_the_childs_words_escaped(self) -> None:
        """T15: the child's words are text, never markup."""
        self.add_statement('<script>alert("hej")</script>\nNy linje', date(2024, 3, 1))
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertNotContains(r, '<script>alert("hej")</script>')
        self.assertContains(r, "&lt;script&gt;alert(&quot;hej&quot;)&lt;/script&gt;<br>Ny linje")

    def test_it_shows_caseworker_only_statements_only_to_the_caseworker(self) -> None:
        """The child decided who may read it: the leader is told that something is there."""
        self.add_statement("Det må kun du vide.", date(2024, 3, 2), sharing="caseworker")
        self.add_statement("Det må godt stå i sagen.", date(2024, 3, 1))
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Det må kun du vide.")
        self.assertContains(r, "Kun sagsbehandleren")
        self.assertNotContains(r, "kan kun ses af sagsbehandleren")
        self.login(self.leo)
        r = self.client.get(self.url)
        self.assertNotContains(r, "Det må kun du vide.")
        self.assertContains(r, "Det må godt stå i sagen.")
        self.assertContains(r, "1 udsagn kan kun ses af sagsbehandleren.")

    def test_it_tells_the_leader_when_every_statement_is_for_the_caseworker(self) -> None:
        self.add_statement("Hemmeligt 1", date(2024, 3, 1), sharing="caseworker")
        self.add_statement("Hemmeligt 2", date(2024, 3, 2), sharing="caseworker")
        self.login(self.leo)
        r = self.client.get(self.url)
        self.assertNotContains(r, "Hemmeligt")
        self.assertContains(r, "2 udsagn kan kun ses af sagsbehandleren.")
        self.assertNotContains(r, "Der er ikke skrevet noget")

    def test_it_shows_the_empty_perspective_with_a_way_forward(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.url)
        create = reverse("conversations:create", args=[self.case_a.code])
        self.assertContains(r, "Der er ikke skrevet noget med barnets egne ord endnu.")
        self.assertContains(
            r, f'<a href="{create}">Skriv det fra næste børnesamtale.</a>', html=True
        )
        self.login(self.leo)
        r = self.client.get(self.url)
        self.assertContains(r, "Der er ikke skrevet noget med barnets egne ord endnu.")
        self.assertNotContains(r, "Skriv det fra næste børnesamtale.")

    def test_it_gives_the_caseworker_the_actions(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.url)
        for name, label in [
            ("conversations:create", "Ny børnesamtale"),
            ("decisions:create", "Ny afgørelse"),
            ("children:network_add", "Tilføj til netværket"),
            ("children:measure_add", "Ny indsats"),
            ("children:handover", "Overdrag sagen"),
        ]:
            url = reverse(name, args=[self.case_a.code])
            self.assertContains(r, f'href="{url}"')
            self.assertContains(r, label)

    def test_it_gives_the_leader_only_the_handover(self) -> None:
        """The leader reads; she can hand the case over (e.g. when its caseworker has left)."""
        self.login(self.leo)
        r = self.client.get(self.url)
        self.assertContains(r, reverse("children:handover", args=[self.case_a.code]))
        for name in ["decisions:create", "children:network_add", "children:measure_add"]:
            self.assertNotContains(r, reverse(name, args=[self.case_a.code]))
        self.assertNotContains(r, "Ny børnesamtale")

    def test_it_shows_the_active_network_and_the_current_measures(self) -> None:
        today = timezone.localdate()
        for name, ended_on in [("Mor <Mette>", None), ("Gammel skole", today)]:
            NetworkMember.objects.create(
                municipality=self.nordby,
                child=self.case_a.child,
                kind="custody_holder" if ended_on is None else "school",
                name=name,
                relation="mor",
                ended_on=ended_on,
            )
        add_measure(self.case_a, date(2024, 2, 1), description="Støttekontaktperson")
        add_measure(self.case_a, date(2024, 2, 1), kind="foster_care", ended_on=date(2024, 5, 1))
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "<strong>Mor &lt;Mette&gt;</strong>, forældremyndighedsindehaver")
        self.assertNotContains(r, "Gammel skole")
        self.assertContains(r, "<strong>Forebyggende støtte</strong>: Støttekontaktperson")
        self.assertEqual(len(r.context["measures"]), 1)  # the placement ended: timeline only
        member, measure = r.context["network"][0], r.context["measures"][0]
        self.assertContains(
            r, reverse("children:network_edit", args=[self.case_a.code, member.code])
        )
        self.assertContains(
            r, reverse("children:measure_edit", args=[self.case_a.code, measure.code])
        )
        self.login(self.leo)  # reads only
        r = self.client.get(self.url)
        self.assertContains(r, "Mor &lt;Mette&gt;")
        self.assertNotContains(
            r, reverse("children:network_edit", args=[self.case_a.code, member.code])
        )

    def test_it_shows_the_empty_network_and_measures(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Der er ingen i barnets netværk endnu.")
        self.assertContains(r, "Barnet får ingen indsats lige nu.")
        self.assertContains(r, "Ingen skift af sagsbehandler det seneste år")

    def test_it_counts_the_caseworker_changes_of_the_last_year(self) -> None:
        now = timezone.now()
        for days_ago in [10, 200, 364, 366]:
            Handover.objects.create(
                municipality=self.nordby,
                case=self.case_a,
                from_caseworker=self.alice,
                to_caseworker=self.alice,
                written_by=self.alice,
                child_story="…",
                handed_over_at=now - timedelta(days=days_ago),
            )
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "3 skift af sagsbehandler det seneste år")

    def test_it_shows_party_rights_by_the_municipality_rule(self) -> None:
        """§ 3: party rights from the age in the municipality's due rules (default 10)."""
        self.login(self.alice)
        age = self.case_a.child.age(today=timezone.localdate())
        r = self.client.get(self.url)
        self.assertContains(r, "Ja, barnet er fyldt 10 år (barnets lov § 3)")
        DueRules.objects.create(municipality=self.nordby, party_rights_age=age + 1)
        r = self.client.get(self.url)
        self.assertContains(r, f"Nej, barnet er under {age + 1} år")

    def test_it_warns_about_a_protected_address(self) -> None:
        child = self.case_a.child
        child.has_protected_address = True
        child.save(update_fields=["has_protected_address"])
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Navne- og adressebeskyttelse")

    def test_it_reveals_the_cpr_number_and_logs_it(self) -> None:
        self.login(self.alice)
        url = reverse("children:reveal_cpr", args=[self.case_a.code])
        r = self.client.post(url)
        self.assertContains(r, f"{self.case_a.child.cpr[:6]}-{self.case_a.child.cpr[6:]}")
        self.assertContains(r, 'id="perspective-heading"')
        self.assertEqual(AccessEvent.objects.filter(action="reveal_cpr").count(), 1)
        r = self.client.post(url, headers={"HX-Request": "true"})
        self.assertTrue(r.content.decode().startswith('<span id="cpr">'))
        self.assertEqual(AccessEvent.objects.filter(action="reveal_cpr").count(), 2)

    def assert_page_queries(self, user: User, total: int, *, expected: int) -> None:
        add_items(self.case_a, total, by=self.alice)
        # Alice's assignment newest, so every kind of item is on the first page.
        self.case_a.assignments.update(started_at=datetime(2025, 6, 1, 8, 0, tzinfo=UTC))
        self.add_statement("Jeg vil gerne blive i klubben.", date(2024, 3, 1))
        self.add_statement("Kun til dig.", date(2024, 3, 2), sharing="caseworker")
        NetworkMember.objects.create(
            municipality=self.nordby, child=self.case_a.child, kind="school", name="Nordskolen"
        )
        self.login(user)
        self.client.get(self.url)
        session = self.client.session  # as if just seen: no idle-clock save in the count
        session["last_seen"] = session["auth_started"] = time.time()
        session.save()
        with self.assertNumQueries(expected):
            r = self.client.get(self.url)
        self.assertEqual(len(r.context["items"]), min(count_items(self.case_a), PAGE_SIZE))

    # Expect 21 queries for the caseworker, whatever the number of timeline items:
    #   1 session, 2 user, 3 OTP device, 4 memberships,
    #   5 the case with child (and the child's access to the child channel), unit,
    #   municipality and its due rules (party rights) joined,
    #   6 SAVEPOINT, 7 lock the chain head, 8 insert the access event, 9 move the chain head,
    #   10 RELEASE SAVEPOINT,
    #   11 the child's newest statements with their conversations,
    #   12 caseworker changes in the last year,
    #   13 the child's newest messages, 14 the meetings with preparation and feedback,
    #   15 the plan, 16 the letters, 17 the recommendations to the committee,
    #   18 the timeline's page with everything its items show and the count of all items
    #   (one UNION ALL with a window count, whatever kinds are on the page),
    #   19 the active network, 20 the current measures, 21 the assignment history.
    # The leader also gets
    #   22 the count of statements only the caseworker may read.
    CASEWORKER_PAGE_QUERIES = 21
    LEADER_PAGE_QUERIES = 22

    def test_it_shows_a_short_timeline_in_constant_queries(self) -> None:
        self.assert_page_queries(self.alice, 3, expected=self.CASEWORKER_PAGE_QUERIES)

    def test_it_shows_three_hundred_items_in_the_same_queries(self) -> None:
        """House style rule 26: 300 timeline items cost what 3 cost."""
        self.assert_page_queries(self.alice, 300, expected=self.CASEWORKER_PAGE_QUERIES)

    def test_it_shows_the_leader_a_short_timeline_in_constant_queries(self) -> None:
        self.assert_page_queries(self.leo, 3, expected=self.LEADER_PAGE_QUERIES)

    def test_it_shows_the_leader_three_hundred_items_in_the_same_queries(self) -> None:
        self.assert_page_queries(self.leo, 300, expected=self.LEADER_PAGE_QUERIES)
