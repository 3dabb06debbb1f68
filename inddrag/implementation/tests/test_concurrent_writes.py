"""T19, T20 and the groups made once, with real concurrency: threads, each with its own database
connection, released together, against committed data (a TransactionTestCase; the helpers and
the SQLite file database are those of conversations/tests/test_concurrent_writes.py)."""

from __future__ import annotations

import uuid
from datetime import date

from django.db import connection
from django.test import TransactionTestCase

from inddrag.accounts.models import User
from inddrag.audit.models import AccessEvent
from inddrag.conversations.tests.test_concurrent_writes import _append_only_triggers, run_together
from inddrag.implementation import services
from inddrag.implementation.models import Group, GroupMeeting
from inddrag.municipalities.models import Membership
from inddrag.test import make_member, make_municipality

ROUNDS = 10


class ConcurrentGroupWritesTestCase(TransactionTestCase):
    def setUp(self) -> None:
        if connection.vendor == "sqlite":
            self.assertNotIn("mode=memory", connection.settings_dict["NAME"])
        _append_only_triggers(on=True)
        self.nordby = make_municipality("Nordby Kommune")
        self.leo = make_member("leo", self.nordby, Membership.Role.LEADER)
        self.ada = make_member("ada", self.nordby, Membership.Role.ADMIN)
        self.memberships = {
            user: Membership.objects.get(user=user) for user in [self.leo, self.ada]
        }

    def tearDown(self) -> None:
        _append_only_triggers(on=False)

    @classmethod
    def tearDownClass(cls) -> None:
        _append_only_triggers(on=True)
        super().tearDownClass()

    def steering_group(self) -> Group:
        return services.ensure_groups(
            self.nordby, by=self.leo, membership=self.memberships[self.leo]
        )[0]

    def test_it_makes_the_groups_once_when_two_visit_at_once(self) -> None:
        results = run_together(
            *(
                lambda user=user: services.ensure_groups(
                    self.nordby, by=user, membership=self.memberships[user]
                )
                for user in [self.leo, self.ada, self.leo]
            )
        )
        self.assertTrue(all(isinstance(r, list) for r in results), results)
        self.assertEqual(Group.objects.count(), 3)
        self.assertEqual(len({tuple(g.pk for g in r) for r in results}), 1)
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 3)

    def test_it_lets_exactly_one_of_two_concurrent_edits_win(self) -> None:
        """T19: per round, one save wins and the other gets MeetingConflict; the meeting holds
        the winner's text and its version goes up by one."""
        group = services.ensure_groups(
            self.nordby, by=self.leo, membership=self.memberships[self.leo]
        )[0]
        meeting = services.create_meeting(
            group,
            by=self.leo,
            membership=self.memberships[self.leo],
            held_on=date(2026, 5, 1),
            agenda="Start",
        )
        for round_ in range(ROUNDS):
            loaded = GroupMeeting.objects.get(pk=meeting.pk)
            version = loaded.version

            def edit(
                user: User, loaded: GroupMeeting = loaded, version: int = version, n: int = round_
            ) -> str:
                text = f"runde {n}: {user}"
                services.update_meeting(
                    loaded,
                    by=user,
                    membership=self.memberships[user],
                    version=version,
                    held_on=date(2026, 5, 1),
                    agenda="Dagsorden",
                    decisions=text,
                )
                return text

            results = run_together(lambda: edit(self.leo), lambda: edit(self.ada))
            with self.subTest(round=round_, results=results):
                won = [r for r in results if isinstance(r, str)]
                lost = [r for r in results if isinstance(r, services.MeetingConflict)]
                self.assertEqual((len(won), len(lost)), (1, 1), results)
                saved = GroupMeeting.objects.get(pk=meeting.pk)
                self.assertEqual((saved.version, saved.decisions), (version + 1, won[0]))
        self.assertEqual(AccessEvent.objects.filter(action="update").count(), ROUNDS)

    def test_it_makes_one_meeting_for_a_form_sent_several_times_at_once(self) -> None:
        """T20: the same form sent four times at the same moment makes one meeting."""
        group = services.ensure_groups(
            self.nordby, by=self.leo, membership=self.memberships[self.leo]
        )[0]
        for round_ in range(5):
            token = uuid.uuid4()

            def submit(token: uuid.UUID = token) -> GroupMeeting:
                return services.create_meeting(
                    group,
                    by=self.leo,
                    membership=self.memberships[self.leo],
                    held_on=date(2026, 5, 1),
                    agenda="Dobbelt",
                    submit_token=token,
                )

            results = run_together(*([submit] * 4))
            with self.subTest(round=round_, results=results):
                self.assertTrue(all(isinstance(r, GroupMeeting) for r in results), results)
                self.assertEqual(len({r.pk for r in results}), 1)
        self.assertEqual(GroupMeeting.objects.count(), 5)
        self.assertEqual(AccessEvent.objects.filter(object_type="GroupMeeting").count(), 5)
