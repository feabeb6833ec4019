"""Engines from URLs, health checks and log pseudonyms."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.storage.db import create_engine, normalize_url, ping
from bot.storage.locks import KeyedLocks
from bot.storage.pseudonym import pseudonym
from dialogs.events import UserRef


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p%40ss@db:5432/app", "postgresql+asyncpg://u:p%40ss@db:5432/app"),
        ("postgres://u@db/app", "postgresql+asyncpg://u@db/app"),
        ("postgresql+asyncpg://u@db/app", "postgresql+asyncpg://u@db/app"),
        ("postgres://u@db/app?sslmode=require", "postgresql+asyncpg://u@db/app?ssl=require"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("sqlite:///:memory:", "sqlite+aiosqlite:///:memory:"),
    ],
)
def test_normalize_url_picks_the_async_drivers(given: str, expected: str) -> None:
    assert normalize_url(given) == expected


def test_normalize_url_creates_the_sqlite_folder(tmp_path: Path) -> None:
    path = tmp_path / "var" / "deep" / "bot.db"
    assert normalize_url(f"sqlite:///{path}") == f"sqlite+aiosqlite:///{path}"
    assert path.parent.is_dir()


def test_normalize_url_refuses_other_databases() -> None:
    with pytest.raises(ValueError, match="mysql"):
        normalize_url("mysql://u@db/app")


async def test_sqlite_connections_get_their_pragmas(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        async with engine.connect() as conn:
            pragmas = {
                name: (await conn.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
        assert pragmas == {
            "journal_mode": "wal",
            "synchronous": 1,
            "foreign_keys": 1,
            "busy_timeout": 5000,
        }
        assert engine.pool.size() == 1  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_ping(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await ping(engine) is True
    finally:
        await engine.dispose()


async def test_ping_says_false_when_nothing_answers() -> None:
    engine = create_engine("postgresql://nobody@127.0.0.1:1/none")
    try:
        assert await ping(engine) is False
    finally:
        await engine.dispose()


def test_pseudonyms_are_stable_short_and_keyed() -> None:
    amina = UserRef("telegram", "42")
    assert pseudonym(amina, b"k1") == pseudonym(UserRef("telegram", "42"), b"k1")
    assert len(pseudonym(amina, b"k1")) == 12
    assert pseudonym(amina, b"k1") != pseudonym(amina, b"k2")
    assert pseudonym(amina, b"k1") != pseudonym(UserRef("whatsapp", "42"), b"k1")
    assert "42" not in pseudonym(UserRef("telegram", "424242424242"), b"k1")


async def test_a_connection_returned_inside_a_transaction_is_rolled_back(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
            await conn.commit()
        async with engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            await driver.execute("INSERT INTO t VALUES (1)")  # left uncommitted on purpose
        async with engine.connect() as conn:
            assert not driver.in_transaction
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
    finally:
        await engine.dispose()


async def test_keyed_locks_serialise_in_order_and_clean_up() -> None:
    locks, seen = KeyedLocks(), []

    async def work(key: str, n: int) -> None:
        async with locks.hold(key):
            seen.append((key, n, "in"))
            await asyncio.sleep(0)
            seen.append((key, n, "out"))

    await asyncio.gather(*(work("a", n) for n in range(3)), work("b", 0))
    a_events = [event for event in seen if event[0] == "a"]
    assert a_events == [("a", n, step) for n in range(3) for step in ("in", "out")]
    assert seen.index(("b", 0, "in")) < seen.index(("a", 0, "out"))  # other keys do not wait
    assert len(locks) == 0


async def test_an_in_memory_database_serialises_its_users() -> None:
    engine = create_engine("sqlite://")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
            await conn.commit()
        async with engine.connect() as conn:  # the same database: the connection was kept
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
    finally:
        await engine.dispose()
