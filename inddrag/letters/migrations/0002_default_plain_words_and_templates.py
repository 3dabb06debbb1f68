"""The maintained default list of bureaucratic words with plain alternatives, and the default
child-friendly letter templates: rows without a municipality, so every municipality has them
(a municipality adds its own words, or its own alternative for one of these).

A term that ends with "*" is a stem (any word that starts with it); any other term is also found
with the usual Danish endings ("afgørelse" finds "afgørelsen" and "afgørelserne"). See
inddrag/letters/readability.py. In templates, {barn} and {sagsbehandler} are filled in when the
caseworker picks the template; [in brackets] is for the caseworker to write, and a letter is not
sent while a bracket is left."""

from __future__ import annotations

from typing import Any

from django.db import migrations

PLAIN_WORDS = [
    ("foranstaltning", "den hjælp, du får"),
    ("bevil*", "vi har sagt ja til"),
    ("iværks*", "starte"),
    ("jf.", "ifølge"),
    ("jævnfør", "ifølge"),
    ("§", "(sig, hvad reglen betyder, i stedet for at nævne paragraffen)"),
    ("paragraf*", "(sig, hvad reglen betyder)"),
    ("anbringelse uden for hjemmet", "at du bor et andet sted end hjemme"),
    ("anbringelse", "at du bor et andet sted end hjemme"),
    ("anbragt", "bor et andet sted end hjemme"),
    ("døgnanbringelse", "at du bor et andet sted hele tiden"),
    ("partshøring", "vi spørger dig, før vi beslutter"),
    ("afgørelse", "beslutning"),
    ("revurder*", "vi ser på det igen"),
    ("handleplan", "plan"),
    ("netværksmøde", "møde med dem omkring dig"),
    ("børnefaglig undersøgelse", "vi undersøger, hvordan du har det, og hvad du har brug for"),
    ("underretning", "en voksen har skrevet til os, fordi de er bekymrede for dig"),
    ("forvaltning*", "kommunen (eller: vi)"),
    ("myndighed*", "kommunen (eller: vi)"),
    ("indstil*", "foreslå (forslag)"),
    ("vedrørende", "om"),
    ("vedr.", "om"),
    ("i henhold til", "ifølge"),
    ("i forbindelse med", "når"),
    ("hjemgivelse", "at du flytter hjem igen"),
    ("tilsyn", "besøg, hvor vi ser, hvordan du har det"),
    ("aflastning*", "at du bor et andet sted nogle dage, så I kan få en pause"),
    ("samvær", "tid sammen med (fx din mor eller far)"),
    ("bisidder", "en voksen, du stoler på, som er med dig til møder"),
    ("partsrepræsentant", "en voksen, der hjælper dig med at sige din mening"),
    ("klagevejledning", "sådan kan du klage"),
    ("sagsbehandlingstid", "hvor lang tid det tager"),
    ("efterværn", "hjælp, når du er fyldt 18"),
    ("visitation*", "vi beslutter, hvilken hjælp du får"),
    ("indsats", "hjælp"),
    ("fremsend*", "sende"),
    ("udfærdig*", "skrive"),
    ("forelig*", "er der (findes)"),
    ("påregne", "regne med"),
    ("hjemmel", "loven siger, at vi må"),
    ("henvend*", "kontakte (skrive eller ringe til)"),
    ("anmod*", "bede om"),
    ("såfremt", "hvis"),
    ("endvidere", "også"),
    ("ligeledes", "også"),
    ("således", "sådan"),
    ("herunder", "blandt andet"),
    ("hvorvidt", "om"),
    ("forinden", "før"),
    ("idet", "fordi"),
    ("eftersom", "fordi"),
    ("indhente", "få"),
    ("oplysninger", "det, vi ved"),
    ("varetage", "tage sig af"),
    ("bopæl", "der, hvor du bor"),
    ("nærværende", "dette"),
    ("pågældende", "han, hun eller den"),
    ("ovennævnte", "det, jeg skrev før"),
    ("undertegnede", "jeg"),
]

CLOSING = "Mange hilsner\n{sagsbehandler}"

