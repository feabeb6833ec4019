"""Other learners' reply times while one learner asks for their certificates every second.

    python bench/rendering.py [--seconds 15] [--rounds 3] [--learners 20] [--rate 1] [--think 0.2]

One process, one loop, like the server: the real Conversations on a fresh SQLite file (the
embedded default) per run, no transport. `--learners` learners each talk in a closed loop
(`/progres`, `/menu`, again, pausing `--think` seconds on average between two) and their
reply times are measured; one more learner, who has a
certificate, sends `/certificats` `--rate` times a second. Variants alternate in each round:

* before: the certificate rendered inside that learner's turn, in a thread, never cached:
  what the code did before bot/rendering.py (the SQLite write lock held all along);
* after: made after the commit, in the process pool, cached by content (bot/rendering.py);
* no-cache: the same without the cache: every `/certificats` renders, in the pool;
* quiet: nobody asks for certificates: the floor of the same machine at the same moment.

Medians over the rounds, and before/after ratios taken per round, are printed side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bot.certificates.service import SignedCertificates
from bot.conversations import Conversations
from bot.i18n import I18n
from bot.rendering import CACHE_BYTES as CACHE
from bot.rendering import Renderer, made
from bot.storage.db import create_engine, migrate_async
from bot.storage.store import SqlStore
from content.library import load_library
from dialogs.context import Context
from dialogs.engine import Reply
from dialogs.events import Incoming, Resumed
from dialogs.flows import build_dialogs
from dialogs.messages import Document, Out
from dialogs.ports import CompleteLesson, Effect, RecordQuiz
from dialogs.state import DialogState
from tests.store_driver import Person

VARIANTS = ("before", "after", "no-cache", "quiet")
COURSE = "fractions"


class RenderedInTurn(Conversations):
    """The code before bot/rendering.py: documents made inside the turn's transaction."""

    async def _reply(self, ctx: Context, event: Incoming) -> Reply:
        reply = await super()._reply(ctx, event)
        reply.messages[:] = await made(reply.messages)
        return reply


