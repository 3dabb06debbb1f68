from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from inddrag.audit.models import AccessEvent
from inddrag.children.models import Assignment
from inddrag.decisions.models import Decision, DueRules
from inddrag.decisions.tests.helpers import (
    DECIDED_ON,
    decision_data,
    make_conversation,
    prime_session,
)
from inddrag.test import BaseTestCase, make_decision


class CreateDecisionTestCase(BaseTestCase):
    """Recording a decision: the child's perspective, and barnets lov § 5 (a conversation in
    the period before the decision, or a stated reason)."""

    def setUp(self) -> None:
        self.url = f"/afgoerelser/ny/{self.case_a.code}/"

    def post(self, **overrides: Any) -> Any:
        return self.client.post(self.url, decision_data(**overrides))

    def test_it_shows_the_form_with_a_warning_when_the_child_is_not_heard(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Ny afgørelse eller indstilling")
        self.assertContains(r, "Asta")
        self.assertContains(r, "Barnets perspektiv")
        self.assertContains(r, "Der er ingen børnesamtale i sagen.")
        self.assertContains(r, "Vælg hvorfor nedenfor.")
        make_conversation(self.case_a, self.alice, timezone.localdate() - timedelta(days=93))
        r = self.client.get(self.url)
        self.assertContains(r, "Der er ingen børnesamtale i de sidste 92 dage før afgørelsen.")
        self.assertContains(r, 'name="submit_token"')

    def test_it_tells_when_the_child_is_heard(self) -> None:
        today = timezone.localdate()
        make_conversation(self.case_a, self.alice, today - timedelta(days=10))
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "barnet er hørt.")
        self.assertNotContains(r, "Barnet er ikke hørt")

    def test_it_records_a_decision_when_the_child_is_heard(self) -> None:
        make_conversation(self.case_a, self.alice, DECIDED_ON - timedelta(days=20))
        self.login(self.alice)
        r = self.post()
        decision = Decision.objects.get()
        self.assertRedirects(r, f"/afgoerelser/{decision.code}/")
        self.assertTrue(decision.child_heard)
        self.assertEqual(decision.case, self.case_a)
        self.assertEqual(decision.municipality, self.nordby)
        self.assertEqual(decision.created_by, self.alice)
        self.assertEqual(decision.decided_on, DECIDED_ON)
        self.assertEqual(decision.kind, Decision.Kind.DECISION)
        self.assertEqual(
            decision.child_perspective, "Asta siger: »Jeg vil gerne blive hos Mette og Jens.«"
        )
        self.assertEqual(decision.not_heard_reason, "")

    def test_it_demands_a_reason_when_there_is_no_conversation(self) -> None:
        """The acceptance path: without a conversation the reason is demanded."""
        self.login(self.alice)
        r = self.post()
        self.assertEqual(r.status_code, 200)
        self.assertContains(
            r,
            "Der er ingen børnesamtale i de 92 dage før afgørelsen. "
            "Vælg hvorfor barnet ikke er hørt.",
        )
        self.assertContains(r, "Afgørelsen er ikke gemt")
        self.assertFalse(Decision.objects.exists())

    def test_it_accepts_a_stated_reason(self) -> None:
        self.login(self.alice)
        r = self.post(not_heard_reason="declined")
        decision = Decision.objects.get()
        self.assertRedirects(r, decision.get_absolute_url())
        self.assertFalse(decision.child_heard)
        self.assertEqual(decision.not_heard_reason, Decision.NotHeardReason.DECLINED)

    def test_it_demands_a_note_for_another_reason(self) -> None:
        self.login(self.alice)
        r = self.post(not_heard_reason="other", not_heard_note="   ")
        self.assertContains(r, "Skriv, hvorfor barnet ikke er hørt.")
        self.assertFalse(Decision.objects.exists())
        self.post(not_heard_reason="other", not_heard_note="Barnet var indlagt.")
        decision = Decision.objects.get()
        self.assertEqual(decision.not_heard_note, "Barnet var indlagt.")

    def test_it_ignores_the_reason_when_the_child_is_heard(self) -> None:
        make_conversation(self.case_a, self.alice, DECIDED_ON)
        self.login(self.alice)
        self.post(not_heard_reason="other", not_heard_note="Ikke relevant")
        decision = Decision.objects.get()
        self.assertTrue(decision.child_heard)
        self.assertEqual((decision.not_heard_reason, decision.not_heard_note), ("", ""))

    def test_it_counts_a_conversation_exactly_the_period_before(self) -> None:
        """Boundary: 92 days before counts (a reason is not needed)."""
        make_conversation(self.case_a, self.alice, DECIDED_ON - timedelta(days=92))
        self.login(self.alice)
        self.post()
        self.assertTrue(Decision.objects.get().child_heard)

    def test_it_does_not_count_a_conversation_a_day_too_early(self) -> None:
        """Boundary: 93 days before does not count (the reason is demanded)."""
        make_conversation(self.case_a, self.alice, DECIDED_ON - timedelta(days=93))
        self.login(self.alice)
        r = self.post()
        self.assertContains(r, "Vælg hvorfor barnet ikke er hørt.")
        self.assertContains(r, "Seneste børnesamtale: 28. februar 2025.")
        self.assertFalse(Decision.objects.exists())

    def test_it_does_not_count_a_conversation_after_the_decision(self) -> None:
        make_conversation(self.case_a, self.alice, DECIDED_ON + timedelta(days=1))
        self.login(self.alice)
        r = self.post()
        self.assertContains(r, "Vælg hvorfor barnet ikke er hørt.")
        self.assertFalse(Decision.objects.exists())

    def test_it_does_not_count_another_cases_conversation(self) -> None:
        make_conversation(self.case_a2, self.anna, DECIDED_ON)
        self.login(self.alice)
        self.post()
        self.assertFalse(Decision.objects.exists())

    def test_it_follows_the_municipalitys_period(self) -> None:
        """The period is Nordby's due rule: 30 days; 31 days before no longer counts."""
        DueRules.objects.create(municipality=self.nordby, conversation_before_decision_days=30)
        make_conversation(self.case_a, self.alice, DECIDED_ON - timedelta(days=31))
        self.login(self.alice)
        r = self.post()
        self.assertContains(r, "Der er ingen børnesamtale i de 30 dage før afgørelsen.")
        self.assertFalse(Decision.objects.exists())
        make_conversation(self.case_a, self.alice, DECIDED_ON - timedelta(days=30))
        self.post()
        self.assertTrue(Decision.objects.get().child_heard)

    def test_it_is_not_fooled_by_a_posted_child_heard(self) -> None:
        self.login(self.alice)
        self.post(child_heard="on", not_heard_reason="urgency")
        self.assertFalse(Decision.objects.get().child_heard)

    def test_it_rejects_empty_input(self) -> None:
        self.login(self.alice)
        r = self.client.post(self.url, {})
        for message in [
            "Vælg en af mulighederne.",
            "Skriv, hvad der blev besluttet.",
            "Skriv datoen.",
            "Skriv barnets perspektiv.",
            "Skriv, hvordan barnet fik det at vide.",
        ]:
            self.assertContains(r, message)
        r = self.post(child_perspective="   \n ", child_told_how=" ", not_heard_reason="urgency")
        self.assertContains(r, "Skriv barnets perspektiv.")
        self.assertContains(r, "Skriv, hvordan barnet fik det at vide.")
        self.assertFalse(Decision.objects.exists())

    def test_it_rejects_too_long_input(self) -> None:
        self.login(self.alice)
        r = self.post(
            title="x" * 301,
            child_perspective="x" * 10001,
            child_told_how="x" * 501,
            not_heard_reason="other",
            not_heard_note="x" * 501,
        )
        self.assertContains(r, "Skriv højst 300 tegn.")
        self.assertContains(r, "Skriv højst 10000 tegn.")
        self.assertContains(r, "Skriv højst 500 tegn.", count=2)
        self.assertFalse(Decision.objects.exists())

    def test_it_rejects_bad_dates(self) -> None:
        self.login(self.alice)
        tomorrow = timezone.localdate() + timedelta(days=1)
        for value, message in [
            (tomorrow.isoformat(), "Datoen må ikke ligge i fremtiden."),
            ("2011-01-01", "Datoen må ikke ligge før barnets fødsel."),
            ("2023-12-31", "Datoen må ikke ligge før sagen blev oprettet."),
            ("2025-02-30", "Skriv en gyldig dato, fx 3.3.2026."),
            ("i morgen", "Skriv en gyldig dato, fx 3.3.2026."),
        ]:
            with self.subTest(value=value):
                r = self.post(decided_on=value, not_heard_reason="urgency")
                self.assertContains(r, message)
        self.assertFalse(Decision.objects.exists())

    def test_it_accepts_a_danish_date(self) -> None:
        self.login(self.alice)
        self.post(decided_on="1.6.2025", not_heard_reason="urgency")
        self.assertEqual(Decision.objects.get().decided_on, DECIDED_ON)

    def test_it_rejects_wrong_types(self) -> None:
        self.login(self.alice)
        r = self.post(kind="verdict", not_heard_reason="because")
        self.assertContains(r, "Vælg en af mulighederne.", count=2)
        r = self.post(kind=["decision", "recommendation"], not_heard_reason="urgency")
        self.assertEqual(r.status_code, 302)  # the last value counts, as for any form
        self.assertEqual(Decision.objects.get().kind, Decision.Kind.RECOMMENDATION)

    def test_it_rejects_html_and_echoes_it_escaped(self) -> None:
        """T15: markup in a text field is a field message, nothing is saved, and the echoed
        input is escaped. A child's "<3" is words, not markup, and is kept."""
        script = "<script>alert(1)</script>"
        self.login(self.alice)
        r = self.post(
            title=script,
            child_perspective=script,
            child_told_how=script,
            not_heard_reason="other",
            not_heard_note=script,
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Skriv teksten uden HTML-koder", count=4)
        self.assertNotContains(r, script)
        self.assertContains(r, "&lt;script&gt;alert(1)&lt;/script&gt;", count=4)
        self.assertFalse(Decision.objects.exists())
        self.post(child_perspective="Jeg <3 min plejefamilie", not_heard_reason="urgency")
        decision = Decision.objects.get()
        r = self.client.get(decision.get_absolute_url())
        self.assertContains(r, "Jeg &lt;3 min plejefamilie")

    def test_it_is_404_for_another_municipality(self) -> None:
        """T1: Bob of Sydby cannot reach Nordby's case, and the denial is logged."""
        self.login(self.bob)
        for method in ["get", "post"]:
            r = getattr(self.client, method)(self.url, decision_data(not_heard_reason="urgency"))
            self.assertEqual(r.status_code, 404)
        self.assertFalse(Decision.objects.exists())
        self.assertEqual(AccessEvent.objects.filter(action="denied", user=self.bob).count(), 2)
        self.assertFalse(AccessEvent.objects.filter(action__in=["read", "create"]).exists())

    def test_it_is_404_for_a_colleague_without_the_case(self) -> None:
        """T3: Anna, same municipality, other unit."""
        self.login(self.anna)
        r = self.post(not_heard_reason="urgency")
        self.assertEqual(r.status_code, 404)
        self.assertFalse(Decision.objects.exists())

    def test_it_refuses_the_leader_and_saves_nothing(self) -> None:
        """Leo reads the case but may not record on it: 403, logged, nothing saved."""
        self.login(self.leo)
        for method in ["get", "post"]:
            r = getattr(self.client, method)(self.url, decision_data(not_heard_reason="urgency"))
            self.assertEqual(r.status_code, 403)
        self.assertFalse(Decision.objects.exists())
        self.assertEqual(AccessEvent.objects.filter(action="denied", user=self.leo).count(), 2)
        self.assertFalse(AccessEvent.objects.filter(action__in=["create", "read"]).exists())

    def test_it_refuses_the_administrator(self) -> None:
        self.login(self.ada)
        r = self.post(not_heard_reason="urgency")
        self.assertEqual(r.status_code, 403)
        self.assertFalse(Decision.objects.exists())

    def test_it_writes_the_access_events(self) -> None:
        """T5: the form is a read of the case; saving is a create, naming child and decision."""
        self.login(self.alice)
        self.client.get(self.url)
        read = AccessEvent.objects.get(action="read")
        self.assertEqual(
            (read.user, read.child, read.object_code),
            (self.alice, self.case_a.child, str(self.case_a.code)),
        )
        self.post(not_heard_reason="urgency")
        decision = Decision.objects.get()
        create = AccessEvent.objects.get(action="create")
        self.assertEqual(create.user, self.alice)
        self.assertEqual(create.role, "caseworker")
        self.assertEqual(create.municipality, self.nordby)
        self.assertEqual(create.child, self.case_a.child)
        self.assertEqual(create.object_type, "Decision")
        self.assertEqual(create.object_code, str(decision.code))

    def test_it_saves_once_for_a_form_sent_again(self) -> None:
        """T20: the same form (the same one-time token) sent three times makes one decision,
        and every answer leads to it."""
        self.login(self.alice)
        answers = [self.post(not_heard_reason="urgency") for _ in range(3)]
        decision = Decision.objects.get()
        for r in answers:
            self.assertRedirects(r, decision.get_absolute_url())
        self.assertEqual(AccessEvent.objects.filter(action="create").count(), 1)
        self.post(not_heard_reason="urgency", submit_token="")  # a new form: a new decision
        self.assertEqual(Decision.objects.count(), 2)

    def test_it_refuses_a_token_used_in_another_case(self) -> None:
        self.login(self.alice)
        self.post(not_heard_reason="urgency")
        Assignment.objects.filter(case=self.case_a2).update(caseworker=self.alice)
        r = self.client.post(
            f"/afgoerelser/ny/{self.case_a2.code}/", decision_data(not_heard_reason="urgency")
        )
        self.assertContains(r, "Formularen var allerede brugt.")
        self.assertEqual(list(Decision.objects.values_list("case", flat=True)), [self.case_a.pk])

    def test_it_answers_the_htmx_date_check(self) -> None:
        make_conversation(self.case_a, self.alice, DECIDED_ON - timedelta(days=5))
        self.login(self.alice)
        headers = {"HX-Request": "true"}
        r = self.client.get(self.url, {"decided_on": DECIDED_ON.isoformat()}, headers=headers)
        self.assertContains(r, "Seneste børnesamtale: 27. maj 2025 — barnet er hørt.")
        self.assertNotContains(r, "<form")
        r = self.client.get(self.url, {"decided_on": "2025-12-01"}, headers=headers)
        self.assertContains(r, "Barnet er ikke hørt")
        r = self.client.get(self.url, {"decided_on": "nonsense"}, headers=headers)
        self.assertContains(r, "Skriv en gyldig dato for at se, om barnet er hørt.")
        self.assertEqual(AccessEvent.objects.filter(action="read").count(), 3)

    # Expect 11 queries for the form, whatever the number of conversations and decisions:
    #   1 session, 2 user, 3 OTP device, 4 memberships,
    #   5 the case with child, unit, municipality and its due rules joined (only if Alice may
    #   see it), 6 the latest conversation on or before today,
    #   7 SAVEPOINT, 8 lock the chain head, 9 insert the access event, 10 move the chain head,
    #   11 RELEASE SAVEPOINT.
    FORM_QUERIES = 11

    def assert_form_queries(self) -> None:
        self.login(self.alice)
        self.client.get(self.url)
        prime_session(self.client)
        with self.assertNumQueries(self.FORM_QUERIES):
            r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)

    def test_it_shows_the_form_in_constant_queries(self) -> None:
        make_conversation(self.case_a, self.alice, DECIDED_ON)
        self.assert_form_queries()

    def test_it_shows_the_form_in_the_same_queries_for_many_rows(self) -> None:
        """House style rule 26: 30 conversations and 10 decisions cost what one did."""
        for n in range(30):
            make_conversation(self.case_a, self.alice, DECIDED_ON - timedelta(days=n))
        for _ in range(10):
            make_decision(self.case_a, self.alice)
        self.assert_form_queries()
