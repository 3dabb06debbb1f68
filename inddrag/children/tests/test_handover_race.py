from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from unittest import mock

from django.apps import apps
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.test import TransactionTestCase

from inddrag.accounts.models import User
from inddrag.children import services
from inddrag.children.models import Assignment, Case, Handover
from inddrag.municipalities.models import Membership, Unit
from inddrag.test import make_case, make_member, make_municipality

Role = Membership.Role
STORY = "Asta siger: Jeg vil gerne blive boende hos min plejefamilie, og jeg vil gå i klubben."
ROUNDS = 10


class HandoverRaceTestCase(TransactionTestCase):
    """Two handovers of one case at the same moment, committed for real, each in its own thread
    and connection (PostgreSQL, or SQLite with a file database as in production). The lock on
    the active assignment and the constraint assignment_one_active_per_case leave one active
    assignment; with the form's `seen_caseworker`, exactly one of the two wins and the other
    gets StaleHandover.

    The access log is left out (its tables refuse the DELETE and TRUNCATE that end a
    TransactionTestCase; test_handover.py checks the handover's event)."""

    available_apps = [app.name for app in apps.get_app_configs() if app.name != "inddrag.audit"]

    def setUp(self) -> None:
        database = connections["default"]
        self.assertFalse(
            isinstance(database, SQLiteWrapper) and database.is_in_memory_db(),
            "Needs a file-based SQLite test database (an in-memory one answers a second writer "
            "with 'table is locked' instead of waiting): DB_TEST_NAME must name a file",
        )
        patcher = mock.patch("inddrag.children.services.record")
        patcher.start()
        self.addCleanup(patcher.stop)
        nordby = make_municipality("Nordby Kommune")
        vest = Unit.objects.create(municipality=nordby, name="Team Vest")
        self.alice = make_member("alice", nordby, Role.CASEWORKER, vest)
        self.anna = make_member("anna", nordby, Role.CASEWORKER, vest)
        self.carl = make_member("carl", nordby, Role.CASEWORKER, vest)
        self.leo = make_member("leo", nordby, Role.LEADER, vest)
        self.case = make_case(vest, self.alice, first_name="Asta", birth_date=date(2012, 3, 5))

    def race(self, *attempts: Callable[[], object]) -> list[str]:
        """Run the attempts at once, each in its own thread; what each ended with."""
        barrier = threading.Barrier(len(attempts))
        results: list[str] = ["" for _ in attempts]

        def run(n: int) -> None:
            try:
                barrier.wait()
                attempts[n]()
                results[n] = "ok"
            except services.StaleHandover:
                results[n] = "stale"
            except Exception as error:  # reported below, so a failure says what went wrong
                results[n] = repr(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(n,)) for n in range(len(attempts))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        return results

    def hand_over(self, to: User, by: User, *, seen: User | None) -> Callable[[], object]:
        membership = Membership.objects.get(user=by)
        return lambda: services.hand_over_case(
            Case.objects.get(pk=self.case.pk),
            to_caseworker=to,
            by=by,
            membership=membership,
            child_story=STORY,
            seen_caseworker=seen.code if seen else None,
        )

    def others(self, current: User) -> list[User]:
        return [user for user in (self.alice, self.anna, self.carl) if user != current]

    def active(self) -> list[User]:
        return [
            a.caseworker for a in Assignment.objects.filter(case=self.case, ended_at__isnull=True)
        ]

    def test_it_lets_exactly_one_of_two_stale_forms_win(self) -> None:
        """Both saw Alice as the caseworker; one hands over to Anna, one to Carl."""
        current = self.alice
        for _ in range(ROUNDS):
            targets = self.others(current)
            results = self.race(*[self.hand_over(to, self.leo, seen=current) for to in targets])
            self.assertEqual(sorted(results), ["ok", "stale"])
            active = self.active()
            self.assertEqual(active, [targets[results.index("ok")]])
            current = active[0]
        self.assertEqual(Handover.objects.count(), ROUNDS)
        self.assertEqual(Assignment.objects.filter(case=self.case).count(), ROUNDS + 1)

    def test_it_never_leaves_two_active_assignments(self) -> None:
        """Without the form's check (a command, the seed), the lock and the constraint still
        serialise the two: each handover ends the assignment that was active when it ran."""
        for _ in range(ROUNDS):
            targets = self.others(self.active()[0])
            results = self.race(*[self.hand_over(to, self.leo, seen=None) for to in targets])
            self.assertIn("ok", results)
            # The loser, if the two really overlapped, was refused: never a second active one.
            # (Run one after the other, both win; the second may find its target already has
            # the case, which the service refuses as well.)
            for result in results:
                self.assertIn(result.split("(")[0], {"ok", "stale", "HandoverError"})
            self.assertEqual(len(self.active()), 1)
        assignments = list(Assignment.objects.filter(case=self.case).order_by("started_at", "pk"))
        for before, after in zip(assignments, assignments[1:], strict=False):
            self.assertEqual(before.ended_at, after.started_at)
        self.assertEqual(Handover.objects.count(), len(assignments) - 1)
