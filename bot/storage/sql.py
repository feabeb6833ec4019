"""Plain SQL that SQLite and PostgreSQL both read, run on either kind of connection.

Named parameters (`:name`) everywhere. On SQLite, datetimes are stored as SQLAlchemy stores
them (text) and JSON as text; on PostgreSQL, parameters whose type the server cannot infer
(JSON, bytes, times) are typed explicitly. Rows come back as tuples; `utc()` and `as_json()`
read times and JSON back the same way on both.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import JSON, DateTime, LargeBinary

from bot.storage.statements import sqlite_time

Row = Sequence[Any]


class Runner(Protocol):
    """Runs one statement on a connection that is already in a transaction (or autocommits)."""

    async def run(self, sql: str, **params: Any) -> list[Row]:
        """Run `sql` and return its rows (none for writes without RETURNING)."""
        ...


class SqliteRunner:
    """Statements on a plain sqlite3 connection (the loop-thread connection of the turns)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    async def run(self, sql: str, **params: Any) -> list[Row]:
        """Run synchronously: a statement takes microseconds, a thread hop more."""
        return self.db.execute(sql, sqlite_params(params)).fetchall()


class PgRunner:
    """Statements on an async SQLAlchemy connection (asyncpg)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def run(self, sql: str, **params: Any) -> list[Row]:
        """Run with typed parameters where PostgreSQL cannot infer them."""
        result = await self.conn.execute(typed(sql, params), params)
        return list(result.all()) if result.returns_rows else []


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
