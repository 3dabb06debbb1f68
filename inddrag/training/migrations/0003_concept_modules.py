"""The training modules of the Bedre Børneinddragelse concept: rows without a municipality, so
every municipality has them (a municipality adds its own next to them). The four caseworker
modules marked for onboarding make up the path every new caseworker gets
(training.services.start_onboarding); positions 10, 20, … leave room for a municipality's own
modules in between. Materials name the concept's own material, one a line."""

from __future__ import annotations

from typing import Any

from django.db import migrations

CASEWORKERS, LEADERS = "caseworkers", "leaders"

# (title, audience, in onboarding, position, summary, materials)
MODULES = [
    (
        "Barnets perspektiv i sagsbehandlingen",
        CASEWORKERS,
        True,
        10,
        "Hvorfor barnet skal høres i sin egen sag, og hvad det kræver af dig som "
        "sagsbehandler. Børn fortæller BørneTelefonen, at der bliver talt hen over hovedet på "
        "dem, og Ankestyrelsen har fundet, at barnet ikke var hørt nok i hver tredje sag. "
        "Modulet gennemgår barnets ret til at blive hørt efter barnets lov (§ 3 om partsstatus "
        "fra 10 år, § 5 om børnesamtalen før en afgørelse og § 6 om retten til en bisidder) og "
        "de tre kerneindsatser i Bedre Børneinddragelse: møder, barnet er med til at "
        "forberede, barnet i planen og refleksion over egen praksis.",
        "Bedre Børneinddragelse: introduktion til konceptet (Børns Vilkår)\n"
        "De tre kerneindsatser – kort fortalt\n"
        "Barnets lov §§ 3, 5 og 6 i et sprog, du kan bruge over for barnet\n"
        "Børnenes stemmer fra BørneTelefonen: »De taler hen over hovedet på mig«",
    ),
    (
        "Børnesamtalen",
        CASEWORKERS,
        True,
        20,
        "Sådan forbereder, holder og skriver du en samtale med barnet. Du lærer at spørge "
        "åbent, at lytte efter det, der betyder mest for barnet, og at skrive barnets egne ord, "
        "som barnet sagde dem – og at aftale med barnet, hvem der må læse dem. Modulet "
        "dækker også samtalen uden personale til stede ved tilsynsbesøg (§ 156, stk. 5), "
        "barnets ret til en bisidder og den korte refleksion bagefter.",
        "Samtaleguide til børnesamtalen (Bedre Børneinddragelse)\n"
        "Barnets egne ord: sådan skriver du dem i sagen\n"
        "Tre spørgsmål til refleksion efter samtalen\n"
        "Samtale uden personale til stede: tjekliste til tilsynsbesøget",
    ),
    (
        "At skrive til børn",
        CASEWORKERS,
        True,
        30,
        "Breve, planer og indstillinger, som barnet kan læse og forstå. Korte sætninger, "
        "hverdagsord i stedet for forvaltningssprog og en tydelig besked om, hvad der skal ske, "
        "og hvad barnet selv kan gøre. Du øver dig med læsbarhedstjekket (LIX og lange "
        "sætninger) og listen over svære ord i Inddrag, og du lærer at citere barnet i "
        "indstillingen til Børne- og Ungeudvalget.",
        "Skrivevejledning: at skrive til børn og unge (Bedre Børneinddragelse)\n"
        "Listen over svære ord og deres hverdagsord\n"
        "Breve før og efter: eksempler fra projektkommunerne\n"
        "Barnets plan med barnets egne ord",
    ),
    (
        "Møder, barnet er med til at forberede",
        CASEWORKERS,
        True,
        40,
        "Rammesætning af møder i dialog med barnet, den første kerneindsats. Barnet ved, hvad "
        "mødet handler om, hvem der kommer, og hvad barnet gerne vil sige – og vælger selv, "
        "hvad af forberedelsen der må deles. Efter mødet skriver du »Det aftalte vi« til barnet "
        "og spørger: »Følte du dig hørt?«.",
        "Rammesætning af møder i dialog med barnet (kerneindsats 1)\n"
        "Barnets forberedelse i børnekanalen: sådan ser den ud for barnet\n"
        "Skabelon: »Det aftalte vi«\n"
        "Børnenes svar efter møder: sådan læser du dem",
    ),
    (
        "Refleksion over egen praksis",
        CASEWORKERS,
        False,
        50,
        "Faste refleksionsrutiner, der holder fokus på barnets perspektiv, også når projektet "
        "er slut: den personlige refleksion efter en samtale eller et møde og teamrefleksionen "
        "på teammødet om en case-vignet, hvor navne, CPR-numre, steder og datoer er fjernet.",
        "Refleksionsmodeller til teammødet\n"
        "Case-vignetter: sådan arbejder I med dem\n"
        "Fra aftale til opfølgning: eksempler fra projektkommunerne",
    ),
    (
        "Ledelse af inddragelse",
        LEADERS,
        False,
        10,
        "Ledelsens rolle i at forankre børneinddragelsen: refleksionsrutiner på teammøderne, "
        "de kvartalsvise refleksioner med ledere og koordinatorer, introduktionen af nye "
        "medarbejdere og implementeringsgrupperne – styregruppen (kvartalsvis), "
        "koordinationsgruppen (månedlig) og træningsgruppen (3–4 gange om året). Modulet viser, "
        "hvordan du følger enhedens refleksion og uddannelse og bruger børnenes svar.",
        "Projektorganisering: styregruppe, koordinationsgruppe og træningsgruppe\n"
        "Kvartalsvis refleksion for ledere og koordinatorer: drejebog\n"
        "Introduktion af nye sagsbehandlere: ledelsens tjekliste\n"
        "Personaleomsætning og børneinddragelse: erfaringer fra Roskilde, Tårnby og Faxe",
    ),
]


def add_modules(apps: Any, schema_editor: Any) -> None:
    Module = apps.get_model("training", "Module")
    for title, audience, in_onboarding, position, summary, materials in MODULES:
        if Module.objects.filter(municipality=None, title=title).exists():
            continue
        Module.objects.create(
            municipality=None,
            title=title,
            audience=audience,
            in_onboarding=in_onboarding,
            position=position,
            summary=summary,
            materials=materials,
        )


def remove_modules(apps: Any, schema_editor: Any) -> None:
    """Only modules nothing refers to: a session or onboarding step keeps its module."""
    Module = apps.get_model("training", "Module")
    TrainingSession = apps.get_model("training", "TrainingSession")
    OnboardingStep = apps.get_model("training", "OnboardingStep")
    used = set(TrainingSession.objects.values_list("module_id", flat=True))
    used |= set(OnboardingStep.objects.values_list("module_id", flat=True))
    Module.objects.filter(municipality=None, title__in=[m[0] for m in MODULES]).exclude(
        pk__in=used
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0002_member_addition")]

    operations = [migrations.RunPython(add_modules, remove_modules)]
