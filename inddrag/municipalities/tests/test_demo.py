from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import time_machine
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.test import TestCase, override_settings

from inddrag.accounts.models import User
from inddrag.children.models import Assignment, Case, Child, Handover, Measure, NetworkMember
from inddrag.conversations.models import (
    Conversation,
    Meeting,
    MeetingFeedback,
    MeetingPreparation,
    PreparationAnswer,
    Statement,
)
from inddrag.decisions.models import Decision
from inddrag.implementation.models import DialoguePost, Group, GroupMeeting
from inddrag.insights.models import CaseSnapshot, MunicipalityMonth, UnitMonth
from inddrag.letters.models import Letter, Quote, Recommendation
from inddrag.lib.dates import age_on
from inddrag.municipalities import demo
from inddrag.municipalities.models import Membership, Municipality, Unit
from inddrag.plans.models import Goal, GoalCheckIn, GoalProposal, Plan, PlanVersion
from inddrag.portal.models import ChildAccess, ChildMessage
from inddrag.reflection.models import FollowUp, Reflection, ReflectionSession, Vignette
from inddrag.reminders.models import Digest, Reminder
from inddrag.training.models import Attendance, OnboardingStep, TrainingSession

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
# 70 children per municipality: the first caseworker's 62 cases and 8 others, so a unit test can
# seed the whole demo world in about a second.
CHILDREN = 70


class _Rollback(Exception):
    pass


