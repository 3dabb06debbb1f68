"""A synthetic national data set for the leaders' and the operator's figures and their benchmark:
98 municipalities, their units, caseworkers (~2,400), ~60,000 children with cases, measures,
assignments and handovers, and ~10 million timeline rows over five years (conversations and
statements, decisions, meetings with preparations and feedback, letters, child messages with
bisidder requests, plans with goal check-ins). Some municipalities are clearly worse at hearing
children than others, so the national view has a spread to show.

`manage.py build_national_data --scale 1.0 --seed 8`; `--scale 0.001` for the tests. Rows are
written with raw SQL in batches (`executemany` on SQLite, `COPY` on PostgreSQL) with the ids
computed here: no ORM save per row. Every row respects the models' NOT NULL, unique and check
constraints. It writes fake children, so it refuses to run with DEBUG off unless told
`--yes-i-mean-it`. Afterwards every municipality's figures are refreshed (timed separately).
"""

from __future__ import annotations

import random
import time
from argparse import ArgumentParser
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.children.models import Assignment, Case, Child, Handover, Measure
from inddrag.conversations.models import (
    Conversation,
    Meeting,
    MeetingFeedback,
    MeetingPreparation,
    Statement,
)
from inddrag.decisions.models import Decision
from inddrag.insights.refresh import refresh_municipality
from inddrag.letters.models import Letter
from inddrag.municipalities.models import Membership, Municipality, Unit
from inddrag.plans.models import Goal, GoalCheckIn, Plan, PlanVersion
from inddrag.portal.models import ChildMessage

# The 98 municipalities, with a rough weight for their number of children's cases.
MUNICIPALITIES: list[tuple[str, float]] = [
    ("København", 9.0), ("Frederiksberg", 1.5), ("Albertslund", 0.6), ("Ballerup", 0.8),
    ("Brøndby", 0.6), ("Dragør", 0.2), ("Gentofte", 1.0), ("Gladsaxe", 1.1), ("Glostrup", 0.4),
    ("Herlev", 0.5), ("Hvidovre", 0.9), ("Høje-Taastrup", 0.8), ("Ishøj", 0.4),
    ("Lyngby-Taarbæk", 0.8), ("Rødovre", 0.7), ("Tårnby", 0.7), ("Vallensbæk", 0.3),
    ("Allerød", 0.4), ("Egedal", 0.7), ("Fredensborg", 0.7), ("Frederikssund", 0.8),
    ("Furesø", 0.6), ("Gribskov", 0.7), ("Halsnæs", 0.5), ("Helsingør", 1.0), ("Hillerød", 0.9),
    ("Hørsholm", 0.4), ("Rudersdal", 0.9), ("Bornholm", 0.7), ("Greve", 0.8), ("Køge", 1.0),
    ("Lejre", 0.5), ("Roskilde", 1.4), ("Solrød", 0.4), ("Faxe", 0.6), ("Guldborgsund", 1.0),
    ("Holbæk", 1.2), ("Kalundborg", 0.8), ("Lolland", 0.7), ("Næstved", 1.4), ("Odsherred", 0.6),
    ("Ringsted", 0.6), ("Slagelse", 1.3), ("Sorø", 0.5), ("Stevns", 0.4), ("Vordingborg", 0.8),
    ("Assens", 0.7), ("Faaborg-Midtfyn", 0.9), ("Kerteminde", 0.4), ("Langeland", 0.2),
    ("Middelfart", 0.7), ("Nordfyns", 0.5), ("Nyborg", 0.5), ("Odense", 3.5), ("Svendborg", 1.0),
    ("Ærø", 0.1), ("Billund", 0.5), ("Esbjerg", 2.0), ("Fanø", 0.1), ("Fredericia", 0.9),
    ("Haderslev", 1.0), ("Kolding", 1.6), ("Sønderborg", 1.3), ("Tønder", 0.6), ("Varde", 0.9),
    ("Vejen", 0.7), ("Vejle", 1.9), ("Aabenraa", 1.0), ("Favrskov", 0.8), ("Hedensted", 0.8),
    ("Horsens", 1.5), ("Norddjurs", 0.6), ("Odder", 0.4), ("Randers", 1.7), ("Samsø", 0.1),
    ("Silkeborg", 1.6), ("Skanderborg", 1.1), ("Syddjurs", 0.7), ("Aarhus", 5.5),
    ("Herning", 1.5), ("Holstebro", 1.0), ("Ikast-Brande", 0.8), ("Lemvig", 0.3),
    ("Ringkøbing-Skjern", 1.0), ("Skive", 0.8), ("Struer", 0.4), ("Viborg", 1.6),
    ("Brønderslev", 0.6), ("Frederikshavn", 1.0), ("Hjørring", 1.1), ("Jammerbugt", 0.7),
    ("Læsø", 0.1), ("Mariagerfjord", 0.7), ("Morsø", 0.4), ("Rebild", 0.5), ("Thisted", 0.7),
    ("Vesthimmerlands", 0.6), ("Aalborg", 3.6),
]  # fmt: skip

