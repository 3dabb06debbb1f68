"""The demo world: the four municipalities of Bedre Børneinddragelse with obviously fictitious
people. Deterministic: the same seed on the same day gives the same rows (dates count back from
today; the long case below has fixed dates), so tests, benchmarks and screenshots agree.

Fictitious CPR numbers: the month digits are the birth month + 20 (21–32). No real CPR number has
a month above 12 (replacement numbers change the day, never the month), so none of these can
belong to a real person, while the first six digits still read as the birth date plus 20 months.

Every case has a history: the child's network, measures, child conversations with statements in
the child's own words, decisions (about 30 % without a heard child, each with its reason) and a
handover at each change of caseworker. Involvement ranges from recently heard to clearly overdue;
the first caseworker of each municipality gets the whole spread by design, not by chance. One
case of roskilde-sb01 (LONG_HISTORY_REFERENCE) has more than 300 timeline items.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from inddrag.accounts.models import User
from inddrag.children.models import Assignment, Case, Child, Handover, Measure, NetworkMember
from inddrag.conversations.models import Conversation, Statement
from inddrag.decisions.models import Decision
from inddrag.insights.refresh import refresh_municipality
from inddrag.lib.dates import age_on
from inddrag.municipalities import demo_plans, demo_practice
from inddrag.municipalities.models import Membership, Municipality, Unit
from inddrag.portal import demo as portal_demo
from inddrag.reminders.compute import compute_reminders

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


# --- The children's histories -----------------------------------------------------------------

# One case of roskilde-sb01 has a long history (a placement since 2020 with many conversations and
# three caseworker changes): more than 300 timeline items, for the case-page benchmark. Its dates
# are fixed, so that its reference is too.
LONG_HISTORY_REFERENCE = "265-2020-00001"
LONG_HISTORY_OPENED = date(2020, 2, 3)
LONG_HISTORY_BIRTH = date(2010, 6, 14)
LONG_HISTORY_CONVERSATIONS = 260

# § 5 as the demo reads it: a conversation at most this many days before a decision (the default
# of DueRules.conversation_before_decision_days; the demo creates no DueRules rows).
HEARD_WITHIN_DAYS = 92

# What children and young people say, in their own words. A sharing choice after a sentence is the
# one the child would make for it; None lets the seed choose.
SaidLine = tuple[str, str | None]
SAID_ANYWHERE: list[SaidLine] = [
    ("Skolen er okay, men frikvartererne er svære.", None),
    ("Jeg kan ikke lide, når de taler om mig uden at jeg er der.", "case_file"),
    ("Jeg savner min lillebror.", None),
    ("Mor og far råber tit om aftenen, og så kan jeg ikke sove.", "caseworker"),
    ("Jeg vil gerne have, at du fortæller mig, hvad der skal ske, før det sker.", "case_file"),
    ("Det hjælper at snakke med min kontaktperson. Hun lytter.", None),
    ("Jeg har ikke lyst til at snakke om det derhjemme i dag.", "caseworker"),
    ("Jeg bliver glad, når jeg må gå til fodbold.", "parents"),
    ("Nogle gange passer jeg min lillesøster, når mor er træt.", None),
    ("Jeg vil gerne bo hos far i weekenderne.", None),
    ("Det er pinligt, når min lærer spørger mig om ting foran de andre.", None),
    ("Jeg er bange for, at der kommer flere møder, hvor alle kigger på mig.", None),
    ("Det er bedre derhjemme nu. Mor er ikke så ked af det mere.", "parents"),
    ("Jeg har fået en ny ven i klassen, og det er rart.", "parents"),
    ("Jeg ved ikke rigtig, hvorfor jeg skal snakke med dig.", None),
    ("Jeg vil gerne selv bestemme, hvem der er med til mødet.", "case_file"),
    ("Jeg har ondt i maven om morgenen, før jeg skal i skole.", None),
    ("Når jeg er ked af det, går jeg ind på mit værelse og spiller.", None),
    ("Mor må ikke vide, hvad jeg har sagt i dag.", "caseworker"),
    ("Det var godt, at min bisidder var med. Så turde jeg sige det.", "case_file"),
    ("Det er svært at sige noget, når der er mange voksne i rummet.", "case_file"),
    ("Jeg vil gerne være mere sammen med min mormor.", "parents"),
    ("Vi har ikke så mange penge, så jeg kan ikke komme med på klassetur.", None),
    ("Jeg kan bedst lide at snakke, når vi går en tur.", "case_file"),
]
SAID_WHEN_PLACED: list[SaidLine] = [
    ("Jeg vil gerne blive boende hos min plejefamilie.", "case_file"),
    ("Jeg savner min mor, men jeg vil ikke bo hjemme lige nu.", None),
    ("Samvær hver anden weekend er for meget. Jeg bliver så træt bagefter.", None),
    ("Det er rart, at der altid er mad i køleskabet her.", "caseworker"),
    ("Jeg kan godt lide min kontaktperson, men hun har tit fri.", None),
    ("Der er for meget larm om aftenen, så jeg kan ikke sove.", None),
    ("Jeg vil gerne se min storesøster noget mere.", "parents"),
    ("Jeg forstår ikke, hvorfor jeg ikke må bo hjemme.", None),
    ("Jeg har fået mit eget værelse, og det er det bedste.", "parents"),
    ("Jeg vil gerne vide, hvor længe jeg skal bo her.", "case_file"),
    ("Det er svært at skifte skole igen.", None),
    ("Mine plejeforældre hjælper mig med lektier, og det går bedre i dansk nu.", "parents"),
    ("Jeg vil gerne snakke med dig alene, uden de voksne herfra.", "case_file"),
]
SAID_AS_YOUNG_PERSON: list[SaidLine] = [
    ("Jeg vil gerne have hjælp til at finde en lejlighed, når jeg fylder 18.", "case_file"),
    ("Jeg er bange for at stå helt alene, når jeg flytter.", None),
    ("Jeg vil gerne være tømrer. Jeg er god med mine hænder.", "parents"),
    ("Jeg har brug for hjælp til at forstå brevene fra kommunen.", "case_file"),
    ("Det er mit liv, så jeg vil være med, når I bestemmer noget.", "case_file"),
    ("Jeg har fået et fritidsjob, og det går fint.", "parents"),
    (
        "Jeg vil gerne have den samme sagsbehandler længe. Jeg er træt af at fortælle alt igen.",
        "case_file",
    ),
    ("Pengene slipper op midt i måneden. Jeg har brug for hjælp til et budget.", None),
    ("Skriv hellere en sms til mig end at ringe.", "case_file"),
]

PREVENTIVE = [  # description, what the decision was called
    ("Familiebehandling", "Bevilling af familiebehandling"),
    ("Fast kontaktperson til barnet", "Bevilling af fast kontaktperson"),
    ("Praktisk, pædagogisk støtte i hjemmet", "Bevilling af støtte i hjemmet"),
    ("Aflastning en weekend om måneden", "Bevilling af aflastning"),
    ("Støtte i skolen og lektiehjælp", "Bevilling af støtte i skolen"),
    ("Gruppeforløb for børn af forældre med misbrug", "Bevilling af gruppeforløb"),
    ("Netværksmøder i familien", "Bevilling af netværksmøder"),
]
PLACEMENT_KINDS = ["network_care"] * 2 + ["foster_care"] * 5 + ["institution"] * 3
PLACEMENT_TITLES = {
    "network_care": "Anbringelse i netværkspleje hos mormor og morfar",
    "foster_care": "Anbringelse i plejefamilie",
    "institution": "Anbringelse på opholdssted",
}
PLACEMENT_PLACES = {
    "network_care": "Hos mormor og morfar",
    "foster_care": "I plejefamilien",
    "institution": "På opholdsstedet",
}
INSTITUTIONS = [
    "Opholdsstedet Fiktivgården",
    "Døgninstitutionen Prøvehuset",
    "Opholdsstedet Demolund",
    "Ungehjemmet Kladdely",
]
SCHOOLS = ["Fiktivskolen", "Prøvebyskolen", "Demolund Skole", "Skitsegaard Friskole"]
YOUTH_SCHOOLS = ["Efterskolen Øvelsesholm", "Prøveby Gymnasium", "Produktionsskolen Kladdely"]
PLACES = [
    "Hjemme hos familien",
    "På skolen",
    "På rådhuset",
    "På en gåtur i nærområdet",
    "Over video",
    "På en café i byen",
]
GENERAL_FOLLOW_UPS = [
    "Opfølgning på indsatsen: den fortsætter uændret",
    "Børnefaglig undersøgelse afsluttet",
    "Afslag på ansøgning om aflastning",
    "Bevilling af fritidsaktivitet",
    "Opfølgning på indsatsen: flere timer til familien",
]
PLACED_FOLLOW_UPS = [
    "Opfølgning på anbringelsen: den fortsætter",
    "Samvær med forældre fastlagt",
    "Ændring af samvær: kortere besøg hos mor",
    "Barnets plan revideret",
    "Bevilling af lejrskole og fritidsaktivitet",
]
ASSESSMENTS = [
    "",
    "Barnet var åbent og fortalte selv. Jeg vurderer, at barnet trives bedre end sidst.",
    "Barnet var stille i starten. Det gik bedre, da vi gik en tur.",
    "Barnet er bekymret for forholdene derhjemme. Jeg følger op ved næste samtale.",
    "Barnet er tydeligt i sine ønsker. De skal med i afgørelsen.",
    "Barnet virker træt og ked af det. Jeg taler med skolen om, hvordan det går.",
]
TOLD_HOW = [
    "Jeg fortalte det til barnet ved et besøg og svarede på spørgsmål.",
    "Et brev til barnet i et sprog, barnet forstår, og en opringning dagen efter.",
    "Barnet fik det at vide sammen med plejefamilien.",
    "Kontaktpersonen fortalte det, og jeg ringede til barnet samme dag.",
    "Vi talte om det på en gåtur, og barnet fik brevet med hjem.",
]
NOT_HEARD_NOTES = [
    "Barnet var indlagt på hospitalet i hele perioden.",
    "Barnet var på ferie i udlandet med sin far.",
    "Tolken mødte ikke op, og samtalen blev aflyst to gange.",
    "Det lykkedes ikke at finde en tid før fristen.",
]
NOT_HEARD_PERSPECTIVES = [
    "Barnet er ikke hørt før afgørelsen. Forældrene fortæller, at barnet er glad for skolen.",
    "Barnet er ikke hørt før afgørelsen. Skolen fortæller, at barnet har det svært i frikvarteret.",
    "Barnet er ikke hørt før afgørelsen. Barnet skal høres ved næste opfølgning.",
]
NOT_HEARD_PERSPECTIVES_PLACED = [
    "Barnet er ikke hørt før afgørelsen. Plejefamilien fortæller, at barnet er faldet godt til.",
    "Barnet er ikke hørt før afgørelsen. Kontaktpersonen fortæller, at barnet savner sin mor.",
    "Barnet er ikke hørt før afgørelsen. Barnet skal høres ved næste tilsynsbesøg.",
]
PLACEMENT_COMPANY = {  # who may sit in on a conversation where the child lives
    "network_care": ["mormor", "morfar"],
    "foster_care": ["plejemor", "plejefar"],
    "institution": ["kontaktpersonen"],
}
HANDOVER_NOTES = [
    "Sig altid i god tid, hvornår I skal mødes.",
    "Gå gerne en tur under samtalen; det er lettere end at sidde ved et bord.",
    "Skriv hellere end at ringe.",
    "Spørg til fodbolden; det er det, der går godt lige nu.",
    "Vær ærlig om, hvad du ikke kan love.",
]


@dataclass
class DemoSummary:
    created: bool
    logins: list[tuple[str, str]]


@dataclass
class _Stint:
    """One caseworker's time on a case (an Assignment row)."""

    caseworker: User
    started_at: datetime
    ended_at: datetime | None


