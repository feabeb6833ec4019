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
import hashlib
import hmac
import itertools
import json
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

from bench.telegram_webhook import (  # noqa: E402
    CLOCK_TICKS,
    STARTUP_LIMIT,
    _pythonpath,
    _stop,
    _tail,
    describe_checkout,
)
from bench.whatsapp_servers import (  # noqa: E402
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    SIGNATURE_HEADER,
    VARIANTS,
)
from bot.whatsapp.service import WEBHOOK_PATH  # noqa: E402
from tests.fakes.graph_api import FakeGraphApi, Request  # noqa: E402

SERVERS = "bench.whatsapp_servers"  # run with -m from ROOT: bench/ must not shadow content/
MODES = ("max", "fixed")
TARGET_P99_MS = 250.0  # acknowledgement p99 at the fixed rate, full stack
TARGET_RATIO = 0.5  # full stack acknowledged bodies/s >= half the bare handler's
POST_TIMEOUT = 30.0  # seconds; an acknowledgement slower than this counts as an error
FIRST_PHONE = 221_770_000_001
ONBOARDING = ("fr", "yes", "student", "CM2")  # what our learners pick when it is offered
TYPED_ANSWERS = ("3/4", "12", "0,5", "a c", "b", "mangé", "la moustiquaire", "je ne sais pas")
IMPATIENT_TEXTS = ("Bonjour", "?", "merci", "Salut, ça va ?", "J'ai fini mes devoirs 📚")

JSON = dict[str, Any]
Choice = tuple[str, str, str]  # ("button" | "row" | "number", id or typed number, title)


# --- webhook bodies, shaped as Meta's (../shared/conformance/whatsapp/message.json) ---------

_wamids = itertools.count(1)


def body(phone: str, kind: str, content: JSON) -> bytes:
    """One learner message of type `kind` in Meta's envelope, as the raw bytes Meta signs."""
    message = {
        "from": phone,
        "id": f"wamid.BENCH{next(_wamids):012d}",
        "timestamp": str(int(time.time())),
        "type": kind,
        kind: content,
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "221770000000", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Awa"}, "wa_id": phone}],
        "messages": [message],
    }
    change = {"value": value, "field": "messages"}
    envelope = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1234567890987654321", "changes": [change]}],
    }
    return json.dumps(envelope, separators=(",", ":")).encode()


def text_body(phone: str, text: str) -> bytes:
    """Typed text."""
    return body(phone, "text", {"body": text})


def choice_body(phone: str, choice: Choice) -> bytes:
    """A reply button tapped, a list row chosen, or the number of a numbered option typed."""
    kind, ident, title = choice
    if kind == "number":
        return text_body(phone, ident)
    reply_kind = "button_reply" if kind == "button" else "list_reply"
    return body(
        phone, "interactive", {"type": reply_kind, reply_kind: {"id": ident, "title": title}}
    )


def signature(raw: bytes) -> str:
    """The `X-Hub-Signature-256` header Meta sends with `raw`."""
    return "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()


# --- the fake Graph API and what each learner's chat shows ------------------------------------


@dataclass(slots=True)
class Screen:
    """What one chat shows: messages received, the last text, the last choices offered."""

    received: int = 0
    text: str = ""
    choices: tuple[Choice, ...] = ()

    def show(self, payload: JSON) -> bool:
        """Update from one message the bot sent; True when it offers choices (a question)."""
        self.received += 1
        kind = payload.get("type")
        if kind == "interactive":
            interactive = payload["interactive"]
            self.text = str(interactive.get("body", {}).get("text", ""))
            action = interactive.get("action", {})
            if interactive.get("type") == "button":
                replies = [b["reply"] for b in action.get("buttons", ())]
                self.choices = tuple(("button", r["id"], r["title"]) for r in replies)
            else:
                rows = [r for s in action.get("sections", ()) for r in s.get("rows", ())]
                self.choices = tuple(("row", r["id"], r["title"]) for r in rows)
            return bool(self.choices)
        if kind == "text":
            self.text = str(payload["text"].get("body", ""))
            numbered = [line.partition(". ") for line in self.text.splitlines()]
            numbers = [(n, label) for n, dot, label in numbered if dot and n.isdigit()]
            if numbers:
                self.choices = tuple(("number", n, label) for n, label in numbers)
                return True
            if "Question" in self.text:
                self.choices = ()
                return True  # an open question: the learner types an answer
        return False


