"""The municipality's reflection models (the administrator's page): the defaults, and the
municipality's own, added, changed and retired."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from inddrag.audit.models import AccessEvent
from inddrag.reflection.models import ReflectionModel
from inddrag.test import BaseTestCase

URL = reverse("reflection:question_models")


def model_data(**fields: Any) -> dict[str, Any]:
    data = {
        "use": "team",
        "name": "Nordbys teammodel",
        "questions": "Hvad sagde barnet?\n\n  Hvad gjorde vi?  \nHvad gør vi nu?\n",
    }
    data.update(fields)
    return data


class QuestionModelsTestCase(BaseTestCase):
    def own(self, **fields: Any) -> ReflectionModel:
        fields.setdefault("use", "personal")
        fields.setdefault("name", "Nordbys egen")
        fields.setdefault("questions", ["Hvad lærte jeg?"])
        return ReflectionModel.objects.create(municipality=self.nordby, **fields)

    def test_it_lists_the_defaults(self) -> None:
        """The data migration's four defaults: personal, two team models and the leaders'."""
        defaults = ReflectionModel.objects.filter(municipality__isnull=True)
        self.assertEqual(
            sorted((m.use, len(m.questions)) for m in defaults),
            [("leaders", 5), ("personal", 3), ("team", 5), ("team", 5)],
        )
        self.login(self.ada)
        r = self.client.get(URL)
        self.assertContains(r, "Alle kommuners modeller")
        for model in defaults:
            self.assertContains(r, model.name)
        self.assertContains(r, "Hvordan sikrede jeg, at barnets perspektiv kom frem?")
        self.assertContains(r, "Kommunen har ingen egne modeller endnu.")

    def test_it_adds_a_model(self) -> None:
        self.login(self.ada)
        r = self.client.post(URL, model_data())
        self.assertRedirects(r, URL, fetch_redirect_response=False)
        model = ReflectionModel.objects.get(municipality=self.nordby)
        self.assertEqual(model.use, "team")
        self.assertEqual(model.name, "Nordbys teammodel")
        self.assertEqual(
            model.questions, ["Hvad sagde barnet?", "Hvad gjorde vi?", "Hvad gør vi nu?"]
        )
        event = AccessEvent.objects.get(action="create")
        self.assertEqual((event.user, event.object_code), (self.ada, str(model.code)))

    def test_it_validates_the_questions(self) -> None:
        self.login(self.ada)
        cases = [
            (model_data(questions="\n \n"), "Skriv mindst ét spørgsmål."),
            (
                model_data(questions="\n".join(f"Spørgsmål {n}?" for n in range(11))),
                "Skriv højst 10 spørgsmål (du har skrevet 11).",
            ),
            (
                model_data(questions="Kort?\n" + "x" * 301),
                "Spørgsmål 2 er for langt: højst 300 tegn (det har 301).",
            ),
            (model_data(questions="Hvad?\nHvad?"), "Det samme spørgsmål står to gange."),
            (model_data(questions="<b>Hvad?</b>"), "Skriv teksten uden HTML-koder"),
            (model_data(name=""), "Giv modellen et navn."),
            (model_data(use="andet"), "Vælg et af svarene."),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                self.assertContains(self.client.post(URL, data), message)
        self.assertFalse(ReflectionModel.objects.filter(municipality=self.nordby).exists())

    def test_it_prefills_a_copy_of_a_default(self) -> None:
        default = ReflectionModel.objects.get(municipality__isnull=True, use="personal")
        self.login(self.ada)
        r = self.client.get(f"{URL}?kopi={default.code}")
        self.assertEqual(
            r.context["form"]["name"].value(), "Refleksion efter samtalen (kommunens udgave)"
        )
        self.assertEqual(r.context["form"]["use"].value(), "personal")
        self.assertContains(r, "Hvad vil jeg gøre anderledes næste gang?</textarea>")

    def test_it_changes_the_municipalitys_own_model_but_not_its_use(self) -> None:
        model = self.own()
        self.login(self.ada)
        r = self.client.get(f"{URL}?rediger={model.code}")
        self.assertContains(r, "Ret »Nordbys egen«")
        self.assertNotContains(r, 'name="use"')
        r = self.client.post(
            URL,
            {"rediger": str(model.code), "name": "Nyt navn", "questions": "A?\nB?", "use": "team"},
        )
        self.assertRedirects(r, URL, fetch_redirect_response=False)
        model.refresh_from_db()
        self.assertEqual(
            (model.name, model.questions, model.use), ("Nyt navn", ["A?", "B?"], "personal")
        )

    def test_it_retires_a_model_after_a_confirmation(self) -> None:
        model = self.own()
        self.login(self.ada)
        r = self.client.get(f"{URL}?fjern={model.code}")
        self.assertContains(r, "Vil du tage »Nordbys egen« ud af brug?")
        model.refresh_from_db()
        self.assertIsNone(model.disabled_on)
        r = self.client.post(URL, {"fjern": str(model.code)})
        self.assertRedirects(r, URL, fetch_redirect_response=False)
        model.refresh_from_db()
        self.assertIsNotNone(model.disabled_on)
        r = self.client.get(URL)
        self.assertContains(r, "Taget ud af brug")
        # Retired, it is no longer a caseworker's personal model: the default is again.
        self.login(self.alice)
        self.assertContains(
            self.client.get(reverse("reflection:create")), "Hvad sagde barnet, som betød mest?"
        )

    def test_it_is_404_for_another_municipalitys_model_or_a_default(self) -> None:
        """T1: Sydby's model and a default cannot be changed or retired from Nordby."""
        sydby = ReflectionModel.objects.create(
            municipality=self.sydby, use="team", name="Sydbys", questions=["Hvad?"]
        )
        default = ReflectionModel.objects.filter(municipality__isnull=True).first()
        assert default is not None
        self.login(self.ada)
        for model in [sydby, default]:
            with self.subTest(model=model.name):
                r = self.client.post(URL, {"fjern": str(model.code)})
                self.assertEqual(r.status_code, 404)
                r = self.client.post(URL, model_data(rediger=str(model.code), name="Overtaget"))
                self.assertEqual(r.status_code, 404)
                r = self.client.get(f"{URL}?rediger={model.code}")
                self.assertEqual(r.status_code, 404)
                model.refresh_from_db()
                self.assertNotEqual(model.name, "Overtaget")
                self.assertIsNone(model.disabled_on)
        self.assertFalse(ReflectionModel.objects.filter(municipality=self.nordby).exists())
        self.assertEqual(AccessEvent.objects.filter(action="denied", user=self.ada).count(), 6)
        self.assertNotContains(self.client.get(URL), "Sydbys")

    def test_it_is_403_for_caseworkers_and_leaders(self) -> None:
        for user in [self.alice, self.leo]:
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.post(URL, model_data()).status_code, 403)
        self.assertFalse(ReflectionModel.objects.filter(municipality=self.nordby).exists())
