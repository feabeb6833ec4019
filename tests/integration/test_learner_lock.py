"""The learner's lock held in PostgreSQL: two workers (two stores, two engines) never handle
one learner at the same time, the lock covers the reply sent after the commit, and a worker
killed while holding it does not block the learner."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator

import pytest

from bot.storage.db import create_engine
from bot.storage.locks import advisory_key
from bot.storage.store import SqlStore
from dialogs.events import UserRef
from dialogs.state import DialogState

AWA = UserRef("telegram", "4401")
MOUSSA = UserRef("telegram", "4402")


@pytest.fixture
async def workers(database_url: str) -> AsyncIterator[tuple[SqlStore, SqlStore]]:
    """Two stores on their own engines, as two worker processes have."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process; its lock is the process's own")
    stores = [SqlStore(create_engine(database_url)) for _ in range(2)]
    try:
        yield stores[0], stores[1]
    finally:
        for store in stores:
            store.close()
            await store.engine.dispose()


async def take_a_turn(store: SqlStore, user: UserRef, key: str, step: str) -> None:
    async with store.turn(user, key) as tx:
        assert tx is not None
        tx.save(tx.profile, DialogState(step, {}, tx.state.prompt + 1))


async def test_the_second_worker_waits_until_the_first_sent_its_reply(
    workers: tuple[SqlStore, SqlStore],
) -> None:
    first, second = workers
    events: list[str] = []
    turned = asyncio.Event()

    async def worker_one() -> None:
        async with first.hold(AWA):
            await take_a_turn(first, AWA, "u1", "menu")
            turned.set()
            await asyncio.sleep(0.3)  # sending the reply, after the commit
            events.append("reply 1 sent")

    async def worker_two() -> None:
        await turned.wait()
        async with second.hold(AWA):
            events.append("update 2 taken")
            await take_a_turn(second, AWA, "u2", "courses")

    await asyncio.gather(worker_one(), worker_two())
    assert events == ["reply 1 sent", "update 2 taken"]
    assert await first.step_of(AWA) == "courses"


async def test_other_learners_are_not_held(workers: tuple[SqlStore, SqlStore]) -> None:
    first, second = workers
    released = asyncio.Event()

    async def holds_awa() -> None:
        async with first.hold(AWA):
            await released.wait()

    holder = asyncio.create_task(holds_awa())
    await asyncio.sleep(0.05)
    async with second.hold(MOUSSA):  # would wait forever if the lock were global
        await take_a_turn(second, MOUSSA, "m1", "menu")
    released.set()
    await holder


async def test_a_killed_worker_releases_the_learner(
    database_url: str, workers: tuple[SqlStore, SqlStore]
) -> None:
    _, second = workers
    key = advisory_key("learner", AWA.channel, AWA.external_id)
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    script = (
        "import asyncio, asyncpg, sys\n"
        "async def main():\n"
        f"    conn = await asyncpg.connect({dsn!r})\n"
        f"    await conn.execute('SELECT pg_advisory_lock($1)', {key})\n"
        "    print('held', flush=True)\n"
        "    await asyncio.sleep(600)\n"
        "asyncio.run(main())\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    assert (await asyncio.wait_for(process.stdout.readline(), 60)).strip() == b"held"
    waiting = asyncio.create_task(take_while_holding(second))
    await asyncio.sleep(0.3)
    assert not waiting.done(), "the learner is held by the other process"
    os.kill(process.pid, signal.SIGKILL)  # the worker dies mid-conversation
    await process.wait()
    await asyncio.wait_for(waiting, 60)  # PostgreSQL ended its session, and the lock
    assert await second.step_of(AWA) == "menu"


async def take_while_holding(store: SqlStore) -> None:
    async with store.hold(AWA):
        await take_a_turn(store, AWA, "k1", "menu")