TEMPLATES = [
    (
        "Invitation til et møde",
        "Vi skal mødes",
        "Hej {barn}\n\n"
        "Jeg vil gerne mødes med dig.\n\n"
        "Vi ses [dag og dato] klokken [tid].\n"
        "Vi mødes [sted].\n\n"
        "Vi skal tale om, hvordan du har det. "
        "Du må gerne fortælle om det, der er godt. Og om det, der er svært.\n\n"
        "Du må tage en voksen med, som du stoler på. "
        "Det kan være en lærer, en træner eller en fra din familie.\n\n"
        "Du kan forberede dig i Inddrag, før vi mødes.\n\n"
        "Har du spørgsmål? Så skriv eller ring til mig.\n\n" + CLOSING,
    ),
    (
        "En beslutning forklaret",
        "Det har vi besluttet",
        "Hej {barn}\n\n"
        "Vi har besluttet noget, som handler om dig. Jeg vil gerne fortælle dig, hvad det er.\n\n"
        "Det har vi besluttet:\n[Skriv beslutningen med få og lette ord.]\n\n"
        "Derfor har vi besluttet det:\n[Skriv hvorfor.]\n\n"
        "Det har vi lyttet til:\nDu sagde: [barnets egne ord].\n\n"
        "Det sker nu:\n[Skriv hvad der sker, og hvornår.]\n\n"
        "Er du ikke enig? Så må du gerne sige det. "
        "Du kan skrive eller ringe til mig. "
        "En voksen kan også hjælpe dig med at klage.\n\n" + CLOSING,
    ),
    (
        "Ny sagsbehandler",
        "Du får en ny sagsbehandler",
        "Hej {barn}\n\n"
        "Fra [dato] er jeg din nye sagsbehandler. Jeg hedder {sagsbehandler}.\n\n"
        "Jeg har læst om dig. Jeg vil gerne lære dig at kende.\n\n"
        "Lidt om mig:\n[Skriv et par linjer om dig selv.]\n\n"
        "Vi skal mødes [dag og dato]. "
        "Så kan du fortælle mig det, du synes, jeg skal vide.\n\n"
        "Du kan også skrive til mig i Inddrag. "
        "Der kan du skrive »Det skal du vide om mig«.\n\n" + CLOSING,
    ),
    (
        "Efter et møde",
        "Det talte vi om",
        "Hej {barn}\n\n"
        "Tak fordi du var med til mødet [dag og dato].\n\n"
        "Det talte vi om:\n[Skriv de vigtigste ting.]\n\n"
        "Det aftalte vi:\n[Skriv hvem der gør hvad, og hvornår.]\n\n"
        "Det sagde du:\n[Skriv det, du sagde, med dine egne ord.]\n\n"
        "Vi ses igen [dato].\n\n"
        "Har jeg skrevet noget forkert? Eller er der noget, du ikke forstår? "
        "Så skriv eller ring til mig.\n\n" + CLOSING,
    ),
]


def add_defaults(apps: Any, schema_editor: Any) -> None:
    PlainWord = apps.get_model("letters", "PlainWord")
    LetterTemplate = apps.get_model("letters", "LetterTemplate")
    existing = set(
        PlainWord.objects.filter(municipality__isnull=True).values_list("term", flat=True)
    )
    PlainWord.objects.bulk_create(
        PlainWord(municipality=None, term=term, plain=plain)
        for term, plain in PLAIN_WORDS
        if term not in existing
    )
    names = set(
        LetterTemplate.objects.filter(municipality__isnull=True).values_list("name", flat=True)
    )
    LetterTemplate.objects.bulk_create(
        LetterTemplate(municipality=None, name=name, audience="child", subject=subject, body=body)
        for name, subject, body in TEMPLATES
        if name not in names
    )


def remove_defaults(apps: Any, schema_editor: Any) -> None:
    PlainWord = apps.get_model("letters", "PlainWord")
    LetterTemplate = apps.get_model("letters", "LetterTemplate")
    PlainWord.objects.filter(
        municipality__isnull=True, term__in=[term for term, _plain in PLAIN_WORDS]
    ).delete()
    LetterTemplate.objects.filter(
        municipality__isnull=True, name__in=[name for name, _subject, _body in TEMPLATES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
