"""Web chat sockets: 10,000 open learners in one process, 500 of them active, against a bare
aiohttp WebSocket server, in the same run.

    python bench/web_sockets.py [--sockets 10000] [--active 500] [--think 1] [--rounds 3]
    python bench/web_sockets.py --quick        # 1,000 sockets, 50 active, 1 round

Each server runs in its own fresh process (this file with ``--serve full|bare WORKDIR``);
this process is the load generator: N WebSockets from many loopback source addresses
(127.1.x.y, at most ``--per-address`` each, under the bot's per-address caps), each saying
hello with its own uid and answering the server's heartbeat pings. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)  # bench/content.py would shadow the real `content` package
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import WSMsgType, web  # noqa: E402

from bench.processes import (  # noqa: E402
    Stop,
    cpu_seconds,
    memory_mb,
    pythonpath,
    serve_until_stopped,
    started,
)

VARIANTS = ("full", "bare")
HEARTBEAT = 30.0  # seconds, the web chat's (bot/web/chat.py); the bare server uses the same
STARTUP_LIMIT = 120.0  # seconds for a server to print READY
STOP_LIMIT = 30.0  # seconds for a server to exit on SIGTERM before it is killed
REPLY_LIMIT = 30.0  # seconds; a hello or a frame unanswered this long is an error
ONBOARDING_LIMIT = 180.0  # seconds for every active learner to reach the main menu
SPREAD_STEPS = 16  # 0 to 15 more steps after the menu: learners spread over the journey
ONBOARDING = ("fr", "yes", "student", "CM2")  # what our learners pick when it is offered
TYPED_ANSWERS = ("3/4", "12", "0,5", "a c", "b", "mangé", "la moustiquaire", "je ne sais pas")
ECHO_TEXTS = ("Bonjour", "Salut, ça va ?", "2 + 2 = 4", "J'ai fini mes devoirs 📚", "merci")
TARGET_KB = 20.0  # resident memory per open socket of the full bot
TARGET_P99 = 300.0  # ms, reply p99 of the active learners on the full bot
LIMIT_LINES = re.compile(r"open-file limit|connection cap|connection refused|Too many open")
SCRIPT = str(Path(__file__).resolve())  # the servers are this file, run with --serve


# --------------------------------------------------------------------------------------------
# The servers under test (run in their own process: --serve VARIANT WORKDIR)


async def start_full() -> tuple[int, Stop]:
    """The real BotApp, web chat only, settings from the environment the parent prepared."""
    from bot.app import BotApp
    from bot.config import Settings
    from bot.logs import setup_logging

    settings = Settings.from_env(None)
    setup_logging(settings.log_level, settings.log_format, settings.log_repeat_limit)
    app = BotApp(settings)
    await app.start()
    return app.port, app.stop


def bare_app() -> web.Application:
    """A bare WebSocket endpoint: the same heartbeat; a hello gets one small frame, a text
    frame its echo and an acknowledgement."""

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=64 * 1024)
        await ws.prepare(request)
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                continue
            frame = json.loads(message.data)
            if frame.get("type") == "hello":
                await ws.send_json({"type": "say", "text": "Bonjour !"})
            else:
                await ws.send_json({"type": "say", "text": str(frame.get("text", ""))})
                await ws.send_json({"type": "ack", "id": frame.get("id")})
        return ws

    app = web.Application()
    app.router.add_get("/ws", socket)
    return app


async def start_bare() -> tuple[int, Stop]:
    """The bare server on a random port, its descriptor limit raised like the bot's."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print(f"bare: open-file limit {soft} -> {hard}", file=sys.stderr, flush=True)
    runner = web.AppRunner(bare_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return int(runner.addresses[0][1]), runner.cleanup


async def serve(variant: str) -> None:
    """Start the variant, announce its port, run until SIGTERM or its stdin closes."""
    port, stop = await (start_full() if variant == "full" else start_bare())
    await serve_until_stopped(str(port), stop)


# --------------------------------------------------------------------------------------------
# Starting a server from the load generator


@dataclass
class Server:
    """A server process, its port and its log."""

    variant: str
    process: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.process.pid

    def rss_kb(self) -> int:
        """Resident memory (VmRSS), in KB."""
        return round(memory_mb(self.pid) * 1024)

    def descriptors(self) -> int:
        """Open file descriptors."""
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def cpu_seconds(self) -> float:
        """User plus system CPU time of the process."""
        return cpu_seconds(self.pid)

    def cpu_wait_seconds(self) -> float:
        """How long the main thread (the event loop) waited for a CPU while runnable."""
        return int(Path(f"/proc/{self.pid}/schedstat").read_text().split()[1]) / 1e9

    def limit_lines(self) -> list[str]:
        """What the log says about the descriptor limit and the connection caps."""
        lines = self.log.read_text(errors="replace").splitlines()
        return [line for line in lines if LIMIT_LINES.search(line)]


def server_env(workdir: Path, settings: dict[str, str]) -> dict[str, str]:
    """The environment of the full bot: none of this shell's settings, then ours."""
    from bot.config import Settings

    names = {name.upper() for name in Settings.__dataclass_fields__}
    env = {key: value for key, value in os.environ.items() if key not in names}
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
        WEB_HOST="127.0.0.1",
        WEB_PORT="0",
        PSEUDONYM_SECRET="bench",
        LOG_LEVEL="INFO",
        # Every other cap stays at its default: per-address caps are met by spreading the
        # sockets over many source addresses; the total is what the descriptors allow.
        MAX_CONNECTIONS="0",
    )
    env.update(settings)
    env["PYTHONPATH"] = pythonpath(ROOT)
    return env


