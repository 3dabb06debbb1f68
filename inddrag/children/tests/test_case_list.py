from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

from inddrag.accounts.models import User
from inddrag.children.models import Case
from inddrag.test import BaseTestCase, make_case, make_member

URL = "/sager/"


class CaseListTestCase(BaseTestCase):
    """The case list: each role's caseload (T1, T3), status filter, search by POST, the HTMX
    partial, pagination, empty states, and a query count that does not grow with the rows."""

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

    def cases_on_page(self, response: Any) -> list[Case]:
        return list(response.context["page"].object_list)

    def test_it_shows_the_caseworker_only_her_assigned_cases(self) -> None:
        """T3: a caseworker sees her active assignments, not her unit's other cases."""
        unassigned = make_case(self.vest, None, first_name="Ukendt")
        self.login(self.alice)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.cases_on_page(r), [self.case_a])
        self.assertContains(r, "Asta")
        self.assertContains(r, "Mine sager")
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

    def test_it_shows_the_leader_the_unit_cases_with_caseworker_names(self) -> None:
        """T3: a leader sees the cases of the unit she leads, assigned or not."""
        unassigned = make_case(self.vest, None, first_name="Ukendt", last_name="Aabensen")
        self.login(self.leo)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.cases_on_page(r), [unassigned, self.case_a])
        self.assertContains(r, "Sager i Team Vest")
        self.assertContains(r, '<th scope="col">Sagsbehandler</th>', html=True)
        self.assertContains(r, "<td>Alice Testesen</td>", html=True)
        self.assertContains(r, '<td><span class="weight-normal">Ingen</span></td>', html=True)
        self.assertNotContains(r, "Aksel")  # Team Øst is not Leo's unit
        self.assertNotContains(r, "Bertram")

    def test_it_filters_by_status(self) -> None:
        closed = make_case(self.vest, self.alice, first_name="Lukka")
        Case.objects.filter(pk=closed.pk).update(status="closed", closed_on=date(2024, 5, 1))
        self.login(self.alice)
        self.assertEqual(self.cases_on_page(self.client.get(URL)), [self.case_a])
        r = self.client.get(URL, {"status": "closed"})
        self.assertEqual(self.cases_on_page(r), [closed])
        self.assertContains(r, "Lukket")
        r = self.client.get(URL, {"status": "all"})
        self.assertEqual(self.cases_on_page(r), [self.case_a, closed])

    def test_it_treats_an_unknown_status_as_open(self) -> None:
        self.login(self.alice)
        r = self.client.get(URL, {"status": "deleted"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.cases_on_page(r), [self.case_a])

    def test_it_searches_by_name(self) -> None:
        """The search is a POST, so a child's name never lands in a URL (ASVS 14.2.1)."""
        other = make_case(self.vest, self.alice, first_name="Viggo", last_name="Opdigtsen")
        self.login(self.alice)
        r = self.client.post(URL, {"q": "vigg"})
        self.assertEqual(self.cases_on_page(r), [other])
        r = self.client.post(URL, {"q": "opdigt"})
        self.assertEqual(self.cases_on_page(r), [other])
        self.assertContains(r, "1 sag fundet")

    def test_it_searches_by_reference(self) -> None:
        other = make_case(self.vest, self.alice)
        self.login(self.alice)
        r = self.client.post(URL, {"q": other.reference.lower()})
        self.assertEqual(self.cases_on_page(r), [other])

    def test_it_searches_by_cpr_prefix(self) -> None:
        other = make_case(self.vest, self.alice, cpr="1111121234")
        self.login(self.alice)
        for q in ["111112", "111112-12", "1111121234", "111112-1234"]:
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

    def test_it_rejects_a_one_letter_search(self) -> None:
        self.login(self.alice)
        r = self.client.post(URL, {"q": "a"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Skriv mindst 2 tegn.")
        self.assertEqual(self.cases_on_page(r), [self.case_a])

    def test_it_returns_only_the_results_partial_to_htmx(self) -> None:
        """House style rule 19: an HTMX request gets the #case-results partial only."""
        self.login(self.alice)
        r = self.client.post(URL, {"q": "Asta"}, headers={"HX-Request": "true"})
        self.assertEqual(r.status_code, 200)
        body = r.content.decode()
        self.assertTrue(body.lstrip().startswith('<section id="case-results"'), body[:80])
        self.assertNotIn("<html", body)
        self.assertNotIn("<form", body)
        self.assertIn("Asta", body)

    def test_it_returns_the_whole_page_to_a_boosted_htmx_request(self) -> None:
        self.login(self.alice)
        r = self.client.get(URL, headers={"HX-Request": "true", "HX-Boosted": "true"})
        self.assertContains(r, "<html")

    def test_it_paginates(self) -> None:
        self.make_cases_for_alice(61)
        self.login(self.alice)
        r = self.client.get(URL)
        self.assertEqual(len(self.cases_on_page(r)), 50)
        self.assertContains(r, "61 sager")
        self.assertContains(r, "Side 1 af 2")
        self.assertContains(r, 'href="?status=open&amp;page=2"')
        self.assertNotContains(r, "Forrige side")
        r = self.client.get(URL, {"page": "2"})
        self.assertEqual(len(self.cases_on_page(r)), 11)
        self.assertContains(r, "Side 2 af 2")
        self.assertContains(r, "Forrige side")
        self.assertNotContains(r, "Næste side")
        # An out-of-range or nonsense page number shows the nearest page, not an error.
        self.assertContains(self.client.get(URL, {"page": "99"}), "Side 2 af 2")
        self.assertContains(self.client.get(URL, {"page": "x"}), "Side 1 af 2")

    def test_it_shows_the_empty_state(self) -> None:
        newcomer = make_member("nina", self.nordby, "caseworker", self.vest)
        self.login(newcomer)
        r = self.client.get(URL)
        self.assertContains(r, "0 sager")
        self.assertContains(r, "Der er ingen sager her endnu.")
        self.assertNotContains(r, "<table")

    def test_it_shows_the_empty_search_state(self) -> None:
        self.login(self.alice)
        r = self.client.post(URL, {"q": "Ingenting"})
        self.assertContains(r, "0 sager fundet")
        self.assertContains(r, "Ingen sager passer til din søgning.")

    def assert_list_queries(self, user: User, *, expected: int) -> None:
        self.login(user)
        self.client.get(URL)  # warm up: the first request saves the session's idle clock
        self.prime_session()
        with self.assertNumQueries(expected):
            r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)

    # Expect 11 queries for a caseworker, whatever the number of cases:
    #   1 session, 2 user, 3 OTP device (OTPMiddleware), 4 memberships (MembershipMiddleware),
    #   5 count of the cases (Paginator),
    #   6 SAVEPOINT, 7 lock the access-log chain head, 8 insert the access event,
    #   9 move the chain head, 10 RELEASE SAVEPOINT,
    #   11 the page of cases with the child joined (evaluated by the template).
    # A leader's list also shows the caseworkers:
    #   12 the page's active assignments with the caseworker joined (one prefetch for all rows).
    CASEWORKER_LIST_QUERIES = 11
    LEADER_LIST_QUERIES = 12

    def test_it_lists_three_cases_in_constant_queries(self) -> None:
        self.make_cases_for_alice(3)
        self.assert_list_queries(self.alice, expected=self.CASEWORKER_LIST_QUERIES)

    def test_it_lists_sixty_cases_in_the_same_queries(self) -> None:
        """House style rule 26: 60 cases (two pages) cost what 3 cost."""
        self.make_cases_for_alice(60)
        self.assert_list_queries(self.alice, expected=self.CASEWORKER_LIST_QUERIES)

    def test_it_lists_three_cases_for_the_leader_in_constant_queries(self) -> None:
        self.make_cases_for_alice(3)
        self.assert_list_queries(self.leo, expected=self.LEADER_LIST_QUERIES)

    def test_it_lists_sixty_cases_for_the_leader_in_the_same_queries(self) -> None:
        """House style rule 26: the caseworker column must not cost a query per row."""
        self.make_cases_for_alice(60)
        self.assert_list_queries(self.leo, expected=self.LEADER_LIST_QUERIES)

    def assert_detail_queries(self, *, expected: int) -> None:
        self.login(self.alice)
        self.client.get(URL)
        self.prime_session()
        with self.assertNumQueries(expected):
            r = self.client.get(self.case_a.get_absolute_url())
        self.assertEqual(r.status_code, 200)

    # Expect 11 queries, whatever the number of cases:
    #   1 session, 2 user, 3 OTP device, 4 memberships,
    #   5 the case with child, unit and municipality joined (only if the membership may see it),
    #   6 SAVEPOINT, 7 lock the chain head, 8 insert the access event, 9 move the chain head,
    #   10 RELEASE SAVEPOINT,
    #   11 the case's assignments with their caseworkers (evaluated by the template).
    DETAIL_QUERIES = 11

    def test_it_shows_a_case_in_constant_queries(self) -> None:
        self.make_cases_for_alice(3)
        self.assert_detail_queries(expected=self.DETAIL_QUERIES)

    def test_it_shows_a_case_in_the_same_queries_among_sixty(self) -> None:
        """House style rule 26: the case page does not depend on the size of the caseload."""
        self.make_cases_for_alice(60)
        self.assert_detail_queries(expected=self.DETAIL_QUERIES)

    def test_it_keeps_the_search_when_paging(self) -> None:
        """The search is a POST (no name in the URL); ?page=N pages through the same result."""
        for _ in range(55):
            make_case(self.vest, self.alice, first_name="Sigrid")
        self.login(self.alice)
        r = self.client.post(URL, {"q": "Sigrid", "status": "open"})
        self.assertContains(r, "55 sager fundet")
        self.assertContains(r, 'href="?status=open&amp;page=2"')
        r = self.client.get(URL, {"status": "open", "page": "2"})
        self.assertEqual(len(self.cases_on_page(r)), 5)
        self.assertContains(r, "55 sager fundet")
        self.assertNotIn(self.case_a, self.cases_on_page(r))
        # A fresh visit of the list forgets the search.
        r = self.client.get(URL)
        self.assertEqual(r.context["search"], "")
        self.assertContains(r, "56 sager")

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

    def test_it_links_each_row_to_its_case_page(self) -> None:
        self.make_cases_for_alice(3)
        self.login(self.alice)
        r = self.client.get(URL)
        for case, url in r.context["rows"]:
            self.assertEqual(url, case.get_absolute_url())
            self.assertContains(r, f'href="{url}"')
