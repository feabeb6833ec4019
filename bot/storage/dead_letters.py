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
from typing import Any

from bot.storage.sql import utc
from bot.storage.store import SqlStore

Row = Sequence[Any]
REASONS = ("unreadable", "timeout", "error", "crashed")
ERROR_CHARS = 64
ADDRESS_CHARS = 128
PRUNE_BATCH = 1000  # rows deleted per statement when pruning: a turn waits for one at most


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
            "INSERT INTO dead_letters (channel, address, reason, error, attempts, payload,"
            " created_at) VALUES (:ch, :address, :reason, :error, :attempts, :payload, :at)"
            " RETURNING id",
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
        rows = await self.store.statement(
            "SELECT id, channel, address, reason, error, attempts, created_at"
            " FROM dead_letters ORDER BY id DESC LIMIT :limit",
            limit=limit,
        )
        return [DeadLetter(int(r[0]), r[1], r[2], r[3], r[4], int(r[5]), _at(r[6])) for r in rows]

    async def payload(self, letter_id: int) -> str | None:
        """The item as received (personal data: for an operator's diagnosis only)."""
        rows = await self.store.statement(
            "SELECT payload FROM dead_letters WHERE id = :id", id=letter_id
        )
        return str(rows[0][0]) if rows else None

    async def prune(self, older_than: datetime) -> int:
        """Forget items parked before `older_than`; how many."""
        return await self.store.delete_in_batches(
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
        marks = ", ".join(f":k{n}" for n in range(len(keys)))
        params = {f"k{n}": key for n, key in enumerate(keys)}
        rows = await self.letters.store.statement(
            f"SELECT key FROM inbound_attempts WHERE key IN ({marks})", **params
        )
        seen = {str(row[0]) for row in rows}
        new = [n for n, key in enumerate(keys) if key not in seen]
        if new:
            values = ", ".join(f"(:k{n}, 1, :at)" for n in new)
            await self.letters.store.statement(
                "INSERT INTO inbound_attempts (key, attempts, updated_at)"
                f" VALUES {values} ON CONFLICT (key) DO NOTHING",
                at=at,
                **{f"k{n}": keys[n] for n in new},
            )
        return seen

    async def again(self, key: str, at: datetime) -> int:
        """One more handling of `key` begins; how many have begun."""
        rows = await self.letters.store.statement(
            "UPDATE inbound_attempts SET attempts = attempts + 1, updated_at = :at"
            " WHERE key = :key RETURNING attempts",
            key=key,
            at=at,
        )
        return int(rows[0][0]) if rows else 1

    async def done(self, keys: Sequence[str]) -> None:
        """The items were handled (or parked): forget them."""
        if not keys:
            return
        marks = ", ".join(f":k{n}" for n in range(len(keys)))
        params = {f"k{n}": key for n, key in enumerate(keys)}
        await self.letters.store.statement(
            f"DELETE FROM inbound_attempts WHERE key IN ({marks})", **params
        )

    async def prune(self, older_than: datetime) -> int:
        """Forget counts of items nobody handled again since `older_than`."""
        return await self.letters.store.delete_in_batches(
            "inbound_attempts", "updated_at < :before", PRUNE_BATCH, before=older_than
        )
