"""Per-learner locks: one asyncio lock per key inside a process, and PostgreSQL advisory
locks across processes (several workers, possibly on several machines)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

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


class Held:
    """A learner's advisory lock on one pooled connection (PostgreSQL), and its turns'
    transactions, which run on that connection with BEGIN and COMMIT of our own: the first
    BEGIN goes in the lock's own message (one round trip less per turn)."""

    __slots__ = ("broken", "conn", "in_transaction", "owner", "raw", "sent")

    def __init__(self, owner: object, conn: AsyncConnection, raw: Any) -> None:
        self.owner = owner
        self.conn = conn  # SQLAlchemy's, in AUTOCOMMIT: it never sends BEGIN itself
        self.raw = raw  # asyncpg's, under it
        self.sent: list[int] = []  # replies sent under the lock, forgotten as it is released
        self.in_transaction = False
        self.broken = False  # invalidated: the session, its lock and transaction are gone

    async def begin(self) -> None:
        """Open the turn's transaction, unless the lock's message did."""
        if not self.in_transaction:
            await self.raw.execute("BEGIN")
            self.in_transaction = True

    async def commit(self) -> None:
        """Commit the turn: before its reply is sent."""
        self.in_transaction = False
        await self.raw.execute("COMMIT")

    async def rollback(self) -> None:
        """Roll the turn back; a connection that cannot is closed (PostgreSQL then rolls back
        and releases the lock), and the turn's own error goes on."""
        self.in_transaction = False
        try:
            await self.raw.execute("ROLLBACK")
        except BaseException as error:
            await self._invalidate()
            if not isinstance(error, Exception):  # cancelled meanwhile
                raise

    async def _invalidate(self) -> None:
        self.broken = True
        await self.conn.invalidate()


# The connection that holds the current task's learner lock, for its turns, and the replies
# sent under the lock, to forget as it is released (bot/storage/replies.py).
_HELD: ContextVar[Held | None] = ContextVar("imaginecole_learner_hold", default=None)
# SQL text: simple-query messages (several statements, one round trip each message), which
# asyncpg sends only for SQL without parameters; only integers are written into them.
# The lock, then (for a turn) its transaction opened: BEGIN comes after the lock is granted,
# so the turn's first statement reads what the previous holder committed.
_LOCK = "SELECT pg_advisory_lock({key})"
_LOCK_AND_BEGIN = "SELECT pg_advisory_lock({key}); BEGIN"  # SQL text: as above
# The sent replies' deletion, committed, then the release. The commit comes first: the next
# holder must not find the replies it would send again.
_RELEASE_FORGETTING = (  # SQL text: as above
    "BEGIN; DELETE FROM pending_replies WHERE id IN ({ids}); COMMIT;"
    " SELECT pg_advisory_unlock({key})"
)
_RELEASE = "SELECT pg_advisory_unlock({key})"  # SQL text: as above


def held_connection(owner: object) -> Held | None:
    """This task's learner lock for `owner` (a store), if any."""
    held = _HELD.get()
    return held if held is not None and held.owner is owner else None


def forget_on_release(owner: object, reply_ids: list[int]) -> bool:
    """Have the replies sent under this task's learner lock deleted with its release (one
    round trip instead of two); False when no lock of `owner` is held here."""
    held = held_connection(owner)
    if held is None:
        return False
    held.sent.extend(reply_ids)
    return True


@asynccontextmanager
async def hold_in_database(
    owner: object, engine: AsyncEngine, key: int, *, begin: bool = False
) -> AsyncIterator[None]:
    """Hold a session advisory lock on one pooled connection, across processes and machines.

    The block's turns run their transactions on this same connection (`held_connection`), so
    a learner costs one connection, and the lock covers the reply sent after the commit: the
    next update of this learner, taken by any worker, waits until then. If the process dies,
    PostgreSQL ends the session and the lock with it. `begin`: the block starts with a turn,
    whose BEGIN goes with the lock (not for a block that waits on something else first: the
    transaction would stay open meanwhile).

    The lock cannot be the learner's row lock (SELECT ... FOR UPDATE, which the turn's first
    statement takes too): a row lock ends with the transaction, and the transaction must
    commit before the reply is sent (a reply sent, then lost with its turn, would be sent
    again). Nor can the claim's statement take it: a statement's snapshot is taken when it
    starts, so one that waited there for the previous holder would read what that holder
    committed meanwhile as it was before (bench/README.md, issue 21).
    """
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        held = Held(owner, conn, raw)
        try:
            await raw.execute((_LOCK_AND_BEGIN if begin else _LOCK).format(key=int(key)))
        except BaseException:  # cancelled while waiting: the lock may come after all
            await held._invalidate()
            raise
        held.in_transaction = begin
        token = _HELD.set(held)
        try:
            yield
        finally:
            _HELD.reset(token)
            if not held.broken:
                await _release(held, key)


async def _release(held: Held, key: int) -> None:
    """Forget the sent replies and release the lock, in one round trip."""
    release = _RELEASE.format(key=int(key))
    if held.sent:
        ids = ", ".join(str(int(reply_id)) for reply_id in held.sent)
        release = _RELEASE_FORGETTING.format(ids=ids, key=int(key))
    if held.in_transaction:  # opened with the lock, never used
        release = "ROLLBACK; " + release
    try:
        await held.raw.execute(release)
    except BaseException:
        await held._invalidate()  # closing the session releases the lock
        raise
