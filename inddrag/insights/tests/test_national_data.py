"""`build_national_data --scale 0.001`: the synthetic national data set is consistent (counts,
foreign keys, constraints, one active caseworker per open case) and its figures are refreshed."""

from __future__ import annotations

from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.test import TestCase

from inddrag.children.models import Assignment, Case, Child, Handover, Measure
from inddrag.conversations.models import (
    Conversation,
    Meeting,
    MeetingFeedback,
    MeetingPreparation,
    Statement,
)
from inddrag.decisions.models import Decision
from inddrag.insights.management.commands.build_national_data import MUNICIPALITIES
from inddrag.insights.models import CaseSnapshot, MunicipalityMonth, UnitMonth
from inddrag.letters.models import Letter
from inddrag.municipalities.models import Membership, Municipality, Unit
from inddrag.plans.models import GoalCheckIn
from inddrag.portal.models import ChildMessage

EVENT_MODELS = (
    Conversation,
    Statement,
    Decision,
    Meeting,
    MeetingPreparation,
    MeetingFeedback,
    Letter,
    ChildMessage,
    GoalCheckIn,
)


class NationalDataTest(TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        out = StringIO()
        call_command("build_national_data", scale=0.001, seed=3, yes_i_mean_it=True, stdout=out)
        cls.output = out.getvalue()

    def test_it_builds_98_municipalities_with_staff_and_children(self) -> None:
        self.assertEqual(len(MUNICIPALITIES), 98)
        self.assertEqual(Municipality.objects.count(), 98)
        without_unit = Municipality.objects.annotate(n=Count("units")).filter(n=0)
        self.assertFalse(without_unit.exists())
        caseworkers = Membership.objects.filter(role="caseworker", ended_at=None)
        self.assertEqual(caseworkers.values("municipality").distinct().count(), 98)
        # One leader of no unit and one administrator per municipality, a leader per unit.
        self.assertEqual(Membership.objects.filter(role="admin").count(), 98)
        self.assertEqual(
            Membership.objects.filter(role="leader").count(), 98 + Unit.objects.count()
        )
        # Every caseworker works in a unit of their own municipality.
        self.assertFalse(caseworkers.exclude(unit__municipality=F("municipality")).exists())
        # ~60 children at scale 0.001, at least one per municipality; one case each.
        self.assertTrue(98 <= Child.objects.count() <= 160, Child.objects.count())
        self.assertEqual(Case.objects.count(), Child.objects.count())
        self.assertFalse(Case.objects.exclude(unit__municipality=F("municipality")).exists())

    def test_it_writes_about_ten_thousand_timeline_rows_of_every_kind(self) -> None:
        counts = {model.__name__: model._default_manager.count() for model in EVENT_MODELS}
        for name, count in counts.items():
            self.assertGreater(count, 0, name)
        self.assertTrue(7_000 <= sum(counts.values()) <= 13_000, counts)
        self.assertIn(f"{sum(counts.values()):,} hændelser i alt", self.output)
        self.assertTrue(Measure.objects.exists())
        self.assertTrue(Handover.objects.exists())
        # Bisidder requests, some answered, with an answer after the request.
        bisidder = ChildMessage.objects.filter(kind="bisidder")
        self.assertTrue(bisidder.filter(answered_at__isnull=False).exists())
        self.assertFalse(ChildMessage.objects.filter(answered_at__lt=F("sent_at")).exists())
        # Decisions heard and not heard; a not heard one always has a reason (the model says so).
        self.assertTrue(Decision.objects.filter(child_heard=True).exists())
        self.assertTrue(Decision.objects.filter(child_heard=False).exists())
        self.assertFalse(Decision.objects.filter(child_heard=False, not_heard_reason="").exists())
        # Timeline rows belong to their case's municipality.
        for model in (Conversation, Decision, Meeting, Letter, ChildMessage):
            wrong = model._default_manager.exclude(case__municipality=F("municipality"))
            self.assertFalse(wrong.exists(), model.__name__)

    def test_it_respects_foreign_keys_and_constraints(self) -> None:
        """SQLite checks foreign keys at commit; check them now, inside the test's transaction
        (PostgreSQL: the deferred constraints are made immediate)."""
        connection.check_constraints()
        # Each open case has exactly one active assignment; a closed case none.
        active = Assignment.objects.filter(ended_at=None)
        open_cases = Case.objects.filter(status="open")
        self.assertEqual(active.count(), open_cases.count())
        self.assertEqual(active.values("case").distinct().count(), open_cases.count())
        self.assertFalse(active.filter(case__status="closed").exists())
        # A handover for every change of caseworker.
        self.assertEqual(
            Handover.objects.count(), Assignment.objects.count() - Case.objects.count()
        )
        # Caseworkers are assigned within their municipality.
        self.assertFalse(
            Assignment.objects.exclude(
                caseworker__memberships__municipality=F("municipality")
            ).exists()
        )

    def test_it_refreshes_every_municipality_with_nonzero_figures(self) -> None:
        self.assertEqual(CaseSnapshot.objects.count(), Case.objects.count())
        self.assertEqual(MunicipalityMonth.objects.values("municipality").distinct().count(), 98)
        self.assertTrue(UnitMonth.objects.exists())
        totals = MunicipalityMonth.objects.aggregate(
            decisions=Sum("decisions"),
            heard=Sum("decisions_heard"),
            conversations=Sum("conversations"),
            feedback=Sum("feedback_answers"),
            meetings=Sum("meetings"),
            prepared=Sum("meetings_prepared"),
            letters=Sum("letters_sent"),
            read=Sum("letters_read"),
            bisidder=Sum("bisidder_requests"),
            check_ins=Sum("check_ins"),
        )
        for name, value in totals.items():
            self.assertGreater(value or 0, 0, name)
        self.assertLess(totals["heard"], totals["decisions"])
        # The data lies within the figures' window: every decision is counted, once.
        self.assertEqual(totals["decisions"], Decision.objects.count())
        self.assertEqual(totals["heard"], Decision.objects.filter(child_heard=True).count())
        self.assertIn("Tallene genberegnet for 98 kommuner", self.output)

    def test_it_spreads_hearing_children_between_municipalities(self) -> None:
        """Some municipalities hear clearly fewer children than others."""
        shares = [
            row["heard"] / row["n"]
            for row in Decision.objects.values("municipality")
            .annotate(n=Count("pk"), heard=Count("pk", filter=Q(child_heard=True)))
            .filter(n__gte=8)
        ]
        self.assertGreater(len(shares), 20)
        self.assertLess(min(shares), 0.5)
        self.assertGreater(max(shares), 0.8)

    def test_it_refuses_to_run_twice_or_without_debug(self) -> None:
        with self.assertRaisesMessage(CommandError, "allerede"):
            call_command("build_national_data", scale=0.001, yes_i_mean_it=True, stdout=StringIO())
        # Tests run with DEBUG off: without --yes-i-mean-it it refuses before writing anything.
        with self.assertRaisesMessage(CommandError, "DEBUG er slået fra"):
            call_command("build_national_data", scale=0.001, stdout=StringIO())
