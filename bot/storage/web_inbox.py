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

from sqlalchemy import bindparam, delete, func, select, update

from bot.storage.models import web_inbox
from bot.storage.sql import as_json, utc
from bot.storage.store import SqlStore

KEEP_DELIVERED = timedelta(days=30)  # delivered rows, for the learner's export
LAG = timedelta(seconds=10)  # how long a row may take to commit after its id was taken
BATCH = 500  # rows read by one look for new ones

_i = web_inbox.c
_PUT = (
    web_inbox.insert()
    .values(
        user_id=bindparam("uid"),
        broadcast_id=bindparam("bid"),
        payload=bindparam("payload"),
        created_at=bindparam("at"),
    )
    .returning(_i.id)
)
_WAITING = (
    select(_i.id, _i.user_id, _i.payload, _i.created_at)
    .where(_i.user_id == bindparam("uid"), _i.delivered_at.is_(None))
    .order_by(_i.id)
    .limit(bindparam("n"))
)
_SINCE = (
    select(_i.id, _i.user_id, _i.payload, _i.created_at)
    .where(_i.id > bindparam("floor"), _i.delivered_at.is_(None))
    .order_by(_i.id)
    .limit(bindparam("n"))
)
_LAST_ID = select(func.max(_i.id))
_DELIVERED = (
    update(web_inbox)
    .where(
        _i.id.in_(bindparam("ids", expanding=True)),
        _i.user_id == bindparam("uid"),
        _i.delivered_at.is_(None),
    )
    .values(delivered_at=bindparam("at"))
    .returning(_i.id)
)
_TIDY = (
    delete(web_inbox)
    .where(_i.delivered_at.is_not(None), _i.delivered_at < bindparam("before"))
    .returning(_i.id)
)


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
                    _PUT,
                    uid=user_id,
                    bid=broadcast_id,
                    payload=frame,
                    at=at,
                )
                ids.append(int(rows[0][0]))
        return ids

    async def waiting(self, user_id: int, limit: int = BATCH) -> list[InboxRow]:
        """What waits for a learner, oldest first."""
        rows = await self.store.statement(_WAITING, uid=user_id, n=limit)
        return [_row(row) for row in rows]

    async def since(self, floor: int, limit: int = BATCH) -> list[InboxRow]:
        """Undelivered rows after `floor`, by id (every learner's: the caller keeps its own)."""
        rows = await self.store.statement(_SINCE, floor=floor, n=limit)
        return [_row(row) for row in rows]

    async def last_id(self) -> int:
        """The highest id written so far (0 when empty)."""
        rows = await self.store.statement(_LAST_ID)
        return int(rows[0][0] or 0) if rows else 0

    async def delivered(self, user_id: int, ids: Iterable[int], at: datetime) -> int:
        """A tab of this learner has these: never shown again; how many were new."""
        wanted = sorted({int(i) for i in ids})[:BATCH]
        if not wanted:
            return 0
        rows = await self.store.statement(_DELIVERED, at=at, uid=user_id, ids=wanted)
        return len(rows)

    async def tidy(self, now: datetime) -> int:
        """Forget delivered rows older than KEEP_DELIVERED; how many went."""
        rows = await self.store.statement(_TIDY, before=now - KEEP_DELIVERED)
        return len(rows)


def _row(row: Sequence[Any]) -> InboxRow:
    """A stored row (SQLite hands JSON back as text)."""
    frame = as_json(row[2])
    created = utc(row[3])
    assert isinstance(frame, dict) and created is not None
    return InboxRow(int(row[0]), int(row[1]), frame, created)
