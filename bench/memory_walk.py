"""What a worker's memory grows by, turn after turn: learners walking at random through the
real conversations (SQLite, no transport), with tracemalloc snapshots between equal stretches.

    python bench/memory_walk.py [--learners 40] [--turns 1500] [--stretches 4]

After onboarding and one stretch of warm-up, each stretch of `--turns` turns (a random
learner taps one of the options shown, or types a common word or command) is followed by a
snapshot. Prints the resident memory after each stretch, the Python memory traced as grown
in each (all of it, then without Babel's locale data, which is loaded once per locale asked),
and the places that grew most. A leak in the bot's own code shows as growth that comes back
stretch after stretch at the same place; resident memory growing while the traced memory
does not is the allocator's or a C library's (SQLite's page cache, freed memory not handed
back). See bench/README.md (soak.py).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sys
import tempfile
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make bot/, tests/ and bench/ importable
    sys.path.insert(0, str(ROOT))

from bot.storage.db import migrate_async  # noqa: E402
from tests.store_driver import Person, open_conversations  # noqa: E402

WORDS = ["/menu", "/progres", "3", "oui", "vrai", "1/2", "/aide", "2", "réviser", "cours"]


async def walk(people: list[Person], turns: int, rng: random.Random) -> None:
    """`turns` turns of learners picked at random: a tap on what they were shown (4 in 5), or
    a word typed."""
    for _ in range(turns):
        person = rng.choice(people)
        person.sent = person.sent[-3:]  # the last prompt is all a tap needs
        try:
            options = person.last_prompt().options
        except AssertionError:
            options = ()
        if options and rng.random() < 0.8:
            await person.tap(rng.choice(options).id)
        else:
            await person.send(rng.choice(WORDS))


def resident_mb() -> float:
    """This process's resident memory."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 1e6


def report(label: str, before: tracemalloc.Snapshot, after: tracemalloc.Snapshot) -> None:
    """Traced growth between two snapshots, and where most of it is (Babel's data apart)."""
    grown = after.compare_to(before, "traceback")
    ours = [s for s in grown if not any("babel" in f.filename for f in s.traceback)]
    total, own = sum(s.size_diff for s in grown), sum(s.size_diff for s in ours)
    print(f"{label}: traced {total / 1e3:+.1f} KB, without Babel's locale data {own / 1e3:+.1f}")
    for stat in sorted(ours, key=lambda s: -s.size_diff)[:3]:
        where = " < ".join(f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback[-3:])
        print(f"    {stat.size_diff / 1e3:+7.1f} KB {stat.count_diff:+6d} blocks  {where}")


async def main(args: argparse.Namespace) -> None:
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='memory-walk-')) / 'walk.db'}"
    await migrate_async(url)
    rng = random.Random(args.seed)
    async with open_conversations(url) as conversations:
        people = [Person.on(conversations, "telegram", f"u{i}") for i in range(args.learners)]
        for person in people:
            await person.onboard()
        await walk(people, args.turns, rng)  # warm-up: caches, first locales
        gc.collect()
        tracemalloc.start(12)
        snapshots, resident = [tracemalloc.take_snapshot()], [resident_mb()]
        for _ in range(args.stretches):
            await walk(people, args.turns, rng)
            gc.collect()
            snapshots.append(tracemalloc.take_snapshot())
            resident.append(resident_mb())
    print(f"{args.learners} learners, {args.turns} turns a stretch, after a warm-up")
    print("resident MB after each stretch: " + ", ".join(f"{mb:.1f}" for mb in resident))
    for n in range(1, len(snapshots)):
        report(f"stretch {n}", snapshots[n - 1], snapshots[n])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--turns", type=int, default=1500)
    parser.add_argument("--stretches", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    asyncio.run(main(parser.parse_args()))
