"""The broadcast sender: its ceiling, its pacing, writing huge audiences, and kill -9 chaos.

    python -m bench.sender [--quick] [--postgres URL] [--only ceiling,pacing,queue,chaos]
                           [--chaos-count N] [--queue-sizes 100000,400000,1400000]

Every figure is a median over rounds beside a baseline measured in the same run (the machines
are shared and noisy). Sections:
- ceiling: the real Sender (rate set very high) against the fake Bot API without limits, beside
  a bare loop of raw aiohttp posts to the same fake with the same concurrency;
- pacing: the Sender at 30/s against the fake enforcing Telegram's 30/s: achieved rate, 429s;
- queue: `queue_broadcast` of 100k / 400k / 1.4M recipients (one INSERT ... SELECT): time and
  peak memory of the process doing it (each in a fresh child process, so peaks do not mix);
- chaos: a broadcast with the sender in separate processes (bench/sender_runner.py) killed
  with -9 at random moments and restarted until done; deliveries counted at the fake.
PostgreSQL runs use TEST_POSTGRES_URL or --postgres (a database is created and dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from bench.sender_runner import TOKEN, telegram_bot
from bot.i18n import I18n
from bot.sender import ChannelPace, Sender
from bot.storage.db import create_engine, migrate_async
from bot.storage.outbox import Outbox
from bot.storage.store import SqlStore
from bot.telegram.broadcast import telegram_deliverer
from tests.conftest import fresh_postgres_database
from tests.fakes.telegram_api import FakeBotApi
from tests.sender_support import TELEGRAM_FIRST_CHAT, broadcast, run, seed_learners

CONCURRENCY = 32


@asynccontextmanager
async def database(kind: str, postgres: str | None) -> AsyncIterator[str]:
    """A fresh, migrated database URL of that kind."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            await migrate_async(url)
            yield url
        return
    assert postgres
    async with fresh_postgres_database(postgres) as url:
        await migrate_async(url)
        yield url


@asynccontextmanager
async def opened(url: str) -> AsyncIterator[SqlStore]:
    """A store on `url`."""
    engine = create_engine(url)
    store = SqlStore(engine)
    try:
        yield store
    finally:
        store.close()
        await engine.dispose()


async def wait_until(check: Callable[[], Awaitable[bool]], every: float = 0.02) -> None:
    """Poll until true."""
    while not await check():  # noqa: ASYNC110 - the database has nothing to wait on
        await asyncio.sleep(every)


async def drained(store: SqlStore) -> bool:
    """Nothing left to send."""
    return await Outbox(store, "bench").pending() == 0


# --- ceiling -------------------------------------------------------------------------------


async def sender_round(store: SqlStore, api: FakeBotApi, rate: float) -> tuple[float, int]:
    """Queue one broadcast to everyone, send it with the real Sender; (seconds, messages)."""
    _, total = await broadcast(store, {"fr": "Annonce du banc d'essai"})
    bot = await telegram_bot(api.url)
    sender = Sender(
        Outbox(store, "bench"),
        {"telegram": telegram_deliverer(bot, I18n())},
        {"telegram": ChannelPace(rate, CONCURRENCY)},
        idle=0.02,
    )
    started = time.perf_counter()
    sender.start()
    await wait_until(lambda: drained(store))
    elapsed = time.perf_counter() - started
    await sender.stop()
    await bot.shutdown()
    return elapsed, total


async def raw_round(api: FakeBotApi, count: int) -> float:
    """The same number of sendMessage posts from a bare aiohttp loop, same concurrency."""
    url = f"{api.url}/bot{TOKEN}/sendMessage"
    chats = iter(range(TELEGRAM_FIRST_CHAT, TELEGRAM_FIRST_CHAT + count))

    async def worker(http: aiohttp.ClientSession) -> None:
        for chat in chats:
            form = {"chat_id": str(chat), "text": "Annonce du banc d'essai"}
            async with http.post(url, data=form) as response:
                await response.read()

    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as http:
        started = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(CONCURRENCY)))
        return time.perf_counter() - started


