"""make_vignette: Case A as a pseudonymised story (T4: no name, CPR number, address or exact
date of the child in it; never the child's words for the caseworker alone)."""

from __future__ import annotations

import re
from datetime import date

from inddrag.children.models import NetworkMember
from inddrag.conversations.models import Statement
from inddrag.decisions.models import Decision
from inddrag.reflection.vignettes import case_names, make_vignette
from inddrag.test import (
    BaseTestCase,
    make_conversation,
    make_decision,
    make_measure,
    make_network_member,
)

TODAY = date(2026, 11, 23)


def build_case_a(test: BaseTestCase) -> None:
    """Case A full of case data: Asta Fiktivsen (CPR, birth date 5 March 2012), her mother
    Mette Hansen, her school, an address, exact dates and a secret for the caseworker alone."""
    case = test.case_a
    make_network_member(case, name="Mette Hansen", relation="mor", phone="12345678")
    make_network_member(case, name="Bakkeskolen", kind=NetworkMember.Kind.SCHOOL)
    make_measure(case)
    conversation = make_conversation(
        case,
        test.alice,
        "Jeg hedder Asta Fiktivsen og bor på Bakkevej 12, 2. tv., 2300 København S.",
        "Mette Hansen siger, at jeg skal i skole den 3. maj 2026.",
        held_on=date(2026, 5, 1),
        assessment=f"Asta (CPR {case.child.cpr[:6]}-{case.child.cpr[6:]}) virker tryg. "
        "Født 05-03-2012. Astas mor ringede 2026-04-30.",
        had_bisidder=True,
    )
    Statement.objects.create(
        municipality=test.nordby,
        conversation=conversation,
        child=case.child,
        text="Hemmeligt: jeg er bange for far.",
        sharing=Statement.Sharing.CASEWORKER,
        said_on=conversation.held_on,
        position=2,
    )
    make_decision(
        case,
        test.alice,
        title="Fortsat støtte til Asta",
        child_perspective="Asta vil gerne blive på Bakkeskolen. Hun sagde det 1.5.2026.",
        child_told_how="Alice Testesen fortalte det på skolen.",
        child_heard=True,
        not_heard_reason="",
    )


class MakeVignetteTestCase(BaseTestCase):
    def setUp(self) -> None:
        build_case_a(self)

    def test_it_leaves_out_every_name_cpr_address_and_exact_date_of_case_a(self) -> None:
        """T4: the acceptance of issue 7."""
        text = make_vignette(self.case_a, today=TODAY)
        child = self.case_a.child
        forbidden = [
            child.first_name,
            child.last_name,
            child.cpr,
            f"{child.cpr[:6]}-{child.cpr[6:]}",
            "Mette",
            "Hansen",
            "Bakkeskolen",
            "Bakkevej",
            "2300 København",
            "Alice",
            "Testesen",
            self.case_a.reference,
            "05-03-2012",
            "2012-03-05",
            "3. maj 2026",
            "2026-04-30",
            "1.5.2026",
            "2026-05-01",
            "12345678",
            "bange for far",  # the child's words for the caseworker alone
        ]
        for value in forbidden:
            with self.subTest(value=value):
                self.assertNotIn(value.lower(), text.lower())
        self.assertIsNone(re.search(r"\d{6}-?\d{4}", text))  # T4's CPR pattern

    def test_it_tells_the_story_with_bands_roles_and_the_childs_shared_words(self) -> None:
        text = make_vignette(self.case_a, today=TODAY)
        self.assertIn("Barnet er 13–14 år.", text)
        self.assertIn("Sagen har været åben i 1–2 år.", text)
        self.assertIn("- Forebyggende støtte (i gang)", text)
        self.assertIn("- Forældremyndighedsindehaver\n- Skole", text)
        self.assertIn("Samtale 1 (barnet havde en bisidder med)", text)
        self.assertIn(
            "»Jeg hedder [navn] og bor på [adresse].«\n"
            "»[navn] siger, at jeg skal i skole den [dato].«",
            text,
        )
        self.assertIn("[navn] (CPR [CPR-nummer]) virker tryg. Født [dato]. [navn] mor", text)
        self.assertIn("Afgørelse 1: Fortsat støtte til [navn]", text)
        self.assertIn("[navn] vil gerne blive på [navn]. Hun sagde det [dato].", text)
        self.assertIn("Sådan fik barnet det at vide:\n[navn] fortalte det på skolen.", text)
        self.assertIn("Barnet blev hørt før afgørelsen.", text)

    def test_it_removes_extra_names_too(self) -> None:
        self.case_a.conversations.first().statements.filter(position=0).update(  # type: ignore[union-attr]
            text="Min ven Kalle er sød."
        )
        self.assertIn("Kalle", make_vignette(self.case_a, today=TODAY))
        text = make_vignette(self.case_a, extra_names=["Kalle"], today=TODAY)
        self.assertNotIn("Kalle", text)
        self.assertIn("Min ven [navn] er sød.", text)

    def test_it_says_what_a_new_case_has_not(self) -> None:
        text = make_vignette(self.case_a2, today=TODAY)
        self.assertIn("- Ingen indsatser er registreret.", text)
        self.assertIn("- Intet netværk er registreret.", text)
        self.assertIn("Der er ikke registreret nogen børnesamtaler.", text)
        self.assertIn("Der er ikke truffet nogen afgørelser.", text)

    def test_it_names_the_reason_a_child_was_not_heard(self) -> None:
        make_decision(
            self.case_a2,
            self.anna,
            not_heard_reason=Decision.NotHeardReason.OTHER,
            not_heard_note="Aksel var syg 3. juni.",
        )
        text = make_vignette(self.case_a2, today=TODAY)
        self.assertIn("Barnet blev ikke hørt: Anden grund. [navn] var syg [dato].", text)

    def test_it_knows_the_names_of_the_case(self) -> None:
        names = case_names(self.case_a)
        for name in ["Asta", "Mette Hansen", "Bakkeskolen", "Alice Testesen", "alice"]:
            self.assertIn(name, names)
        self.assertIn(self.case_a.reference, names)
