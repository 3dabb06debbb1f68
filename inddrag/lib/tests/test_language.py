"""The language choice (Danish by default, English on request) and the English catalogue.

The catalogue tests need no gettext: they read locale/en/LC_MESSAGES/django.po by hand, the
committed django.mo with Python's gettext, and the msgids in the source with Django's own
template lexer and Python's ast, so a string added without a translation fails the build.
"""

from __future__ import annotations

import ast
import gettext
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase
from django.utils.translation.template import templatize

from inddrag.test import BaseTestCase

LOGIN_URL = "/konto/login/"
CASE_LIST_URL = "/sager/"
LANGUAGE_URL = "/sprog/"
PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

# Where makemessages looks (it is run with --ignore for these), and what it reads.
SKIPPED_DIRS = {".venv", "node_modules", "staticfiles", "__pycache__", ".git"}
TEMPLATE_SUFFIXES = {".html", ".txt"}

# The gettext functions makemessages passes to xgettext, by the shape of their arguments.
SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop"}
PLURAL = {"ngettext", "ngettext_lazy"}
CONTEXT = {"pgettext", "pgettext_lazy"}
CONTEXT_PLURAL = {"npgettext", "npgettext_lazy"}
Message = tuple[str | None, str, str | None]  # (msgctxt, msgid, msgid_plural)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{ *\w+ *\}\}")


class LanguageTestCase(BaseTestCase):
    """Danish unless the user picks English in the footer (POST /sprog/ sets the cookie)."""

    def choose(self, language: str, next_url: str = CASE_LIST_URL) -> None:
        r = self.client.post(LANGUAGE_URL, {"language": language, "next": next_url})
        self.assertRedirects(r, next_url, fetch_redirect_response=False)

    def test_it_shows_the_login_page_in_danish_even_to_an_english_browser(self) -> None:
        r = self.client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, '<html lang="da">')
        self.assertContains(r, "<h1>Log ind</h1>", html=True)
        self.assertContains(r, "Adgangskode")
        self.assertNotContains(r, "Password")
        self.assertEqual(r.headers["Content-Language"], "da")

    def test_it_shows_the_case_list_in_english_after_choosing_english(self) -> None:
        self.login(self.alice)
        self.choose("en")
        self.assertEqual(self.client.cookies[settings.LANGUAGE_COOKIE_NAME].value, "en")
        r = self.client.get(CASE_LIST_URL)
        self.assertContains(r, '<html lang="en">')
        self.assertContains(r, "<h1>My children</h1>", html=True)
        self.assertContains(r, "Case number")
        self.assertContains(r, "Change language")
        self.assertNotContains(r, "Mine børn")
        self.assertEqual(r.headers["Content-Language"], "en")

    def test_it_shows_the_case_page_in_english(self) -> None:
        self.login(self.alice)
        self.choose("en")
        r = self.client.get(self.case_a.get_absolute_url())
        self.assertContains(r, "Back to the overview")
        self.assertContains(r, "Show the full CPR number")
        self.assertContains(r, "Children's Act (barnets lov) § 3")

    def test_it_switches_back_to_danish(self) -> None:
        self.login(self.alice)
        self.choose("en")
        self.choose("da")
        r = self.client.get(CASE_LIST_URL)
        self.assertContains(r, '<html lang="da">')
        self.assertContains(r, "<h1>Mine børn</h1>", html=True)
        self.assertNotContains(r, "My children")

    def test_it_ignores_an_unknown_language(self) -> None:
        self.login(self.alice)
        self.choose("xx")
        self.assertNotIn(settings.LANGUAGE_COOKIE_NAME, self.client.cookies)
        r = self.client.get(CASE_LIST_URL)
        self.assertContains(r, '<html lang="da">')
        self.assertContains(r, "<h1>Mine børn</h1>", html=True)

    def test_it_ignores_a_language_django_knows_but_inddrag_does_not_offer(self) -> None:
        """set_language accepts any language Django has a catalogue for (it sets the cookie to
        "de"); LanguageMiddleware only activates the languages in settings.LANGUAGES."""
        self.login(self.alice)
        self.choose("de")
        r = self.client.get(CASE_LIST_URL)
        self.assertContains(r, '<html lang="da">')
        self.assertContains(r, "<h1>Mine børn</h1>", html=True)
        self.assertEqual(r.headers["Content-Language"], "da")

    def test_it_ignores_a_forged_language_cookie(self) -> None:
        self.login(self.alice)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
        r = self.client.get(CASE_LIST_URL)
        self.assertContains(r, '<html lang="da">')
        self.assertContains(r, "<h1>Mine børn</h1>", html=True)


@dataclass
class Entry:
    """One message of a .po file, its strings unquoted and joined."""

    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> Message:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file, header included (its msgid is "")."""
    entries: list[Entry] = []
    entry: Entry | None = None
    current: tuple[str, int] | None = None  # the keyword that continuation strings extend

    def append(keyword: str, index: int, value: str) -> None:
        assert entry is not None
        if keyword == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
        else:
            setattr(entry, keyword, (getattr(entry, keyword) or "") + value)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            if entry is not None:
                entry.obsolete = True
            continue
        if not line:
            entry, current = None, None
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert current is not None, f"django.po:{number}: a string outside an entry"
            append(current[0], current[1], ast.literal_eval(line))
        else:
            keyword, _, rest = line.partition(" ")
            index = 0
            if keyword.startswith("msgstr["):
                keyword, index = "msgstr", int(keyword[7:-1])
            assert keyword in {"msgctxt", "msgid", "msgid_plural", "msgstr"}, (
                f"django.po:{number}: unexpected {keyword!r}"
            )
            current = (keyword, index)
            append(keyword, index, ast.literal_eval(rest))
    return entries


def message(name: str, strings: list[str]) -> Message | None:
    """The message of a call to gettext function `name` whose leading arguments are `strings`."""
    if name in SINGULAR and len(strings) >= 1:
        return (None, strings[0], None)
    if name in PLURAL and len(strings) >= 2:
        return (None, strings[0], strings[1])
    if name in CONTEXT and len(strings) >= 2:
        return (strings[0], strings[1], None)
    if name in CONTEXT_PLURAL and len(strings) >= 3:
        return (strings[0], strings[1], strings[2])
    return None


def messages_in_python(source: str) -> Iterator[Message]:
    """Every gettext call with literal arguments (xgettext skips the others too)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            strings = []
            for arg in node.args:
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    break
                strings.append(arg.value)
            if found := message(name, strings):
                yield found


