"""Counts the round trips a process makes to PostgreSQL, for bench/telegram_webhook.py.

On PYTHONPATH only for the `pg-N` variants' servers (with BENCH_ROUND_TRIPS naming a
folder), so that every Python process of the run, the workers `python -m bot run --workers N`
spawns included, imports it at start-up. It makes asyncpg build its connections on a
subclass of its protocol that counts the calls that each cost one round trip (a simple
query, possibly of several statements; a prepare; a bind-and-execute), and writes the count
to `<folder>/<pid>` four times a second. The bench reads the sum at the start and the end of
its window: round trips per update, a figure the machine's load does not move. With
BENCH_ROUND_TRIPS_SQL=1 also what each was (call and SQL), in `round_trips_<pid>.json`
beside the folder (kept with `--keep`).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from contextlib import suppress
from pathlib import Path
from typing import Any

ONE_TRIP = ("query", "prepare", "bind_execute", "bind_execute_many", "bind", "execute")


def _install(folder: Path) -> None:
    """Count asyncpg's round trips in this process, written to `folder`."""
    import asyncpg.connect_utils
    from asyncpg.protocol import protocol

    count = [0]
    by_sql: Counter[str] | None = Counter() if os.environ.get("BENCH_ROUND_TRIPS_SQL") else None

    def counted(name: str) -> Any:
        original = getattr(protocol.Protocol, name)

        async def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            count[0] += 1
            if by_sql is not None and args:  # what each trip was: its call and SQL
                sql = args[0] if isinstance(args[0], str) else getattr(args[0], "query", "")
                by_sql[f"{name}: {' '.join(str(sql).split())[:100]}"] += 1
            return await original(self, *args, **kwargs)

        return call

    counting = type("CountingProtocol", (protocol.Protocol,), {n: counted(n) for n in ONE_TRIP})

    class Shim:
        Protocol = counting

    asyncpg.connect_utils.protocol = Shim  # type: ignore[assignment]
    target = folder / str(os.getpid())
    detail = folder.parent / f"round_trips_{os.getpid()}.json"

    def write() -> None:
        # Written aside and renamed: a reader never finds the file empty (read as 0, a window
        # with none counted).
        aside = target.with_name(f".{target.name}")
        while True:
            aside.write_text(str(count[0]))
            aside.replace(target)
            if by_sql is not None:
                # The loop's thread counts meanwhile: a copy may fail, taken again next time.
                with suppress(RuntimeError):
                    detail.write_text(json.dumps(Counter(dict(by_sql)).most_common(), indent=0))
            time.sleep(0.25)

    threading.Thread(target=write, daemon=True, name="round-trips").start()


if folder := os.environ.get("BENCH_ROUND_TRIPS"):
    _install(Path(folder))
