"""How easy a Danish text is to read: LIX and the sentences that are too long (pure, no DB).

LIX (Carl-Hugo Björnsson's läsbarhetsindex, used for Danish since the 1970s) is
    words per sentence + 100 × long words / words,
where a long word has more than six letters. The usual bands are: under 25 very easy (children's
books), 25–34 easy, 35–44 medium, 45–54 hard, 55 and over very hard (legal and official texts).
A text for a child should aim under 30.

How the text is cut up:
- a word is a run of letters or digits; a hyphen or an apostrophe inside it ("TV-skærm",
  "Asta's") keeps it one word; only letters and digits count towards its length;
- a sentence ends at ".", "!", "?" or ":" followed by a space or the end of the text, and at a
  line break (a line of a list is a sentence of its own); a full stop after a number ("3. maj")
  or after a common abbreviation ("fx.", "bl.a.", "kl.") does not end one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

LONG_WORD_LETTERS = 6  # a long word has more than this many letters
LONG_SENTENCE_WORDS = 15  # a sentence for a child has at most this many words
CHILD_TARGET = 30  # a text for a child should have a LIX under this

_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
# A sentence ends with ., !, ? or : (maybe several, maybe with closing quotes or brackets) before
# whitespace or the end of the text; or at a line break.
_END = re.compile(r"([.!?:]+[\"'»”)\]]*)(?=\s|$)|\n+")
# Danish abbreviations that end with a full stop inside a sentence (lower case, without the
# final full stop).
_ABBREVIATIONS = frozenset(
    {
        "bl.a",
        "ca",
        "dvs",
        "etc",
        "evt",
        "f.eks",
        "fx",
        "jf",
        "kl",
        "m.fl",
        "m.m",
        "mht",
        "mv",
        "nr",
        "osv",
        "pga",
        "s",
        "stk",
        "vedr",
        "iflg",
        "hhv",
        "inkl",
        "ekskl",
        "tlf",
    }
)
_LAST_TOKEN = re.compile(r"(\S+)$")

# (upper bound, exclusive; key; label) in order.
BANDS = (
    (25, "very_easy", _("meget let")),
    (35, "easy", _("let")),
    (45, "medium", _("middel")),
    (55, "hard", _("svær")),
)
LAST_BAND = ("very_hard", _("meget svær"))


@dataclass(frozen=True)
class Sentence:
    text: str
    words: int


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    long_words: int
    lix: float
    long_sentences: tuple[Sentence, ...]

    @property
    def is_empty(self) -> bool:
        return self.words == 0

    @property
    def lix_rounded(self) -> int:
        return shown_lix(self.lix)

    @property
    def band(self) -> str:
        """The band's key: very_easy, easy, medium, hard or very_hard."""
        return band_of(self.lix)[0]

    @property
    def band_label(self) -> str:
        return str(band_of(self.lix)[1])

    @property
    def fits_a_child(self) -> bool:
        return not self.is_empty and self.lix < CHILD_TARGET and not self.long_sentences


def shown_lix(lix: float) -> int:
    """LIX as a whole number, rounded half up (24.5 is 25), as it is shown."""
    return math.floor(lix + 0.5)


def band_of(lix: float) -> tuple[str, object]:
    """(key, label) of the LIX band `lix` falls in, rounded as it is shown."""
    shown = shown_lix(lix)
    for upper, key, label in BANDS:
        if shown < upper:
            return key, label
    return LAST_BAND


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


def letters_in(word: str) -> int:
    return sum(1 for ch in word if ch.isalnum())


def sentences_of(text: str) -> list[str]:
    """The text's sentences, each stripped; pieces without a word are left out."""
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(text):
        if match.group(1) == "." and not _starts_a_sentence(text[match.end() :]):
            before = _LAST_TOKEN.search(text[start : match.start()])
            token = before.group(1).lower().lstrip("(\"'«") if before else ""
            if token.isdigit() or token in _ABBREVIATIONS:
                continue  # "den 3. maj", "fx. en ven": not the end of a sentence
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if words_of(s)]


def _starts_a_sentence(rest: str) -> bool:
    """Whether what follows a full stop looks like a new sentence: a capital letter next."""
    rest = rest.lstrip()
    return not rest or rest[0].isupper()


def analyse(text: str, *, long_sentence_words: int = LONG_SENTENCE_WORDS) -> Readability:
    """LIX, counts and the sentences of more than `long_sentence_words` words, in order."""
    sentences = sentences_of(text)
    words = words_of(text)
    long_words = sum(1 for word in words if letters_in(word) > LONG_WORD_LETTERS)
    if not words:
        return Readability(words=0, sentences=0, long_words=0, lix=0.0, long_sentences=())
    lix = len(words) / len(sentences) + 100 * long_words / len(words)
    long_sentences = tuple(
        Sentence(text=sentence, words=n)
        for sentence in sentences
        if (n := len(words_of(sentence))) > long_sentence_words
    )
    return Readability(
        words=len(words),
        sentences=len(sentences),
        long_words=long_words,
        lix=lix,
        long_sentences=long_sentences,
    )
