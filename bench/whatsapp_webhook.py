"""WhatsApp webhook: signed bodies through verification, the durable inbox and the dialogs,
beside a bare aiohttp handler that only verifies the signature, in the same run.

    python bench/whatsapp_webhook.py [--seconds 10] [--rounds 3] [--rate 1000] [--quick]

Each variant's server runs in its own process (bench/whatsapp_servers.py); this process runs
the fake Graph API (tests/fakes/graph_api.py, not recording) and the senders. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make bot/, tests/ and bench/ importable
    sys.path.insert(0, str(ROOT))

from bench.journeys import Journey, Tap, Type  # noqa: E402
from bench.processes import cpu_seconds, describe_checkout, pythonpath, started  # noqa: E402
from bench.whatsapp_load import (  # noqa: E402
    POST_TIMEOUT,
    Screen,
    ScreenGraph,
    choice_body,
    post,
    text_body,
)
from bench.whatsapp_servers import VARIANTS  # noqa: E402
from bot.whatsapp.service import WEBHOOK_PATH  # noqa: E402

SERVERS = "bench.whatsapp_servers"  # run with -m from ROOT: bench/ must not shadow content/
MODES = ("max", "fixed")
TARGET_P99_MS = 250.0  # acknowledgement p99 at the fixed rate, full stack
TARGET_RATIO = 0.5  # full stack acknowledged bodies/s >= half the bare handler's
FIRST_PHONE = 221_770_000_001

JSON = dict[str, Any]


# --- learners ---------------------------------------------------------------------------------


@dataclass
class Learner:
    """One person: answers what their chat shows once a question arrived, else types."""

    phone: str
    rng: random.Random
    waiting: bool = False  # posted a step of the journey, no question back yet
    journey: Journey = field(init=False)

    def __post_init__(self) -> None:
        self.journey = Journey(self.rng, first="Bonjour")

    def step(self, screen: Screen | None) -> bytes:
        """The next step of the journey (bench/journeys.py) from the last question shown."""
        self.waiting = True
        step = self.journey.next(None if screen is None else screen.shown())
        if isinstance(step, Tap) and screen is not None:
            return choice_body(self.phone, screen.choice(step.option))
        return text_body(self.phone, step.text if isinstance(step, Type) else "/menu")

    def impatient(self) -> bytes:
        """A text typed while nothing new arrived (or to the bare handler)."""
        return text_body(self.phone, self.journey.echo().text)


@dataclass
class Crowd:
    """The learners; the next body comes from one whose question arrived, else a typed text."""

    graph: ScreenGraph
    people: dict[str, Learner]
    ready: deque[Learner] = field(default_factory=deque)
    mix: Counter[str] = field(default_factory=Counter)
    _turn: itertools.cycle[Learner] | None = None

    @classmethod
    def of(cls, graph: ScreenGraph, count: int, seed: int) -> Crowd:
        """`count` learners, each with their own reproducible choices; all start with Bonjour."""
        people = {
            str(FIRST_PHONE + i): Learner(str(FIRST_PHONE + i), random.Random(seed * 7919 + i))
            for i in range(count)
        }
        crowd = cls(graph, people)
        crowd.ready.extend(people.values())
        crowd._turn = itertools.cycle(list(people.values()))
        graph.on_question = crowd._woken
        return crowd

    def _woken(self, phone: str) -> None:
        learner = self.people.get(phone)
        if learner is not None and learner.waiting:
            learner.waiting = False
            self.ready.append(learner)

    def next_body(self, journey: bool) -> bytes:
        """A journey step when a learner is ready (full), otherwise an impatient text."""
        if journey and self.ready:
            learner = self.ready.popleft()
            self.mix["journey"] += 1
            return learner.step(self.graph.screens.get(learner.phone))
        assert self._turn is not None
        self.mix["typed while waiting" if journey else "text"] += 1
        return next(self._turn).impatient()


# --- the servers --------------------------------------------------------------------------------


@dataclass
class Server:
    """A variant's server process, its ports, and where it logs."""

    variant: str
    process: asyncio.subprocess.Process
    port: int
    stats_port: int
    log: Path

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process used so far (Linux /proc)."""
        return cpu_seconds(self.process.pid)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}"

    async def stats(self, http: aiohttp.ClientSession) -> tuple[int, int]:
        """(bodies received, bodies not handled yet)."""
        async with http.get(f"http://127.0.0.1:{self.stats_port}/stats") as response:
            found = await response.json()
        return int(found["received"]), int(found["pending"])


@asynccontextmanager
async def server(
    variant: str, graph_url: str, workdir: Path, pace: float, profile: Path | None
) -> AsyncIterator[Server]:
    """Start a variant in its own process; it is stopped (or killed) on the way out."""
    env = {**os.environ, "PYTHONPATH": pythonpath(ROOT)}
    if profile is not None:
        env["BENCH_PROFILE"] = str(profile)
    command = (sys.executable, "-m", SERVERS, variant, graph_url, str(workdir), str(pace))
    async with started(command, workdir, cwd=ROOT, env=env) as found:
        port, stats_port = (int(word) for word in found.ready[:2])
        yield Server(variant, found.process, port, stats_port, found.log)


# --- sending and timing -----------------------------------------------------------------------


@dataclass
class Tally:
    """Acknowledgements: latencies of the 200s that count, errors, and every 200 seen."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    acked: int = 0  # every 200, warm-up included (handled = acked - backlog)

    def summary(self, seconds: float, scheduled: int = 0) -> dict[str, float]:
        """Bodies/s, p50, p99 and max in ms, errors, and the share acknowledged (fixed rate)."""
        ok = sorted(self.latencies)
        cuts = statistics.quantiles(ok, n=100) if len(ok) > 1 else [0.0] * 99
        return {
            "bps": len(ok) / seconds,
            "p50": statistics.median(ok) * 1000 if ok else 0.0,
            "p99": cuts[98] * 1000,
            "max": ok[-1] * 1000 if ok else 0.0,
            "errors": float(self.errors.total()),
            "bodies": float(len(ok)),
            "share": len(ok) / scheduled if scheduled else 1.0,
        }


