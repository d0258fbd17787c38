"""Statements on hot paths (the trading reads, an update's store, the journal writer), run on
the driver's cursor.

SQLAlchemy builds each statement and compiles it once per dialect, and each column's type
still converts what the driver returns (UUIDs, times, JSON documents) or, for the journal's
INSERT, what it is given; what is skipped is the ORM and the per-call parameter and result
machinery, which cost three to four times the query itself on SQLite (70 of 90 µs for one
indexed row). Values bound to a SELECT, or to a write not marked `typed`, must be plain str,
int or None: no bind conversion is applied to them.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import Dialect

from . import read_memo
from .extensions import db
from .models import dump_json


class Prepared:
    """One SELECT, compiled per dialect on first use; answers tuples of converted values.
    `remembered`: its answers are kept until a write (read_memo.py); callers must not change
    them. `config_free`: they show no plant's time configs or version, and are kept across
    the stores of a trading update."""

    def __init__(self, statement: sa.Select, remembered: bool = False,
                 config_free: bool = False):
        self.statement = statement
        self.remembered = remembered
        self.config_free = config_free
        self._compiled: dict[str, _Compiled] = {}

    def first(self, params: Mapping[str, Any]) -> tuple | None:
        rows = self._answer(params, one=True)
        return rows[0] if rows else None

    def all(self, params: Mapping[str, Any]) -> list[tuple]:
        return self._answer(params, one=False)

    def _answer(self, params: Mapping[str, Any], one: bool) -> list[tuple]:
        memo = current_app.extensions.get("voke_esm_read_memo") if self.remembered else None
        if memo is None:
            return self._run(params, one)
        return memo.get((self, one, *sorted(params.items())), lambda: self._run(params, one),
                        self.config_free)

    def _run(self, params: Mapping[str, Any], one: bool) -> list[tuple]:
        engine = db.engine
        compiled = self._compiled.get(engine.dialect.name)
        if compiled is None:
            compiled = self._compiled[engine.dialect.name] = _Compiled(self.statement,
                                                                       engine.dialect)
        with alone(engine) as cursor:
            cursor.execute(compiled.sql, compiled.bind(params))
            fetched = cursor.fetchmany(1) if one else cursor.fetchall()
            convert = compiled.converters(cursor.description)
        return [_converted(row, convert) for row in fetched] if convert else fetched


@contextmanager
def alone(engine: sa.Engine, write: bool = False, configs: bool = False) -> Iterator:
    """A cursor on a pooled connection whose statement is a transaction of its own. psycopg
    runs it in autocommit: it would BEGIN before it, and the pool would send a ROLLBACK (or,
    for a write, we a COMMIT) when it is done, two round trips one statement needs neither of.
    Other drivers: a write is committed at the end, a read rolled back by the pool. A write
    also tells the read memo (read_memo.py), as a commit's events do; `configs`: it changes
    plants' time configs and versions (and revisions) and nothing else."""
    connection = engine.raw_connection()
    driver = connection.dbapi_connection
    autocommit = getattr(driver, "autocommit", None) is False
    try:
        if write:
            read_memo.before_write(current_app, connection, configs)
        if autocommit:
            driver.autocommit = True
        cursor = connection.cursor()
        try:
            yield cursor
            if write and not autocommit:
                connection.commit()
        finally:
            cursor.close()
            if autocommit:
                driver.autocommit = False
    finally:
        connection.close()


class PreparedWrite:
    """One INSERT, UPDATE or DELETE compiled per dialect, run on a cursor the caller holds
    (in the caller's transaction). Bound values: plain str, int or None; or, when `typed`,
    whatever their parameters' types convert (UUIDs, times, JSON documents)."""

    def __init__(self, statement, typed: bool = False):
        self.statement = statement
        self.typed = typed
        self._compiled: dict[str, _Compiled] = {}

    def execute(self, cursor, dialect: Dialect, params: Mapping[str, Any]) -> None:
        """Run it; the driver's IntegrityError is raised as SQLAlchemy's, as the session would
        raise it."""
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled(self.statement, dialect,
                                                                self.typed)
        try:
            cursor.execute(compiled.sql, compiled.bind(params))
        except dialect.loaded_dbapi.IntegrityError as error:
            raise sa.exc.IntegrityError(compiled.sql, None, error) from error

    def returned(self, cursor, dialect: Dialect, params: Mapping[str, Any]) -> tuple | None:
        """The first row a statement with RETURNING answers, as the driver gives it."""
        self.execute(cursor, dialect, params)
        rows = cursor.fetchall()  # all: SQLite finishes the statement only once they are read
        return rows[0] if rows else None


