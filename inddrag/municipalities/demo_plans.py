"""The demo world's plans, letters and recommendations (`manage.py seed_demo`, issue 6):

- a plan for each open case of roskilde-sb01 (version 1 approved, a draft with one goal changed
  for some), goals in the child's own words, one proposed by the child;
- the demo children of the child channel (inddrag/portal/demo.py) check in on their goals, and
  one of them proposes a goal;
- letters to the demo children, one read, one unread, one with "ring til mig";
- a recommendation to the committee for every demo child with a decision, quoting up to two of
  the child's statements that the child agreed may stand in the case (never caseworker-only).
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.children.models import Assignment, Case
from inddrag.conversations.models import Statement
from inddrag.decisions.models import Decision
from inddrag.letters.models import Letter, Quote, Recommendation
from inddrag.plans.models import Area, Goal, GoalCheckIn, GoalProposal, Plan, PlanVersion
from inddrag.portal.models import ChildMessage

GOALS = [  # area, the child's words, the caseworker's description, who does what
    (
        Area.SCHOOL,
        "Jeg vil gerne blive i min klasse og have det godt med de andre.",
        "Barnet skal have støtte i klassen, så det kan blive i sin skole.",
        "Skolen: en støttelærer 4 timer om ugen. Sagsbehandleren: møde med skolen hver 3. måned.",
    ),
    (
        Area.FAMILY,
        "Jeg vil gerne se min lillebror hver weekend.",
        "Samvær med søskende hver anden weekend, og mere hvis det går godt.",
        "Plejefamilien kører. Sagsbehandleren aftaler med forældrene.",
    ),
    (
        Area.LEISURE,
        "Jeg vil gerne begynde til fodbold igen.",
        "Barnet skal have en fast fritidsaktivitet med jævnaldrende.",
        "Kontaktpersonen følger med de første gange. Kommunen betaler kontingentet.",
    ),
    (
        Area.WELLBEING,
        "Jeg vil gerne kunne sove om natten.",
        "Barnet skal have samtaler med en psykolog om søvn og uro.",
        "Sagsbehandleren henviser til PPR. Plejemor hjælper med en fast aftenrutine.",
    ),
]
LETTERS = [  # subject, body
    (
        "Vi ses på torsdag",
        "Hej {name}\n\nVi ses på torsdag klokken 14 på din skole. Vi skal tale om, hvordan du "
        "har det, og hvad du gerne vil.\n\nDu må gerne tage en voksen med, som du stoler på.\n\n"
        "Hilsen {caseworker}",
    ),
    (
        "Det har vi besluttet",
        "Hej {name}\n\nVi har sagt ja til, at du kan få en kontaktperson. En kontaktperson er "
        "en voksen, som du kan tale med og lave ting sammen med.\n\nI skal ses en gang om ugen. "
        "Hvis du ikke er glad for det, så skriv til mig i Inddrag.\n\nHilsen {caseworker}",
    ),
]


def seed_plans_and_letters(*, seed: int = 2026, demo_cases: list[Case]) -> None:
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    caseworker_of = {
        a.case_id: a.caseworker
        for a in Assignment.objects.filter(
            caseworker__username="roskilde-sb01", ended_at__isnull=True
        ).select_related("caseworker")
    }
    cases = list(
        Case.objects.filter(pk__in=caseworker_of, status=Case.Status.OPEN)
        .select_related("child")
        .order_by("reference")
    )
    _plans(rng, cases, caseworker_of, now=now, today=today, demo={c.pk for c in demo_cases})
    _letters(demo_cases, caseworker_of, now=now)
    _recommendations(now=now)


def _plans(
    rng: random.Random,
    cases: list[Case],
    caseworker_of: dict[int, User],
    *,
    now: datetime,
    today: date,
    demo: set[int],
) -> None:
    plans = [
        Plan(municipality_id=c.municipality_id, case=c, created_by=caseworker_of[c.pk])
        for c in cases
    ]
    Plan.objects.bulk_create(plans)
    approved, drafts, goals = [], [], []
    for i, plan in enumerate(plans):
        by = caseworker_of[plan.case_id]
        first = PlanVersion(
            municipality_id=plan.municipality_id,
            plan=plan,
            number=1,
            approved_at=now - timedelta(days=60 + i),
            approved_by=by,
        )
        draft = PlanVersion(municipality_id=plan.municipality_id, plan=plan, number=2)
        approved.append(first)
        drafts.append(draft)
    PlanVersion.objects.bulk_create(approved + drafts)
    check_ins: list[GoalCheckIn] = []
    proposals: list[GoalProposal] = []
    for i, (plan, first, draft) in enumerate(zip(plans, approved, drafts, strict=True)):
        chosen = rng.sample(GOALS, 3)
        for position, (area, words, description, who) in enumerate(chosen):
            key = uuid.uuid4()
            review_on = today + timedelta(days=rng.randint(20, 120))
            for version in (first, draft):
                changed = version is draft and position == 0 and i % 3 == 0
                goals.append(
                    Goal(
                        municipality_id=plan.municipality_id,
                        version=version,
                        key=key,
                        area=area,
                        child_words=words,
                        description=description + (" Også i frikvartererne." if changed else ""),
                        who_does_what=who,
                        review_on=review_on,
                        proposed_by_child=position == 2,
                        position=position,
                    )
                )
            if plan.case_id in demo:
                check_ins.append(
                    GoalCheckIn(
                        municipality_id=plan.municipality_id,
                        plan=plan,
                        child_id=plan.case.child_id,
                        goal_key=key,
                        rating=rng.choice([2, 3, 4, 4, 5]),
                        comment=rng.choice(["", "Det går bedre nu.", "Det er stadig svært."]),
                        checked_in_at=now - timedelta(days=rng.randint(1, 25)),
                        submit_token=uuid.uuid4(),
                    )
                )
        if plan.case_id in demo and not proposals:
            proposals.append(
                GoalProposal(
                    municipality_id=plan.municipality_id,
                    plan=plan,
                    child_id=plan.case.child_id,
                    child_words="Jeg vil gerne lære at cykle til skole selv.",
                    proposed_at=now - timedelta(days=2),
                    submit_token=uuid.uuid4(),
                )
            )
    Goal.objects.bulk_create(goals, batch_size=1000)
    GoalCheckIn.objects.bulk_create(check_ins)
    GoalProposal.objects.bulk_create(proposals)


def _letters(demo_cases: list[Case], caseworker_of: dict[int, User], *, now: datetime) -> None:
    letters = []
    for i, case in enumerate(demo_cases):
        by = caseworker_of[case.pk]
        subject, body = LETTERS[i % len(LETTERS)]
        sent = now - timedelta(days=3 + i)
        letters.append(
            Letter(
                municipality_id=case.municipality_id,
                case=case,
                recipient=case.child.first_name,
                subject=subject,
                body=body.format(name=case.child.first_name, caseworker=by),
                lix=22,
                created_by=by,
                sent_at=sent,
                sent_by=by,
                read_at=sent + timedelta(hours=5) if i % 2 == 0 else None,
            )
        )
    Letter.objects.bulk_create(letters)
    if letters:  # the second demo child did not understand the letter
        letter = letters[min(1, len(letters) - 1)]
        ChildMessage.objects.create(
            municipality_id=letter.municipality_id,
            child_id=letter.case.child_id,
            case=letter.case,
            kind=ChildMessage.Kind.CALL_ME,
            letter=letter,
            text="Jeg forstår ikke, hvad en kontaktperson er.",
            sent_at=now - timedelta(hours=3),
            submit_token=uuid.uuid4(),
        )


def _recommendations(*, now: datetime) -> None:
    """One recommendation per demo case with a decision, quoting up to two statements the child
    agreed may stand in the case."""
    decided = Decision.objects.values_list("case_id", flat=True).distinct()
    cases = list(
        Case.objects.filter(pk__in=decided)
        .select_related("child")
        .prefetch_related("assignments__caseworker")
        .order_by("pk")
    )
    words: dict[int, list[int]] = {}
    shared = Statement.objects.filter(
        ~Q(sharing=Statement.Sharing.CASEWORKER), conversation__case__in=decided
    ).order_by("-said_on", "pk")
    for case_id, statement_id in shared.values_list("conversation__case_id", "pk"):
        words.setdefault(case_id, [])
        if len(words[case_id]) < 2:
            words[case_id].append(statement_id)
    recommendations = []
    for case in cases:
        by = max(case.assignments.all(), key=lambda a: a.started_at).caseworker
        recommendations.append(
            Recommendation(
                municipality_id=case.municipality_id,
                case=case,
                title="Fortsat støtte til barnet",
                recommendation=(
                    "Forvaltningen indstiller, at den nuværende støtte fortsætter i et år, og at "
                    "den følges op om seks måneder."
                ),
                child_perspective=(
                    f"{case.child.first_name} er glad for støtten og vil gerne fortsætte. "
                    "Barnet ønsker især at blive i sin skole."
                ),
                involvement="Børnesamtaler med barnet, senest inden afgørelsen.",
                created_by=by,
                created_at=now,
            )
        )
    Recommendation.objects.bulk_create(recommendations, batch_size=1000)
    Quote.objects.bulk_create(
        (
            Quote(
                municipality_id=r.municipality_id,
                recommendation=r,
                statement_id=statement_id,
                position=position,
            )
            for r in recommendations
            for position, statement_id in enumerate(words.get(r.case_id, []))
        ),
        batch_size=1000,
    )