@dataclass
class Run:
    """What one run measured."""

    variant: str
    latencies: list[float] = field(default_factory=list)  # other learners' replies, seconds
    certificates: int = 0  # PDFs the hammering learner received
    renders: int = 0

    def mean(self) -> float:
        """The mean reply time, in ms."""
        return 1000 * statistics.fmean(self.latencies)

    def p(self, share: float) -> float:
        """A percentile of the reply times, in ms."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@asynccontextmanager
async def conversations(variant: str) -> AsyncIterator[tuple[Conversations, Renderer]]:
    """A fresh database and the conversations of a variant."""
    folder = Path(tempfile.mkdtemp(prefix="bench-render-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    await migrate_async(url)
    engine = create_engine(url)
    store = SqlStore(engine, folder / "authored")
    if variant == "before":
        renderer = Renderer(pool="thread", workers=1, cache_bytes=0)
    else:
        renderer = Renderer(pool="process", cache_bytes=0 if variant == "no-cache" else CACHE)
    kind = RenderedInTurn if variant == "before" else Conversations
    talk = kind(store, build_dialogs(), load_library(), I18n(), b"bench")
    talk.certifier = SignedCertificates(Ed25519PrivateKey.generate(), "https://e.org", renderer)
    try:
        yield talk, renderer
    finally:
        renderer.close()
        store.close()
        await engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


async def certified(talk: Conversations, person: Person) -> None:
    """Every lesson of the course done at 90 %, then the name typed: a certificate."""
    course = talk.library.get(COURSE)
    assert course is not None
    effects: list[Effect] = [CompleteLesson(COURSE, lesson.id) for lesson in course.lessons]
    effects += [RecordQuiz(COURSE, lesson.id, 9, 10) for lesson in course.lessons[:-1]]
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        data = {"course": COURSE, "lesson": course.lessons[-1].id, "ratio": 0.9}
        state = DialogState(step="quiz_done", data=data, prompt=tx.state.prompt)
        tx.save(tx.profile, state, effects)
    await person._deliver(Resumed(person.user, "bench-resume"))
    got = await person.send("Awa Diop")
    assert any(isinstance(m, Document) for m in got), "no certificate issued"


async def one_run(variant: str, args: argparse.Namespace) -> Run:
    """Warm up, then measure the others' reply times for `args.seconds`."""
    run = Run(variant)
    async with conversations(variant) as (talk, renderer):
        hammer = Person.on(talk, "web", "hammer")
        others = [Person.on(talk, "web", f"other{i}") for i in range(args.learners)]
        for person in (hammer, *others):
            await person.onboard()
        await certified(talk, hammer)  # the process pool starts here, outside the window
        measuring = False
        stop = time.perf_counter() + args.warmup + args.seconds
        start_measuring = time.perf_counter() + args.warmup

        async def talker(person: Person) -> None:
            nonlocal measuring
            texts = ("/progres", "/menu")
            turn = 0
            while time.perf_counter() < stop:
                began = time.perf_counter()
                await person.send(texts[turn % 2])
                turn += 1
                if began >= start_measuring and time.perf_counter() < stop:
                    run.latencies.append(time.perf_counter() - began)
                # A person reads, then answers (a turn on SQLite may never wait on anything
                # else: without this pause the loop would serve the talkers alone).
                await asyncio.sleep(random.uniform(0, 2 * args.think))

        async def hammering() -> None:
            pending: list[asyncio.Task[list[Out]]] = []
            while time.perf_counter() < stop:
                if variant != "quiet":
                    pending.append(asyncio.create_task(hammer.send("/certificats")))
                await asyncio.sleep(1 / args.rate)
            for reply in await asyncio.gather(*pending):
                run.certificates += sum(isinstance(m, Document) for m in reply)

        rendered_before = renderer.rendered
        await asyncio.gather(hammering(), *(talker(p) for p in others))
        run.renders = renderer.rendered - rendered_before
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--rate", type=float, default=1.0, help="/certificats a second")
    parser.add_argument("--think", type=float, default=0.2, help="mean pause between turns")
    args = parser.parse_args()
    runs: dict[str, list[Run]] = {v: [] for v in VARIANTS}
    for number in range(1, args.rounds + 1):
        for variant in VARIANTS:
            run = asyncio.run(one_run(variant, args))
            runs[variant].append(run)
            print(
                f"round {number} {variant:6s} turns {len(run.latencies):5d}"
                f"  p50 {run.p(0.5):6.1f} ms  p90 {run.p(0.9):6.1f} ms  p99 {run.p(0.99):6.1f} ms"
                f"  mean {run.mean():6.1f} ms"
                f"  certificates {run.certificates:3d}  renders {run.renders:3d}",
                flush=True,
            )
    print()
    print("| variant | p99 by round (ms) | median p50 | median p90 | median p99 | median mean |")
    print("|---|---|---|---|---|---|")
    for variant in VARIANTS:
        done = runs[variant]
        p99s = ", ".join(f"{r.p(0.99):.1f}" for r in done)
        p50, p90, p99 = (statistics.median(r.p(s) for r in done) for s in (0.5, 0.9, 0.99))
        mean = statistics.median(r.mean() for r in done)
        print(f"| {variant} | {p99s} | {p50:.1f} | {p90:.1f} | {p99:.1f} | {mean:.1f} |")
    print()
    for share, name in ((0.5, "p50"), (0.9, "p90"), (0.99, "p99")):
        pairs = zip(runs["before"], runs["after"], runs["no-cache"], runs["quiet"], strict=True)
        ratios, floor, bare = [], [], []
        for before, after, uncached, quiet in pairs:
            ratios.append(before.p(share) / after.p(share))
            floor.append(after.p(share) / quiet.p(share))
            bare.append(uncached.p(share) / quiet.p(share))
        print(
            f"{name}: before/after by round {', '.join(f'{r:.2f}' for r in ratios)}"
            f" (median ×{statistics.median(ratios):.2f});"
            f" after/quiet median ×{statistics.median(floor):.2f};"
            f" no-cache/quiet median ×{statistics.median(bare):.2f}"
        )


if __name__ == "__main__":
    main()
