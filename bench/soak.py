"""Soak: a steady mixed load for minutes, to see memory and queues stay flat.

    python bench/soak.py [--minutes 10] [--learners 150] [--think 0.5] [--variant pg-2]

Not a CI test. The server is one of bench/webhook_servers.py's variants (`full`: one process
on SQLite; `pg-1`, `pg-2`, `pg-4`: `python -m bot run --workers N` on PostgreSQL). Learners
walk the whole journey (onboarding, lessons, native polls, typed answers, /progres, quizzes
again) as in bench/telegram_webhook.py, each pausing `--think` seconds (± half) between two
updates, so the load is steady rather than saturating. Every minute it prints the updates
handled, p50 and p99 latency, errors, the resident memory of the server's whole process tree,
and the work waiting in the database (outbox messages not sent, WhatsApp bodies not handled).
At the end: memory and p99 of the last minute against the first full one.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make bot/, tests/ and bench/ importable
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.processes import tree_rss_mb  # noqa: E402
from bench.telegram_webhook import Server, Variant, server  # noqa: E402
from bench.webhook_load import (  # noqa: E402
    Client,
    Learner,
    ScreenApi,
    Window,
    client_session,
    learners,
    onboard,
    webhook_url,
)
from bench.webhook_servers import (  # noqa: E402
    DEFAULT_POSTGRES,
    POSTGRES_ENV,
    VARIANTS,
    WORKER_VARIANTS,
)
from bot.storage.db import create_engine  # noqa: E402


def database_of(srv: Server, workdir: Path) -> str:
    """The database the variant's server writes (see bench/webhook_servers.py)."""
    if srv.variant.kind == "full":
        return f"sqlite:///{workdir / 'bench.db'}"
    import os

    from sqlalchemy.engine import make_url

    base = make_url(os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES))
    name = f"imaginecole_bench_{srv.process.pid}"
    return base.set(database=name).render_as_string(hide_password=False)


async def waiting_work(database_url: str) -> dict[str, int]:
    """Outbox messages not sent yet and WhatsApp bodies not handled yet."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            outbox = await conn.scalar(
                text("SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')")
            )
            inbox = await conn.scalar(text("SELECT COUNT(*) FROM whatsapp_inbox"))
            claims = await conn.scalar(text("SELECT COUNT(*) FROM processed_updates"))
    finally:
        await engine.dispose()
    return {"outbox": int(outbox or 0), "inbox": int(inbox or 0), "claims": int(claims or 0)}


async def steady(client: Client, people: list[Learner], think: float, until: float) -> None:
    """Each learner: next update, answer, a pause to read, until `until`."""

    async def run(learner: Learner) -> None:
        while time.perf_counter() < until:
            await client.step(learner)
            await asyncio.sleep(think * (0.5 + learner.rng.random()))

    await asyncio.gather(*(run(learner) for learner in people))


async def soak(args: argparse.Namespace, workdir: Path) -> list[dict[str, Any]]:
    """Run the load and print a line a minute; the minutes' figures."""
    people = learners(args.learners, args.seed)
    variant = Variant(args.variant, args.variant)
    minutes: list[dict[str, Any]] = []
    async with (
        ScreenApi() as api,
        server(variant, api.url, workdir) as srv,
        client_session(args.learners) as http,
    ):
        client = Client(http, api, webhook_url(srv.port))
        late = await onboard(client, people)
        print(f"{variant.label}: {args.learners} learners onboarded ({late} late)", flush=True)
        database = database_of(srv, workdir)
        start = time.perf_counter()
        end = start + args.minutes * 60
        load = asyncio.create_task(steady(client, people, args.think, end))
        for minute in range(1, args.minutes + 1):
            window = Window(start + (minute - 1) * 60, start + minute * 60)
            client.window = window
            await asyncio.sleep(max(window.end - time.perf_counter(), 0))
            figures = {
                **window.summary(),
                "rss_mb": tree_rss_mb(srv.process.pid),
                **await waiting_work(database),
            }
            minutes.append(figures)
            print(
                f"minute {minute:3d}: {figures['ups']:6.1f} upd/s  p50 {figures['p50']:7.1f} ms"
                f"  p99 {figures['p99']:7.1f} ms  errors {figures['errors']:.0f}"
                f"  memory {figures['rss_mb']:7.1f} MB  outbox {figures['outbox']}"
                f"  inbox {figures['inbox']}  update claims {figures['claims']}",
                flush=True,
            )
        await load
    return minutes


def report(minutes: list[dict[str, Any]]) -> None:
    """First full minute against the last: memory and p99 should not climb."""
    if len(minutes) < 3:
        return
    first, last = minutes[1], minutes[-1]  # minute 1 still warms caches up
    growth = last["rss_mb"] - first["rss_mb"]
    print(
        f"\nmemory: minute 2 {first['rss_mb']:.1f} MB, last {last['rss_mb']:.1f} MB"
        f" ({growth:+.1f} MB, {growth / first['rss_mb'] * 100:+.1f} %)"
    )
    print(
        f"p99: minute 2 {first['p99']:.0f} ms, last {last['p99']:.0f} ms;"
        f" median of the minutes {statistics.median(m['p99'] for m in minutes):.0f} ms"
    )
    print(f"waiting work at the end: outbox {last['outbox']}, WhatsApp inbox {last['inbox']}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--learners", type=int, default=150)
    parser.add_argument("--think", type=float, default=0.5, help="seconds between updates")
    parser.add_argument(
        "--variant",
        default="full",
        choices=[v for v in VARIANTS if v in ("full", *WORKER_VARIANTS)],
    )
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the soak in a temporary folder."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="imaginecole-soak-") as folder:
        report(asyncio.run(soak(args, Path(folder) / args.variant)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
