from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.http.response import HttpResponseBase

from inddrag.accounts.models import User
from inddrag.audit.log import PLATFORM_CHAIN, Action, record
from inddrag.audit.models import AccessEvent, ChainHead
from inddrag.audit.verify import GENESIS, Break, verify_chains
from inddrag.test import BaseTestCase

LOG_URL = "/adgangslog/"
CASES_URL = "/sager/"
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
_append_only = importlib.import_module("inddrag.audit.migrations.0002_append_only")


@contextmanager
def append_only_triggers_off() -> Iterator[None]:
    """Switch the append-only triggers off inside the test's transaction, to play the attacker
    with database-owner rights (T6); they are switched on again before the block ends."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER USER")
            try:
                yield
            finally:
                cursor.execute("ALTER TABLE audit_accessevent ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            for statement in _append_only.SQLITE_DOWN:
                cursor.execute(statement)
            try:
                yield
            finally:
                for statement in _append_only.SQLITE_UP:
                    cursor.execute(statement)
        else:  # pragma: no cover
            raise NotImplementedError(connection.vendor)


def digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


class AccessLogTestCase(BaseTestCase):
    """T5 (every use of child data is logged in its own request), T6 (the log is append-only
    and tamper-evident, one hash chain per municipality), T7 (no whole CPR number in the log),
    and the administrator's access log page (T1: only the own municipality)."""

    def events_of(self, response: HttpResponseBase) -> list[AccessEvent]:
        """The access events written while serving `response` (by its request id)."""
        return list(AccessEvent.objects.filter(request_id=response["X-Request-ID"]).order_by("seq"))

    def only_event_of(self, response: HttpResponseBase) -> AccessEvent:
        events = self.events_of(response)
        self.assertEqual(len(events), 1, events)
        return events[0]

    def make_traffic(self) -> None:
        """Some events in both municipalities' chains."""
        for user, case in [(self.alice, self.case_a), (self.bob, self.case_b)]:
            self.login(user)
            self.client.get(CASES_URL)
            self.client.get(case.get_absolute_url())
            self.client.post(case.get_absolute_url() + "cpr/")
        self.client.logout()

    def chain_of(self, municipality_pk: int) -> list[AccessEvent]:
        return list(AccessEvent.objects.filter(chain=municipality_pk).order_by("seq"))

    # T5: every request that touches a child's data is logged in that request.

    def test_it_logs_the_case_list(self) -> None:
        """T5: showing the case list is logged with the criterion (status and page)."""
        self.login(self.alice)
        r = self.client.get(CASES_URL, {"status": "closed"})
        self.assertEqual(r.status_code, 200)
        event = self.only_event_of(r)
        self.assertEqual(event.action, Action.LIST)
        self.assertEqual(event.criterion, "cases status=closed page=1")
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.username, "alice")
        self.assertEqual(event.role, "caseworker")
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.chain, self.nordby.pk)
        self.assertIsNone(event.child_id)
        self.assertEqual(event.path, CASES_URL)
        self.assertEqual(event.ip, "127.0.0.1")
        self.assertEqual(event.occurred_at.utcoffset(), UTC.utcoffset(None))

    def test_it_logs_the_htmx_partial(self) -> None:
        """T5: the HTMX partial is a request of its own and is logged as well."""
        self.login(self.leo)
        r = self.client.get(CASES_URL, {"page": "1"}, headers={"HX-Request": "true"})
        event = self.only_event_of(r)
        self.assertEqual((event.action, event.role), (Action.LIST, "leader"))

    def test_it_logs_a_search_with_its_criterion(self) -> None:
        """T5: a search is logged as a search, with what was searched for."""
        self.login(self.alice)
        r = self.client.post(CASES_URL, {"q": "Asta", "status": "all"})
        self.assertContains(r, "1 barn fundet")
        event = self.only_event_of(r)
        self.assertEqual(event.action, Action.SEARCH)
        self.assertEqual(event.criterion, "cases status=all q=Asta page=1")

    def test_it_masks_a_cpr_number_in_the_search_criterion(self) -> None:
        """T5, T7: the search is logged, but a CPR number typed into it is never stored whole,
        however it was typed."""
        cpr = self.case_a.child.cpr
        for typed in [
            cpr,
            f"{cpr[:6]}-{cpr[6:]}",
            f"{cpr[:6]} {cpr[6:]}",
            f"{cpr[:6]}  {cpr[6:]}",
            f"{cpr[:6]}\t{cpr[6:]}",
            f"{cpr[:2]} {cpr[2:4]} {cpr[4:6]} {cpr[6:8]} {cpr[8:]}",
        ]:
            with self.subTest(typed=typed):
                self.login(self.alice)
                r = self.client.post(CASES_URL, {"q": typed})
                event = self.only_event_of(r)
                self.assertEqual(event.action, Action.SEARCH)
                self.assertIn("q=", event.criterion)
                self.assertIn("xxxx", event.criterion)
                self.assertNotIn(cpr, digits(event.criterion))
        # Nowhere in the log, in no column.
        for row in AccessEvent.objects.values():
            for column, value in row.items():
                self.assertNotIn(cpr, digits(str(value)), column)

    def test_it_logs_the_read_of_a_case(self) -> None:
        """T5: reading a case is logged with the child and the case."""
        self.login(self.leo)
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertEqual(r.status_code, 200)
        event = self.only_event_of(r)
        self.assertEqual(event.action, Action.READ)
        self.assertEqual(event.child, self.case_a.child)
        self.assertEqual(event.object_type, "Case")
        self.assertEqual(event.object_code, str(self.case_a.code))
        self.assertEqual(event.user, self.leo)

    def test_it_logs_the_cpr_reveal(self) -> None:
        """T5: showing the whole CPR number is a logged action of its own (page and HTMX)."""
        cpr = self.case_a.child.cpr
        self.login(self.alice)
        for headers in [{}, {"HX-Request": "true"}]:
            with self.subTest(headers=headers):
                r = self.client.post(self.case_a.get_absolute_url() + "cpr/", headers=headers)
                self.assertContains(r, f"{cpr[:6]}-{cpr[6:]}")
                event = self.only_event_of(r)
                self.assertEqual(event.action, Action.REVEAL_CPR)
                self.assertEqual(event.child, self.case_a.child)
                self.assertEqual(event.object_code, str(self.case_a.code))
                self.assertEqual(event.criterion, "")

    def test_it_logs_a_denied_case(self) -> None:
        """T5: a case outside the caseload is a 404, logged as a denial, and not as a read."""
        self.login(self.alice)
        for method, url in [
            ("get", self.case_a2.get_absolute_url()),
            ("post", self.case_b.get_absolute_url() + "cpr/"),
        ]:
            with self.subTest(url=url):
                r = getattr(self.client, method)(url)
                self.assertEqual(r.status_code, 404)
                event = self.only_event_of(r)
                self.assertEqual(event.action, Action.DENIED)
                self.assertEqual(event.user, self.alice)
                self.assertEqual(event.municipality, self.nordby)
                self.assertIsNone(event.child_id)
        self.assertFalse(
            AccessEvent.objects.filter(action__in=[Action.READ, Action.REVEAL_CPR]).exists()
        )

    def test_it_logs_a_denied_role(self) -> None:
        """T5: a role without access gets 403, logged as a denial naming the view."""
        self.login(self.ada)
        r = self.client.get(CASES_URL)
        self.assertEqual(r.status_code, 403)
        event = self.only_event_of(r)
        self.assertEqual(event.action, Action.DENIED)
        self.assertEqual(event.criterion, "role not allowed: children:case_list")
        self.assertEqual(event.role, "admin")

    # T6: the log cannot be changed, and a change made anyway is found.

    def test_it_refuses_to_change_or_delete_an_event_in_the_application(self) -> None:
        """T6: the model refuses save() of an existing row and delete()."""
        event = record(Action.READ, user=self.alice, municipality=self.nordby, criterion="x")
        event.criterion = "changed"
        with self.assertRaises(ValueError):
            event.save()
        with self.assertRaises(ValueError):
            event.delete()
        event.refresh_from_db()
        self.assertEqual(event.criterion, "x")

    def test_it_refuses_queryset_update_and_delete_in_the_database(self) -> None:
        """T6: QuerySet.update() and .delete() skip the model, so the triggers must refuse."""
        event = record(Action.READ, user=self.alice, municipality=self.nordby, criterion="x")
        rows = AccessEvent.objects.filter(pk=event.pk)
        with self.assertRaisesMessage(DatabaseError, "append-only"), transaction.atomic():
            rows.update(criterion="changed")
        with self.assertRaisesMessage(DatabaseError, "append-only"), transaction.atomic():
            rows.delete()
        event.refresh_from_db()
        self.assertEqual(event.criterion, "x")

    def test_it_refuses_raw_sql_update_and_delete(self) -> None:
        """T6: as the application's database role, UPDATE and DELETE on the log fail."""
        event = record(Action.READ, user=self.alice, municipality=self.nordby, criterion="x")
        statements = [
            ("UPDATE audit_accessevent SET criterion = 'changed' WHERE id = %s", "UPDATE"),
            ("DELETE FROM audit_accessevent WHERE id = %s", "DELETE"),
        ]
        for sql, operation in statements:
            with (
                self.subTest(operation=operation),
                self.assertRaisesMessage(DatabaseError, f"append-only ({operation} refused)"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [event.pk])
        if connection.vendor == "postgresql":
            with (
                self.assertRaisesMessage(DatabaseError, "append-only (TRUNCATE refused)"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute("TRUNCATE audit_accessevent")
        self.assertEqual(AccessEvent.objects.get(pk=event.pk).criterion, "x")

    def test_it_keeps_one_chain_per_municipality(self) -> None:
        """T6: each municipality's events form their own chain, seq 1..n, each row linked to the
        row before it; events outside any municipality go to chain 0."""
        self.make_traffic()
        record(Action.LOGIN_FAIL, username="ukendt")
        for municipality in [self.nordby, self.sydby]:
            with self.subTest(municipality=municipality.name):
                chain = self.chain_of(municipality.pk)
                self.assertGreaterEqual(len(chain), 4)
                self.assertEqual([e.seq for e in chain], list(range(1, len(chain) + 1)))
                self.assertEqual({e.municipality_id for e in chain}, {municipality.pk})
                self.assertEqual(
                    [e.prev_hash for e in chain], [GENESIS] + [e.hash for e in chain[:-1]]
                )
                head = ChainHead.objects.get(chain=municipality.pk)
                self.assertEqual((head.seq, head.last_hash), (len(chain), chain[-1].hash))
        platform = self.chain_of(PLATFORM_CHAIN)
        self.assertEqual([(e.seq, e.username) for e in platform], [(1, "ukendt")])

    def test_it_verifies_an_intact_log(self) -> None:
        """T6: the verifier and `manage.py verify_access_log` pass an untouched log."""
        self.make_traffic()
        total = AccessEvent.objects.count()
        self.assertEqual(verify_chains(), (total, []))
        out = StringIO()
        call_command("verify_access_log", stdout=out, stderr=StringIO())
        self.assertEqual(out.getvalue().strip(), f"OK: {total} access events, every chain intact")

    def assert_verifier_finds(self, expected: list[Break]) -> None:
        _checked, breaks = verify_chains()
        self.assertEqual(breaks, expected)
        err = StringIO()
        with self.assertRaisesMessage(CommandError, f"{len(expected)} problem(s)"):
            call_command("verify_access_log", stdout=StringIO(), stderr=err)
        self.assertEqual(err.getvalue().splitlines(), [f"BROKEN {b}" for b in expected])

    def assert_triggers_are_back(self) -> None:
        with self.assertRaisesMessage(DatabaseError, "append-only"), transaction.atomic():
            AccessEvent.objects.update(criterion="again")

    def test_it_names_the_row_whose_content_was_changed(self) -> None:
        """T6: edit one row's criterion behind the application's back; the verifier names
        exactly that chain and seq, and nothing else."""
        self.make_traffic()
        chain = self.chain_of(self.nordby.pk)
        victim = chain[len(chain) // 2]
        with append_only_triggers_off(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_accessevent SET criterion = %s WHERE id = %s",
                ["innocent", victim.pk],
            )
        self.assert_triggers_are_back()
        self.assert_verifier_finds(
            [
                Break(
                    self.nordby.pk,
                    victim.seq,
                    victim.pk,
                    "content was changed after it was written",
                )
            ]
        )

    def test_it_reports_a_deleted_middle_row_as_missing(self) -> None:
        """T6: a deleted row leaves a gap in seq, and the next row no longer links."""
        self.make_traffic()
        chain = self.chain_of(self.nordby.pk)
        index = len(chain) // 2
        victim, after = chain[index], chain[index + 1]
        with append_only_triggers_off(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_accessevent WHERE id = %s", [victim.pk])
        self.assert_triggers_are_back()
        self.assert_verifier_finds(
            [
                Break(
                    self.nordby.pk,
                    victim.seq,
                    None,
                    f"rows {victim.seq}–{victim.seq} are missing (deleted)",
                ),
                Break(self.nordby.pk, after.seq, after.pk, "does not link to the row before it"),
            ]
        )

    def test_it_reports_a_deleted_newest_row_through_the_chain_head(self) -> None:
        """T6: deleting the newest row leaves no gap; the chain head still knows it was there."""
        self.make_traffic()
        newest = self.chain_of(self.sydby.pk)[-1]
        with append_only_triggers_off(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_accessevent WHERE id = %s", [newest.pk])
        self.assert_triggers_are_back()
        self.assert_verifier_finds(
            [
                Break(
                    self.sydby.pk,
                    newest.seq,
                    None,
                    f"the newest rows after seq {newest.seq - 1} are missing (deleted)",
                )
            ]
        )

    # The administrator's access log page.

    def rows_of(self, response: Any) -> list[AccessEvent]:
        return [event for event, _name in response.context["rows"]]

    def search_log(self, user: User, data: dict[str, str]) -> Any:
        self.login(user)
        return self.client.post(LOG_URL, data)

    def test_it_shows_the_administrator_only_her_municipality(self) -> None:
        """T1: Ada sees Nordby's events, never Sydby's (Bob read Bertram's case)."""
        self.make_traffic()
        self.login(self.ada)
        nordby_events = AccessEvent.objects.filter(municipality=self.nordby).count()
        r = self.client.get(LOG_URL)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.context["page"].paginator.count, nordby_events)
        self.assertEqual({e.municipality_id for e in self.rows_of(r)}, {self.nordby.pk})
        self.assertContains(r, "Asta Fiktivsen")
        self.assertNotContains(r, "Bertram")
        self.assertNotContains(r, "<td>bob</td>", html=True)
        # And the other way round for Sydby's administrator.
        self.login(self.bo)
        r = self.client.get(LOG_URL)
        self.assertEqual({e.municipality_id for e in self.rows_of(r)}, {self.sydby.pk})
        self.assertNotContains(r, "Asta")

    def test_it_logs_the_access_log_view_as_a_search(self) -> None:
        """T5: looking at the log is itself logged."""
        self.login(self.ada)
        r = self.client.get(LOG_URL)
        event = self.only_event_of(r)
        self.assertEqual(
            (event.action, event.criterion, event.user, event.role),
            (Action.SEARCH, "access log", self.ada, "admin"),
        )

    def test_it_searches_by_username(self) -> None:
        """T1: the search by user finds the own municipality's users only."""
        self.make_traffic()
        r = self.search_log(self.ada, {"username": "ALICE"})
        rows = self.rows_of(r)
        self.assertEqual(len(rows), AccessEvent.objects.filter(username="alice").count())
        self.assertEqual({e.username for e in rows}, {"alice"})
        event = self.only_event_of(r)
        self.assertEqual(
            (event.action, event.criterion), (Action.SEARCH, "access log username=ALICE")
        )
        # Sydby's users are not found from Nordby.
        self.assertEqual(self.rows_of(self.search_log(self.ada, {"username": "bob"})), [])

    def test_it_searches_by_child_cpr(self) -> None:
        """T5/T7: the search by child is logged against the child, with the CPR masked."""
        self.make_traffic()
        child = self.case_a.child
        expected = set(AccessEvent.objects.filter(child=child).values_list("pk", flat=True))
        self.assertTrue(expected)
        r = self.search_log(self.ada, {"child": f"{child.cpr[:6]}-{child.cpr[6:]}"})
        self.assertEqual({e.pk for e in self.rows_of(r)}, expected)
        event = self.only_event_of(r)
        self.assertEqual(event.action, Action.SEARCH)
        self.assertEqual(event.child, child)
        self.assertEqual(event.criterion, f"access log child={child.cpr[:6]}-xxxx")

    def test_it_searches_by_case_reference(self) -> None:
        """T5: searching the log by case reference is logged against the child too."""
        self.make_traffic()
        child = self.case_a.child
        expected = set(AccessEvent.objects.filter(child=child).values_list("pk", flat=True))
        r = self.search_log(self.ada, {"child": self.case_a.reference.lower()})
        self.assertEqual({e.pk for e in self.rows_of(r)}, expected)
        self.assertEqual(self.only_event_of(r).child, child)

    def test_it_finds_no_child_of_another_municipality(self) -> None:
        """T1: Sydby's child, by CPR or reference, is not found from Nordby."""
        self.make_traffic()
        for value in [self.case_b.child.cpr, self.case_b.reference]:
            with self.subTest(value=value):
                r = self.search_log(self.ada, {"child": value})
                self.assertEqual(self.rows_of(r), [])
                self.assertNotContains(r, "Bertram")
                self.assertIsNone(self.only_event_of(r).child_id)

    def test_it_rejects_a_short_cpr_number(self) -> None:
        """The form explains, in Danish, what a CPR number looks like."""
        r = self.search_log(self.ada, {"child": "05231200"})
        self.assertContains(r, "Et CPR-nummer har 10 cifre.")

    def test_it_searches_by_local_date_range(self) -> None:
        """Days are Copenhagen days: 23:30 local on 2 March is in, 00:30 on 3 March is out,
        although both are 2 March in UTC."""

        def event_at(month: int, day: int, hour: int, minute: int) -> AccessEvent:
            moment = datetime(2020, month, day, hour, minute, tzinfo=COPENHAGEN)
            with time_machine.travel(moment, tick=False):
                return record(Action.READ, user=self.alice, municipality=self.nordby)

        before = event_at(2, 29, 23, 59)
        first = event_at(3, 1, 0, 0)
        last = event_at(3, 2, 23, 30)
        after = event_at(3, 3, 0, 30)
        r = self.search_log(self.ada, {"date_from": "2020-03-01", "date_to": "2020-03-02"})
        self.assertEqual({e.pk for e in self.rows_of(r)}, {first.pk, last.pk})
        self.assertNotIn(before.pk, {e.pk for e in self.rows_of(r)})
        self.assertNotIn(after.pk, {e.pk for e in self.rows_of(r)})
        self.assertEqual(
            self.only_event_of(r).criterion,
            "access log date_from=2020-03-01 date_to=2020-03-02",
        )

    def test_it_rejects_a_date_range_that_ends_before_it_starts(self) -> None:
        """The from > to error is shown in Danish on the field."""
        r = self.search_log(self.ada, {"date_from": "2020-03-02", "date_to": "2020-03-01"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Til-datoen skal være samme dag som fra-datoen eller senere.")
        self.assertFalse(r.context["form"].is_valid())

    def test_it_refuses_caseworkers_and_leaders(self) -> None:
        """T2, T5: only administrators read the log; a refusal is logged, a search is not."""
        for user in [self.alice, self.leo]:
            with self.subTest(user=user.username):
                self.login(user)
                for r in [self.client.get(LOG_URL), self.client.post(LOG_URL, {"username": "x"})]:
                    self.assertEqual(r.status_code, 403)
                    event = self.only_event_of(r)
                    self.assertEqual(event.action, Action.DENIED)
                    self.assertEqual(event.criterion, "role not allowed: audit:access_log")
        self.assertFalse(AccessEvent.objects.filter(action=Action.SEARCH).exists())