async def ceiling(kind: str, postgres: str | None, count: int, rounds: int) -> None:
    """The sender's own ceiling beside raw aiohttp posts."""
    async with (
        database(kind, postgres) as url,
        opened(url) as store,
        FakeBotApi(record=False) as api,
    ):
        await seed_learners(store, count)
        ours, raw = [], []
        for _ in range(rounds):
            elapsed, total = await sender_round(store, api, 1_000_000.0)
            ours.append(total / elapsed)
            raw.append(count / await raw_round(api, count))
        mine, base = statistics.median(ours), statistics.median(raw)
        print(
            f"ceiling {kind:8} {count} msgs x{rounds}: sender {mine:7.0f}/s   raw aiohttp"
            f" {base:7.0f}/s   ratio {mine / base:.2f}"
        )


# --- pacing --------------------------------------------------------------------------------


async def pacing(count: int, rounds: int) -> None:
    """The Sender at 30/s against the fake enforcing 30/s."""
    async with database("sqlite", None) as url, opened(url) as store:
        await seed_learners(store, count)
        achieved, throttled = [], []
        for _ in range(rounds):
            async with FakeBotApi(rate_limit=30) as api:
                await sender_round(store, api, 30.0)
                times = sorted(c.at for c in api.sent())
                achieved.append((len(times) - 1) / (times[-1] - times[0]))
                throttled.append(api.throttled)
        rate = statistics.median(achieved)
        print(
            f"pacing  sqlite   {count} msgs x{rounds}: achieved {rate:5.2f}/s vs 30/s"
            f" ({(rate / 30 - 1) * 100:+.1f}%)   429s per round {throttled}"
        )


# --- writing huge audiences ----------------------------------------------------------------


async def queue_child(url: str, size: int) -> None:
    """In a fresh process: seed (if needed) then time queue_due of one broadcast; print JSON."""
    async with opened(url) as store:
        at = datetime.now(UTC) + timedelta(days=1)
        bid, _ = await broadcast(store, {"fr": "Annonce"}, scheduled_at=at)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        queued = await Outbox(store, "bench").queue_due(at)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rows = await run(store, "SELECT total FROM broadcasts WHERE id = :id", id=bid)
    assert queued == [bid]
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "rss_mb": peak / 1024,
                "growth_mb": (peak - before) / 1024,
                "total": rows[0][0],
            }
        )
    )


async def seed_child(url: str, size: int) -> None:
    """In a fresh process: the learners."""
    async with opened(url) as store:
        started = time.perf_counter()
        await seed_learners(store, size)
        print(json.dumps({"seconds": time.perf_counter() - started}))


async def child(*args: str) -> dict[str, float]:
    """Run `python -m bench.sender <args>` and read its JSON line."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.sender", *args, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert process.returncode == 0, out
    return dict(json.loads(out.decode().strip().splitlines()[-1]))


async def queue(kind: str, postgres: str | None, sizes: list[int]) -> None:
    """queue_broadcast time and peak memory as the audience grows."""
    for size in sizes:
        async with database(kind, postgres) as url:
            seeded = await child("--seed-child", url, str(size))
            got = await child("--queue-child", url, str(size))
        print(
            f"queue   {kind:8} {size:>9,} recipients: {got['seconds']:6.1f} s"
            f" ({size / got['seconds']:>9,.0f} rows/s)   peak RSS {got['rss_mb']:5.0f} MB"
            f" (+{got['growth_mb']:.0f} MB while queueing)   [seeding {seeded['seconds']:.1f} s]"
        )


# --- chaos ---------------------------------------------------------------------------------


async def start_runner(
    url: str, api: FakeBotApi, rate: float, lease: float
) -> asyncio.subprocess.Process:
    """A sender process."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.sender_runner", url, api.url, "--rate", str(rate),
        "--lease", str(lease), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def claimed_by(
    store: SqlStore, pid: int, api: FakeBotApi, settle: float = 0.2
) -> tuple[int, int]:
    """Rows a (dead) process had claimed and not finished, and of those the ones whose message
    the platform had already taken: its sends in flight at the kill (sent, result unwritten)."""
    rows = await run(
        store,
        "SELECT u.external_id FROM outbox o JOIN users u ON u.id = o.user_id"
        " WHERE o.status = 'sending' AND o.claimed_by LIKE :w",
        w=f"%:{pid}",
    )
    await asyncio.sleep(settle)  # a request the dead process had written still reaches the fake
    reached = {int(c.params["chat_id"]) for c in api.sent()}
    return len(rows), sum(1 for (chat,) in rows if int(chat) in reached)


