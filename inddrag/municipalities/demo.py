"""The demo world: the four municipalities of Bedre Børneinddragelse with obviously fictitious
people. Deterministic: the same seed gives the same rows, so tests, benchmarks and screenshots
agree.

Fictitious CPR numbers: the month digits are the birth month + 20 (21–32). No real CPR number has
a month above 12 (replacement numbers change the day, never the month), so none of these can
belong to a real person, while the first six digits still read as the birth date plus 20 months.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from inddrag.accounts.models import User
from inddrag.children.models import Assignment, Case, Child
from inddrag.municipalities.models import Membership, Municipality, Unit

DEMO_PASSWORD = "demo-inddrag-2026"
# Every demo account shares this TOTP secret (hex), so a tester can add it to an authenticator app
# once (base32 in the README) or ask `manage.py demo_totp` for the current code.
DEMO_TOTP_KEY = hashlib.sha1(b"inddrag-demo-totp").hexdigest()

MUNICIPALITIES = [  # name, CVR, municipality code
    ("Roskilde Kommune", "29189404", "265"),
    ("Tårnby Kommune", "20310413", "185"),
    ("Faxe Kommune", "29188548", "320"),
    ("Herning Kommune", "29189854", "657"),
]
UNITS = ["Børn og Unge, Team Nord", "Børn og Unge, Team Syd", "Ungeteamet (15–23 år)"]
CASEWORKERS_PER_MUNICIPALITY = 30
CHILDREN_PER_MUNICIPALITY = 1500
# The first caseworker of each municipality has a full caseload, as the benchmark asks for.
FULL_CASELOAD = 62

FIRST_NAMES = [
    "Emma",
    "Noah",
    "Ida",
    "Oscar",
    "Freja",
    "William",
    "Alma",
    "Karl",
    "Clara",
    "Lucas",
    "Ella",
    "Victor",
    "Agnes",
    "Malthe",
    "Sofia",
    "Alfred",
    "Asta",
    "Elias",
    "Karla",
    "Magnus",
    "Liva",
    "Aksel",
    "Olivia",
    "Anton",
    "Josefine",
    "Emil",
    "Ellen",
    "Felix",
    "Nora",
    "Valdemar",
    "Luna",
    "Storm",
    "Mathilde",
    "Carl",
    "Ronja",
    "Theo",
    "Esther",
    "Bertram",
    "Maja",
    "Hjalte",
    "Yasmin",
    "Ali",
    "Sara",
    "Omar",
    "Leyla",
    "Mikkel",
    "Sofie",
    "Ahmed",
    "Nadia",
    "Jonas",
]
FICTIONAL_SURNAMES = [
    "Fiktivsen",
    "Prøvesen",
    "Opdigtsen",
    "Demosen",
    "Eksempelgaard",
    "Testrup",
    "Skrøneby",
    "Fantasholm",
    "Eventyrsen",
    "Påhitsen",
    "Drømmegaard",
    "Legeby",
    "Fabelsen",
    "Forsøgsholm",
    "Modelgaard",
    "Prøveby",
    "Kladdesen",
    "Skitsegaard",
    "Udkastrup",
    "Øvelsesen",
]
STAFF_FIRST = [
    "Anne",
    "Lars",
    "Mette",
    "Peter",
    "Hanne",
    "Søren",
    "Louise",
    "Jens",
    "Camilla",
    "Morten",
    "Pia",
    "Rasmus",
    "Tina",
    "Henrik",
    "Sanne",
    "Thomas",
    "Lene",
    "Martin",
    "Maria",
    "Kasper",
]
LANGUAGES = ["da"] * 17 + ["ar", "so", "uk", "en", "tr"]


@dataclass
class DemoSummary:
    created: bool
    logins: list[tuple[str, str]]


def fictitious_cpr(birth_date: date, serial: int) -> str:
    return f"{birth_date.day:02d}{birth_date.month + 20:02d}{birth_date.year % 100:02d}{serial:04d}"


def slug(name: str) -> str:
    return name.split()[0].lower().replace("å", "aa").replace("ø", "oe").replace("æ", "ae")


def demo_logins() -> list[tuple[str, str]]:
    rows = []
    for name, _cvr, _code in MUNICIPALITIES:
        s = slug(name)
        rows += [
            (f"{s}-sb01", f"sagsbehandler, {name}, {FULL_CASELOAD} åbne sager"),
            (f"{s}-leder1", f"leder, {name}, Team Nord"),
            (f"{s}-admin", f"kommune-administrator, {name}"),
        ]
    rows.append(
        ("roskilde-ny", "ny sagsbehandler uden godkendelses-app (viser tilknytning med QR-kode)")
    )
    return rows


@transaction.atomic
def seed(*, seed: int = 2026) -> DemoSummary:
    if Municipality.objects.filter(cvr=MUNICIPALITIES[0][1]).exists():
        return DemoSummary(created=False, logins=demo_logins())
    rng = random.Random(seed)
    password = make_password(DEMO_PASSWORD)  # hashed once: Argon2 takes ~0.1 s per hash
    now = timezone.now()
    today = timezone.localdate()
    users: list[User] = []
    memberships: list[Membership] = []
    worlds = []
    for name, cvr, code in MUNICIPALITIES:
        municipality = Municipality.objects.create(name=name, cvr=cvr, municipality_code=code)
        units = [Unit.objects.create(municipality=municipality, name=u) for u in UNITS]
        s = slug(name)

        def person(username: str, index: int, s: str = s) -> User:
            user = User(
                username=username,
                password=password,
                first_name=STAFF_FIRST[index % len(STAFF_FIRST)],
                last_name=FICTIONAL_SURNAMES[(index * 7 + len(s)) % len(FICTIONAL_SURNAMES)],
                email=f"{username}@example.com",
            )
            users.append(user)
            return user

        caseworkers = []
        for i in range(CASEWORKERS_PER_MUNICIPALITY):
            user = person(f"{s}-sb{i + 1:02d}", i)
            caseworkers.append((user, units[i % len(units)]))
            memberships.append(
                Membership(
                    user=user,
                    municipality=municipality,
                    unit=units[i % len(units)],
                    role=Membership.Role.CASEWORKER,
                )
            )
        for i, unit in enumerate(units):
            user = person(f"{s}-leder{i + 1}", 100 + i)
            memberships.append(
                Membership(
                    user=user, municipality=municipality, unit=unit, role=Membership.Role.LEADER
                )
            )
        admin = person(f"{s}-admin", 200)
        memberships.append(
            Membership(user=admin, municipality=municipality, role=Membership.Role.ADMIN)
        )
        if s == "roskilde":
            newcomer = person("roskilde-ny", 300)
            memberships.append(
                Membership(
                    user=newcomer,
                    municipality=municipality,
                    unit=units[0],
                    role=Membership.Role.CASEWORKER,
                )
            )
        worlds.append((municipality, units, caseworkers))
    User.objects.bulk_create(users)
    Membership.objects.bulk_create(memberships)
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=u, name="demo", key=DEMO_TOTP_KEY, confirmed=True)
        for u in users
        if u.username != "roskilde-ny"
    )

    children: list[Child] = []
    cases: list[Case] = []
    owners: list[tuple[User, User | None, datetime]] = []
    for municipality, _units, caseworkers in worlds:
        for i in range(CHILDREN_PER_MUNICIPALITY):
            # The first FULL_CASELOAD children go to caseworker 1; the rest are spread evenly.
            index = 0 if i < FULL_CASELOAD else 1 + (i - FULL_CASELOAD) % (len(caseworkers) - 1)
            caseworker, unit = caseworkers[index]
            age_days = rng.randint(6 * 365, 22 * 365)
            birth = today - timedelta(days=age_days)
            child = Child(
                municipality=municipality,
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(FICTIONAL_SURNAMES),
                birth_date=birth,
                cpr=fictitious_cpr(birth, 1000 + i),
                has_protected_address=rng.random() < 0.02,
                preferred_language=rng.choice(LANGUAGES),
            )
            children.append(child)
            opened = today - timedelta(days=rng.randint(30, min(age_days, 6 * 365)))
            closed = i >= FULL_CASELOAD and rng.random() < 0.1
            seq = i + 1
            cases.append(
                Case(
                    municipality=municipality,
                    unit=unit,
                    child=child,
                    reference=f"{municipality.municipality_code}-{opened.year}-{seq:05d}",
                    status=Case.Status.CLOSED if closed else Case.Status.OPEN,
                    opened_on=opened,
                    closed_on=today - timedelta(days=rng.randint(1, 20)) if closed else None,
                )
            )
            previous = (
                caseworkers[(index + 7) % len(caseworkers)][0] if rng.random() < 0.25 else None
            )
            owners.append(
                (
                    caseworker,
                    previous,
                    timezone.make_aware(datetime.combine(opened, datetime.min.time())),
                )
            )
    Child.objects.bulk_create(children, batch_size=1000)
    for case in cases:
        case.child_id = case.child.pk
    Case.objects.bulk_create(cases, batch_size=1000)
    assignments: list[Assignment] = []
    for case, (caseworker, previous, started) in zip(cases, owners, strict=True):
        if previous is not None:
            handover = started + (now - started) / 2
            assignments.append(
                Assignment(
                    municipality_id=case.municipality_id,
                    case=case,
                    caseworker=previous,
                    started_at=started,
                    ended_at=handover,
                )
            )
            started = handover
        ended = None
        if case.closed_on is not None:
            ended = max(
                started, timezone.make_aware(datetime.combine(case.closed_on, datetime.min.time()))
            )
        assignments.append(
            Assignment(
                municipality_id=case.municipality_id,
                case=case,
                caseworker=caseworker,
                started_at=started,
                ended_at=ended,
            )
        )
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    return DemoSummary(created=True, logins=demo_logins())
