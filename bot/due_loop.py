"""The loops that queue what falls due at a person's local time (daily reminders, weekly
summaries to guardians), on every worker, each item taken once.

A pass takes due rows a batch per short transaction (locked with SKIP LOCKED on PostgreSQL, so
two workers never take the same row; SQLite has one writer), hands each to `one`, and moves a
row that raised past `retry_after` so that one bad row never stops everyone's. A full batch
means more may be due: the pass goes on until a batch comes back short.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from bot.i18n import I18n
from bot.storage.sql import Runner
from bot.storage.store import SqlStore
from content.library import Library
from dialogs.reminding import QuietHours

Due = TypeVar("Due")


class DueLoop(Generic[Due]):
    """Queues due items; `run_once` is one pass, `forever` repeats it every `interval`."""

    what = "item"  # in the logs: "reminder", "weekly summary"
    every = 60.0  # seconds between two passes
    batch = 100  # items taken in one transaction
    retry_after = timedelta(days=1)  # a failing item is tried again then
    log = logging.getLogger("imaginecole.due")

    def __init__(
        self,
        store: SqlStore,
        i18n: I18n,
        library: Callable[[], Library],
        quiet: QuietHours,
        *,
        interval: float | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.i18n = i18n
        self.library = library
        self.quiet = quiet
        self.interval = self.every if interval is None else interval
        self.clock = clock

    async def due(self, runner: Runner, now: datetime, limit: int, lock: str) -> Sequence[Due]:
        """Up to `limit` items due at `now` (`lock`: the row lock clause to add)."""
        raise NotImplementedError

    async def one(self, runner: Runner, due: Due, now: datetime) -> int:
        """Take one item (unless another worker did) and queue it if it may go: 1 if queued."""
        raise NotImplementedError

    async def later(self, runner: Runner, due: Due, at: datetime) -> None:
        """Move an item on to `at` (after it failed)."""
        raise NotImplementedError

    async def forever(self) -> None:
        """Pass after pass until cancelled; a failing pass is logged, the next one tries again."""
        while True:
            try:
                await self.run_once()
            except Exception:
                self.log.exception("the %s pass failed", self.what)
            await asyncio.sleep(self.interval)

    async def run_once(self) -> int:
        """Queue every item due now, a batch per transaction; how many were queued."""
        now = self.clock()
        queued, taken = 0, self.batch
        while taken == self.batch:  # a full batch: more may be due (every row seen moves on)
            batch_queued, taken = await self._batch(now)
            queued += batch_queued
        if queued:
            self.log.info("%ss queued=%d", self.what, queued)
        return queued

    async def _batch(self, now: datetime) -> tuple[int, int]:
        """One transaction over up to `batch` due items: (queued, seen)."""
        queued = 0
        async with self.store.transaction() as runner:
            lock = "" if self.store.on_sqlite else " FOR UPDATE SKIP LOCKED"
            found = await self.due(runner, now, self.batch, lock)
            for item in found:
                try:
                    queued += await self.one(runner, item, now)
                except Exception as error:  # one person's bad row must not stop everyone's
                    self.log.warning(
                        "%s skipped (%s)", self.what, type(error).__name__, exc_info=True
                    )
                    await self.later(runner, item, now + self.retry_after)
        return queued, len(found)
