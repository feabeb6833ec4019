"""The load generator: a fake Bot API and N learners in a closed loop, in one asyncio process.

Each learner posts one update to the bot's webhook, waits for the 200 (the bot answers only
once the update was handled and its replies reached the fake API), looks at what its chat
received, and decides its next update the way a person would (bench/journeys.py, the journey
the WhatsApp learners of bench/whatsapp_load.py follow too): tap one of the buttons it was
shown, vote in the poll it was sent, or type an answer.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp

from bench.journeys import Journey, Shown, Tap, Type, Vote
from bench.webhook_servers import SECRET, SECRET_HEADER, TOKEN, WEBHOOK_PATH
from tests.fakes.telegram_api import SEND_METHODS, Call, FakeBotApi
from tests.fakes.telegram_updates import JSON

FIRST_USER_ID = 60_000_001
POST_TIMEOUT = 30.0  # seconds; a webhook round trip slower than this counts as an error
ONBOARDING_LIMIT = 120.0  # seconds for every learner to reach the menu before measuring
# Once at the menu, each learner takes 0 to 15 more steps so that they do not all stand at the
# same point of the journey when the window opens (that would skew the mix of updates).
SPREAD_STEPS = 16


@dataclass(slots=True)
class Screen:
    """What one chat shows: its last message, the last keyboard, the last poll."""

    received: int = 0
    method: str = ""
    text: str = ""
    buttons: tuple[str, ...] = ()
    keyboard_message: int = 0
    poll_id: str = ""
    poll_options: int = 0
    poll_multiple: bool = False

    def option_ids(self) -> list[str]:
        """The option ids of the last keyboard ("12:next" -> "next")."""
        return [data.partition(":")[2] for data in self.buttons]

    def data_for(self, option_id: str) -> str:
        """The callback data of the button carrying this option id."""
        return next(d for d in self.buttons if d.partition(":")[2] == option_id)

    def shown(self) -> Shown:
        """What the learner sees, for bench/journeys.py."""
        poll = self.method == "sendPoll"
        return Shown(
            options=tuple(self.option_ids()),
            text=self.text,
            poll_options=self.poll_options if poll else 0,
            poll_multiple=self.poll_multiple,
        )

    def show(self, call: Call) -> None:
        """Update from one message the bot sent to this chat."""
        params, result = call.params, call.result or {}
        self.received += 1
        self.method = call.method
        self.text = str(params.get("text") or params.get("caption") or params.get("question"))
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            rows = markup["inline_keyboard"]
            self.buttons = tuple(b["callback_data"] for row in rows for b in row)
            self.keyboard_message = int(result.get("message_id", 0))
        if call.method == "sendPoll":
            poll = result["poll"]
            self.poll_id, self.poll_options = poll["id"], len(poll["options"])
            self.poll_multiple = bool(poll.get("allows_multiple_answers"))


class ScreenApi(FakeBotApi):
    """The fake Bot API, not recording calls, but keeping each chat's screen and the errors."""

    def __init__(self) -> None:
        """Only the bench token is accepted; calls are counted, not kept."""
        super().__init__(TOKEN, record=False)
        self.screens: dict[int, Screen] = {}
        self.failed: Counter[str] = Counter()

    def _record(self, call: Call) -> None:
        """Count the call and update the screen of the chat it was sent to."""
        super()._record(call)
        if not call.ok:
            self.failed[call.method] += 1
        elif call.method in SEND_METHODS:
            chat = call.params.get("chat_id")
            if isinstance(chat, int):
                self.screens.setdefault(chat, Screen()).show(call)


@dataclass
class Learner:
    """One simulated person (bench/journeys.py decides their steps); `uid` is their Telegram
    user id, or the number their WhatsApp phone number is made of."""

    uid: int
    rng: random.Random
    journey: Journey = field(init=False)

    def __post_init__(self) -> None:
        self.journey = Journey(self.rng)

    @property
    def fallbacks(self) -> int:
        """Steps where no option the learner knew was shown."""
        return self.journey.fallbacks


@dataclass
class Window:
    """The steady measurement window and what completed inside it."""

    start: float
    end: float
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, sent: float, done: float, error: str | None) -> None:
        """Keep one round trip that completed inside the window."""
        if not self.start <= done <= self.end:
            return
        if error is not None:
            self.errors[error] += 1
        else:
            self.latencies.append(done - sent)
            self.kinds[kind] += 1

    def summary(self) -> dict[str, float]:
        """Updates per second, p50 and p99 in milliseconds, errors, how many updates."""
        ok = sorted(self.latencies)
        cuts = statistics.quantiles(ok, n=100) if len(ok) > 1 else [0.0] * 99
        return {
            "ups": len(ok) / (self.end - self.start),
            "p50": statistics.median(ok) * 1000 if ok else 0.0,
            "p99": cuts[98] * 1000,
            "errors": float(self.errors.total()),
            "updates": float(len(ok)),
        }


