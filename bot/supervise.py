"""Supervision: background loops restarted with back-off when they die, channels started and
retried on their own, and their state for `/readyz` and `/metrics`.

A loop is a coroutine factory: `run` starts it in a task and, when it raises, logs it, counts
a restart (`imaginecole_loop_restarts`), waits (1 s, doubling up to a minute; back to 1 s
after a minute of good running) and starts it again. A loop that returns has finished
(a sender told to stop). A channel's start (Telegram's getMe and webhook, WhatsApp's resumed
bodies) is tried once inline; when it fails the process goes on without it (the web chat and
the other channels keep serving) and the start is retried in the background with the same
back-off until it succeeds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter

log = logging.getLogger("imaginecole.supervise")

FIRST_PAUSE = 1.0  # seconds before the first restart
LONGEST_PAUSE = 60.0  # the back-off doubles up to this
Loop = Callable[[], Coroutine[Any, Any, None]]

RESTARTS = Counter(
    "imaginecole_loop_restarts", "Background loops restarted after they died", ["loop"]
)
CHANNEL_FAILURES = Counter(
    "imaginecole_channel_start_failures", "Failed starts of a channel (retried)", ["channel"]
)


@dataclass
class State:
    """One loop's or channel's state: starting, running, restarting, stopped (loops); up,
    starting, down (channels)."""

    state: str
    restarts: int = 0
    error: str = ""  # the class of the last exception, never its text

    def as_json(self) -> dict[str, object]:
        """The state as `/readyz` shows it."""
        shown: dict[str, object] = {"state": self.state, "restarts": self.restarts}
        if self.error:
            shown["error"] = self.error
        return shown


class Supervisor:
    """The loops and channels of one process."""

    def __init__(self, first_pause: float = FIRST_PAUSE, longest: float = LONGEST_PAUSE):
        self.first_pause = first_pause
        self.longest = longest
        self.loops: dict[str, State] = {}
        self.channels: dict[str, State] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def run(self, name: str, loop: Loop) -> asyncio.Task[None]:
        """Keep `loop()` running under `name` until it returns or the task is cancelled."""
        state = self.loops[name] = State("starting")
        task = asyncio.get_running_loop().create_task(self._keep(name, state, loop))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _keep(self, name: str, state: State, loop: Loop) -> None:
        pause = self.first_pause
        while True:
            state.state = "running"
            began = time.monotonic()
            try:
                await loop()
            except asyncio.CancelledError:
                state.state = "stopped"
                raise
            except Exception as error:
                state.error = type(error).__name__
                log.exception("loop %s died; restarted in %.1f s", name, pause)
            else:
                state.state = "stopped"
                return
            state.state = "restarting"
            state.restarts += 1
            RESTARTS.labels(name).inc()
            if time.monotonic() - began > self.longest:
                pause = self.first_pause  # it ran well for a while: a fresh failure
            await asyncio.sleep(pause)
            pause = min(pause * 2, self.longest)

    async def start_channel(self, name: str, start: Callable[[], Awaitable[None]]) -> bool:
        """Start a channel now; when that fails, retry in the background with back-off.
        Whether it is up now."""
        state = self.channels[name] = State("starting")
        if await self._try(name, state, start):
            return True

        async def again() -> None:
            pause = self.first_pause
            while True:
                await asyncio.sleep(pause)
                if await self._try(name, state, start):
                    return
                pause = min(pause * 2, self.longest)

        task = asyncio.get_running_loop().create_task(again())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return False

    async def _try(self, name: str, state: State, start: Callable[[], Awaitable[None]]) -> bool:
        try:
            await start()
        except Exception as error:
            state.state, state.error = "down", type(error).__name__
            state.restarts += 1
            CHANNEL_FAILURES.labels(name).inc()
            log.warning("channel %s could not start (%s): retrying", name, state.error)
            return False
        state.state, state.error = "up", ""
        log.info("channel %s up", name)
        return True

    def status(self) -> dict[str, object]:
        """Every channel and loop with its state (the body of `/readyz`)."""
        return {
            "channels": {name: s.as_json() for name, s in sorted(self.channels.items())},
            "loops": {name: s.as_json() for name, s in sorted(self.loops.items())},
        }

    async def stop(self) -> None:
        """Cancel every loop and pending channel start, and wait for them."""
        tasks = set(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
