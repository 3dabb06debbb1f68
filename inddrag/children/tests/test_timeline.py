from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.audit.models import AccessEvent
from inddrag.children.models import Assignment, Case, Handover, Measure
from inddrag.children.timeline import PAGE_SIZE, TimelineItem, timeline_rows
from inddrag.conversations.models import Conversation, Statement
from inddrag.decisions.models import Decision
from inddrag.test import BaseTestCase, make_conversation, make_member

# What htmx 4 sends for a filter or page link of the timeline.
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial", "HX-Target": "section#timeline"}
START = date(2024, 2, 1)  # after Case A was opened and assigned to Alice (10 January 2024)


# Rows are made directly here: the timeline reads them, whichever service writes them.
def add_conversation(case: Case, on: date, *, by: User, statements: int = 0) -> Conversation:
    conversation = Conversation.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        held_on=on,
        place="Skolen",
        created_by=by,
    )
    Statement.objects.bulk_create(
        Statement(
            municipality_id=case.municipality_id,
            conversation=conversation,
            child_id=case.child_id,
            text=f"Udsagn {n + 1}",
            said_on=on,
            position=n,
        )
        for n in range(statements)
    )
    return conversation


def add_decision(case: Case, on: date, *, by: User, **fields: Any) -> Decision:
    fields.setdefault("child_heard", True)
    return Decision.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        title=fields.pop("title", "Bevilling af støttekontaktperson"),
        decided_on=on,
        child_perspective="Barnet vil gerne have en voksen at tale med.",
        child_told_how="Ved et møde",
        created_by=by,
        **fields,
    )


def add_measure(case: Case, started_on: date, **fields: Any) -> Measure:
    fields.setdefault("kind", Measure.Kind.PREVENTIVE)
    return Measure.objects.create(
        municipality_id=case.municipality_id, case=case, started_on=started_on, **fields
    )


def add_items(case: Case, total: int, *, by: User) -> None:
    """Conversations, decisions and measures on the `total` days after START, the kinds taking
    turns (one query each); each measure has an end too, so the timeline has more items."""
    days = [START + timedelta(days=n) for n in range(total)]
    municipality = case.municipality_id
    Conversation.objects.bulk_create(
        Conversation(
            municipality_id=municipality, case=case, held_on=d, place="Hjemme", created_by=by
        )
        for d in days[0::3]
    )
    Decision.objects.bulk_create(
        Decision(
            municipality_id=municipality,
            case=case,
            title="Afgørelse",
            decided_on=d,
            child_perspective="…",
            child_told_how="Ved et møde",
            child_heard=True,
            created_by=by,
        )
        for d in days[1::3]
    )
    # Measures of two weeks: a start and (a third of the time, in the timeline) an end.
    Measure.objects.bulk_create(
        Measure(
            municipality_id=municipality,
            case=case,
            kind="preventive",
            started_on=d,
            ended_on=d + timedelta(days=14),
        )
        for d in days[2::3]
    )


def count_items(case: Case) -> int:
    return timeline_rows(case, kind="all", today=timezone.localdate()).count()


