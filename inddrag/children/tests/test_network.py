from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.children.models import NetworkMember
from inddrag.test import BaseTestCase, make_network_member

VALID = {
    "kind": "custody_holder",
    "name": "Maria Fiktivsen",
    "relation": "Mor",
    "phone": "+45 12 34 56 78",
    "email": "maria@example.com",
    "note": "Ring efter kl. 16.",
}


class NetworkTestCase(BaseTestCase):
    """The child's network: add, edit and end a member (item 1 of issue 4)."""

    def setUp(self) -> None:
        self.member = make_network_member(self.case_a, name="Lars Fiktivsen", relation="Far")
        self.other_case_member = make_network_member(self.case_a2, name="Aksels mor")
        self.sydby_member = make_network_member(self.case_b, name="Bertrams far")
        self.add_url = reverse("children:network_add", args=[self.case_a.code])
        self.edit_url = reverse("children:network_edit", args=[self.case_a.code, self.member.code])
        self.end_url = reverse("children:network_end", args=[self.case_a.code, self.member.code])

    def rows(self) -> list[Any]:
        return list(NetworkMember.objects.order_by("pk").values())

    def writes(self) -> int:
        return AccessEvent.objects.filter(action__in=["create", "update"]).count()

    def test_it_shows_the_add_form_and_logs_the_read(self) -> None:
        """T5: the form names the child, so the read is logged."""
        self.login(self.alice)
        r = self.client.get(self.add_url)
        self.assertContains(r, "Tilføj til barnets netværk")
        self.assertContains(r, "Asta")
        event = AccessEvent.objects.get(action="read")
        self.assertEqual((event.user, event.child), (self.alice, self.case_a.child))

    def test_it_adds_a_member(self) -> None:
        """T5: the new member and its access event are written together."""
        self.login(self.alice)
        r = self.client.post(self.add_url, VALID)
        self.assertRedirects(r, self.case_a.get_absolute_url(), fetch_redirect_response=False)
        member = NetworkMember.objects.get(name="Maria Fiktivsen")
        self.assertEqual(member.child, self.case_a.child)
        self.assertEqual(member.municipality, self.nordby)
        self.assertEqual(
            (member.kind, member.relation, member.phone, member.email, member.note),
            ("custody_holder", "Mor", "+45 12 34 56 78", "maria@example.com", "Ring efter kl. 16."),
        )
        self.assertIsNone(member.ended_on)
        event = AccessEvent.objects.get(action="create")
        self.assertEqual(
            (event.user, event.child, event.object_type, event.object_code),
            (self.alice, self.case_a.child, "NetworkMember", str(member.code)),
        )

    def test_it_normalises_the_phone_number(self) -> None:
        self.login(self.alice)
        self.client.post(self.add_url, {**VALID, "phone": "  12  34 56 78 "})
        self.assertEqual(NetworkMember.objects.get(name="Maria Fiktivsen").phone, "12 34 56 78")

    def test_it_rejects_bad_input_and_saves_nothing(self) -> None:
        """T13, T15: every bad value gives a field message in Danish; nothing is saved; what was
        typed is shown back escaped."""
        cases = [
            ({"name": ""}, "Skriv personens eller stedets navn."),
            ({"name": "   "}, "Skriv personens eller stedets navn."),
            ({"name": "x" * 201}, "Skriv højst 200 tegn"),
            ({"relation": "x" * 101}, "Skriv højst 100 tegn"),
            ({"note": "x" * 501}, "Skriv højst 500 tegn"),
            ({"kind": ""}, "Vælg personens rolle i barnets netværk."),
            ({"kind": "king"}, "Vælg en af rollerne på listen."),
            ({"phone": "12 34 AB 78"}, "Telefonnummeret må kun indeholde cifre"),
            ({"phone": "12-34-56-78"}, "Telefonnummeret må kun indeholde cifre"),
            ({"phone": "1234 + 5678"}, "Telefonnummeret må kun indeholde cifre"),
            ({"phone": "1234"}, "Et telefonnummer har 8 til 15 cifre."),
            ({"phone": "1" * 16}, "Et telefonnummer har 8 til 15 cifre."),
            ({"email": "maria@"}, "Skriv en gyldig e-mailadresse"),
            ({"email": "<script>@example.com"}, "Skriv en gyldig e-mailadresse"),
            ({"name": "<script>alert(1)</script>"}, "Skriv teksten uden HTML-koder"),
            ({"note": 'Hej <img src=x onerror="alert(1)">'}, "Skriv teksten uden HTML-koder"),
            ({"relation": "</b>"}, "Skriv teksten uden HTML-koder"),
        ]
        self.login(self.alice)
        before = self.rows()
        for change, message in cases:
            with self.subTest(change=change):
                r = self.client.post(self.add_url, {**VALID, **change})
                self.assertContains(r, message)
                self.assertContains(r, 'aria-invalid="true"')
                self.assertNotContains(r, "<script>alert")
                self.assertNotContains(r, "<img src=x")
        self.assertEqual(self.rows(), before)
        self.assertEqual(self.writes(), 0)

    def test_it_edits_a_member(self) -> None:
        """T5: the change and its access event are written together."""
        self.login(self.alice)
        r = self.client.get(self.edit_url)
        self.assertContains(r, 'value="Lars Fiktivsen"')
        self.assertContains(r, 'value="Far"')
        r = self.client.post(self.edit_url, {**VALID, "name": "Lars F. Fiktivsen"})
        self.assertRedirects(r, self.case_a.get_absolute_url(), fetch_redirect_response=False)
        self.member.refresh_from_db()
        self.assertEqual((self.member.name, self.member.relation), ("Lars F. Fiktivsen", "Mor"))
        event = AccessEvent.objects.get(action="update")
        self.assertEqual(
            (event.user, event.child, event.object_code),
            (self.alice, self.case_a.child, str(self.member.code)),
        )

    def test_it_rejects_bad_input_on_edit(self) -> None:
        self.login(self.alice)
        before = self.rows()
        r = self.client.post(self.edit_url, {**VALID, "name": "", "email": "nope"})
        self.assertContains(r, "Skriv personens eller stedets navn.")
        self.assertContains(r, "Skriv en gyldig e-mailadresse")
        self.assertEqual(self.rows(), before)
        self.assertEqual(self.writes(), 0)

    def test_it_ends_a_member_without_deleting_it(self) -> None:
        """Ending is a dated mark with a confirmation, never a delete."""
        self.login(self.alice)
        r = self.client.get(self.end_url)
        self.assertContains(r, "Er Lars Fiktivsen ikke længere i barnets netværk?")
        self.assertContains(r, f'value="{timezone.localdate().isoformat()}"')
        self.assertEqual(NetworkMember.objects.get(pk=self.member.pk).ended_on, None)
        r = self.client.post(self.end_url, {"ended_on": "2025-03-01"})
        self.assertRedirects(r, self.case_a.get_absolute_url(), fetch_redirect_response=False)
        self.member.refresh_from_db()
        self.assertEqual(self.member.ended_on, date(2025, 3, 1))
        self.assertEqual(self.member.name, "Lars Fiktivsen")
        event = AccessEvent.objects.get(action="update")
        self.assertEqual(
            (event.child, event.object_code), (self.case_a.child, str(self.member.code))
        )

    def test_it_ends_a_member_only_once(self) -> None:
        self.member.ended_on = date(2025, 1, 1)
        self.member.save()
        self.login(self.alice)
        r = self.client.post(self.end_url, {"ended_on": "2025-03-01"}, follow=True)
        self.assertContains(r, "Lars Fiktivsen er allerede ude af netværket.")
        self.member.refresh_from_db()
        self.assertEqual(self.member.ended_on, date(2025, 1, 1))
        self.assertEqual(self.writes(), 0)

    def test_it_rejects_bad_end_dates(self) -> None:
        """Dates in the future, before the child's birth, or not dates at all."""
        tomorrow = timezone.localdate() + timedelta(days=1)
        cases = [
            ("", "Skriv en dato."),
            (tomorrow.isoformat(), "Datoen må ikke ligge i fremtiden."),
            ("2012-03-04", "Datoen må ikke ligge før barnets fødsel."),
            ("0001-01-01", "Datoen må ikke ligge før barnets fødsel."),
            ("i går", "Skriv en gyldig dato"),
            ("2025-02-30", "Skriv en gyldig dato"),
            ("<script>alert(1)</script>", "Skriv en gyldig dato"),
        ]
        self.login(self.alice)
        for value, message in cases:
            with self.subTest(value=value):
                r = self.client.post(self.end_url, {"ended_on": value})
                self.assertContains(r, message)
                self.assertNotContains(r, "<script>alert")
        self.member.refresh_from_db()
        self.assertIsNone(self.member.ended_on)
        self.assertEqual(self.writes(), 0)

    def test_it_accepts_the_day_of_birth(self) -> None:
        self.login(self.alice)
        self.client.post(self.end_url, {"ended_on": "2012-03-05"})
        self.member.refresh_from_db()
        self.assertEqual(self.member.ended_on, date(2012, 3, 5))

    def urls_of(self, case_code: Any, member_code: Any) -> list[str]:
        return [
            reverse("children:network_add", args=[case_code]),
            reverse("children:network_edit", args=[case_code, member_code]),
            reverse("children:network_end", args=[case_code, member_code]),
        ]

    def assert_refused(self, urls: list[str], status: int) -> None:
        before = self.rows()
        for url in urls:
            for method in ["get", "post"]:
                with self.subTest(url=url, method=method):
                    data = {**VALID, "ended_on": "2025-03-01"} if method == "post" else None
                    r = getattr(self.client, method)(url, data)
                    self.assertEqual(r.status_code, status)
                    self.assertNotContains(r, "Bertram", status_code=status)
                    denials = AccessEvent.objects.filter(
                        request_id=r["X-Request-ID"], action="denied"
                    )
                    self.assertEqual(denials.count(), 1)
        self.assertEqual(self.rows(), before)
        self.assertEqual(self.writes(), 0)
        self.assertFalse(AccessEvent.objects.filter(action="read").exists())

    def test_it_is_404_for_another_municipality(self) -> None:
        """T1: Bob of Sydby reaches nothing of Nordby's, and Alice nothing of Sydby's."""
        self.login(self.bob)
        self.assert_refused(self.urls_of(self.case_a.code, self.member.code), 404)
        self.login(self.alice)
        self.assert_refused(self.urls_of(self.case_b.code, self.sydby_member.code), 404)
        # Her own case with a Sydby member's code: still nothing.
        self.assert_refused(self.urls_of(self.case_a.code, self.sydby_member.code)[1:], 404)

    def test_it_is_404_for_a_member_of_another_case_in_the_municipality(self) -> None:
        """T3: Alice's own case in the URL does not open the network of Anna's child."""
        self.login(self.alice)
        self.assert_refused(self.urls_of(self.case_a.code, self.other_case_member.code)[1:], 404)
        self.assert_refused(self.urls_of(self.case_a2.code, self.other_case_member.code), 404)

    def test_it_is_403_for_the_leader(self) -> None:
        """T2: Leo reads Case A on the case page but writes nothing to the network."""
        self.login(self.leo)
        self.assert_refused(self.urls_of(self.case_a.code, self.member.code), 403)

    def test_it_is_403_for_the_administrator(self) -> None:
        """T2: Ada administers users, not case files."""
        self.login(self.ada)
        self.assert_refused(self.urls_of(self.case_a.code, self.member.code), 403)

    def prime_session(self) -> None:
        """As if just seen: SessionTimeoutMiddleware saves the idle clock at most once a
        minute, and that save is not what is counted here."""
        session = self.client.session
        session["last_seen"] = session["auth_started"] = time.time()
        session.save()

    def test_it_runs_a_constant_number_of_queries(self) -> None:
        """Rule 26: the pages cost the same with 1 or 12 people in the child's network."""
        self.login(self.alice)
        for extra in [0, 11]:
            for _ in range(extra):
                make_network_member(self.case_a)
            self.prime_session()
            # Expect 11 queries for the edit form: 1 session, 2 user, 3 second factor,
            # 4 memberships, 5 the case (with child, unit, municipality), 6 the member,
            # 7 SAVEPOINT, 8 lock the chain head, 9 insert the read event, 10 move the head,
            # 11 RELEASE SAVEPOINT.
            with self.assertNumQueries(11):
                self.client.get(self.edit_url)
            # Expect 15 to save: 1–6 as above, 7 SAVEPOINT (the service's transaction),
            # 8 lock the member, 9 update it, 10 SAVEPOINT, 11–13 the update event,
            # 14 RELEASE, 15 RELEASE.
            with self.assertNumQueries(15):
                self.client.post(self.edit_url, VALID)
            # Expect 10 for the add form: 1–5 as above, 6–10 the read event.
            with self.assertNumQueries(10):
                self.client.get(self.add_url)
