"""The pseudonymisation function (reflection/vignettes.py): property-based tests with
Hypothesis over generated texts, and the exact behaviour on the formats the issue names.

T4 (no CPR, names, addresses or exact dates in pseudonymised text) and T14 (no ReDoS: the
patterns finish on long adversarial input)."""

from __future__ import annotations

import re

from django.test import SimpleTestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inddrag.reflection.vignettes import (
    ADDRESS,
    CPR,
    DATE,
    EMAIL,
    NAME,
    PHONE,
    age_band,
    find_case_data,
    name_parts,
    scrub,
)

MARKERS = (NAME, CPR, ADDRESS, DATE, EMAIL, PHONE)
MONTHS = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]
LETTERS = "abcdefghijklmnoprstuvyæøå"
# Words that are part of a marker: a generated name must not be one of them, or the marker
# itself would look like the name.
MARKER_WORDS = {"navn", "cpr", "nummer", "dato", "adresse", "mail", "telefonnummer"}

# Ordinary Danish sentences with small numbers, times, class levels, years, paragraphs,
# fractions and percentages: none of this is case data, and scrub must leave it as it is.
SENTENCES = [
    "Barnet sagde, at det var rart at blive spurgt.",
    "Vi talte om skolen i 2 timer.",
    "Hun har været til 3 samtaler i år.",
    "Mødet begyndte kl. 14 og sluttede kl. 15.30.",
    "Han går i 7. klasse og spiller fodbold 2 gange om ugen.",
    "Det skete i 2024, og det var svært.",
    "Der var 12 børn i klassen.",
    "Ifølge § 52 skal barnet høres.",
    "Det tog 1/2 time at køre derud.",
    "Cirka 50 % af tiden var hun glad.",
    "Uge 12 var en god uge.",
    "Vejen hjem var lang, siger han.",
    "Alle 4 voksne var enige.",
    "Mandag kom hun for sent 3 gange.",
    "Hun vil gerne bo hos sin mormor.",
    "Næste gang vil jeg spørge mere åbent.",
    "Side 3 i planen handler om fritiden.",
    "Han fik 2 ud af 3 mål.",
    "Klokken var 8 om morgenen.",
    "Bisidderen var med til mødet.",
]
STARTS = ["Hun", "Han", "Barnet", "Vi", "Det", "Mor", "Skolen", "Mødet"]
WORDS = ["skolen", "fritiden", "mormor", "fodbold", "vennerne", "planen", "hjemme", "klubben"]


@st.composite
def fillers(draw: st.DrawFn) -> str:
    """An ordinary sentence: one of SENTENCES, or one made of a start, a small number and a
    word ("Hun talte 3 gange om skolen.")."""
    if draw(st.booleans()):
        return draw(st.sampled_from(SENTENCES))
    start = draw(st.sampled_from(STARTS))
    n = draw(st.integers(min_value=0, max_value=99))
    word = draw(st.sampled_from(WORDS))
    return f"{start} talte {n} gange om {word}."


names = (
    st.text(alphabet=LETTERS, min_size=2, max_size=10)
    .map(str.capitalize)
    .filter(lambda name: name.lower() not in MARKER_WORDS)
)
days = st.integers(min_value=1, max_value=28)
months = st.integers(min_value=1, max_value=12)


@st.composite
def cprs(draw: st.DrawFn) -> str:
    d, m = draw(days), draw(months)
    y = draw(st.integers(min_value=0, max_value=99))
    serial = draw(st.integers(min_value=0, max_value=9999))
    dd, mm, yy, ssss = f"{d:02d}", f"{m:02d}", f"{y:02d}", f"{serial:04d}"
    form = draw(st.sampled_from(range(6)))
    return [
        f"{dd}{mm}{yy}-{ssss}",
        f"{dd}{mm}{yy}{ssss}",
        f"{dd}{mm}{yy} {ssss}",
        f"{dd} {mm} {yy}-{ssss}",
        f"{dd}.{mm}.{yy}-{ssss}",
        f"{dd}{mm}{yy} - {ssss}",
    ][form]


@st.composite
def dates(draw: st.DrawFn) -> str:
    d, m = draw(days), draw(months)
    y = draw(st.integers(min_value=1990, max_value=2035))
    form = draw(st.sampled_from(range(10)))
    return [
        f"{d}. {MONTHS[m - 1]} {y}",
        f"{d:02d}-{m:02d}-{y}",
        f"{d}/{m}-{y % 100:02d}",
        f"{y}-{m:02d}-{d:02d}",
        f"{d}.{m}.{y}",
        f"{d:02d}.{m:02d}.{y}",
        f"{d}/{m}/{y}",
        f"{d}. {MONTHS[m - 1]}",
        f"{d} {MONTHS[m - 1].capitalize()} {y}",
        f"den {d}/{m}",
    ][form]


