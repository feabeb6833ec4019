"""How long a teacher waits for the first class report after the bot starts, with and without
the render pool warmed at start-up (RENDER_WARM, bot/rendering.py `Renderer.warm`).

    python bench/first_report.py [--rounds 3] [--pauses 0,5]

A class (a teacher on the web chat, one student with answers) is made once in a SQLite file.
Each run copies it, starts the real `BotApp` on it (web chat only), lets `--pause` seconds
pass (the teacher arriving some time after the start), opens the teacher's page again, goes
to the class's report and measures the tap that sends it (the summary, the chart drawn in the
render pool, two CSV files) until the server's acknowledgement: then the same report again
(cached). Variants alternate in each round: cold (RENDER_WARM off, the pool starts at the
first chart) and warm (on). Medians over the rounds are printed. Not a test: figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import BotApp
from bot.config import Settings
from dialogs.ports import RecordAnswer
from tests.chat_drivers import WebChat
from tests.class_chat import teacher_with_class
from tests.integration.test_class_reports import play, student
from tests.store_driver import open_conversations

TEACHER = "web-bench-teacher-000001"


async def prepare(folder: Path) -> Path:
    """A SQLite file with a teacher (web chat), a class and one student who answered."""
    path = folder / "class.db"
    settings = settings_for(path, warm=False)
    bot = BotApp(settings)
    await bot.start()
    try:
        async with aiohttp.ClientSession() as http:
            teacher = WebChat(bot, http, uid=TEACHER)
            await teacher.open()
            async with open_conversations(settings.database_url) as talk:
                join = await teacher_with_class(teacher, talk, settings.database_url)
                pupil = await student(talk, "Aïssatou", join)
                await play(
                    talk,
                    pupil,
                    RecordAnswer("fractions", "parts-egales", "q1", "a", 0.0, False),
                    RecordAnswer("fractions", "parts-egales", "q2", "vrai", 0.0, False),
                )
            await teacher.close()
    finally:
        await bot.stop()
    return path


def settings_for(path: Path, warm: bool) -> Settings:
    """The web chat alone on that file."""
    base = Settings(
        database_url=f"sqlite:///{path}", web_host="127.0.0.1", web_port=0, pseudonym_secret=b"b"
    )
    return replace(base, render_warm=warm)


async def one_run(template: Path, folder: Path, warm: bool, pause: float) -> tuple[float, float]:
    """The first report's and the second's times, in ms."""
    path = folder / f"run-{time.monotonic_ns()}.db"
    shutil.copy(template, path)
    bot = BotApp(settings_for(path, warm))
    await bot.start()
    try:
        await asyncio.sleep(pause)
        async with aiohttp.ClientSession() as http:
            # Frame ids the page has not used yet (a repeated id is acknowledged, not handled).
            teacher = WebChat(bot, http, uid=TEACHER, _ids=itertools.count(1000))
            await teacher.open()
            times = []
            for _ in range(2):
                await teacher.send("/classes")
                await teacher.tap("CM2 B")
                await teacher.tap("Suivi de la classe")
                started = time.perf_counter()
                await teacher.tap("Les fractions")
                times.append(1000 * (time.perf_counter() - started))
                sent = teacher.frames[teacher.mark :]
                assert any(str(f.get("filename", "")).endswith(".png") for f in sent), sent
            await teacher.close()
    finally:
        await bot.stop()
    return times[0], times[1]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pauses", default="0,5", help="seconds after start, comma-separated")
    args = parser.parse_args()
    pauses = [float(p) for p in args.pauses.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="bench-first-report-"))
    try:
        template = await prepare(folder)
        runs: dict[tuple[str, float], list[tuple[float, float]]] = {}
        for round_ in range(args.rounds):
            for pause in pauses:
                for variant in ("cold", "warm"):
                    got = await one_run(template, folder, variant == "warm", pause)
                    runs.setdefault((variant, pause), []).append(got)
                    print(
                        f"round {round_ + 1} pause {pause:g} s {variant}: "
                        f"first {got[0]:.0f} ms, second {got[1]:.0f} ms",
                        flush=True,
                    )
        print("\nmedians (ms)      first report   second report")
        for (variant, pause), got in runs.items():
            first = statistics.median(g[0] for g in got)
            second = statistics.median(g[1] for g in got)
            print(f"pause {pause:>3g} s {variant:<5} {first:>14.0f} {second:>15.0f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
