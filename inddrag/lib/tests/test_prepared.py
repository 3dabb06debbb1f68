from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock
from uuid import UUID

from django.db.models import Count, QuerySet
from django.db.models.sql.compiler import SQLCompiler

from inddrag.children.models import Case, Handover, Measure
from inddrag.lib.prepared import Prepared
from inddrag.test import BaseTestCase, make_measure

NOW = datetime(1901, 2, 3, 4, 5, 6, 7, tzinfo=UTC)


def _cases(municipality_id: int, code: UUID) -> QuerySet[Case]:
    return (
        Case.objects.filter(municipality_id=municipality_id, code=code)
        .select_related("child", "unit")
        .order_by("pk")
    )


def _measures(case_id: int, today: date) -> QuerySet[Measure]:
    return (
        Measure.objects.filter(case_id=case_id)
        .exclude(ended_on__lt=today)
        .order_by("-started_on", "-pk")
    )


def _handovers(case_id: int, since: datetime) -> QuerySet[Handover, Any]:
    return (
        Handover.objects.filter(case_id=case_id, handed_over_at__gt=since)
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"))
        .values("n")
    )


class PreparedTestCase(BaseTestCase):
    """lib/prepared.py: a queryset's SQL built once, run with each request's values."""

    def test_it_returns_what_the_queryset_returns(self) -> None:
        cases = Prepared(_cases, municipality_id=-1, code=UUID(int=7))
        for case in (self.case_a, self.case_b):
            (found,) = cases(municipality_id=case.municipality_id, code=case.code)
            self.assertEqual(found, case)
            self.assertEqual(found.child.first_name, case.child.first_name)
            self.assertEqual(found.unit, case.unit)
        # Another municipality's id with the same code finds nothing.
        self.assertEqual(
            cases(municipality_id=self.case_b.municipality_id, code=self.case_a.code), []
        )

    def test_it_joins_related_rows_in_the_one_query(self) -> None:
        cases = Prepared(_cases, municipality_id=-1, code=UUID(int=7))
        cases(municipality_id=self.case_a.municipality_id, code=self.case_a.code)  # built
        with self.assertNumQueries(1):
            (found,) = cases(municipality_id=self.case_a.municipality_id, code=self.case_a.code)
            self.assertEqual(found.child.pk, self.case_a.child_id)
            self.assertEqual(found.unit.name, self.case_a.unit.name)

    def test_it_builds_the_sql_only_once(self) -> None:
        cases = Prepared(_cases, municipality_id=-1, code=UUID(int=7))
        built = []
        as_sql = SQLCompiler.as_sql

        def counting(compiler: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
            built.append(compiler.query.model)
            return as_sql(compiler, *args, **kwargs)

        with mock.patch.object(SQLCompiler, "as_sql", counting):
            for case in (self.case_a, self.case_a2, self.case_b):
                cases(municipality_id=case.municipality_id, code=case.code)
        self.assertEqual(built, [Case])

    def test_it_takes_dates_and_times(self) -> None:
        """Dates and times reach the database as the ORM would hand them over (a string on
        SQLite, a timestamp on PostgreSQL)."""
        make_measure(self.case_a, started_on=date(2024, 1, 1), ended_on=date(2024, 3, 1))
        ongoing = make_measure(self.case_a, started_on=date(2024, 2, 1))
        measures = Prepared(_measures, case_id=-1, today=date(1901, 1, 1))
        self.assertEqual(len(measures(case_id=self.case_a.pk, today=date(2024, 2, 15))), 2)
        self.assertEqual(measures(case_id=self.case_a.pk, today=date(2024, 3, 2)), [ongoing])

        now = datetime(2025, 6, 1, 12, tzinfo=UTC)
        for days in (10, 20, 400):
            Handover.objects.create(
                municipality=self.case_a.municipality,
                case=self.case_a,
                from_caseworker=self.alice,
                to_caseworker=self.alice,
                written_by=self.alice,
                handed_over_at=now - timedelta(days=days),
                child_story="Hun kan lide heste.",
            )
        handovers = Prepared(_handovers, case_id=-1, since=NOW)
        since = now - timedelta(days=365)
        self.assertEqual(handovers(case_id=self.case_a.pk, since=since), [{"n": 2}])
        self.assertEqual(
            list(_handovers(self.case_a.pk, since)), handovers(case_id=self.case_a.pk, since=since)
        )
        self.assertEqual(handovers(case_id=self.case_a2.pk, since=since), [])

    def test_it_refuses_a_stand_in_the_sql_does_not_use(self) -> None:
        """A change of the query that drops a filter fails at once instead of reading too much."""
        unfiltered = Prepared(lambda case_id: Measure.objects.order_by("pk"), case_id=-1)
        with self.assertRaisesRegex(RuntimeError, "does not use the stand-ins"):
            unfiltered(case_id=self.case_a.pk)

    def test_it_refuses_equal_stand_ins(self) -> None:
        same = Prepared(_cases, municipality_id=7, code=UUID(int=7))
        same_ids = Prepared(
            lambda a, b: Measure.objects.filter(case_id=a, pk=b).order_by("pk"), a=-1, b=-1
        )
        same(municipality_id=self.case_a.municipality_id, code=self.case_a.code)  # int vs UUID
        with self.assertRaisesRegex(RuntimeError, "are equal"):
            same_ids(a=1, b=2)

    def test_it_wants_every_value(self) -> None:
        cases = Prepared(_cases, municipality_id=-1, code=UUID(int=7))
        with self.assertRaises(TypeError):
            cases(municipality_id=self.case_a.municipality_id)
