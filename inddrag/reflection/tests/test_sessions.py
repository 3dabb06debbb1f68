"""Team reflection sessions and the leaders' quarterly reflections: planning, vignettes built
from a case (never by hand), agreements as follow-up items, and who may do what.
T1, T3, T5 (the case read behind a vignette), T19, T20 and the role policy (403)."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from inddrag.accounts.models import User
from inddrag.audit.models import AccessEvent
from inddrag.municipalities.models import Membership
from inddrag.reflection.models import (
    FollowUp,
    ReflectionModel,
    ReflectionSession,
    Vignette,
)
from inddrag.reflection.tests.test_make_vignette import build_case_a
from inddrag.test import (
    BaseTestCase,
    make_case,
    make_follow_up,
    make_member,
    make_reflection_session,
)

Role = Membership.Role
SESSIONS = reverse("reflection:sessions")
CREATE = reverse("reflection:session_create")


def session_data(*participants: User, **fields: Any) -> dict[str, Any]:
    model = ReflectionModel.objects.get(municipality__isnull=True, name="Barnets perspektiv")
    data: dict[str, Any] = {
        "held_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "title": "Barnets egne ord i afgørelserne",
        "model": str(model.code),
        "participants": [str(user.code) for user in participants],
        "notes": "",
        "themes": " Børnesamtalen,  BISIDDER , børnesamtalen,,",
        "submit_token": str(uuid.uuid4()),
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


class ReflectionSessionTestCase(BaseTestCase):
    vera: User
    ole: User
    lis: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Vera is Alice's colleague in Team Vest; Ole leads Team Øst; Lis leads no single unit
        # (the municipality's).
        cls.vera = make_member("vera", cls.nordby, Role.CASEWORKER, cls.vest)
        cls.ole = make_member("ole", cls.nordby, Role.LEADER, cls.oest)
        cls.lis = make_member("lis", cls.nordby, Role.LEADER)

    def setUp(self) -> None:
        self.session = make_reflection_session(self.vest, self.leo, title="Vest i november")
        self.session.participants.set([self.alice, self.vera, self.leo])

    def url(self, name: str, obj: Any = None) -> str:
        return reverse(f"reflection:{name}", args=[(obj or self.session).code])

    def prime_session(self) -> None:
        """As if just seen: SessionTimeoutMiddleware saves nothing during a counted request."""
        session = self.client.session
        session["last_seen"] = session["auth_started"] = time.time()
        session.save()

    # The list.

    def test_it_lists_the_sessions_each_role_may_see(self) -> None:
        oest = make_reflection_session(self.oest, self.ole, title="Øst i november")
        leaders = make_reflection_session(self.vest, self.lis, title="Kvartal 4", kind="leaders")
        ReflectionSession.objects.filter(pk=leaders.pk).update(unit=None)
        make_reflection_session(self.syd, self.bea, title="Syd i november")
        expected = {
            self.alice: ["Vest i november"],
            self.anna: ["Øst i november"],
            self.leo: ["Kvartal 4", "Vest i november"],
            self.ole: ["Kvartal 4", "Øst i november"],
            self.lis: ["Kvartal 4", "Vest i november", "Øst i november"],
            self.bob: ["Syd i november"],
        }
        for user, titles in expected.items():
            with self.subTest(user=user.username):
                self.login(user)
                r = self.client.get(SESSIONS)
                self.assertEqual(sorted(s.title for s in r.context["page"].object_list), titles)
        self.assertTrue(oest and leaders)

    def test_it_lists_my_open_follow_ups_and_counts(self) -> None:
        make_follow_up(self.session, self.alice, text="Spørg barnet først")
        make_follow_up(self.session, self.alice, text="Allerede gjort", done_at=timezone.now())
        make_follow_up(self.session, self.vera, text="Veras punkt")
        self.session.vignettes.create(
            municipality=self.nordby, title="V", text="Tekst", created_by=self.leo
        )
        self.login(self.alice)
        r = self.client.get(SESSIONS)
        self.assertEqual([f.text for f in r.context["follow_ups"]], ["Spørg barnet først"])
        row = r.context["page"].object_list[0]
        self.assertEqual((row.vignette_count, row.open_follow_ups), (1, 2))
        self.assertNotContains(r, "Planlæg et teammøde")  # not for a caseworker

    def test_it_lists_in_a_constant_number_of_queries(self) -> None:
        """Rule 26: 1 or 25 sessions, each with vignettes and follow-up items."""
        self.login(self.leo)
        self.client.get(SESSIONS)
        for extra in [0, 24]:
            for n in range(extra):
                session = make_reflection_session(self.vest, self.leo, title=f"Møde {n}")
                make_follow_up(session, self.leo)
                session.vignettes.create(
                    municipality=self.nordby, title="V", text="T", created_by=self.leo
                )
            self.prime_session()
            # session, user, OTP device, membership, the count, the page of sessions (with
            # unit, model, and the vignette and open follow-up counts as subqueries), my open
            # follow-up items (with their session).
            with self.assertNumQueries(7):
                r = self.client.get(SESSIONS)
            self.assertEqual(r.status_code, 200)
        self.assertEqual(len(r.context["page"].object_list), 20)
        self.assertEqual(len(r.context["follow_ups"]), 24)

    # Planning.

    def test_it_offers_the_units_people_and_the_team_models(self) -> None:
        self.login(self.leo)
        r = self.client.get(CREATE)
        form = r.context["form"]
        self.assertEqual(
            sorted(u.username for u in form.fields["participants"].queryset),
            ["alice", "leo", "lis", "vera"],
        )
        self.assertEqual(
            sorted(str(code) for code in form["participants"].value()),
            sorted(str(u.code) for u in [self.alice, self.leo, self.vera]),
        )
        models = {m.name: m for m in form.fields["model"].queryset}
        self.assertLessEqual({"Barnets perspektiv", "Case-vignet: hvad ser vi?"}, set(models))
        self.assertEqual({m.use for m in models.values()}, {"team"})
        self.assertNotIn("unit", form.fields)
        self.assertContains(r, "Hvis barnet læste sagen, ville barnet så kunne genkende sig selv?")

    def test_it_plans_a_team_session(self) -> None:
        self.login(self.leo)
        r = self.client.post(CREATE, session_data(self.alice, self.vera))
        session = ReflectionSession.objects.exclude(pk=self.session.pk).get()
        self.assertRedirects(r, self.url("session_detail", session), fetch_redirect_response=False)
        self.assertEqual(
            (session.kind, session.unit, session.municipality, session.planned_by),
            ("team", self.vest, self.nordby, self.leo),
        )
        self.assertEqual(session.themes, "børnesamtalen, bisidder")
        self.assertEqual(session.model.name, "Barnets perspektiv")
        self.assertEqual(set(session.participants.all()), {self.alice, self.vera})
        event = AccessEvent.objects.get(action="create")
        self.assertEqual((event.user, event.object_code), (self.leo, str(session.code)))

    def test_it_plans_once_for_the_same_form(self) -> None:
        """T20."""
        self.login(self.leo)
        data = session_data(self.alice)
        first, second = self.client.post(CREATE, data), self.client.post(CREATE, data)
        self.assertEqual(first["Location"], second["Location"])
        self.assertEqual(ReflectionSession.objects.count(), 2)  # setUp's and this one

    def test_it_validates_the_session(self) -> None:
        self.login(self.leo)
        today = timezone.localdate()
        cases = [
            (session_data(self.anna), "Vælg deltagerne på listen."),  # another unit's
            (session_data(self.bob), "Vælg deltagerne på listen."),  # another municipality's
            (session_data(title=""), "Skriv mødets emne."),
            (session_data(held_on="i morgen"), "Skriv en rigtig dato"),
            (
                session_data(held_on=(today - timedelta(days=400)).isoformat()),
                "højst ligge et år tilbage",
            ),
            (session_data(model=str(uuid.uuid4())), "Vælg en af modellerne på listen."),
            (session_data(themes="x" * 61), "Et tema må højst have 60 tegn"),
            (session_data(notes="<script>"), "Skriv teksten uden HTML-koder"),
            (session_data(submit_token=""), "Formularen er ikke komplet."),
        ]
        leaders_model = ReflectionModel.objects.get(municipality__isnull=True, use="leaders")
        cases.append((session_data(model=str(leaders_model.code)), "Vælg en af modellerne"))
        for data, message in cases:
            with self.subTest(message=message):
                self.assertContains(self.client.post(CREATE, data), message)
        self.assertEqual(ReflectionSession.objects.count(), 1)

    def test_it_lets_a_leader_without_a_unit_choose_the_unit(self) -> None:
        self.login(self.lis)
        r = self.client.get(CREATE)
        self.assertIn("unit", r.context["form"].fields)
        r = self.client.post(CREATE, session_data(self.anna, unit=str(self.vest.code)))
        self.assertContains(r, "Vælg deltagerne på listen.")
        r = self.client.post(CREATE, session_data(self.anna, self.ole, unit=str(self.oest.code)))
        session = ReflectionSession.objects.get(unit=self.oest)
        self.assertEqual(set(session.participants.all()), {self.anna, self.ole})
        self.assertRedirects(r, self.url("session_detail", session), fetch_redirect_response=False)

    def test_it_plans_a_leaders_quarterly_reflection(self) -> None:
        """The leaders and the administrator of the municipality take part, with the leaders'
        model; any leader of the municipality can open it, no caseworker can."""
        url = f"{CREATE}?slags=leaders"
        self.login(self.leo)
        r = self.client.get(url)
        form = r.context["form"]
        self.assertEqual(
            sorted(u.username for u in form.fields["participants"].queryset),
            ["ada", "leo", "lis", "ole"],
        )
        self.assertEqual(len(form["participants"].value()), 4)
        leaders_model = ReflectionModel.objects.get(municipality__isnull=True, use="leaders")
        self.assertEqual(list(form.fields["model"].queryset), [leaders_model])
        data = session_data(
            self.leo, self.ole, self.ada, model=str(leaders_model.code), title="Kvartal 4"
        )
        r = self.client.post(url, data)
        session = ReflectionSession.objects.get(title="Kvartal 4")
        self.assertEqual((session.kind, session.unit), ("leaders", None))
        self.assertEqual(set(session.participants.all()), {self.leo, self.ole, self.ada})
        r = self.client.post(url, session_data(self.alice, model=str(leaders_model.code)))
        self.assertContains(r, "Vælg deltagerne på listen.")
        for user, status in [(self.ole, 200), (self.lis, 200), (self.alice, 404), (self.bea, 404)]:
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(
                    self.client.get(self.url("session_detail", session)).status_code, status
                )

    def test_it_is_403_for_a_caseworker_to_plan(self) -> None:
        self.login(self.alice)
        for url in [CREATE, self.url("session_edit"), self.url("vignette_add")]:
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, session_data()).status_code, 403)
        self.assertEqual(
            self.client.post(self.url("follow_up_add"), {"text": "x"}).status_code, 403
        )
        self.assertEqual(ReflectionSession.objects.count(), 1)
        self.assertFalse(FollowUp.objects.exists())
        self.assertEqual(AccessEvent.objects.filter(action="denied", user=self.alice).count(), 4)

    # The session page.

    def test_it_shows_the_session_to_the_unit(self) -> None:
        make_follow_up(self.session, self.alice, text="Spørg barnet først")
        for user, can_edit in [
            (self.alice, False),
            (self.vera, False),
            (self.leo, True),
            (self.lis, True),
        ]:
            with self.subTest(user=user.username):
                self.login(user)
                r = self.client.get(self.url("session_detail"))
                self.assertEqual(r.context["can_edit"], can_edit)
                self.assertContains(r, "Vest i november")
                self.assertContains(r, "Spørg barnet først")
                self.assertContains(r, "Alice Testesen, Leo Testesen, Vera Testesen")
                self.assertContains(r, "Hvad sagde barnet, som betød mest?")  # the model's
                self.assertEqual("Tilføj en case-vignet" in r.content.decode(), can_edit)

    def test_it_is_404_to_outsiders(self) -> None:
        """T1, T3: another unit's caseworker and leader, and Sydby: 404, each logged."""
        for user in [self.anna, self.ole, self.bob, self.bea]:
            for name in ["session_detail", "session_edit", "vignette_add"]:
                with self.subTest(user=user.username, view=name):
                    self.login(user)
                    r = self.client.get(self.url(name))
                    # Policy first: a caseworker never reaches a leader's view.
                    expected = (
                        403 if name != "session_detail" and user in (self.anna, self.bob) else 404
                    )
                    self.assertEqual(r.status_code, expected)
        self.assertEqual(AccessEvent.objects.filter(action="denied").count(), 12)

    def test_it_reads_the_page_in_a_constant_number_of_queries(self) -> None:
        """Rule 26: 1 or 10 vignettes, follow-up items and shared reflections."""
        from inddrag.test import make_reflection

        self.login(self.leo)
        self.client.get(self.url("session_detail"))
        for extra in [1, 9]:
            for n in range(extra):
                make_follow_up(self.session, self.alice, text=f"Punkt {n}")
                make_reflection(self.alice, shared=True)
                self.session.vignettes.create(
                    municipality=self.nordby, title="V", text="T", created_by=self.leo
                )
            self.prime_session()
            # session, user, OTP device, membership, the session (with unit, model, planner),
            # the follow-up items (with owner), the access event (savepoint, head lock, insert,
            # head move, release), participants, vignettes, the shared reflections (with
            # author), the owners to choose from in the follow-up form.
            with self.assertNumQueries(15):
                self.client.get(self.url("session_detail"))

    # Editing (T19).

    def edit_data(self, version: int, **fields: Any) -> dict[str, Any]:
        data = session_data(self.alice, self.leo, submit_token=None, **fields)
        data["version"] = str(version)
        return data

    def test_it_edits_the_session(self) -> None:
        self.login(self.leo)
        r = self.client.get(self.url("session_edit"))
        self.assertEqual(r.context["form"]["version"].value(), 1)
        data = self.edit_data(1, notes="Vi talte om at spørge åbent.", themes="Breve")
        r = self.client.post(self.url("session_edit"), data)
        self.assertRedirects(r, self.url("session_detail"), fetch_redirect_response=False)
        self.session.refresh_from_db()
        self.assertEqual((self.session.version, self.session.themes), (2, "breve"))
        self.assertEqual(self.session.notes, "Vi talte om at spørge åbent.")
        self.assertEqual(set(self.session.participants.all()), {self.alice, self.leo})
        self.assertTrue(AccessEvent.objects.filter(action="update", user=self.leo).exists())

    def test_it_shows_a_conflict_for_a_stale_version(self) -> None:
        """T19: Lis saved after Leo loaded the form: Leo gets the conflict page (409) with both
        versions, his text kept, and can then save over it knowingly."""
        self.login(self.lis)
        self.client.post(self.url("session_edit"), self.edit_data(1, notes="Lis' noter"))
        self.login(self.leo)
        r = self.client.post(self.url("session_edit"), self.edit_data(1, notes="Leos noter"))
        self.assertEqual(r.status_code, 409)
        self.assertContains(r, "Mødet er ændret, mens du skrev", status_code=409)
        self.assertContains(r, "Lis&#x27; noter", status_code=409)
        self.assertContains(r, "Leos noter</textarea>", status_code=409)
        self.assertEqual(r.context["form"]["version"].value(), "2")
        self.session.refresh_from_db()
        self.assertEqual((self.session.notes, self.session.version), ("Lis' noter", 2))
        r = self.client.post(self.url("session_edit"), self.edit_data(2, notes="Leos noter"))
        self.session.refresh_from_db()
        self.assertEqual((self.session.notes, self.session.version), ("Leos noter", 3))

    def test_it_is_no_conflict_to_send_the_same_form_twice(self) -> None:
        self.login(self.leo)
        data = self.edit_data(1, notes="Samme")
        self.client.post(self.url("session_edit"), data)
        r = self.client.post(self.url("session_edit"), data)
        self.assertRedirects(r, self.url("session_detail"), fetch_redirect_response=False)
        self.session.refresh_from_db()
        self.assertEqual(self.session.version, 2)

    # Vignettes.

    def test_it_adds_a_vignette_built_from_case_a(self) -> None:
        """The acceptance: a vignette from Case A holds no name, CPR number, address or exact
        date of the child or the network; reading the case is logged (T5); the vignette keeps
        no link to the case."""
        build_case_a(self)
        url = self.url("vignette_add")
        self.login(self.leo)
        r = self.client.get(url)
        self.assertEqual(
            [label for value, label in r.context["form"].fields["case"].choices if value],
            [self.case_a.reference],
        )
        self.assertNotContains(r, "Asta")
        self.assertFalse(AccessEvent.objects.filter(child=self.case_a.child).exists())
        listed = AccessEvent.objects.get(action="list")
        self.assertEqual(
            (listed.user, listed.criterion, listed.object_code),
            (self.leo, "open cases for a vignette", str(self.session.code)),
        )
        r = self.client.post(url, {"case": str(self.case_a.code), "preview": "1"})
        self.assertContains(r, "Sådan ser vignetten ud")
        self.assertContains(r, "Barnet er ")
        preview = AccessEvent.objects.get(action="read", criterion="vignette preview")
        self.assertEqual(
            (preview.user, preview.child, preview.object_code),
            (self.leo, self.case_a.child, str(self.case_a.code)),
        )
        self.assertFalse(Vignette.objects.exists())
        r = self.client.post(url, {"case": str(self.case_a.code), "title": "Pige i skolealderen"})
        self.assertRedirects(r, self.url("session_detail"), fetch_redirect_response=False)
        vignette = Vignette.objects.get()
        self.assertEqual(
            (vignette.session, vignette.title, vignette.created_by),
            (self.session, "Pige i skolealderen", self.leo),
        )
        self.assertNotIn("case", [f.name for f in Vignette._meta.get_fields()])
        read = AccessEvent.objects.get(action="read", criterion="vignette")
        self.assertEqual((read.child, read.object_code), (self.case_a.child, str(self.case_a.code)))
        created = AccessEvent.objects.get(action="create", object_type="Vignette")
        self.assertIsNone(created.child)
        child = self.case_a.child
        for value in [child.first_name, child.last_name, child.cpr, "Mette", "Hansen",
                      "Bakkeskolen", "Bakkevej", "2300", "3. maj 2026", "2026-04-30",
                      "05-03-2012", "bange for far", self.case_a.reference]:  # fmt: skip
            with self.subTest(value=value):
                self.assertNotIn(value.lower(), vignette.text.lower())
        # And the session's page, where the unit reads it.
        self.login(self.alice)
        r = self.client.get(self.url("session_detail"))
        self.assertContains(r, "Pige i skolealderen")
        self.assertNotContains(r, "Asta")
        self.assertNotContains(r, child.cpr)

    def test_it_refuses_a_title_with_case_data_and_gives_a_default_title(self) -> None:
        build_case_a(self)
        self.login(self.leo)
        url = self.url("vignette_add")
        r = self.client.post(url, {"case": str(self.case_a.code), "title": "Astas sag"})
        self.assertContains(r, "Teksten ser ud til at indeholde et navn.")
        self.assertContains(r, "Sådan ser vignetten ud")  # the preview stays
        self.assertFalse(Vignette.objects.exists())
        self.client.post(url, {"case": str(self.case_a.code), "extra_names": "Kalle\nBo"})
        self.assertEqual(Vignette.objects.get().title, "Vignet 1")

    def test_it_offers_only_the_units_open_cases(self) -> None:
        """T1, T3: Case A2 (Team Øst), Case B (Sydby) and a closed case are not offered, and a
        forged choice of them is refused without reading them."""
        closed = make_case(self.vest, self.alice)
        closed.status, closed.closed_on = "closed", closed.opened_on
        closed.save()
        self.login(self.leo)
        for case in [self.case_a2, self.case_b, closed]:
            with self.subTest(case=case.reference):
                r = self.client.post(self.url("vignette_add"), {"case": str(case.code)})
                self.assertContains(r, "Vælg en af sagerne på listen.")
        self.assertFalse(Vignette.objects.exists())
        self.assertFalse(AccessEvent.objects.filter(action="read", child__isnull=False).exists())

    # Agreements as follow-up items.

    def test_it_turns_an_agreement_into_a_follow_up_item(self) -> None:
        self.login(self.leo)
        due = timezone.localdate() + timedelta(days=14)
        data = {
            "text": "Vi spørger barnet, hvor det vil mødes.",
            "owner": str(self.alice.code),
            "due_on": due.isoformat(),
        }
        r = self.client.post(self.url("follow_up_add"), data)
        self.assertRedirects(
            r, self.url("session_detail") + "#opfoelgning", fetch_redirect_response=False
        )
        item = FollowUp.objects.get()
        self.assertEqual(
            (item.session, item.text, item.owner, item.due_on, item.done_at, item.municipality),
            (self.session, data["text"], self.alice, due, None, self.nordby),
        )
        self.client.post(self.url("follow_up_add"), data)  # a double tap: still one
        self.assertEqual(self.client.get(self.url("follow_up_add")).status_code, 405)
        self.assertEqual(FollowUp.objects.count(), 1)
        self.assertEqual(
            AccessEvent.objects.filter(action="create", object_type="FollowUp").count(), 1
        )

    def test_it_validates_the_follow_up_item(self) -> None:
        self.login(self.leo)
        today = timezone.localdate()
        ok = {"text": "Ring til skolen", "owner": str(self.alice.code), "due_on": today.isoformat()}
        cases = [
            (
                {**ok, "due_on": (today - timedelta(days=1)).isoformat()},
                "Fristen må ikke ligge i fortiden.",
            ),
            ({**ok, "owner": str(self.anna.code)}, "Vælg en af personerne på listen."),
            ({**ok, "owner": str(self.bob.code)}, "Vælg en af personerne på listen."),
            ({**ok, "text": ""}, "Skriv aftalen."),
            ({**ok, "text": "x" * 501}, "Skriv højst 500 tegn"),
            ({**ok, "due_on": ""}, "Skriv en frist."),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                r = self.client.post(self.url("follow_up_add"), data)
                self.assertContains(r, message)
                self.assertContains(r, "Aftalen er ikke gemt")
        self.assertFalse(FollowUp.objects.exists())

    def test_it_lets_the_owner_or_the_leader_mark_an_item_done(self) -> None:
        item = make_follow_up(self.session, self.alice)
        url = self.url("follow_up_done", item)
        # Vera can see the session but does not own the item: 403, logged, nothing changed.
        self.login(self.vera)
        self.assertEqual(self.client.post(url).status_code, 403)
        item.refresh_from_db()
        self.assertIsNone(item.done_at)
        self.assertTrue(AccessEvent.objects.filter(action="denied", user=self.vera).exists())
        # Outsiders: 404, logged.
        for user in [self.anna, self.ole, self.bob, self.bea]:
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.post(url).status_code, 404)
        self.assertEqual(AccessEvent.objects.filter(action="denied").count(), 5)
        item.refresh_from_db()
        self.assertIsNone(item.done_at)
        # The owner.
        self.login(self.alice)
        self.assertEqual(self.client.get(url).status_code, 405)
        r = self.client.post(url, {"back": "list"})
        self.assertRedirects(r, SESSIONS, fetch_redirect_response=False)
        item.refresh_from_db()
        self.assertIsNotNone(item.done_at)
        event = AccessEvent.objects.get(action="update")
        self.assertEqual(
            (event.user, event.object_code, event.criterion), (self.alice, str(item.code), "done")
        )
        # Done twice changes nothing; the leader may mark another's item.
        self.client.post(url)
        self.assertEqual(AccessEvent.objects.filter(action="update").count(), 1)
        other = make_follow_up(self.session, self.vera)
        self.login(self.leo)
        self.client.post(self.url("follow_up_done", other))
        other.refresh_from_db()
        self.assertIsNotNone(other.done_at)

    # The whole way.

    def test_it_runs_a_session_from_plan_to_done_follow_up(self) -> None:
        """The acceptance: the leader plans a team session, adds a vignette built from Case A
        with none of the child's data in it, records the agreement as a follow-up item with an
        owner and a date, and the owner marks it done."""
        build_case_a(self)
        self.login(self.leo)
        r = self.client.post(CREATE, session_data(self.alice, self.vera, title="Barnets stemme"))
        session = ReflectionSession.objects.get(title="Barnets stemme")
        self.client.post(
            self.url("vignette_add", session), {"case": str(self.case_a.code), "title": "Case 1"}
        )
        due = timezone.localdate() + timedelta(days=30)
        self.client.post(
            self.url("follow_up_add", session),
            {
                "text": "Alice prøver børnesamtalen på skolen",
                "owner": str(self.alice.code),
                "due_on": due.isoformat(),
            },
        )
        self.login(self.alice)
        r = self.client.get(SESSIONS)
        self.assertContains(r, "Alice prøver børnesamtalen på skolen")
        r = self.client.get(self.url("session_detail", session))
        self.assertContains(r, "Case 1")
        for value in [
            "Asta",
            "Fiktivsen",
            self.case_a.child.cpr,
            "Bakkevej",
            "Mette",
            "3. maj 2026",
        ]:
            self.assertNotContains(r, value)
        item = FollowUp.objects.get(session=session)
        self.client.post(self.url("follow_up_done", item))
        item.refresh_from_db()
        self.assertIsNotNone(item.done_at)
        self.assertContains(self.client.get(SESSIONS), "Du har ingen åbne opfølgningspunkter.")
