"""Telegram webhook throughput: the whole bot against bare PTB echo bots, in the same run.

    python bench/telegram_webhook.py [--learners 200] [--seconds 20] [--rounds 3]

Each variant's server runs in its own process (bench/webhook_servers.py); this process runs
the fake Bot API and the learners (bench/webhook_load.py). See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make bot/, tests/ and bench/ importable
    sys.path.insert(0, str(ROOT))

from bench.processes import (  # noqa: E402
    CLOCK_TICKS,
    describe_checkout,
    pythonpath,
    started,
    stop,
    tree_cpu_seconds,
)
from bench.webhook_load import (  # noqa: E402
    Client,
    Learner,
    LoadClient,
    ScreenApi,
    Window,
    api_calls,
    client_session,
    closed_loop,
    describe,
    learners,
    onboard,
    webhook_url,
)
from bench.webhook_servers import ECHO_VARIANTS, VARIANTS, WORKER_VARIANTS  # noqa: E402
from bench.whatsapp_load import Handled, ScreenGraph, WhatsAppClient  # noqa: E402
from bot.whatsapp.service import WEBHOOK_PATH as WHATSAPP_PATH  # noqa: E402

BENCH = Path(__file__).resolve().parent
SERVERS = BENCH / "webhook_servers.py"
ROUND_TRIPS = BENCH / "round_trips"  # its sitecustomize counts them
AIOGRAM_PINS = BENCH / "aiogram-requirements.txt"  # aiogram 3 and what it needs, pinned
AIOGRAM_VENV = Path.home() / ".cache" / "imaginecole-bench" / "aiogram"
TARGET_RATIO = 0.8  # full stack >= 0.8x the fastest bare echo bot (issue 21; was 0.5)
TARGET_UPS = 1000.0  # full stack updates per second on SQLite
TARGET_WHATSAPP = 0.9  # WhatsApp handled rate >= 0.9x Telegram's on the same journeys


@dataclass(frozen=True)
class Variant:
    """What to run: a label, the server kind, and the checkout whose code it runs."""

    label: str
    kind: str
    root: Path = ROOT

    @property
    def journey(self) -> bool:
        """The full bot gets learners on the whole journey; echo bots get texts."""
        return self.kind not in ECHO_VARIANTS


@dataclass
class Server:
    """A variant's server process, its port, and where it logs."""

    variant: Variant
    process: asyncio.subprocess.Process
    port: int
    log: Path
    trips: Path | None = None  # where its processes count their round trips to PostgreSQL

    def round_trips(self) -> int:
        """Round trips to PostgreSQL so far, all its processes (bench/round_trips/)."""
        if self.trips is None:
            return 0
        total = 0
        for entry in self.trips.iterdir():
            if entry.name.startswith("."):
                continue  # being written (bench/round_trips/sitecustomize.py)
            with suppress(OSError, ValueError):
                total += int(entry.read_text() or 0)
        return total

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process and its live descendants used (Linux /proc)."""
        return tree_cpu_seconds(self.process.pid)

    def database_cpu_seconds(self) -> dict[int, float]:
        """CPU seconds of each PostgreSQL backend serving this server's own database (the
        `pg-N` variants create `imaginecole_bench_<server pid>`, bench/webhook_servers.py);
        empty for the others. Other databases' backends (other jobs' tests) are not counted."""
        marker = f" imaginecole_bench_{self.process.pid} ".encode()
        found: dict[int, float] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if marker not in (entry / "cmdline").read_bytes().replace(b"\0", b" ") + b" ":
                    continue
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        return found


@asynccontextmanager
async def server(
    variant: Variant, api_url: str, workdir: Path, python: str = sys.executable
) -> AsyncIterator[Server]:
    """Start a variant in its own process; it is stopped (or killed) on the way out."""
    env = {**os.environ, "PYTHONPATH": pythonpath(variant.root)}
    trips = None
    if variant.kind in WORKER_VARIANTS:  # count round trips to PostgreSQL, in every worker
        trips = workdir / "round_trips"
        trips.mkdir(parents=True, exist_ok=True)
        env["BENCH_ROUND_TRIPS"] = str(trips)
        env["PYTHONPATH"] = os.pathsep.join((str(ROUND_TRIPS), env["PYTHONPATH"]))
    command = (python, str(SERVERS), variant.kind, api_url, str(workdir))
    async with started(command, workdir, cwd=variant.root, env=env) as found:
        yield Server(variant, found.process, found.port, found.log, trips)


def aiogram_python(venv: Path) -> str:
    """The Python of an environment with aiogram 3 (made on first use): aiogram caps pydantic
    below the version the project's test tools pin, so it cannot share their environment. It
    sees this environment's packages (aiohttp, python-telegram-bot, the bot) and has its own
    aiogram and pydantic, pinned in bench/aiogram-requirements.txt."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"making {venv} for echo-aiogram (once)", flush=True)
        subprocess.run(
            [sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True
        )
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, "-r", str(AIOGRAM_PINS)], check=True)
    return str(python)


