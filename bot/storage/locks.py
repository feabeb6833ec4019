"""Per-learner locks: one asyncio lock per key inside a process, and PostgreSQL advisory
locks across processes (several workers, possibly on several machines)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class KeyedLocks:
    """Serialises work per key (per learner) inside one process, in arrival order."""

    def __init__(self) -> None:
        # key -> (lock, how many tasks hold or wait for it)
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        """Hold the lock of `key` for the duration of the block."""
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        """How many keys are held or awaited right now."""
        return len(self._locks)


def advisory_key(*parts: str) -> int:
    """A signed 64-bit key for PostgreSQL's advisory locks, the same in every process."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# The connection that holds the current task's learner lock (PostgreSQL), for its turn, and
# the replies sent under the lock, to forget as it is released (bot/storage/replies.py).
_HELD: ContextVar[tuple[object, AsyncConnection, list[int]] | None] = ContextVar(
    "imaginecole_learner_hold", default=None
)
# The sent replies' deletion, committed, then the release, in one round trip (one simple-query
# message: only integers are written into it). The commit comes first: the next holder must
# not find the replies it would send again.
_RELEASE_FORGETTING = (
    "BEGIN; DELETE FROM pending_replies WHERE id IN ({ids}); COMMIT;"
    " SELECT pg_advisory_unlock({key})"
)


def held_connection(owner: object) -> AsyncConnection | None:
    """The connection holding this task's learner lock for `owner` (a store), if any."""
    held = _HELD.get()
    return held[1] if held is not None and held[0] is owner else None


def forget_on_release(owner: object, reply_ids: list[int]) -> bool:
    """Have the replies sent under this task's learner lock deleted with its release (one
    round trip instead of two); False when no lock of `owner` is held here."""
    held = _HELD.get()
    if held is None or held[0] is not owner:
        return False
    held[2].extend(reply_ids)
    return True


@asynccontextmanager
async def hold_in_database(owner: object, engine: AsyncEngine, key: int) -> AsyncIterator[None]:
    """Hold a session advisory lock on one pooled connection, across processes and machines.

    The block's turn runs its transaction on this same connection (`held_connection`), so a
    learner costs one connection, and the lock covers the reply sent after the commit: the
    next update of this learner, taken by any worker, waits until then. If the process dies,
    PostgreSQL ends the session and the lock with it.
    """
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.execute("SELECT pg_advisory_lock($1)", key)
        sent: list[int] = []
        token = _HELD.set((owner, conn, sent))
        try:
            yield
        finally:
            _HELD.reset(token)
            try:
                if sent:
                    ids = ", ".join(str(int(reply_id)) for reply_id in sent)
                    await raw.execute(_RELEASE_FORGETTING.format(ids=ids, key=int(key)))
                else:
                    await raw.execute("SELECT pg_advisory_unlock($1)", key)
            except BaseException:
                await conn.invalidate()  # closing the session releases the lock
                raise
