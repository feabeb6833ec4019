"""Statements that SQLite and PostgreSQL both read, run on either kind of connection.

Statements are SQLAlchemy Core constructs written against the table definitions of
`bot/storage/models.py` (`select(users.c.id).where(users.c.channel == bindparam("channel"))`),
so a renamed column fails in mypy and at import, not at run time. Each is compiled once per
dialect into SQL text with named parameters (`compiled()`), then run on the fast path of its
engine: the loop-thread sqlite3 connection, or asyncpg's cached statements through a typed
`text()`. A statement that differs between the engines (an upsert) is a `ByDialect` pair.
Plain SQL strings are still accepted for the documented exceptions (docs/architecture.md).

Named parameters (`:name`) everywhere. On SQLite, datetimes are stored as SQLAlchemy stores
them (text) and JSON as text; on PostgreSQL, parameters whose type the server cannot infer
(JSON, bytes, times) are typed explicitly. Rows come back as tuples; `utc()` and `as_json()`
read times and JSON back the same way on both.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import Insert, TextClause, bindparam, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.dialects.postgresql import psycopg2 as pg_dialect
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import JSON, DateTime, LargeBinary

from bot.storage.db import json_dumps

Row = Sequence[Any]


@dataclass(frozen=True, eq=False)
class ByDialect:
    """One statement written twice because the engines spell it differently (an upsert with
    `sqlite.insert(...).on_conflict_do_...` and `postgresql.insert(...)`)."""

    sqlite: ClauseElement
    postgresql: ClauseElement


def both(build: Callable[[Any], Any]) -> ByDialect:
    """An upsert written once for both engines: `build(insert)` with each dialect's insert
    (`both(lambda ins: ins(t).values(...).on_conflict_do_nothing())`)."""
    return ByDialect(sqlite=build(sqlite_dialect.insert), postgresql=build(postgresql.insert))


Statement = ClauseElement | ByDialect | str
"""What a Runner runs: a Core construct (the rule), a pair of them, or plain SQL (the
documented exceptions)."""


class Runner(Protocol):
    """Runs one statement on a connection that is already in a transaction (or autocommits)."""

    async def run(self, sql: Statement, **params: Any) -> list[Row]:
        """Run `sql` and return its rows (none for writes without RETURNING)."""
        ...


class SqliteRunner:
    """Statements on a plain sqlite3 connection (the loop-thread connection of the turns)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    async def run(self, sql: Statement, **params: Any) -> list[Row]:
        """Run synchronously: a statement takes microseconds, a thread hop more."""
        plain, values = for_sqlite(sql, params)
        return self.db.execute(plain, sqlite_params(values)).fetchall()


class PgRunner:
    """Statements on an async SQLAlchemy connection (asyncpg), or straight on asyncpg's
    connection under it when given (`raw`): only a connection whose transactions are not
    SQLAlchemy's to open (the learner's held one, in AUTOCOMMIT under SQLAlchemy, with BEGIN
    and COMMIT of our own: bot/storage/locks.py). There a statement costs the worker about a
    quarter of the CPU (bench/pg_statement.py), with the same SQL, casts and values as
    SQLAlchemy sends."""

    def __init__(self, conn: AsyncConnection, raw: Any = None) -> None:
        self.conn = conn
        self.raw = raw

    async def run(self, sql: Statement, **params: Any) -> list[Row]:
        """Run with typed parameters where PostgreSQL cannot infer them."""
        plain, values = for_postgresql(sql, params)
        if self.raw is not None:
            kinds = tuple((key, kind) for key, value in values.items() if (kind := _kind_of(value)))
            positional, names = _positional(plain, kinds)
            args = [_raw_value(values[name]) for name in names]
            return [tuple(record) for record in await self.raw.fetch(positional, *args)]
        result = await self.conn.execute(typed(plain, values), values)
        return list(result.all()) if result.returns_rows else []


