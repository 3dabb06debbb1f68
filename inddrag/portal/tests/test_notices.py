from __future__ import annotations

from django.core import mail
from django.test import override_settings

from inddrag.children.services import hand_over_case
from inddrag.municipalities.models import Membership
from inddrag.portal.notify import LocmemSMSBackend
from inddrag.test import BaseTestCase, make_child_access, make_member

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
NOTICE = "Du har en ny besked i Inddrag."


@override_settings(TASKS=IMMEDIATE)
class NoticesTestCase(BaseTestCase):
    """Notices to the child (issue 5, point 5): on commit only, by SMS when the child gave a
    phone number, else by e-mail, and never with any content."""

    def setUp(self) -> None:
        LocmemSMSBackend.outbox.clear()
        self.carl = make_member("carl", self.nordby, Membership.Role.CASEWORKER, self.vest)

    def hand_over(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            hand_over_case(
                self.case_a,
                by=self.alice,
                membership=Membership.objects.get(user=self.alice),
                to_caseworker=self.carl,
                child_story="Asta elsker heste og vil gerne tale om sin lillebror.",
            )

    def test_it_tells_the_child_by_sms_that_there_is_news_and_nothing_else(self) -> None:
        make_child_access(self.case_a, self.alice, notify_phone="+4512345678")
        self.hand_over()
        self.assertEqual(LocmemSMSBackend.outbox, [("+4512345678", NOTICE)])
        self.assertEqual(mail.outbox, [])

    def test_it_uses_e_mail_without_a_phone_number(self) -> None:
        make_child_access(self.case_a, self.alice, notify_email="asta@example.com")
        self.hand_over()
        self.assertEqual([(m.to, m.subject, m.body) for m in mail.outbox], [
            (["asta@example.com"], NOTICE, NOTICE)
        ])  # fmt: skip
        self.assertNotIn("Carl", mail.outbox[0].body)

    def test_it_sends_nothing_to_a_child_without_access_or_contact(self) -> None:
        self.hand_over()
        make_child_access(self.case_a, self.alice)
        self.hand_over_back()
        self.assertEqual(LocmemSMSBackend.outbox, [])
        self.assertEqual(mail.outbox, [])

    def hand_over_back(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            hand_over_case(
                self.case_a,
                by=self.carl,
                membership=Membership.objects.get(user=self.carl),
                to_caseworker=self.alice,
                child_story="Asta elsker heste og vil gerne tale om sin lillebror.",
            )