async def chaos(
    kind: str, postgres: str | None, count: int, processes: int, max_kills: int
) -> None:
    """Kill -9 sender processes at random until the broadcast is out; count at the fake."""
    lease = 3.0
    async with database(kind, postgres) as url, opened(url) as store, FakeBotApi() as api:
        await seed_learners(store, count)
        await broadcast(store, {"fr": "Annonce"})
        runners = [await start_runner(url, api, 2000.0, lease) for _ in range(processes)]
        kills, claimed, bound, started = 0, 0, 0, time.perf_counter()
        while not await drained(store):
            await asyncio.sleep(random.uniform(0.5, 3.0))
            if kills >= max_kills or await drained(store):
                continue
            victim = random.randrange(processes)
            for _ in range(100):  # a sender still starting up has nothing to lose yet
                if (await claimed_by(store, runners[victim].pid, api, settle=0))[0]:
                    break
                await asyncio.sleep(0.1)
            runners[victim].kill()
            await runners[victim].wait()
            unfinished, in_flight = await claimed_by(store, runners[victim].pid, api)
            claimed, bound = claimed + unfinished, bound + in_flight
            kills += 1
            runners[victim] = await start_runner(url, api, 2000.0, lease)
        elapsed = time.perf_counter() - started
        for runner in runners:
            runner.terminate()
            await runner.wait()
        received = Counter(c.params["chat_id"] for c in api.sent())
        lost = count - len(received)
        duplicates = sum(received.values()) - len(received)
        statuses = dict(await run(store, "SELECT status, COUNT(*) FROM outbox GROUP BY status"))
        tries = await run(store, "SELECT attempts, COUNT(*) FROM outbox GROUP BY attempts")
        statuses["attempts"] = dict(sorted((int(a), int(n)) for a, n in tries))
        verdict = "OK" if lost == 0 and duplicates <= bound else "FAIL"
        print(
            f"chaos   {kind:8} {count:,} msgs, {processes} sender(s), {kills} kill -9:"
            f" {elapsed:.0f} s, lost {lost}, duplicates {duplicates} <= in flight at kills"
            f" {bound} (claimed and unfinished {claimed})  outbox {statuses}  {verdict}"
        )


# --- main ----------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> None:
    """Run the chosen sections."""
    postgres = args.postgres or os.environ.get("TEST_POSTGRES_URL")
    kinds = ["sqlite", "postgres"] if postgres else ["sqlite"]
    only = set(args.only.split(",")) if args.only else {"ceiling", "pacing", "queue", "chaos"}
    quick = args.quick
    if "ceiling" in only:
        for kind in kinds:
            await ceiling(kind, postgres, 2000 if quick else 10_000, 3)
    if "pacing" in only:
        await pacing(90 if quick else 300, 3)
    if "queue" in only:
        sizes = [int(s) for s in args.queue_sizes.split(",")]
        for kind in kinds:
            await queue(kind, postgres, [s // 20 for s in sizes] if quick else sizes)
    if "chaos" in only:
        count = args.chaos_count or (5_000 if quick else 100_000)
        for kind in kinds:
            await chaos(kind, postgres, count, 1 if kind == "sqlite" else 2, 6 if quick else 20)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] in ("--seed-child", "--queue-child"):
        task = seed_child if sys.argv[1] == "--seed-child" else queue_child
        asyncio.run(task(sys.argv[2], int(sys.argv[3])))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a couple of minutes")
    parser.add_argument("--postgres", help="PostgreSQL server URL (else TEST_POSTGRES_URL)")
    parser.add_argument("--only", help="comma-separated sections: ceiling,pacing,queue,chaos")
    parser.add_argument("--chaos-count", type=int, help="recipients of the chaos broadcast")
    parser.add_argument("--queue-sizes", default="100000,400000,1400000")
    asyncio.run(main(parser.parse_args()))
