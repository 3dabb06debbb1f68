"""T13 for the training forms that take free input without a database: whatever is typed, the
form answers with a result or Danish field errors, never an exception."""

from __future__ import annotations

from datetime import date

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from inddrag.training.forms import EARLIEST, MAX_MATERIALS, ModuleForm, PeriodForm

TODAY = date(2026, 3, 31)
dates = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.text(max_size=20),
    st.just(""),
)


class FormsTestCase(SimpleTestCase):
    @settings(max_examples=300, deadline=None)
    @given(fra=dates, til=dates)
    def test_it_validates_any_period(self, fra: str, til: str) -> None:
        form = PeriodForm({"fra": fra, "til": til}, today=TODAY)
        if form.is_valid():
            start, end = form.period()
            self.assertLessEqual(EARLIEST, start)
            self.assertLessEqual(start, end)
            self.assertLessEqual((end - TODAY).days, 366)
        else:
            self.assertTrue(set(form.errors) <= {"fra", "til"})

    def test_it_defaults_to_the_last_three_months(self) -> None:
        form = PeriodForm({}, today=TODAY)
        self.assertTrue(form.is_valid())
        self.assertEqual(form.period(), (date(2025, 12, 31), TODAY))

    @settings(max_examples=200, deadline=None)
    @given(materials=st.text(max_size=600))
    def test_it_keeps_materials_one_a_line(self, materials: str) -> None:
        form = ModuleForm(
            {
                "title": "Modul",
                "audience": "caseworkers",
                "summary": "Indhold.",
                "materials": materials,
                "position": "10",
            }
        )
        if form.is_valid():
            lines = (
                form.cleaned_data["materials"].split("\n") if form.cleaned_data["materials"] else []
            )
            self.assertLessEqual(len(lines), MAX_MATERIALS)
            self.assertTrue(all(line and line == line.strip() for line in lines))
        else:
            self.assertEqual(set(form.errors), {"materials"})
