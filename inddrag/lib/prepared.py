"""Querysets whose SQL the ORM builds once (house style rule 11: the query shapes of a page).

Building the SQL of a queryset with joins, ordering and subqueries costs the ORM 0.5–4 ms of
Python; SQLite runs most of the case page's queries in a tenth of that. A page that is measured
(bench/) keeps the SQL of its fixed-shape querysets: `Prepared` builds the queryset once per
database connection with stand-in values, keeps the SQL and the compiler's description of the
columns, and each run puts the real values where the stand-ins were. The ORM still turns the rows
into objects as usual: select_related, annotations, `values()` and the backend's converters work
as with the queryset itself.

Only the values change between runs, never the shape: a value that changes the SQL (a list of
ids for `__in`, an optional filter, a role that picks another join) needs one `Prepared` per
shape. A stand-in that does not end up among the SQL's parameters is an error at the first run,
so a shape change cannot silently drop a filter.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet[Any]
    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]
    slots: tuple[str | None, ...]  # for each parameter: the stand-in it came from, or None


def _as_param(connection: BaseDatabaseWrapper, value: object) -> object:
    """A value as the ORM hands it to this backend as a query parameter."""
    ops = connection.ops
    if isinstance(value, datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return ops.adapt_datefield_value(value)
    if isinstance(value, UUID) and not connection.features.has_native_uuid_field:
        return value.hex
    return value


class Prepared[M: Model, R]:
    """A queryset of one fixed shape whose SQL is built once per database connection.

    `build` makes the queryset from keyword values; `standins` are values for building it that
    no real row has (e.g. a negative id), each of a type the real values share. Calling the
    object with the real values runs the query and returns the rows as the queryset would.
    """

    def __init__(self, build: Callable[..., QuerySet[M, R]], **standins: object) -> None:
        self._build = build
        self._standins = standins
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()

    def __call__(self, **values: object) -> list[R]:
        using = DEFAULT_DB_ALIAS  # the project has one database
        if values.keys() != self._standins.keys():
            raise TypeError(f"expected values for {sorted(self._standins)}, got {sorted(values)}")
        connection = connections[using]
        compiled = self._compiled_for(connection, using)
        params = tuple(
            param if slot is None else _as_param(connection, values[slot])
            for param, slot in zip(compiled.params, compiled.slots, strict=True)
        )
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connection  # this thread's connection, not the one that built it
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, params)  # type: ignore[method-assign,assignment]
        queryset = compiled.queryset._chain()  # type: ignore[attr-defined]
        # The copy of the query hands out the prepared compiler; the kept queryset is untouched.
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)

    def _compiled_for(self, connection: BaseDatabaseWrapper, using: str) -> _Compiled:
        key = (using, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key) or self._compile(connection, using)
                self._compiled[key] = compiled
        return compiled

    def _compile(self, connection: BaseDatabaseWrapper, using: str) -> _Compiled:
        queryset = self._build(**self._standins).using(using)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        wanted = {name: _as_param(connection, value) for name, value in self._standins.items()}
        slots: list[str | None] = []
        for param in params:
            names = [name for name, value in wanted.items() if _same(param, value)]
            if len(names) > 1:
                raise RuntimeError(f"stand-ins {names} are equal: give each its own value")
            slots.append(names[0] if names else None)
        missing = set(wanted) - set(slots)
        if missing:
            raise RuntimeError(f"the SQL does not use the stand-ins {sorted(missing)}")
        return _Compiled(queryset, compiler, sql, tuple(params), tuple(slots))


def _same(param: object, value: object) -> bool:
    # `True == 1` in Python: a boolean parameter is never a stand-in for a number.
    return type(param) is type(value) and param == value
