"""PostgreSQL statements straight on asyncpg (the learner's held connection) read and write
exactly what they do through SQLAlchemy: the same casts, the same values, the same rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import Insert, bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from bot.storage.db import create_engine
from bot.storage.models import lesson_progress, quiz_attempts, users
from bot.storage.records import SqlLearnerRecords
from bot.storage.sql import PgRunner, Statement, as_json, both, utc

NOW = datetime(2026, 12, 7, 21, 30, 15, 123456, tzinfo=UTC)


@asynccontextmanager
async def two_runners(database_url: str) -> AsyncIterator[tuple[PgRunner, PgRunner]]:
    """One connection, run through SQLAlchemy and straight on asyncpg under it, in AUTOCOMMIT
    like the learner's held connection."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the asyncpg path is PostgreSQL's")
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            raw = (await conn.get_raw_connection()).driver_connection
            yield PgRunner(conn), PgRunner(conn, raw)
    finally:
        await engine.dispose()


async def same(runners: tuple[PgRunner, PgRunner], sql: Statement, **params: object) -> list:
    """What both runners read for `sql`, asserted equal (as tuples, the Runner's rows)."""
    through, straight = runners
    expected = [tuple(row) for row in await through.run(sql, **params)]
    found = await straight.run(sql, **params)
    assert found == expected
    assert all(type(row) is tuple for row in found)
    return found


def a_learner(channel: str, external_id: str) -> Insert:
    """A learner's row, written now and on the menu."""
    return insert(users).values(
        channel=channel,
        external_id=external_id,
        state_step="menu",
        state_data={},
        state_prompt=0,
        created_at=NOW,
        last_seen_at=NOW,
    )


async def test_typed_values_and_a_name_used_twice_read_the_same(database_url: str) -> None:
    async with two_runners(database_url) as runners:
        sql = (
            "SELECT :n + 1, :word, :data, :blob, :at, :naive_text, :n * 2,"
            " CAST(:missing AS TEXT) IS NULL, CAST(:data AS TEXT)"
        )
        [row] = await same(
            runners,
            sql,
            n=41,
            word="اقرأ",
            data={"q": [1, 2], "mot": "école"},
            blob=b"\x00\xff",
            at=NOW,
            naive_text="12:30",
            missing=None,
        )
        assert row[0] == 42 and row[6] == 82 and row[7] is True
        assert as_json(row[2]) == {"q": [1, 2], "mot": "école"}
        assert row[3] == b"\x00\xff" and utc(row[4]) == NOW
        # a naive time is UTC (as UtcDateTime stores it), whatever the machine's zone
        [(naive,)] = await runners[1].run("SELECT :at", at=NOW.replace(tzinfo=None))
        assert naive == NOW
        # a list is JSON too, and a time in a literal is not a parameter
        [(kept, literal)] = await same(runners, "SELECT :items, '10:45'", items=[1, "deux"])
        assert as_json(kept) == [1, "deux"] and literal == "10:45"


async def test_core_statements_write_and_return_the_same(database_url: str) -> None:
    async with two_runners(database_url) as runners:
        through, straight = runners
        add = both(
            lambda ins: (
                ins(users)
                .values(
                    channel=bindparam("channel"),
                    external_id=bindparam("ext"),
                    state_step="menu",
                    state_data=bindparam("data"),
                    state_prompt=0,
                    created_at=bindparam("at"),
                    last_seen_at=bindparam("at"),
                )
                .on_conflict_do_nothing()
                .returning(users.c.id)
            )
        )
        data = {"place": {"course": "maths-cm1"}}
        [(first,)] = await through.run(add, channel="web", ext="a", data=data, at=NOW)
        [(second,)] = await straight.run(add, channel="web", ext="b", data=data, at=NOW)
        assert second == first + 1
        assert await straight.run(add, channel="web", ext="b", data=data, at=NOW) == []
        read = select(users.c.external_id, users.c.state_data, users.c.created_at).where(
            users.c.id.in_(bindparam("ids", expanding=True))
        )
        rows = await same(runners, read.order_by(users.c.id), ids=[first, second])
        assert [(r[0], as_json(r[1]), utc(r[2])) for r in rows] == [
            ("a", data, NOW),
            ("b", data, NOW),
        ]
        assert await same(runners, read, ids=[]) == []
        assert await straight.run(a_learner("web", "c")) == []  # without RETURNING: no rows


async def test_a_learners_lessons_and_scores_read_the_same(database_url: str) -> None:
    async with two_runners(database_url) as (through, straight):
        [(uid,)] = await through.run(a_learner("telegram", "awa").returning(users.c.id))
        for lesson, score in (("l1", 2), ("l2", 3), ("l1", 3)):
            await through.run(
                pg_insert(lesson_progress)
                .values(user_id=uid, course_id="c", lesson_id=lesson, completed_at=NOW)
                .on_conflict_do_nothing()
            )
            await through.run(
                insert(quiz_attempts).values(
                    user_id=uid,
                    course_id="c",
                    lesson_id=lesson,
                    score=score,
                    max_score=3,
                    finished_at=NOW,
                )
            )
        plain = SqlLearnerRecords(through.conn, uid)
        direct = SqlLearnerRecords(through.conn, uid, straight)
        assert await direct.lessons_done() == await plain.lessons_done()
        assert [done.at for done in await direct.lessons_done()] == [NOW, NOW]
        scores = await direct.quiz_scores()
        assert scores == await plain.quiz_scores()
        assert [(s.lesson_id, s.best, s.attempts) for s in scores] == [("l1", 3, 2), ("l2", 3, 1)]
