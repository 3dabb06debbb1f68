"""The default reflection models every municipality has (rows without a municipality): the
three questions of the personal reflection after a child conversation or meeting, two models
for team sessions on a case vignette, and one for the leaders' and coordinators' quarterly
reflection. A municipality's administrator adds its own models beside them; the personal
model a caseworker answers is the municipality's own if it has one, else this default."""

from __future__ import annotations

from typing import Any

from django.db import migrations

DEFAULT_MODELS = [
    (
        "personal",
        "Refleksion efter samtalen",
        [
            "Hvad sagde barnet, som betød mest?",
            "Hvordan sikrede jeg, at barnets perspektiv kom frem?",
            "Hvad vil jeg gøre anderledes næste gang?",
        ],
    ),
    (
        "team",
        "Case-vignet: hvad ser vi?",
        [
            "Hvad er det vigtigste, barnet har sagt i sagen?",
            "Hvor kommer barnets egne ord frem i sagen, og hvor mangler de?",
            "Hvordan har barnet fået at vide, hvad der skulle ske, og hvad der blev besluttet?",
            "Hvad kunne vi have gjort anderledes for at inddrage barnet?",
            "Hvad tager vi med os til vores egne sager?",
        ],
    ),
    (
        "team",
        "Barnets perspektiv",
        [
            "Hvis barnet læste sagen, ville barnet så kunne genkende sig selv?",
            "Hvad ønsker barnet, og hvordan har det påvirket beslutningerne?",
            "Hvem har talt med barnet, hvor og hvor ofte – og med hvem ved sin side?",
            "Hvad har gjort det svært at få barnets perspektiv frem?",
            "Hvad aftaler vi at prøve i de næste samtaler med børn?",
        ],
    ),
    (
        "leaders",
        "Kvartalets refleksion for ledere og koordinatorer",
        [
            "Hvad har vi lært af teamenes refleksionsmøder i kvartalet?",
            "Hvor lykkes vi med at høre børnene, og hvor gør vi ikke?",
            "Hvad viser børnenes svar og tallene for børnesamtaler os?",
            "Hvordan tager vi imod og oplærer nye medarbejdere, så praksis ikke går tabt?",
            "Hvad aftaler vi til næste kvartal, og hvem følger op?",
        ],
    ),
]


def add_defaults(apps: Any, schema_editor: Any) -> None:
    ReflectionModel = apps.get_model("reflection", "ReflectionModel")
    for use, name, questions in DEFAULT_MODELS:
        ReflectionModel.objects.get_or_create(
            municipality=None, use=use, name=name, defaults={"questions": questions}
        )


def remove_defaults(apps: Any, schema_editor: Any) -> None:
    ReflectionModel = apps.get_model("reflection", "ReflectionModel")
    names = [name for _, name, _ in DEFAULT_MODELS]
    ReflectionModel.objects.filter(municipality=None, name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("reflection", "0002_session_submit_token")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
