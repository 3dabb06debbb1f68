"""Reminders computed from hand-built cases (issue 8, point 4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from inddrag.children.models import Assignment, Measure
from inddrag.conversations.models import Meeting, MeetingPreparation
from inddrag.portal.models import ChildMessage
from inddrag.reminders.compute import Kind, compute_reminders
from inddrag.reminders.models import Reminder
from inddrag.test import (
    BaseTestCase,
    make_child_message,
    make_conversation,
    make_letter,
    make_measure,
    make_meeting,
    make_plan,
)

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


class ComputeTestCase(BaseTestCase):
    def test_it_reminds_of_an_unread_letter_once_and_closes_it_when_read(self) -> None:
        letter = make_letter(
            self.case_a, self.alice, sent=True, sent_at=datetime(2026, 11, 2, 9, tzinfo=UTC)
        )
        self.assertEqual(compute_reminders(self.nordby.pk, today=date(2026, 11, 6)), 0)
        self.assertEqual(compute_reminders(self.nordby.pk, today=date(2026, 11, 7)), 1)
        self.assertEqual(compute_reminders(self.nordby.pk, today=date(2026, 11, 7)), 0)
        reminder = Reminder.objects.get(kind=Reminder.Kind.LETTER_UNREAD)
        self.assertEqual(
            (reminder.caseworker, reminder.case, reminder.due_on),
            (self.alice, self.case_a, date(2026, 11, 7)),
        )
        letter.read_at = datetime(2026, 11, 8, 9, tzinfo=UTC)
        letter.save()
        compute_reminders(self.nordby.pk, today=date(2026, 11, 8))
        reminder.refresh_from_db()
        self.assertIsNotNone(reminder.done_at)

    def test_it_reminds_of_a_waiting_bisidder_request(self) -> None:
        message = make_child_message(
            self.case_b,
            kind=ChildMessage.Kind.BISIDDER,
            sent_at=datetime(2026, 11, 5, 9, tzinfo=UTC) - timedelta(hours=1),
        )
        self.assertEqual(compute_reminders(self.sydby.pk, today=date(2026, 11, 5)), 1)
        self.assertEqual(compute_reminders(self.nordby.pk, today=date(2026, 11, 5)), 0)
        reminder = Reminder.objects.get()
        self.assertEqual(
            reminder.key, f"bisidder:childmessage:{message.pk}:2026-11-05:u{self.bob.pk}"
        )


def at_five(day: date) -> datetime:
    """The daily run's moment on `day` (05:00 local time)."""
    return datetime.combine(day, time(5), tzinfo=COPENHAGEN)