@asynccontextmanager
async def server(
    variant: str, workdir: Path, nofile: tuple[int, int], settings: dict[str, str] | None = None
) -> AsyncIterator[Server]:
    """Start a variant in its own process with this descriptor limit (soft, hard)."""

    def limit() -> None:  # in the child, before exec: the limit it starts with
        resource.setrlimit(resource.RLIMIT_NOFILE, nofile)

    workdir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - before the server starts
    async with started(
        (sys.executable, SCRIPT, "--serve", variant, str(workdir)),
        workdir,
        cwd=workdir,
        env=server_env(workdir, settings or {}),
        startup_limit=STARTUP_LIMIT,
        stop_limit=STOP_LIMIT,
        preexec_fn=limit,
    ) as found:
        yield Server(variant, found.process, found.port, found.log)


# --------------------------------------------------------------------------------------------
# The load generator's sockets and learners


@dataclass(slots=True)
class Screen:
    """What a tab shows: the last question (ask or quiz) and the last text."""

    kind: str = ""
    prompt: int | None = None
    ids: tuple[str, ...] = ()
    multiple: bool = False
    text: str = ""

    def show(self, frame: dict[str, Any]) -> None:
        """Update from one frame the server sent."""
        kind = frame.get("type")
        if kind in ("ask", "quiz"):
            self.kind, self.prompt = kind, frame.get("prompt")
            self.ids = tuple(str(o["id"]) for o in frame.get("options") or ())
            self.multiple = bool(frame.get("multiple"))
        if kind in ("say", "ask", "quiz"):
            self.text = str(frame.get("text") or "")


