"""A school server's load and its sync's data: `python -m bot run` with N learners on its web
chat at once (memory and CPU of the process), then the bytes its sync moves per learner.

    python bench/school_server.py [--learners 40] [--rounds 2]

1. The real `python -m bot run` (web chat only, SQLite in a temp folder, INFO logging to a
   file) is started; its memory (VmRSS, /proc) is read idle: the same-run baseline.
2. N learners open the web chat at once and each goes, R times, through onboarding (once),
   the first fractions lesson and its quiz. The process's CPU time (utime + stime) over the
   wall time, and its peak memory (VmHWM), are read at the end.
3. Its journal is pushed by a real `SchoolSync` to a national instance (an in-process
   `BotApp` on another SQLite file, over loopback HTTP): the bytes sent and received, per
   record and per learner, against the same records as plain JSON (the baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)  # bench/content.py would shadow the real `content` package
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench.processes import cpu_seconds, memory_mb  # noqa: E402
from tests.offline_school import free_port  # noqa: E402

LESSONS_PER_WEEK = 5  # a learner's week at school: a lesson and its quiz a day


def proc(pid: int) -> dict[str, float]:
    """Memory (MiB) and CPU seconds of a process, from /proc."""
    found = {key: memory_mb(pid, key) for key in ("VmRSS", "VmHWM")}
    found["cpu"] = cpu_seconds(pid)
    return found


async def learner(port: int, rounds: int, http: aiohttp.ClientSession) -> int:
    """One learner: onboarding, then `rounds` times the lesson and its quiz; turns taken."""
    from tests.chat_drivers import WebChat
    from tests.integration.test_same_journey import answer, onboard, open_lesson, read_to_the_quiz

    chat = WebChat(cast(Any, SimpleNamespace(port=port)), http)
    await chat.open()
    await onboard(chat)
    for _ in range(rounds):
        await chat.send("/menu")
        await open_lesson(chat)
        await read_to_the_quiz(chat)
        for _ in range(4):
            await answer(chat, right=True)
    await chat.close()
    return len(chat.frames)


async def main(learners: int, rounds: int) -> None:
    from tests.offline_school import _until_serving

    folder = Path(tempfile.mkdtemp(prefix="bench-school-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNC_", "XAPI_"))}
    env |= {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{folder / 'school.db'}",
        "WEB_HOST": "127.0.0.1",
        "PSEUDONYM_SECRET": "bench",
        # Every learner comes from 127.0.0.1 here; at school each phone has its own address.
        "WEB_ADDRESS_FLOOD_LIMIT": "",
        "FLOOD_LIMIT": "",  # a scripted learner answers faster than any child
        "WEB_SOCKETS_PER_ADDRESS": "0",
        "MAX_CONNECTIONS_PER_ADDRESS": "0",
    }
    log = (folder / "bot.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--port", str(port), cwd=folder, env=env,
        stdout=log, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        await _until_serving(port, process)
        await asyncio.sleep(2)
        idle = proc(process.pid)
        started = time.monotonic()
        async with aiohttp.ClientSession() as http:
            frames = await asyncio.gather(*(learner(port, rounds, http) for _ in range(learners)))
        wall = time.monotonic() - started
        busy = proc(process.pid)
    finally:
        process.terminate()
        await process.wait()
        log.close()
    cpu = busy["cpu"] - idle["cpu"]
    print(f"school server, {learners} learners at once, {rounds} lesson+quiz each:")
    print(f"  idle (baseline): RSS {idle['VmRSS']:.0f} MiB")
    ratio = busy["VmHWM"] / idle["VmRSS"]
    print(f"  under load: peak RSS {busy['VmHWM']:.0f} MiB ({ratio:.2f}x idle)")
    print(
        f"  CPU {cpu:.1f} s over {wall:.1f} s = {100 * cpu / wall:.0f}% of one core;"
        f" {sum(frames)} frames received"
    )
    await measure_sync(folder / "school.db", learners, rounds)
    shutil.rmtree(folder, ignore_errors=True)


async def measure_sync(school_db: Path, learners: int, rounds: int) -> None:
    """Push the school's journal to a national instance; bytes per record and learner."""
    from bot.app import BotApp
    from bot.config import Settings
    from bot.storage.db import create_engine
    from bot.storage.store import SqlStore
    from bot.sync import PUSH_BATCH, SchoolSync

    national_db = school_db.with_name("national.db")
    settings = Settings(
        database_url=f"sqlite:///{national_db}",
        web_host="127.0.0.1",
        web_port=0,
        sync_schools="bench:bench-token",
        authored_dir=str(school_db.parent / "authored"),
    )
    national = BotApp(settings)
    await national.start()
    engine = create_engine(f"sqlite:///{school_db}")
    store = SqlStore(engine)
    try:
        rows = await store.statement("SELECT statement FROM xapi_statements")
        plain = sum(len(str(body).encode()) for (body,) in rows)
        url = f"http://127.0.0.1:{national.port}"
        report = await SchoolSync(store, url, "bench-token").run()
    finally:
        store.close()
        await engine.dispose()
        await national.stop()
    count = len(rows)
    moved = report.bytes_sent + report.bytes_received
    # the pushes, then one page each of courses, Creathon contests and announcements
    requests = -(-count // PUSH_BATCH) + 3
    per_lesson = moved / (learners * rounds)
    print(f"sync of {count} records ({count / (learners * rounds):.1f} per lesson and quiz):")
    print(
        f"  bodies: {report.bytes_sent} B sent, {report.bytes_received} B received,"
        f" {requests} requests; plain JSON (baseline) {plain} B:"
        f" {plain / max(1, report.bytes_sent):.1f}x larger"
    )
    print(
        f"  {moved / count:.0f} B per record; a learner's week ({LESSONS_PER_WEEK} lessons"
        f" and quizzes): {per_lesson * LESSONS_PER_WEEK / 1024:.1f} KiB"
        f" (+ about 400 B of HTTP headers per request of 100 records)"
    )
    print(json.dumps({"records": count, "sent": report.bytes_sent, "plain": plain}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.learners, args.rounds))