@dataclass
class _Plan:
    """What the seed knows about one case while it writes the case's history."""

    case: Case
    child: Child
    stints: list[_Stint]
    first_caseworker: bool  # in the full caseload of the municipality's first caseworker
    today: date
    long_history: bool = False

    @property
    def end(self) -> date:
        """The last day the case can have history: the day it closed, or today."""
        return self.case.closed_on or self.today

    def caseworker_on(self, day: date) -> User:
        for stint in reversed(self.stints):
            if timezone.localtime(stint.started_at).date() <= day:
                return stint.caseworker
        return self.stints[0].caseworker


def fictitious_cpr(birth_date: date, serial: int) -> str:
    return f"{birth_date.day:02d}{birth_date.month + 20:02d}{birth_date.year % 100:02d}{serial:04d}"


def slug(name: str) -> str:
    return name.split()[0].lower().replace("å", "aa").replace("ø", "oe").replace("æ", "ae")


OPERATOR_USERNAME = "platform-operatoer"


def demo_logins() -> list[tuple[str, str]]:
    rows = []
    for name, _cvr, _code in MUNICIPALITIES:
        s = slug(name)
        rows += [
            (f"{s}-sb01", f"sagsbehandler, {name}, {FULL_CASELOAD} åbne sager"),
            (f"{s}-leder1", f"leder, {name}, Team Nord"),
            (f"{s}-admin", f"kommune-administrator, {name}"),
            (f"{s}-chef", f"leder for hele {name} (tal for alle enheder)"),
        ]
    rows.append((OPERATOR_USERNAME, "platformsoperatør: tal på tværs af kommuner"))
    rows.append(
        ("roskilde-ny", "ny sagsbehandler uden godkendelses-app (viser tilknytning med QR-kode)")
    )
    return rows


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, month=3, day=1)