async def closed_loop(
    http: aiohttp.ClientSession,
    srv: Server,
    crowd: Crowd,
    tally: Tally,
    senders: int,
    window: tuple[float, float],
) -> None:
    """`senders` loops, each posting its next body as soon as the previous one was answered."""
    start, end = window
    journey = srv.variant == "full"

    async def sender() -> None:
        while time.perf_counter() < end:
            raw = crowd.next_body(journey)
            sent = time.perf_counter()
            error = await post(http, srv.url, raw)
            done = time.perf_counter()
            tally.acked += error is None
            if start <= done <= end:
                if error is None:
                    tally.latencies.append(done - sent)
                else:
                    tally.errors[error] += 1

    await asyncio.gather(*(sender() for _ in range(senders)))


async def open_loop(
    http: aiohttp.ClientSession,
    srv: Server,
    crowd: Crowd,
    tally: Tally,
    rate: float,
    window: tuple[float, float],
    warm_from: float,
) -> int:
    """Bodies at a fixed rate, whether or not the earlier ones were answered; latency is
    taken from the scheduled time (a late sender counts against the server). Returns how many
    bodies were scheduled inside the window; waits for all of them to be answered."""
    start, end = window
    journey = srv.variant == "full"
    tasks: set[asyncio.Task[None]] = set()

    async def one(due: float, raw: bytes) -> None:
        error = await post(http, srv.url, raw)
        done = time.perf_counter()
        tally.acked += error is None
        if start <= due < end:
            if error is None:
                tally.latencies.append(done - due)
            else:
                tally.errors[error] += 1

    scheduled = 0
    for index in itertools.count():
        due = warm_from + index / rate
        if due >= end:
            break
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        task = asyncio.create_task(one(due, crowd.next_body(journey)))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        scheduled += start <= due < end
    if tasks:
        await asyncio.wait(set(tasks), timeout=POST_TIMEOUT + 5)
    return scheduled


async def drain(http: aiohttp.ClientSession, srv: Server, limit: float) -> tuple[float, int]:
    """Poll the server until nothing is left to handle; (seconds it took, what is left)."""
    began = time.perf_counter()
    while True:
        _received, pending = await srv.stats(http)
        elapsed = time.perf_counter() - began
        if pending == 0 or elapsed >= limit:
            return elapsed, pending
        await asyncio.sleep(0.05)


