from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import time_machine
from django.urls import reverse
from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.children.models import Case, Measure
from inddrag.test import BaseTestCase, make_case, make_measure

VALID = {
    "kind": "preventive",
    "description": "Familiebehandling hver anden uge.",
    "started_on": "2024-02-01",
    "ended_on": "",
}


class MeasuresTestCase(BaseTestCase):
    """The measures of a case: add and edit, with the rules of barnets lov (item 1 of issue 4).
    Asta (Case A) was born on 5 March 2012."""

    def setUp(self) -> None:
        self.measure = make_measure(self.case_a, description="Støtteperson")
        self.other_case_measure = make_measure(self.case_a2)
        self.sydby_measure = make_measure(self.case_b)
        self.add_url = reverse("children:measure_add", args=[self.case_a.code])
        self.edit_url = self.edit_url_of(self.measure)

    def edit_url_of(self, measure: Measure) -> str:
        return reverse("children:measure_edit", args=[measure.case.code, measure.code])

    def rows(self) -> list[Any]:
        return list(Measure.objects.order_by("pk").values())

    def writes(self) -> int:
        return AccessEvent.objects.filter(action__in=["create", "update"]).count()

    def assert_rejected(self, url: str, data: dict[str, str], message: str) -> None:
        before = self.rows()
        r = self.client.post(url, data)
        self.assertContains(r, message)
        self.assertContains(r, 'aria-invalid="true"')
        self.assertNotContains(r, "<script>alert")
        self.assertEqual(self.rows(), before)
        self.assertEqual(self.writes(), 0)

    def test_it_shows_the_add_form_and_logs_the_read(self) -> None:
        """T5: the form names the child, so the read is logged."""
        self.login(self.alice)
        r = self.client.get(self.add_url)
        self.assertContains(r, "Ny indsats")
        self.assertContains(r, "Asta")
        event = AccessEvent.objects.get(action="read")
        self.assertEqual((event.user, event.child), (self.alice, self.case_a.child))

    def test_it_adds_a_measure(self) -> None:
        """T5: the measure and its access event are written together."""
        self.login(self.alice)
        r = self.client.post(self.add_url, {**VALID, "ended_on": "2024-08-31"})
        self.assertRedirects(r, self.case_a.get_absolute_url(), fetch_redirect_response=False)
        measure = Measure.objects.get(description="Familiebehandling hver anden uge.")
        self.assertEqual(
            (measure.case, measure.municipality, measure.kind),
            (self.case_a, self.nordby, "preventive"),
        )
        self.assertEqual(
            (measure.started_on, measure.ended_on), (date(2024, 2, 1), date(2024, 8, 31))
        )
        event = AccessEvent.objects.get(action="create")
        self.assertEqual(
            (event.user, event.child, event.object_type, event.object_code),
            (self.alice, self.case_a.child, "Measure", str(measure.code)),
        )

    def test_it_edits_a_measure(self) -> None:
        """T5: giving a measure its end date is an update with its access event."""
        self.login(self.alice)
        r = self.client.get(self.edit_url)
        self.assertContains(r, 'value="2024-02-01"')
        self.assertContains(r, "Støtteperson")
        r = self.client.post(self.edit_url, {**VALID, "ended_on": "2025-01-31"})
        self.assertRedirects(r, self.case_a.get_absolute_url(), fetch_redirect_response=False)
        self.measure.refresh_from_db()
        self.assertEqual(self.measure.ended_on, date(2025, 1, 31))
        event = AccessEvent.objects.get(action="update")
        self.assertEqual(
            (event.user, event.child, event.object_code),
            (self.alice, self.case_a.child, str(self.measure.code)),
        )

    def test_it_rejects_bad_input_and_saves_nothing(self) -> None:
        """T13, T15: empty, too long, wrong types, dates in the future or before the birth,
        markup: a Danish field message each, nothing saved, nothing echoed unescaped."""
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        cases = [
            ({"kind": ""}, "Vælg hvilken indsats barnet får."),
            ({"kind": "prison"}, "Vælg en af indsatserne på listen."),
            ({"started_on": ""}, "Skriv en dato."),
            ({"started_on": "1. februar"}, "Skriv en gyldig dato"),
            ({"started_on": "2024-13-01"}, "Skriv en gyldig dato"),
            ({"started_on": "<script>alert(1)</script>"}, "Skriv en gyldig dato"),
            ({"started_on": tomorrow}, "Datoen må ikke ligge i fremtiden."),
            ({"started_on": "2012-03-04"}, "Datoen må ikke ligge før barnets fødsel."),
            ({"ended_on": "2024-01-31"}, "Slutdatoen må ikke ligge før startdatoen."),
            ({"ended_on": "2011-01-01"}, "Datoen må ikke ligge før barnets fødsel."),
            ({"ended_on": "2035-03-06"}, "Slutdatoen må ikke ligge efter, at den unge fylder 23"),
            ({"ended_on": "31-02-2025"}, "Skriv en gyldig dato"),
            ({"description": "x" * 501}, "Skriv højst 500 tegn"),
            ({"description": "<script>alert(1)</script>"}, "Skriv teksten uden HTML-koder"),
            ({"kind": "aftercare"}, "På startdatoen er den unge 11 år."),
        ]
        self.login(self.alice)
        for change, message in cases:
            for url in [self.add_url, self.edit_url]:
                with self.subTest(change=change, url=url):
                    self.assert_rejected(url, {**VALID, **change}, message)

    def test_it_accepts_the_edges(self) -> None:
        """The day of birth, today, and an end on the 23rd birthday are all allowed."""
        today = timezone.localdate().isoformat()
        self.login(self.alice)
        for started_on, ended_on in [
            ("2012-03-05", "2012-03-05"),
            (today, ""),
            ("2024-02-01", "2035-03-05"),
        ]:
            with self.subTest(started_on=started_on, ended_on=ended_on):
                data = {**VALID, "started_on": started_on, "ended_on": ended_on}
                r = self.client.post(self.add_url, data)
                self.assertEqual(r.status_code, 302)
        self.assertEqual(self.case_a.measures.count(), 4)

    def test_it_allows_aftercare_from_18_to_23_only(self) -> None:
        """Efterværn (barnets lov § 114) is for young people aged 18 to 22 on the start date."""
        young = make_case(self.vest, self.alice, first_name="Yrsa", birth_date=date(2004, 6, 1))
        older = make_case(self.vest, self.alice, first_name="Ulf", birth_date=date(2001, 1, 1))
        url = reverse("children:measure_add", args=[young.code])
        with time_machine.travel(datetime(2027, 6, 15, 12, tzinfo=UTC), tick=False):
            self.login(self.alice)
            data = {**VALID, "kind": "aftercare", "started_on": "2022-05-31"}
            self.assert_rejected(url, data, "På startdatoen er den unge 17 år.")
            data = {**VALID, "kind": "aftercare", "started_on": "2024-01-01"}
            older_url = reverse("children:measure_add", args=[older.code])
            self.assert_rejected(older_url, data, "På startdatoen er den unge 23 år.")
            for started_on in ["2022-06-01", "2027-05-31"]:
                with self.subTest(started_on=started_on):
                    data = {**VALID, "kind": "aftercare", "started_on": started_on}
                    self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(young.measures.filter(kind="aftercare").count(), 2)

    def add_placement(self, kind: str, started_on: str, ended_on: str = "") -> Any:
        data = {**VALID, "kind": kind, "started_on": started_on, "ended_on": ended_on}
        return self.client.post(self.add_url, data)

    def test_it_refuses_overlapping_placements(self) -> None:
        """A child is placed in one place at a time: a placement may not overlap another placement
        of the case; periods that only touch (a move on the day) are fine."""
        make_measure(self.case_a, kind="foster_care", started_on=date(2024, 2, 1))
        self.login(self.alice)
        before = self.rows()
        for kind, started_on, ended_on in [
            ("institution", "2024-06-01", ""),
            ("network_care", "2023-01-01", "2024-03-01"),
            ("foster_care", "2023-01-01", ""),
        ]:
            with self.subTest(kind=kind, started_on=started_on, ended_on=ended_on):
                r = self.add_placement(kind, started_on, ended_on)
                self.assertContains(r, "Barnet er allerede anbragt i den periode")
                self.assertContains(r, "Anbringelse i plejefamilie fra 1. februar 2024.")
                self.assertContains(r, "Giv den anbringelse en slutdato først.")
        self.assertEqual(self.rows(), before)
        self.assertEqual(self.writes(), 0)
        # Support besides a placement is no placement; a placement that ends the day it starts.
        self.assertEqual(self.add_placement("preventive", "2024-06-01").status_code, 302)
        self.assertEqual(
            self.add_placement("institution", "2023-01-01", "2024-02-01").status_code, 302
        )

    def test_it_names_the_period_of_a_closed_placement(self) -> None:
        make_measure(
            self.case_a, kind="foster_care", started_on=date(2024, 2, 1), ended_on=date(2024, 5, 1)
        )
        self.login(self.alice)
        r = self.add_placement("institution", "2024-04-01")
        self.assertContains(r, "Anbringelse i plejefamilie fra 1. februar 2024 til 1. maj 2024.")
        self.assertEqual(self.add_placement("institution", "2024-05-01").status_code, 302)

    def test_it_checks_overlaps_on_edit_without_counting_the_measure_itself(self) -> None:
        placement = make_measure(self.case_a, kind="foster_care", started_on=date(2024, 2, 1))
        self.login(self.alice)
        data = {**VALID, "kind": "foster_care", "started_on": "2024-03-01"}
        r = self.client.post(self.edit_url_of(placement), data)
        self.assertEqual(r.status_code, 302)
        placement.refresh_from_db()
        self.assertEqual(placement.started_on, date(2024, 3, 1))
        # The preventive measure turned into a second placement at the same time: refused.
        data = {**VALID, "kind": "institution", "started_on": "2024-04-01"}
        self.assert_rejected_edit(data)

    def assert_rejected_edit(self, data: dict[str, str]) -> None:
        before = self.rows()
        writes = self.writes()
        r = self.client.post(self.edit_url, data)
        self.assertContains(r, "Barnet er allerede anbragt i den periode")
        self.assertEqual(self.rows(), before)
        self.assertEqual(self.writes(), writes)

    def urls_of(self, case: Case, measure: Measure) -> list[str]:
        return [
            reverse("children:measure_add", args=[case.code]),
            reverse("children:measure_edit", args=[case.code, measure.code]),
        ]

    def assert_refused(self, urls: list[str], status: int) -> None:
        before = self.rows()
        for url in urls:
            for method in ["get", "post"]:
                with self.subTest(url=url, method=method):
                    data = VALID if method == "post" else None
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
        self.assert_refused(self.urls_of(self.case_a, self.measure), 404)
        self.login(self.alice)
        self.assert_refused(self.urls_of(self.case_b, self.sydby_measure), 404)
        self.assert_refused(self.urls_of(self.case_a, self.sydby_measure)[1:], 404)

    def test_it_is_404_for_a_measure_of_another_case_in_the_municipality(self) -> None:
        """T3: Alice's own case in the URL does not open a measure of Anna's case."""
        self.login(self.alice)
        self.assert_refused(self.urls_of(self.case_a, self.other_case_measure)[1:], 404)
        self.assert_refused(self.urls_of(self.case_a2, self.other_case_measure), 404)

    def test_it_is_403_for_the_leader(self) -> None:
        """T2: Leo reads Case A's measures on the case page but changes none."""
        self.login(self.leo)
        self.assert_refused(self.urls_of(self.case_a, self.measure), 403)

    def test_it_is_403_for_the_administrator(self) -> None:
        self.login(self.ada)
        self.assert_refused(self.urls_of(self.case_a, self.measure), 403)

    def prime_session(self) -> None:
        """As if just seen: SessionTimeoutMiddleware saves the idle clock at most once a
        minute, and that save is not what is counted here."""
        session = self.client.session
        session["last_seen"] = session["auth_started"] = time.time()
        session.save()

    def test_it_runs_a_constant_number_of_queries(self) -> None:
        """Rule 26: the pages cost the same with 1 or 12 measures on the case."""
        self.login(self.alice)
        data = {**VALID, "kind": "institution", "started_on": "2024-02-01"}
        for extra in [0, 11]:
            for n in range(extra):
                make_measure(
                    self.case_a,
                    kind="foster_care",
                    started_on=date(2013, 1, 1 + n),
                    ended_on=date(2013, 1, 2 + n),
                )
            self.prime_session()
            # Expect 11 queries for the edit form: 1 session, 2 user, 3 second factor,
            # 4 memberships, 5 the case (with child, unit, municipality), 6 the measure,
            # 7 SAVEPOINT, 8 lock the chain head, 9 insert the read event, 10 move the head,
            # 11 RELEASE SAVEPOINT.
            with self.assertNumQueries(11):
                self.client.get(self.edit_url)
            # Expect 17 to save a placement: 1–6 as above, 7 SAVEPOINT (the service's
            # transaction), 8 lock the case, 9 lock the measure, 10 the first overlapping
            # placement (none), 11 update the measure, 12–16 the update event
            # (in its savepoint), 17 RELEASE.
            with self.assertNumQueries(17):
                r = self.client.post(self.edit_url, data)
            self.assertEqual(r.status_code, 302)
