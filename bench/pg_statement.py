"""What one PostgreSQL statement costs the worker: through SQLAlchemy, straight on asyncpg
(PgRunner with the raw connection, as a learner's turn runs), and bare asyncpg, in one run.

    python bench/pg_statement.py [--url postgresql://postgres@127.0.0.1:5432/test]
        [--statements 3000] [--rounds 5]

Each round runs the same statements on one connection, one path after the other (a
one-row read by key and a one-row write with JSON and a time, the turn's commonest shapes),
and times the process's CPU (`time.process_time`, the server's own work left out) and the
wall clock per statement. Prints each path's medians over the rounds and its ratio to bare
asyncpg, the floor. Needs a PostgreSQL it can create a temporary table in; no network.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make bot/ importable
    sys.path.insert(0, str(ROOT))

from bot.storage.db import create_engine  # noqa: E402
from bot.storage.sql import PgRunner  # noqa: E402

READ = "SELECT id, step, data, seen FROM bench_rows WHERE id = :id"
WRITE = "UPDATE bench_rows SET data = :data, seen = :seen WHERE id = :id"
BARE_READ = "SELECT id, step, data, seen FROM bench_rows WHERE id = $1"
BARE_WRITE = "UPDATE bench_rows SET data = $1::JSON, seen = $2::TIMESTAMPTZ WHERE id = $3"


async def timed(call: Callable[[int], Awaitable[object]], n: int) -> tuple[float, float]:
    """CPU and wall microseconds per call, after a warm-up."""
    for i in range(200):
        await call(i)
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(n):
        await call(i)
    return (time.process_time() - cpu) * 1e6 / n, (time.perf_counter() - wall) * 1e6 / n


async def main(args: argparse.Namespace) -> None:
    engine = create_engine(args.url)
    results: dict[str, list[tuple[float, float]]] = {}
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            raw = (await conn.get_raw_connection()).driver_connection
            assert raw is not None
            await raw.execute(
                "CREATE TEMPORARY TABLE bench_rows (id INT PRIMARY KEY, step TEXT, data JSON,"
                " seen TIMESTAMPTZ); INSERT INTO bench_rows SELECT g, 'menu', '{}', now()"
                " FROM generate_series(0, 99) g"
            )
            through, straight = PgRunner(conn), PgRunner(conn, raw)
            now = datetime.now(UTC)
            data = {"place": {"course": "maths-cm1", "lesson": "l3"}, "marks": [1, 2]}

            def paths() -> dict[str, Callable[[int], Awaitable[object]]]:
                return {
                    "read, SQLAlchemy": lambda i: through.run(READ, id=i % 100),
                    "read, straight": lambda i: straight.run(READ, id=i % 100),
                    "read, bare asyncpg": lambda i: raw.fetch(BARE_READ, i % 100),
                    "write, SQLAlchemy": lambda i: through.run(
                        WRITE, data=data, seen=now, id=i % 100
                    ),
                    "write, straight": lambda i: straight.run(
                        WRITE, data=data, seen=now, id=i % 100
                    ),
                    "write, bare asyncpg": lambda i: raw.fetch(
                        BARE_WRITE, '{"place":{}}', now, i % 100
                    ),
                }

            for round_ in range(args.rounds):
                for name, call in paths().items():
                    results.setdefault(name, []).append(await timed(call, args.statements))
                print(f"round {round_ + 1} done", file=sys.stderr)
    finally:
        await engine.dispose()
    print(f"{args.statements} statements a path a round, {args.rounds} rounds, medians")
    print(f"{'path':22} {'CPU µs':>8} {'wall µs':>8} {'CPU / bare':>10}")
    floor = {
        kind: statistics.median(c for c, _ in results[f"{kind}, bare asyncpg"])
        for kind in ("read", "write")
    }
    for name, runs in results.items():
        cpu = statistics.median(c for c, _ in runs)
        wall = statistics.median(w for _, w in runs)
        ratio = cpu / floor[name.split(",")[0]]
        print(f"{name:22} {cpu:8.1f} {wall:8.1f} {ratio:10.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--statements", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    asyncio.run(main(parser.parse_args()))
