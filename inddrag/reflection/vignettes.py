"""Pseudonymisation: a case turned into a vignette for a team reflection session, and the
function that takes case data out of free text.

`scrub` replaces names (the ones given), CPR numbers, Danish street addresses and postcodes,
exact dates, e-mail addresses and phone numbers with a neutral marker in brackets.
`find_case_data` says which kinds of case data a text holds (the dialogue space across
municipalities refuses such a text). `make_vignette` builds the vignette's text from a case:
the child's age band instead of the birth date, roles instead of names, and every free text
scrubbed.

Every pattern is linear in the length of the text: each one starts only where its first
character class cannot continue a previous run (a lookbehind on the same class), and no
quantified group can match the same characters in two ways. Texts are bounded by the models
(at most 50,000 characters)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from inddrag.children.models import Case, Measure, NetworkMember
from inddrag.conversations.models import Conversation, Statement
from inddrag.decisions.models import Decision
from inddrag.lib.dates import age_on

NAME = "[navn]"
CPR = "[CPR-nummer]"
ADDRESS = "[adresse]"
DATE = "[dato]"
EMAIL = "[e-mail]"
PHONE = "[telefonnummer]"

_UPPER = "A-ZÆØÅÄÖÜÉ"
_LOWER = "a-zæøåäöüé"

# CPR numbers: ddmmyy-nnnn however they are typed: "010101-1234", "0101011234", "010101 1234",
# "01 01 01-1234", "01.01.01-1234", "01-01-01-1234".
_CPR = re.compile(r"(?<![\d+])\d{2}[ .-]?\d{2}[ .-]?\d{2}(?: ?- ?| )?\d{4}(?![\d])")

_STREET_SUFFIXES = (
    "vej|vejen|gade|gaden|allé|alle|alléen|stræde|strædet|plads|pladsen|torv|torvet|vænge|"
    "vænget|boulevard|have|haven|park|parken|sti|stien|bakke|bakken|vang|vangen|toft|toften|"
    "mark|marken|eng|engen|lund|lunden|høj|højen|skov|skoven|dal|dalen|ager|agre|hegn|holm|"
    "holmen|bro|broen|kaj|kajen|gyde|gård|gården|bjerg|bjerget|løkke|løkken|kvarter|passage|"
    "passagen|promenade|ringen|kile|krog|krogen|bakker|mose|mosen|"
    "strand|stranden|vold|volden|dige|diget|banke|rød|høje|enge"
)
_STREET_WORDS = (
    "Vej|Vejen|Gade|Allé|Alle|Stræde|Plads|Torv|Torvet|Vænge|Boulevard|Have|Park|Sti|Bakke|"
    "Vang|Mark|Eng|Lund|Høj|Skov|Dal|Kaj|Gyde|Strand|Passage|Promenade|Ring|Landevej|Kanal"
)
# A postcode (1000-9999) and a town: "2300 København S", "8000 Aarhus C", "2800 Kongens Lyngby".
_WORD = rf"[{_UPPER}][{_LOWER}]+"
_TOWN = rf"{_WORD}(?:-{_WORD})?(?: (?:[{_UPPER}]{{1,2}}(?![\w])|{_WORD}))?"
_POSTCODE = rf"[1-9]\d{{3}} {{1,3}}{_TOWN}"
# The house number, a letter, the floor and the door: "12", "12B", "12 B", "12, 2. tv.",
# "12, st. th.", "12, 1. 4", "12 3.th".
_HOUSE = (
    r"\d{1,4}(?: ?[A-Z](?![\w]))?"
    r"(?:,? {0,2}(?:st|kl|\d{1,2})\.(?: {0,2}(?:tv|th|mf)(?![\w])\.?| {0,2}\d{1,3}(?![\d.]))?)?"
)
_ADDRESS = re.compile(
    # "Bakkevej 12", "Nørre Allé 5", "H.C. Andersens Boulevard 2", with an optional postcode.
    rf"(?<![\w.'-])(?:[{_UPPER}][{_LOWER}]*(?:{_STREET_SUFFIXES})"
    rf"|[{_UPPER}][\w.'-]* (?:{_STREET_WORDS}))"
    rf" {{1,3}}{_HOUSE}(?:,? {{0,3}}{_POSTCODE})?"
    # A postcode and a town on their own.
    rf"|(?<![\w.-]){_POSTCODE}"
)

_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_MONTH_NAMES = (
    "januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december|"
    r"jan\.?|feb\.?|mar\.?|apr\.?|jun\.?|jul\.?|aug\.?|sept\.?|sep\.?|okt\.?|nov\.?|dec\.?"
)
_DATE = re.compile(
    # "3. maj 2026", "3 maj", "den 3. maj", "03. december 2025".
    rf"(?<![\w]){_DAY}\.? {{0,2}}(?:{_MONTH_NAMES})(?![\w])(?: {{1,2}}\d{{4}}(?![\d]))?"
    # "2026-05-03", "2026/5/3", "2026.05.03".
    rf"|(?<![\d.,/-])(?:19|20)\d{{2}}[-./]{_MONTH}[-./]{_DAY}(?![\d])"
    # "03-05-2026", "3/5-26", "3.5.2026", "3/5/26", "03.05.26".
    rf"|(?<![\d.,/-]){_DAY} ?[-./] ?{_MONTH} ?[-./] ?(?:\d{{4}}|\d{{2}})(?![\d])"
    # "den 3/5", "d. 3.5." (day and month, without the year).
    rf"|(?<![\w])(?:den|d\.) {{1,2}}{_DAY}[./]{_MONTH}(?![./]?\d)\.?",
    re.IGNORECASE,
)

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Eight digits as Danish phone numbers are written: "12345678", "12 34 56 78", "1234 5678",
# "+45 12 34 56 78".
_PHONE = re.compile(
    r"(?<![\w+])(?:\+45 ?|0045 ?)?(?:\d{2} \d{2} \d{2} \d{2}|\d{4} \d{4}|\d{8})(?![\d])"
)


@dataclass(frozen=True)
class _Kind:
    marker: str
    words: str  # Danish words for find_case_data, translated when it is called


_NAME_KIND = _Kind(NAME, gettext_noop("et navn"))
_KINDS: tuple[tuple[_Kind, re.Pattern[str]], ...] = (
    # In this order: a CPR number and a phone number are found before a date or a postcode
    # could take part of them.
    (_Kind(EMAIL, gettext_noop("en e-mailadresse")), _EMAIL),
    (_Kind(CPR, gettext_noop("et CPR-nummer")), _CPR),
    (_Kind(PHONE, gettext_noop("et telefonnummer")), _PHONE),
    (_Kind(DATE, gettext_noop("en dato")), _DATE),
    (_Kind(ADDRESS, gettext_noop("en adresse")), _ADDRESS),
)


def name_parts(names: Iterable[str]) -> list[str]:
    """Every name and each part of it ("Anne-Marie Fiktivsen" gives the whole name,
    "Anne-Marie", "Anne", "Marie" and "Fiktivsen"), longest first; parts shorter than two
    letters (initials) are left out."""
    parts: set[str] = set()
    for name in names:
        name = " ".join(name.split())
        if not name:
            continue
        parts.add(name)
        for word in name.split(" "):
            parts.add(word.strip(".,"))
            parts.update(piece.strip(".,") for piece in word.split("-"))
    return sorted((p for p in parts if len(p) >= 2), key=lambda p: (-len(p), p))


def _names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    parts = name_parts(names)
    if not parts:
        return None
    alternatives = "|".join(re.escape(part) for part in parts)
    # Whole words, and the possessive: "Astas", "Asta's", "Jens'".
    return re.compile(rf"(?<![\w])(?:{alternatives})(?:'s|’s|s|'|’)?(?![\w])", re.IGNORECASE)


def _replace(text: str, names: Iterable[str]) -> tuple[str, list[_Kind]]:
    found: list[_Kind] = []
    for kind, pattern in _KINDS:
        text, count = pattern.subn(kind.marker, text)
        if count:
            found.append(kind)
    names_pattern = _names_pattern(names)
    if names_pattern is not None:
        text, count = names_pattern.subn(NAME, text)
        if count:
            found.insert(0, _NAME_KIND)
    return text, found


def scrub(text: str, *, names: Iterable[str] = ()) -> str:
    """The text with the given names (whole words, any case, each part of a full name, and the
    possessive), CPR numbers, addresses, exact dates, e-mail addresses and phone numbers each
    replaced by a marker: [navn], [CPR-nummer], [adresse], [dato], [e-mail], [telefonnummer]."""
    return _replace(text, names)[0]


def find_case_data(text: str, *, names: Iterable[str] = ()) -> list[str]:
    """The kinds of case data in the text, in words, each once and in this order: "et navn",
    "en e-mailadresse", "et CPR-nummer", "et telefonnummer", "en dato", "en adresse" (in the
    current language). Empty when there are none."""
    return [gettext(kind.words) for kind in _replace(text, names)[1]]


# The vignette.

AGE_BANDS = ((0, 2), (3, 5), (6, 9), (10, 12), (13, 14), (15, 17), (18, 23))
MAX_CONVERSATIONS = 10
MAX_DECISIONS = 10
MAX_LENGTH = 50000


def age_band(age: int) -> str:
    """ "10–12 år" for 11: the child's age as a band, never the birth date."""
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}–{high} år"
    return "over 23 år"