def _erase_demo() -> None:
    """Delete the demo world, children's histories first (the foreign keys protect)."""
    for model in [
        Reminder,
        Digest,
        CaseSnapshot,
        UnitMonth,
        MunicipalityMonth,
        FollowUp,
        Vignette,
        ReflectionSession,
        Reflection,
        DialoguePost,
        GroupMeeting,
        Group,
        Attendance,
        TrainingSession,
        OnboardingStep,
        Quote,
        Recommendation,
        GoalCheckIn,
        GoalProposal,
        Goal,
        PlanVersion,
        Plan,
        MeetingFeedback,
        PreparationAnswer,
        MeetingPreparation,
        Meeting,
        ChildMessage,
        Letter,
        ChildAccess,
        Statement,
        Conversation,
        Decision,
        Handover,
        Measure,
        NetworkMember,
        Assignment,
        Case,
        Child,
    ]:
        model._default_manager.all().delete()
    Membership.objects.all().delete()
    User.objects.all().delete()  # only the demo's staff live in this test database
    Unit.objects.all().delete()
    Municipality.objects.all().delete()


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every seeded row by its natural key and content (no primary keys, codes or timestamps)."""
    rows: dict[str, models.QuerySet[Any, tuple[Any, ...]]] = {
        "users": User.objects.values_list("username", "first_name", "last_name"),
        "children": Child.objects.values_list(
            "cpr", "first_name", "last_name", "birth_date", "preferred_language"
        ),
        "cases": Case.objects.values_list("reference", "status", "opened_on", "closed_on"),
        "child_access": ChildAccess.objects.values_list("child__cpr", "simple_mode", "about_me"),
        "meetings": Meeting.objects.values_list(
            "case__reference", "kind", "starts_at", "place", "status", "summary"
        ),
        "preparations": PreparationAnswer.objects.values_list(
            "preparation__meeting__case__reference", "question", "text", "choice", "shared"
        ),
        "feedback": MeetingFeedback.objects.values_list(
            "meeting__case__reference", "felt_heard", "understood", "text", "given_at"
        ),
        "goals": Goal.objects.values_list(
            "version__plan__case__reference", "version__number", "area", "child_words"
        ),
        "letters": Letter.objects.values_list("case__reference", "subject", "body"),
        "quotes": Quote.objects.values_list(
            "recommendation__case__reference", "statement__text", "position"
        ),
        "child_messages": ChildMessage.objects.values_list(
            "case__reference", "kind", "text", "answer"
        ),
        "assignments": Assignment.objects.values_list(
            "case__reference", "caseworker__username", "started_at", "ended_at"
        ),
        "network": NetworkMember.objects.values_list(
            "child__cpr", "child__municipality__cvr", "kind", "name", "relation", "ended_on"
        ),
        "measures": Measure.objects.values_list(
            "case__reference", "kind", "description", "started_on", "ended_on"
        ),
        "conversations": Conversation.objects.values_list(
            "case__reference",
            "held_on",
            "place",
            "present",
            "had_bisidder",
            "without_staff_present",
            "created_by__username",
        ),
        "statements": Statement.objects.values_list(
            "conversation__case__reference", "said_on", "position", "text", "sharing"
        ),
        "decisions": Decision.objects.values_list(
            "case__reference",
            "decided_on",
            "kind",
            "title",
            "child_perspective",
            "child_heard",
            "not_heard_reason",
            "not_heard_note",
            "created_by__username",
        ),
        "handovers": Handover.objects.values_list(
            "case__reference",
            "from_caseworker__username",
            "to_caseworker__username",
            "child_story",
            "handed_over_at",
        ),
    }
    return {name: sorted(query, key=repr) for name, query in rows.items()}


def _sb01_open_cases() -> models.QuerySet[Case]:
    return Case.objects.filter(
        status=Case.Status.OPEN,
        assignments__ended_at__isnull=True,
        assignments__caseworker__username="roskilde-sb01",
    )


class DemoTestCase(TestCase):
    summary: demo.DemoSummary

    @classmethod
    def setUpTestData(cls) -> None:
        with time_machine.travel(NOW, tick=False):
            cls.summary = demo.seed(children_per_municipality=CHILDREN)

    def test_it_builds_the_same_rows_each_time(self) -> None:
        """The seed is deterministic: erased and seeded again on the same day, every row is the
        same (only the random UUID codes and the primary keys differ)."""
        first = _snapshot()
        try:
            with transaction.atomic(), time_machine.travel(NOW, tick=False):
                _erase_demo()
                self.assertFalse(Child.objects.exists())
                self.assertTrue(demo.seed(children_per_municipality=CHILDREN).created)
                second = _snapshot()
                raise _Rollback
        except _Rollback:
            pass
        for name in first:
            self.assertEqual(first[name], second[name], name)

    def test_it_builds_exact_counts(self) -> None:
        self.assertTrue(self.summary.created)
        counts = {
            model.__name__: model._default_manager.count()
            for model in [
                Municipality,
                Child,
                Case,
                Assignment,
                NetworkMember,
                Measure,
                Conversation,
                Statement,
                Decision,
                Handover,
            ]
        }
        self.assertEqual(
            counts,
            {
                "Municipality": 4,
                "Child": 280,
                "Case": 280,
                "Assignment": 346,
                "NetworkMember": 1003,
                "Measure": 362,
                "Conversation": 1393,
                "Statement": 2546,
                "Decision": 752,
                "Handover": 66,
            },
        )

    def test_it_satisfies_every_field_rule_and_constraint(self) -> None:
        """Check constraints were enforced by the database on insert; this checks what it does not
        enforce (lengths, choices, e-mail addresses) and the rules between rows."""
        models_: list[type[models.Model]] = [
            *[Child, Case, Assignment, NetworkMember, Measure],
            *[Conversation, Statement, Decision, Handover],
        ]
        for model in models_:
            # Foreign keys are left out: the database enforces them, and checking them here
            # would cost a query per row.
            relations = [f.name for f in model._meta.fields if f.is_relation]
            for obj in model._default_manager.all():
                obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
        self.assertFalse(Decision.objects.filter(child_heard=False, not_heard_reason="").exists())
        self.assertFalse(
            Decision.objects.filter(not_heard_reason="other", not_heard_note="").exists()
        )
        self.assertFalse(
            Decision.objects.filter(child_heard=True).exclude(not_heard_reason="").exists()
        )
        # Dates: after the birth and the opening of the case, not after it closed or today.
        for model, field in [
            (Measure, "started_on"),
            (Conversation, "held_on"),
            (Decision, "decided_on"),
        ]:
            rows = model._default_manager.all()
            self.assertFalse(rows.filter(**{f"{field}__lt": F("case__opened_on")}).exists())
            self.assertFalse(rows.filter(**{f"{field}__lt": F("case__child__birth_date")}).exists())
            self.assertFalse(rows.filter(**{f"{field}__gt": TODAY}).exists())
            self.assertFalse(rows.filter(**{f"{field}__gt": F("case__closed_on")}).exists())
        self.assertFalse(Measure.objects.filter(ended_on__gt=F("case__closed_on")).exists())
        self.assertFalse(
            Measure.objects.filter(case__status="closed", ended_on__isnull=True).exists()
        )
        # Placements start before the 18th birthday, aftercare after it.
        for kind, started_on, birth in Measure.objects.values_list(
            "kind", "started_on", "case__child__birth_date"
        ):
            if kind == "aftercare":
                self.assertGreaterEqual(age_on(birth, started_on), 18)
            elif kind in Measure.PLACEMENTS:
                self.assertLess(age_on(birth, started_on), 18)
        # A statement belongs to the conversation's child and day.
        self.assertFalse(Statement.objects.exclude(child=F("conversation__case__child")).exists())
        self.assertFalse(Statement.objects.exclude(said_on=F("conversation__held_on")).exists())
        self.assertFalse(
            Statement.objects.exclude(municipality=F("conversation__municipality")).exists()
        )
        # Conversations and decisions are written by the caseworker assigned on that day.
        for model, field in [(Conversation, "held_on"), (Decision, "decided_on")]:
            assigned = Assignment.objects.filter(
                case=OuterRef("case"),
                caseworker=OuterRef("created_by"),
                started_at__date__lte=OuterRef(field),
            ).filter(Q(ended_at__isnull=True) | Q(ended_at__date__gte=OuterRef(field)))
            self.assertFalse(model._default_manager.filter(~Exists(assigned)).exists())
        # Each Case has exactly one active assignment while open.
        self.assertFalse(
            Case.objects.filter(status="open")
            .annotate(active=Count("assignments", filter=Q(assignments__ended_at__isnull=True)))
            .exclude(active=1)
            .exists()
        )

    def test_it_writes_a_handover_at_each_change_of_caseworker(self) -> None:
        handed_over = Assignment.objects.filter(
            Exists(
                Assignment.objects.filter(case=OuterRef("case"), started_at=OuterRef("ended_at"))
            )
        )
        self.assertGreater(handed_over.count(), 20)
        self.assertEqual(Handover.objects.count(), handed_over.count())
        for assignment in handed_over:
            assert assignment.ended_at is not None
            handover = Handover.objects.get(
                case=assignment.case, handed_over_at=assignment.ended_at
            )
            self.assertEqual(handover.from_caseworker, assignment.caseworker)
            self.assertEqual(handover.written_by, assignment.caseworker)
            following = Assignment.objects.get(case=assignment.case, started_at=assignment.ended_at)
            self.assertEqual(handover.to_caseworker, following.caseworker)
            self.assertIn(assignment.case.child.first_name, handover.child_story)
            self.assertIn("»", handover.child_story)  # the child's own words, quoted

    def test_it_records_decisions_without_a_heard_child_with_reasons(self) -> None:
        """§ 5: a decision is "heard" exactly when a conversation lies within the 92 days before
        it; about a third are not, each with a reason."""
        decisions = Decision.objects.annotate(
            heard=Exists(
                Conversation.objects.filter(
                    case=OuterRef("case"),
                    held_on__lte=OuterRef("decided_on"),
                    held_on__gte=OuterRef("decided_on") - timedelta(days=92),
                )
            )
        )
        self.assertFalse(decisions.exclude(heard=F("child_heard")).exists())
        total = decisions.count()
        not_heard = decisions.filter(child_heard=False)
        self.assertTrue(0.2 < not_heard.count() / total < 0.4, not_heard.count() / total)
        reasons = Counter(not_heard.values_list("not_heard_reason", flat=True))
        self.assertEqual(set(reasons), {"declined", "maturity", "urgency", "other"})
        for birth, day in not_heard.filter(not_heard_reason="maturity").values_list(
            "case__child__birth_date", "decided_on"
        ):
            self.assertLess(age_on(birth, day), 7)
        counts = Counter(Decision.objects.values_list("case", flat=True)).values()
        self.assertEqual(min(counts), 1)
        self.assertTrue(Decision.objects.filter(kind="recommendation").exists())

    def test_it_has_a_spread_of_involvement_in_the_first_caseload(self) -> None:
        """roskilde-sb01's 62 open cases: placed and not, recently heard and never, and placed
        children clearly overdue (§ 95 follow-up, § 156 visits without staff present)."""
        cases = _sb01_open_cases()
        self.assertEqual(cases.count(), demo.FULL_CASELOAD)
        active_placements = Measure.objects.filter(
            case__in=cases, kind__in=Measure.PLACEMENTS, ended_on__isnull=True
        ).annotate(
            last_conversation=Max(
                "case__conversations__held_on",
                filter=Q(case__conversations__held_on__gte=F("started_on")),
            ),
            last_alone=Max(
                "case__conversations__held_on",
                filter=Q(case__conversations__without_staff_present=True),
            ),
        )
        self.assertGreaterEqual(active_placements.count(), 10)
        # Placed more than three months ago and not talked to since.
        no_follow_up = active_placements.filter(
            started_on__lt=TODAY - timedelta(days=92), last_conversation__isnull=True
        )
        self.assertGreaterEqual(no_follow_up.count(), 2)
        # The last conversation without staff present more than six months ago.
        visit_overdue = active_placements.filter(
            started_on__lt=TODAY - timedelta(days=183), last_alone__lt=TODAY - timedelta(days=183)
        )
        self.assertGreaterEqual(visit_overdue.count(), 2)
        visited = active_placements.filter(last_alone__gte=TODAY - timedelta(days=60))
        self.assertGreaterEqual(visited.count(), 3)
        last = dict(
            cases.annotate(last=Max("conversations__held_on")).values_list("reference", "last")
        )
        never = [ref for ref, day in last.items() if day is None]
        recent = [ref for ref, day in last.items() if day and day >= TODAY - timedelta(days=45)]
        stale = [ref for ref, day in last.items() if day and day < TODAY - timedelta(days=120)]
        self.assertGreaterEqual(len(never), 3)
        self.assertGreaterEqual(len(recent), 15)
        self.assertGreaterEqual(len(stale), 8)
        kinds = Counter(
            Measure.objects.filter(case__in=cases).values_list("kind", flat=True).distinct()
        )
        self.assertEqual(set(kinds), set(Measure.Kind.values))
        without_measures = cases.exclude(Exists(Measure.objects.filter(case=OuterRef("pk"))))
        self.assertGreaterEqual(without_measures.count(), 5)
        self.assertTrue(Decision.objects.filter(case__in=cases, child_heard=False).exists())
        self.assertTrue(Conversation.objects.filter(case__in=cases, had_bisidder=True).exists())

    def test_it_gives_one_case_of_the_first_caseworker_a_long_history(self) -> None:
        """The case page benchmark needs 300 timeline items on a real case."""
        case = _sb01_open_cases().get(reference=demo.LONG_HISTORY_REFERENCE)
        items = (
            case.conversations.count()
            + case.decisions.count()
            + case.measures.count()
            + case.handovers.count()
        )
        self.assertGreaterEqual(items, 300)
        self.assertEqual(case.handovers.count(), 3)
        self.assertEqual(case.assignments.count(), 4)
        self.assertTrue(case.decisions.filter(child_heard=False).exists())
        self.assertTrue(case.conversations.filter(without_staff_present=True).exists())

    def test_it_uses_fictitious_cprs(self) -> None:
        """Month digits 21–32 cannot belong to a real person."""
        for cpr, birth in Child.objects.values_list("cpr", "birth_date"):
            self.assertRegex(cpr, r"^[0-9]{10}$")
            self.assertIn(int(cpr[2:4]), range(21, 33))
            self.assertEqual(cpr[:6], demo.fictitious_cpr(birth, 0)[:6])

    def test_it_writes_the_childs_own_words(self) -> None:
        self.assertFalse(Statement.objects.filter(text__regex=r"^\s*$").exists())
        per_conversation = Conversation.objects.annotate(n=Count("statements"))
        self.assertFalse(per_conversation.filter(n=0).exists())
        self.assertFalse(per_conversation.filter(n__gt=3).exists())
        texts = set(Statement.objects.values_list("text", flat=True))
        self.assertGreaterEqual(len(texts), 35)
        sharing = Counter(Statement.objects.values_list("sharing", flat=True))
        self.assertEqual(set(sharing), set(Statement.Sharing.values))
        self.assertFalse(Decision.objects.filter(child_perspective="").exists())
        self.assertFalse(Decision.objects.filter(child_told_how="").exists())
        self.assertFalse(Handover.objects.filter(child_story="").exists())
        # What a child told the caseworker only is never quoted in a decision or a handover.
        secrets = set(Statement.objects.filter(sharing="caseworker").values_list("text", flat=True))
        shared = set(Statement.objects.exclude(sharing="caseworker").values_list("text", flat=True))
        for text in secrets - shared:
            self.assertFalse(Decision.objects.filter(child_perspective__contains=text).exists())
            self.assertFalse(Handover.objects.filter(child_story__contains=text).exists())

    @override_settings(DEBUG=True)
    def test_it_prints_the_long_history_reference(self) -> None:
        out = StringIO()
        call_command("seed_demo", stdout=out)
        self.assertIn("Demo data is already there.", out.getvalue())
        self.assertIn(demo.LONG_HISTORY_REFERENCE, out.getvalue())

    def test_it_writes_plans_letters_and_recommendations(self) -> None:
        """Issue 6: every open case of roskilde-sb01 has a plan (version 1 approved, a draft),
        the channel's demo children check in and read letters, one asks to be called, and every
        child with a decision has a recommendation that never quotes a caseworker-only word."""
        open_cases = Case.objects.filter(
            status=Case.Status.OPEN,
            assignments__caseworker__username="roskilde-sb01",
            assignments__ended_at__isnull=True,
        )
        self.assertEqual(Plan.objects.filter(case__in=open_cases).count(), open_cases.count())
        self.assertFalse(
            Plan.objects.exclude(versions__approved_at__isnull=False).exists(), "no approved v1"
        )
        self.assertFalse(
            Goal.objects.filter(child_words="", child_words_missing_reason="").exists()
        )
        self.assertTrue(GoalCheckIn.objects.exists())
        self.assertEqual(GoalProposal.objects.count(), 1)
        self.assertTrue(Letter.objects.filter(read_at__isnull=False).exists())
        self.assertTrue(Letter.objects.filter(read_at__isnull=True).exists())
        self.assertTrue(ChildMessage.objects.filter(kind="call_me", letter__isnull=False).exists())
        decided = Decision.objects.values("case_id").distinct().count()
        self.assertEqual(Recommendation.objects.count(), decided)
        self.assertTrue(Quote.objects.exists())
        self.assertFalse(Quote.objects.filter(statement__sharing="caseworker").exists())

    def test_it_writes_reflection_training_and_groups(self) -> None:
        """Issue 7: three implementation groups in every demo municipality with meetings and a
        follow-up item; Roskilde's reflections, a team session whose vignette names no child,
        a leaders' reflection, and the new caseworker's onboarding path half done."""
        self.assertEqual(Group.objects.count(), 3 * Municipality.objects.count())
        self.assertTrue(GroupMeeting.objects.exists())
        self.assertTrue(FollowUp.objects.filter(group_meeting__isnull=False).exists())
        self.assertTrue(Reflection.objects.filter(shared_with_team=True).exists())
        self.assertEqual(ReflectionSession.objects.filter(kind="leaders").count(), 1)
        names = set(Child.objects.values_list("first_name", flat=True)) | set(
            Child.objects.values_list("last_name", flat=True)
        )
        for vignette in Vignette.objects.all():
            words = set(vignette.text.replace(".", " ").replace(",", " ").split())
            self.assertFalse(words & names, vignette.text)
        steps = OnboardingStep.objects.filter(membership__user__username="roskilde-ny")
        self.assertTrue(steps.exists())
        self.assertTrue(steps.filter(completed_at__isnull=True).exists())
        self.assertTrue(steps.filter(completed_at__isnull=False).exists())