@transaction.atomic
def seed(
    *, seed: int = 2026, children_per_municipality: int = CHILDREN_PER_MUNICIPALITY
) -> DemoSummary:
    """Build the demo world. `children_per_municipality` is smaller in tests; the first
    FULL_CASELOAD children of each municipality always go to its first caseworker."""
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
        # The head of children and youth: a leader of no single unit sees the municipality's
        # figures (/indsigt/) with a row per unit.
        head = person(f"{s}-chef", 250)
        memberships.append(
            Membership(user=head, municipality=municipality, role=Membership.Role.LEADER)
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
    # The platform operator: figures across municipalities, aggregated, and no municipality.
    users.append(
        User(
            username=OPERATOR_USERNAME,
            password=password,
            first_name="Olga",
            last_name="Platformsen",
            email=f"{OPERATOR_USERNAME}@example.com",
            is_operator=True,
        )
    )
    User.objects.bulk_create(users)
    Membership.objects.bulk_create(memberships)
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=u, name="demo", key=DEMO_TOTP_KEY, confirmed=True)
        for u in users
        if u.username != "roskilde-ny"
    )

    plans: list[_Plan] = []
    for municipality, _units, caseworkers in worlds:
        for i in range(children_per_municipality):
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
            opened = today - timedelta(days=rng.randint(30, min(age_days, 6 * 365)))
            closed = i >= FULL_CASELOAD and rng.random() < 0.1
            closed_on = today - timedelta(days=rng.randint(1, 20)) if closed else None
            previous = (
                caseworkers[(index + 7) % len(caseworkers)][0] if rng.random() < 0.25 else None
            )
            long_history = i == 0 and municipality.municipality_code == "265"
            if long_history:
                child.birth_date = LONG_HISTORY_BIRTH
                child.cpr = fictitious_cpr(LONG_HISTORY_BIRTH, 1000 + i)
                opened = LONG_HISTORY_OPENED
            case = Case(
                municipality=municipality,
                unit=unit,
                child=child,
                reference=f"{municipality.municipality_code}-{opened.year}-{i + 1:05d}",
                status=Case.Status.CLOSED if closed else Case.Status.OPEN,
                opened_on=opened,
                closed_on=closed_on,
            )
            started = _midnight(opened)
            end = _midnight(closed_on) if closed_on is not None else now
            stints = []
            if long_history:
                for helper, handed_over in zip(
                    (7, 13, 19),
                    (date(2021, 3, 1), date(2022, 8, 15), date(2024, 1, 8)),
                    strict=True,
                ):
                    at = _midnight(handed_over) + timedelta(hours=10)
                    stints.append(_Stint(caseworkers[helper][0], started, at))
                    started = at
            elif previous is not None:
                handover = started + (end - started) / 2
                stints.append(_Stint(previous, started, handover))
                started = handover
            stints.append(
                _Stint(caseworker, started, max(started, end) if closed_on is not None else None)
            )
            plans.append(
                _Plan(
                    case=case,
                    child=child,
                    stints=stints,
                    first_caseworker=index == 0,
                    long_history=long_history,
                    today=today,
                )
            )
    Child.objects.bulk_create([plan.child for plan in plans], batch_size=1000)
    for plan in plans:
        plan.case.child_id = plan.child.pk
    Case.objects.bulk_create([plan.case for plan in plans], batch_size=1000)
    Assignment.objects.bulk_create(
        (
            Assignment(
                municipality_id=plan.case.municipality_id,
                case=plan.case,
                caseworker=stint.caseworker,
                started_at=stint.started_at,
                ended_at=stint.ended_at,
            )
            for plan in plans
            for stint in plan.stints
        ),
        batch_size=1000,
    )
    _Histories(seed, today=today).write(plans)
    channel_cases = portal_demo.seed_channel(seed=seed)
    demo_plans.seed_plans_and_letters(seed=seed, demo_cases=channel_cases)
    demo_practice.seed_practice(seed=seed)
    # What the daily task would have made by now: the caseworkers' reminders, and the tables
    # behind the leaders' figures.
    for municipality, _units, _caseworkers in worlds:
        compute_reminders(municipality.pk, today=today)
        refresh_municipality(municipality.pk, today=today)
    return DemoSummary(created=True, logins=demo_logins())


