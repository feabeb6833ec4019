"""The web chat's inbox: what the bot writes first to a web learner, kept in order until one
of their tabs says it has it.

The outbox's web deliverer (bot/web/push.py) writes here; every worker then finds the new
rows of the learners whose tabs it holds open (`since`: by id, from a floor that trails a few
seconds behind, since on PostgreSQL a row may commit after one with a higher id), and a tab
opening reads what waits (`waiting`). A tab's acknowledgement marks rows delivered: never
shown again, kept a while for the learner's export, then tidied away (`tidy`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.storage.sql import as_json, utc
from bot.storage.store import SqlStore

KEEP_DELIVERED = timedelta(days=30)  # delivered rows, for the learner's export
LAG = timedelta(seconds=10)  # how long a row may take to commit after its id was taken
BATCH = 500  # rows read by one look for new ones


@dataclass(frozen=True)
class InboxRow:
    """One message waiting for a web learner: its id (the tab acknowledges it) and frame."""

    id: int
    user_id: int
    frame: dict[str, Any]
    created_at: datetime


class WebInbox:
    """The inbox on the store's database (short statements, between turns)."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    async def put(
        self, user_id: int, frames: Sequence[dict[str, Any]], at: datetime, broadcast_id: int
    ) -> list[int]:
        """Write a message's frames for a learner, in order, in one transaction; their ids."""
        ids = []
        async with self.store.transaction() as runner:
            for frame in frames:
                rows = await runner.run(
                    "INSERT INTO web_inbox (user_id, broadcast_id, payload, created_at)"
                    " VALUES (:uid, :bid, :payload, :at) RETURNING id",
                    uid=user_id,
                    bid=broadcast_id,
                    payload=frame,
                    at=at,
                )
                ids.append(int(rows[0][0]))
        return ids

    async def waiting(self, user_id: int, limit: int = BATCH) -> list[InboxRow]:
        """What waits for a learner, oldest first."""
        rows = await self.store.statement(
            "SELECT id, user_id, payload, created_at FROM web_inbox"
            " WHERE user_id = :uid AND delivered_at IS NULL ORDER BY id LIMIT :n",
            uid=user_id,
            n=limit,
        )
        return [_row(row) for row in rows]

    async def since(self, floor: int, limit: int = BATCH) -> list[InboxRow]:
        """Undelivered rows after `floor`, by id (every learner's: the caller keeps its own)."""
        rows = await self.store.statement(
            "SELECT id, user_id, payload, created_at FROM web_inbox"
            " WHERE id > :floor AND delivered_at IS NULL ORDER BY id LIMIT :n",
            floor=floor,
            n=limit,
        )
        return [_row(row) for row in rows]

    async def last_id(self) -> int:
        """The highest id written so far (0 when empty)."""
        rows = await self.store.statement("SELECT MAX(id) FROM web_inbox")
        return int(rows[0][0] or 0) if rows else 0

    async def delivered(self, user_id: int, ids: Iterable[int], at: datetime) -> int:
        """A tab of this learner has these: never shown again; how many were new."""
        wanted = sorted({int(i) for i in ids})[:BATCH]
        if not wanted:
            return 0
        marks = ", ".join(f":i{n}" for n in range(len(wanted)))
        rows = await self.store.statement(
            f"UPDATE web_inbox SET delivered_at = :at WHERE id IN ({marks})"
            " AND user_id = :uid AND delivered_at IS NULL RETURNING id",
            at=at,
            uid=user_id,
            **{f"i{n}": value for n, value in enumerate(wanted)},
        )
        return len(rows)

    async def tidy(self, now: datetime) -> int:
        """Forget delivered rows older than KEEP_DELIVERED; how many went."""
        rows = await self.store.statement(
            "DELETE FROM web_inbox WHERE delivered_at IS NOT NULL AND delivered_at < :before"
            " RETURNING id",
            before=now - KEEP_DELIVERED,
        )
        return len(rows)


def _row(row: Sequence[Any]) -> InboxRow:
    """A stored row (SQLite hands JSON back as text)."""
    frame = as_json(row[2])
    created = utc(row[3])
    assert isinstance(frame, dict) and created is not None
    return InboxRow(int(row[0]), int(row[1]), frame, created)