@dataclass
class Client:
    """Posts updates to one bot's Telegram webhook and times the round trips."""

    http: aiohttp.ClientSession
    api: ScreenApi
    url: str
    window: Window | None = None

    def onboarded(self, learner: Learner) -> bool:
        """True once the main menu was shown."""
        screen = self.api.screens.get(learner.uid)
        return screen is not None and "courses" in screen.option_ids()

    async def step(self, learner: Learner, journey: bool = True) -> bool:
        """The learner's next update (its journey's, or a short text for the echo bots),
        posted; True when the webhook answered 200 after a reply."""
        return await self.post(learner.uid, self.update_for(learner, journey))

    def update_for(self, learner: Learner, journey: bool) -> JSON:
        """The Telegram update of the learner's next step."""
        updates, uid = self.api.updates, learner.uid
        screen = self.api.screens.get(uid)
        step = learner.journey.next(None if screen is None else screen.shown()) if journey else None
        match step:
            case Tap(option) if screen is not None:
                return updates.callback(uid, screen.data_for(option), screen.keyboard_message)
            case Vote(picked) if screen is not None:
                return updates.poll_answer(uid, screen.poll_id, list(picked))
            case Type(text):
                return updates.text(uid, text)
        return updates.text(uid, learner.journey.echo().text)

    async def post(self, uid: int, update: JSON) -> bool:
        """Post one update; True when the webhook answered 200 after a reply."""
        kind = next(k for k in update if k != "update_id")
        before = self._received(uid)
        sent = time.perf_counter()
        error = await self._exchange(update)
        done = time.perf_counter()
        if error is None and self._received(uid) == before:
            error = "no reply"
        if self.window is not None:
            self.window.add(kind, sent, done, error)
        return error is None

    async def _exchange(self, update: JSON) -> str | None:
        """The HTTP exchange; the error's name, or None for a 200."""
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        try:
            async with self.http.post(
                self.url, data=json.dumps(update).encode(), headers=headers
            ) as r:
                await r.read()
                return None if r.status == 200 else f"HTTP {r.status}"
        except (aiohttp.ClientError, TimeoutError) as err:
            return type(err).__name__

    def _received(self, uid: int) -> int:
        """How many messages the chat has received so far."""
        screen = self.api.screens.get(uid)
        return 0 if screen is None else screen.received


class LoadClient(Protocol):
    """What onboarding and the closed loop need of a channel's client (Telegram's above,
    WhatsApp's in bench/whatsapp_load.py)."""

    window: Window | None

    def onboarded(self, learner: Learner) -> bool: ...

    async def step(self, learner: Learner, journey: bool = True) -> bool: ...


def learners(count: int, seed: int) -> list[Learner]:
    """Distinct learners with their own reproducible random choices."""
    return [Learner(FIRST_USER_ID + i, random.Random(seed * 1_000_003 + i)) for i in range(count)]


def client_session(count: int) -> aiohttp.ClientSession:
    """One keep-alive connection per learner at most, bounded round trips."""
    connector = aiohttp.TCPConnector(limit=count, limit_per_host=count)
    return aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT)
    )


async def onboard(client: LoadClient, people: list[Learner]) -> int:
    """Walk every learner to the main menu and a little beyond; returns how many were late."""
    deadline = time.perf_counter() + ONBOARDING_LIMIT

    async def walk(learner: Learner) -> bool:
        while not client.onboarded(learner) and time.perf_counter() < deadline:
            await client.step(learner)
        reached = client.onboarded(learner)
        for _ in range(learner.rng.randrange(SPREAD_STEPS)):
            if time.perf_counter() < deadline:
                await client.step(learner)
        return reached

    reached = await asyncio.gather(*(walk(learner) for learner in people))
    return reached.count(False)


async def closed_loop(
    client: LoadClient, people: list[Learner], journey: bool, until: float
) -> None:
    """Every learner sends its next update once the previous one returned, until `until`."""

    async def run(learner: Learner) -> None:
        while time.perf_counter() < until:
            await client.step(learner, journey)

    tasks = [asyncio.create_task(run(learner)) for learner in people]
    _done, late = await asyncio.wait(tasks, timeout=max(until - time.perf_counter(), 0) + 35)
    for task in late:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def api_calls(before: Counter[str], after: Counter[str]) -> dict[str, int]:
    """The Bot API calls made between two snapshots of the fake's counters."""
    return {
        method: after[method] - before[method] for method in after if after[method] > before[method]
    }


def describe(summary: dict[str, Any]) -> str:
    """A one-line description of a variant's run (for the log while it runs)."""
    return (
        f"{summary['ups']:8.0f} upd/s  p50 {summary['p50']:7.1f} ms  p99 {summary['p99']:7.1f} ms"
        f"  errors {summary['errors']:.0f}"
    )


def webhook_url(port: int) -> str:
    """The bot's local webhook."""
    return f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