FIRST_NAMES = [
    "Asta",
    "Ida",
    "Freja",
    "Emma",
    "Alma",
    "Clara",
    "Ella",
    "Karla",
    "Lea",
    "Nora",
    "Sofia",
    "Maja",
    "Luna",
    "Agnes",
    "Liva",
    "William",
    "Noah",
    "Oscar",
    "Lucas",
    "Carl",
    "Victor",
    "Alfred",
    "Malthe",
    "Emil",
    "Aksel",
    "Elias",
    "Magnus",
    "Anton",
    "Ali",
    "Omar",
]
LAST_NAMES = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Hussein",
    "Yilmaz",
]
UNIT_NAMES = [
    "Nord",
    "Syd",
    "Øst",
    "Vest",
    "Centrum",
    "Unge",
    "Handicap",
    "Familie",
    "Anbragte",
    "Tværgående",
]
LANGUAGES = ["da"] * 17 + ["en", "ar", "so", "uk", "tr"]
MEASURE_KINDS = ["preventive"] * 5 + ["network_care", "foster_care", "foster_care", "institution"]
REASONS = ["declined", "declined", "maturity", "maturity", "urgency", "other"]
MEETING_KINDS = ["child_conversation", "network", "follow_up", "status"]
MESSAGE_KINDS = ["message"] * 12 + ["bisidder"] * 4 + ["unsafe"] + ["call_me"] * 3
AREAS = ["school", "wellbeing", "health", "family", "leisure", "adult_life"]
QUARTERS = [f"{h:02d}:{m:02d}:00" for h in range(8, 16) for m in (0, 15, 30, 45)]
EVENING = [f"{h:02d}:{m:02d}:00" for h in range(14, 22) for m in (5, 20, 35, 50)]

CHILDREN = 60_000  # at scale 1
EVENTS = 10_000_000  # timeline rows at scale 1
CASELOAD = 25  # children per caseworker
CASEWORKERS_PER_UNIT = 8
YEARS = 5
# Timeline rows per active case month, before the calibration to EVENTS (meetings bring their
# preparations and feedback, conversations some statements, plans their check-ins).
RATES = {
    "conversation": 0.9,
    "decision": 0.45,
    "meeting": 0.8,
    "letter": 1.0,
    "message": 0.5,
    "checkin": 0.35,
}
PER_MONTH = (
    RATES["conversation"] * 1.3  # a statement with every third conversation
    + RATES["decision"]
    + RATES["meeting"] * 1.8  # about 0.5 preparations and 0.3 feedback per meeting
    + RATES["letter"]
    + RATES["message"]
    + RATES["checkin"] * 0.4  # only the cases with a plan (40 %)
)
BATCH = 20_000


def uid(table: int, pk: int) -> str:
    """A unique UUID value (32 hex digits, as Django stores it on SQLite and PostgreSQL reads
    it): the table's number and the row's id, so unique without a random number per row."""
    return f"{table:08x}{pk:024x}"