@dataclass(eq=False)
class Tab:
    """One open WebSocket: a learner's browser tab."""

    uid: str
    ws: aiohttp.ClientWebSocketResponse
    answers_hello: str  # the frame type that completes the hello's reply
    screen: Screen = field(default_factory=Screen)
    pings: int = 0
    frames: int = 0
    closed: bool = False
    hello: asyncio.Future[None] | None = None
    waiting: tuple[str, asyncio.Future[str | None]] | None = None  # frame id, its outcome
    since_sent: int = 0
    reader: asyncio.Task[None] | None = None

    async def read(self) -> None:
        """Read until the socket ends: frames, and the server's heartbeat pings (answered)."""
        ws = self.ws
        try:
            while True:
                message = await ws.receive()
                if message.type is WSMsgType.PING:
                    self.pings += 1
                    await ws.pong(message.data)
                elif message.type is WSMsgType.TEXT:
                    self._on_frame(json.loads(message.data))
                elif message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.ERROR):
                    break
        except (aiohttp.ClientError, ConnectionError):
            pass
        finally:
            self.closed = True
            self._settle_wait("closed")
            if self.hello is not None and not self.hello.done():
                self.hello.set_exception(ConnectionError("closed before the hello's reply"))

    def _on_frame(self, frame: dict[str, Any]) -> None:
        self.frames += 1
        kind = frame.get("type")
        if kind == "ack":
            if self.waiting is not None and self.waiting[0] == frame.get("id"):
                self._settle_wait(None if self.since_sent else "no reply")
            return
        if kind == "error":
            self._settle_wait(f"error frame {frame.get('code', 'bad frame')}")
            return
        self.since_sent += 1
        self.screen.show(frame)
        if kind == self.answers_hello and self.hello is not None and not self.hello.done():
            self.hello.set_result(None)

    def _settle_wait(self, outcome: str | None) -> None:
        if self.waiting is not None and not self.waiting[1].done():
            self.waiting[1].set_result(outcome)
        self.waiting = None

    async def say_hello(self) -> None:
        """Say hello and wait for the reply's question (full) or frame (bare)."""
        self.hello = asyncio.get_running_loop().create_future()
        await self.ws.send_json({"type": "hello", "uid": self.uid})
        await asyncio.wait_for(self.hello, REPLY_LIMIT)

    async def exchange(self, frame: dict[str, Any]) -> str | None:
        """Send a frame; None once its reply and its ack came, else what went wrong."""
        if self.closed:
            return "closed"
        done = asyncio.get_running_loop().create_future()
        self.waiting, self.since_sent = (frame["id"], done), 0
        try:
            await self.ws.send_json(frame)
            return await asyncio.wait_for(done, REPLY_LIMIT)
        except TimeoutError:
            self.waiting = None
            return "time-out"
        except (aiohttp.ClientError, ConnectionError) as error:
            self.waiting = None
            return type(error).__name__


@dataclass
class Learner:
    """An active learner: chooses the next frame from what its tab shows, like a person."""

    tab: Tab
    rng: random.Random
    journey: bool
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    asked_progress: bool = False
    fallbacks: int = 0

    def onboarded(self) -> bool:
        """True once the main menu was shown."""
        return "courses" in self.tab.screen.ids

    def next_frame(self) -> tuple[str, dict[str, Any]]:
        """(kind, frame): the journey's next step, or a short text for the bare server."""
        if not self.journey:
            return "text", self._text(self.rng.choice(ECHO_TEXTS))
        screen = self.tab.screen
        if screen.prompt is None:
            return "text", self._text("/menu")
        if screen.kind == "quiz":
            return "quiz", self._answer(screen)
        ids = screen.ids
        if "again" in ids:
            return self._after_quiz(screen)
        for wanted in ("courses", "next", *ONBOARDING):
            if wanted in ids:
                return "option", self._option(screen, wanted)
        if list(ids) == ["menu"] and "Question" in screen.text:
            return "text", self._text(self.rng.choice(TYPED_ANSWERS))
        if choices := [option for option in ids if option != "menu"]:
            return "option", self._option(screen, self.rng.choice(choices))
        self.fallbacks += 1
        return "text", self._text("/menu")

    def _id(self) -> str:
        return f"m{next(self.ids)}"

    def _text(self, text: str) -> dict[str, Any]:
        return {"type": "text", "id": self._id(), "text": text}

    def _option(self, screen: Screen, option: str) -> dict[str, Any]:
        return {"type": "option", "id": self._id(), "prompt": screen.prompt, "option": option}

    def _answer(self, screen: Screen) -> dict[str, Any]:
        """A quiz answer: one option, or one or two when several are allowed."""
        if not screen.ids:
            return self._text("/menu")
        if screen.multiple:
            count = self.rng.randint(1, min(2, len(screen.ids)))
            picked = sorted(self.rng.sample(list(screen.ids), count))
            return {"type": "options", "id": self._id(), "prompt": screen.prompt, "options": picked}
        return self._option(screen, self.rng.choice(screen.ids))

    def _after_quiz(self, screen: Screen) -> tuple[str, dict[str, Any]]:
        """After the score: /progres, then redo the quiz, the next lesson, or /menu."""
        if not self.asked_progress:
            self.asked_progress = True
            return "text", self._text("/progres")
        self.asked_progress = False
        roll = self.rng.random()
        if roll < 0.3:
            return "option", self._option(screen, "again")
        if roll < 0.6 and "next" in screen.ids:
            return "option", self._option(screen, "next")
        return "text", self._text("/menu")


