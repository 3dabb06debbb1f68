"""The figure tables rebuilt from a small hand-built data set, with the exact expected rows."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import time_machine
from django.core.management import CommandError, call_command

from inddrag.children.models import Assignment, Case, Handover
from inddrag.conversations.models import Meeting, MeetingFeedback, MeetingPreparation
from inddrag.insights.models import (
    AgeBand,
    CaseSnapshot,
    MeasureGroup,
    MunicipalityMonth,
    UnitMonth,
)
from inddrag.insights.refresh import (
    COUNT_FIELDS,
    add_months,
    age_band,
    measure_group,
    refresh_municipality,
    window_start,
)
from inddrag.insights.tasks import refresh_figures
from inddrag.plans.models import GoalCheckIn
from inddrag.portal.models import ChildMessage
from inddrag.test import (
    BaseTestCase,
    make_case,
    make_child_message,
    make_conversation,
    make_decision,
    make_letter,
    make_measure,
    make_meeting,
    make_plan,
)

TODAY = date(2025, 6, 15)
START = date(2020, 4, 1)  # 62 months before June 2025


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def bit(month: date) -> int:
    return 1 << ((month.year - START.year) * 12 + month.month - START.month)


def counts(**values: float) -> dict[str, float]:
    return {name: values.get(name, 0) for name in COUNT_FIELDS}


class RefreshTest(BaseTestCase):
    closed: Case

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        a, alice = cls.case_a, cls.alice
        # Case A (Team Vest, Alice; born 2012: 13 years old): placed since 1 January 2025.
        make_measure(a, kind="foster_care", started_on=date(2025, 1, 1))
        make_measure(a, kind="preventive", started_on=date(2024, 1, 1), ended_on=date(2024, 12, 31))
        make_decision(a, alice, decided_on=date(2025, 3, 10), child_heard=True)
        make_decision(a, alice, decided_on=date(2025, 3, 20))  # not heard, reason: urgency
        make_conversation(a, alice, "Jeg vil blive.", held_on=date(2025, 3, 1))
        prepared = make_meeting(a, alice, starts_at=at(2025, 3, 5, 9), status=Meeting.Status.HELD)
        unprepared = make_meeting(
            a, alice, starts_at=at(2025, 3, 12, 9), status=Meeting.Status.HELD
        )
        draft_only = make_meeting(a, alice, starts_at=at(2025, 3, 19, 9), status="held")
        make_meeting(a, alice, starts_at=at(2025, 3, 26, 9), status="held", child_invited=False)
        make_meeting(a, alice, starts_at=at(2025, 3, 27, 9))  # planned: not held
        for meeting, submitted in [(prepared, at(2025, 3, 4, 12)), (draft_only, None)]:
            MeetingPreparation.objects.create(
                municipality=cls.nordby, meeting=meeting, child=a.child, submitted_at=submitted
            )
        # 5/3 given on 1 April 00:30 local time (31 March 22:30 UTC): an April answer.
        cls.feedback(prepared, 5, 3, at(2025, 3, 31, 22, 30))
        cls.feedback(unprepared, 2, 5, at(2025, 3, 13, 10))
        make_letter(a, alice, sent=True, sent_at=at(2025, 2, 10, 9), read_at=at(2025, 2, 11, 9))
        make_letter(a, alice, sent=True, sent_at=at(2025, 2, 11, 9))
        make_letter(a, alice)  # a draft
        make_letter(a, alice, sent=True, sent_at=at(2025, 2, 12, 9), audience="custody")
        make_child_message(
            a,
            kind=ChildMessage.Kind.BISIDDER,
            sent_at=at(2025, 5, 1, 8),
            answered_at=at(2025, 5, 2, 14),
            answer="Ja, det finder vi.",
        )
        make_child_message(a, kind=ChildMessage.Kind.BISIDDER, sent_at=at(2025, 5, 20, 8))
        make_child_message(a, sent_at=at(2025, 5, 21, 8))  # an ordinary message
        plan = make_plan(a, alice)
        # 1 February 00:30 local time (31 January 23:30 UTC): a February check-in.
        GoalCheckIn.objects.create(
            municipality=cls.nordby,
            plan=plan,
            child=a.child,
            goal_key=uuid.uuid4(),
            rating=4,
            checked_in_at=at(2025, 1, 31, 23, 30),
            submit_token=uuid.uuid4(),
        )
        for handed_over_at in [at(2025, 2, 1, 9), at(2023, 2, 1, 9)]:
            Handover.objects.create(
                municipality=cls.nordby,
                case=a,
                from_caseworker=cls.anna,
                to_caseworker=alice,
                written_by=cls.anna,
                child_story="Asta kan lide heste.",
                handed_over_at=handed_over_at,
            )
        # Case A2 (Team Øst, Anna): placed in June 2024, never a conversation: the § 95
        # follow-up (92 days) is overdue.
        make_measure(cls.case_a2, kind="institution", started_on=date(2024, 6, 1))
        make_decision(cls.case_a2, cls.anna, decided_on=date(2025, 3, 15), child_heard=True)
        # A closed case of Team Vest without a caseworker, a child of 5, no measure: one
        # decision in the window (January 2021) and one before it (March 2020).
        cls.closed = make_case(cls.vest, None, birth_date=date(2020, 1, 1))
        Case.objects.filter(pk=cls.closed.pk).update(status="closed", closed_on=date(2024, 2, 1))
        make_decision(cls.closed, alice, decided_on=date(2021, 1, 5))
        make_decision(cls.closed, alice, decided_on=date(2020, 3, 31))
        # Sydby: its own decision, refreshed separately.
        make_decision(cls.case_b, cls.bob, decided_on=date(2025, 3, 10), child_heard=True)

    @classmethod
    def feedback(
        cls, meeting: Meeting, felt_heard: int, understood: int, given_at: datetime
    ) -> None:
        MeetingFeedback.objects.create(
            municipality=cls.nordby,
            meeting=meeting,
            child=meeting.case.child,
            felt_heard=felt_heard,
            understood=understood,
            given_at=given_at,
            submit_token=uuid.uuid4(),
        )

    def unit_months(self) -> dict[tuple[Any, ...], dict[str, float]]:
        rows: list[dict[str, Any]] = [
            dict(row) for row in UnitMonth.objects.filter(municipality=self.nordby).values()
        ]
        return {
            (
                row["unit_id"],
                row["caseworker_id"],
                row["age_band"],
                row["measure_group"],
                row["month"],
            ): {name: row[name] for name in COUNT_FIELDS}
            for row in rows
        }

    def test_it_computes_the_window(self) -> None:
        self.assertEqual(window_start(TODAY), START)
        self.assertEqual(add_months(START, 62), date(2025, 6, 1))
        self.assertEqual(add_months(date(2025, 1, 1), -1), date(2024, 12, 1))

    def test_it_maps_ages_and_measures_to_bands_and_groups(self) -> None:
        born = date(2010, 6, 16)
        self.assertEqual(age_band(born, date(2016, 6, 15)), AgeBand.SMALL)  # 5
        self.assertEqual(age_band(born, date(2016, 6, 16)), AgeBand.SCHOOL)  # 6
        self.assertEqual(age_band(born, date(2025, 6, 15)), AgeBand.TWEEN)  # 14
        self.assertEqual(age_band(born, date(2025, 6, 16)), AgeBand.TEEN)  # 15
        self.assertEqual(age_band(born, date(2040, 1, 1)), AgeBand.YOUNG_ADULT)  # 29
        self.assertEqual(measure_group(("preventive", "foster_care")), MeasureGroup.PLACEMENT)
        self.assertEqual(measure_group(("preventive", "aftercare")), MeasureGroup.AFTERCARE)
        self.assertEqual(measure_group(("preventive",)), MeasureGroup.PREVENTIVE)
        self.assertEqual(measure_group(()), MeasureGroup.NONE)

    def test_it_counts_each_family_in_its_local_month(self) -> None:
        refresh_municipality(self.nordby.pk, today=TODAY)
        vest = (self.vest.pk, self.alice.pk, AgeBand.TWEEN, MeasureGroup.PLACEMENT)
        oest = (self.oest.pk, self.anna.pk, AgeBand.TWEEN, MeasureGroup.PLACEMENT)
        closed = (self.vest.pk, None, AgeBand.SMALL, MeasureGroup.NONE)
        expected = {
            (*vest, date(2025, 2, 1)): counts(letters_sent=2, letters_read=1, check_ins=1),
            (*vest, date(2025, 3, 1)): counts(
                decisions=2,
                decisions_heard=1,
                decisions_reason=1,
                conversations=1,
                meetings=3,
                meetings_prepared=1,
                feedback_answers=1,
                understood=1,
            ),
            (*vest, date(2025, 4, 1)): counts(feedback_answers=1, felt_heard=1),
            (*vest, date(2025, 5, 1)): counts(
                bisidder_requests=2, bisidder_answered=1, bisidder_answer_hours=30.0
            ),
            (*oest, date(2025, 3, 1)): counts(decisions=1, decisions_heard=1),
            (*closed, date(2021, 1, 1)): counts(decisions=1, decisions_reason=1),
        }
        got = self.unit_months()
        self.assertEqual(got.keys(), expected.keys())
        for key, values in expected.items():
            self.assertEqual(got[key], values, key)
        municipality = {
            (row["age_band"], row["measure_group"], row["month"]): {
                name: row[name] for name in COUNT_FIELDS
            }
            for row in [
                dict[str, Any](r)
                for r in MunicipalityMonth.objects.filter(municipality=self.nordby).values()
            ]
        }
        march = counts(
            decisions=3,
            decisions_heard=2,
            decisions_reason=1,
            conversations=1,
            meetings=3,
            meetings_prepared=1,
            feedback_answers=1,
            understood=1,
        )
        self.assertEqual(len(municipality), 5)
        self.assertEqual(
            municipality[(AgeBand.TWEEN, MeasureGroup.PLACEMENT, date(2025, 3, 1))], march
        )
        self.assertEqual(
            municipality[(AgeBand.SMALL, MeasureGroup.NONE, date(2021, 1, 1))],
            counts(decisions=1, decisions_reason=1),
        )

    def test_it_writes_a_snapshot_per_case_with_dimensions_and_masks(self) -> None:
        refresh_municipality(self.nordby.pk, today=TODAY)
        snapshots = {s.case_id: s for s in CaseSnapshot.objects.filter(municipality=self.nordby)}
        self.assertEqual(set(snapshots), {self.case_a.pk, self.case_a2.pk, self.closed.pk})
        a = snapshots[self.case_a.pk]
        march, april = date(2025, 3, 1), date(2025, 4, 1)
        self.assertEqual(
            (a.unit_id, a.caseworker_id, a.child_id, a.is_open, a.age_band, a.measure_group),
            (self.vest.pk, self.alice.pk, self.case_a.child_id, True, AgeBand.TWEEN, "placement"),
        )
        self.assertEqual(a.last_conversation_on, date(2025, 3, 1))
        self.assertEqual(a.days_since_conversation, 106)
        self.assertFalse(a.overdue)  # followed up; the next visit is due 2 July
        self.assertEqual(a.handovers_year, 1)
        self.assertEqual((a.window_start, a.refreshed_on), (START, TODAY))
        self.assertEqual(a.decision_months, bit(march))
        self.assertEqual(a.conversation_months, bit(march))
        self.assertEqual(a.feedback_months, bit(march) | bit(april))
        self.assertEqual(a.meeting_months, bit(march))
        self.assertEqual(a.check_in_months, bit(date(2025, 2, 1)))
        self.assertEqual(a.letter_months, bit(date(2025, 2, 1)))
        self.assertEqual(a.bisidder_months, bit(date(2025, 5, 1)))
        a2 = snapshots[self.case_a2.pk]
        self.assertEqual((a2.days_since_conversation, a2.last_conversation_on), (None, None))
        self.assertTrue(a2.overdue)
        self.assertEqual((a2.decision_months, a2.conversation_months), (bit(march), 0))
        closed = snapshots[self.closed.pk]
        self.assertEqual(
            (closed.is_open, closed.caseworker_id, closed.overdue, closed.measure_group),
            (False, None, False, "none"),
        )
        self.assertEqual(closed.decision_months, bit(date(2021, 1, 1)))
        self.assertEqual(bit(date(2025, 6, 1)), 1 << 62)  # the highest bit: still positive

    def test_it_gives_the_same_rows_twice_and_follows_a_handover(self) -> None:
        refresh_municipality(self.nordby.pk, today=TODAY)
        first = self.unit_months()
        snapshots = list(CaseSnapshot.objects.order_by("case_id").values())
        refresh_municipality(self.nordby.pk, today=TODAY)
        self.assertEqual(self.unit_months(), first)
        again = list(CaseSnapshot.objects.order_by("case_id").values())
        self.assertEqual(
            [{k: v for k, v in row.items() if k != "id"} for row in again],
            [{k: v for k, v in row.items() if k != "id"} for row in snapshots],
        )
        self.assertEqual(UnitMonth.objects.filter(municipality=self.nordby).count(), 6)
        # Anna takes over Case A: its months move to her row at the next refresh.
        Assignment.objects.filter(case=self.case_a).update(ended_at=at(2025, 6, 1))
        Assignment.objects.create(
            municipality=self.nordby,
            case=self.case_a,
            caseworker=self.anna,
            started_at=at(2025, 6, 1),
        )
        refresh_municipality(self.nordby.pk, today=TODAY)
        keys = self.unit_months().keys()
        self.assertIn(
            (self.vest.pk, self.anna.pk, AgeBand.TWEEN, "placement", date(2025, 5, 1)), keys
        )
        self.assertNotIn(
            (self.vest.pk, self.alice.pk, AgeBand.TWEEN, "placement", date(2025, 5, 1)), keys
        )

    def test_it_touches_only_the_given_municipality(self) -> None:
        refresh_municipality(self.sydby.pk, today=TODAY)
        sydby_rows = list(UnitMonth.objects.filter(municipality=self.sydby).values())
        self.assertEqual(len(sydby_rows), 1)
        self.assertEqual((sydby_rows[0]["decisions"], sydby_rows[0]["decisions_heard"]), (1, 1))
        refresh_municipality(self.nordby.pk, today=TODAY)
        refresh_municipality(self.nordby.pk, today=TODAY)
        self.assertEqual(
            list(UnitMonth.objects.filter(municipality=self.sydby).values()), sydby_rows
        )
        self.assertEqual(CaseSnapshot.objects.filter(municipality=self.sydby).count(), 1)
        self.assertEqual(MunicipalityMonth.objects.filter(municipality=self.sydby).count(), 1)
        self.assertFalse(UnitMonth.objects.filter(municipality=self.nordby, unit=self.syd).exists())

    def test_it_leaves_out_the_months_before_the_window(self) -> None:
        refresh_municipality(self.nordby.pk, today=date(2025, 12, 31))  # window from Oct 2020
        self.assertFalse(UnitMonth.objects.filter(month__lt=date(2020, 10, 1)).exists())
        self.assertTrue(UnitMonth.objects.filter(month=date(2021, 1, 1)).exists())
        snapshot = CaseSnapshot.objects.get(case=self.closed)
        self.assertEqual(snapshot.window_start, date(2020, 10, 1))
        self.assertEqual(snapshot.decision_months, 1 << 3)  # January 2021

    def test_it_refreshes_through_the_task_as_of_today(self) -> None:
        with time_machine.travel(datetime(2025, 6, 15, 10, tzinfo=UTC), tick=False):
            refresh_figures.call(self.nordby.pk)
        self.assertEqual(CaseSnapshot.objects.filter(refreshed_on=TODAY).count(), 3)
        self.assertEqual(UnitMonth.objects.filter(municipality=self.nordby).count(), 6)

    def test_it_refreshes_from_the_command(self) -> None:
        call_command("refresh_figures", "--municipality", "Nordby Kommune", "--today", "2025-06-15")
        self.assertEqual(UnitMonth.objects.filter(municipality=self.nordby).count(), 6)
        self.assertFalse(UnitMonth.objects.filter(municipality=self.sydby).exists())
        call_command("refresh_figures", "--today", "2025-06-15")
        self.assertEqual(UnitMonth.objects.filter(municipality=self.sydby).count(), 1)
        with self.assertRaisesMessage(CommandError, "Kommunen findes ikke"):
            call_command("refresh_figures", "--municipality", "Ingenby")