class PreparedInsert:
    """One INSERT of every column of a table, compiled per dialect, its values converted by
    their column types: for many rows at once on a connection the caller holds (the journal
    writer's hundreds a flush, which SQLAlchemy's per-row parameter handling doubled). On
    PostgreSQL the rows go in by COPY, which costs the server a fraction of an INSERT a row; on
    SQLite by INSERTs of ROWS_PER_VALUES rows each: sqlite3's executemany steps once a row, and
    lets go of the GIL and takes it back each time, which the journal's writer thread paid for
    in thread switches while requests held it."""

    ROWS_PER_VALUES = 16  # an INSERT's rows (SQLite's oldest limit: 999 parameters)

    def __init__(self, table: sa.Table, columns: list[str]):
        self.table = table
        self.columns = columns
        self._values = operator.itemgetter(*columns) if len(columns) > 1 else (
            lambda row: (row[columns[0]],))
        self._compiled: dict[str, _InsertPlan] = {}

    def bind(self, dialect: Dialect, rows: list[Mapping[str, Any]]) -> list[list]:
        """Each row's values in column order, converted (JSON documents serialised, say): done
        before the caller takes a write lock. A journal flush binds hundreds of rows, most of
        their values None or needing no conversion: only the others are converted."""
        plan = self._compiled.get(dialect.name)
        if plan is None:
            plan = self._compiled[dialect.name] = self._compile(dialect)
        values = [list(row) for row in map(self._values, rows)]
        for row in values:
            for index, f, none in plan.convert:
                value = row[index]
                row[index] = none if value is None else f(value)
        return values

    def write(self, cursor, dialect: Dialect, values: list[list]) -> None:
        """Store rows `bind` made for this dialect."""
        plan = self._compiled[dialect.name]
        if plan.kind == "copy":
            with cursor.copy(plan.sql) as copy:
                for row in values:
                    copy.write_row(row)
        elif plan.kind == "values":
            # One INSERT of ROWS_PER_VALUES rows, the rest one by one: two statements in all,
            # as sqlite3 keeps each statement it ran, with its last values, for the connection.
            whole = len(values) - len(values) % self.ROWS_PER_VALUES
            for start in range(0, whole, self.ROWS_PER_VALUES):
                cursor.execute(plan.sql, list(itertools.chain.from_iterable(
                    values[start:start + self.ROWS_PER_VALUES])))
            cursor.executemany(plan.one, values[whole:])
        else:
            cursor.executemany(plan.sql, [dict(zip(self.columns, row, strict=True))
                                          for row in values])

    def _compile(self, dialect: Dialect) -> _InsertPlan:
        types = [self.table.c[name].type.dialect_impl(dialect) for name in self.columns]
        processors = [kind.bind_processor(dialect) for kind in types]
        if dialect.name == "postgresql":
            # COPY sends text: a JSON document goes as the engine's serializer writes it, not
            # wrapped for psycopg's JSON dumper to call that serializer again (for three
            # documents a row, half the cost of COPY's write_row).
            processors = [dump_json if isinstance(getattr(kind, "impl_instance", kind), sa.JSON)
                          else f for kind, f in zip(types, processors, strict=True)]
        # (index, conversion, what it makes of None): JSON makes it "null", once.
        convert = [(index, f, f(None)) for index, f in enumerate(processors) if f]
        quote = dialect.identifier_preparer
        into = (f"{quote.format_table(self.table)} ("
                + ", ".join(quote.quote(self.table.c[name].name) for name in self.columns) + ")")
        if dialect.name == "postgresql":
            return _InsertPlan("copy", f"COPY {into} FROM STDIN", convert)
        if dialect.paramstyle == "qmark":
            row = "(" + ", ".join("?" * len(self.columns)) + ")"
            one = f"INSERT INTO {into} VALUES {row}"  # noqa: S608 - names from our own table,
            return _InsertPlan("values", one + f", {row}" * (self.ROWS_PER_VALUES - 1),
                               convert, one)  # quoted; values bound
        statement = sa.insert(self.table).values(
            {name: sa.bindparam(name, type_=self.table.c[name].type) for name in self.columns})
        return _InsertPlan("named", statement.compile(dialect=dialect).string, convert)


@dataclass(frozen=True)
class _InsertPlan:
    kind: str  # "copy" (PostgreSQL), "values" (rows in a multi-row VALUES), "named"
    sql: str
    convert: list[tuple[int, Callable, Any]]
    one: str = ""  # for "values": the INSERT of one row


def _converted(row: tuple, convert: list[tuple[int, Callable]]) -> tuple:
    values = list(row)
    for index, f in convert:
        values[index] = f(values[index])
    return tuple(values)


class _Compiled:
    """A statement's SQL for one dialect, its parameters in the driver's style, and (for a
    SELECT) its columns' conversions, which depend on the driver's type codes, known once the
    statement has run."""

    def __init__(self, statement, dialect: Dialect, typed: bool = False):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self._order = tuple(compiled.positiontup) if compiled.positional else None
        self._defaults = dict(compiled.params)
        # By name: a parameter used twice (plant_id in an UPDATE and its subquery) is one value.
        conversions = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                       for bind, name in compiled.bind_names.items()} if typed else {}
        self._bind_conversions = [(name, f) for name, f in conversions.items() if f]
        self._types = [column.type.dialect_impl(dialect) for column in
                       getattr(statement, "selected_columns", ())]  # none for a DELETE
        self._dialect = dialect
        self._converters: list[tuple[int, Callable]] | None = None

    def bind(self, params: Mapping[str, Any]) -> tuple | dict:
        values = {**self._defaults, **params}
        for name, f in self._bind_conversions:
            values[name] = f(values[name])
        return tuple(values[name] for name in self._order) if self._order else values

    def converters(self, description) -> list[tuple[int, Callable]]:
        """(column index, conversion) for the columns that need one."""
        if self._converters is None:
            processors = [kind.result_processor(self._dialect, column[1])
                          for kind, column in zip(self._types, description, strict=True)]
            self._converters = [(index, f) for index, f in enumerate(processors) if f]
        return self._converters
