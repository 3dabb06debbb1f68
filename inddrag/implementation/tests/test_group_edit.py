"""Editing an implementation group: its name and its members, who must be staff of the
municipality (the administrator or a leader edits it)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from inddrag.accounts.models import User
from inddrag.audit.models import AccessEvent
from inddrag.implementation import services
from inddrag.implementation.models import Group
from inddrag.municipalities.models import Membership
from inddrag.test import BaseTestCase, make_member

Role = Membership.Role


class GroupEditTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.group = Group.objects.create(
            municipality=self.nordby, kind=Group.Kind.STEERING, name="Styregruppe"
        )
        self.url = reverse("implementation:group_edit", args=[self.group.code])

    def post(self, name: str = "Styregruppen for Inddrag", *members: User) -> Any:
        return self.client.post(self.url, {"name": name, "members": [str(m.code) for m in members]})

    def test_it_shows_the_staff_to_choose_from(self) -> None:
        """Nordby's staff, by their public code; no one from Sydby, no integer keys."""
        self.group.members.set([self.leo])
        self.login(self.ada)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        for user in [self.alice, self.anna, self.leo, self.ada]:
            self.assertContains(r, f'value="{user.code}"')
        self.assertContains(r, "Leo Testesen")
        self.assertNotContains(r, str(self.bea.code))
        self.assertNotContains(r, "Bea Testesen")
        self.assertContains(r, f'value="{self.leo.code}" class="form-checkbox"', html=False)
        self.assertEqual(r.context["form"].initial["members"], [self.leo.code])

    def test_it_saves_the_name_and_the_members(self) -> None:
        self.login(self.ada)
        r = self.post("Styregruppen for Inddrag", self.leo, self.alice)
        self.assertRedirects(r, self.group.get_absolute_url(), fetch_redirect_response=False)
        self.group.refresh_from_db()
        self.assertEqual(self.group.name, "Styregruppen for Inddrag")
        self.assertEqual(set(self.group.members.all()), {self.leo, self.alice})
        event = AccessEvent.objects.get(action="update")
        self.assertEqual(
            (event.user, event.object_type, event.object_code),
            (self.ada, "Group", str(self.group.code)),
        )
        # A leader may edit it too, and may take members out.
        self.login(self.leo)
        self.post("Styregruppen", self.leo)
        self.assertEqual(list(self.group.members.all()), [self.leo])

    def test_it_refuses_a_member_of_another_municipality(self) -> None:
        """Bea is Sydby's: the form says so in Danish and nothing changes."""
        self.group.members.set([self.leo])
        self.login(self.ada)
        r = self.post("Nyt navn", self.leo, self.bea)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Vælg kun medarbejdere i kommunen.")
        self.assertContains(r, "Gruppen er ikke gemt")
        self.group.refresh_from_db()
        self.assertEqual(self.group.name, "Styregruppe")
        self.assertEqual(list(self.group.members.all()), [self.leo])
        self.assertFalse(AccessEvent.objects.filter(action="update").exists())

    def test_it_refuses_someone_who_left_the_municipality(self) -> None:
        leaver = make_member("lene", self.nordby, Role.CASEWORKER, self.vest)
        Membership.objects.filter(user=leaver).update(ended_at="2026-01-01T00:00:00Z")
        self.login(self.ada)
        r = self.post("Styregruppe", leaver)
        self.assertContains(r, "Vælg kun medarbejdere i kommunen.")
        self.assertFalse(self.group.members.exists())

    def test_the_service_refuses_a_member_of_another_municipality(self) -> None:
        membership = Membership.objects.get(user=self.ada)
        with self.assertRaises(services.NotStaff):
            services.update_group(
                self.group, by=self.ada, membership=membership, name="X", members=[self.bob]
            )
        self.group.refresh_from_db()
        self.assertEqual(self.group.name, "Styregruppe")
        self.assertFalse(self.group.members.exists())

    def test_it_requires_a_name_without_markup(self) -> None:
        self.login(self.ada)
        r = self.post("")
        self.assertContains(r, "Skriv gruppens navn.")
        r = self.post("<b>Styregruppe</b>")
        self.assertContains(r, "Skriv teksten uden HTML-koder")
        self.group.refresh_from_db()
        self.assertEqual(self.group.name, "Styregruppe")

    def test_it_is_for_leaders_and_administrators(self) -> None:
        """T2: Alice (a caseworker) gets 403 (logged); nothing changes."""
        self.login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        r = self.post("Alices gruppe", self.alice)
        self.assertEqual(r.status_code, 403)
        self.group.refresh_from_db()
        self.assertEqual(self.group.name, "Styregruppe")
        self.assertEqual(AccessEvent.objects.filter(action="denied", user=self.alice).count(), 2)

    def test_it_is_404_for_another_municipality(self) -> None:
        """T1: Bo (Sydby's administrator) gets 404 for Nordby's group, logged; nothing changes."""
        self.login(self.bo)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        r = self.post("Sydbys navn", self.bea)
        self.assertEqual(r.status_code, 404)
        self.group.refresh_from_db()
        self.assertEqual(self.group.name, "Styregruppe")
        self.assertFalse(self.group.members.exists())
        self.assertEqual(AccessEvent.objects.filter(action="denied", user=self.bo).count(), 2)