@asynccontextmanager
async def py_spy(pid: int, seconds: float, output: Path | None) -> AsyncIterator[None]:
    """Sample the server with py-spy during the window, when asked to (--py-spy DIR)."""
    if output is None:
        yield
        return
    command = ["py-spy", "record", "--pid", str(pid), "--duration", str(int(seconds))]
    command += ["--rate", "200", "--nonblocking", "--idle", "--threads", "--format", "raw"]
    command += ["--subprocesses"]  # pg-N: the workers are children of `python -m bot run`
    command += ["-o", str(output)]
    spy = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        yield
    finally:
        with suppress(TimeoutError):  # let it write its file; it stops after `seconds`
            await asyncio.wait_for(spy.wait(), 10)
        await stop(spy)


async def run_variant(variant: Variant, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """One variant once: start it, warm up, measure a steady window, stop it."""
    people = learners(args.learners, args.seed)
    spy_file = args.py_spy / f"{workdir.name}.txt" if args.py_spy else None
    spy = spy_file if variant.journey else None
    if variant.kind == "whatsapp":
        result = await _run_whatsapp(variant, args, workdir, people, spy)
    else:
        python = aiogram_python(args.aiogram_venv) if variant.kind == "echo-aiogram" else None
        async with (
            ScreenApi() as api,
            server(variant, api.url, workdir, python or sys.executable) as srv,
            client_session(args.learners) as http,
        ):
            client = Client(http, api, webhook_url(srv.port))
            result = await _drive(client, api, srv, people, args, spy)
    return {**result, "fallbacks": sum(learner.fallbacks for learner in people)}


async def _run_whatsapp(
    variant: Variant,
    args: argparse.Namespace,
    workdir: Path,
    people: list[Learner],
    spy: Path | None,
) -> dict[str, Any]:
    """The same learners on the same journeys through the WhatsApp webhook, each waiting until
    its body was handled (bench/whatsapp_load.py)."""
    async with (
        ScreenGraph() as graph,
        server(variant, graph.url, workdir) as srv,
        client_session(args.learners) as http,
    ):
        assert srv.process.stdout is not None
        handled = Handled(srv.process.stdout)
        reading = asyncio.create_task(handled.run())
        url = f"http://127.0.0.1:{srv.port}{WHATSAPP_PATH}"
        try:
            return await _drive(
                WhatsAppClient(http, graph, url, handled), graph, srv, people, args, spy
            )
        finally:
            reading.cancel()


async def _drive(
    client: LoadClient,
    api: ScreenApi | ScreenGraph,
    srv: Server,
    people: list[Learner],
    args: argparse.Namespace,
    spy: Path | None,
) -> dict[str, Any]:
    """Onboard (the full bot), warm up, then the measured window."""
    journey = srv.variant.journey
    late = await onboard(client, people) if journey else 0
    start = time.perf_counter() + args.warmup
    client.window = window = Window(start, start + args.seconds)
    measure = asyncio.create_task(_measure(window, srv, api))
    await asyncio.sleep(args.warmup)
    async with py_spy(srv.process.pid, args.seconds, spy):
        await closed_loop(client, people, journey, window.end)
    result = {**window.summary(), **await measure, "late": late}
    result["cpu_ms"] = result["bot_cpu_s"] * 1000 / max(result["updates"], 1)
    result["db_ms"] = result["db_cpu_s"] * 1000 / max(result["updates"], 1)
    result["trips_per_update"] = result["trips"] / max(result["updates"], 1)
    return result


async def _measure(window: Window, srv: Server, api: ScreenApi | ScreenGraph) -> dict[str, Any]:
    """CPU of both processes and the Bot API calls made during the window."""
    await asyncio.sleep(max(window.start - time.perf_counter(), 0))
    calls, failed = api.counts.copy(), api.failed.copy()
    cpu_bot, cpu_load, cpu_db = srv.cpu_seconds(), time.process_time(), srv.database_cpu_seconds()
    trips = srv.round_trips()
    await asyncio.sleep(max(window.end - time.perf_counter(), 0))
    seconds = window.end - window.start
    bot_cpu_s = srv.cpu_seconds() - cpu_bot
    db_cpu_s = sum(at - cpu_db.get(pid, 0.0) for pid, at in srv.database_cpu_seconds().items())
    return {
        "bot_cpu_s": bot_cpu_s,
        "db_cpu_s": db_cpu_s,
        "trips": srv.round_trips() - trips,
        "bot_cpu": bot_cpu_s / seconds * 100,
        "load_cpu": (time.process_time() - cpu_load) / seconds * 100,
        "calls": api_calls(calls, api.counts),
        "api_errors": sum(api_calls(failed, api.failed).values()),
        "kinds": dict(window.kinds),
        "error_kinds": dict(window.errors),
    }


async def bench(args: argparse.Namespace, workdir: Path) -> dict[str, list[dict[str, Any]]]:
    """Alternate the variants for every round; every result, by variant."""
    variants = chosen_variants(args)
    results: dict[str, list[dict[str, Any]]] = {v.label: [] for v in variants}
    for round_ in range(1, args.rounds + 1):
        for variant in variants:
            folder = workdir / f"{variant.label}-round{round_}"
            result = await run_variant(variant, args, folder)
            results[variant.label].append(result)
            print(f"round {round_} {variant.label:13} {describe(result)}", flush=True)
            _detail(result)
    return results


def chosen_variants(args: argparse.Namespace) -> list[Variant]:
    """The variants in running order; each --compare checkout right after "full" and "pg-N"."""
    chosen: list[Variant] = []
    for kind in args.variants:  # each --compare checkout right after: full, pg-1, ...
        chosen.append(Variant(kind, kind))
        if kind in ("full", "whatsapp") or kind in WORKER_VARIANTS:
            chosen += [
                Variant(f"{kind}@{root.name}", kind, root.resolve()) for root in args.compare
            ]
    return chosen


def _detail(result: dict[str, Any]) -> None:
    """The mix of updates, API calls per update, CPU, and anything that went wrong."""
    updates = sum(result["kinds"].values()) or 1
    per_update = ", ".join(
        f"{method} {count / updates:.2f}" for method, count in sorted(result["calls"].items())
    )
    print(
        f"        cpu: bot {result['bot_cpu']:.0f}% ({result['cpu_ms']:.2f} ms per update),"
        f" load generator {result['load_cpu']:.0f}%"
        + (f", PostgreSQL {result['db_ms']:.2f} ms per update" if result["db_cpu_s"] else "")
        + (f", {result['trips_per_update']:.2f} round trips per update" if result["trips"] else "")
        + f"; updates {result['kinds']};"
        f" Bot API calls per update: {per_update}"
    )
    problems = {
        "errors": result["error_kinds"],
        "api_errors": result["api_errors"],
        "not onboarded": result["late"],
        "fallbacks": result["fallbacks"],
    }
    if any(problems.values()):
        print(f"        problems {problems}")


def report(results: dict[str, list[dict[str, Any]]]) -> None:
    """Every round, the medians per variant, the ratio and the targets."""
    rounds = max(len(runs) for runs in results.values())
    width = max(len(label) for label in results) + 2
    heads = "".join(f"  round {i} upd/s" for i in range(1, rounds + 1))
    print(
        f"\n{'variant':{width}}{heads}  median upd/s  median p50 ms  median p99 ms"
        "  CPU ms/upd  errors"
    )
    for label, runs in results.items():
        cells = "".join(f"{run['ups']:15.0f}" for run in runs)
        keys = ("ups", "p50", "p99", "cpu_ms")
        med = {key: statistics.median(run[key] for run in runs) for key in keys}
        errors = sum(run["errors"] + run["api_errors"] for run in runs)
        print(
            f"{label:{width}}{cells}{med['ups']:14.0f}{med['p50']:15.1f}{med['p99']:15.1f}"
            f"{med['cpu_ms']:12.2f}{errors:8.0f}"
        )
    print()
    fastest = _fastest_echo(results)
    for label in (label for label in results if label.startswith("full")):
        _targets(label, results[label], fastest)
    _whatsapp(results)
    _scaling(results)
    _before_after(results)
    _projection(results)


def _before_after(results: dict[str, list[dict[str, Any]]]) -> None:
    """This checkout against each `--compare` one, variant by variant, per round (the two ran
    one after the other): throughput and CPU per update, then the medians."""
    for label, runs in results.items():
        kind, at, _ = label.partition("@")
        if not at or kind not in results:
            continue
        ours = results[kind]
        ups = [o["ups"] / b["ups"] for o, b in zip(ours, runs, strict=False) if b["ups"]]
        cpu = [o["cpu_ms"] / b["cpu_ms"] for o, b in zip(ours, runs, strict=False) if b["cpu_ms"]]
        if not ups or not cpu:
            continue
        trips = ""
        if any(r["trips"] for r in runs):
            before = statistics.median(r["trips_per_update"] for r in runs)
            after = statistics.median(r["trips_per_update"] for r in ours)
            trips = f", round trips to PostgreSQL per update {after:.2f} against {before:.2f}"
        database = [o["db_ms"] / b["db_ms"] for o, b in zip(ours, runs, strict=False) if b["db_ms"]]
        if database:
            trips += f", PostgreSQL's CPU per update x{statistics.median(database):.2f}"
        print(
            f"{kind} against {label}: throughput x{statistics.median(ups):.2f}"
            f" ({', '.join(f'{r:.2f}' for r in ups)}), CPU per update"
            f" x{statistics.median(cpu):.2f} ({', '.join(f'{r:.2f}' for r in cpu)})" + trips
        )


PROJECTED_CORES = 8


def _projection(results: dict[str, list[dict[str, Any]]]) -> None:
    """Workers on PostgreSQL projected to a machine of PROJECTED_CORES cores running the
    workers and PostgreSQL (the load comes from elsewhere): the cores divided by what an
    update costs both, the workers' tree and the database's backends, as measured with N
    workers here (medians); contention beyond what N workers showed is not modelled."""
    for label, runs in results.items():
        kind = label.partition("@")[0]
        if kind not in WORKER_VARIANTS or not any(r["db_cpu_s"] for r in runs):
            continue
        bot = statistics.median(r["cpu_ms"] for r in runs)
        db = statistics.median(r["db_ms"] for r in runs)
        ceiling = PROJECTED_CORES * 1000 / (bot + db)
        print(
            f"{label}: {PROJECTED_CORES} workers on {PROJECTED_CORES} cores, projected"
            f" {ceiling:,.0f} upd/s = {PROJECTED_CORES} x 1000 ms / ({bot:.2f} ms worker"
            f" + {db:.2f} ms PostgreSQL per update)"
        )


def _scaling(results: dict[str, list[dict[str, Any]]]) -> None:
    """Workers on PostgreSQL against one process on SQLite and one worker of the same
    checkout, per round: throughput, and CPU per update (issue 21: <= 1.35x SQLite's)."""
    for label, runs in results.items():
        kind, at, root = label.partition("@")
        if kind not in WORKER_VARIANTS:
            continue
        base, one = results.get(f"full{at}{root}", []), results.get(f"pg-1{at}{root}", [])
        line = f"{label}: median {statistics.median(r['ups'] for r in runs):,.0f} upd/s"
        for name, against in (("SQLite one process", base), ("pg-1", one)):
            ratios = [r["ups"] / b["ups"] for r, b in zip(runs, against, strict=False) if b["ups"]]
            if ratios and against is not runs:
                line += f"; x{statistics.median(ratios):.2f} of {name}"
        cpu = [r["cpu_ms"] / b["cpu_ms"] for r, b in zip(runs, base, strict=False) if b["cpu_ms"]]
        if cpu:
            rounds = ", ".join(f"{ratio:.2f}" for ratio in cpu)
            line += f"; CPU per update x{statistics.median(cpu):.2f} of SQLite's ({rounds})"
        print(line)


def _fastest_echo(results: dict[str, list[dict[str, Any]]]) -> list[tuple[str, float]]:
    """Per round, the fastest bare echo bot that ran: (its name, its updates per second)."""
    echoes = {label: runs for label, runs in results.items() if label in ECHO_VARIANTS}
    rounds = min((len(runs) for runs in echoes.values()), default=0)
    return [
        max(((label, runs[i]["ups"]) for label, runs in echoes.items()), key=lambda e: e[1])
        for i in range(rounds)
    ]


def _targets(label: str, full: list[dict[str, Any]], fastest: list[tuple[str, float]]) -> None:
    """One full stack against both targets; the ratio to the fastest echo bot of the same
    round is taken per round, then the median."""
    ups = statistics.median(run["ups"] for run in full)
    verdict = "met" if ups >= TARGET_UPS else "NOT met"
    print(f"{label}: target >= {TARGET_UPS:,.0f} upd/s on SQLite: {ups:,.0f} -> {verdict}")
    ratios = [(f["ups"] / e, name) for f, (name, e) in zip(full, fastest, strict=False) if e]
    if ratios:
        ratio = statistics.median(r for r, _ in ratios)
        verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
        per_round = ", ".join(f"{r:.2f} ({name})" for r, name in ratios)
        print(
            f"{label}: target / fastest echo bot >= {TARGET_RATIO}: median {ratio:.2f}"
            f" (per round {per_round}) -> {verdict}"
        )


def _whatsapp(results: dict[str, list[dict[str, Any]]]) -> None:
    """WhatsApp against Telegram on the same journeys (issue 21: handled rate >= 0.9x), per
    round (the two ran one after the other), then the median; CPU per update of each."""
    for label, runs in results.items():
        kind, at, root = label.partition("@")
        telegram = results.get(f"full{at}{root}", [])
        if kind != "whatsapp" or not telegram:
            continue
        pairs = list(zip(runs, telegram, strict=False))
        ups = [w["ups"] / t["ups"] for w, t in pairs if t["ups"]]
        cpu = [w["cpu_ms"] / t["cpu_ms"] for w, t in pairs if t["cpu_ms"]]
        if not ups:
            continue
        ratio = statistics.median(ups)
        verdict = "met" if ratio >= TARGET_WHATSAPP else "NOT met"
        rates = ", ".join(f"{w['ups']:.0f}/{t['ups']:.0f}" for w, t in pairs)
        print(
            f"{label} against full{at}{root} (Telegram): handled rate per round"
            f" {rates} upd/s,"
            f" ratio {', '.join(f'{r:.2f}' for r in ups)}, median {ratio:.2f}"
            f" (target >= {TARGET_WHATSAPP}) -> {verdict}"
        )
        print(
            f"{label}: CPU ms per update {statistics.median(w['cpu_ms'] for w, _ in pairs):.2f}"
            f" against {statistics.median(t['cpu_ms'] for _, t in pairs):.2f} (Telegram),"
            f" x{statistics.median(cpu):.2f} ({', '.join(f'{r:.2f}' for r in cpu)})"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200, help="simulated learners")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window per run")
    parser.add_argument("--rounds", type=int, default=3, help="times every variant runs")
    parser.add_argument("--warmup", type=float, default=3.0, help="steady seconds before it")
    parser.add_argument("--seed", type=int, default=1, help="learners' random choices")
    parser.add_argument(
        "--variants",
        type=lambda text: [v for v in text.split(",") if v],
        default=list(VARIANTS),
        help=f"comma-separated subset of {','.join(VARIANTS)}",
    )
    parser.add_argument(
        "--compare",
        type=Path,
        action="append",
        default=[],
        help="also run the full stack of this other checkout (repeatable)",
    )
    parser.add_argument("--py-spy", type=Path, help="folder for py-spy profiles of 'full'")
    parser.add_argument("--keep", type=Path, help="keep databases and server logs here")
    parser.add_argument(
        "--aiogram-venv",
        type=Path,
        default=AIOGRAM_VENV,
        help="environment with aiogram 3 for echo-aiogram, made on first use",
    )
    args = parser.parse_args(argv)
    if unknown := set(args.variants) - set(VARIANTS):
        parser.error(f"unknown variants: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the rounds and print the table."""
    args = parse_args(argv)
    if args.py_spy:
        args.py_spy.mkdir(parents=True, exist_ok=True)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="imaginecole-bench-"))
    print(f"{args.learners} learners, {args.seconds:.0f} s windows, {args.rounds} rounds")
    print(f"code: {describe_checkout(ROOT)}")
    for other in args.compare:
        print(f"full@{other.name}: {describe_checkout(other)}")
    try:
        report(asyncio.run(bench(args, workdir)))
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