@dataclass
class Window:
    """The measurement window and the exchanges that completed inside it."""

    start: float
    end: float
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, sent: float, done: float, error: str | None) -> None:
        """Keep one exchange that completed inside the window."""
        if not self.start <= done <= self.end:
            return
        if error is not None:
            self.errors[error] += 1
        else:
            self.latencies.append(done - sent)
            self.kinds[kind] += 1

    def summary(self) -> dict[str, Any]:
        """Frames per second, p50 and p99 in ms, errors."""
        ok = sorted(self.latencies)
        cuts = statistics.quantiles(ok, n=100) if len(ok) > 1 else [0.0] * 99
        return {
            "fps": len(ok) / (self.end - self.start),
            "p50": statistics.median(ok) * 1000 if ok else 0.0,
            "p99": cuts[98] * 1000,
            "frames": len(ok),
            "errors": self.errors.total(),
            "error_kinds": dict(self.errors),
            "kinds": dict(self.kinds),
        }


def source_address(index: int) -> str:
    """The index-th loopback source address: 127.1.0.1, 127.1.0.2, ... (250 per /24)."""
    return f"127.1.{index // 250}.{index % 250 + 1}"


def raise_own_limit(needed: int) -> int:
    """Raise this process's descriptor limit to the hard one; the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed and (hard == resource.RLIM_INFINITY or soft < hard):
        soft = hard if hard != resource.RLIM_INFINITY else max(needed, soft)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return int(soft)


class Crowd:
    """Every open tab of one run, from sessions bound to many source addresses."""

    def __init__(self, port: int, per_address: int, answers_hello: str, prefix: str) -> None:
        self.url = f"http://127.0.0.1:{port}/ws"
        self.per_address = per_address
        self.answers_hello = answers_hello
        self.prefix = prefix
        self.sessions: dict[int, aiohttp.ClientSession] = {}
        self.tabs: list[Tab] = []
        self.failures: Counter[str] = Counter()

    def _session(self, address: int) -> aiohttp.ClientSession:
        if address not in self.sessions:
            connector = aiohttp.TCPConnector(
                limit=0, local_addr=(source_address(address), 0), force_close=True
            )
            self.sessions[address] = aiohttp.ClientSession(connector=connector)
        return self.sessions[address]

    async def open(self, first: int, count: int, concurrency: int) -> float:
        """Open sockets first..first+count-1, each saying hello; returns the seconds it took."""
        started = time.perf_counter()
        gate = asyncio.Semaphore(concurrency)

        async def one(index: int) -> None:
            async with gate:
                await self._open_one(index)

        await asyncio.gather(*(one(i) for i in range(first, first + count)))
        return time.perf_counter() - started

    async def _open_one(self, index: int) -> None:
        session = self._session(index // self.per_address)
        try:
            ws = await session.ws_connect(
                self.url, autoping=False, timeout=aiohttp.ClientWSTimeout(ws_close=5)
            )
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            self.failures[f"connect: {type(error).__name__}"] += 1
            return
        tab = Tab(f"{self.prefix}-learner-{index:08d}", ws, self.answers_hello)
        tab.reader = asyncio.create_task(tab.read())
        try:
            await tab.say_hello()
        except (TimeoutError, ConnectionError, aiohttp.ClientError) as error:
            self.failures[f"hello: {type(error).__name__}"] += 1
            await self._drop(tab)
            return
        self.tabs.append(tab)

    async def _drop(self, tab: Tab) -> None:
        if tab.reader is not None:
            tab.reader.cancel()
        tab.ws._response.close()

    def open_now(self) -> int:
        """Tabs whose socket is still open."""
        return sum(not tab.closed for tab in self.tabs)

    async def close(self) -> None:
        """Drop every socket at once, like tabs closed without a goodbye."""
        for tab in self.tabs:
            if tab.reader is not None:
                tab.reader.cancel()
            tab.ws._response.close()  # the connection's transport, closed now
        await asyncio.gather(*(s.close() for s in self.sessions.values()), return_exceptions=True)
        await asyncio.gather(
            *(t.reader for t in self.tabs if t.reader is not None), return_exceptions=True
        )
        self.tabs.clear()
        self.sessions.clear()


# --------------------------------------------------------------------------------------------
# One run: a fresh server, the idle phase, the active phase


async def run_variant(variant: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """One variant once: open N sockets, let them idle, then make some of them active."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    async with server(variant, workdir, (args.server_soft_limit, hard)) as srv:
        answers = "ask" if variant == "full" else "say"
        prefix = f"{variant}{workdir.name[-1]}"
        # A few sockets first, closed again: lazy imports and first-use caches are not
        # counted as the connections' memory.
        warm = Crowd(srv.port, args.per_address, answers, f"warm{prefix}")
        await warm.open(0, 20, 20)
        await warm.close()
        await asyncio.sleep(2.0)
        before = {"rss": srv.rss_kb(), "fds": srv.descriptors()}
        crowd = Crowd(srv.port, args.per_address, answers, prefix)
        try:
            result = await _phases(srv, crowd, args, before)
        finally:
            await crowd.close()
        result["limit_lines"] = srv.limit_lines()
    result["users"] = stored_users(workdir / "bench.db") if variant == "full" else 0
    return result


