from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone
from django.utils.dateformat import format as format_date

from inddrag.accounts.models import User
from inddrag.audit.models import AccessEvent
from inddrag.children.caseload import date_formatter
from inddrag.children.models import Case
from inddrag.conversations.models import Meeting, MeetingPreparation
from inddrag.decisions.models import DueRules
from inddrag.plans.tests.helpers import approve_now, make_check_in, make_goal, make_plan
from inddrag.portal.models import ChildMessage
from inddrag.test import (
    BaseTestCase,
    make_case,
    make_child_message,
    make_conversation,
    make_decision,
    make_measure,
    make_meeting,
    make_member,
)

URL = "/sager/"
CPH = ZoneInfo("Europe/Copenhagen")


def ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def born(years: int, *, days: int = 0) -> date:
    """The birth date of a child who turned `years` old `days` days ago."""
    today = timezone.localdate()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # 29 February today
        birthday = today.replace(year=today.year - years, day=28)
    return birthday - timedelta(days=days)


class CaseListTestCase(BaseTestCase):
    """The caseload "Mine børn" (issue 4, items 4 and 7): each role's children (T1, T3), the
    involvement status on each row, sorting and filtering by GET links (with and without htmx),
    the search by POST with the criterion masked in the log (T5, T7), pagination, empty states,
    and a query count that does not grow with the children (house style rule 26)."""

    def prime_session(self) -> None:
        """Mark the session as just seen, so SessionTimeoutMiddleware does not save it during
        a counted request (it writes the idle clock at most once a minute)."""
        session = self.client.session
        session["last_seen"] = session["auth_started"] = time.time()
        session.save()

    def make_cases_for_alice(self, total: int) -> None:
        """Give Alice `total` open cases in Team Vest (Case A is the first)."""
        for _ in range(total - 1):
            make_case(self.vest, self.alice)

    def make_histories(self) -> None:
        """Every case of Team Vest gets a placement, two conversations with statements (one
        without staff present), a decision with and one without a heard child; from the child
        channel an answered "Jeg føler mig ikke tryg", an unanswered message and a coming
        meeting the child has prepared; from Barnets plan two check-ins on a goal."""
        now = timezone.now()
        for case in Case.objects.filter(unit=self.vest):
            make_child_message(
                case,
                kind=ChildMessage.Kind.UNSAFE,
                sent_at=now - timedelta(days=20),
                answer="Jeg ringer.",
                answered_at=now - timedelta(days=19),
                answered_by=self.alice,
            )
            make_child_message(case, sent_at=now - timedelta(days=10))
            meeting = make_meeting(case, self.alice)
            MeetingPreparation.objects.create(
                municipality_id=case.municipality_id,
                meeting=meeting,
                child_id=case.child_id,
                submitted_at=now,
            )
            make_measure(case, kind="foster_care", started_on=ago(400))
            make_measure(case, kind="preventive", started_on=ago(500), ended_on=ago(450))
            make_conversation(case, self.alice, "Jeg vil blive her.", held_on=ago(300))
            make_conversation(
                case, self.alice, "Her er rart.", held_on=ago(100), without_staff_present=True
            )
            make_decision(case, self.alice, decided_on=ago(90))
            make_decision(case, self.alice, decided_on=ago(80), child_heard=True)
            plan = make_plan(case, self.alice)
            goal = make_goal(plan)
            approve_now(plan, self.alice)
            make_check_in(plan, goal, rating=2, checked_in_at=now - timedelta(days=3))
            make_check_in(plan, goal, rating=5, checked_in_at=now - timedelta(days=1))

    def cases_on_page(self, response: Any) -> list[Case]:
        """The cases of the shown page, in order (the page holds CaseloadItems, not Cases)."""
        codes = [item.code for item in response.context["page"].object_list]
        cases = {case.code: case for case in Case.objects.filter(code__in=codes)}
        return [cases[code] for code in codes]

    def row_of(self, response: Any, case: Case) -> str:
        """The HTML of the case's row."""
        body = response.content.decode()
        match = re.search(
            rf'<tr[^>]*>\s*<th scope="row"><a href="{case.get_absolute_url()}".*?</tr>', body, re.S
        )
        self.assertIsNotNone(match, f"no row for {case}")
        assert match is not None
        return match.group(0)

    def only_event_of(self, response: Any) -> AccessEvent:
        events = list(AccessEvent.objects.filter(request_id=response["X-Request-ID"]))
        self.assertEqual(len(events), 1, events)
        return events[0]

    # Who sees which children (T1, T3).

    def test_it_shows_the_caseworker_only_her_assigned_children(self) -> None:
        """T3: a caseworker sees her active assignments, not her unit's other cases."""
        unassigned = make_case(self.vest, None, first_name="Ukendt")
        self.login(self.alice)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.cases_on_page(r), [self.case_a])
        self.assertContains(r, "<h1>Mine børn</h1>", html=True)
        self.assertContains(r, "<title>Mine børn · Inddrag</title>", html=True)
        self.assertContains(r, "Asta")
        self.assertNotContains(r, "Aksel")  # Anna's case in Team Øst (T3)
        self.assertNotContains(r, "Bertram")  # Sydby's case (T1)
        self.assertNotContains(r, unassigned.reference)  # in her unit, but not hers
        # A caseworker's list has no caseworker column.
        self.assertNotContains(r, '<th scope="col">Sagsbehandler</th>', html=True)

    def test_it_hides_a_case_whose_assignment_ended(self) -> None:
        """T3: handing a case over ends the former caseworker's access."""
        self.case_a.assignments.update(ended_at=datetime(2024, 6, 1, 8, 0, tzinfo=UTC))
        self.login(self.alice)
        r = self.client.get(URL)
        self.assertEqual(self.cases_on_page(r), [])

    def test_it_shows_the_leader_the_unit_children_with_caseworker_names(self) -> None:
        """T3: a leader sees the cases of the unit she leads, assigned or not, with status."""
        unassigned = make_case(self.vest, None, first_name="Ukendt", last_name="Aabensen")
        make_measure(unassigned, kind="institution", started_on=ago(100))
        self.login(self.leo)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.cases_on_page(r), [unassigned, self.case_a])  # overdue first
        self.assertContains(r, "<h1>Børn i Team Vest</h1>", html=True)
        self.assertContains(r, '<th scope="col">Sagsbehandler</th>', html=True)
        self.assertIn("<td>Alice Testesen</td>", self.row_of(r, self.case_a))
        self.assertIn("<td>Ingen</td>", self.row_of(r, unassigned))
        self.assertIn("Overskredet med 8 dage", self.row_of(r, unassigned))
        self.assertNotContains(r, "Aksel")  # Team Øst is not Leo's unit
        self.assertNotContains(r, "Bertram")

    def test_it_refuses_the_administrator(self) -> None:
        """T2: an administrator sees no children."""
        self.login(self.ada)
        self.assertEqual(self.client.get(URL).status_code, 403)

    # The involvement status on each row.

    def test_it_shows_the_involvement_status_on_the_row(self) -> None:
        make_measure(self.case_a, kind="foster_care", started_on=ago(100))
        make_conversation(self.case_a, self.alice, "Jeg savner min hund.", held_on=ago(120))
        make_decision(self.case_a, self.alice, decided_on=ago(50))
        make_decision(self.case_a, self.alice, decided_on=ago(40))
        make_decision(self.case_a, self.alice, decided_on=ago(30), child_heard=True)
        self.login(self.alice)
        r = self.client.get(URL)
        row = self.row_of(r, self.case_a)
        date_of = ago(120).strftime("%d.%m.%Y")
        due_on = (ago(100) + timedelta(92)).strftime("%d.%m.%Y")
        # Overdue in words, bold, with a shape: not by colour alone.
        self.assertIn('<tr class="row-overdue">', row)
        self.assertIn(
            '<strong class="status-overdue"><span class="status-icon" aria-hidden="true"></span>'
            "Overskredet med 8 dage</strong>",
            row,
        )
        self.assertIn(
            f'Første opfølgning på anbringelsen (§ 95)<span class="row-meta">{due_on}</span>', row
        )
        self.assertIn(f'120 dage siden<span class="row-meta">{date_of}</span>', row)
        self.assertIn(
            '<strong class="status-warning"><span class="status-icon" aria-hidden="true"></span>'
            "2</strong>",
            row,
        )
        self.assertIn(f"<td>{date_of}</td>", row)  # the latest statement
        self.assertIn("<td>Anbringelse i plejefamilie</td>", row)
        self.assertIn(f"<td>{self.case_a.reference}</td>", row)
        self.assertIn('<span class="row-meta">Partsrettigheder</span>', row)  # Asta is 14

    def test_it_counts_only_active_measures_and_follows_the_newest_placement(self) -> None:
        """A move to an institution starts its own § 95 follow-up; ended and future measures
        do not count."""
        make_measure(self.case_a, kind="foster_care", started_on=ago(700))
        make_measure(self.case_a, kind="institution", started_on=ago(10))
        make_measure(self.case_a, kind="preventive", started_on=ago(300), ended_on=ago(1))
        make_measure(self.case_a, kind="aftercare", started_on=ago(-1))
        make_conversation(self.case_a, self.alice, held_on=ago(20))
        self.login(self.alice)
        r = self.client.get(URL)
        row = self.row_of(r, self.case_a)
        due_on = (ago(10) + timedelta(92)).strftime("%d.%m.%Y")
        self.assertIn(
            f'Første opfølgning på anbringelsen (§ 95)<span class="row-meta">{due_on}', row
        )
        self.assertIn(
            "<td>Anbringelse i plejefamilie, Anbringelse på institution eller opholdssted</td>", row
        )
        self.assertNotIn("row-overdue", row)
        self.assertEqual(self.cases_on_page(self.client.get(URL, {"measure": "preventive"})), [])
        self.assertEqual(self.cases_on_page(self.client.get(URL, {"measure": "aftercare"})), [])
        r = self.client.get(URL, {"measure": "placement", "filter": "soon"})
        self.assertEqual(self.cases_on_page(r), [])  # the follow-up is 82 days away

    def test_it_shows_a_child_never_heard(self) -> None:
        self.login(self.alice)
        row = self.row_of(self.client.get(URL), self.case_a)
        self.assertIn("<td><strong>Ingen samtale</strong></td>", row)
        self.assertIn("<td>Ingen frist</td>", row)
        self.assertIn("<td>0</td>", row)
        self.assertIn("<td>–</td>", row)
        self.assertIn("<td>Ingen</td>", row)
        self.assertNotIn("row-overdue", row)

    def test_it_shows_party_rights_from_the_tenth_birthday(self) -> None:
        """§ 3: the row says so from the day the child turns 10."""
        ten = make_case(self.vest, self.alice, first_name="Tine", birth_date=born(10))
        nine = make_case(self.vest, self.alice, first_name="Nina", birth_date=born(10, days=-1))
        self.login(self.alice)
        r = self.client.get(URL)
        self.assertIn(
            '<td>10<span class="row-meta">Partsrettigheder</span></td>', self.row_of(r, ten)
        )
        self.assertIn("<td>9</td>", self.row_of(r, nine))

    def test_it_shows_the_ungeplan_as_not_tracked(self) -> None:
        """§§ 108–109 (and §§ 91–92): plans are shown with their date but not counted overdue."""
        youth = make_case(self.vest, self.alice, first_name="Ulla", birth_date=born(17))
        self.login(self.alice)
        r = self.client.get(URL)
        row = self.row_of(r, youth)
        self.assertIn("Ungeplan (§§ 108–109)", row)
        self.assertIn("følges ikke her endnu", row)
        self.assertNotIn("Overskredet", row)
        self.assertEqual(self.cases_on_page(self.client.get(URL, {"filter": "overdue"})), [])

    def test_it_uses_the_municipality_due_rules(self) -> None:
        make_measure(self.case_a, kind="foster_care", started_on=ago(100))
        DueRules.objects.create(municipality=self.nordby, placement_follow_up_days=120)
        self.login(self.alice)
        row = self.row_of(self.client.get(URL), self.case_a)
        self.assertNotIn("Overskredet", row)
        self.assertIn((ago(100) + timedelta(120)).strftime("%d.%m.%Y"), row)

    # Sorting and filtering: GET parameters in real links, htmx on top.

    def make_spread(self) -> dict[str, Case]:
        """Four children of Alice: overdue by 20 and by 8 days, due in 50 days, nothing due."""
        cases = {
            "asta": self.case_a,  # 14, nothing due, never heard
            "bo": make_case(
                self.vest, self.alice, first_name="Bo", last_name="Zeta", birth_date=born(4)
            ),
            "cai": make_case(
                self.vest, self.alice, first_name="Cai", last_name="Berg", birth_date=born(16)
            ),
            "dan": make_case(
                self.vest, self.alice, first_name="Dan", last_name="Ager", birth_date=born(19)
            ),
        }
        make_measure(cases["bo"], kind="foster_care", started_on=ago(112))  # overdue 20 days
        make_conversation(cases["bo"], self.alice, held_on=ago(200))
        make_measure(cases["cai"], kind="institution", started_on=ago(100))  # overdue 8 days
        make_conversation(cases["cai"], self.alice, held_on=ago(101))  # before the placement
        make_measure(cases["dan"], kind="aftercare", started_on=ago(300))
        make_measure(cases["asta"], kind="preventive", started_on=ago(30))
        make_conversation(cases["asta"], self.alice, held_on=ago(60))
        return cases

    def test_it_sorts_overdue_first_by_default(self) -> None:
        cases = self.make_spread()
        self.login(self.alice)
        r = self.client.get(URL)
        # Bo (20 days over), Cai (8), then by next due date; Asta and Dan have none: by name.
        self.assertEqual(
            self.cases_on_page(r), [cases["bo"], cases["cai"], cases["dan"], cases["asta"]]
        )

    def test_it_sorts_by_each_column(self) -> None:
        c = self.make_spread()
        self.login(self.alice)
        for sort, expected in [
            ("name", ["dan", "cai", "asta", "bo"]),  # last name: Ager, Berg, Fiktivsen, Zeta
            ("age", ["bo", "asta", "cai", "dan"]),  # youngest first
            ("due", ["bo", "cai", "dan", "asta"]),
            ("conversation", ["dan", "bo", "cai", "asta"]),  # never, 200, 101, 60 days
        ]:
            with self.subTest(sort=sort):
                r = self.client.get(URL, {"sort": sort})
                self.assertEqual(self.cases_on_page(r), [c[name] for name in expected])
        # An unknown sort is the default.
        self.assertEqual(self.cases_on_page(self.client.get(URL, {"sort": "x"}))[0], c["bo"])

    def test_it_filters_by_status_age_and_measure(self) -> None:
        c = self.make_spread()
        soon = make_case(self.vest, self.alice, first_name="Snart", birth_date=born(8))
        make_measure(soon, kind="network_care", started_on=ago(80))  # follow-up in 12 days
        self.login(self.alice)
        for params, expected in [
            ({"filter": "overdue"}, ["bo", "cai"]),
            ({"filter": "soon"}, ["soon"]),
            ({"age": "0-9"}, ["bo", "soon"]),
            ({"age": "10-14"}, ["asta"]),
            ({"age": "15-17"}, ["cai"]),
            ({"age": "18-23"}, ["dan"]),
            ({"measure": "placement"}, ["bo", "cai", "soon"]),
            ({"measure": "preventive"}, ["asta"]),
            ({"measure": "aftercare"}, ["dan"]),
            ({"measure": "none"}, []),
            ({"filter": "overdue", "age": "0-9"}, ["bo"]),
            (
                {"filter": "nonsense", "age": "99", "measure": "x"},
                ["bo", "cai", "soon", "dan", "asta"],
            ),
        ]:
            with self.subTest(params=params):
                r = self.client.get(URL, params)
                self.assertEqual(r.status_code, 200)
                names = {case.pk: name for name, case in {**c, "soon": soon}.items()}
                self.assertEqual([names[case.pk] for case in self.cases_on_page(r)], expected)
        r = self.client.get(URL, {"measure": "none"})
        self.assertContains(r, "Ingen børn passer til det, du har valgt.")
        self.assertContains(r, '<a href="/sager/">Vis alle børn</a>', html=True)

    def test_it_filters_by_case_status(self) -> None:
        closed = make_case(self.vest, self.alice, first_name="Lukka")
        Case.objects.filter(pk=closed.pk).update(status="closed", closed_on=date(2024, 5, 1))
        make_measure(closed, kind="foster_care", started_on=date(2024, 1, 1))
        self.login(self.alice)
        self.assertEqual(self.cases_on_page(self.client.get(URL)), [self.case_a])
        r = self.client.get(URL, {"status": "closed"})
        self.assertEqual(self.cases_on_page(r), [closed])
        row = self.row_of(r, closed)
        self.assertIn('<span class="badge badge-small">Lukket sag</span>', row)
        self.assertNotIn("Overskredet", row)  # a closed case has nothing due
        r = self.client.get(URL, {"status": "all", "sort": "name"})
        self.assertEqual(self.cases_on_page(r), [self.case_a, closed])

    def test_it_treats_an_unknown_status_as_open(self) -> None:
        self.login(self.alice)
        r = self.client.get(URL, {"status": "deleted"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.cases_on_page(r), [self.case_a])

    def test_it_links_the_sorting_and_keeps_the_filters_in_the_links(self) -> None:
        """Real links for use without JavaScript; the same URL for htmx, pushed to the history."""
        self.make_spread()
        self.login(self.alice)
        r = self.client.get(URL, {"filter": "overdue", "sort": "due"})
        for sort in ["name", "age", "due", "conversation"]:
            link = f"?status=open&amp;filter=overdue&amp;sort={sort}"
            self.assertContains(r, f'href="{link}" hx-get="{link}"')
        self.assertContains(r, '<th scope="col" aria-sort="ascending">', count=1)
        self.assertContains(r, 'hx-push-url="true"', count=5)  # the filter form and 4 headers
        self.assertContains(
            r, '<option value="overdue" selected>Overskredne frister</option>', html=True
        )
        self.assertContains(r, '<option value="due" selected>Næste frist</option>', html=True)
        # The search form posts to the same list, so a search keeps the filters.
        self.assertContains(r, 'action="/sager/?status=open&amp;filter=overdue&amp;sort=due"')

    def test_it_returns_only_the_results_to_an_htmx_sort(self) -> None:
        """House style rule 19: the partial has the results and the filter form, not the page
        or the search form."""
        self.make_spread()
        self.login(self.alice)
        r = self.client.get(URL, {"sort": "name"}, headers={"HX-Request": "true"})
        body = r.content.decode()
        self.assertTrue(body.lstrip().startswith('<section id="case-results"'), body[:80])
        self.assertNotIn("<html", body)
        self.assertNotIn('id="case-search"', body)
        self.assertIn('id="case-filters"', body)
        self.assertIn("autofocus", body)  # the count gets the focus, so it is read out
        self.assertEqual(r["Vary"].count("HX-Request"), 1)

    def test_it_returns_the_whole_page_to_a_boosted_or_history_restoring_htmx_request(self) -> None:
        self.login(self.alice)
        r = self.client.get(URL, headers={"HX-Request": "true", "HX-Boosted": "true"})
        self.assertContains(r, "<html")
        headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
        self.assertContains(self.client.get(URL, {"sort": "age"}, headers=headers), "<html")

    def test_it_logs_the_list_with_its_sorting_and_filters(self) -> None:
        """T5: what was shown is logged: the criterion has the parameters that are not defaults."""
        self.login(self.alice)
        r = self.client.get(URL)
        self.assertEqual(self.only_event_of(r).criterion, "cases status=open page=1")
        r = self.client.get(URL, {"filter": "overdue", "age": "10-14", "sort": "name"})
        event = self.only_event_of(r)
        self.assertEqual(event.action, AccessEvent.Action.LIST)
        self.assertEqual(
            event.criterion, "cases status=open filter=overdue age=10-14 sort=name page=1"
        )
        self.assertEqual((event.user, event.municipality), (self.alice, self.nordby))

    # The search (item 7): a POST, within what the user may see, logged masked.

    def test_it_searches_by_name(self) -> None:
        """The search is a POST, so a child's name never lands in a URL (ASVS 14.2.1)."""
        other = make_case(self.vest, self.alice, first_name="Viggo", last_name="Østergård")
        self.login(self.alice)
        for q in ["vigg", "østergå", "ØSTERGÅRD", "Viggo Østergård", "østergård viggo"]:
            with self.subTest(q=q):
                r = self.client.post(URL, {"q": q})
                self.assertEqual(self.cases_on_page(r), [other])
                self.assertContains(r, "1 barn fundet")
        self.assertEqual(self.cases_on_page(self.client.post(URL, {"q": "Viggo Asta"})), [])

    def test_it_searches_by_reference(self) -> None:
        other = make_case(self.vest, self.alice)
        self.login(self.alice)
        r = self.client.post(URL, {"q": other.reference.lower()})
        self.assertEqual(self.cases_on_page(r), [other])

    def test_it_searches_by_cpr_prefix(self) -> None:
        other = make_case(self.vest, self.alice, cpr="1111121234")
        self.login(self.alice)
        for q in ["111112", "111112-12", "1111121234", "111112-1234", "111112 1234"]:
            with self.subTest(q=q):
                r = self.client.post(URL, {"q": q})
                self.assertEqual(self.cases_on_page(r), [other])
        # Fewer than six digits is not a CPR search (a birth date is six).
        r = self.client.post(URL, {"q": "11111"})
        self.assertEqual(self.cases_on_page(r), [])

    def test_it_does_not_search_other_caseloads(self) -> None:
        """T1/T3: searching for Anna's or Sydby's child finds nothing for Alice."""
        self.login(self.alice)
        for q in ["Aksel", "Bertram", self.case_b.reference, self.case_b.child.cpr]:
            with self.subTest(q=q):
                r = self.client.post(URL, {"q": q}, headers={"HX-Request": "true"})
                self.assertEqual(self.cases_on_page(r), [])
                self.assertNotContains(r, self.case_b.reference)

    def test_it_never_puts_the_search_in_a_url(self) -> None:
        """ASVS 14.2.1: no link, form action or pushed URL carries the search text."""
        make_case(self.vest, self.alice, first_name="Viggo", cpr="1111121234")
        self.make_cases_for_alice(55)
        self.login(self.alice)
        for q in ["Viggo", "111112-1234"]:
            with self.subTest(q=q):
                r = self.client.post(URL, {"q": q, "sort": "name"})
                urls = re.findall(r'(?:href|action|hx-get|hx-post)="([^"]*)"', r.content.decode())
                self.assertTrue(urls)
                for url in urls:
                    self.assertNotIn("viggo", url.lower())
                    self.assertNotIn("111112", url)
                self.assertNotIn("HX-Push-Url", r.headers)

    def test_it_logs_a_search_with_a_masked_criterion(self) -> None:
        """T5, T7: the search is logged as a search; a CPR number typed into it is masked."""
        other = make_case(self.vest, self.alice, cpr="1111121234")
        self.login(self.alice)
        r = self.client.post(URL, {"q": "111112-1234", "filter": "overdue"})
        event = self.only_event_of(r)
        self.assertEqual(event.action, AccessEvent.Action.SEARCH)
        self.assertEqual(event.criterion, "cases status=open filter=overdue q=111112-xxxx page=1")
        self.assertEqual(self.cases_on_page(r), [])  # not overdue
        r = self.client.post(URL, {"q": "111112-1234"})
        self.assertEqual(self.cases_on_page(r), [other])

    def test_it_rejects_a_one_letter_search(self) -> None:
        self.login(self.alice)
        r = self.client.post(URL, {"q": "a"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Skriv mindst 2 tegn.")
        self.assertEqual(self.cases_on_page(r), [self.case_a])

    def test_it_returns_only_the_results_partial_to_an_htmx_search(self) -> None:
        self.login(self.alice)
        r = self.client.post(URL, {"q": "Asta"}, headers={"HX-Request": "true"})
        self.assertEqual(r.status_code, 200)
        body = r.content.decode()
        self.assertTrue(body.lstrip().startswith('<section id="case-results"'), body[:80])
        self.assertNotIn("<html", body)
        self.assertNotIn('id="case-search"', body)
        self.assertIn("Asta", body)
        self.assertIn("1 barn fundet", body)

    def test_it_keeps_the_search_when_paging_sorting_and_filtering(self) -> None:
        """The search is a POST (no name in the URL); ?page=N, ?sort= and the filters page
        through the same result. Opening the list afresh forgets it."""
        for _ in range(55):
            make_case(self.vest, self.alice, first_name="Sigrid")
        self.login(self.alice)
        r = self.client.post(URL, {"q": "Sigrid", "status": "open"})
        self.assertContains(r, "55 børn fundet")
        self.assertContains(r, 'href="?status=open&amp;page=2"')
        r = self.client.get(URL, {"status": "open", "page": "2"})
        self.assertEqual(len(self.cases_on_page(r)), 5)
        self.assertContains(r, "55 børn fundet")
        self.assertNotIn(self.case_a, self.cases_on_page(r))
        r = self.client.get(URL, {"sort": "age"}, headers={"HX-Request": "true"})
        self.assertContains(r, "55 børn fundet")
        self.assertContains(r, "Ryd søgningen og vis alle børn")
        # A fresh visit of the list forgets the search.
        r = self.client.get(URL)
        self.assertEqual(r.context["search"], "")
        self.assertContains(r, "56 børn")
        # And so does an empty search.
        self.client.post(URL, {"q": "Sigrid"})
        r = self.client.post(URL, {"q": ""})
        self.assertContains(r, "56 børn")
        self.assertContains(self.client.get(URL, {"page": "1"}), "56 børn")

    def test_it_shows_a_short_search_error_to_htmx_and_keeps_the_status(self) -> None:
        closed = make_case(self.vest, self.alice, first_name="Lukka")
        Case.objects.filter(pk=closed.pk).update(status="closed", closed_on=date(2024, 5, 1))
        self.login(self.alice)
        r = self.client.post(URL, {"q": "x", "status": "closed"}, headers={"HX-Request": "true"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'role="alert"')
        self.assertContains(r, "Søgningen kunne ikke udføres")
        self.assertEqual(self.cases_on_page(r), [closed])
        r = self.client.post(URL, {"q": "x", "status": "closed"})
        self.assertContains(r, "Skriv mindst 2 tegn.")
        self.assertContains(r, 'aria-invalid="true"')

    def test_it_escapes_a_name_with_markup(self) -> None:
        make_case(self.vest, self.alice, first_name="<script>alert(1)</script>")
        self.login(self.alice)
        r = self.client.get(URL)
        self.assertNotContains(r, "<script>alert(1)")
        self.assertContains(r, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_it_formats_dates_as_the_date_filter_does(self) -> None:
        """The rows' fast date formatter gives what Django's own formatting gives."""
        for day in [date(2026, 1, 5), date(2025, 12, 31), date(999, 3, 4)]:
            for django_format in ["d.m.Y", "m/d/Y", "j/n Y", "j. F Y", r"d\.m\.Y", "Y-m-d {x}"]:
                with self.subTest(day=day, format=django_format):
                    self.assertEqual(
                        date_formatter(django_format)(day), format_date(day, django_format)
                    )

    # Pagination and empty states.

    def test_it_paginates_with_the_sorting_and_filters(self) -> None:
        self.make_cases_for_alice(61)
        self.login(self.alice)
        r = self.client.get(URL)
        self.assertEqual(len(self.cases_on_page(r)), 50)
        self.assertContains(r, "61 børn")
        self.assertContains(r, "Side 1 af 2")
        self.assertContains(r, 'href="?status=open&amp;page=2"')
        self.assertNotContains(r, "Forrige side")
        r = self.client.get(URL, {"page": "2"})
        self.assertEqual(len(self.cases_on_page(r)), 11)
        self.assertContains(r, "Side 2 af 2")
        self.assertContains(r, "Forrige side")
        self.assertNotContains(r, "Næste side")
        # The sorting and filters go along to the next page.
        r = self.client.get(URL, {"sort": "age", "age": "10-14"})
        self.assertContains(r, 'href="?status=open&amp;age=10-14&amp;sort=age&amp;page=2"')
        first = self.cases_on_page(r)
        second = self.cases_on_page(
            self.client.get(URL, {"sort": "age", "age": "10-14", "page": "2"})
        )
        self.assertEqual(len(first + second), 61)
        self.assertEqual(set(first) & set(second), set())
        # An out-of-range or nonsense page number shows the nearest page, not an error.
        self.assertContains(self.client.get(URL, {"page": "99"}), "Side 2 af 2")
        self.assertContains(self.client.get(URL, {"page": "x"}), "Side 1 af 2")

    def test_it_shows_the_empty_state(self) -> None:
        newcomer = make_member("nina", self.nordby, "caseworker", self.vest)
        self.login(newcomer)
        r = self.client.get(URL)
        self.assertContains(r, "0 børn")
        self.assertContains(r, "Der er ingen børn her endnu.")
        self.assertNotContains(r, "<table")

    def test_it_shows_the_empty_search_state(self) -> None:
        self.login(self.alice)
        r = self.client.post(URL, {"q": "Ingenting"})
        self.assertContains(r, "0 børn fundet")
        self.assertContains(r, "Ingen børn passer til din søgning.")

    def test_it_links_each_row_to_its_case_page(self) -> None:
        self.make_cases_for_alice(3)
        self.login(self.alice)
        r = self.client.get(URL, {"sort": "name"})
        urls = [row["url"] for row in r.context["rows"]]
        self.assertEqual(urls, [case.get_absolute_url() for case in self.cases_on_page(r)])
        for url in urls:
            self.assertContains(r, f'<a href="{url}">')

    # Messages from the child channel (issue 5): overdue after 2 working days, the filter, and
    # the child's prepared meeting. ("Jeg føler mig ikke tryg": portal/tests/test_unsafe.py.)

    def row_at(self, moment: datetime, case: Case, **params: str) -> str:
        """The case's row on Alice's list as it is at `moment` (signed in then)."""
        with time_machine.travel(moment, tick=False):
            self.login(self.alice)
            return self.row_of(self.client.get(URL, params), case)

    def test_it_shows_a_message_overdue_after_two_working_days(self) -> None:
        """Sent Friday 15:00: Monday and Tuesday are the two working days; overdue from Tuesday
        15:00, still on Wednesday; the weekend does not count."""
        make_child_message(self.case_a, sent_at=datetime(2026, 3, 6, 15, 0, tzinfo=CPH))
        overdue = (
            '<strong class="status-overdue"><span class="status-icon" aria-hidden="true"></span>'
            "Besked ubesvaret over 2 hverdage</strong>"
        )
        for moment, is_overdue in [
            (datetime(2026, 3, 7, 12, 0, tzinfo=CPH), False),  # Saturday
            (datetime(2026, 3, 9, 10, 0, tzinfo=CPH), False),  # Monday
            (datetime(2026, 3, 9, 23, 0, tzinfo=CPH), False),
            (datetime(2026, 3, 10, 14, 59, tzinfo=CPH), False),  # Tuesday
            (datetime(2026, 3, 10, 15, 0, tzinfo=CPH), True),
            (datetime(2026, 3, 11, 15, 1, tzinfo=CPH), True),  # Wednesday after 15:00
        ]:
            with self.subTest(moment=moment):
                row = self.row_at(moment, self.case_a)
                if is_overdue:
                    self.assertIn(overdue, row)
                    self.assertIn('<tr class="row-overdue">', row)
                else:
                    self.assertIn('<span class="row-meta">Ny besked fra barnet</span>', row)
                    self.assertNotIn("status-overdue", row)
                    self.assertNotIn("row-overdue", row)

    def test_it_does_not_count_easter_as_working_days(self) -> None:
        """Sent Wednesday 1 April 2026, 10:00: skærtorsdag, langfredag, the weekend and 2.
        påskedag do not count, so it is due Wednesday 8 April, 10:00."""
        make_child_message(self.case_a, sent_at=datetime(2026, 4, 1, 10, 0, tzinfo=CPH))
        for moment, is_overdue in [
            (datetime(2026, 4, 6, 16, 0, tzinfo=CPH), False),  # 2. påskedag
            (datetime(2026, 4, 7, 16, 0, tzinfo=CPH), False),  # the first working day after
            (datetime(2026, 4, 8, 9, 59, tzinfo=CPH), False),
            (datetime(2026, 4, 8, 10, 0, tzinfo=CPH), True),
        ]:
            with self.subTest(moment=moment):
                row = self.row_at(moment, self.case_a)
                self.assertEqual("Besked ubesvaret over 2 hverdage" in row, is_overdue)

    def test_it_forgets_an_answered_message(self) -> None:
        make_child_message(
            self.case_a,
            sent_at=timezone.now() - timedelta(days=30),
            answer="Tak",
            answered_at=timezone.now() - timedelta(days=1),
            answered_by=self.alice,
        )
        self.login(self.alice)
        row = self.row_of(self.client.get(URL), self.case_a)
        self.assertNotIn("besked", row.lower())
        self.assertNotIn("row-overdue", row)

    def test_it_sorts_and_filters_an_overdue_message_as_overdue(self) -> None:
        """A message waiting too long makes the child overdue: first with the default sort,
        and in the "Overskredne frister" filter; "Ubesvarede beskeder" finds any unanswered."""
        c = self.make_spread()  # Bo and Cai overdue (§ 95), Dan and Asta not
        make_child_message(c["dan"], sent_at=timezone.now() - timedelta(days=10))
        make_child_message(c["asta"], sent_at=timezone.now() - timedelta(minutes=5))
        self.login(self.alice)
        names = {case.pk: name for name, case in c.items()}
        r = self.client.get(URL)
        self.assertEqual(
            [names[case.pk] for case in self.cases_on_page(r)][:3], ["bo", "cai", "dan"]
        )
        r = self.client.get(URL, {"filter": "overdue"})
        self.assertEqual([names[case.pk] for case in self.cases_on_page(r)], ["bo", "cai", "dan"])
        r = self.client.get(URL, {"filter": "messages", "sort": "name"})
        self.assertEqual([names[case.pk] for case in self.cases_on_page(r)], ["dan", "asta"])
        self.assertContains(
            r,
            '<option value="messages" selected>Ubesvarede beskeder fra barnet</option>',
            html=True,
        )
        self.assertEqual(
            self.only_event_of(r).criterion, "cases status=open filter=messages sort=name page=1"
        )

    def test_it_shows_a_meeting_prepared_by_the_child(self) -> None:
        """ "Forberedt af barnet": the next coming meeting the child is invited to, submitted
        (a draft, a past or a cancelled meeting's preparation does not count)."""
        now = timezone.now()
        past = make_meeting(self.case_a, self.alice, starts_at=now - timedelta(days=3))
        MeetingPreparation.objects.create(
            municipality=self.nordby, meeting=past, child=self.case_a.child, submitted_at=now
        )
        coming = make_meeting(self.case_a, self.alice, starts_at=now + timedelta(days=3))
        preparation = MeetingPreparation.objects.create(
            municipality=self.nordby, meeting=coming, child=self.case_a.child
        )
        later = make_meeting(self.case_a, self.alice, starts_at=now + timedelta(days=30))
        MeetingPreparation.objects.create(
            municipality=self.nordby, meeting=later, child=self.case_a.child, submitted_at=now
        )
        self.login(self.alice)
        prepared = '<span class="row-meta">Forberedt af barnet</span>'
        self.assertNotIn(prepared, self.row_of(self.client.get(URL), self.case_a))  # a draft
        preparation.submitted_at = now
        preparation.save()
        self.assertIn(prepared, self.row_of(self.client.get(URL), self.case_a))
        Meeting.objects.filter(pk=coming.pk).update(status=Meeting.Status.CANCELLED)
        # Now the next meeting is the later one, which the child has prepared too.
        self.assertIn(prepared, self.row_of(self.client.get(URL), self.case_a))
        Meeting.objects.filter(pk=later.pk).update(child_invited=False)
        self.assertNotIn(prepared, self.row_of(self.client.get(URL), self.case_a))

    def test_it_shows_the_childs_newest_check_in_of_the_last_30_days(self) -> None:
        """Barnets plan (issue 6): "Tjek af mål: Rigtig godt (12/11)" on the row, the newest
        check-in of the last 30 days; a low one stands out (in words too)."""
        plan = make_plan(self.case_a, self.alice)
        goal = make_goal(plan)
        approve_now(plan, self.alice)
        self.login(self.alice)
        self.assertNotIn("Tjek af mål", self.row_of(self.client.get(URL), self.case_a))
        old = timezone.now() - timedelta(days=31)
        make_check_in(plan, goal, rating=5, checked_in_at=old)
        self.assertNotIn("Tjek af mål", self.row_of(self.client.get(URL), self.case_a))
        at = timezone.now() - timedelta(days=2)
        make_check_in(plan, goal, rating=4, checked_in_at=at - timedelta(hours=1))
        make_check_in(plan, goal, rating=5, checked_in_at=at)
        day = timezone.localtime(at)
        self.assertIn(
            f'<span class="row-meta">Tjek af mål: Rigtig godt ({day.day}/{day.month})</span>',
            self.row_of(self.client.get(URL), self.case_a),
        )
        make_check_in(plan, goal, rating=1, checked_in_at=timezone.now())
        today = timezone.localdate()
        self.assertIn(
            '<span class="row-meta"><strong class="status-warning">'
            '<span class="status-icon" aria-hidden="true"></span>'
            f"Tjek af mål: Rigtig dårligt ({today.day}/{today.month})</strong></span>",
            self.row_of(self.client.get(URL), self.case_a),
        )

    # Query counts (house style rule 26).

    def assert_list_queries(self, user: User, *, expected: int) -> None:
        self.login(user)
        self.client.get(URL)  # warm up: the first request saves the session's idle clock
        self.prime_session()
        with self.assertNumQueries(expected):
            r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["rows"])
        with self.assertNumQueries(expected):
            r = self.client.get(
                URL, {"sort": "name", "age": "10-14"}, headers={"HX-Request": "true"}
            )
        self.assertEqual(r.status_code, 200)

    # Expect 10 queries for a caseworker, whatever the number of children and their records:
    #   1 session, 2 user, 3 OTP device (OTPMiddleware),
    #   4 memberships with the municipality and its due rules (MembershipMiddleware),
    #   5 the whole caseload with the child joined and, as subqueries, the last conversation,
    #     the last one without staff, the count of decisions without a heard child, the latest
    #     statement, the start of the current placement, the kinds of the active measures, and
    #     from the child channel the oldest unanswered message, the oldest unanswered "Jeg
    #     føler mig ikke tryg" (also in the status filter) and the next meeting's preparation,
    #     and from Barnets plan the newest check-in of the last 30 days (its rating and time),
    #   6 SAVEPOINT, 7 lock the access-log chain head, 8 insert the access event,
    #   9 move the chain head, 10 RELEASE SAVEPOINT.
    # A leader's list also shows the caseworkers:
    #   11 the names of the shown page's active caseworkers.
    CASEWORKER_LIST_QUERIES = 10
    LEADER_LIST_QUERIES = 11

    def test_it_lists_three_children_in_constant_queries(self) -> None:
        self.make_cases_for_alice(3)
        self.make_histories()
        self.assert_list_queries(self.alice, expected=self.CASEWORKER_LIST_QUERIES)

    def test_it_lists_sixty_children_in_the_same_queries(self) -> None:
        """House style rule 26: 60 children with their histories (two pages) cost what 3 cost."""
        self.make_cases_for_alice(60)
        self.make_histories()
        self.assert_list_queries(self.alice, expected=self.CASEWORKER_LIST_QUERIES)

    def test_it_lists_three_children_for_the_leader_in_constant_queries(self) -> None:
        self.make_cases_for_alice(3)
        self.make_histories()
        self.assert_list_queries(self.leo, expected=self.LEADER_LIST_QUERIES)

    def test_it_lists_sixty_children_for_the_leader_in_the_same_queries(self) -> None:
        """House style rule 26: the caseworker column must not cost a query per row."""
        self.make_cases_for_alice(60)
        self.make_histories()
        self.assert_list_queries(self.leo, expected=self.LEADER_LIST_QUERIES)