class ScreenGraph(FakeGraphApi):
    """The fake Graph API, not recording, keeping each chat's screen; questions wake learners."""

    def __init__(self) -> None:
        """Only the bench token and number; Meta's validation skipped (the tests do it)."""
        super().__init__(
            access_token=ACCESS_TOKEN, phone_number_id=PHONE_NUMBER_ID, strict=False, record=False
        )
        self.screens: dict[str, Screen] = {}
        self.on_question: Callable[[str], None] = lambda _phone: None
        self.refused = 0

    async def _note(self, request: Request, payload: JSON | None = None) -> None:
        """Count, update the recipient's screen, keep no request (flat memory)."""
        await super()._note(request, payload)
        self.requests.clear()
        if payload is None:
            self.refused += request.code is not None
            return
        to = request.to
        if to is not None and self.screens.setdefault(to, Screen()).show(payload):
            self.on_question(to)


# --- learners ---------------------------------------------------------------------------------


@dataclass
class Learner:
    """One person: answers what their chat shows once a question arrived, else types."""

    phone: str
    rng: random.Random
    waiting: bool = False  # posted a step of the journey, no question back yet
    asked_progress: bool = False

    def step(self, screen: Screen | None) -> bytes:
        """The next step of the journey from the last question shown."""
        self.waiting = True
        if screen is None:
            return text_body(self.phone, "Bonjour")
        ids = {c[1].rpartition(":")[2]: c for c in screen.choices}
        if "again" in ids:
            return self._after_quiz(ids)
        for wanted in ("courses", "next", *ONBOARDING):
            if wanted in ids:
                return choice_body(self.phone, ids[wanted])
        if not screen.choices:
            return text_body(self.phone, self.rng.choice(TYPED_ANSWERS))
        choices = [c for key, c in ids.items() if key != "menu"] or list(screen.choices)
        return choice_body(self.phone, self.rng.choice(choices))

    def impatient(self) -> bytes:
        """A text typed while nothing new arrived (or to the bare handler)."""
        return text_body(self.phone, self.rng.choice(IMPATIENT_TEXTS))

    def _after_quiz(self, ids: dict[str, Choice]) -> bytes:
        """After the score: /progres, then redo the quiz, the next lesson, or /menu."""
        if not self.asked_progress:
            self.asked_progress = True
            return text_body(self.phone, "/progres")
        self.asked_progress = False
        roll = self.rng.random()
        if roll < 0.3:
            return choice_body(self.phone, ids["again"])
        if roll < 0.6 and "next" in ids:
            return choice_body(self.phone, ids["next"])
        return text_body(self.phone, "/menu")


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
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

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
    workdir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - before the server starts
    log = workdir / "server.log"
    env = {**os.environ, "PYTHONPATH": _pythonpath(ROOT)}
    if profile is not None:
        env["BENCH_PROFILE"] = str(profile)
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", SERVERS, variant, graph_url, str(workdir), str(pace)),
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.PIPE,  # the server exits when this closes (we died)
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
        try:
            assert process.stdout is not None
            try:
                line = await asyncio.wait_for(process.stdout.readline(), STARTUP_LIMIT)
            except TimeoutError:
                line = b""
            if not line.startswith(b"READY "):
                raise RuntimeError(f"the server did not start:\n{_tail(log)}")
            _ready, port, stats_port = line.split()
            yield Server(variant, process, int(port), int(stats_port), log)
        finally:
            await _stop(process)


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


async def post(http: aiohttp.ClientSession, url: str, raw: bytes) -> str | None:
    """Post one signed body; the error's name, or None for a 200."""
    headers = {SIGNATURE_HEADER: signature(raw), "Content-Type": "application/json"}
    try:
        async with http.post(url, data=raw, headers=headers) as response:
            await response.read()
            return None if response.status == 200 else f"HTTP {response.status}"
    except (aiohttp.ClientError, TimeoutError) as err:
        return type(err).__name__


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