async def run_variant(
    variant: str, mode: str, args: argparse.Namespace, workdir: Path
) -> dict[str, Any]:
    """One variant in one mode: start it, warm up, measure the window, drain, stop."""
    profile = args.profile / f"{workdir.name}.prof" if args.profile and variant == "full" else None
    connections = args.senders if mode == "max" else args.connections
    graph = ScreenGraph()
    async with (
        graph,
        server(variant, graph.url, workdir, args.pace, profile) as srv,
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=connections + 4),
            timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT),
        ) as http,
    ):
        crowd = Crowd.of(graph, args.learners, args.seed)
        tally = Tally()
        result: dict[str, Any]
        now = time.perf_counter()
        start = now + args.warmup
        window = (start, start + args.seconds)
        probe = asyncio.create_task(_probe(http, srv, graph, tally, window))
        if mode == "max":
            await closed_loop(http, srv, crowd, tally, args.senders, window)
            result = {**tally.summary(args.seconds)}
        else:
            scheduled = await open_loop(http, srv, crowd, tally, args.rate, window, now)
            result = {**tally.summary(args.seconds, scheduled)}
        result.update(await probe)
        result["drain_s"], result["left"] = await drain(http, srv, args.drain_limit)
        result["mix"] = dict(crowd.mix)
        result["graph_refused"] = graph.refused
    return result


async def _probe(
    http: aiohttp.ClientSession,
    srv: Server,
    graph: ScreenGraph,
    tally: Tally,
    window: tuple[float, float],
) -> dict[str, float]:
    """Handled bodies, replies and CPU of both processes over the window; backlog at its end."""
    start, end = window
    await asyncio.sleep(max(start - time.perf_counter(), 0))
    received0, pending0 = await srv.stats(http)
    replies0, cpu_srv0, cpu_load0 = graph.accepted.total(), srv.cpu_seconds(), time.process_time()
    await asyncio.sleep(max(end - time.perf_counter(), 0))
    received, pending = await srv.stats(http)
    seconds = end - start
    cpu_srv = srv.cpu_seconds() - cpu_srv0
    handled = (received - pending) - (received0 - pending0)
    return {
        "handled_bps": handled / seconds,
        "replies_ps": (graph.accepted.total() - replies0) / seconds,
        "backlog": float(pending),
        "srv_cpu": cpu_srv / seconds * 100,
        "load_cpu": (time.process_time() - cpu_load0) / seconds * 100,
        "cpu_ms": cpu_srv * 1000 / max(received - received0, 1),
    }


# --- rounds and the table -------------------------------------------------------------------


async def bench(args: argparse.Namespace, workdir: Path) -> dict[tuple[str, str], list[JSON]]:
    """Alternate the variants within each mode of each round; every result, by (mode, variant)."""
    results: dict[tuple[str, str], list[JSON]] = {
        (mode, variant): [] for mode in args.modes for variant in args.variants
    }
    for round_ in range(1, args.rounds + 1):
        for mode in args.modes:
            for variant in args.variants:
                folder = workdir / f"{variant}-{mode}-round{round_}"
                result = await run_variant(variant, mode, args, folder)
                results[mode, variant].append(result)
                print(f"round {round_} {mode:5} {variant:4} {describe(result)}", flush=True)
    return results


def describe(r: JSON) -> str:
    """One run on one line, then its details."""
    line = (
        f"{r['bps']:7.0f} bodies/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms"
        f"  max {r['max']:6.1f} ms  acked {r['share']:6.1%}  errors {r['errors']:.0f}"
        f"\n           handled {r['handled_bps']:6.0f}/s  replies {r['replies_ps']:6.0f}/s"
        f"  backlog at end {r['backlog']:.0f}, drained in {r['drain_s']:.1f} s"
        f"{' ({} left)'.format(r['left']) if r['left'] else ''}"
        f"  cpu: server {r['srv_cpu']:.0f}% ({r['cpu_ms']:.2f} ms/body),"
        f" load generator {r['load_cpu']:.0f}%  mix {r['mix']}"
    )
    if r["graph_refused"]:
        line += f"  Graph refusals {r['graph_refused']}"
    return line


