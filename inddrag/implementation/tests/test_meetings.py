"""Meetings of an implementation group: create one (date, agenda, decisions; T20), the meeting
page and its editing (T19), follow-up items with an owner among the group's members and a date
that has not passed, and marking an item done (its owner or a leader)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime
from typing import Any

import time_machine
from django.urls import reverse

from inddrag.accounts.models import User
from inddrag.audit.models import AccessEvent
from inddrag.implementation import services
from inddrag.implementation.models import Group, GroupMeeting
from inddrag.implementation.tests.helpers import make_group, make_group_meeting
from inddrag.municipalities.models import Membership
from inddrag.reflection.models import FollowUp
from inddrag.test import BaseTestCase

NOON = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # 1 June 2026 in Copenhagen
TODAY = date(2026, 6, 1)


@time_machine.travel(NOON, tick=False)
class GroupMeetingsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.group = make_group(self.nordby, Group.Kind.STEERING)
        self.group.members.set([self.leo, self.ada, self.alice])
        self.create_url = reverse("implementation:meeting_create", args=[self.group.code])
        self.meeting = make_group_meeting(
            self.group,
            date(2026, 5, 20),
            self.leo,
            agenda="1. Status\n2. Temadag",
            decisions="Temadag i september.",
        )
        self.url = self.meeting.get_absolute_url()

    def new_meeting(self, **fields: Any) -> dict[str, Any]:
        data = {
            "held_on": "2026-06-10",
            "agenda": "1. Børnesamtaler i alle teams\n2. Næste kvartal",
            "decisions": "",
            "submit_token": str(uuid.uuid4()),
        }
        data.update(fields)
        return data

    def edit(self, **fields: Any) -> dict[str, Any]:
        data = {
            "action": "edit",
            "held_on": "2026-05-20",
            "agenda": "1. Status\n2. Temadag\n3. Eventuelt",
            "decisions": "Temadag i oktober.",
            "version": "1",
        }
        data.update(fields)
        return data

    def follow_up(self, owner: User, **fields: Any) -> dict[str, Any]:
        data = {
            "action": "follow_up",
            "follow_up-text": "Planlæg temadag om børnesamtalen",
            "follow_up-owner": str(owner.code),
            "follow_up-due_on": "2026-09-01",
        }
        data.update(fields)
        return data

    def make_follow_up(self, owner: User, text: str = "Send referatet") -> FollowUp:
        return FollowUp.objects.create(
            municipality=self.nordby,
            group_meeting=self.meeting,
            text=text,
            owner=owner,
            due_on=date(2026, 6, 15),
        )

    # Creating a meeting.

    def test_it_shows_the_form_with_a_token(self) -> None:
        self.login(self.leo)
        r = self.client.get(self.create_url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Nyt møde i Styregruppe")
        self.assertContains(r, 'name="submit_token"')
        self.assertContains(r, 'value="2026-06-01"')  # today, to start from

    def test_it_creates_a_meeting(self) -> None:
        self.login(self.ada)
        r = self.client.post(self.create_url, self.new_meeting(decisions="Alle teams er med."))
        meeting = GroupMeeting.objects.latest("pk")
        self.assertRedirects(r, meeting.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(
            (meeting.group, meeting.held_on, meeting.created_by, meeting.version),
            (self.group, date(2026, 6, 10), self.ada, 1),
        )
        self.assertEqual(meeting.agenda, "1. Børnesamtaler i alle teams\n2. Næste kvartal")
        self.assertEqual(meeting.decisions, "Alle teams er med.")
        event = AccessEvent.objects.get(action="create")
        self.assertEqual(
            (event.user, event.object_type, event.object_code, event.child),
            (self.ada, "GroupMeeting", str(meeting.code), None),
        )

    def test_it_creates_one_meeting_for_a_form_sent_twice(self) -> None:
        """T20: the same form (the same token) sent three times makes one meeting, and every
        answer leads to it."""
        self.login(self.leo)
        data = self.new_meeting()
        answers = [self.client.post(self.create_url, data) for _ in range(3)]
        meeting = GroupMeeting.objects.get(submit_token=data["submit_token"])
        for r in answers:
            self.assertRedirects(r, meeting.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(GroupMeeting.objects.count(), 2)
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 1)

    def test_it_refuses_a_token_from_another_group(self) -> None:
        """The service does not hand back another group's meeting for a copied token."""
        self.login(self.leo)
        data = self.new_meeting()
        self.client.post(self.create_url, data)
        other = make_group(self.nordby, Group.Kind.TRAINING)
        r = self.client.post(reverse("implementation:meeting_create", args=[other.code]), data)
        self.assertEqual(r.status_code, 400)
        self.assertFalse(GroupMeeting.objects.filter(group=other).exists())

    def test_it_requires_an_agenda_and_a_real_date(self) -> None:
        self.login(self.leo)
        cases = [
            ({"agenda": "  "}, "Skriv dagsordenen for mødet."),
            ({"held_on": ""}, "Skriv datoen for mødet."),
            ({"held_on": "2026-02-30"}, "Skriv en rigtig dato."),
            ({"held_on": "2028-06-02"}, "Et møde kan højst planlægges to år frem."),
            ({"held_on": "2021-05-31"}, "Et møde kan højst ligge fem år tilbage."),
            ({"agenda": "<script>alert(1)</script>"}, "Skriv teksten uden HTML-koder"),
            ({"agenda": "x" * 10001}, "10000"),
        ]
        for fields, message in cases:
            with self.subTest(fields=str(fields)[:40]):
                r = self.client.post(self.create_url, self.new_meeting(**fields))
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, "Mødet er ikke gemt")
                self.assertContains(r, message)
        self.assertEqual(GroupMeeting.objects.count(), 1)

    def test_it_refuses_an_incomplete_form(self) -> None:
        self.login(self.leo)
        r = self.client.post(self.create_url, self.new_meeting(submit_token=""))
        self.assertContains(r, "Formularen er ikke komplet.")
        self.assertEqual(GroupMeeting.objects.count(), 1)

    # The meeting page.

    def test_it_shows_the_meeting(self) -> None:
        self.make_follow_up(self.alice, "Send referatet til direktionen")
        self.login(self.leo)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Styregruppe: møde 20. maj 2026")
        self.assertContains(r, "<p>1. Status<br>2. Temadag</p>", html=True)
        self.assertContains(r, "Temadag i september.")
        self.assertContains(r, "Send referatet til direktionen")
        self.assertContains(r, "Ansvarlig: Alice Testesen")
        self.assertContains(r, "Frist: 15. juni 2026.")
        self.assertContains(r, f'href="{self.url}?rediger=1"')
        # Only group members who are staff can own an item: Leo, Ada and Alice; not Anna.
        owners = r.context["follow_up_form"].fields["owner"].queryset
        self.assertEqual(set(owners), {self.leo, self.ada, self.alice})

    def test_it_says_when_there_are_no_follow_up_items_or_members(self) -> None:
        self.group.members.clear()
        self.login(self.leo)
        r = self.client.get(self.url)
        self.assertContains(r, "Mødet har ingen opfølgningspunkter endnu.")
        self.assertContains(r, "gruppen har ingen endnu.")
        self.assertContains(r, reverse("implementation:group_edit", args=[self.group.code]))
        self.assertNotContains(r, 'name="follow_up-text"')

    # Editing the meeting (T19).

    def test_it_shows_the_meeting_in_a_form(self) -> None:
        self.login(self.ada)
        r = self.client.get(self.url, {"rediger": "1"})
        self.assertContains(r, "Ret mødet")
        self.assertContains(r, 'name="version" value="1"', html=False)
        self.assertContains(r, "Temadag i september.</textarea>", html=False)

    def test_it_saves_the_meeting(self) -> None:
        self.login(self.ada)
        r = self.client.post(self.url, self.edit())
        self.assertRedirects(r, self.url, fetch_redirect_response=False)
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.decisions, "Temadag i oktober.")
        self.assertEqual(self.meeting.agenda, "1. Status\n2. Temadag\n3. Eventuelt")
        self.assertEqual(self.meeting.version, 2)
        event = AccessEvent.objects.get(action="update")
        self.assertEqual((event.user, event.object_code), (self.ada, str(self.meeting.code)))

    def test_it_keeps_the_editors_text_on_a_conflict(self) -> None:
        """T19: Leo saved version 1 first; Ada, who loaded version 1 too, gets 409 with the saved
        meeting next to her own text, which is not lost; saving again then wins knowingly."""
        self.login(self.leo)
        self.client.post(self.url, self.edit(decisions="Leos beslutning."))
        self.login(self.ada)
        r = self.client.post(self.url, self.edit(decisions="Adas beslutning."))
        self.assertEqual(r.status_code, 409)
        self.assertContains(r, "Din udgave er ikke gemt endnu", status_code=409)
        self.assertContains(r, "Leos beslutning.", status_code=409)
        self.assertContains(r, "Adas beslutning.</textarea>", status_code=409, html=False)
        self.assertContains(r, 'name="version" value="2"', status_code=409, html=False)
        self.meeting.refresh_from_db()
        self.assertEqual((self.meeting.decisions, self.meeting.version), ("Leos beslutning.", 2))
        r = self.client.post(self.url, self.edit(decisions="Adas beslutning.", version="2"))
        self.assertRedirects(r, self.url, fetch_redirect_response=False)
        self.meeting.refresh_from_db()
        self.assertEqual((self.meeting.decisions, self.meeting.version), ("Adas beslutning.", 3))

    def test_it_is_no_conflict_to_send_the_same_text_twice(self) -> None:
        self.login(self.leo)
        self.client.post(self.url, self.edit())
        r = self.client.post(self.url, self.edit())
        self.assertRedirects(r, self.url, fetch_redirect_response=False)
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.version, 2)

    def test_the_service_raises_on_a_stale_version(self) -> None:
        membership = Membership.objects.get(user=self.leo)
        fields: dict[str, Any] = {"held_on": TODAY, "agenda": "Ny", "decisions": ""}
        services.update_meeting(
            self.meeting, by=self.leo, membership=membership, version=1, **fields
        )
        with self.assertRaises(services.MeetingConflict):
            services.update_meeting(
                self.meeting, by=self.leo, membership=membership, version=1, **fields
            )
        self.assertEqual(GroupMeeting.objects.get(pk=self.meeting.pk).version, 2)

    def test_it_validates_an_edit(self) -> None:
        self.login(self.leo)
        r = self.client.post(self.url, self.edit(agenda=""))
        self.assertContains(r, "Skriv dagsordenen for mødet.")
        r = self.client.post(self.url, self.edit(version="x"))
        self.assertContains(r, "Formularen er ikke komplet.")
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.version, 1)

    def test_it_refuses_an_unknown_action(self) -> None:
        self.login(self.leo)
        self.assertEqual(self.client.post(self.url, {"action": "delete"}).status_code, 400)

    # Follow-up items.

    def test_it_adds_a_follow_up_item(self) -> None:
        self.login(self.leo)
        r = self.client.post(self.url, self.follow_up(self.alice))
        self.assertRedirects(r, f"{self.url}#opfoelgning", fetch_redirect_response=False)
        item = FollowUp.objects.get()
        self.assertEqual(
            (item.group_meeting, item.session, item.owner, item.due_on, item.municipality),
            (self.meeting, None, self.alice, date(2026, 9, 1), self.nordby),
        )
        self.assertEqual(item.text, "Planlæg temadag om børnesamtalen")
        event = AccessEvent.objects.get(action="create")
        self.assertEqual((event.object_type, event.object_code), ("FollowUp", str(item.code)))

    def test_it_adds_the_same_item_once(self) -> None:
        """T20: the same item sent twice (a double click) is one item."""
        self.login(self.leo)
        self.client.post(self.url, self.follow_up(self.alice))
        self.client.post(self.url, self.follow_up(self.alice))
        self.assertEqual(FollowUp.objects.count(), 1)
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 1)

    def test_it_requires_an_owner_among_the_members_and_a_date_not_past(self) -> None:
        self.login(self.leo)
        cases = [
            (self.follow_up(self.anna), "Vælg en ansvarlig blandt gruppens medlemmer."),
            (self.follow_up(self.bea), "Vælg en ansvarlig blandt gruppens medlemmer."),
            (
                self.follow_up(self.alice, **{"follow_up-due_on": "2026-05-31"}),
                "Fristen er overskredet. Vælg i dag eller en senere dag.",
            ),
            (self.follow_up(self.alice, **{"follow_up-due_on": ""}), "Skriv en frist."),
            (self.follow_up(self.alice, **{"follow_up-text": ""}), "Skriv, hvad der er aftalt."),
            (
                self.follow_up(self.alice, **{"follow_up-text": "<b>Vigtigt</b>"}),
                "Skriv teksten uden HTML-koder",
            ),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                r = self.client.post(self.url, data)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, "Opfølgningspunktet er ikke gemt")
                self.assertContains(r, message)
        # Today is not in the past.
        r = self.client.post(
            self.url, self.follow_up(self.alice, **{"follow_up-due_on": "2026-06-01"})
        )
        self.assertEqual(r.status_code, 302)
        self.assertEqual(FollowUp.objects.get().due_on, TODAY)

    def test_the_service_refuses_an_owner_outside_the_group(self) -> None:
        membership = Membership.objects.get(user=self.leo)
        for owner in [self.anna, self.bea]:
            with self.subTest(owner=owner.username), self.assertRaises(services.NotStaff):
                services.add_follow_up(
                    self.meeting,
                    by=self.leo,
                    membership=membership,
                    text="Punkt",
                    owner=owner,
                    due_on=TODAY,
                )
        # A member who left the municipality cannot own a new item either.
        Membership.objects.filter(user=self.alice).update(ended_at=NOON)
        with self.assertRaises(services.NotStaff):
            services.add_follow_up(
                self.meeting,
                by=self.leo,
                membership=membership,
                text="P",
                owner=self.alice,
                due_on=TODAY,
            )
        self.assertFalse(FollowUp.objects.exists())

    def test_the_owner_marks_an_item_done(self) -> None:
        """Ada, an administrator, owns the item and may mark it done."""
        item = self.make_follow_up(self.ada)
        self.login(self.ada)
        r = self.client.get(self.url)
        self.assertContains(r, "Markér som udført")
        r = self.client.post(self.url, {"action": "done", "follow_up": str(item.code)})
        self.assertRedirects(r, f"{self.url}#opfoelgning", fetch_redirect_response=False)
        item.refresh_from_db()
        self.assertEqual(item.done_at, NOON)
        event = AccessEvent.objects.get(action="update")
        self.assertEqual(
            (event.user, event.object_code, event.criterion), (self.ada, str(item.code), "done")
        )
        r = self.client.get(self.url)
        self.assertContains(r, "Udført 1. juni 2026.")
        self.assertNotContains(r, "Markér som udført")

    def test_a_leader_marks_anyones_item_done_once(self) -> None:
        item = self.make_follow_up(self.alice)
        self.login(self.leo)
        self.client.post(self.url, {"action": "done", "follow_up": str(item.code)})
        with time_machine.travel(datetime(2026, 6, 1, 10, 5, tzinfo=UTC), tick=False):
            r = self.client.post(
                self.url, {"action": "done", "follow_up": str(item.code)}, follow=True
            )
        self.assertContains(r, "Opfølgningspunktet var allerede markeret som udført.")
        item.refresh_from_db()
        self.assertEqual(item.done_at, NOON)  # the first time is kept
        self.assertEqual(AccessEvent.objects.filter(action="update").count(), 1)

    def test_an_administrator_may_not_mark_someone_elses_item_done(self) -> None:
        """Ada is neither the owner nor a leader: no button, and a crafted POST is a logged 403
        that changes nothing."""
        item = self.make_follow_up(self.alice)
        self.login(self.ada)
        self.assertNotContains(self.client.get(self.url), "Markér som udført")
        r = self.client.post(self.url, {"action": "done", "follow_up": str(item.code)})
        self.assertEqual(r.status_code, 403)
        item.refresh_from_db()
        self.assertIsNone(item.done_at)
        self.assertTrue(
            AccessEvent.objects.filter(
                action="denied", user=self.ada, criterion__contains=str(item.code)
            ).exists()
        )

    def test_it_is_404_to_mark_an_item_of_another_meeting(self) -> None:
        other = make_group_meeting(self.group, date(2026, 4, 1), self.leo)
        item = FollowUp.objects.create(
            municipality=self.nordby, group_meeting=other, text="P", owner=self.leo, due_on=TODAY
        )
        self.login(self.leo)
        r = self.client.post(self.url, {"action": "done", "follow_up": str(item.code)})
        self.assertEqual(r.status_code, 404)
        item.refresh_from_db()
        self.assertIsNone(item.done_at)

    # Access.

    def test_it_is_for_leaders_and_administrators(self) -> None:
        """T2: Alice, a caseworker (and a member of the group), gets 403, logged, and nothing
        changes."""
        item = self.make_follow_up(self.alice)
        self.login(self.alice)
        requests = [
            ("get", self.create_url, {}),
            ("post", self.create_url, self.new_meeting()),
            ("get", self.url, {}),
            ("post", self.url, self.edit()),
            ("post", self.url, {"action": "done", "follow_up": str(item.code)}),
        ]
        for method, url, data in requests:
            with self.subTest(method=method, url=url):
                self.assertEqual(getattr(self.client, method)(url, data).status_code, 403)
        self.assertEqual(AccessEvent.objects.filter(action="denied", user=self.alice).count(), 5)
        self.assertEqual(GroupMeeting.objects.count(), 1)
        self.meeting.refresh_from_db()
        item.refresh_from_db()
        self.assertEqual((self.meeting.version, item.done_at), (1, None))

    def test_it_is_404_for_another_municipality(self) -> None:
        """T1: Bea, Sydby's leader, gets 404 for Nordby's meeting and its group, on every
        route and method, each attempt logged as a denial; nothing changes."""
        item = self.make_follow_up(self.leo)
        self.login(self.bea)
        requests = [
            ("get", self.url, {}),
            ("post", self.url, self.edit()),
            ("post", self.url, self.follow_up(self.bea)),
            ("post", self.url, {"action": "done", "follow_up": str(item.code)}),
            ("get", self.create_url, {}),
            ("post", self.create_url, self.new_meeting()),
        ]
        for method, url, data in requests:
            with self.subTest(method=method, url=url):
                self.assertEqual(getattr(self.client, method)(url, data).status_code, 404)
        denied = AccessEvent.objects.filter(action="denied", user=self.bea)
        self.assertEqual(denied.count(), 6)
        self.assertTrue(denied.filter(criterion__contains=str(self.meeting.code)).exists())
        self.assertEqual(GroupMeeting.objects.count(), 1)
        self.assertEqual(FollowUp.objects.count(), 1)
        self.meeting.refresh_from_db()
        item.refresh_from_db()
        self.assertEqual((self.meeting.version, item.done_at), (1, None))

    # Query count (house style rule 26).

    # Expect 8 queries for the meeting page, whatever the number of follow-up items:
    #   1 session, 2 user, 3 OTP device, 4 memberships,
    #   5 the meeting with its group and author (access),
    #   6 the follow-up items with their owners,
    #   7 whether the group has members who may own an item,
    #   8 the owners to choose from (the form's select).
    MEETING_QUERIES = 8

    def test_it_shows_the_meeting_in_constant_queries(self) -> None:
        self.login(self.leo)
        self.client.get(self.url)
        for n in [1, 10]:
            for k in range(n):
                self.make_follow_up([self.leo, self.ada, self.alice][k % 3], f"Punkt {n}-{k}")
            session = self.client.session
            session["last_seen"] = session["auth_started"] = time.time()
            session.save()
            with self.subTest(items=n), self.assertNumQueries(self.MEETING_QUERIES):
                r = self.client.get(self.url)
            self.assertEqual(r.status_code, 200)
        self.assertEqual(len(r.context["items"]), 11)
