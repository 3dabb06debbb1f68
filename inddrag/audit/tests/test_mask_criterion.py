from __future__ import annotations

from django.test import SimpleTestCase

from inddrag.audit.log import mask_criterion


class MaskCriterionTestCase(SimpleTestCase):
    """T7: no raw CPR number in the access log, and object ids kept whole."""

    def test_it_masks_cpr_numbers_however_typed(self) -> None:
        for typed, masked in [
            ("0523121234", "052312-xxxx"),
            ("052312-1234", "052312-xxxx"),
            ("052312 1234", "052312-xxxx"),
            ("05 23 12 12 34", "05 23 12-xxxx"),
        ]:
            with self.subTest(typed=typed):
                self.assertEqual(mask_criterion(f"q={typed}"), f"q={masked}")

    def test_it_keeps_a_uuid_whole_even_when_its_digits_look_like_a_cpr_number(self) -> None:
        # "27-9119-3625" is ten digits with dashes, inside a UUID (seen in CI once).
        code = "a7fd3818-81bc-4e27-9119-3625bb3ff7ec"
        self.assertEqual(mask_criterion(f"conversation {code}"), f"conversation {code}")
        self.assertEqual(mask_criterion(f"case {code} q=0523121234"), f"case {code} q=052312-xxxx")
