"""Web newcomers who never consented, forgotten after a while.

A web chat greeting stores nothing (bot/conversations.py: the channel's address_is_key); the
row comes with the person's first answer, the language, and consent is the very next
question. Someone who chose a language and went away leaves a row holding a made-up uid, a
language and a step: after `KEEP` without coming back it is deleted (whatever hangs on it
goes with it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text

from bot.storage.statements import sqlite_time
from bot.storage.store import SqlStore

KEEP = timedelta(days=2)

_WHERE = "channel = 'web' AND consented_at IS NULL AND last_seen_at < {before}"
_SQLITE = (
    "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE "
    + _WHERE.format(before="?")
    + " LIMIT ?)"
)
_PG = text(
    "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE "
    + _WHERE.format(before=":before")
    + " LIMIT :batch)"
)


async def forget_unconsented(store: SqlStore, older_than: datetime, batch: int = 1000) -> int:
    """Delete web rows never consented and not seen since `older_than`; how many."""
    total = 0
    while True:
        if store.on_sqlite:
            cursor = await store.sqlite_execute(_SQLITE, (sqlite_time(older_than), batch))
            count = cursor.rowcount
        else:
            async with store.engine.begin() as conn:
                result = await conn.execute(_PG, {"before": older_than, "batch": batch})
            count = result.rowcount
        total += count
        if count < batch:
            return total
