from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.audit.models import AccessEvent
from inddrag.children import services
from inddrag.children.models import Assignment, Handover
from inddrag.children.queries import handovers_per_year
from inddrag.municipalities.models import Membership
from inddrag.test import BaseTestCase, make_member

STORY = (
    'Asta siger: "Jeg vil gerne blive i klubben om tirsdagen. Det er svært, når mor er syg, '
    'og jeg vil ikke tale om far, når andre hører det."'
)


class HandoverTestCase(BaseTestCase):
    """Item 6 of issue 4: the case changes caseworker with the child's story in the child's
    words. Carl is a second caseworker in Team Vest; Lea leads Team Øst."""

    carl: User
    lea: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.carl = make_member("carl", cls.nordby, Membership.Role.CASEWORKER, cls.vest)
        cls.lea = make_member("lea", cls.nordby, Membership.Role.LEADER, cls.oest)

    def setUp(self) -> None:
        self.url = reverse("children:handover", args=[self.case_a.code])

    def membership(self, user: User) -> Membership:
        return Membership.objects.get(user=user)

    def data(self, to: User, **fields: str) -> dict[str, str]:
        return {
            "to_caseworker": str(self.membership(to).code),
            "child_story": STORY,
            "current": str(self.alice.code),
            **fields,
        }

    def assignments(self) -> list[tuple[Any, ...]]:
        return list(Assignment.objects.order_by("pk").values_list("case", "caseworker", "ended_at"))

    def assert_nothing_changed(self, before: list[tuple[Any, ...]]) -> None:
        self.assertEqual(self.assignments(), before)
        self.assertFalse(Handover.objects.exists())
        self.assertFalse(AccessEvent.objects.filter(action="update").exists())

    def test_it_offers_the_municipalitys_other_caseworkers(self) -> None:
        """The select lists active caseworkers of Nordby only, not the current one, and the
        read of the form is logged (T5)."""
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Overdrag sagen om Asta")
        options = {str(m.code): m.user for m in r.context["form"].fields["to_caseworker"].queryset}
        self.assertEqual(set(options.values()), {self.anna, self.carl})
        self.assertContains(r, f'<option value="{self.membership(self.anna).code}">')
        self.assertContains(r, "Anna Testesen, Team Øst")
        self.assertContains(r, f'value="{self.alice.code}"')  # the caseworker seen as current
        event = AccessEvent.objects.get(action="read")
        self.assertEqual((event.user, event.child), (self.alice, self.case_a.child))

    def test_it_leaves_out_caseworkers_who_have_left(self) -> None:
        self.carl.is_active = False
        self.carl.save()
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertNotIn(
            self.carl, [m.user for m in r.context["form"].fields["to_caseworker"].queryset]
        )

    def test_it_hands_the_case_over(self) -> None:
        """The assignment moves, the history stays, the story is kept, the outgoing caseworker
        no longer sees the case and the new one does (T3); one update event (T5)."""
        self.login(self.alice)
        r = self.client.post(self.url, self.data(self.carl), follow=True)
        self.assertRedirects(r, reverse("children:case_list"))
        self.assertContains(r, "Sagen er overdraget til Carl Testesen.")
        old, new = self.case_a.assignments.order_by("started_at", "pk")
        self.assertEqual((old.caseworker, new.caseworker), (self.alice, self.carl))
        self.assertIsNotNone(old.ended_at)
        self.assertIsNone(new.ended_at)
        self.assertEqual(old.ended_at, new.started_at)
        handover = Handover.objects.get()
        self.assertEqual(
            (handover.case, handover.municipality, handover.from_caseworker),
            (self.case_a, self.nordby, self.alice),
        )
        self.assertEqual((handover.to_caseworker, handover.written_by), (self.carl, self.alice))
        self.assertEqual(handover.child_story, STORY)
        self.assertEqual(handover.handed_over_at, new.started_at)
        self.assertEqual(handover.child_message, "")
        event = AccessEvent.objects.get(action="update")
        self.assertEqual(
            (event.user, event.child, event.object_type, event.object_code),
            (self.alice, self.case_a.child, "Handover", str(handover.code)),
        )
        self.assertEqual(self.client.get(self.case_a.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.login(self.carl)
        self.assertEqual(self.client.get(self.case_a.get_absolute_url()).status_code, 200)
        self.assertEqual(handovers_per_year(self.case_a, today=timezone.localdate()), 1)

    def test_it_refuses_a_second_submit_by_the_outgoing_caseworker(self) -> None:
        """Sent twice: the second finds a case that is no longer hers (404)."""
        self.login(self.alice)
        self.client.post(self.url, self.data(self.carl))
        r = self.client.post(self.url, self.data(self.anna))
        self.assertEqual(r.status_code, 404)
        self.assertEqual(Handover.objects.count(), 1)
        self.assertEqual(self.case_a.assignments.get(ended_at__isnull=True).caseworker, self.carl)

    def test_it_lets_the_unit_leader_hand_over(self) -> None:
        """The one write a leader makes: Leo hands over Alice's case for her (T2)."""
        self.login(self.leo)
        r = self.client.get(self.url)
        self.assertContains(r, "Alice Testesen")
        r = self.client.post(self.url, self.data(self.anna))
        self.assertRedirects(r, self.case_a.get_absolute_url(), fetch_redirect_response=False)
        handover = Handover.objects.get()
        self.assertEqual(
            (handover.from_caseworker, handover.to_caseworker, handover.written_by),
            (self.alice, self.anna, self.leo),
        )
        self.assertEqual(AccessEvent.objects.get(action="update").user, self.leo)
        self.assertEqual(self.client.get(self.case_a.get_absolute_url()).status_code, 200)
        self.login(self.alice)
        self.assertEqual(self.client.get(self.case_a.get_absolute_url()).status_code, 404)

    def test_it_lets_the_leader_assign_a_case_nobody_has(self) -> None:
        """When the caseworker's assignment has already ended, the leader gives the case on."""
        Assignment.objects.filter(case=self.case_a).update(
            ended_at=datetime(2025, 1, 1, tzinfo=UTC)
        )
        self.login(self.leo)
        r = self.client.get(self.url)
        self.assertContains(r, f'value="{services.NIL}"')
        r = self.client.post(self.url, self.data(self.carl, current=str(services.NIL)))
        self.assertEqual(r.status_code, 302)
        handover = Handover.objects.get()
        self.assertEqual((handover.from_caseworker, handover.to_caseworker), (None, self.carl))

    def assert_refused(self, case_url: str, status: int) -> None:
        before = self.assignments()
        for method in ["get", "post"]:
            with self.subTest(url=case_url, method=method):
                data = self.data(self.carl) if method == "post" else None
                r = getattr(self.client, method)(case_url, data)
                self.assertEqual(r.status_code, status)
                self.assertNotContains(r, "Bertram", status_code=status)
                self.assertNotContains(r, "Asta", status_code=status)
                denials = AccessEvent.objects.filter(request_id=r["X-Request-ID"], action="denied")
                self.assertEqual(denials.count(), 1)
        self.assert_nothing_changed(before)
        self.assertFalse(AccessEvent.objects.filter(action="read").exists())

    def test_it_is_404_for_another_municipality(self) -> None:
        """T1: Bob and Bea of Sydby cannot hand over Nordby's case, nor Alice Sydby's."""
        for user in [self.bob, self.bea]:
            self.login(user)
            self.assert_refused(self.url, 404)
        self.login(self.alice)
        self.assert_refused(reverse("children:handover", args=[self.case_b.code]), 404)

    def test_it_is_404_for_another_units_leader_and_caseworker(self) -> None:
        """T3: Lea leads Team Øst and Anna works there: Case A in Team Vest is not theirs."""
        for user in [self.lea, self.anna]:
            self.login(user)
            self.assert_refused(self.url, 404)

    def test_it_is_403_for_the_administrator(self) -> None:
        """T2: Ada administers users; she does not move cases."""
        self.login(self.ada)
        self.assert_refused(self.url, 403)

    def test_it_rejects_bad_input_and_changes_nothing(self) -> None:
        """T13, T15: a missing or short story, markup, and any new caseworker who is not a
        current caseworker colleague in Nordby (a Sydby user, a leader, the current one, not a
        code at all) give a field message, never a 500, and change nothing."""
        codes = {user: str(self.membership(user).code) for user in [self.bob, self.leo, self.alice]}
        cases = [
            ({"child_story": ""}, "Skriv barnets historie til den nye sagsbehandler."),
            ({"child_story": "   \n  "}, "Skriv barnets historie til den nye sagsbehandler."),
            ({"child_story": "Hun er glad."}, "Skriv mindst 20 tegn (du har skrevet 12)."),
            ({"child_story": "x" * 5001}, "Skriv højst 5000 tegn"),
            ({"child_story": "<script>alert(1)</script> siger barnet"}, "uden HTML-koder"),
            ({"to_caseworker": ""}, "Vælg den kollega, der overtager sagen."),
            ({"to_caseworker": codes[self.bob]}, "Vælg en af kollegerne på listen."),
            ({"to_caseworker": str(self.bob.code)}, "Vælg en af kollegerne på listen."),
            ({"to_caseworker": codes[self.leo]}, "Vælg en af kollegerne på listen."),
            ({"to_caseworker": codes[self.alice]}, "Vælg en af kollegerne på listen."),
            ({"to_caseworker": str(uuid.uuid4())}, "Vælg en af kollegerne på listen."),
            ({"to_caseworker": "1"}, "Vælg en af kollegerne på listen."),
            ({"to_caseworker": "<script>alert(1)</script>"}, "Vælg en af kollegerne på listen."),
            ({"current": "nope"}, "Siden mangler en oplysning. Hent siden igen"),
            ({"current": ""}, "Siden mangler en oplysning. Hent siden igen"),
        ]
        self.login(self.alice)
        before = self.assignments()
        for change, message in cases:
            with self.subTest(change=change):
                r = self.client.post(self.url, self.data(self.carl, **change))
                self.assertContains(r, message)
                self.assertNotContains(r, "<script>alert")
        self.assert_nothing_changed(before)

    def test_it_keeps_the_story_when_the_form_is_stale(self) -> None:
        """Leo's form still shows Alice; Alice hands over to Anna meanwhile. Leo's submit is a
        conflict with a clear message; his text is kept; Anna keeps the case."""
        self.login(self.leo)
        self.assertContains(self.client.get(self.url), f'value="{self.alice.code}"')
        services.hand_over_case(
            self.case_a,
            to_caseworker=self.anna,
            by=self.alice,
            membership=self.membership(self.alice),
            child_story=STORY,
        )
        story = "Asta fortalte mig i går, at hun glæder sig til at møde en ny."
        r = self.client.post(self.url, self.data(self.carl, child_story=story))
        self.assertContains(r, "Sagen er blevet overdraget, mens du skrev", status_code=409)
        self.assertContains(r, story, status_code=409)
        self.assertContains(r, f'value="{self.anna.code}"', status_code=409)  # seen now: Anna
        self.assertEqual(Handover.objects.count(), 1)
        active = Assignment.objects.filter(case=self.case_a, ended_at__isnull=True)
        self.assertEqual([a.caseworker for a in active], [self.anna])
        self.assertEqual(AccessEvent.objects.filter(action="update").count(), 1)

    def test_it_refuses_what_the_form_would_refuse_in_the_service(self) -> None:
        """The service holds its own rules, for callers other than the form."""
        alice = self.membership(self.alice)
        before = self.assignments()
        attempts: list[dict[str, Any]] = [
            {"to_caseworker": self.leo, "by": self.alice, "membership": alice},
            {"to_caseworker": self.bob, "by": self.alice, "membership": alice},
            {
                "to_caseworker": self.carl,
                "by": self.alice,
                "membership": alice,
                "child_story": "Kort",
            },
            {"to_caseworker": self.alice, "by": self.alice, "membership": alice},
            {"to_caseworker": self.carl, "by": self.lea, "membership": self.membership(self.lea)},
            {"to_caseworker": self.carl, "by": self.ada, "membership": self.membership(self.ada)},
            {"to_caseworker": self.carl, "by": self.anna, "membership": self.membership(self.anna)},
        ]
        for kwargs in attempts:
            with self.subTest(kwargs=kwargs), self.assertRaises(services.HandoverError):
                services.hand_over_case(self.case_a, **{"child_story": STORY, **kwargs})
        self.assert_nothing_changed(before)

    def test_it_counts_the_caseworker_changes_of_the_last_365_days(self) -> None:
        """handovers_per_year: handovers on the 365 days ending with today (local dates)."""
        today = date(2026, 3, 1)
        for when in [
            datetime(2025, 3, 1, 22, 59, tzinfo=UTC),  # 1 March 2025, 23:59 in Copenhagen
            datetime(2025, 3, 1, 23, 0, tzinfo=UTC),  # 2 March 2025 00:00 local: counted
            datetime(2025, 9, 1, 8, 0, tzinfo=UTC),
            datetime(2026, 3, 1, 22, 59, tzinfo=UTC),  # the last minute of today
            datetime(2026, 3, 1, 23, 0, tzinfo=UTC),  # tomorrow already
        ]:
            Handover.objects.create(
                municipality=self.nordby,
                case=self.case_a,
                from_caseworker=self.alice,
                to_caseworker=self.carl,
                written_by=self.alice,
                child_story=STORY,
                handed_over_at=when,
            )
        self.assertEqual(handovers_per_year(self.case_a, today=today), 3)
        self.assertEqual(handovers_per_year(self.case_a2, today=today), 0)
        with self.assertNumQueries(1):
            handovers_per_year(self.case_a, today=today + timedelta(days=1))

    def prime_session(self) -> None:
        """As if just seen: SessionTimeoutMiddleware saves the idle clock at most once a
        minute, and that save is not what is counted here."""
        session = self.client.session
        session["last_seen"] = session["auth_started"] = time.time()
        session.save()

    def test_it_runs_a_constant_number_of_queries(self) -> None:
        """Rule 26: the form costs the same with 2 or 12 colleagues to choose from."""
        self.login(self.leo)
        for extra in [0, 10]:
            for n in range(extra):
                make_member(f"kollega{n}", self.nordby, Membership.Role.CASEWORKER, self.oest)
            self.prime_session()
            # Expect 12 queries: 1 session, 2 user, 3 second factor, 4 memberships, 5 the case
            # (with child, unit, municipality), 6 its active assignment with the caseworker,
            # 7 SAVEPOINT, 8 lock the chain head, 9 insert the read event, 10 move the head,
            # 11 RELEASE SAVEPOINT, 12 the colleagues (with user and unit) for the select.
            with self.assertNumQueries(12):
                r = self.client.get(self.url)
            self.assertEqual(len(r.context["form"].fields["to_caseworker"].queryset), 2 + extra)
