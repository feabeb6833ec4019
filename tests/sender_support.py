"""Shared by the sender's tests and benchmark: learners seeded in bulk, broadcasts, outbox rows.

Learners are written with one INSERT ... SELECT over a recursive CTE (SQLite and PostgreSQL
both read it), so a million of them takes seconds, not the ORM's hours.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from bot.storage.admin import SqlAdminDesk
from bot.storage.sql import PgRunner, Row, Runner, SqliteRunner
from bot.storage.store import SqlStore
from dialogs.admin_ports import Attachment, Audience, BroadcastDraft
from dialogs.events import UserRef
from dialogs.state import DialogState

TELEGRAM_FIRST_CHAT = 5_000_000  # seeded Telegram chat ids start here


@asynccontextmanager
async def transaction(store: SqlStore) -> AsyncIterator[Runner]:
    """A transaction on the store's database, outside any turn."""
    if store.on_sqlite:
        async with store.sqlite_transaction() as db:
            yield SqliteRunner(db)
        return
    async with store.engine.begin() as conn:
        yield PgRunner(conn)


async def run(store: SqlStore, sql: str, **params: Any) -> list[Row]:
    """One statement in its own transaction."""
    async with transaction(store) as runner:
        return await runner.run(sql, **params)


async def seed_learners(
    store: SqlStore,
    count: int,
    *,
    channel: str = "telegram",
    first: int = TELEGRAM_FIRST_CHAT,
    locale: str = "fr",
    country: str = "SN",
) -> None:
    """`count` consented students with external ids first, first + 1, ... (one statement)."""
    now = datetime.now(UTC)
    state = DialogState()
    await run(
        store,
        "WITH RECURSIVE seq(n) AS (SELECT CAST(:first AS BIGINT) UNION ALL"
        " SELECT n + 1 FROM seq WHERE n < CAST(:last AS BIGINT))"
        " INSERT INTO users (channel, external_id, locale, country, role, level, consented_at,"
        " state_step, state_data, state_prompt, created_at, last_seen_at)"
        " SELECT :channel, CAST(n AS VARCHAR(32)), :locale, :country, 'student', 'CM2', :now,"
        " :step, '{}', :prompt, :now, :now FROM seq",
        first=first,
        last=first + count - 1,
        channel=channel,
        locale=locale,
        country=country,
        now=now,
        step=state.step,
        prompt=state.prompt,
    )


async def user_id(store: SqlStore, channel: str, external_id: str) -> int:
    """The id of a seeded learner."""
    rows = await run(
        store,
        "SELECT id FROM users WHERE channel = :ch AND external_id = :ext",
        ch=channel,
        ext=external_id,
    )
    return int(rows[0][0])


async def broadcast(
    store: SqlStore,
    texts: dict[str, str],
    audience: Audience | None = None,
    scheduled_at: datetime | None = None,
    attachment: Attachment | None = None,
) -> tuple[int, int]:
    """An announcement created as an admin's turn would (id, how many queued)."""
    draft = BroadcastDraft(texts, audience or Audience(), attachment, scheduled_at)
    async with store.turn(UserRef("web", "admin-of-the-tests")) as tx:
        assert tx is not None
        return await tx.admin.create_broadcast(draft)


async def outbox(store: SqlStore, broadcast_id: int | None = None) -> list[Row]:
    """(id, external_id, status, platform_id, error, attempts) of outbox rows, by id."""
    rows = await run(
        store,
        "SELECT o.id, u.external_id, o.status, o.platform_id, o.error, o.attempts"
        " FROM outbox o JOIN users u ON u.id = o.user_id"
        + (" WHERE o.broadcast_id = :bid" if broadcast_id is not None else "")
        + " ORDER BY o.id",
        **({"bid": broadcast_id} if broadcast_id is not None else {}),
    )
    return rows


async def desk_stats(store: SqlStore) -> list[Any]:
    """The admin's view of the broadcasts (SqlAdminDesk.broadcasts)."""
    async with transaction(store) as runner:
        return await SqlAdminDesk(runner, 0).broadcasts(None)
