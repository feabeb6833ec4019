"""Dead letters: inbound items parked once their time budget and attempts were spent.

A WhatsApp body, a Telegram update or a web chat frame whose handling kept failing or
hanging is kept here (as received: personal data) so the next item is handled and an
operator can look at what went wrong. Rows are deleted with their sender's erasure
(bot/storage/profiles.py `erase_dead_letters`,
run by every erasure path) and after a few days by the housekeeping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.models import dead_letters, inbound_attempts
from bot.storage.sql import ByDialect, utc
from bot.storage.store import SqlStore

Row = Sequence[Any]
REASONS = ("unreadable", "timeout", "error", "crashed")
ERROR_CHARS = 64
ADDRESS_CHARS = 128
PRUNE_BATCH = 1000  # rows deleted per statement when pruning: a turn waits for one at most

_d = dead_letters.c
_PARK = (
    dead_letters.insert()
    .values(
        channel=bindparam("ch"),
        address=bindparam("address"),
        reason=bindparam("reason"),
        error=bindparam("error"),
        attempts=bindparam("attempts"),
        payload=bindparam("payload"),
        created_at=bindparam("at"),
    )
    .returning(_d.id)
)
_RECENT = (
    select(_d.id, _d.channel, _d.address, _d.reason, _d.error, _d.attempts, _d.created_at)
    .order_by(_d.id.desc())
    .limit(bindparam("limit"))
)
_PAYLOAD = select(_d.payload).where(_d.id == bindparam("lid"))
_a = inbound_attempts.c
_SEEN = select(_a.key).where(_a.key.in_(bindparam("keys", expanding=True)))
_AGAIN = (
    update(inbound_attempts)
    .where(_a.key == bindparam("key"))
    .values(attempts=_a.attempts + 1, updated_at=bindparam("at"))
    .returning(_a.attempts)
)
_DONE = delete(inbound_attempts).where(_a.key.in_(bindparam("keys", expanding=True)))


@lru_cache(maxsize=64)
def _first_attempts(count: int) -> ByDialect:
    """The first handlings of `count` keys (`k0`, `k1`, ...) in one statement: one per
    batch size met (a poll returns at most a hundred updates)."""
    rows = [
        {"key": bindparam(f"k{n}"), "attempts": 1, "updated_at": bindparam("at")}
        for n in range(count)
    ]
    return ByDialect(
        sqlite=sqlite.insert(inbound_attempts)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[_a.key]),
        postgresql=postgresql.insert(inbound_attempts)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[_a.key]),
    )


@dataclass(frozen=True)
class DeadLetter:
    """What the operators see of a parked item: never its content."""

    id: int
    channel: str
    address: str | None
    reason: str
    error: str
    attempts: int
    created_at: datetime


class DeadLetters:
    """The dead-letter table, outside any learner's turn."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    async def park(
        self,
        channel: str,
        address: str | None,
        reason: str,
        error: str,
        attempts: int,
        payload: str,
        at: datetime,
    ) -> int:
        """Keep one item; returns its id."""
        assert reason in REASONS, reason
        rows = await self.store.statement(
            _PARK,
            ch=channel,
            address=address[:ADDRESS_CHARS] if address else None,
            reason=reason,
            error=error[:ERROR_CHARS],
            attempts=attempts,
            payload=payload,
            at=at,
        )
        return int(rows[0][0])

    async def recent(self, limit: int = 20) -> list[DeadLetter]:
        """The latest parked items, newest first, without their content."""
        rows = await self.store.statement(_RECENT, limit=limit)
        return [DeadLetter(int(r[0]), r[1], r[2], r[3], r[4], int(r[5]), _at(r[6])) for r in rows]

    async def payload(self, letter_id: int) -> str | None:
        """The item as received (personal data: for an operator's diagnosis only)."""
        rows = await self.store.statement(_PAYLOAD, lid=letter_id)
        return str(rows[0][0]) if rows else None

    async def prune(self, older_than: datetime) -> int:
        """Forget items parked before `older_than`; how many."""
        return await self.store.delete_in_batches(  # SQL text: the store's batched DELETE
            "dead_letters", "created_at < :before", PRUNE_BATCH, before=older_than
        )


def _at(value: object) -> datetime:
    """A stored time, never None here."""
    at = utc(value)
    assert at is not None
    return at


class InboundAttempts:
    """Handlings begun of inbound items not yet confirmed to their platform, by key."""

    def __init__(self, store: SqlStore) -> None:
        self.letters = DeadLetters(store)

    async def begin(self, keys: Sequence[str], at: datetime) -> set[str]:
        """Record a first handling of the new `keys`; the ones seen before (handlings began
        and never ended: the process died) are returned, uncounted."""
        if not keys:
            return set()
        rows = await self.letters.store.statement(_SEEN, keys=list(keys))
        seen = {str(row[0]) for row in rows}
        new = [key for key in keys if key not in seen]
        if new:
            await self.letters.store.statement(
                _first_attempts(len(new)), at=at, **{f"k{n}": key for n, key in enumerate(new)}
            )
        return seen

    async def again(self, key: str, at: datetime) -> int:
        """One more handling of `key` begins; how many have begun."""
        rows = await self.letters.store.statement(_AGAIN, key=key, at=at)
        return int(rows[0][0]) if rows else 1

    async def done(self, keys: Sequence[str]) -> None:
        """The items were handled (or parked): forget them."""
        if not keys:
            return
        await self.letters.store.statement(_DONE, keys=list(keys))

    async def prune(self, older_than: datetime) -> int:
        """Forget counts of items nobody handled again since `older_than`."""
        return await self.letters.store.delete_in_batches(  # SQL text: the store's batched DELETE
            "inbound_attempts", "updated_at < :before", PRUNE_BATCH, before=older_than
        )