def messages_in_template(source: str, origin: str) -> Iterator[Message]:
    """The messages of {% translate %} and {% blocktranslate %}, from the Python-like text that
    makemessages itself hands to xgettext (only the gettext calls in it are real Python)."""
    readline = io.StringIO(templatize(source, origin=origin)).readline
    tokens = [
        t
        for t in tokenize.generate_tokens(readline)
        if t.type in {tokenize.NAME, tokenize.OP, tokenize.STRING}
    ]
    for i, token in enumerate(tokens[:-1]):
        if token.type != tokenize.NAME or tokens[i + 1].string != "(":
            continue
        strings = []
        for t in tokens[i + 2 :]:
            if t.type == tokenize.STRING:
                strings.append(ast.literal_eval(t.string))
            elif t.string != ",":
                break
        if found := message(token.string, strings):
            yield found


def source_files() -> Iterator[Path]:
    base = Path(settings.BASE_DIR)
    for path in sorted(base.rglob("*")):
        relative = path.relative_to(base)
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in relative.parts[:-1]):
            continue
        if path.is_file() and (path.suffix == ".py" or path.suffix in TEMPLATE_SUFFIXES):
            yield path


class EnglishCatalogueTestCase(SimpleTestCase):
    """Every Danish UI text has an English translation, and the committed .mo is up to date."""

    entries: list[Entry]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.entries = parse_po(PO_FILE.read_text(encoding="utf-8"))

    def messages(self) -> list[Entry]:
        return [e for e in self.entries if e.msgid and not e.obsolete]

    def test_it_parses_the_catalogue(self) -> None:
        header = self.entries[0]
        self.assertEqual(header.msgid, "")
        self.assertIn("Language: en\n", header.msgstr[0])
        self.assertIn("Plural-Forms: nplurals=2; plural=(n != 1);", header.msgstr[0])
        self.assertGreater(len(self.messages()), 100)

    def test_it_has_no_fuzzy_entries(self) -> None:
        fuzzy = [f"django.po:{e.line}: {e.msgid!r}" for e in self.entries if "fuzzy" in e.flags]
        self.assertEqual(fuzzy, [], "Fuzzy entries: check the translation, remove '#, fuzzy'")

    def test_it_translates_every_message(self) -> None:
        untranslated = []
        for e in self.messages():
            wanted = [0, 1] if e.msgid_plural is not None else [0]
            if any(not e.msgstr.get(i, "").strip() for i in wanted):
                untranslated.append(f"django.po:{e.line}: {e.msgid!r}")
        self.assertEqual(untranslated, [], "Translate these in locale/en/LC_MESSAGES/django.po")

    def test_it_keeps_every_placeholder(self) -> None:
        broken = []
        for e in self.messages():
            wanted = sorted(set(PLACEHOLDER.findall(e.msgid + (e.msgid_plural or ""))))
            for translation in e.msgstr.values():
                if sorted(set(PLACEHOLDER.findall(translation))) != wanted:
                    broken.append(f"django.po:{e.line}: {e.msgid!r} -> {translation!r}")
        self.assertEqual(broken, [], "Translations must keep the msgid's placeholders")

    def test_it_has_every_message_of_the_source(self) -> None:
        """A string marked for translation but missing from django.po: run makemessages."""
        known = {e.key for e in self.messages()}
        missing = set()
        for path in source_files():
            source = path.read_text(encoding="utf-8")
            found = (
                messages_in_python(source)
                if path.suffix == ".py"
                else messages_in_template(source, str(path))
            )
            relative = path.relative_to(settings.BASE_DIR)
            missing |= {f"{relative}: {key[1]!r}" for key in found if key not in known}
        self.assertEqual(
            sorted(missing),
            [],
            "Not in django.po: run manage.py makemessages -l en, translate, compilemessages",
        )

    def test_it_has_compiled_the_catalogue(self) -> None:
        """django.mo is committed (a fresh setup has no msgfmt): it must match django.po."""
        with MO_FILE.open("rb") as mo:
            compiled = gettext.GNUTranslations(mo)
        stale = []
        for e in self.messages():
            if e.msgid_plural is None:
                got = [
                    compiled.gettext(e.msgid)
                    if e.msgctxt is None
                    else compiled.pgettext(e.msgctxt, e.msgid)
                ]
            elif e.msgctxt is None:
                got = [compiled.ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
            else:
                got = [compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n) for n in (1, 2)]
            expected = [e.msgstr[i] for i in range(len(got))]
            if got != expected:
                stale.append(f"{e.msgid!r}: {got!r} != {expected!r}")
        self.assertEqual(stale, [], "django.mo is stale: run manage.py compilemessages -l en")