def _duration(opened_on: date, today: date) -> str:
    years = age_on(opened_on, today)
    if years < 1:
        return "under et år"
    if years < 3:
        return "1–2 år"
    return "3 år eller mere"


def case_names(case: Case) -> list[str]:
    """The names a vignette of the case must not hold: the child's, the network's (people,
    schools and institutions), the caseworkers' who had the case or wrote in it, and the case's
    reference. Reads the case's child, network, assignments, conversations and decisions."""
    child = case.child
    names = [child.first_name, child.last_name, child.full_name, case.reference]
    names += [member.name for member in child.network.all()]
    staff = {a.caseworker for a in case.assignments.select_related("caseworker")}
    staff |= {c.created_by for c in case.conversations.select_related("created_by")}
    staff |= {d.created_by for d in case.decisions.select_related("created_by")}
    for user in staff:
        names += [user.first_name, user.last_name, user.get_full_name(), user.username]
    return [name for name in names if name]


def make_vignette(case: Case, *, extra_names: Iterable[str] = (), today: date | None = None) -> str:
    """The case as a pseudonymised story for a team session: the child's age band, how long
    the case has been open, the measures' kinds, the network's roles, and the child
    conversations (the child's words that may stand in the case, never those for the
    caseworker alone, and the caseworker's assessment) and decisions, in order and without
    their dates. All free text is scrubbed of the case's names (and `extra_names`), CPR
    numbers, addresses and exact dates. Stored in Danish, whatever the reader's language."""
    today = today or timezone.localdate()
    names = [*case_names(case), *extra_names]
    child = case.child

    def clean(text: str) -> str:
        return scrub(text.strip(), names=names)

    lines = [
        f"Barnet er {age_band(child.age(today=today))}.",
        f"Sagen har været åben i {_duration(case.opened_on, today)}.",
        "",
        "Indsatser",
    ]
    measures = list(case.measures.order_by("started_on", "pk"))
    for measure in measures:
        state = "afsluttet" if measure.ended_on and measure.ended_on <= today else "i gang"
        lines.append(f"- {_label(Measure.Kind, measure.kind)} ({state})")
    if not measures:
        lines.append("- Ingen indsatser er registreret.")
    lines += ["", "Barnets netværk"]
    roles = [_label(NetworkMember.Kind, m.kind) for m in child.network.all() if m.ended_on is None]
    lines += [f"- {role}" for role in roles] or ["- Intet netværk er registreret."]

    shared = Statement.objects.filter(
        sharing__in=[Statement.Sharing.CASE_FILE, Statement.Sharing.PARENTS]
    ).order_by("position", "pk")
    conversations = list(
        Conversation.objects.filter(case=case)
        .prefetch_related(Prefetch("statements", queryset=shared))
        .order_by("-held_on", "-pk")[:MAX_CONVERSATIONS]
    )[::-1]
    total = case.conversations.count()
    lines += ["", "Børnesamtaler"]
    if not conversations:
        lines.append("Der er ikke registreret nogen børnesamtaler.")
    if total > len(conversations):
        lines.append(f"Her er de {len(conversations)} seneste af {total} samtaler.")
    for n, conversation in enumerate(conversations, start=1):
        facts = []
        if conversation.had_bisidder:
            facts.append("barnet havde en bisidder med")
        if conversation.without_staff_present:
            facts.append("tilsynsbesøg uden personale til stede")
        heading = f"Samtale {n}" + (f" ({', '.join(facts)})" if facts else "")
        lines += ["", heading]
        statements = list(conversation.statements.all())
        if statements:
            lines.append("Barnets egne ord:")
            lines += [f"»{clean(s.text)}«" for s in statements]
        if conversation.assessment.strip():
            lines += ["Sagsbehandlerens vurdering:", clean(conversation.assessment)]

    decisions = list(case.decisions.order_by("-decided_on", "-pk")[:MAX_DECISIONS])[::-1]
    lines += ["", "Afgørelser og indstillinger"]
    if not decisions:
        lines.append("Der er ikke truffet nogen afgørelser.")
    for n, decision in enumerate(decisions, start=1):
        kind = _label(Decision.Kind, decision.kind)
        lines += ["", f"{kind} {n}: {clean(decision.title)}"]
        lines += ["Barnets perspektiv:", clean(decision.child_perspective)]
        if decision.child_told_how.strip():
            lines += ["Sådan fik barnet det at vide:", clean(decision.child_told_how)]
        if decision.child_heard:
            lines.append("Barnet blev hørt før afgørelsen.")
        else:
            reason = _label(Decision.NotHeardReason, decision.not_heard_reason)
            note = f" {clean(decision.not_heard_note)}" if decision.not_heard_note else ""
            lines.append(f"Barnet blev ikke hørt: {reason}.{note}")
    text = "\n".join(lines)
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1] + "…"


def _label(choices: type[models.TextChoices], value: str) -> str:
    """A choice's label in Danish (the vignette is stored in Danish)."""
    with translation.override("da"):
        try:
            return str(choices(value).label)
        except ValueError:
            return value