def for_sqlite(sql: Statement, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """SQL text and parameters of a statement for SQLite."""
    if isinstance(sql, str):
        return sql, params
    return _expand(compiled(sql.sqlite if isinstance(sql, ByDialect) else sql, "sqlite"), params)


def for_postgresql(sql: Statement, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """SQL text and parameters of a statement for PostgreSQL."""
    if isinstance(sql, str):
        return sql, params
    chosen = sql.postgresql if isinstance(sql, ByDialect) else sql
    return _expand(compiled(chosen, "postgresql"), params)


@dataclass(frozen=True)
class Compiled:
    """A Core statement as SQL text of one dialect, with the values written in it."""

    sql: str
    defaults: dict[str, Any]  # literal values of the statement (`users.c.locale == "fr"`)
    expanding: SQLCompiler | None  # set when `column.in_(bindparam(..., expanding=True))`
    lists: tuple[str, ...] = ()  # the names of those parameters


_DIALECTS: dict[str, Dialect] = {
    "sqlite": sqlite_dialect.dialect(paramstyle="named"),
    # psycopg2's compiler casts few parameters (`:data::JSON`, rewritten as CAST for text())
    "postgresql": pg_dialect.dialect(paramstyle="named"),  # type: ignore[no-untyped-call]
}
_COMPILED: dict[tuple[int, str], tuple[ClauseElement, Compiled]] = {}
_CAST = re.compile(r"(?<![:\w]):(\w+)::(\w+)")  # `:data::JSON`, which text() would misread
_EXPANDED: dict[tuple[int, tuple[tuple[str, int], ...]], str] = {}
_COMPILED_MAX = 4096  # statements are module constants; a statement built per call is a bug


def compiled(statement: ClauseElement, dialect: str) -> Compiled:
    """`statement` compiled for `dialect` ("sqlite" or "postgresql"), once per statement."""
    key = (id(statement), dialect)
    found = _COMPILED.get(key)
    if found is not None and found[0] is statement:
        return found[1]
    given = statement
    if isinstance(statement, Insert) and not statement._returning:
        # PostgreSQL's compiler adds `RETURNING id` to an INSERT that names no id, for the
        # ORM; here it would only hand back rows nobody asked for.
        statement = statement.inline()
    done = statement.compile(dialect=_DIALECTS[dialect])
    assert isinstance(done, SQLCompiler)
    names = done.bind_names
    defaults = {names[b]: b.effective_value for b in done.binds.values() if not b.required}
    defaults.update(_column_defaults(done))
    lists = tuple(sorted({names[b] for b in done.binds.values() if b.expanding}))
    text_sql = (
        _CAST.sub(r"CAST(:\1 AS \2)", done.string) if dialect == "postgresql" else done.string
    )
    result = Compiled(text_sql, defaults, done if lists else None, lists)
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.clear()
        _EXPANDED.clear()
    _COMPILED[key] = (given, result)  # the statement is kept so its id is not reused
    return result


def _column_defaults(done: SQLCompiler) -> dict[str, Any]:
    """The Python-side defaults of the columns an INSERT or UPDATE does not name (the
    compiler writes them as parameters that SQLAlchemy would fill at execution)."""
    found: dict[str, Any] = {}
    for columns, kind in ((done.insert_prefetch, "default"), (done.update_prefetch, "onupdate")):
        for column in columns:
            default = getattr(column, kind)
            if default is None or not default.is_scalar:
                raise ValueError(f"{column}: name it in the statement (its {kind} is not a value)")
            found[column.key] = default.arg
    return found


def _expand(statement: Compiled, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The statement's text and values; `IN` lists written out as one parameter per item
    (an empty list matching nothing, as SQLAlchemy writes it for each engine)."""
    values = {**statement.defaults, **params} if statement.defaults else params
    if statement.expanding is None:
        return statement.sql, values
    expanding = statement.expanding
    shape = tuple((name, len(values[name])) for name in statement.lists)
    key = (id(expanding), shape)  # cleared with _COMPILED, which keeps `expanding` alive
    sql = _EXPANDED.get(key)
    if sql is None:  # SQLAlchemy writes each shape once (30 µs), then it is a dict lookup
        state = expanding.construct_expanded_state(values)
        sql = _CAST.sub(r"CAST(:\1 AS \2)", state.statement)
        if len(_EXPANDED) >= 4 * _COMPILED_MAX:  # statements times the list lengths met
            _EXPANDED.clear()
        _EXPANDED[key] = sql
    out = {k: v for k, v in values.items() if k not in dict(shape)}
    for name, count in shape:  # SQLAlchemy's names for the items: ids_1, ids_2, ...
        items = values[name]
        for i in range(count):
            out[f"{name}_{i + 1}"] = items[i]
    return sql, out


def sqlite_time(value: datetime | None) -> str | None:
    """A datetime as SQLAlchemy's SQLite DATETIME stores it (UTC, always 6 decimals)."""
    if value is None:
        return None
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(" ", timespec="microseconds")


def sqlite_params(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as SQLAlchemy's SQLite types store them (times as text, JSON as text)."""
    converted: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, datetime):
            value = sqlite_time(value)
        elif isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False)
        converted[key] = value
    return converted


def typed(sql: str, params: dict[str, Any]) -> Any:
    """A text() statement whose JSON, bytes and time parameters carry their SQL type."""
    kinds = tuple((key, kind) for key, value in params.items() if (kind := _kind_of(value)))
    return _typed_text(sql, kinds)


@lru_cache(maxsize=2048)
def _typed_text(sql: str, kinds: tuple[tuple[str, str], ...]) -> TextClause:
    """Built once per statement and parameter types: parsing the SQL for its parameters and
    typing them cost more CPU than asyncpg's whole execution of a cached statement."""
    return text(sql).bindparams(*(bindparam(key, type_=_TYPES[kind]()) for key, kind in kinds))


# A named parameter as SQLAlchemy's text() finds it (not `::type`, not `\\:`).
_NAMED = re.compile(r"(?<![:\w\x5c]):(\w+)(?!:)")
# The casts SQLAlchemy's asyncpg dialect writes after a typed parameter (`$1::JSON`).
_CASTS = {"json": "::JSON", "bytes": "::BYTEA", "time": "::TIMESTAMP WITH TIME ZONE"}


@lru_cache(maxsize=2048)
def _positional(sql: str, kinds: tuple[tuple[str, str], ...]) -> tuple[str, tuple[str, ...]]:
    """A named statement as asyncpg takes it, `$1`, `$2`... (a name used twice is one
    parameter), cast as SQLAlchemy casts it; and the names in their positions."""
    cast = dict(kinds)
    names: list[str] = []

    def number(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}{_CASTS.get(cast.get(name, ''), '')}"

    return _NAMED.sub(number, sql), tuple(names)


def _raw_value(value: Any) -> Any:
    """A parameter as SQLAlchemy's bind processing hands it to asyncpg: JSON as its text, a
    naive time as UTC (`UtcDateTime`; asyncpg would read it in the machine's zone)."""
    if isinstance(value, dict | list):
        return json_dumps(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


_TYPES: dict[str, Callable[[], Any]] = {
    "json": JSON,
    "bytes": LargeBinary,
    "time": lambda: DateTime(timezone=True),
}


def _kind_of(value: Any) -> str | None:
    """The SQL type PostgreSQL needs told for a parameter, when it cannot guess it."""
    if isinstance(value, dict | list):
        return "json"
    if isinstance(value, bytes):
        return "bytes"
    if isinstance(value, datetime):
        return "time"
    return None


def utc(value: Any) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands back text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_json(value: Any) -> Any:
    """A stored JSON value (SQLite hands back text)."""
    return json.loads(value) if isinstance(value, str | bytes) else value
