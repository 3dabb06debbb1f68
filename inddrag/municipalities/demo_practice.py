"""The demo world's reflection, training and implementation groups (`manage.py seed_demo`, issue
7): personal reflections of Roskilde's caseworkers (some shared with the team), a team session
of Team Nord with a vignette built by the pseudonymisation function and agreements that became
follow-up items, a leaders' quarterly reflection, the three implementation groups of every demo
municipality with meetings, a few posts in the dialogue space, attendance at training sessions,
and onboarding paths (the new caseworker roskilde-ny has one, half done)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.children.models import Case
from inddrag.implementation.models import DialoguePost, Group, GroupMeeting
from inddrag.municipalities.models import Membership, Municipality
from inddrag.reflection.models import (
    FollowUp,
    Reflection,
    ReflectionModel,
    ReflectionSession,
    Vignette,
)
from inddrag.reflection.vignettes import make_vignette
from inddrag.training.models import Attendance, Module, OnboardingStep, TrainingSession
from inddrag.training.services import start_onboarding

ANSWERS = [
    "Hun sagde, at hun savner sin hund, når hun er hos plejefamilien.",
    "Jeg lod ham vælge, hvor vi skulle sidde, og spurgte først til fodbold.",
    "Jeg vil skrive kortere breve og læse dem op for ham.",
    "Han fortalte om skolen, da vi gik en tur i stedet for at sidde på kontoret.",
    "Jeg skal huske at spørge, hvem der ikke må høre det, barnet siger.",
]
RHYTHM_DAYS: dict[str, int] = {
    Group.Kind.STEERING: 90,
    Group.Kind.COORDINATION: 30,
    Group.Kind.TRAINING: 110,
}
GROUP_NAMES: dict[str, str] = {
    Group.Kind.STEERING: "Styregruppen for Inddrag",
    Group.Kind.COORDINATION: "Koordinationsgruppen",
    Group.Kind.TRAINING: "Uddannelsesgruppen",
}


def seed_practice(*, seed: int = 2026) -> None:
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    for municipality in Municipality.objects.order_by("pk"):
        memberships = list(
            Membership.objects.filter(municipality=municipality, ended_at__isnull=True)
            .select_related("user", "unit")
            .order_by("pk")
        )
        caseworkers = [m for m in memberships if m.role == Membership.Role.CASEWORKER]
        leaders = [m for m in memberships if m.role == Membership.Role.LEADER]
        admins = [m for m in memberships if m.role == Membership.Role.ADMIN]
        _groups(municipality, leaders + admins, rng)
        if municipality.municipality_code != "265":
            continue  # the rest of the practice demo is Roskilde's
        personal = ReflectionModel.objects.filter(use="personal").order_by("pk").first()
        team = ReflectionModel.objects.filter(use="team").order_by("pk").first()
        leaders_model = ReflectionModel.objects.filter(use="leaders").order_by("pk").first()
        if personal is None or team is None or leaders_model is None:
            raise RuntimeError("The default reflection models are missing (a data migration)")
        Reflection.objects.bulk_create(
            Reflection(
                municipality=municipality,
                author=m.user,
                unit=m.unit,
                model=personal,
                answers=[
                    {"question": q, "answer": rng.choice(ANSWERS)} for q in personal.questions
                ],
                self_rating=rng.choice([None, 3, 4, 4, 5]),
                shared_with_team=rng.random() < 0.4,
            )
            for m in caseworkers[:12]
            for _ in range(rng.randint(1, 4))
        )
        nord = leaders[0]
        session = ReflectionSession.objects.create(
            municipality=municipality,
            unit=nord.unit,
            kind=ReflectionSession.Kind.TEAM,
            held_on=today - timedelta(days=14),
            title="Barnets stemme i netværksmøder",
            model=team,
            notes="Vi talte om, hvordan barnet kan forberede sig til netværksmøder.",
            themes="netværksmøder, forberedelse",
            planned_by=nord.user,
        )
        session.participants.set(
            [m.user for m in caseworkers if m.unit_id == nord.unit_id][:6] + [nord.user]
        )
        case = (
            Case.objects.filter(unit=nord.unit, status=Case.Status.OPEN)
            .order_by("reference")
            .first()
        )
        if case is not None:
            Vignette.objects.create(
                municipality=municipality,
                session=session,
                title="Vignet: et barn i plejefamilie",
                text=make_vignette(case),
                created_by=nord.user,
            )
        FollowUp.objects.bulk_create(
            [
                FollowUp(
                    municipality=municipality,
                    session=session,
                    text="Alle netværksmøder forberedes med barnet i Inddrag.",
                    owner=nord.user,
                    due_on=today + timedelta(days=30),
                ),
                FollowUp(
                    municipality=municipality,
                    session=session,
                    text="Vi deler en god forberedelse på næste teammøde.",
                    owner=caseworkers[0].user,
                    due_on=today + timedelta(days=14),
                    done_at=now - timedelta(days=2),
                ),
            ]
        )
        quarterly = ReflectionSession.objects.create(
            municipality=municipality,
            kind=ReflectionSession.Kind.LEADERS,
            held_on=today - timedelta(days=40),
            title="Kvartalsrefleksion: hører vi børnene før afgørelser?",
            model=leaders_model,
            notes="Andelen af afgørelser med en børnesamtale er steget.",
            themes="afgørelser, børnesamtaler",
            planned_by=admins[0].user if admins else nord.user,
        )
        quarterly.participants.set([m.user for m in leaders + admins])
        _training(municipality, caseworkers, nord.user, rng)


def _groups(municipality: Municipality, coordinators: list[Membership], rng: random.Random) -> None:
    day = timezone.localdate()
    groups = [
        Group(municipality=municipality, kind=kind, name=GROUP_NAMES[kind]) for kind in Group.Kind
    ]
    Group.objects.bulk_create(groups)
    for group in groups:
        group.members.set([m.user for m in coordinators])
        by = coordinators[0].user
        meetings = [
            GroupMeeting(
                municipality=municipality,
                group=group,
                held_on=day - timedelta(days=RHYTHM_DAYS[group.kind] * n + rng.randint(0, 10)),
                agenda="Status på inddragelse af børn. Næste skridt i implementeringen.",
                decisions="Vi fortsætter med forberedte møder i alle teams.",
                created_by=by,
            )
            for n in range(1, 3)
        ]
        GroupMeeting.objects.bulk_create(meetings)
        FollowUp.objects.create(
            municipality=municipality,
            group_meeting=meetings[0],
            text="Tal med teamlederne om refleksionsmøderne.",
            owner=by,
            due_on=day + timedelta(days=20),
        )
    if coordinators:
        DialoguePost.objects.create(
            municipality=municipality,
            group_kind=Group.Kind.COORDINATION,
            title="Det virkede for os: børnene vælger mødested",
            text=(
                "Da vi lod børnene vælge, hvor møderne skulle holdes, kom flere til mødet og "
                "sagde mere. Vi bruger forberedelsen i Inddrag til det."
            ),
            author=coordinators[0].user,
        )


def _training(
    municipality: Municipality,
    caseworkers: list[Membership],
    leader: User,
    rng: random.Random,
) -> None:
    day = timezone.localdate()
    modules = list(Module.objects.filter(municipality__isnull=True).order_by("position", "pk"))
    sessions = [
        TrainingSession.objects.create(
            municipality=municipality,
            module=module,
            held_on=day - timedelta(days=30 * (i + 1)),
            place="Rådhuset, mødelokale 1",
            created_by=leader,
        )
        for i, module in enumerate(modules[:3])
    ]
    Attendance.objects.bulk_create(
        Attendance(municipality=municipality, session=session, user=m.user)
        for session in sessions
        for m in caseworkers[:10]
        if rng.random() < 0.7
    )
    newcomer = next((m for m in caseworkers if m.user.username == "roskilde-ny"), None)
    if newcomer is not None:
        start_onboarding(newcomer)
        steps = list(OnboardingStep.objects.filter(membership=newcomer).order_by("position"))
        for step in steps[: len(steps) // 2]:
            step.completed_at = timezone.now() - timedelta(days=3)
        OnboardingStep.objects.bulk_update(steps, ["completed_at"])
