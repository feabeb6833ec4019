"""The broadcast sender: works through the outbox at each platform's rate.

Per channel, a loop claims a small batch, reserves that many sending slots in the shared
rate table (so several processes keep to the platform's rate together), and sends each
message at its slot, a bounded number at once. Each result is written back as soon as it is
known (one short write per message: at the platforms' tens of messages a second it costs
nothing), so a crashed sender's duplicates are only its sends in flight:
- sent: done (the platform's message id is kept, to attach delivery statuses);
- a 429: the channel pauses for exactly the `retry_after` given, and the message goes back
  in the queue;
- blocked, deactivated, not on WhatsApp: the person is marked unreachable, never tried again;
- other failures: retried later, a bounded number of times, then failed with the reason.
Replies to learners never go through here: they are sent directly, before any of this.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import os
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot import metrics
from bot.storage.outbox import Outbox, OutboxItem

log = logging.getLogger("imaginecole.sender")

MAX_ATTEMPTS = 4
# Starts a named loop (bot/supervise.py's Supervisor.run): the task that runs it.
Spawn = Callable[[str, Callable[[], Coroutine[Any, Any, None]]], "asyncio.Task[None]"]
RETRY_DELAY = timedelta(seconds=30)
IDLE = 0.5  # seconds between two looks at an empty outbox
SCHEDULE_EVERY = 5.0  # seconds between two looks for scheduled broadcasts whose time came
WINDOW_MARGIN = 0.03  # seconds added to the platform's one-second window, for network jitter


@dataclass(frozen=True)
class Sent:
    """The platform took the message."""

    platform_id: str | None = None


@dataclass(frozen=True)
class RetryAfter:
    """The platform asked to wait (429)."""

    seconds: float


@dataclass(frozen=True)
class Unreachable:
    """The person cannot receive messages (blocked the bot, deactivated, not on WhatsApp)."""

    code: int
    reason: str


@dataclass(frozen=True)
class Failed:
    """Anything else; `retryable` failures are tried again a bounded number of times."""

    reason: str
    retryable: bool = True


@dataclass(frozen=True)
class Held:
    """Kept for the person's next message (WhatsApp outside the window, no template)."""


Result = Sent | RetryAfter | Unreachable | Failed | Held
Deliver = Callable[[OutboxItem], Awaitable[Result]]


@dataclass(frozen=True)
class ChannelPace:
    """How fast one channel may send broadcasts, and how many sends may be in flight."""

    per_second: float
    concurrency: int = 32