class TimelineTestCase(BaseTestCase):
    """The case page's timeline: every kind merged newest first, the kind filter, pagination,
    the htmx partial with its access event (T5), 404 for another municipality (T1), and queries
    that do not grow with the number of items (house style rule 26)."""

    def setUp(self) -> None:
        self.url = self.case_a.get_absolute_url()

    def items(self, response: Any) -> list[TimelineItem]:
        return list(response.context["items"])

    def test_it_merges_every_kind_newest_first(self) -> None:
        conversation = add_conversation(self.case_a, date(2024, 3, 1), by=self.alice, statements=2)
        decision = add_decision(self.case_a, date(2024, 4, 1), by=self.alice)
        measure = add_measure(self.case_a, date(2024, 2, 1), ended_on=date(2024, 5, 1))
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertEqual(
            [(item.kind, item.happened_on, item.obj) for item in self.items(r)],
            [
                ("measure_ended", date(2024, 5, 1), measure),
                ("decision", date(2024, 4, 1), decision),
                ("conversation", date(2024, 3, 1), conversation),
                ("measure_started", date(2024, 2, 1), measure),
                ("assignment", date(2024, 1, 10), self.case_a.assignments.get()),
            ],
        )
        link = reverse("conversations:detail", args=[conversation.code])
        self.assertContains(r, f'<a href="{link}">Børnesamtale: Skolen</a>', html=True)
        link = reverse("decisions:detail", args=[decision.code])
        self.assertContains(r, f'<a href="{link}">Afgørelse: Bevilling af støttekontaktperson</a>')
        self.assertContains(r, "2 udsagn med barnets egne ord")
        self.assertContains(r, "Indsats sluttet: Forebyggende støtte")
        self.assertContains(r, "Alice Testesen blev sagsbehandler")
        self.assertContains(r, '<time datetime="2024-04-01">1. april 2024</time>', html=True)

    def test_it_says_when_no_words_of_the_child_were_written_down(self) -> None:
        make_conversation(self.case_a, self.alice)
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Barnets egne ord er ikke skrevet ned")
        self.assertNotContains(r, "0 udsagn")

    def test_it_says_in_words_whether_the_child_was_heard(self) -> None:
        """Not by colour alone: the words say it."""
        add_decision(self.case_a, date(2024, 3, 1), by=self.alice, title="Hørt")
        add_decision(
            self.case_a,
            date(2024, 4, 1),
            by=self.alice,
            title="Ikke hørt",
            child_heard=False,
            not_heard_reason=Decision.NotHeardReason.OTHER,
            not_heard_note="<b>Barnet var på lejrskole</b>",
        )
        self.login(self.alice)
        r = self.client.get(self.url, {"kind": "decisions"})
        self.assertContains(r, "Barnet hørt")
        self.assertContains(
            r,
            '<strong class="status-warning"><span class="status-icon" aria-hidden="true"></span>'
            "Barnet ikke hørt:</strong> anden grund",
        )
        self.assertContains(r, "(&lt;b&gt;Barnet var på lejrskole&lt;/b&gt;)")

    def test_it_filters_by_kind(self) -> None:
        add_conversation(self.case_a, date(2024, 3, 1), by=self.alice)
        add_decision(self.case_a, date(2024, 4, 1), by=self.alice)
        add_measure(self.case_a, date(2024, 2, 1), ended_on=date(2024, 5, 1))
        self.login(self.alice)
        expected = {
            "all": ["measure_ended", "decision", "conversation", "measure_started", "assignment"],
            "conversations": ["conversation"],
            "decisions": ["decision"],
            "measures": ["measure_ended", "measure_started"],
            "caseworkers": ["assignment"],
            "nonsense": [
                "measure_ended",
                "decision",
                "conversation",
                "measure_started",
                "assignment",
            ],
        }
        for kind, kinds in expected.items():
            with self.subTest(kind=kind):
                r = self.client.get(self.url, {"kind": kind})
                self.assertEqual([item.kind for item in self.items(r)], kinds)
        r = self.client.get(self.url, {"kind": "decisions"})
        self.assertContains(
            r,
            f'<a href="{self.url}?kind=decisions" hx-get="{self.url}?kind=decisions"'
            ' hx-target="#timeline" hx-swap="outerHTML" hx-push-url="true"'
            ' aria-current="true">Afgørelser</a>',
            html=True,
        )

    def test_it_shows_an_empty_filter_plainly(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.url, {"kind": "decisions"})
        self.assertEqual(self.items(r), [])
        self.assertContains(r, "Der er intet af den slags i sagen endnu.")

    def test_it_shows_no_future_measure_dates(self) -> None:
        """A planned start or end is not history yet: it is under "Indsatser nu" instead."""
        add_measure(
            self.case_a, date(2024, 3, 1), ended_on=timezone.localdate() + timedelta(days=30)
        )
        add_measure(self.case_a, timezone.localdate() + timedelta(days=10))
        self.login(self.alice)
        r = self.client.get(self.url, {"kind": "measures"})
        self.assertEqual([item.kind for item in self.items(r)], ["measure_started"])

    def test_it_shows_a_handover_once(self) -> None:
        """The handover's new assignment is the handover, not a second item."""
        anton = make_member("anton", self.nordby, "caseworker", self.vest)
        at = datetime(2024, 6, 3, 9, 30, tzinfo=UTC)
        self.case_a.assignments.update(ended_at=at)
        Assignment.objects.create(
            municipality=self.nordby, case=self.case_a, caseworker=anton, started_at=at
        )
        Handover.objects.create(
            municipality=self.nordby,
            case=self.case_a,
            from_caseworker=self.alice,
            to_caseworker=anton,
            written_by=self.alice,
            child_story="Asta holder af heste.",
            handed_over_at=at,
        )
        self.login(anton)
        r = self.client.get(self.url, {"kind": "caseworkers"})
        self.assertEqual([item.kind for item in self.items(r)], ["handover", "assignment"])
        self.assertContains(r, "Sagen blev overdraget fra Alice Testesen til Anton Testesen")
        self.assertContains(r, "Alice Testesen blev sagsbehandler")
        self.assertNotContains(r, "Anton Testesen blev sagsbehandler")

    def test_it_names_only_the_new_caseworker_when_no_one_had_the_case(self) -> None:
        """A handover from no one (the caseworker had left): the item names only the new one,
        and its objects are the rows themselves, loaded with only what the timeline shows."""
        at = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
        handover = Handover.objects.create(
            municipality=self.nordby,
            case=self.case_a,
            to_caseworker=self.alice,
            written_by=self.leo,
            child_story="Asta holder af heste.",
            handed_over_at=at,
        )
        self.login(self.alice)
        r = self.client.get(self.url, {"kind": "caseworkers"})
        self.assertContains(r, "Sagen blev overdraget til Alice Testesen")
        first = self.items(r)[0]
        self.assertEqual(first.obj, handover)
        self.assertIsNone(first.obj.from_caseworker)
        self.assertEqual(first.obj.child_story, "Asta holder af heste.")  # read on access

    def test_it_paginates(self) -> None:
        # 20 conversations, 20 decisions, 20 measures started and ended, Alice's assignment.
        add_items(self.case_a, 60, by=self.alice)
        self.login(self.alice)
        seen: list[tuple[str, int]] = []
        for page, size in [(1, PAGE_SIZE), (2, PAGE_SIZE), (3, PAGE_SIZE), (4, 6)]:
            r = self.client.get(self.url, {"page": page})
            items = self.items(r)
            self.assertEqual(len(items), size)
            self.assertContains(r, f"Side {page} af 4")
            seen += [(item.kind, item.obj.pk) for item in items]
            dates = [item.happened_on for item in items]
            self.assertEqual(dates, sorted(dates, reverse=True))
        self.assertEqual(len(set(seen)), 81)  # no item twice, none left out
        self.assertEqual(seen[-1], ("assignment", self.case_a.assignments.get().pk))
        self.assertContains(r, "81 begivenheder")
        r = self.client.get(self.url, {"page": "2", "kind": "all"})
        self.assertContains(r, f'href="{self.url}?kind=all&amp;page=3"')
        self.assertContains(r, f'href="{self.url}?kind=all&amp;page=1"')
        # Filter and page together: 20 conversations are one page.
        r = self.client.get(self.url, {"kind": "conversations", "page": "1"})
        self.assertEqual(len(self.items(r)), 20)
        self.assertNotContains(r, "Side 1 af")
        # A page out of range or not a number shows the nearest page, not an error.
        self.assertContains(self.client.get(self.url, {"page": 99}), "Side 4 af 4")
        self.assertContains(self.client.get(self.url, {"page": "x"}), "Side 1 af 4")

    def test_it_gives_htmx_the_timeline_only_and_logs_the_read(self) -> None:
        """T5: the partial shows child data, so it writes its own read event."""
        add_items(self.case_a, 30, by=self.alice)  # 40 items and Alice's assignment
        self.login(self.alice)
        r = self.client.get(self.url, {"kind": "all", "page": "2"}, headers=HTMX)
        self.assertEqual(r.status_code, 200)
        content = r.content.decode()
        self.assertTrue(content.lstrip().startswith('<section id="timeline"'))
        self.assertNotIn("<html", content)
        self.assertNotIn("Barnets perspektiv", content)
        self.assertEqual(len(self.items(r)), 16)
        event = AccessEvent.objects.get(action=AccessEvent.Action.READ)
        self.assertEqual((event.user, event.child), (self.alice, self.case_a.child))
        self.assertEqual(event.object_code, str(self.case_a.code))

    def test_it_gives_htmx_the_whole_page_after_back(self) -> None:
        """htmx 4 restores history (Back) with a full-page request that has HX-Request too."""
        self.login(self.alice)
        restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
        for headers in [restore, {"HX-Request": "true", "HX-Request-Type": "full"}]:
            with self.subTest(headers=headers):
                r = self.client.get(self.url, {"kind": "decisions"}, headers=headers)
                self.assertContains(r, "<html")
                self.assertContains(r, 'id="perspective-heading"')
                self.assertContains(r, 'aria-current="true">Afgørelser</a>')

    def test_it_gives_the_leader_the_partial(self) -> None:
        self.login(self.leo)
        r = self.client.get(self.url, {"kind": "caseworkers"}, headers=HTMX)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Alice Testesen blev sagsbehandler")

    def test_it_is_404_for_another_municipality(self) -> None:
        """T1: Bob of Sydby gets 404 for the partial too, and the denial is logged."""
        add_items(self.case_a, 3, by=self.alice)
        self.login(self.bob)
        r = self.client.get(self.url, {"kind": "decisions"}, headers=HTMX)
        self.assertEqual(r.status_code, 404)
        self.assertNotContains(r, "Afgørelse", status_code=404)
        self.assertFalse(AccessEvent.objects.filter(action="read").exists())
        self.assertTrue(AccessEvent.objects.filter(action="denied", user=self.bob).exists())

    def assert_partial_queries(self, total: int, *, expected: int) -> None:
        add_items(self.case_a, total, by=self.alice)
        # Alice's assignment newest, so every kind of item is on the first page.
        self.case_a.assignments.update(started_at=datetime(2025, 6, 1, 8, 0, tzinfo=UTC))
        self.login(self.alice)
        self.client.get(self.url, headers=HTMX)
        session = self.client.session  # as if just seen: no idle-clock save in the count
        session["last_seen"] = session["auth_started"] = time.time()
        session.save()
        with self.assertNumQueries(expected):
            r = self.client.get(self.url, {"kind": "all"}, headers=HTMX)
        self.assertEqual(len(self.items(r)), min(count_items(self.case_a), PAGE_SIZE))

    # Expect 11 queries, whatever the number of items:
    #   1 session, 2 user, 3 OTP device, 4 memberships,
    #   5 the case with child, unit, municipality and due rules joined,
    #   6 SAVEPOINT, 7 lock the chain head, 8 insert the access event, 9 move the chain head,
    #   10 RELEASE SAVEPOINT,
    #   11 the page's rows with everything the items show and the count of all rows (one
    #   UNION ALL with a window count; conversations, decisions, measures and assignments are
    #   all on this page).
    PARTIAL_QUERIES = 11

    def test_it_pages_three_items_in_constant_queries(self) -> None:
        self.assert_partial_queries(3, expected=self.PARTIAL_QUERIES)

    def test_it_pages_three_hundred_items_in_the_same_queries(self) -> None:
        """House style rule 26: 300 items cost what 3 cost."""
        self.assert_partial_queries(300, expected=self.PARTIAL_QUERIES)