# Involvement profiles: how well a child has been heard lately. Placed children have their own,
# since visits without staff present (§ 156, stk. 5) and the follow-up (§ 95) apply to them.
HEARD_PROFILES = ["recent"] * 7 + ["ok"] * 6 + ["stale"] * 5 + ["never"] * 2
PLACED_PROFILES = ["visits_ok"] * 5 + ["visit_overdue"] * 3 + ["no_follow_up"] * 2
CATEGORIES = ["preventive"] * 11 + ["placement"] * 6 + ["none"] * 3
LAST_CONVERSATION_DAYS = {  # profile: the last conversation lies this many days before the end
    "recent": (0, 45),
    "ok": (46, 120),
    "stale": (121, 330),
    "visits_ok": (0, 60),
    "visit_overdue": (0, 90),
    "no_follow_up": (0, 200),
}


class _Deck:
    """Shuffled cards drawn in turn: the first caseworker's caseload gets each profile in
    proportion, not by chance, so the demo caseload always shows the whole spread."""

    def __init__(self, rng: random.Random, cards: list[str]) -> None:
        self.rng, self.cards, self.drawn = rng, cards, list[str]()

    def draw(self) -> str:
        if not self.drawn:
            self.drawn = list(self.cards)
            self.rng.shuffle(self.drawn)
        return self.drawn.pop()