SUFFIXES = ["vej", "gade", "allé", "stræde", "vænget", "parken", "bakken", "toften", "vangen"]
TOWNS = [
    "2300 København S",
    "8000 Aarhus C",
    "5000 Odense C",
    "4000 Roskilde",
    "2800 Kongens Lyngby",
]
FLOORS = ["", ", 2. tv.", ", st. th.", ", 1. mf.", " 3. th", ", 4. 12"]


@st.composite
def addresses(draw: st.DrawFn) -> tuple[str, str]:
    """(the address, its street name)."""
    stem = draw(st.text(alphabet=LETTERS, min_size=2, max_size=8)).capitalize()
    street = stem + draw(st.sampled_from(SUFFIXES))
    number = (
        f"{draw(st.integers(min_value=1, max_value=999))}{draw(st.sampled_from(['', 'A', 'B']))}"
    )
    address = f"{street} {number}{draw(st.sampled_from(FLOORS))}"
    if draw(st.booleans()):
        address += f", {draw(st.sampled_from(TOWNS))}"
    return address, street


def without_markers(text: str) -> str:
    for marker in MARKERS:
        text = text.replace(marker, " ")
    return text


def has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class VignetteScrubTestCase(SimpleTestCase):
    # Properties over generated texts.

    @PROPERTY
    @given(
        st.lists(fillers(), max_size=4),
        st.lists(names, min_size=1, max_size=3),
        cprs(),
        dates(),
        addresses(),
        st.lists(fillers(), max_size=4),
    )
    def test_it_removes_every_embedded_value(
        self,
        before: list[str],
        people: list[str],
        cpr: str,
        date: str,
        address: tuple[str, str],
        after: list[str],
    ) -> None:
        """T4: names (also as "Astas"), CPR numbers in any common format, addresses and exact
        dates between ordinary sentences: none survives, and each is reported."""
        full_address, street = address
        embedded = [
            f"{people[0]} sagde det selv.",
            f"Det var {people[-1]}s idé.",
            f"CPR-nummeret er {cpr}.",
            f"Familien bor på {full_address}.",
            f"Mødet var den {date}.",
        ]
        text = " ".join([*before, *embedded, *after])
        scrubbed = scrub(text, names=people)
        rest = without_markers(scrubbed)
        for name in people:
            self.assertFalse(has_word(rest, name), (name, scrubbed))
            self.assertFalse(has_word(rest, name + "s"), (name, scrubbed))
        self.assertNotIn(cpr, scrubbed)
        self.assertNotIn(re.sub(r"\D", "", cpr), re.sub(r"\D", "", rest))
        self.assertNotIn(full_address, scrubbed)
        self.assertFalse(has_word(rest, street), (street, scrubbed))
        self.assertNotIn(date, scrubbed)
        for marker in (NAME, CPR, ADDRESS, DATE):
            self.assertIn(marker, scrubbed)
        self.assertEqual(
            find_case_data(text, names=people),
            ["et navn", "et CPR-nummer", "en dato", "en adresse"],
        )
        # What scrub leaves holds no case data any more.
        self.assertEqual(find_case_data(scrubbed, names=people), [])

    @PROPERTY
    @given(st.lists(fillers(), min_size=1, max_size=8), st.lists(names, max_size=3))
    def test_it_leaves_ordinary_text_unchanged(
        self, sentences: list[str], people: list[str]
    ) -> None:
        """No false positives: small numbers ("3 gange"), times ("kl. 14"), class levels,
        years, paragraphs, fractions and percentages are not case data."""
        text = " ".join(sentences)
        people = [name for name in people if not has_word(text, name)]
        self.assertEqual(scrub(text, names=people), text)
        self.assertEqual(find_case_data(text, names=people), [])

    @PROPERTY
    @given(names, names)
    def test_it_removes_each_part_of_a_full_name(self, first: str, last: str) -> None:
        full = f"{first} {last}"
        text = f"{first} kom. Familien {last} var der. {full.upper()} skrev. {first}s mor ringede."
        rest = without_markers(scrub(text, names=[full]))
        self.assertFalse(has_word(rest, first))
        self.assertFalse(has_word(rest, last))

    @PROPERTY
    @given(st.text(max_size=300), st.lists(names, max_size=2))
    def test_it_is_idempotent_on_any_text(self, text: str, people: list[str]) -> None:
        """Scrubbing twice changes nothing more, whatever the text (also control characters
        and regex metacharacters)."""
        once = scrub(text, names=people)
        self.assertEqual(scrub(once, names=people), once)

    # The formats the issue names, exactly.

    def test_it_replaces_cpr_numbers_in_every_common_format(self) -> None:
        for cpr in ["010101-1234", "0101011234", "010101 1234", "01 01 01-1234", "01.01.01-1234"]:
            with self.subTest(cpr=cpr):
                self.assertEqual(scrub(f"CPR: {cpr}."), f"CPR: {CPR}.")
                self.assertEqual(find_case_data(f"nr. {cpr}"), ["et CPR-nummer"])

    def test_it_replaces_addresses(self) -> None:
        cases = {
            "Hun bor på Bakkevej 12.": f"Hun bor på {ADDRESS}.",
            "Hun bor på Bakkevej 12, 2. tv. nu.": f"Hun bor på {ADDRESS} nu.",
            "Adressen er 2300 København S.": f"Adressen er {ADDRESS}.",
            "Bakkevej 12, 2300 København S": ADDRESS,
            "Nørre Allé 5B, st. th.": ADDRESS,
            "H.C. Andersens Boulevard 2": f"H.C. {ADDRESS}",
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(scrub(text), expected)

    def test_it_replaces_exact_dates_in_every_common_format(self) -> None:
        for date in ["3. maj 2026", "03-05-2026", "3/5-26", "2026-05-03", "3.5.2026", "3. maj"]:
            with self.subTest(date=date):
                self.assertEqual(scrub(f"Mødet {date} gik godt."), f"Mødet {DATE} gik godt.")
                self.assertEqual(find_case_data(date), ["en dato"])

    def test_it_keeps_a_month_and_a_year_and_a_time(self) -> None:
        text = "I maj 2026 kl. 14.30 talte vi 3 gange. Hun er 12 år og går i 6. klasse."
        self.assertEqual(scrub(text), text)

    def test_it_replaces_names_whole_words_any_case_and_possessive(self) -> None:
        text = "Asta og ASTA og astas mor og Asta's bror, men ikke Astaire eller Gustav."
        self.assertEqual(
            scrub(text, names=["Asta Fiktivsen"]),
            f"{NAME} og {NAME} og {NAME} mor og {NAME} bror, men ikke Astaire eller Gustav.",
        )
        self.assertEqual(scrub("Jens' cykel", names=["Jens"]), f"{NAME} cykel")

    def test_it_splits_names_into_parts(self) -> None:
        self.assertEqual(
            name_parts(["Anne-Marie  Fiktivsen", "H. Jensen", ""]),
            [
                "Anne-Marie Fiktivsen",
                "Anne-Marie",
                "Fiktivsen",
                "H. Jensen",
                "Jensen",
                "Marie",
                "Anne",
            ],
        )

    def test_it_replaces_email_addresses_and_phone_numbers(self) -> None:
        text = "Skriv til mor@example.com eller ring 12 34 56 78 / +45 12345678."
        self.assertEqual(scrub(text), f"Skriv til {EMAIL} eller ring {PHONE} / {PHONE}.")
        self.assertEqual(find_case_data(text), ["en e-mailadresse", "et telefonnummer"])

    def test_it_finds_nothing_in_an_empty_text(self) -> None:
        self.assertEqual(find_case_data(""), [])
        self.assertEqual(scrub("", names=["Asta"]), "")

    def test_it_gives_the_age_as_a_band(self) -> None:
        self.assertEqual(
            [age_band(age) for age in (0, 4, 9, 11, 14, 16, 20, 30)],
            ["0–2 år", "3–5 år", "6–9 år", "10–12 år", "13–14 år", "15–17 år", "18–23 år",
             "over 23 år"],
        )  # fmt: skip

    def test_it_finishes_on_long_adversarial_input(self) -> None:
        """T14: the patterns are linear. Each of these would take minutes with a pattern that
        backtracks catastrophically; here they all finish (50,000 characters: the longest
        text a model holds)."""
        n = 50000
        adversarial = [
            "1" * n,
            "1 " * (n // 2),
            "1." * (n // 2),
            "1-" * (n // 2),
            "A" + "a" * n,
            "Aa." * (n // 3),
            "A.A" * (n // 3),
            "a@" * (n // 2),
            "a." * (n // 2) + "@",
            "x@" + "a." * (n // 2),
            "Bakkevej 1, " * (n // 12),
            "1234 " * (n // 5),
            "12 " * (n // 3),
            "3. " * (n // 3),
            "den 3/" * (n // 6),
            ("Aaaa" + " " * 3) * (n // 7),
        ]
        names_ = [f"Navn{n}" for n in range(50)]
        for text in adversarial:
            with self.subTest(text=text[:12]):
                self.assertIsInstance(scrub(text, names=names_), str)
                self.assertIsInstance(find_case_data(text), list)
