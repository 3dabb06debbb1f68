"""Training modules: the concept's and the municipality's own, for the reader's audience
first; module pages with materials; leaders and administrators add their own."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.test import BaseTestCase, make_module, make_training_session
from inddrag.training.models import Module

LIST = reverse("training:modules")
CREATE = reverse("training:module_create")
CONCEPT = [
    "Barnets perspektiv i sagsbehandlingen",
    "Børnesamtalen",
    "At skrive til børn",
    "Møder, barnet er med til at forberede",
    "Ledelse af inddragelse",
]


class ModulesTestCase(BaseTestCase):
    def form(self, **fields: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Nordbys sagsgange",
            "audience": "caseworkers",
            "summary": "Sådan arbejder vi med børnesager i Nordby.",
            "materials": "Nordbys håndbog\n\n  Skabelon til børnesamtalen  \n",
            "in_onboarding": "on",
            "position": "25",
        }
        data.update(fields)
        return data

    def titles(self, modules: list[Module]) -> list[str]:
        return [m.title for m in modules]

    def test_it_has_the_concepts_modules(self) -> None:
        modules = Module.objects.filter(municipality=None)
        self.assertTrue(set(CONCEPT) <= {m.title for m in modules})
        for module in modules:
            self.assertTrue(module.summary and module.materials, module.title)
        onboarding = modules.filter(in_onboarding=True).order_by("position")
        self.assertEqual(self.titles(list(onboarding)), CONCEPT[:4])
        self.assertEqual(modules.get(title="Ledelse af inddragelse").audience, "leaders")

    def test_it_lists_the_readers_audience_first(self) -> None:
        own = make_module(self.nordby, title="Nordbys sagsgange", position=5)
        make_module(self.sydby, title="Sydbys modul")
        make_module(self.nordby, title="Udgået modul", disabled_on=timezone.localdate())
        self.login(self.alice)
        r = self.client.get(LIST)
        self.assertEqual(r.status_code, 200)
        mine = self.titles(r.context["for_reader"])
        self.assertEqual(mine[0], own.title)
        self.assertIn("Børnesamtalen", mine)
        self.assertEqual(self.titles(r.context["others"]), ["Ledelse af inddragelse"])
        self.assertNotContains(r, "Sydbys modul")  # T1
        self.assertNotContains(r, "Udgået modul")
        self.login(self.leo)
        r = self.client.get(LIST)
        self.assertEqual(self.titles(r.context["for_reader"]), ["Ledelse af inddragelse"])
        self.assertIn("Nordbys sagsgange", self.titles(r.context["others"]))

    def test_it_needs_the_same_queries_for_more_modules(self) -> None:
        """Rule 26: the leader's list is one query for the modules and two for the sessions."""
        module = Module.objects.get(title="Børnesamtalen")
        make_training_session(module, self.nordby, self.leo)
        self.login(self.leo)
        self.client.get(LIST)  # the session's first request writes its clock
        # 7 queries: session, user, OTP device, memberships (+ municipality, unit); the modules;
        # the upcoming sessions and the recent ones (each with its module and attendance count).
        with self.assertNumQueries(7):
            self.client.get(LIST)
        for n in range(5):
            make_module(self.nordby, title=f"Modul {n}")
            make_training_session(module, self.nordby, self.leo)
        with self.assertNumQueries(7):
            r = self.client.get(LIST)
        self.assertEqual(len(r.context["upcoming"]), 6)

    def test_it_shows_a_module_with_its_materials(self) -> None:
        module = Module.objects.get(title="Børnesamtalen")
        make_training_session(module, self.nordby, self.leo)
        make_training_session(module, self.sydby, self.bea)
        for user in (self.alice, self.leo, self.ada):
            with self.subTest(user=user.username):
                self.login(user)
                r = self.client.get(reverse("training:module_detail", args=[module.code]))
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, "Samtaleguide til børnesamtalen (Bedre Børneinddragelse)")
                self.assertContains(r, '<span class="badge">For sagsbehandlere</span>')
                self.assertEqual(len(r.context["upcoming"]), 1)  # Nordby's only (T1)

    def test_it_hides_another_municipalitys_module(self) -> None:
        """T1: a 404 with a logged denial."""
        sydbys = make_module(self.sydby, title="Sydbys modul")
        self.login(self.alice)
        r = self.client.get(reverse("training:module_detail", args=[sydbys.code]))
        self.assertEqual(r.status_code, 404)
        event = AccessEvent.objects.get(action=AccessEvent.Action.DENIED)
        self.assertEqual(
            (event.user, event.criterion), (self.alice, f"training module {sydbys.code}")
        )

    def test_it_creates_a_module(self) -> None:
        for user in (self.leo, self.ada):
            with self.subTest(user=user.username):
                self.login(user)
                r = self.client.post(CREATE, self.form(title=f"Modul af {user.username}"))
                module = Module.objects.get(title=f"Modul af {user.username}")
                self.assertRedirects(r, reverse("training:module_detail", args=[module.code]))
                self.assertEqual(module.municipality, self.nordby)
                self.assertEqual(module.materials, "Nordbys håndbog\nSkabelon til børnesamtalen")
                self.assertTrue(module.in_onboarding)
                self.assertEqual(module.position, 25)

    def test_it_refuses_bad_input(self) -> None:
        """T13: Danish messages and nothing saved, HTML refused in free text."""
        cases = [
            ({"title": ""}, "Skriv modulets titel."),
            ({"title": "   "}, "Skriv modulets titel."),
            ({"title": "<b>Fed</b>"}, "uden HTML-koder"),
            ({"title": "x" * 201}, "højst 200 tegn"),
            ({"audience": "children"}, "Vælg et af svarene."),
            ({"summary": ""}, "Skriv, hvad modulet handler om."),
            ({"summary": "<script>alert(1)</script>"}, "uden HTML-koder"),
            ({"materials": "<a href=x>link</a>"}, "uden HTML-koder"),
            ({"materials": "\n".join(f"Materiale {n}" for n in range(31))}, "højst 30 materialer"),
            ({"materials": "x" * 301}, "højst fylde 300 tegn"),
            ({"position": "-1"}, "Skriv et tal fra 0 til 999."),
            ({"position": "tre"}, "Skriv et helt tal fra 0 til 999."),
            ({"audience": "leaders"}, "Introduktionen er for nye sagsbehandlere."),
        ]
        self.login(self.leo)
        count = Module.objects.count()
        for fields, message in cases:
            with self.subTest(fields=fields):
                r = self.client.post(CREATE, self.form(**fields))
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, message)
                self.assertContains(r, "Modulet er ikke gemt.")
        self.assertEqual(Module.objects.count(), count)

    def test_it_lets_caseworkers_read_but_not_create(self) -> None:
        """T2: 403 for a caseworker on the form, and nothing saved."""
        count = Module.objects.count()
        self.login(self.alice)
        self.assertEqual(self.client.get(CREATE).status_code, 403)
        self.assertEqual(self.client.post(CREATE, self.form()).status_code, 403)
        self.assertEqual(Module.objects.count(), count)
        self.assertEqual(AccessEvent.objects.filter(action="denied").count(), 2)

    def test_it_shows_the_administrator_every_module_and_the_form(self) -> None:
        self.login(self.ada)
        r = self.client.get(LIST)
        self.assertEqual(r.context["for_reader"], [])
        titles = self.titles(r.context["others"])
        self.assertEqual(titles[:4], CONCEPT[:4])  # caseworkers' modules, then the leaders'
        self.assertIn("Ledelse af inddragelse", titles)
        self.assertContains(r, reverse("training:module_create"))
        self.assertNotContains(r, reverse("training:session_create"))  # a leader's task
        r = self.client.get(CREATE)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, '<legend class="form-label">For hvem</legend>', html=False)