class Table:
    """Rows for one model, written in batches with raw SQL. The columns are the model's fields
    by name; a NOT NULL field left out is an error here, before the database says so."""

    def __init__(self, writer: Writer, model: type[models.Model], names: Sequence[str]) -> None:
        self.writer = writer
        self.model = model
        fields = [model._meta.get_field(name) for name in names]
        for field in model._meta.concrete_fields:
            if field.name not in names and not field.null:
                raise CommandError(f"{model.__name__}.{field.name} mangler i build_national_data")
        self.columns: list[str] = [str(f.column) for f in fields]  # type: ignore[union-attr]
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.column_list = ", ".join(quote(c) for c in self.columns)
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0
        self.next_id = writer.next_id(model)

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            # All tables, parents first: a row never waits for its parent, so SQLite's
            # deferred foreign key counter stays at zero (else every parent row inserted
            # makes it search the child tables).
            self.writer.flush_all()

    def new_id(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk

    def flush(self) -> None:
        if self.rows:
            self.writer.write(self)
            self.count += len(self.rows)
            self.rows = []


class Writer:
    """The raw connection: `executemany` on SQLite, `COPY … FROM STDIN` on PostgreSQL."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.raw = connection.connection
        self.cursor = self.raw.cursor()
        self.postgres = connection.vendor == "postgresql"
        self.tables: list[Table] = []

    def table(self, model: type[models.Model], names: Sequence[str]) -> Table:
        table = Table(self, model, names)
        self.tables.append(table)
        return table

    def next_id(self, model: type[models.Model]) -> int:
        quote = connection.ops.quote_name
        self.cursor.execute(
            f"SELECT MAX({quote(str(model._meta.pk.column))}) FROM {quote(model._meta.db_table)}"
        )
        (largest,) = self.cursor.fetchone()
        return int(largest or 0) + 1

    def write(self, table: Table) -> None:
        if self.postgres:
            sql = f"COPY {table.table} ({table.column_list}) FROM STDIN"
            with self.cursor.copy(sql) as copy:
                for row in table.rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(table.columns))
            self.cursor.executemany(
                f"INSERT INTO {table.table} ({table.column_list}) VALUES ({marks})", table.rows
            )

    def drop_indexes(self) -> None:
        """SQLite: drop the tables' secondary indexes now and make them again at the end (one
        sort each instead of a B-tree update per row and index). Their exact DDL is kept from
        `sqlite_master`; the UNIQUE columns' own indexes stay. All inside the transaction."""
        self.indexes: list[str] = []
        if self.postgres:
            return
        for table in self.tables:
            self.cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                [table.model._meta.db_table],
            )
            for name, sql in self.cursor.fetchall():
                self.indexes.append(sql)
                self.cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")

    def flush_all(self) -> None:
        for table in self.tables:
            table.flush()

    def finish(self) -> None:
        self.flush_all()
        for sql in self.indexes:
            self.cursor.execute(sql)
        if self.postgres:
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(
                    no_style(), [t.model for t in self.tables]
                ):
                    cursor.execute(sql)


class Command(BaseCommand):
    help = "Byg et syntetisk landsdækkende datasæt (98 kommuner) til tal og benchmark."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1.0: ~60.000 børn")
        parser.add_argument("--seed", type=int, default=8)
        parser.add_argument(
            "--yes-i-mean-it",
            action="store_true",
            help="kør også med DEBUG slået fra (skriver opdigtede børn i databasen)",
        )
        parser.add_argument("--no-refresh", action="store_true", help="genberegn ikke tallene")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["yes_i_mean_it"]:
            raise CommandError(
                "DEBUG er slået fra: kommandoen skriver opdigtede børn. "
                "Brug --yes-i-mean-it, hvis det virkelig er meningen."
            )
        scale: float = options["scale"]
        if not 0 < scale <= 10:
            raise CommandError("--scale skal være over 0 og højst 10.")
        names = [name for name, _ in MUNICIPALITIES]
        if Municipality.objects.filter(name__in=names).exists():
            raise CommandError(
                "Databasen har allerede kommuner med de navne: brug en tom database."
            )
        today = timezone.localdate()
        started = time.perf_counter()
        build = Build(scale, options["seed"], today, self.progress, started)
        sqlite_pragmas = connection.vendor == "sqlite" and not connection.in_atomic_block
        if sqlite_pragmas:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA journal_mode = MEMORY")
                cursor.execute("PRAGMA cache_size = -1000000")
        try:
            with transaction.atomic():
                build.run()
        finally:
            if sqlite_pragmas:
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA journal_mode = WAL")
                    cursor.execute("PRAGMA synchronous = FULL")
        built = time.perf_counter() - started
        self.stdout.write(
            f"Bygget på {built:.1f} s: {build.summary()} ({build.events:,} hændelser i alt)."
        )
        if options["no_refresh"]:
            return
        started = time.perf_counter()
        ids = list(
            Municipality.objects.filter(name__in=names).order_by("pk").values_list("pk", flat=True)
        )
        for number, municipality_id in enumerate(ids, 1):
            refresh_municipality(municipality_id, today=today)
            if number % 10 == 0:
                self.progress(f"genberegnet {number}/{len(ids)} kommuner", started)
        refreshed = time.perf_counter() - started
        self.stdout.write(f"Tallene genberegnet for {len(ids)} kommuner på {refreshed:.1f} s.")

    def progress(self, what: str, started: float) -> None:
        self.stdout.write(f"[{time.perf_counter() - started:6.1f} s] {what}")
        self.stdout.flush()