def stored_users(database: Path) -> int:
    """Learners the full bot stored: the active ones (a newcomer's hello stores nothing)."""
    import sqlite3

    with closing(sqlite3.connect(database)) as connection:
        return int(connection.execute("SELECT count(*) FROM users").fetchone()[0])


async def _phases(
    srv: Server, crowd: Crowd, args: argparse.Namespace, before: dict[str, int]
) -> dict[str, Any]:
    # A tenth first: the slope from there to N leaves out what start-up freed and the
    # sockets reuse (a process with a big start-up shows a smaller figure from its start).
    tenth = max(args.sockets // 10, 1)
    open_s = await crowd.open(0, tenth, args.open_concurrency)
    await asyncio.sleep(3.0)
    at_tenth = {"rss": srv.rss_kb(), "open": len(crowd.tabs)}
    open_s += await crowd.open(tenth, args.sockets - tenth, args.open_concurrency)
    opened = len(crowd.tabs)
    pings_before = sum(tab.pings for tab in crowd.tabs)
    await asyncio.sleep(args.idle)
    held = crowd.open_now()
    idle = {"rss": srv.rss_kb(), "fds": srv.descriptors()}
    pinged = sum(tab.pings > 0 for tab in crowd.tabs)
    result: dict[str, Any] = {
        "opened": opened,
        "open_s": open_s,
        "open_failures": dict(crowd.failures),
        "held": held,
        "pinged": pinged,
        "pings": sum(tab.pings for tab in crowd.tabs) - pings_before,
        "rss_before": before["rss"],
        "rss_idle": idle["rss"],
        "fds_before": before["fds"],
        "fds_idle": idle["fds"],
        "kb_from_start": (idle["rss"] - before["rss"]) / max(held, 1),
        "kb_marginal": (idle["rss"] - at_tenth["rss"]) / max(held - at_tenth["open"], 1),
        "fds_per_socket": (idle["fds"] - before["fds"]) / max(held, 1),
    }
    active = await _active(srv, crowd, args)
    result["kb_per_socket"] = max(result["kb_from_start"], result["kb_marginal"])
    result.update(active)
    result["rss_after"] = srv.rss_kb()
    result["held_after"] = crowd.open_now()
    return result


async def _active(srv: Server, crowd: Crowd, args: argparse.Namespace) -> dict[str, Any]:
    """Among the open sockets, `--active` learners in a closed loop with a think time."""
    tabs = crowd.tabs
    count = min(args.active, len(tabs))
    if count == 0:
        return {"fps": 0.0, "p50": 0.0, "p99": 0.0, "frames": 0, "errors": 0}
    journey = srv.variant == "full"
    chosen = [tabs[i * len(tabs) // count] for i in range(count)]  # spread over the addresses
    people = [Learner(tab, random.Random(args.seed * 1_000_003 + i), journey) for i, tab in
              enumerate(chosen)]  # fmt: skip
    late = await _onboard(people, args.think) if journey else 0
    start = time.perf_counter() + args.warmup
    window = Window(start, start + args.seconds)
    measure = asyncio.create_task(_cpu(window, srv))
    await _closed_loop(people, window, args.think)
    summary = {**window.summary(), **await measure, "late": late}
    summary["cpu_ms"] = summary["server_cpu_s"] * 1000 / max(summary["frames"], 1)
    summary["fallbacks"] = sum(p.fallbacks for p in people)
    return summary


async def _onboard(people: list[Learner], think: float) -> int:
    """Walk every active learner to the main menu and a few steps beyond; how many did not.

    Steps are half a think time apart: faster, a learner would pass the bot's flood limit
    (FLOOD_LIMIT, 20 frames at once then one a second) and its frames would be dropped.
    """
    deadline = time.perf_counter() + ONBOARDING_LIMIT

    async def step(learner: Learner) -> str | None:
        await asyncio.sleep(learner.rng.uniform(0.25, 0.75) * think)
        return await learner.tab.exchange(learner.next_frame()[1])

    async def walk(learner: Learner) -> bool:
        while not learner.onboarded() and time.perf_counter() < deadline:
            if await step(learner) == "closed":
                return False
        reached = learner.onboarded()
        for _ in range(learner.rng.randrange(SPREAD_STEPS)):
            if time.perf_counter() < deadline:
                await step(learner)
        return reached

    reached = await asyncio.gather(*(walk(learner) for learner in people))
    return reached.count(False)


async def _closed_loop(people: list[Learner], window: Window, think: float) -> None:
    """Each learner: think (0.5 to 1.5 x `think`), send its next frame, wait for the reply."""

    async def run(learner: Learner) -> None:
        await asyncio.sleep(learner.rng.uniform(0, 2 * think))  # not all at once
        while time.perf_counter() < window.end:
            kind, frame = learner.next_frame()
            sent = time.perf_counter()
            error = await learner.tab.exchange(frame)
            window.add(kind, sent, time.perf_counter(), error)
            await asyncio.sleep(learner.rng.uniform(0.5, 1.5) * think)

    await asyncio.gather(*(run(learner) for learner in people))


async def _cpu(window: Window, srv: Server) -> dict[str, float]:
    """CPU of the server and of this process during the window."""
    await asyncio.sleep(max(window.start - time.perf_counter(), 0))
    server0, wait0, load0 = srv.cpu_seconds(), srv.cpu_wait_seconds(), time.process_time()
    await asyncio.sleep(max(window.end - time.perf_counter(), 0))
    seconds = window.end - window.start
    server_s = srv.cpu_seconds() - server0
    return {
        "server_cpu_s": server_s,
        "server_cpu": server_s / seconds * 100,
        "server_wait": (srv.cpu_wait_seconds() - wait0) / seconds * 100,
        "load_cpu": (time.process_time() - load0) / seconds * 100,
    }


# --------------------------------------------------------------------------------------------
# The limit checks: what the bot does and says when the system's limit or its cap is low


async def limit_checks(args: argparse.Namespace, workdir: Path) -> list[dict[str, Any]]:
    """The full bot with a hard descriptor limit of 1,024, then with MAX_CONNECTIONS unset."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    checks: list[tuple[str, tuple[int, int], dict[str, str], int]]
    checks = [("hard limit 1024", (1024, 1024), {}, 1200)]
    if args.sockets > 4096:
        checks.append(("MAX_CONNECTIONS default", (args.server_soft_limit, hard),
                       {"MAX_CONNECTIONS": ""}, 4300))  # fmt: skip
    results: list[dict[str, Any]] = []
    for name, nofile, settings, count in checks:
        folder = workdir / f"limit-{len(results) + 1}"
        async with server("full", folder, nofile, settings) as srv:
            crowd = Crowd(srv.port, args.per_address, "ask", f"limit{len(results)}")
            try:
                await crowd.open(0, count, args.open_concurrency)
                await asyncio.sleep(3.0)
                held = crowd.open_now()
            finally:
                await crowd.close()
            lines = srv.limit_lines()
        results.append({"name": name, "nofile": nofile, "tried": count, "held": held,
                        "failures": dict(crowd.failures), "lines": lines})  # fmt: skip
        print(f"limit check: {name}, started with RLIMIT_NOFILE {nofile}: held {held} of {count}"
              f" ({dict(crowd.failures) or 'no failures'})")  # fmt: skip
        for line in _distinct(lines):
            print(f"        log: {line}")
    return results


def _distinct(lines: list[str], most: int = 6) -> list[str]:
    """Log lines without their time stamps, each kind once, at most `most`."""
    seen: dict[str, None] = {}
    for line in lines:
        seen.setdefault(re.sub(r"^\d{4}-\d\d-\d\d \S+ ", "", line).strip(), None)
    return list(seen)[:most]


# --------------------------------------------------------------------------------------------
# Rounds and the report


async def bench(args: argparse.Namespace, workdir: Path) -> dict[str, list[dict[str, Any]]]:
    """Alternate the variants in every round; every result, by variant."""
    if args.limit_check:
        await limit_checks(args, workdir)
    results: dict[str, list[dict[str, Any]]] = {v: [] for v in args.variants}
    for round_ in range(1, args.rounds + 1):
        for variant in args.variants:
            result = await run_variant(variant, args, workdir / f"{variant}-round{round_}")
            results[variant].append(result)
            _describe(round_, variant, result)
    return results


def _describe(round_: int, variant: str, r: dict[str, Any]) -> None:
    print(
        f"round {round_} {variant:5} held {r['held']:,}/{r['opened']:,} (opened in"
        f" {r['open_s']:.0f} s, {r['opened'] / max(r['open_s'], 1e-9):.0f}/s); RSS"
        f" {r['rss_before'] / 1024:.0f} -> {r['rss_idle'] / 1024:.0f} MB ="
        f" {r['kb_from_start']:.1f} KB/socket from the start, {r['kb_marginal']:.1f} from"
        f" the first tenth; fds {r['fds_before']} -> {r['fds_idle']};"
        f" pinged {r['pinged']:,} ({r['pings']:,} pings)",
        flush=True,
    )
    print(
        f"        active: {r['fps']:.0f} frames/s  p50 {r['p50']:.1f} ms  p99 {r['p99']:.1f} ms"
        f"  errors {r['errors']}  cpu: server {r.get('server_cpu', 0):.0f}%"
        f" ({r.get('cpu_ms', 0):.2f} ms/frame, waited for a CPU"
        f" {r.get('server_wait', 0):.0f}% of the window), load generator"
        f" {r.get('load_cpu', 0):.0f}%;"
        f" RSS after {r['rss_after'] / 1024:.0f} MB, still open {r['held_after']:,};"
        f" frames {r.get('kinds', {})}"
        + (f"; learners stored {r['users']:,}" if variant == "full" else ""),
        flush=True,
    )
    problems = {
        "open failures": r["open_failures"],
        "errors": r.get("error_kinds"),
        "not onboarded": r.get("late"),
        "fallbacks": r.get("fallbacks"),
    }
    if any(problems.values()):
        print(f"        problems {problems}")
    if r["limit_lines"]:
        print(f"        log: {'; '.join(_distinct(r['limit_lines'], 3))}")


def report(results: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> None:
    """Rounds, medians, same-round ratios and the targets."""
    print(
        "\nvariant  KB/socket by round      median  fds/socket  held (median)"
        "  p50 ms  p99 ms  p99 by round        frames/s  CPU ms/frame  CPU wait  errors"
    )
    for variant, runs in results.items():
        med = {
            key: statistics.median(run[key] for run in runs)
            for key in ("kb_per_socket", "fds_per_socket", "held", "p50", "p99", "fps", "cpu_ms")
        }
        wait = statistics.median(run.get("server_wait", 0.0) for run in runs)
        kb = ", ".join(f"{run['kb_per_socket']:.1f}" for run in runs)
        p99 = ", ".join(f"{run['p99']:.0f}" for run in runs)
        errors = sum(run["errors"] for run in runs)
        print(
            f"{variant:8} {kb:24} {med['kb_per_socket']:6.1f} {med['fds_per_socket']:11.2f}"
            f" {med['held']:14,.0f} {med['p50']:7.1f} {med['p99']:7.1f}  {p99:18}"
            f" {med['fps']:8.0f} {med['cpu_ms']:13.2f} {wait:8.0f}% {errors:7}"
        )
    full, bare = results.get("full", []), results.get("bare", [])
    print()
    if full and bare:
        ratios = [f["kb_per_socket"] / b["kb_per_socket"] for f, b in zip(full, bare, strict=False)
                  if b["kb_per_socket"] > 0]  # fmt: skip
        if ratios:
            print(
                f"memory per socket, full / bare: median x{statistics.median(ratios):.2f}"
                f" (per round {', '.join(f'{r:.2f}' for r in ratios)})"
            )
        p99s = [f["p99"] / b["p99"] for f, b in zip(full, bare, strict=False) if b["p99"] > 0]
        if p99s:
            print(f"reply p99, full / bare: median x{statistics.median(p99s):.1f}")
    if full:
        held = statistics.median(run["held"] for run in full)
        kb = statistics.median(run["kb_per_socket"] for run in full)
        p99 = statistics.median(run["p99"] for run in full)
        errors = sum(run["errors"] for run in full)
        verdict = "met" if held >= args.sockets else "NOT met"
        print(f"full: target {args.sockets:,} open sockets held: {held:,.0f} -> {verdict}")
        verdict = "met" if kb < TARGET_KB else "NOT met"
        print(f"full: target < {TARGET_KB:.0f} KB per socket: {kb:.1f} -> {verdict}")
        verdict = "met" if p99 < TARGET_P99 and errors == 0 else "NOT met"
        print(
            f"full: target reply p99 < {TARGET_P99:.0f} ms for {args.active} active learners:"
            f" {p99:.0f} ms, {errors} errors -> {verdict}"
        )
        raised = [line for run in full for line in run["limit_lines"] if "open-file" in line]
        print(f"full: descriptor limit in the log: {_distinct(raised, 2) or 'NOTHING said'}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sockets", type=int, default=10_000, help="open WebSockets, N")
    parser.add_argument("--active", type=int, default=500, help="active learners among them")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time, seconds")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured active window")
    parser.add_argument("--warmup", type=float, default=5.0, help="active load before it")
    parser.add_argument(
        "--idle", type=float, default=HEARTBEAT + 5, help="idle seconds before memory is read"
    )
    parser.add_argument("--rounds", type=int, default=3, help="times every variant runs")
    parser.add_argument("--per-address", type=int, default=50, help="sockets per source address")
    parser.add_argument("--open-concurrency", type=int, default=200, help="handshakes at once")
    parser.add_argument(
        "--server-soft-limit",
        type=int,
        default=1024,
        help="the servers start with this soft RLIMIT_NOFILE (the hard one is this shell's)",
    )
    parser.add_argument(
        "--variants",
        type=lambda text: [v for v in text.split(",") if v],
        default=list(VARIANTS),
        help="comma-separated subset of full,bare",
    )
    parser.add_argument(
        "--no-limit-check", dest="limit_check", action="store_false", help="skip the limit checks"
    )
    parser.add_argument("--seed", type=int, default=1, help="learners' random choices")
    parser.add_argument("--keep", type=Path, help="keep databases and server logs here")
    parser.add_argument("--quick", action="store_true", help="1,000 sockets, 50 active, 1 round")
    args = parser.parse_args(argv)
    if unknown := set(args.variants) - set(VARIANTS):
        parser.error(f"unknown variants: {', '.join(sorted(unknown))}")
    if args.quick:
        args.sockets, args.active, args.rounds = 1000, 50, 1
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the rounds and print the table (or, with --serve, be a server)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"]:
        if len(argv) != 3 or argv[1] not in VARIANTS:
            print("usage: python bench/web_sockets.py --serve {full,bare} WORKDIR")
            return 2
        asyncio.run(serve(argv[1]))
        return 0
    args = parse_args(argv)
    own = raise_own_limit(args.sockets * 2 + 1000)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="imaginecole-ws-bench-"))
    print(
        f"{args.sockets:,} sockets ({args.per_address} per source address), {args.active}"
        f" active, think {args.think} s, {args.seconds:.0f} s windows, {args.rounds} rounds;"
        f" load generator's open-file limit {own}, servers start with soft"
        f" {args.server_soft_limit}, hard {resource.getrlimit(resource.RLIMIT_NOFILE)[1]}"
    )
    try:
        report(asyncio.run(bench(args, workdir)), args)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
