"""Core statements (bot/storage/sql.py) run on both engines as the plain SQL they replace:
literal values travel with the statement, `IN` lists of any length (none included), the
engines' own spellings through `ByDialect`, and each statement compiled once per dialect."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage import sql as core
from bot.storage.models import classes, users
from bot.storage.sql import ByDialect
from bot.storage.store import SqlStore

NEW: dict[str, object] = {
    "locale": "fr",
    "state_step": "start",
    "state_data": bindparam("data"),
    "state_prompt": 0,
    "created_at": bindparam("at"),
    "last_seen_at": bindparam("at"),
}
ADD = ByDialect(
    sqlite=sqlite.insert(users)
    .values(**NEW, channel=bindparam("channel"), external_id=bindparam("ext"))
    .on_conflict_do_nothing()
    .returning(users.c.id),
    postgresql=postgresql.insert(users)
    .values(**NEW, channel=bindparam("channel"), external_id=bindparam("ext"))
    .on_conflict_do_nothing()
    .returning(users.c.id),
)
SOME = (
    select(users.c.external_id)
    .where(users.c.id.in_(bindparam("ids", expanding=True)), users.c.locale == "fr")
    .order_by(users.c.external_id)
)
OTHERS = select(users.c.external_id).where(users.c.id.not_in(bindparam("ids", expanding=True)))
SEEN = (
    update(users)
    .where(users.c.id == bindparam("uid"))
    .values(last_seen_at=bindparam("at"))
    .returning(users.c.last_seen_at)
)


async def test_core_statements_read_and_write_like_plain_sql(store: SqlStore) -> None:
    async with store.transaction() as run:
        at = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
        new = {"channel": "web", "data": {}, "at": at}
        ids = [(await run.run(ADD, ext=f"k{n}", **new))[0][0] for n in range(3)]
        assert await run.run(ADD, ext="k0", **new) == []  # the conflict is skipped
        assert [r[0] for r in await run.run(SOME, ids=ids[:2])] == ["k0", "k1"]
        assert await run.run(SOME, ids=[]) == []
        assert sorted(r[0] for r in await run.run(OTHERS, ids=[])) == ["k0", "k1", "k2"]
        assert [r[0] for r in await run.run(OTHERS, ids=ids[1:])] == ["k0"]
        at = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
        (stored,) = (await run.run(SEEN, uid=ids[0], at=at))[0]
        assert core.utc(stored) == at
    assert [r[0] for r in await store.statement(SOME, ids=ids[2:])] == ["k2"]


def test_a_statement_is_compiled_once_per_dialect() -> None:
    first = core.compiled(SOME, "sqlite")
    assert core.compiled(SOME, "sqlite") is first
    assert core.compiled(SOME, "postgresql") is not first
    assert "FOR UPDATE" not in core.compiled(SOME.with_for_update(), "sqlite").sql
    assert first.defaults == {"locale_1": "fr"}
    plain = insert(users).values(channel=bindparam("channel"))
    assert "RETURNING" not in core.compiled(plain, "postgresql").sql, "only when asked for"
    assert "RETURNING" in core.compiled(plain.returning(users.c.id), "postgresql").sql
    new_class = insert(classes).values(teacher_id=bindparam("t"), name=bindparam("n"))
    for dialect in ("sqlite", "postgresql"):  # the columns' defaults, as SQLAlchemy gives them
        found = core.compiled(new_class, dialect).defaults
        assert found == {"absence_days": 7, "absence_alerts": True}


def test_an_in_list_is_written_once_per_length() -> None:
    first = core.for_postgresql(SOME, {"ids": [3, 1]})
    assert first == core.for_postgresql(SOME, {"ids": [3, 1]})
    sql, values = core.for_postgresql(SOME, {"ids": [7, 8]})
    assert sql == first[0] and values == {"ids_1": 7, "ids_2": 8, "locale_1": "fr"}
    assert core.for_sqlite(SOME, {"ids": [5]})[1] == {"ids_1": 5, "locale_1": "fr"}