class Build:
    """The generator. Days are numbered from the window's first day; dates are written as the
    ISO strings both databases read (datetimes in UTC, as Django stores them)."""

    def __init__(self, scale: float, seed: int, today: date, progress: Any, started: float) -> None:
        self.scale = scale
        self.rnd = random.Random(seed)
        self.today = today
        self.progress = progress
        self.started = started
        # Cases open from two years before the window; day 0 is that first possible day.
        self.first = today.replace(year=today.year - YEARS) - timedelta(days=730)
        self.last_day = (today - self.first).days  # today
        self.window_day = self.last_day - (today - today.replace(year=today.year - YEARS)).days
        self.days = [
            (self.first + timedelta(days=n)).isoformat() for n in range(self.last_day + 40)
        ]
        self.now = f"{today.isoformat()} 06:00:00"
        self.events = 0

    def summary(self) -> str:
        return ", ".join(f"{t.model.__name__} {t.count:,}" for t in self.writer.tables)

    def stamp(self, day: int, evening: bool = False) -> str:
        times = EVENING if evening else QUARTERS
        return f"{self.days[day]} {times[int(self.rnd.random() * len(times))]}"

    def run(self) -> None:
        self.writer = w = Writer()
        self.municipality = w.table(
            Municipality, ["id", "code", "name", "cvr", "municipality_code"]
        )
        self.unit = w.table(Unit, ["id", "code", "municipality", "name"])
        self.user = w.table(
            User,
            [
                "id", "password", "is_superuser", "username", "first_name", "last_name", "email",
                "is_staff", "is_active", "date_joined", "code", "disabled_reason", "presentation",
                "work_phone", "is_operator",
            ],
        )  # fmt: skip
        self.membership = w.table(
            Membership, ["id", "code", "user", "municipality", "unit", "role", "created_at"]
        )
        self.child = w.table(
            Child,
            [
                "id", "code", "municipality", "first_name", "last_name", "birth_date", "cpr",
                "has_protected_address", "preferred_language", "created_at",
            ],
        )  # fmt: skip
        self.case = w.table(
            Case,
            [
                "id", "code", "reference", "municipality", "unit", "child", "status", "opened_on",
                "closed_on",
            ],
        )  # fmt: skip
        self.assignment = w.table(
            Assignment, ["id", "municipality", "case", "caseworker", "started_at", "ended_at"]
        )
        self.handover = w.table(
            Handover,
            [
                "id", "code", "municipality", "case", "from_caseworker", "to_caseworker",
                "written_by", "child_story", "handed_over_at", "child_message",
            ],
        )  # fmt: skip
        self.measure = w.table(
            Measure,
            [
                "id", "code", "municipality", "case", "kind", "description", "started_on",
                "ended_on", "created_at",
            ],
        )  # fmt: skip
        self.conversation = w.table(
            Conversation,
            [
                "id", "code", "municipality", "case", "held_on", "place", "present",
                "had_bisidder", "without_staff_present", "assessment", "created_by",
                "created_at", "updated_at", "version",
            ],
        )  # fmt: skip
        self.statement = w.table(
            Statement,
            [
                "id", "code", "municipality", "conversation", "child", "text", "sharing",
                "said_on", "position",
            ],
        )  # fmt: skip
        self.decision = w.table(
            Decision,
            [
                "id", "code", "municipality", "case", "kind", "title", "decided_on",
                "child_perspective", "child_told_how", "child_heard", "not_heard_reason",
                "not_heard_note", "created_by", "created_at",
            ],
        )  # fmt: skip
        self.meeting = w.table(
            Meeting,
            [
                "id", "code", "municipality", "case", "kind", "starts_at", "place",
                "child_invited", "status", "notes", "summary", "summary_written_at",
                "created_by", "created_at", "version",
            ],
        )  # fmt: skip
        self.preparation = w.table(
            MeetingPreparation,
            ["id", "code", "municipality", "meeting", "child", "updated_at", "submitted_at"],
        )
        self.feedback = w.table(
            MeetingFeedback,
            [
                "id", "code", "municipality", "meeting", "child", "felt_heard", "understood",
                "text", "given_at", "submit_token",
            ],
        )  # fmt: skip
        self.letter = w.table(
            Letter,
            [
                "id", "code", "municipality", "case", "audience", "recipient", "subject", "body",
                "lix", "hard_text_confirmed", "created_by", "created_at", "updated_at",
                "sent_at", "sent_by", "read_at", "version",
            ],
        )  # fmt: skip
        self.message = w.table(
            ChildMessage,
            [
                "id", "code", "municipality", "child", "case", "kind", "text", "sent_at",
                "submit_token", "answer", "answered_at", "answered_by",
            ],
        )  # fmt: skip
        self.plan = w.table(
            Plan, ["id", "code", "municipality", "case", "created_by", "created_at"]
        )
        self.version = w.table(
            PlanVersion,
            [
                "id", "code", "municipality", "plan", "number", "approved_at", "approved_by",
                "created_at", "updated_at", "revision",
            ],
        )  # fmt: skip
        self.goal = w.table(
            Goal,
            [
                "id", "code", "municipality", "version", "key", "area", "child_words",
                "child_words_missing_reason", "description", "who_does_what", "review_on",
                "proposed_by_child", "position",
            ],
        )  # fmt: skip
        self.checkin = w.table(
            GoalCheckIn,
            [
                "id", "code", "municipality", "plan", "child", "goal_key", "rating", "comment",
                "checked_in_at", "submit_token",
            ],
        )  # fmt: skip
        w.drop_indexes()
        self.event_tables = [
            self.conversation, self.statement, self.decision, self.meeting, self.preparation,
            self.feedback, self.letter, self.message, self.checkin,
        ]  # fmt: skip

        rnd = self.rnd
        total_weight = sum(weight for _, weight in MUNICIPALITIES)
        # The cases first (dimensions and lifetimes), to calibrate the event rates.
        layout: list[tuple[int, str, float, list[tuple[int, int, int]]]] = []
        active_months = 0.0
        for index, (name, weight) in enumerate(MUNICIPALITIES):
            children = max(1, round(CHILDREN * self.scale * weight / total_weight))
            cases = []
            for _ in range(children):
                opened = int(rnd.random() * (self.last_day - 14))
                closed = -1
                if rnd.random() < 0.35:
                    closed = opened + 180 + int(rnd.random() * 1600)
                    if closed >= self.last_day:
                        closed = -1
                end = self.last_day if closed < 0 else closed
                start = max(opened, self.window_day)
                if end > start:
                    active_months += (end - start) / 30.44
                cases.append((opened, closed, int(rnd.random() * 21 * 365)))
            # Quality: most municipalities hear most children; some clearly fewer.
            quality = (
                0.2 + rnd.random() * 0.25 if rnd.random() < 0.15 else 0.55 + rnd.random() * 0.4
            )
            layout.append((index, name, quality, cases))
        self.factor = EVENTS * self.scale / max(1.0, active_months * PER_MONTH)

        for index, name, quality, cases in layout:
            self.build_municipality(index, name, quality, cases)
            if (index + 1) % 10 == 0 or index + 1 == len(layout):
                self.events = sum(t.count + len(t.rows) for t in self.event_tables)
                self.progress(
                    f"{index + 1}/{len(layout)} kommuner, {self.events:,} hændelser", self.started
                )
        self.progress("indekser og det sidste parti", self.started)
        w.finish()
        self.events = sum(t.count for t in self.event_tables)

    def build_municipality(
        self,
        index: int,
        name: str,
        quality: float,
        cases: list[tuple[int, int, int]],
    ) -> None:
        rnd = self.rnd
        muni = self.municipality.new_id()
        self.municipality.add(
            (muni, uid(1, muni), name, f"{90000000 + index:08d}", f"{700 + index % 300:03d}")
        )
        joined = f"{self.days[0]} 08:00:00"
        caseworker_count = max(1, round(len(cases) / CASELOAD))
        unit_count = max(1, round(caseworker_count / CASEWORKERS_PER_UNIT))
        units = []
        for number in range(unit_count):
            unit = self.unit.new_id()
            suffix = "" if number < len(UNIT_NAMES) else f" {number // len(UNIT_NAMES) + 1}"
            self.unit.add((unit, uid(2, unit), muni, f"Team {UNIT_NAMES[number % 10]}{suffix}"))
            units.append(unit)

        def person(username: str, role: str, unit: int | None) -> int:
            user = self.user.new_id()
            self.user.add(
                (
                    user, "!", 0, username, FIRST_NAMES[user % len(FIRST_NAMES)],
                    LAST_NAMES[user % len(LAST_NAMES)], "", 0, 1, joined, uid(3, user), "", "",
                    "", 0,
                )
            )  # fmt: skip
            membership = self.membership.new_id()
            self.membership.add((membership, uid(4, membership), user, muni, unit, role, joined))
            return user

        prefix = f"national-{index + 1:03d}"
        person(f"{prefix}-chef", "leader", None)
        person(f"{prefix}-admin", "admin", None)
        for number, unit in enumerate(units):
            person(f"{prefix}-leder{number + 1}", "leader", unit)
        workers: dict[int, list[int]] = {unit: [] for unit in units}
        for number in range(caseworker_count):
            unit = units[number % unit_count]
            workers[unit].append(person(f"{prefix}-sb{number + 1}", "caseworker", unit))

        hear = quality
        prepare = 0.25 + 0.6 * quality
        read = 0.45 + 0.45 * quality
        answer = 0.7 + 0.29 * quality
        answer_hours = 12 + (1 - quality) * 90
        factor = self.factor
        window = self.window_day
        for number, (opened, closed, age_days) in enumerate(cases):
            unit = units[int(rnd.random() * unit_count)]
            pool = workers[unit]
            child = self.child.new_id()
            birth = self.first + timedelta(days=opened - age_days)
            cpr = f"{birth:%d%m%y}{number % 10000:04d}"
            first_name = FIRST_NAMES[int(rnd.random() * len(FIRST_NAMES))]
            self.child.add(
                (
                    child, uid(5, child), muni, first_name,
                    LAST_NAMES[int(rnd.random() * len(LAST_NAMES))], birth.isoformat(), cpr,
                    1 if rnd.random() < 0.02 else 0, LANGUAGES[int(rnd.random() * 22)],
                    f"{self.days[opened]} 09:00:00",
                )
            )  # fmt: skip
            case = self.case.new_id()
            end = self.last_day if closed < 0 else closed
            self.case.add(
                (
                    case, uid(6, case), f"N{index + 1:03d}-{case}", muni, unit, child,
                    "open" if closed < 0 else "closed", self.days[opened],
                    None if closed < 0 else self.days[closed],
                )
            )  # fmt: skip
            # Caseworkers over time: 0-3 handovers.
            changes = sorted(
                opened + 1 + int(rnd.random() * (end - opened - 1))
                for _ in range(min(3, int(rnd.random() * 4 * rnd.random() * 1.6)))
                if end - opened > 2
            )
            starts = [opened, *changes]
            people = [pool[int(rnd.random() * len(pool))] for _ in starts]
            for i, begin in enumerate(starts):
                stop: str | None = None
                if i + 1 < len(starts):
                    stop = f"{self.days[starts[i + 1]]} 10:00:00"
                elif closed >= 0:
                    stop = f"{self.days[closed]} 10:00:00"
                aid = self.assignment.new_id()
                self.assignment.add(
                    (aid, muni, case, people[i], f"{self.days[begin]} 09:00:00", stop)
                )
                if i:
                    hid = self.handover.new_id()
                    self.handover.add(
                        (
                            hid, uid(7, hid), muni, case, people[i - 1], people[i], people[i - 1],
                            "Barnet fortæller selv om skole og venner.",
                            f"{self.days[begin]} 10:00:00", "",
                        )
                    )  # fmt: skip

            def worker(day: int, starts: list[int] = starts, people: list[int] = people) -> int:
                for i in range(len(starts) - 1, 0, -1):
                    if day >= starts[i]:
                        return people[i]
                return people[0]

            # Measures: one or two.
            age_at_end = (end - opened + age_days) / 365.25
            for k in range(1 + (rnd.random() < 0.3)):
                kind = MEASURE_KINDS[int(rnd.random() * len(MEASURE_KINDS))]
                if k and age_at_end >= 18:
                    kind = "aftercare"
                begin = opened + int(rnd.random() * max(1, (end - opened) // 2))
                stop_day = begin + 90 + int(rnd.random() * 900)
                ended = None if stop_day >= end and closed < 0 else self.days[min(stop_day, end)]
                mid = self.measure.new_id()
                self.measure.add(
                    (
                        mid, uid(8, mid), muni, case, kind, "", self.days[begin], ended,
                        f"{self.days[begin]} 09:00:00",
                    )
                )  # fmt: skip

            first = max(opened, window)
            span = end - first
            if span <= 0:
                continue
            months = span / 30.44

            def count(rate: float, months: float = months) -> int:
                expected = months * rate * factor
                return int(expected + rnd.random())

            def day_in(first: int = first, span: int = span) -> int:
                return first + int(rnd.random() * span)

            for _ in range(count(RATES["conversation"])):
                day = day_in()
                by = worker(day)
                cid = self.conversation.new_id()
                stamp = f"{self.days[day]} 15:00:00"
                self.conversation.add(
                    (
                        cid, uid(9, cid), muni, case, self.days[day], "Hjemme", "",
                        1 if rnd.random() < 0.08 else 0, 0, "", by, stamp, stamp, 1,
                    )
                )  # fmt: skip
                if rnd.random() < 0.33:
                    sid = self.statement.new_id()
                    self.statement.add(
                        (
                            sid, uid(10, sid), muni, cid, child, "Jeg vil gerne bo hos mor.",
                            "case_file", self.days[day], 0,
                        )
                    )  # fmt: skip
            for _ in range(count(RATES["decision"])):
                day = day_in()
                heard = rnd.random() < hear
                reason = "" if heard else REASONS[int(rnd.random() * 6)]
                did = self.decision.new_id()
                self.decision.add(
                    (
                        did, uid(11, did), muni, case, "decision", "Bevilling af støtte",
                        self.days[day], "Barnet ønsker at blive boende.", "Ved en samtale",
                        1 if heard else 0, reason,
                        "Ikke muligt at nå" if reason == "other" else "", worker(day),
                        f"{self.days[day]} 14:00:00",
                    )
                )  # fmt: skip
            for _ in range(count(RATES["meeting"])):
                day = day_in()
                by = worker(day)
                starts_at = self.stamp(day)
                invited = rnd.random() < 0.85
                roll = rnd.random()
                status = "cancelled" if roll < 0.06 else "held"
                if day >= self.last_day - 1 and roll >= 0.06:
                    status = "planned"
                held = status == "held"
                summary = held and rnd.random() < 0.75
                summary_at = f"{self.days[day + 1]} 12:00:00" if summary else None
                mid = self.meeting.new_id()
                self.meeting.add(
                    (
                        mid, uid(12, mid), muni, case, MEETING_KINDS[int(roll * 4) % 4],
                        starts_at, "Rådhuset", 1 if invited else 0, status, "",
                        "Vi aftalte næste skridt." if summary else "", summary_at, by,
                        f"{self.days[max(0, day - 14)]} 09:00:00", 1,
                    )
                )  # fmt: skip
                if not invited:
                    continue
                if rnd.random() < 0.75:
                    submitted = rnd.random() < prepare
                    before = self.stamp(max(0, day - 1), evening=True)
                    pid = self.preparation.new_id()
                    self.preparation.add(
                        (pid, uid(13, pid), muni, mid, child, before, before if submitted else None)
                    )
                if held and summary and rnd.random() < 0.55 and day + 3 < self.last_day:
                    felt = min(5, max(1, int(1 + quality * 4.2 + rnd.random() * 2.2 - 0.6)))
                    understood = min(5, max(1, int(1 + quality * 4 + rnd.random() * 2.4 - 0.7)))
                    fid = self.feedback.new_id()
                    self.feedback.add(
                        (
                            fid, uid(14, fid), muni, mid, child, felt, understood, "",
                            self.stamp(day + 1 + int(rnd.random() * 2), evening=True),
                            uid(15, fid),
                        )
                    )  # fmt: skip
            for _ in range(count(RATES["letter"])):
                day = day_in()
                by = worker(day)
                sent = rnd.random() < 0.95
                stamp = self.stamp(day)
                read_at = None
                if sent and rnd.random() < read and day + 2 < self.last_day:
                    read_at = self.stamp(day + 1 + int(rnd.random() * 2), evening=True)
                lid = self.letter.new_id()
                self.letter.add(
                    (
                        lid, uid(16, lid), muni, case, "child", first_name, "Om dit møde",
                        "Kære dig. Vi ses snart.", 12 if sent else None, 0, by, stamp, stamp,
                        stamp if sent else None, by if sent else None, read_at, 1,
                    )
                )  # fmt: skip
            for _ in range(count(RATES["message"])):
                day = day_in()
                kind = MESSAGE_KINDS[int(rnd.random() * len(MESSAGE_KINDS))]
                sent_at = self.stamp(day, evening=True)
                answered_at = None
                hours = int(rnd.expovariate(1 / answer_hours)) + 1
                if rnd.random() < answer and day + hours // 24 + 1 < self.last_day:
                    answered_at = f"{self.days[day + hours // 24]} {sent_at[11:13]}:59:00"
                    answered_at = self.stamp(day + hours // 24 + 1) if hours >= 24 else answered_at
                msg = self.message.new_id()
                self.message.add(
                    (
                        msg, uid(17, msg), muni, child, case, kind, "Kan vi tale sammen?",
                        sent_at, uid(18, msg), "Ja, jeg ringer i morgen." if answered_at else "",
                        answered_at, worker(day) if answered_at else None,
                    )
                )  # fmt: skip
            if rnd.random() < 0.4:
                self.make_plan(muni, case, child, first, span, worker(first), count)

    def make_plan(
        self, muni: int, case: int, child: int, first: int, span: int, by: int, count: Any
    ) -> None:
        rnd = self.rnd
        plan = self.plan.new_id()
        made = f"{self.days[first]} 11:00:00"
        self.plan.add((plan, uid(19, plan), muni, case, by, made))
        version = self.version.new_id()
        self.version.add((version, uid(20, version), muni, plan, 1, made, by, made, made, 1))
        keys = []
        for position in range(2):
            goal = self.goal.new_id()
            key = uid(21, goal)
            keys.append(key)
            self.goal.add(
                (
                    goal, uid(22, goal), muni, version, key, AREAS[int(rnd.random() * 6)],
                    "Jeg vil gerne i skole hver dag.", "", "Barnet kommer i skole.", "",
                    self.days[min(first + 180, len(self.days) - 1)], 0, position,
                )
            )  # fmt: skip
        for _ in range(count(RATES["checkin"])):
            day = first + int(rnd.random() * span)
            cid = self.checkin.new_id()
            self.checkin.add(
                (
                    cid, uid(23, cid), muni, plan, child, keys[cid % 2],
                    1 + int(rnd.random() * 5), "", self.stamp(day, evening=True), uid(24, cid),
                )
            )  # fmt: skip
