"""T19 and T20 with real concurrency: threads, each with its own database connection, started
together by a barrier, against committed data (so a TransactionTestCase).

On SQLite this needs a test database in a file (the settings make one per process): connections
to an in-memory database share one cache with table locks that fail at once instead of waiting."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import date
from importlib import import_module
from typing import Any

from django.db import connection, connections
from django.test import TransactionTestCase

from inddrag.audit.models import AccessEvent
from inddrag.conversations import services
from inddrag.conversations.models import Conversation, Statement
from inddrag.municipalities.models import Membership, Unit
from inddrag.test import make_case, make_member, make_municipality

ROUNDS = 20


def _append_only_triggers(*, on: bool) -> None:
    append_only = import_module("inddrag.audit.migrations.0002_append_only")
    with connection.schema_editor(atomic=True) as editor:
        append_only.down(None, editor)
        if on:
            append_only.up(None, editor)


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released at the same moment; each result, or the exception
    it raised. Every thread closes its own database connection when it is done."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # reported to the test as its result
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


class ConcurrentWritesTestCase(TransactionTestCase):
    """T19: two editors save the same version at the same moment; T20: one form sent several
    times at once."""

    def setUp(self) -> None:
        if connection.vendor == "sqlite":
            self.assertNotIn(
                "mode=memory",
                connection.settings_dict["NAME"],
                "T19/T20 need a file-based SQLite test database (DB_TEST_NAME must name a file)",
            )
        _append_only_triggers(on=True)
        nordby = make_municipality("Nordby Kommune")
        vest = Unit.objects.create(municipality=nordby, name="Team Vest")
        self.alice = make_member("alice", nordby, Membership.Role.CASEWORKER, vest)
        self.membership = Membership.objects.get(user=self.alice)
        self.case = make_case(vest, self.alice, first_name="Asta")

    # The test ends by emptying every table, which the access log's append-only triggers (T6)
    # refuse: they are on while each test runs, off for the flush after it, and on again once
    # the class is done.
    def tearDown(self) -> None:
        _append_only_triggers(on=False)

    @classmethod
    def tearDownClass(cls) -> None:
        _append_only_triggers(on=True)
        super().tearDownClass()

    def fields(self, text: str) -> dict[str, Any]:
        return {
            "by": self.alice,
            "membership": self.membership,
            "held_on": date(2024, 3, 1),
            "place": f"Sted: {text}",
            "present": "",
            "had_bisidder": False,
            "without_staff_present": False,
            "assessment": f"Vurdering: {text}",
            "statements": [(f"Udsagn: {text}", "case_file")],
        }

    def test_it_lets_exactly_one_of_two_concurrent_edits_win(self) -> None:
        """T19: per round, one save wins and the other gets ConversationConflict; the saved
        conversation is wholly the winner's, nothing of the loser's is stored, and the version
        goes up by exactly one. Both editors loaded the same version before either saved."""
        conversation = services.record_conversation(self.case, **self.fields("start"))
        for round_ in range(ROUNDS):
            loaded = Conversation.objects.select_related("case__child").get(pk=conversation.pk)
            version = loaded.version
            texts = [f"runde {round_}, redaktør A", f"runde {round_}, redaktør B"]

            def edit(text: str, loaded: Conversation = loaded, version: int = version) -> str:
                services.update_conversation(loaded, version=version, **self.fields(text))
                return text

            results = run_together(*(lambda text=text: edit(text) for text in texts))
            with self.subTest(round=round_, results=results):
                won = [r for r in results if isinstance(r, str)]
                lost = [r for r in results if isinstance(r, services.ConversationConflict)]
                self.assertEqual((len(won), len(lost)), (1, 1), results)
                winner, loser = won[0], next(t for t in texts if t != won[0])
                saved = Conversation.objects.get(pk=conversation.pk)
                self.assertEqual(saved.version, version + 1)
                self.assertEqual(saved.place, f"Sted: {winner}")
                self.assertEqual(saved.assessment, f"Vurdering: {winner}")
                self.assertEqual(
                    list(saved.statements.values_list("text", flat=True)), [f"Udsagn: {winner}"]
                )
                self.assertFalse(Statement.objects.filter(text__contains=loser).exists())
                self.assertFalse(Conversation.objects.filter(place__contains=loser).exists())
        self.assertEqual(Conversation.objects.get().version, ROUNDS + 1)
        # One access event per saved version: the create and one update per round.
        self.assertEqual(AccessEvent.objects.filter(action="update").count(), ROUNDS)

    def test_it_records_one_conversation_for_a_form_sent_several_times_at_once(self) -> None:
        """T20: the same form, sent four times at the same moment, records one conversation;
        every call answers with it."""
        for round_ in range(5):
            token = uuid.uuid4()

            def submit(token: uuid.UUID = token) -> Conversation:
                return services.record_conversation(
                    self.case, **self.fields("dobbelt"), submit_token=token
                )

            results = run_together(*([submit] * 4))
            with self.subTest(round=round_, results=results):
                self.assertTrue(all(isinstance(r, Conversation) for r in results), results)
                self.assertEqual(len({r.pk for r in results}), 1)
                saved = Conversation.objects.get(submit_token=token)
                self.assertEqual(saved.statements.count(), 1)
        self.assertEqual(Conversation.objects.count(), 5)
        self.assertEqual(Statement.objects.count(), 5)
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 5)
