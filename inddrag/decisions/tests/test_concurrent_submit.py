from __future__ import annotations

import threading
import uuid
from datetime import date

from django.db import close_old_connections, connection
from django.test import TransactionTestCase, skipUnlessDBFeature

from inddrag.audit.models import AccessEvent
from inddrag.decisions import services
from inddrag.decisions.models import Decision
from inddrag.municipalities.models import Membership, Unit
from inddrag.test import make_case, make_member, make_municipality

SENDS = 4


class ConcurrentSubmitTestCase(TransactionTestCase):
    """T20: the same form sent several times at once makes exactly one decision.

    Real transactions in threads, so it runs where the database has row locks (PostgreSQL);
    SQLite takes its single write lock at BEGIN IMMEDIATE, which serialises the sends anyway."""

    def _fixture_teardown(self) -> None:
        # The flush after a TransactionTestCase truncates every table, and the access log
        # refuses TRUNCATE (T6). The test database's owner lifts that one trigger for the flush.
        # (_fixture_teardown is Django's, but not in django-stubs.)
        if connection.vendor != "postgresql":
            super()._fixture_teardown()  # type: ignore[misc]
            return
        trigger = "audit_accessevent_no_truncate"
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE audit_accessevent DISABLE TRIGGER {trigger}")
        try:
            super()._fixture_teardown()  # type: ignore[misc]
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE audit_accessevent ENABLE TRIGGER {trigger}")

    @skipUnlessDBFeature("has_select_for_update")
    def test_it_makes_one_decision_for_simultaneous_sends(self) -> None:
        nordby = make_municipality("Nordby Kommune")
        vest = Unit.objects.create(municipality=nordby, name="Team Vest")
        alice = make_member("alice", nordby, Membership.Role.CASEWORKER, vest)
        membership = Membership.objects.get(user=alice)
        case = make_case(vest, alice, first_name="Asta")
        token = uuid.uuid4()
        barrier = threading.Barrier(SENDS)
        results: list[int] = []
        errors: list[BaseException] = []

        def send() -> None:
            try:
                barrier.wait()
                decision = services.record_decision(
                    case,
                    by=alice,
                    membership=membership,
                    kind="decision",
                    title="Fortsat anbringelse",
                    decided_on=date(2025, 6, 1),
                    child_perspective="»Jeg vil blive.«",
                    child_told_how="På skolen.",
                    not_heard_reason="urgency",
                    submit_token=token,
                )
                results.append(decision.pk)
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=send) for _ in range(SENDS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(Decision.objects.count(), 1)
        self.assertEqual(results, [Decision.objects.get().pk] * SENDS)
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 1)