class DueKindsTestCase(BaseTestCase):
    """Each kind: nothing the day before it is due, one reminder on its day, done when the
    cause is gone."""

    def run_on(self, day: date) -> int:
        with time_machine.travel(at_five(day), tick=False):
            return compute_reminders(self.nordby.pk, today=day)

    def open_reminders(self, kind: str) -> list[tuple[str, date]]:
        return list(
            Reminder.objects.filter(kind=kind, done_at__isnull=True).values_list("key", "due_on")
        )

    def test_it_reminds_of_the_follow_up_conversation_after_a_placement(self) -> None:
        """§ 95: due 92 days after the placement (1 August → 1 November), from 14 days before."""
        make_measure(self.case_a, kind=Measure.Kind.FOSTER_CARE, started_on=date(2026, 8, 1))
        self.assertEqual(self.run_on(date(2026, 10, 17)), 0)
        self.assertEqual(self.run_on(date(2026, 10, 18)), 1)
        self.assertEqual(self.run_on(date(2026, 10, 19)), 0)
        key = f"follow_up:case:{self.case_a.pk}:follow_up:2026-11-01:u{self.alice.pk}"
        self.assertEqual(self.open_reminders(Kind.FOLLOW_UP), [(key, date(2026, 11, 1))])
        # Overdue it stays open; a conversation with the child closes it.
        self.assertEqual(self.run_on(date(2026, 11, 3)), 0)
        self.assertEqual(len(self.open_reminders(Kind.FOLLOW_UP)), 1)
        make_conversation(self.case_a, self.alice, "Jeg har det godt.", held_on=date(2026, 11, 4))
        self.run_on(date(2026, 11, 5))
        self.assertEqual(self.open_reminders(Kind.FOLLOW_UP), [])
        self.assertEqual(Reminder.objects.get(key=key).caseworker, self.alice)

    def test_it_reminds_of_the_plan_review(self) -> None:
        with time_machine.travel(datetime(2026, 5, 10, 12, tzinfo=COPENHAGEN), tick=False):
            plan = make_plan(self.case_a, self.alice, approved=True)
        version = plan.versions.get(number=1)
        self.assertEqual(self.run_on(date(2026, 10, 26)), 0)
        self.assertEqual(self.run_on(date(2026, 10, 27)), 1)  # 14 days before 10 November
        self.assertEqual(
            self.open_reminders(Kind.PLAN_REVIEW),
            [
                (
                    f"plan_review:planversion:{version.pk}:2026-11-10:u{self.alice.pk}",
                    date(2026, 11, 10),
                )
            ],
        )
        # Reviewed: a newer approved version replaces the reminder with its own, later one.
        draft = plan.versions.get(number=2)
        draft.approved_at, draft.approved_by = at_five(date(2026, 11, 2)), self.alice
        draft.save(update_fields=["approved_at", "approved_by"])
        self.assertEqual(self.run_on(date(2026, 11, 3)), 0)
        self.assertEqual(self.open_reminders(Kind.PLAN_REVIEW), [])

    def test_it_reminds_of_an_unanswered_preparation(self) -> None:
        """Three days before a meeting the child is invited to, while not submitted."""
        starts_at = datetime(2026, 11, 12, 10, tzinfo=COPENHAGEN)
        meeting = make_meeting(self.case_a, self.alice, starts_at=starts_at, child_invited=True)
        make_meeting(self.case_a, self.alice, starts_at=starts_at, child_invited=False)
        self.assertEqual(self.run_on(date(2026, 11, 8)), 0)
        self.assertEqual(self.run_on(date(2026, 11, 9)), 1)
        self.assertEqual(
            self.open_reminders(Kind.PREPARATION),
            [(f"preparation:meeting:{meeting.pk}:2026-11-12:u{self.alice.pk}", date(2026, 11, 12))],
        )
        # A draft is not an answer; a submitted preparation is.
        preparation = MeetingPreparation.objects.create(
            municipality=self.nordby, meeting=meeting, child=self.case_a.child
        )
        self.assertEqual(self.run_on(date(2026, 11, 10)), 0)
        self.assertEqual(len(self.open_reminders(Kind.PREPARATION)), 1)
        preparation.submitted_at = at_five(date(2026, 11, 10))
        preparation.save(update_fields=["submitted_at"])
        self.run_on(date(2026, 11, 11))
        self.assertEqual(self.open_reminders(Kind.PREPARATION), [])

    def test_it_reminds_of_an_unwritten_summary(self) -> None:
        """Held Thursday 5 November: two working days have passed on Monday 9 November."""
        meeting = make_meeting(
            self.case_a,
            self.alice,
            starts_at=datetime(2026, 11, 5, 10, tzinfo=COPENHAGEN),
            status=Meeting.Status.HELD,
        )
        for day in (6, 7, 8):
            self.assertEqual(self.run_on(date(2026, 11, day)), 0)
        self.assertEqual(self.run_on(date(2026, 11, 9)), 1)
        self.assertEqual(
            self.open_reminders(Kind.SUMMARY),
            [(f"summary:meeting:{meeting.pk}:2026-11-09:u{self.alice.pk}", date(2026, 11, 9))],
        )
        meeting.summary, meeting.summary_written_at = "Vi aftalte at ses igen.", timezone.now()
        meeting.save(update_fields=["summary", "summary_written_at"])
        self.run_on(date(2026, 11, 10))
        self.assertEqual(self.open_reminders(Kind.SUMMARY), [])

    def test_it_closes_a_reminder_when_the_case_is_handed_over(self) -> None:
        make_child_message(
            self.case_a, kind=ChildMessage.Kind.BISIDDER, sent_at=at_five(date(2026, 11, 2))
        )
        self.run_on(date(2026, 11, 2))
        assignment = Assignment.objects.get(case=self.case_a, ended_at__isnull=True)
        assignment.ended_at = at_five(date(2026, 11, 3))
        assignment.save(update_fields=["ended_at"])
        Assignment.objects.create(
            municipality=self.nordby,
            case=self.case_a,
            caseworker=self.anna,
            started_at=at_five(date(2026, 11, 3)),
        )
        self.assertEqual(self.run_on(date(2026, 11, 3)), 1)
        self.assertEqual(
            list(
                Reminder.objects.filter(done_at__isnull=True).values_list(
                    "caseworker__username", flat=True
                )
            ),
            ["anna"],
        )
