"""Engines from a DATABASE_URL (SQLite or PostgreSQL), health check, and programmatic migrations."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, PoolResetState

DEFAULT_URL = "sqlite:///var/imaginecole.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000
MIGRATION_LOCK = 7_316_070_109  # PostgreSQL advisory lock taken while migrating
PING_TIMEOUT = 5.0  # seconds; a health check must answer even when the database does not


def json_dumps(value: Any) -> str:
    """Compact JSON, Arabic or Wolof kept as UTF-8 rather than \\u escapes where possible."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate from a broken client: only escapes encode
        return json.dumps(value, separators=(",", ":"))
    return text


def normalize_url(url: str) -> str:
    """Turn sqlite:///path, postgres:// or postgresql:// into their async-driver URLs."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _create_sqlite_folder(parsed)
        # Only the scheme changes: re-rendering would percent-escape the path (":memory:").
        return "sqlite+aiosqlite" + url[url.index(":") :]
    if backend in ("postgresql", "postgres"):
        return _asyncpg_url(parsed).render_as_string(hide_password=False)
    raise ValueError(f"unsupported database URL scheme: {parsed.drivername!r}")


def _create_sqlite_folder(url: URL) -> None:
    """Create the folder of a SQLite file (./var/ on a fresh checkout)."""
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _asyncpg_url(url: URL) -> URL:
    """Use asyncpg; it spells libpq's `sslmode` as `ssl`."""
    query = dict(url.query)
    if "sslmode" in query:
        query["ssl"] = query.pop("sslmode")
    return url.set(drivername="postgresql+asyncpg", query=query)


def create_engine(url: str) -> AsyncEngine:
    """An async engine for `url`: one pooled connection on SQLite, a pool of 10+10 on PostgreSQL."""
    normalized = make_url(normalize_url(url))
    if normalized.get_backend_name() == "sqlite":
        return _sqlite_engine(normalized)
    return create_async_engine(
        normalized,
        pool_size=10,
        max_overflow=10,
        pool_recycle=1800,
        json_serializer=json_dumps,
        connect_args={"server_settings": {"application_name": "imaginecole"}},
    )


def _sqlite_engine(url: URL) -> AsyncEngine:
    """One pooled connection: SQLite serialises writers anyway, and one writer never sees
    "database is locked". Callers queue for it (up to a minute) in arrival order."""
    engine = create_async_engine(
        url,
        # Also for ":memory:": the default StaticPool would hand one connection to several
        # tasks at once, mixing their transactions.
        poolclass=AsyncAdaptedQueuePool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=60,
        # Reset by `_rollback_if_needed`: a blind rollback costs a thread hop per checkin.
        pool_reset_on_return=None,
        json_serializer=json_dumps,
    )
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine.pool, "reset", _rollback_if_needed)
    return engine


def open_sqlite(url: URL) -> sqlite3.Connection:
    """A plain sqlite3 connection for the store's turns, run on the event loop's thread.

    A turn's statements take microseconds; a thread hop per statement (aiosqlite) costs far
    more in context switches and GIL hand-overs than the statement itself. Transactions are
    explicit (BEGIN IMMEDIATE ... COMMIT), hence isolation_level=None.
    """
    path = url.database or ":memory:"
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    _sqlite_pragmas(connection, None)
    return connection


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL (readers never block the writer), no fsync per commit, enforced foreign keys, and
    deleted rows overwritten (an erased person must not stay readable in a free page; Debian's
    SQLite does it by default, other builds do not)."""
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "secure_delete=ON",
        f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _rollback_if_needed(dbapi_connection: Any, record: Any, state: PoolResetState) -> None:
    """Roll back a connection that comes back to the pool inside a transaction, only then."""
    if state.asyncio_safe and not state.terminate_only and record.driver_connection.in_transaction:
        dbapi_connection.rollback()


async def ping(engine: AsyncEngine) -> bool:
    """True when the database answers a trivial query within PING_TIMEOUT seconds."""
    try:
        async with asyncio.timeout(PING_TIMEOUT), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))  # SQL text: the smallest query there is
    except (SQLAlchemyError, OSError, TimeoutError):
        return False
    return True


def alembic_config(url: str) -> Config:
    """An Alembic config that finds the migrations inside the installed package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Passed as an attribute: set_main_option would choke on a "%" in a password.
    config.attributes["url"] = normalize_url(url)
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the schema to `revision` (blocking; call it outside any event loop)."""
    asyncio.run(migrate_async(url, revision))


async def migrate_async(url: str, revision: str = "head") -> None:
    """Upgrade the schema to `revision`."""
    await _run_alembic(url, lambda config: command.upgrade(config, revision))


async def downgrade_async(url: str, revision: str = "base") -> None:
    """Downgrade the schema to `revision` (tests and manual rollbacks)."""
    await _run_alembic(url, lambda config: command.downgrade(config, revision))


async def _run_alembic(url: str, action: Callable[[Config], None]) -> None:
    """Run an Alembic command on one connection, in one transaction where the engine allows."""
    config = alembic_config(url)
    engine = create_engine(url)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        action(config)

    try:
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Workers starting together migrate one after the other: the first upgrades,
                # the others wait for its commit and find the schema already at head.
                # SQL text: a PostgreSQL function, outside any table
                lock = text("SELECT pg_advisory_xact_lock(:key)")
                await conn.execute(lock, {"key": MIGRATION_LOCK})
            await conn.run_sync(run)
    finally:
        await engine.dispose()
