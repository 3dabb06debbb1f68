from __future__ import annotations

from inddrag.audit.models import AccessEvent
from inddrag.test import BaseTestCase


class CaseDetailTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.url = self.case_a.get_absolute_url()

    def test_it_shows_the_case_with_masked_cpr(self) -> None:
        self.login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Asta")
        self.assertContains(r, self.case_a.child.masked_cpr)
        self.assertNotContains(r, self.case_a.child.cpr)

    def test_it_records_the_read_in_the_access_log(self) -> None:
        """T5: the read of a child's data is logged with user, municipality and child."""
        self.login(self.alice)
        self.client.get(self.url)
        event = AccessEvent.objects.get(action=AccessEvent.Action.READ)
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.municipality, self.nordby)
        self.assertEqual(event.child, self.case_a.child)
        self.assertEqual(event.role, "caseworker")
        self.assertEqual(event.object_code, str(self.case_a.code))
        self.assertEqual(event.path, self.url)
        self.assertEqual(len(event.request_id), 32)

    def test_it_is_404_for_another_municipality(self) -> None:
        """T1: Bob of Sydby cannot see Nordby's case, and the denial is logged."""
        self.login(self.bob)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 404)
        self.assertFalse(AccessEvent.objects.filter(action="read").exists())
        self.assertTrue(AccessEvent.objects.filter(action="denied", user=self.bob).exists())

    def test_it_is_404_for_a_colleague_without_the_case(self) -> None:
        """T3: Anna, same municipality, other unit, has no relation to Case A."""
        self.login(self.anna)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_lets_the_unit_leader_read(self) -> None:
        self.login(self.leo)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_it_refuses_the_administrator(self) -> None:
        self.login(self.ada)
        self.assertEqual(self.client.get(self.url).status_code, 403)