def report(results: dict[tuple[str, str], list[JSON]], args: argparse.Namespace) -> None:
    """Medians per mode and variant, the per-round ratios full/bare, and the targets."""
    print(
        f"\n{'mode':6}{'variant':8}{'bodies/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'acked':>8}{'handled/s':>11}{'backlog':>9}{'drain s':>9}{'ms/body':>9}{'errors':>8}"
    )
    keys = ("bps", "p50", "p99", "max", "share", "handled_bps", "backlog", "drain_s", "cpu_ms")
    for (mode, variant), runs in results.items():
        if not runs:
            continue
        m = {key: statistics.median(run[key] for run in runs) for key in keys}
        errors = sum(run["errors"] for run in runs)
        print(
            f"{mode:6}{variant:8}{m['bps']:9.0f}{m['p50']:9.1f}{m['p99']:9.1f}{m['max']:9.1f}"
            f"{m['share']:8.1%}{m['handled_bps']:11.0f}{m['backlog']:9.0f}{m['drain_s']:9.1f}"
            f"{m['cpu_ms']:9.2f}{errors:8.0f}"
        )
    print()
    for mode in args.modes:
        full, bare = results.get((mode, "full"), []), results.get((mode, "bare"), [])
        ratios = [f["bps"] / b["bps"] for f, b in zip(full, bare, strict=False) if b["bps"]]
        if ratios:
            per_round = ", ".join(f"{r:.2f}" for r in ratios)
            ratio = statistics.median(ratios)
            line = f"{mode}: full/bare bodies/s per round {per_round}, median {ratio:.2f}"
            if mode == "max":
                verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
                line += f" (target >= {TARGET_RATIO}) -> {verdict}"
            print(line)
    if full := results.get(("fixed", "full"), []):
        p99 = statistics.median(run["p99"] for run in full)
        share = statistics.median(run["share"] for run in full)
        verdict = "met" if p99 < TARGET_P99_MS and share >= 0.999 else "NOT met"
        print(
            f"fixed: full stack at {args.rate:,.0f} bodies/s: median p99 {p99:.1f} ms, "
            f"{share:.1%} acknowledged (target p99 < {TARGET_P99_MS:.0f} ms) -> {verdict}"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--learners", type=int, default=500, help="distinct phone numbers")
    parser.add_argument("--senders", type=int, default=64, help="closed-loop senders (max)")
    parser.add_argument("--rate", type=float, default=1000.0, help="bodies/s (fixed)")
    parser.add_argument("--connections", type=int, default=256, help="open-loop connections")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured window per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="load before the window")
    parser.add_argument("--rounds", type=int, default=3, help="times every run repeats")
    parser.add_argument("--drain-limit", type=float, default=20.0, help="max wait for backlog")
    parser.add_argument("--pace", type=float, default=0.0, help="whatsapp_pace_seconds (full)")
    parser.add_argument("--seed", type=int, default=1, help="learners' random choices")
    parser.add_argument("--modes", type=_list_of(MODES), default=list(MODES))
    parser.add_argument("--variants", type=_list_of(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--profile", type=Path, help="folder for cProfile files of 'full'")
    parser.add_argument("--keep", type=Path, help="keep databases and server logs here")
    parser.add_argument("--quick", action="store_true", help="a 30-second smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.seconds, args.warmup, args.drain_limit = 1, 3.0, 1.0, 5.0
    return args


def _list_of(allowed: tuple[str, ...]) -> Callable[[str], list[str]]:
    """A comma-separated subset of `allowed`."""

    def parse(text: str) -> list[str]:
        chosen = [v for v in text.split(",") if v]
        if unknown := set(chosen) - set(allowed):
            raise argparse.ArgumentTypeError(f"unknown: {', '.join(sorted(unknown))}")
        return chosen

    return parse


def main(argv: list[str] | None = None) -> int:
    """Run the rounds and print the table."""
    args = parse_args(argv)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="imaginecole-bench-wa-"))
    print(
        f"{args.learners} learners, {args.senders} senders (max), {args.rate:.0f} bodies/s"
        f" (fixed), {args.seconds:.0f} s windows after {args.warmup:.0f} s warm-up,"
        f" {args.rounds} rounds, pace {args.pace} s"
    )
    print(f"code: {describe_checkout(ROOT)}")
    try:
        report(asyncio.run(bench(args, workdir)), args)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