def worker_name() -> str:
    """This process's name in claims: host and pid."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


class Sender:
    """Sends the outbox of every configured channel until stopped."""

    def __init__(
        self,
        outbox: Outbox,
        deliverers: dict[str, Deliver],
        paces: dict[str, ChannelPace],
        *,
        retry_delay: timedelta = RETRY_DELAY,
        max_attempts: int = MAX_ATTEMPTS,
        idle: float = IDLE,
        schedule_every: float = SCHEDULE_EVERY,
    ) -> None:
        self.outbox = outbox
        self.deliverers = deliverers
        self.paces = paces
        self.retry_delay = retry_delay
        self.max_attempts = max_attempts
        self.idle = idle
        self.schedule_every = schedule_every
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._paused_until: dict[str, datetime] = {}  # after a 429, until its retry_after
        self._recent: dict[str, deque[float]] = {}  # start times of this process's last sends
        self._renewed: datetime | None = None  # when this sender's claims were last renewed

    def start(self, run: Spawn | None = None) -> None:
        """Start one loop per channel, and the scheduler of programmed broadcasts (through
        `run`, a supervisor's, when given: restarted if they die)."""
        loop = asyncio.get_running_loop()
        spawn = run or (lambda _, work: loop.create_task(work()))
        self._tasks = [
            spawn(f"sender_{c}", functools.partial(self._channel_loop, c)) for c in self.deliverers
        ]
        self._tasks.append(spawn("sender_schedule", self._schedule_loop))
        self._tasks.append(spawn("sender_renew", self._renew_loop))

    async def stop(self) -> None:
        """Finish the sends in flight, give back what was claimed and not sent, then stop."""
        self._stop.set()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _schedule_loop(self) -> None:
        """Queue scheduled broadcasts when their time comes."""
        while not self._stop.is_set():
            try:
                queued = await self.outbox.queue_due(datetime.now(UTC))
                if queued:
                    log.info("scheduled broadcasts queued ids=%s", queued)
            except Exception:
                log.exception("could not queue scheduled broadcasts")
            await self._sleep(self.schedule_every)

    async def _renew_loop(self) -> None:
        """Keep this sender's claims alive, a few times per lease (a dead one's expire)."""
        every = self.outbox.lease.total_seconds() / 3
        while not await self._sleep(every):
            try:
                now = datetime.now(UTC)
                await self.outbox.renew(now)
                self._renewed = now
            except Exception:
                log.exception("could not renew the outbox claims")

    async def _channel_loop(self, channel: str) -> None:
        """Claim, pace, send, record; idle when there is nothing to send."""
        pace = self.paces[channel]
        while not self._stop.is_set():
            try:
                sent = await self.send_batch(channel, pace)
            except Exception:
                log.exception("broadcast batch failed channel=%s", channel)
                sent = 0
            if not sent:
                await self._sleep(self.idle)

    async def send_batch(self, channel: str, pace: ChannelPace) -> int:
        """One batch of a channel: about one second of sending; returns how many were claimed."""
        size = max(1, min(int(pace.per_second), 500))
        claimed_at = datetime.now(UTC)
        batch = await self.outbox.claim(channel, size, claimed_at)
        if not batch:
            return 0
        interval = 1.0 / pace.per_second
        start = await self.outbox.reserve(channel, len(batch), interval)
        slots = asyncio.Semaphore(pace.concurrency)
        tasks: list[asyncio.Task[None]] = []
        last: dict[str, asyncio.Task[None]] = {}  # each address's latest send of the batch
        for i, item in enumerate(batch):
            work = self._send_and_record(
                item, start + timedelta(seconds=i * interval), slots, claimed_at
            )
            task = asyncio.create_task(_after(last.get(item.external_id), work))
            last[item.external_id] = task
            tasks.append(task)
        await asyncio.gather(*tasks)
        return len(batch)

    async def _send_and_record(
        self, item: OutboxItem, at: datetime, slots: asyncio.Semaphore, claimed_at: datetime
    ) -> None:
        """Send one message at its slot and write its result at once, before giving its
        place back: at most `concurrency` sends are ever taken by the platform and not yet
        recorded (the only duplicates a crash can make)."""
        delay = (at - datetime.now(UTC)).total_seconds()
        if delay <= 0 or not await self._sleep(delay):
            async with slots:
                outcome = await self._send_now(item, claimed_at)
                if outcome is not None:
                    await self._record(item, outcome)
                    return
        await self._record(item, None)  # not sent: back to the queue

    def _still_ours(self, claimed_at: datetime) -> bool:
        """Whether a claim made at `claimed_at` surely has not expired: a sender whose loop
        lagged past its renewals never sends what another sender may have taken since."""
        held = max(claimed_at, self._renewed or claimed_at)
        return datetime.now(UTC) < held + self.outbox.lease * 0.8

    async def _send_now(self, item: OutboxItem, claimed_at: datetime) -> Result | None:
        """Send a message whose slot came (None: not sent, after all)."""
        if self._paused(item.channel):
            return None  # a 429 came in this batch: back to the queue, unsent
        if await self._keep_window(item.channel):
            return None
        if not self._still_ours(claimed_at):
            return None  # another sender may be sending it: back to the queue, unsent
        try:
            result = await self.deliverers[item.channel](item)
        except Exception as error:  # a deliverer bug must not lose the batch
            log.exception("deliverer raised channel=%s", item.channel)
            return Failed(type(error).__name__)
        if isinstance(result, RetryAfter):
            until = datetime.now(UTC) + timedelta(seconds=result.seconds)
            self._paused_until[item.channel] = until
        return result

    async def _keep_window(self, channel: str) -> bool:
        """Wait so that no sliding second holds more sends than the rate; True if stopped.

        Slots alone are not enough: a send that runs late behind one that ran on time puts
        both in the same second of the platform's sliding window, which answers 429.
        """
        cap = max(1, math.ceil(self.paces[channel].per_second))
        recent = self._recent.setdefault(channel, deque(maxlen=cap))
        now = time.monotonic()
        at = max(now, recent[-1]) if recent else now
        if len(recent) == cap:
            at = max(at, recent[0] + 1.0 + WINDOW_MARGIN)
        recent.append(at)  # before sleeping: the sends waiting beside this one count it
        return at > now and await self._sleep(at - now)

    def _paused(self, channel: str) -> bool:
        """Whether the platform asked this channel to wait, and the wait is not over."""
        until = self._paused_until.get(channel)
        return until is not None and datetime.now(UTC) < until

    async def _record(self, item: OutboxItem, outcome: Result | None) -> None:
        """Write one result back; pause the channel after a 429."""
        now = datetime.now(UTC)
        channel = item.channel
        _count(channel, outcome)
        match outcome:
            case None:
                await self.outbox.release([item.id])
            case Sent(platform_id=platform_id):
                await self.outbox.finish([(item.id, "sent", platform_id, None)])
            case Held():
                await self.outbox.finish([(item.id, "held", None, None)])
            case Unreachable(code=code, reason=reason):
                await self.outbox.mark_unreachable(item.user_id, code, now)
                if await self.outbox.fall_back(item.id):  # by SMS now (bot/fallbacks.py)
                    return
                await self.outbox.finish([(item.id, "unreachable", None, reason[:64])])
            case RetryAfter(seconds=seconds):
                until = now + timedelta(seconds=seconds)
                await self.outbox.pause(channel, until)
                await self.outbox.retry_later(item.id, until, "429", counts=False)
            case Failed(reason=reason, retryable=retryable):
                if retryable and item.attempts < self.max_attempts:
                    await self.outbox.retry_later(item.id, now + self.retry_delay, reason[:64])
                else:
                    await self.outbox.finish([(item.id, "failed", None, reason[:64])])

    async def _sleep(self, seconds: float) -> bool:
        """Sleep, waking early when stopped; True if stopped."""
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True


def _count(channel: str, outcome: Result | None) -> None:
    """A broadcast send in the metrics: taken by the platform, or refused with its code."""
    match outcome:
        case Sent():
            metrics.sent(channel, "broadcast")
        case Unreachable(code=code):
            metrics.send_failed(channel, "broadcast", code)
        case RetryAfter():
            metrics.send_failed(channel, "broadcast", 429)
        case Failed(reason=reason):
            metrics.send_failed(channel, "broadcast", reason)


async def _after(before: asyncio.Task[None] | None, work: Awaitable[None]) -> None:
    """Run `work` once the send before it to the same address is over: one person's
    messages (three answers of a teacher) arrive in the order they were queued, while
    different people's go out side by side."""
    if before is not None:
        await asyncio.wait([before])
    await work
