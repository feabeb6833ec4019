"""What keeping translators' strings live costs a turn: the version check, the view counter.

    python bench/translations.py [--turns 400] [--rounds 3] [--postgres URL]

Real turns (Conversations.handle on the real store, SQLite by default) by 20 learners who
send /aide and /menu in turn, in four variants run alternately within each round:

* baseline: no check of the reviewed strings' version, no counting of strings shown;
* counting: strings shown are counted in memory (a Counter per worker), never checked;
* default: counting, and the version checked at most every 5 s (TRANSLATIONS_REFRESH_SECONDS);
* every turn: counting, and the version read before every turn (one one-row SELECT).

Each variant's median CPU time per turn (this process's, which other programs on a shared
machine disturb less than wall time; SQLite runs in this process) is printed with its ratio
to the baseline of the same round; the order of the variants turns from round to round.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.i18n import BabelTranslator, I18n
from bot.storage.db import migrate_async
from tests.store_driver import Person, open_conversations

LEARNERS = 20
VARIANTS = ("baseline", "counting", "default", "every turn")


class Uncounted(I18n):
    """The catalogs without the counter of strings shown."""

    def translator(self, lang: str | None, country: str | None = None) -> BabelTranslator:
        made = super().translator(lang, country)
        made.seen = None
        return made


async def run(url: str, variant: str, turns: int) -> float:
    """Milliseconds of CPU per turn of one variant."""
    async with open_conversations(url) as talk:
        if variant == "baseline":
            talk.i18n = Uncounted()
        talk.catalogs.refresh_seconds = {"default": 5.0, "every turn": 0.0}.get(variant)
        talk.catalogs.i18n = talk.i18n
        people = [Person.on(talk, "telegram", f"{n}") for n in range(LEARNERS)]
        for person in people:
            await person.onboard()
        started = time.process_time()
        for n in range(turns):
            await people[n % LEARNERS].send("/aide" if n % 2 else "/menu")
        return (time.process_time() - started) * 1000 / turns


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", help="a database URL to use instead of a SQLite file")
    args = parser.parse_args()
    found: dict[str, list[float]] = {v: [] for v in VARIANTS}
    ratios: dict[str, list[float]] = {v: [] for v in VARIANTS}
    for round_number in range(1, args.rounds + 1):
        speeds = {}
        turned = VARIANTS[round_number % 4 :] + VARIANTS[: round_number % 4]
        for variant in turned:
            url = args.postgres or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
            await migrate_async(url)
            speeds[variant] = await run(url, variant, args.turns)
            found[variant].append(speeds[variant])
        for variant in VARIANTS:
            ratios[variant].append(speeds[variant] / speeds["baseline"])
        line = "  ".join(f"{v} {speeds[v]:5.2f} ms" for v in VARIANTS)
        print(f"round {round_number}: {line}")
    for variant in VARIANTS:
        print(
            f"{variant:<11} median {statistics.median(found[variant]):5.2f} ms of CPU a turn,"
            f" {statistics.median(ratios[variant]):.3f}x the baseline"
        )


if __name__ == "__main__":
    asyncio.run(main())