class _Histories:
    """Network, measures, conversations with statements, decisions and handovers of every case,
    built in memory and written with one bulk insert per table."""

    def __init__(self, seed: int, *, today: date) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.today = today
        self.network: list[NetworkMember] = []
        self.measures: list[Measure] = []
        self.conversations: list[Conversation] = []
        self.statements: list[Statement] = []
        self.decisions: list[Decision] = []
        self.handovers: list[Handover] = []
        self.first_statement = 0  # where the statements of the case being written begin
        # id(conversation): the child's first statement that may stand in the case file
        self.quotes: dict[int, str] = {}
        decks = random.Random(f"{seed}-decks")
        self.decks = {
            "category": _Deck(decks, CATEGORIES),
            "heard": _Deck(decks, HEARD_PROFILES),
            "placed": _Deck(decks, PLACED_PROFILES),
        }

    def write(self, plans: list[_Plan]) -> None:
        for plan in plans:
            # Each case draws from its own generator, so that a change in one case's history
            # (or in the calendar) does not ripple into the others.
            self.rng = random.Random(f"{self.seed}-{plan.case.reference}")
            if plan.long_history:
                self.long_history(plan)
            else:
                self.history(plan)
        NetworkMember.objects.bulk_create(self.network, batch_size=1000)
        Measure.objects.bulk_create(self.measures, batch_size=1000)
        Conversation.objects.bulk_create(self.conversations, batch_size=1000)
        Statement.objects.bulk_create(self.statements, batch_size=1000)
        Decision.objects.bulk_create(self.decisions, batch_size=1000)
        Handover.objects.bulk_create(self.handovers, batch_size=1000)

    def pick(self, deck: str, cards: list[str], plan: _Plan) -> str:
        return self.decks[deck].draw() if plan.first_caseworker else self.rng.choice(cards)

    # --- one ordinary case ---

    def history(self, plan: _Plan) -> None:
        rng, case, child = self.rng, plan.case, plan.child
        end = plan.end
        self.first_statement = len(self.statements)
        category = self.pick("category", CATEGORIES, plan)
        eighteen = _add_years(child.birth_date, 18)
        last_placement_day = min(end, eighteen - timedelta(days=1))
        if category == "placement" and last_placement_day < case.opened_on:
            category = "preventive"  # the case opened after the child turned 18
        placed_profile = ""
        if category == "placement":
            placed_profile = self.pick("placed", PLACED_PROFILES, plan)

        measures: list[Measure] = []
        placement: Measure | None = None
        if category == "placement":
            span = (last_placement_day - case.opened_on).days
            if placed_profile == "no_follow_up" and case.status == Case.Status.OPEN:
                start = self.today - timedelta(days=rng.randint(100, 300))
                start = min(max(start, case.opened_on), last_placement_day)
            else:
                start = case.opened_on + timedelta(days=rng.randint(0, span))
            if (start - case.opened_on).days > 120 and rng.random() < 0.6:
                description, _title = rng.choice(PREVENTIVE)
                before = case.opened_on + timedelta(days=rng.randint(0, 30))
                measures.append(self.measure(plan, "preventive", description, before, start))
            kind = rng.choice(PLACEMENT_KINDS)
            placement = self.measure(plan, kind, "", start, None)
            measures.append(placement)
            if eighteen <= end:
                placement.ended_on = eighteen - timedelta(days=1)
                if rng.random() < 0.75:
                    measures.append(
                        self.measure(
                            plan, "aftercare", "Efterværn med fast kontaktperson", eighteen, None
                        )
                    )
            elif placed_profile == "visits_ok" and rng.random() < 0.3:
                moved = start + timedelta(days=rng.randint(120, 900))
                if moved < end - timedelta(days=30):
                    placement.ended_on = moved
                    if rng.random() < 0.5:  # moved to another place
                        other = rng.choice([k for k in PLACEMENT_KINDS if k != kind])
                        placement = self.measure(plan, other, "", moved + timedelta(days=1), None)
                        measures.append(placement)
                    else:  # went home, with support
                        description, _title = rng.choice(PREVENTIVE)
                        measures.append(
                            self.measure(
                                plan, "preventive", description, moved + timedelta(days=1), None
                            )
                        )
        elif category == "preventive":
            for _ in range(1 if rng.random() < 0.7 else 2):
                description, _title = rng.choice(PREVENTIVE)
                start = min(case.opened_on + timedelta(days=rng.randint(0, 400)), end)
                ended = start + timedelta(days=rng.randint(90, 700))
                measures.append(
                    self.measure(
                        plan, "preventive", description, start, ended if ended < end else None
                    )
                )
            if eighteen <= end and rng.random() < 0.4:
                measures.append(
                    self.measure(
                        plan,
                        "aftercare",
                        "Efterværn med fast kontaktperson",
                        max(eighteen, case.opened_on),
                        None,
                    )
                )
        for measure in measures:
            if case.closed_on is not None and (
                measure.ended_on is None or measure.ended_on > case.closed_on
            ):
                measure.ended_on = case.closed_on
        self.measures += measures
        active = placement if placement is not None and placement.ended_on is None else None

        # Conversations: from the child's fifth birthday, in the case's life, the last one as the
        # profile says; most decisions are prepared with a conversation shortly before.
        first_day = max(case.opened_on, _add_years(child.birth_date, 5))
        last_day = end
        if active is not None:
            profile = placed_profile
            if profile == "no_follow_up":
                last_day = active.started_on - timedelta(days=1)
        else:
            profile = self.pick("heard", HEARD_PROFILES, plan)
        decided = self.decision_plan(plan, measures)
        days: set[date] = set()
        if profile != "never" and first_day <= last_day:
            low, high = LAST_CONVERSATION_DAYS[profile]
            latest = last_day - timedelta(days=rng.randint(low, high))
            if latest < first_day:
                latest = first_day + timedelta(days=rng.randint(0, (last_day - first_day).days))
            days.add(latest)
            for day, _title, _kind in decided:
                low_day, high_day = max(first_day, day - timedelta(days=60)), min(day, latest)
                if low_day <= high_day and rng.random() < 0.8:
                    days.add(low_day + timedelta(days=rng.randint(0, (high_day - low_day).days)))
            count = rng.choice([1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8])
            for _ in range(count - len(days)):
                days.add(first_day + timedelta(days=rng.randint(0, (latest - first_day).days)))
        conversations = []
        for day in sorted(days):
            in_placement = _placement_on(measures, day)
            alone = in_placement is not None and rng.random() < 0.5
            if active is not None and in_placement is active:
                if profile == "visit_overdue":
                    alone = alone and (self.today - day).days > 200
                elif profile == "visits_ok" and day == max(days):
                    alone = True
            conversations.append(self.conversation(plan, day, in_placement, alone=alone))
        if active is not None and profile == "visit_overdue":
            # The last visit without staff present, well over six months ago.
            day = self.today - timedelta(days=rng.randint(200, 420))
            if active.started_on <= day and first_day <= day and day not in days:
                conversations.append(self.conversation(plan, day, active, alone=True))
                conversations.sort(key=lambda c: c.held_on)

        self.network_of(plan, measures, conversations)
        for day, title, kind in decided:
            self.decision(plan, day, title, kind, measures, conversations)
        self.handovers_of(plan)

    def measure(
        self, plan: _Plan, kind: str, description: str, start: date, ended: date | None
    ) -> Measure:
        if kind in Measure.PLACEMENTS and not description:
            description = {
                "network_care": "Hos mormor og morfar",
                "foster_care": f"Plejefamilien {self.rng.choice(FICTIONAL_SURNAMES)}",
                "institution": self.rng.choice(INSTITUTIONS),
            }[kind]
        return Measure(
            municipality_id=plan.case.municipality_id,
            case_id=plan.case.pk,
            kind=kind,
            description=description,
            started_on=start,
            ended_on=ended,
        )

    def conversation(
        self, plan: _Plan, day: date, placement: Measure | None, *, alone: bool
    ) -> Conversation:
        rng, child = self.rng, plan.child
        age = age_on(child.birth_date, day)
        bisidder = rng.random() < (0.25 if age >= 12 else 0.1)
        if alone:
            assert placement is not None
            place = PLACEMENT_PLACES[placement.kind]
            present = "Barnet og sagsbehandleren, uden personale til stede"
        else:
            if placement is not None:
                place = rng.choice([PLACEMENT_PLACES[placement.kind], "På skolen", "På rådhuset"])
                company = PLACEMENT_COMPANY[placement.kind]
                others = rng.choice([[], [rng.choice(company)], ["mor"]])
            else:
                place = rng.choice(PLACES)
                others = rng.choice([[], ["mor"], ["far"], ["mor", "far"], ["kontaktlæreren"]])
            if bisidder:
                others = [*others, "bisidderen"]
            present = ", ".join(["Barnet", *others]) + " og sagsbehandleren"
        if bisidder and alone:
            present = "Barnet, bisidderen og sagsbehandleren, uden personale til stede"
        conversation = Conversation(
            municipality_id=plan.case.municipality_id,
            case_id=plan.case.pk,
            held_on=day,
            place=place,
            present=present,
            had_bisidder=bisidder,
            without_staff_present=alone,
            assessment=rng.choice(ASSESSMENTS),
            created_by_id=plan.caseworker_on(day).pk,
        )
        pool = list(SAID_ANYWHERE)
        if placement is not None:
            pool += SAID_WHEN_PLACED * 2
        if age >= 15:
            pool += SAID_AS_YOUNG_PERSON * 2
        said = rng.sample(pool, rng.choice([1, 1, 2, 2, 2, 3]))
        for position, (text, sharing) in enumerate(dict.fromkeys(said)):
            sharing = sharing or rng.choice(["case_file"] * 3 + ["caseworker", "parents"])
            if sharing != "caseworker":
                self.quotes.setdefault(id(conversation), text)
            self.statements.append(
                Statement(
                    municipality_id=plan.case.municipality_id,
                    conversation=conversation,
                    child_id=child.pk,
                    text=text,
                    sharing=sharing,
                    said_on=day,
                    position=position,
                )
            )
        self.conversations.append(conversation)
        return conversation

    def network_of(
        self, plan: _Plan, measures: list[Measure], conversations: list[Conversation]
    ) -> None:
        rng, child = self.rng, plan.child
        mother = f"{rng.choice(STAFF_FIRST[0::2])} {child.last_name}"
        father_surname = child.last_name if rng.random() < 0.6 else rng.choice(FICTIONAL_SURNAMES)
        father = f"{rng.choice(STAFF_FIRST[1::2])} {father_surname}"
        custody = rng.random()
        self.member(plan, "custody_holder", mother, "Mor", email=True)
        if custody < 0.5:
            self.member(plan, "custody_holder", father, "Far", email=True)
        else:
            self.member(plan, "parent", father, "Far", note="Har samvær hver anden weekend.")
        for measure in measures:
            if measure.kind == "foster_care":
                self.member(
                    plan,
                    "foster_family",
                    measure.description,
                    "Plejeforældre",
                    ended_on=measure.ended_on,
                )
            elif measure.kind == "network_care":
                grandmother = f"{rng.choice(STAFF_FIRST[0::2])} {child.last_name}"
                self.member(
                    plan,
                    "foster_family",
                    grandmother,
                    "Mormor, netværksplejefamilie",
                    ended_on=measure.ended_on,
                )
            elif measure.kind == "institution":
                contact = f"{rng.choice(STAFF_FIRST)} {rng.choice(FICTIONAL_SURNAMES)}"
                self.member(
                    plan,
                    "institution",
                    contact,
                    f"Kontaktperson, {measure.description}",
                    ended_on=measure.ended_on,
                )
        age = age_on(child.birth_date, self.today)
        if age < 16:
            self.member(plan, "school", rng.choice(SCHOOLS), f"{max(age - 6, 0)}. klasse")
        elif age < 19:
            self.member(plan, "school", rng.choice(YOUTH_SCHOOLS), "Elev")
        if any(c.had_bisidder for c in conversations):
            bisidder = f"{rng.choice(STAFF_FIRST)} {rng.choice(FICTIONAL_SURNAMES)}"
            self.member(plan, "other", bisidder, "Bisidder, valgt af barnet")

    def member(
        self,
        plan: _Plan,
        kind: str,
        name: str,
        relation: str,
        *,
        email: bool = False,
        note: str = "",
        ended_on: date | None = None,
    ) -> None:
        address = ""
        if email:
            local = ".".join(_ascii(part) for part in name.split())
            address = f"{local}@example.com"
        self.network.append(
            NetworkMember(
                municipality_id=plan.case.municipality_id,
                child_id=plan.child.pk,
                kind=kind,
                name=name,
                relation=relation,
                email=address,
                note=note,
                ended_on=ended_on,
            )
        )

    def decision_plan(self, plan: _Plan, measures: list[Measure]) -> list[tuple[date, str, str]]:
        """1–4 decisions (day, title, kind): first those that started a measure, then
        follow-ups."""
        rng, case = self.rng, plan.case
        events: list[tuple[date, str, str]] = []
        for measure in measures:
            if measure.kind in Measure.PLACEMENTS:
                kind = "recommendation" if rng.random() < 0.3 else "decision"
                title = PLACEMENT_TITLES[measure.kind]
                if kind == "recommendation":
                    title = "Indstilling om anbringelse uden samtykke"
                events.insert(0, (measure.started_on, title, kind))
            elif measure.kind == "aftercare":
                events.append((measure.started_on, "Efterværn bevilget til 23 år", "decision"))
            else:
                title = dict(PREVENTIVE).get(measure.description, "Bevilling af støtte")
                events.append((measure.started_on, title, "decision"))
        count = rng.choice([1, 2, 2, 3, 3, 4])
        chosen = [
            (max(case.opened_on, day - timedelta(days=rng.randint(0, 10))), title, kind)
            for day, title, kind in events[:count]
        ]
        placed = any(m.kind in Measure.PLACEMENTS for m in measures)
        follow_ups = PLACED_FOLLOW_UPS if placed else GENERAL_FOLLOW_UPS
        span = (plan.end - case.opened_on).days
        while len(chosen) < count:
            day = case.opened_on + timedelta(days=rng.randint(0, span))
            chosen.append((day, rng.choice(follow_ups), "decision"))
        return chosen

    def decision(
        self,
        plan: _Plan,
        day: date,
        title: str,
        kind: str,
        measures: list[Measure],
        conversations: list[Conversation],
        *,
        reason: str = "",
    ) -> None:
        rng, child = self.rng, plan.child
        heard_in = [
            c for c in conversations if day - timedelta(days=HEARD_WITHIN_DAYS) <= c.held_on <= day
        ]
        note = ""
        if heard_in:
            latest = heard_in[-1]
            perspective = f"{child.first_name} fortalte ved samtalen {latest.held_on:%d.%m.%Y}"
            if id(latest) in self.quotes:
                perspective += f": »{self.quotes[id(latest)]}«"
            else:  # what the child said is for the caseworker only
                perspective += ", hvordan det går, men ville ikke have det skrevet i sagen."
        else:
            placed = _placement_on(measures, day) is not None
            perspective = rng.choice(
                NOT_HEARD_PERSPECTIVES_PLACED if placed else NOT_HEARD_PERSPECTIVES
            )
            if not reason:
                if age_on(child.birth_date, day) < 7:
                    reason = "maturity"
                else:
                    reason = rng.choice(["declined"] * 4 + ["urgency"] * 3 + ["other"] * 3)
            if reason == "other":
                note = rng.choice(NOT_HEARD_NOTES)
        self.decisions.append(
            Decision(
                municipality_id=plan.case.municipality_id,
                case_id=plan.case.pk,
                kind=kind,
                title=title,
                decided_on=day,
                child_perspective=perspective,
                child_told_how=rng.choice(TOLD_HOW),
                child_heard=bool(heard_in),
                not_heard_reason="" if heard_in else reason,
                not_heard_note=note,
                created_by_id=plan.caseworker_on(day).pk,
            )
        )

    def handovers_of(self, plan: _Plan) -> None:
        """One handover for each change of caseworker, written by the one who left."""
        child = plan.child
        for before, after in itertools.pairwise(plan.stints):
            assert before.ended_at is not None
            day = timezone.localtime(before.ended_at).date()
            said = sorted(
                (s.said_on, s.position, s.text)
                for s in self.statements[self.first_statement :]
                if s.said_on <= day and s.sharing != "caseworker"
            )[-2:]
            if said:
                words = " ".join(f"»{text}«" for _day, _position, text in said)
                story = f"{child.first_name} har sagt det sådan: {words}"
            else:
                story = (
                    f"Jeg har ikke haft en samtale alene med {child.first_name} endnu. "
                    f"Ved første møde sagde {child.first_name}: »{SAID_ANYWHERE[14][0]}«"
                )
            story += f" Det skal du vide: {self.rng.choice(HANDOVER_NOTES)}"
            self.handovers.append(
                Handover(
                    municipality_id=plan.case.municipality_id,
                    case_id=plan.case.pk,
                    from_caseworker_id=before.caseworker.pk,
                    to_caseworker_id=after.caseworker.pk,
                    written_by_id=before.caseworker.pk,
                    child_story=story,
                    handed_over_at=before.ended_at,
                )
            )

    # --- the long case of the benchmark ---

    def long_history(self, plan: _Plan) -> None:
        """A child placed since 2020 with three caseworkers before the present one: 8 measures,
        260 conversations, about 40 decisions and 3 handovers."""
        rng = self.rng
        self.first_statement = len(self.statements)
        d = date
        measures = [
            self.measure(plan, "preventive", "Familiebehandling", d(2020, 2, 24), d(2020, 11, 1)),
            self.measure(
                plan, "preventive", "Fast kontaktperson til barnet", d(2020, 4, 1), d(2021, 6, 30)
            ),
            self.measure(
                plan, "foster_care", "Plejefamilien Eventyrsen", d(2020, 11, 2), d(2022, 6, 30)
            ),
            self.measure(
                plan, "preventive", "Støtte i skolen og lektiehjælp", d(2021, 9, 1), d(2022, 6, 30)
            ),
            self.measure(
                plan, "institution", "Opholdsstedet Fiktivgården", d(2022, 7, 1), d(2023, 9, 14)
            ),
            self.measure(plan, "foster_care", "Plejefamilien Drømmegaard", d(2023, 9, 15), None),
            self.measure(plan, "preventive", "Samvær med støtte", d(2023, 10, 2), None),
            self.measure(plan, "preventive", "Fritidsaktivitet: klatreklub", d(2024, 3, 1), None),
        ]
        self.measures += measures
        # Two hard periods without conversations: before the sudden placement, and when she
        # would not talk to anyone before moving from the institution.
        quiet = [(d(2020, 8, 3), d(2020, 11, 2)), (d(2023, 6, 12), d(2023, 9, 15))]
        first, last = d(2020, 2, 10), self.today - timedelta(days=3)
        open_days = [
            first + timedelta(days=n)
            for n in range((last - first).days + 1)
            if not any(lo <= first + timedelta(days=n) <= hi for lo, hi in quiet)
        ]
        step = len(open_days) / LONG_HISTORY_CONVERSATIONS
        conversations = []
        for n in range(LONG_HISTORY_CONVERSATIONS):
            day = open_days[int(n * step + rng.uniform(0, step * 0.8))]
            placement = _placement_on(measures, day)
            alone = placement is not None and n % 4 == 0
            conversations.append(self.conversation(plan, day, placement, alone=alone))
        events = [
            (d(2020, 2, 20), "Bevilling af familiebehandling", "decision", ""),
            (d(2020, 3, 27), "Bevilling af fast kontaktperson", "decision", ""),
            (d(2020, 10, 30), "Indstilling om anbringelse uden samtykke", "recommendation", ""),
            (d(2020, 11, 2), "Anbringelse i plejefamilie", "decision", "urgency"),
            (d(2021, 6, 25), "Ophør af fast kontaktperson", "decision", ""),
            (d(2021, 8, 20), "Bevilling af støtte i skolen", "decision", ""),
            (d(2022, 6, 20), "Skift af anbringelsessted til opholdssted", "decision", ""),
            (d(2023, 9, 8), "Skift af anbringelsessted til ny plejefamilie", "decision", ""),
            (d(2023, 9, 28), "Samvær med støtte fastlagt", "decision", ""),
            (d(2024, 2, 20), "Bevilling af fritidsaktivitet", "decision", ""),
        ]
        day = d(2021, 2, 1)
        while day <= self.today - timedelta(days=30):
            title = rng.choice(PLACED_FOLLOW_UPS)
            events.append((day, title, "decision", "declined"))
            day += timedelta(days=rng.randint(60, 100))
        for day, title, kind, reason in events:
            self.decision(plan, day, title, kind, measures, conversations, reason=reason)
        self.network_of(plan, measures, conversations)
        self.handovers_of(plan)


def _placement_on(measures: list[Measure], day: date) -> Measure | None:
    return next(
        (
            m
            for m in measures
            if m.kind in Measure.PLACEMENTS
            and m.started_on <= day
            and (m.ended_on is None or day <= m.ended_on)
        ),
        None,
    )


def _ascii(name: str) -> str:
    return name.lower().replace("å", "aa").replace("ø", "oe").replace("æ", "ae")
