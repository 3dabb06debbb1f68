"""The letter composer's readability panel: LIX and its band, the sentences that are too long for
the reader, and the bureaucratic words of the municipality's list, each with its plain
alternative. Pure: the list comes in as (term, plain) pairs (see `plain_words_for`).

How a term of the list is found in a text:
- whole words only, in any case: "Afgørelse" and "afgørelse" are found, "afgørelsesbrev" is not;
- a term that ends with "*" is a stem: any word that starts with it is found ("bevil*" finds
  "bevilling", "bevilget" and "bevilgede");
- any other term is also found with a usual Danish ending on its last word ("afgørelse" finds
  "afgørelsen", "afgørelser", "afgørelserne"; "foranstaltning" finds "foranstaltningerne");
- a term of several words matches across any whitespace ("anbringelse uden for hjemmet");
- signs and abbreviations are found as written ("§", "jf.").
Where two terms match the same words, the longer match wins ("anbringelse uden for hjemmet"
before "anbringelse")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Q
from django.utils import timezone

from inddrag.letters.models import Letter, PlainWord
from inddrag.lib.readability import LONG_SENTENCE_WORDS, Readability, analyse

CHILD_LONG_SENTENCE_WORDS = LONG_SENTENCE_WORDS  # 15: a sentence for a child
ADULT_LONG_SENTENCE_WORDS = 25  # a sentence for a custody holder
STEM = "*"
# The usual Danish endings of nouns and verbs (definite, plural, genitive, past, passive).
_ENDINGS = (
    "e|en|ens|er|ere|eres|erne|ernes|et|ets|es|ene|enes|ne|nes|rne|rnes|r|rs|n|ns|s|t|ts|te|de|ede"
)
_LETTER_OR_DIGIT = r"[^\W_]"
# "[dato]", "[sted]": a place the caseworker must fill in (templates use them).
_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,60}\]")


@dataclass(frozen=True)
class FoundWord:
    """A term of the list found in the text: the forms as written there, and how often."""

    term: str
    plain: str
    forms: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class LetterReadability:
    text: Readability
    words: tuple[FoundWord, ...]
    paragraph_signs: int
    placeholders: tuple[str, ...]
    characters: int
    for_child: bool
    long_sentence_words: int
    lix_limit: int

    @property
    def is_empty(self) -> bool:
        return self.text.is_empty

    @property
    def above_limit(self) -> bool:
        """For a letter to a child: whether the LIX (as shown) is above the limit."""
        return self.for_child and not self.is_empty and self.text.lix_rounded > self.lix_limit

    @property
    def unlisted_paragraph_signs(self) -> int:
        """Paragraph signs to flag on their own: when "§" is not on the list (or is retired),
        the panel still says that the text has them."""
        return 0 if any(word.term == "§" for word in self.words) else self.paragraph_signs

    @property
    def too_many_characters(self) -> int:
        return max(0, self.characters - Letter.MAX_LENGTH)

    @property
    def max_characters(self) -> int:
        return Letter.MAX_LENGTH


def term_pattern(term: str) -> re.Pattern[str]:
    """The regular expression that finds `term` (see the module's docstring)."""
    return _compiled(" ".join(term.split()).lower())


@lru_cache(maxsize=2048)
def _compiled(term: str) -> re.Pattern[str]:
    is_stem = term.endswith(STEM) and len(term) > 1
    core = term.rstrip(STEM) if is_stem else term
    body = r"\s+".join(re.escape(part) for part in core.split(" "))
    starts_with_letter = bool(re.match(_LETTER_OR_DIGIT, core))
    ends_with_letter = bool(re.search(_LETTER_OR_DIGIT + "$", core))
    before = f"(?<!{_LETTER_OR_DIGIT})" if starts_with_letter else ""
    if not ends_with_letter:
        after = ""
    elif is_stem:
        after = f"{_LETTER_OR_DIGIT}*(?:['’-]{_LETTER_OR_DIGIT}+)*"
    else:
        after = f"(?:{_ENDINGS})?(?!{_LETTER_OR_DIGIT})"
    return re.compile(before + body + after, re.IGNORECASE)


def find_plain_words(text: str, terms: Iterable[tuple[str, str]]) -> tuple[FoundWord, ...]:
    """The terms found in `text`, in the order they first occur, each with its plain
    alternative. `terms` are (term, plain) pairs; the first of two equal terms wins."""
    entries: dict[str, tuple[str, str]] = {}
    for term, plain in terms:
        key = " ".join(term.split()).lower()
        if key and key != STEM:
            entries.setdefault(key, (term, plain))
    matches: list[tuple[int, int, str]] = []
    for key in entries:
        matches.extend((m.start(), m.end(), key) for m in term_pattern(key).finditer(text))
    # The longest match wins where matches overlap; then the earliest.
    matches.sort(key=lambda match: (match[0], -(match[1] - match[0])))
    kept: dict[str, list[str]] = {}
    end = -1
    for start, stop, key in matches:
        if start < end:
            continue
        kept.setdefault(key, []).append(text[start:stop])
        end = stop
    found = []
    for key, forms in kept.items():
        term, plain = entries[key]
        distinct = tuple(dict.fromkeys(" ".join(form.split()) for form in forms))
        found.append(FoundWord(term=term, plain=plain, forms=distinct, count=len(forms)))
    return tuple(found)


def analyse_letter(
    text: str, terms: Iterable[tuple[str, str]], *, for_child: bool, lix_limit: int
) -> LetterReadability:
    """What the panel shows for a letter's text: to a child (`for_child`) sentences over 15
    words are long, to an adult over 25."""
    limit = CHILD_LONG_SENTENCE_WORDS if for_child else ADULT_LONG_SENTENCE_WORDS
    return LetterReadability(
        text=analyse(text, long_sentence_words=limit),
        words=find_plain_words(text, terms),
        paragraph_signs=text.count("§"),
        placeholders=tuple(dict.fromkeys(_PLACEHOLDER.findall(text))),
        characters=len(text),
        for_child=for_child,
        long_sentence_words=limit,
        lix_limit=lix_limit,
    )


def plain_words_for(municipality_id: int) -> list[tuple[str, str]]:
    """The list the panel uses: everyone's words and the municipality's own, without retired
    ones; where the municipality has its own alternative for a term, that one. One query."""
    today = timezone.localdate()
    rows = (
        PlainWord.objects.filter(Q(municipality__isnull=True) | Q(municipality_id=municipality_id))
        .filter(Q(disabled_on__isnull=True) | Q(disabled_on__gt=today))
        .values_list("term", "plain", "municipality_id")
    )
    # The municipality's own first, so that it wins over everyone's for the same term.
    ordered = sorted(rows, key=lambda row: (row[2] is None, row[0]))
    chosen: dict[str, tuple[str, str]] = {}
    for term, plain, _municipality in ordered:
        chosen.setdefault(" ".join(term.split()).lower(), (term, plain))
    return sorted(chosen.values())
