"""The overview of the implementation groups (/implementering/): the municipality's three groups,
made on the first visit, with rhythm, members, last and next meeting and whether a meeting is
over time; the open follow-up items of all three; and the page of one group."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.implementation import services
from inddrag.implementation.models import Group
from inddrag.implementation.tests.helpers import make_group, make_group_meeting
from inddrag.municipalities.models import Membership, Municipality
from inddrag.reflection.models import FollowUp
from inddrag.test import BaseTestCase

URL = reverse("implementation:groups")
# 1 June 2026, noon in Copenhagen: "today" of the rhythm tests.
NOON = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
TODAY = date(2026, 6, 1)


class GroupsTestCase(BaseTestCase):
    def prime_session(self) -> None:
        """As if just seen: SessionTimeoutMiddleware saves nothing during a counted request."""
        session = self.client.session
        session["last_seen"] = session["auth_started"] = time.time()
        session.save()

    def groups_of(self, municipality: Municipality) -> dict[str, Group]:
        return {g.kind: g for g in Group.objects.filter(municipality=municipality)}

    # Made on the first visit, once.

    def test_it_makes_the_three_groups_on_the_first_visit(self) -> None:
        self.login(self.leo)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        groups = self.groups_of(self.nordby)
        self.assertEqual(set(groups), {"steering", "coordination", "training"})
        self.assertEqual(groups["steering"].name, "Styregruppe")
        self.assertContains(r, "Styregruppe")
        self.assertContains(r, "Mødes hvert kvartal")
        self.assertContains(r, "Koordinationsgruppe")
        self.assertContains(r, "Mødes hver måned")
        self.assertContains(r, "Uddannelsesgruppe")
        self.assertContains(r, "Mødes 3-4 gange om året")
        self.assertContains(r, "Gruppen har ikke holdt møde endnu.", count=3)
        self.assertContains(r, "Der er ingen åbne opfølgningspunkter.")
        created = AccessEvent.objects.filter(action="create", user=self.leo)
        self.assertEqual(sorted(created.values_list("object_type", flat=True)), ["Group"] * 3)
        self.assertFalse(Group.objects.filter(municipality=self.sydby).exists())

    def test_it_makes_them_once(self) -> None:
        """Idempotent: a second visit, another leader, the administrator, and the service called
        again make no new group and log nothing new."""
        self.login(self.leo)
        self.client.get(URL)
        codes = {kind: g.code for kind, g in self.groups_of(self.nordby).items()}
        self.client.get(URL)
        self.login(self.ada)
        self.client.get(URL)
        membership = Membership.objects.get(user=self.ada)
        again = services.ensure_groups(self.nordby, by=self.ada, membership=membership)
        self.assertEqual([g.code for g in again], [codes[k] for k in Group.Kind])
        self.assertEqual(Group.objects.filter(municipality=self.nordby).count(), 3)
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 3)

    def test_it_makes_only_the_missing_group(self) -> None:
        steering = make_group(self.nordby, "steering", name="Styregruppen for Inddrag")
        membership = Membership.objects.get(user=self.leo)
        groups = services.ensure_groups(self.nordby, by=self.leo, membership=membership)
        self.assertEqual([g.kind for g in groups], ["steering", "coordination", "training"])
        self.assertEqual(groups[0], steering)
        self.assertEqual(groups[0].name, "Styregruppen for Inddrag")
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 2)

    # The rhythm.

    @time_machine.travel(NOON, tick=False)
    def test_it_says_the_steering_group_is_over_time_after_three_months(self) -> None:
        """The steering group meets quarterly: last met 28 February, due by 28 May, so on
        1 June "Mødet er over tid" (in words, with the icon). The coordination group met on
        2 May (due by 2 June) and is not."""
        old = datetime(2025, 1, 1, tzinfo=UTC)
        steering = make_group(self.nordby, "steering", created_at=old)
        coordination = make_group(self.nordby, "coordination", created_at=old)
        make_group(self.nordby, "training", created_at=datetime(2026, 5, 1, tzinfo=UTC))
        make_group_meeting(steering, date(2026, 2, 28), self.leo)
        make_group_meeting(coordination, date(2026, 5, 2), self.leo)
        self.login(self.leo)
        r = self.client.get(URL)
        rows = {row.group.kind: row for row in r.context["rows"]}
        self.assertTrue(rows["steering"].is_overdue)
        self.assertEqual(rows["steering"].due_on, date(2026, 5, 28))
        self.assertFalse(rows["coordination"].is_overdue)
        self.assertEqual(rows["coordination"].due_on, date(2026, 6, 2))
        self.assertFalse(rows["training"].is_overdue)  # set up a month ago; due by 1 September
        self.assertContains(
            r,
            '<strong class="status-warning"><span class="status-icon" aria-hidden="true">'
            "</span>Mødet er over tid</strong>",
            count=1,
            html=True,
        )
        self.assertContains(r, "Næste møde skulle have været holdt senest 28. maj 2026.")
        self.assertContains(r, "Næste møde bør holdes senest 2. juni 2026.")

    @time_machine.travel(NOON, tick=False)
    def test_it_shows_the_last_and_the_next_meeting(self) -> None:
        """A meeting planned after the due date does not make the group less overdue; a
        meeting held today counts as the last one."""
        steering = make_group(self.nordby, "steering", created_at=datetime(2025, 1, 1, tzinfo=UTC))
        make_group_meeting(steering, date(2026, 1, 15), self.leo)
        last = make_group_meeting(steering, date(2026, 2, 20), self.leo)
        following = make_group_meeting(steering, date(2026, 6, 20), self.leo)
        make_group_meeting(steering, date(2026, 9, 1), self.leo)
        self.login(self.leo)
        r = self.client.get(URL)
        row = next(row for row in r.context["rows"] if row.group.kind == "steering")
        self.assertEqual((row.last_held_on, row.last_code), (date(2026, 2, 20), last.code))
        self.assertEqual((row.next_held_on, row.next_code), (date(2026, 6, 20), following.code))
        self.assertTrue(row.is_overdue)
        self.assertContains(r, f'href="{last.get_absolute_url()}"')
        self.assertContains(r, f'href="{following.get_absolute_url()}"')
        make_group_meeting(steering, TODAY, self.leo)
        r = self.client.get(URL)
        row = next(row for row in r.context["rows"] if row.group.kind == "steering")
        self.assertEqual(row.last_held_on, TODAY)
        self.assertFalse(row.is_overdue)

    def test_it_shows_the_members(self) -> None:
        self.login(self.leo)
        self.client.get(URL)
        steering = self.groups_of(self.nordby)["steering"]
        steering.members.set([self.leo, self.ada])
        r = self.client.get(URL)
        self.assertContains(r, "Ada Testesen, Leo Testesen")
        self.assertContains(r, "Ingen medlemmer endnu.", count=2)

    # The open follow-up items of all three groups.

    @time_machine.travel(NOON, tick=False)
    def test_it_lists_the_open_follow_up_items_of_all_groups(self) -> None:
        steering = make_group(self.nordby, "steering")
        training = make_group(self.nordby, "training")
        make_group(self.nordby, "coordination")
        m1 = make_group_meeting(steering, date(2026, 5, 1), self.leo)
        m2 = make_group_meeting(training, date(2026, 5, 10), self.ada)
        for meeting, text, owner, due_on, done in [
            (m1, "Send referatet til direktionen", self.leo, date(2026, 5, 20), False),
            (m2, "Planlæg temadag om børnesamtalen", self.ada, date(2026, 6, 15), False),
            (m2, "Book lokale", self.ada, date(2026, 6, 2), True),
        ]:
            FollowUp.objects.create(
                municipality=self.nordby,
                group_meeting=meeting,
                text=text,
                owner=owner,
                due_on=due_on,
                done_at=timezone.now() if done else None,
            )
        # Sydby's item is not Nordby's business.
        sydby = make_group(self.sydby, "steering")
        FollowUp.objects.create(
            municipality=self.sydby,
            group_meeting=make_group_meeting(sydby, date(2026, 5, 1), self.bea),
            text="Sydbys punkt",
            owner=self.bea,
            due_on=date(2026, 6, 30),
        )
        self.login(self.leo)
        r = self.client.get(URL)
        self.assertEqual(
            [f.text for f in r.context["follow_ups"]],
            ["Send referatet til direktionen", "Planlæg temadag om børnesamtalen"],
        )
        self.assertContains(r, "2 punkter fra gruppernes møder er ikke udført.")
        self.assertContains(r, "Fristen 20. maj 2026 er overskredet")
        self.assertContains(r, "15. juni 2026")
        self.assertContains(r, "Uddannelsesgruppe, 10. maj 2026")
        self.assertContains(r, f'href="{m2.get_absolute_url()}#opfoelgning"')
        self.assertNotContains(r, "Book lokale")
        self.assertNotContains(r, "Sydbys punkt")

    # The page of one group.

    def test_it_shows_a_group_with_its_members_and_meetings_newest_first(self) -> None:
        steering = make_group(self.nordby, "steering")
        steering.members.set([self.leo])
        older = make_group_meeting(steering, date(2026, 1, 5), self.leo, agenda="Januars punkter")
        newer = make_group_meeting(steering, date(2026, 4, 5), self.leo, agenda="Aprils punkter")
        FollowUp.objects.create(
            municipality=self.nordby,
            group_meeting=newer,
            text="Punkt",
            owner=self.leo,
            due_on=date(2026, 5, 1),
        )
        self.login(self.ada)
        r = self.client.get(steering.get_absolute_url())
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.context["meetings"], [newer, older])
        self.assertEqual(r.context["meetings"][0].open_follow_ups, 1)
        self.assertContains(r, "Leo Testesen")
        self.assertContains(r, "Aprils punkter")
        self.assertContains(r, reverse("implementation:meeting_create", args=[steering.code]))
        self.assertContains(r, reverse("implementation:group_edit", args=[steering.code]))

    def test_it_pages_the_meetings(self) -> None:
        steering = make_group(self.nordby, "steering")
        first = date(2024, 1, 1)
        for n in range(25):
            make_group_meeting(steering, first + timedelta(days=30 * n), self.leo)
        self.login(self.leo)
        r = self.client.get(steering.get_absolute_url())
        self.assertEqual(len(r.context["meetings"]), 20)
        self.assertEqual(r.context["meetings"][0].held_on, first + timedelta(days=30 * 24))
        self.assertContains(r, "Side 1 af 2")
        self.assertContains(r, 'href="?page=2"')
        r = self.client.get(steering.get_absolute_url(), {"page": "2"})
        self.assertEqual([m.held_on for m in r.context["meetings"]][-1], first)

    def test_it_says_when_a_group_has_no_meetings_or_members(self) -> None:
        training = make_group(self.nordby, "training")
        self.login(self.leo)
        r = self.client.get(training.get_absolute_url())
        self.assertContains(r, "Gruppen har ingen medlemmer endnu.")
        self.assertContains(r, "Gruppen har ikke holdt møde endnu. Den mødes 3-4 gange om året.")

    # Access.

    def test_it_is_for_leaders_and_administrators(self) -> None:
        """T2: Alice (a caseworker) gets 403, logged by the policy; nothing is made."""
        steering = make_group(self.nordby, "steering")
        self.login(self.alice)
        for url in [URL, steering.get_absolute_url()]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(AccessEvent.objects.filter(action="denied", user=self.alice).count(), 2)
        self.assertEqual(Group.objects.count(), 1)

    def test_it_is_404_for_another_municipalitys_group(self) -> None:
        """T1: Bea (Sydby's leader) and Bo (its administrator) get 404 for Nordby's group, each
        attempt logged as a denial; Sydby's overview shows only Sydby's groups."""
        steering = make_group(self.nordby, "steering", name="Nordbys styregruppe")
        for user in [self.bea, self.bo]:
            with self.subTest(user=user.username):
                self.login(user)
                r = self.client.get(steering.get_absolute_url())
                self.assertEqual(r.status_code, 404)
                self.assertTrue(
                    AccessEvent.objects.filter(
                        action="denied", user=user, criterion__contains=str(steering.code)
                    ).exists()
                )
        r = self.client.get(URL)
        self.assertNotContains(r, "Nordbys styregruppe")
        self.assertEqual({row.group.municipality_id for row in r.context["rows"]}, {self.sydby.pk})

    # Query counts (house style rule 26).

    # Expect 7 queries for the overview, whatever the number of members, meetings and items:
    #   1 session, 2 user, 3 OTP device, 4 memberships (MembershipMiddleware),
    #   5 the groups, each with its last and next meeting (date and code) as subqueries,
    #   6 the groups' members (prefetch),
    #   7 the open follow-up items with their owner, meeting and group.
    OVERVIEW_QUERIES = 7

    def add_rows(self, n: int) -> None:
        groups = list(Group.objects.filter(municipality=self.nordby))
        staff = [self.leo, self.ada, self.alice, self.anna]
        for group in groups:
            group.members.set(staff[: 1 + n % len(staff)])
            for day in range(n):
                meeting = make_group_meeting(
                    group, date(2025, 1, 1) + timedelta(days=day), self.leo
                )
                FollowUp.objects.create(
                    municipality=self.nordby,
                    group_meeting=meeting,
                    text=f"Punkt {day}",
                    owner=self.leo,
                    due_on=date(2030, 1, 1),
                )

    def test_it_shows_the_overview_in_constant_queries(self) -> None:
        self.login(self.leo)
        self.client.get(URL)  # the first visit makes the groups and saves the session's clock
        for n in [1, 8]:
            self.add_rows(n)
            self.prime_session()
            with self.subTest(rows=n), self.assertNumQueries(self.OVERVIEW_QUERIES):
                r = self.client.get(URL)
            self.assertEqual(r.status_code, 200)
        self.assertEqual(len(r.context["follow_ups"]), 3 * 9)

    # Expect 8 queries for a group's page, whatever the number of members and meetings:
    #   1 session, 2 user, 3 OTP device, 4 memberships,
    #   5 the group (access), 6 the page's count of meetings,
    #   7 the page of meetings with their open follow-up items counted, 8 the members.
    GROUP_QUERIES = 8

    def test_it_shows_a_group_in_constant_queries(self) -> None:
        self.login(self.leo)
        self.client.get(URL)
        steering = self.groups_of(self.nordby)["steering"]
        for n in [1, 8]:
            self.add_rows(n)
            self.prime_session()
            with self.subTest(rows=n), self.assertNumQueries(self.GROUP_QUERIES):
                r = self.client.get(steering.get_absolute_url())
            self.assertEqual(r.status_code, 200)
        self.assertEqual(len(r.context["meetings"]), 9)
