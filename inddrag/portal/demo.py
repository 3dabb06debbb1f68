"""The child channel's part of the demo world (`manage.py seed_demo`): children of roskilde-sb01's
caseload with access to the child channel, their meetings, preparations, summaries, feedback and
messages; and meetings with the children's feedback across the municipality, for the leaders'
feedback figures.

A demo child signs in on a phone with a fresh code from `manage.py demo_child_code REFERENCE`
(codes are single use and valid 72 hours, so none is kept in the demo data) and the PIN
DEMO_CHILD_PIN."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from inddrag.children.models import Assignment, Case
from inddrag.conversations.models import (
    Meeting,
    MeetingFeedback,
    MeetingPreparation,
    PreparationAnswer,
)
from inddrag.portal.models import ChildAccess, ChildMessage

DEMO_CASEWORKER = "roskilde-sb01"
DEMO_CHILD_PIN = "7391"
DEMO_CHILDREN = 5
FEEDBACK_MEETINGS = 240  # past meetings with the child's feedback across Roskilde's caseworkers

Q = PreparationAnswer.Question
PREPARED = [  # question, text, choice, shared
    (Q.TOPICS, "Jeg vil gerne tale om, hvornår jeg kan se min lillebror.", "", True),
    (Q.GOING_WELL, "Fodbold går godt. Vi vandt i lørdags.", "", True),
    (Q.HARD, "Det er svært at sove, når der er larm om aftenen.", "", False),
    (Q.NOT_TALK, "Min mor skal ikke høre det om skolen.", "", False),
    (Q.WHO_WITH, "Min kontaktperson Sara.", "", True),
    (Q.WHERE, "", "school", True),
    (Q.BISIDDER, "", "no", True),
]
SUMMARIES = [
    "Vi talte om skolen. Du vil gerne blive i din klasse. Det er vi enige om. "
    "Vi ses igen om tre måneder.",
    "Du fortalte, at du savner din lillebror. Vi aftalte, at I ses hver anden weekend. "
    "Sara hjælper med at køre dig.",
    "Vi talte om, hvordan det går hjemme. Du har det bedre nu. "
    "Du kan altid skrive til mig her, hvis noget bliver svært.",
]
FEEDBACK_TEXTS = [
    "Det var godt, at jeg selv måtte vælge, hvor vi skulle mødes.",
    "Jeg forstod ikke helt, hvad der skal ske med skolen.",
    "",
    "Jeg vil gerne have, at det går lidt hurtigere næste gang.",
    "",
]


def demo_cases(caseworker: str = DEMO_CASEWORKER) -> list[Case]:
    """The demo children's cases: open cases of the demo caseworker with a child of 10-17, in
    a fixed order (the case reference), not the case with the long history."""
    from inddrag.municipalities.demo import LONG_HISTORY_REFERENCE

    today = timezone.localdate()
    cases = (
        Case.objects.filter(
            status=Case.Status.OPEN,
            assignments__caseworker__username=caseworker,
            assignments__ended_at__isnull=True,
            child__birth_date__lte=_years_before(today, 10),
            child__birth_date__gt=_years_before(today, 18),
        )
        .exclude(reference=LONG_HISTORY_REFERENCE)
        .select_related("child", "municipality")
        .order_by("reference")
    )
    return list(cases[:DEMO_CHILDREN])


def demo_child_access(index: int = 0) -> ChildAccess:
    """A demo child's access: 0 has sent the preparation of the next meeting, 1 is writing it,
    2 has not begun (the bench uses them)."""
    case = demo_cases()[index]
    return ChildAccess.objects.select_related("child").get(child_id=case.child_id)


def upcoming_meeting(access: ChildAccess, *, now: datetime) -> Meeting:
    return Meeting.objects.filter(
        case__child_id=access.child_id, starts_at__gte=now, child_invited=True
    ).order_by("starts_at").first() or Meeting.objects.filter(
        case__child_id=access.child_id
    ).latest("starts_at")


def seed_channel(*, seed: int = 2026) -> list[Case]:
    """Write the channel's demo data; returns the demo children's cases."""
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    cases = demo_cases()
    pin_hash = make_password(DEMO_CHILD_PIN)
    caseworker_of = {
        a.case_id: a.caseworker
        for a in Assignment.objects.filter(case__in=cases, ended_at__isnull=True).select_related(
            "caseworker"
        )
    }
    ChildAccess.objects.bulk_create(
        ChildAccess(
            municipality_id=case.municipality_id,
            child_id=case.child_id,
            pin_hash=pin_hash,
            created_by=caseworker_of[case.pk],
            simple_mode=i == 4,  # one younger-style child uses the simple mode
            about_me=(
                "Jeg hedder det, jeg hedder, og jeg elsker fodbold og min hund. "
                "Jeg kan bedst lide at tale, når vi går en tur."
                if i == 0
                else ""
            ),
            about_me_updated_at=now - timedelta(days=30) if i == 0 else None,
        )
        for i, case in enumerate(cases)
    )
    meetings, preparations, answers, feedbacks, messages = [], [], [], [], []
    for i, case in enumerate(cases):
        caseworker = caseworker_of[case.pk]
        upcoming = Meeting(
            municipality_id=case.municipality_id,
            case=case,
            kind=Meeting.Kind.CHILD_CONVERSATION,
            starts_at=_at(today + timedelta(days=3 + i), 14),
            place=["Skolen", "Rådhuset, mødelokale 2", "Hjemme hos dig"][i % 3],
            created_by=caseworker,
        )
        past = Meeting(
            municipality_id=case.municipality_id,
            case=case,
            kind=Meeting.Kind.NETWORK if i % 2 else Meeting.Kind.CHILD_CONVERSATION,
            starts_at=_at(today - timedelta(days=20 + i), 10),
            place="Rådhuset",
            status=Meeting.Status.HELD,
            notes="Mødet holdt som planlagt.",
            summary=SUMMARIES[i % len(SUMMARIES)],
            summary_written_at=_at(today - timedelta(days=19 + i), 9),
            created_by=caseworker,
        )
        meetings += [upcoming, past]
        if i in (0, 1):  # 0 sent the preparation, 1 is still writing it
            preparations.append(
                MeetingPreparation(
                    municipality_id=case.municipality_id,
                    meeting=upcoming,
                    child_id=case.child_id,
                    submitted_at=now - timedelta(hours=20) if i == 0 else None,
                    submit_token=uuid.uuid4() if i == 0 else None,
                )
            )
        if i in (0, 1, 3):
            feedbacks.append(
                MeetingFeedback(
                    municipality_id=case.municipality_id,
                    meeting=past,
                    child_id=case.child_id,
                    felt_heard=[5, 3, 4][(0, 1, 3).index(i)],
                    understood=[4, 2, 5][(0, 1, 3).index(i)],
                    text=FEEDBACK_TEXTS[i],
                    given_at=_at(today - timedelta(days=18 + i), 16),
                    submit_token=uuid.uuid4(),
                )
            )
        message = ChildMessage(
            municipality_id=case.municipality_id,
            child_id=case.child_id,
            case=case,
            submit_token=uuid.uuid4(),
        )
        if i == 0:  # answered
            message.text = "Kan vi mødes på skolen i stedet for på rådhuset?"
            message.sent_at = now - timedelta(days=6)
            message.answer = "Ja, det kan vi godt. Jeg kommer til skolen på torsdag."
            message.answered_at = now - timedelta(days=5)
            message.answered_by = caseworker
        elif i == 1:  # waiting for more than 2 working days: overdue on the caseload
            message.text = "Hvornår må jeg besøge min far igen?"
            message.sent_at = now - timedelta(days=6)
        elif i == 2:
            message.kind = ChildMessage.Kind.BISIDDER
            message.text = "Min træner Jonas."
            message.sent_at = now - timedelta(hours=5)
        elif i == 3:  # urgent: at the very top of the caseload
            message.kind = ChildMessage.Kind.UNSAFE
            message.sent_at = now - timedelta(hours=1)
        else:
            continue
        messages.append(message)
    Meeting.objects.bulk_create(meetings)
    for preparation in preparations:
        preparation.meeting_id = preparation.meeting.pk
    MeetingPreparation.objects.bulk_create(preparations)
    for preparation in preparations:
        for question, text, choice, shared in PREPARED[: 7 if preparation.submitted_at else 3]:
            answers.append(
                PreparationAnswer(
                    municipality_id=preparation.municipality_id,
                    preparation=preparation,
                    question=question,
                    text=text,
                    choice=choice,
                    shared=shared,
                )
            )
    PreparationAnswer.objects.bulk_create(answers)
    for feedback in feedbacks:
        feedback.meeting_id = feedback.meeting.pk
    MeetingFeedback.objects.bulk_create(feedbacks)
    ChildMessage.objects.bulk_create(messages)
    _seed_feedback_across(rng, today=today, skip={case.pk for case in cases})
    return cases


def _seed_feedback_across(rng: random.Random, *, today: date, skip: set[int]) -> None:
    """Past meetings with summaries and the children's feedback, spread over Roskilde's
    caseworkers and the last six months, so the leaders' feedback figures have data."""
    assignments = list(
        Assignment.objects.filter(
            case__municipality__municipality_code="265",
            case__status=Case.Status.OPEN,
            ended_at__isnull=True,
        )
        .exclude(case_id__in=skip)
        .select_related("case")
        .order_by("case__reference")[:FEEDBACK_MEETINGS]
    )
    meetings, feedbacks = [], []
    for assignment in assignments:
        case = assignment.case
        day = today - timedelta(days=rng.randint(5, 180))
        meeting = Meeting(
            municipality_id=case.municipality_id,
            case=case,
            kind=rng.choice(list(Meeting.Kind)),
            starts_at=_at(day, rng.choice([9, 10, 13, 15])),
            place="Rådhuset",
            status=Meeting.Status.HELD,
            summary=rng.choice(SUMMARIES),
            summary_written_at=_at(day + timedelta(days=1), 12),
            created_by_id=assignment.caseworker_id,
        )
        meetings.append(meeting)
        if rng.random() < 0.7:  # not every child answers
            heard = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 6, 5])[0]
            feedbacks.append(
                MeetingFeedback(
                    municipality_id=case.municipality_id,
                    meeting=meeting,
                    child_id=case.child_id,
                    felt_heard=heard,
                    understood=max(1, min(5, heard + rng.choice([-1, 0, 0, 1]))),
                    text=rng.choice(FEEDBACK_TEXTS),
                    given_at=_at(day + timedelta(days=2), 17),
                    submit_token=uuid.uuid4(),
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=500)
    for feedback in feedbacks:
        feedback.meeting_id = feedback.meeting.pk
    MeetingFeedback.objects.bulk_create(feedbacks, batch_size=500)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
