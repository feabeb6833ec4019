"""Poison messages: every inbound item gets a time budget and a bounded number of attempts.

An item (a WhatsApp message, a Telegram update, a web chat frame) whose handling raises or
outlasts its budget is tried again, at most `Budget.attempts` times in all; then it is
parked in the dead-letter table (bot/storage/dead_letters.py), counted in `/metrics`
(`imaginecole_dead_letters`) and logged without its content, and the next item is handled.
An item the platform's library cannot read at all is parked at once ("unreadable").

A failure while the database does not answer is not the item's fault: it is not counted
and the item is kept for later (the WhatsApp inbox, Telegram's redelivery after a 503).

Parked items keep what the person sent, so they are erased with the person
(bot/storage/profiles.py) and pruned after 3 days by the housekeeping (bot/housekeeping.py).
Operators list them with `python -m bot dead-letters` (channel, reason, error class, time:
never the text).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from bot import metrics
from bot.config import Settings
from bot.storage.db import create_engine, ping
from bot.storage.dead_letters import DeadLetters
from bot.storage.pseudonym import pseudonym
from bot.storage.store import SqlStore
from dialogs.events import UserRef

log = logging.getLogger("imaginecole.dead_letters")
T = TypeVar("T")
MAX_REMEMBERED = 10_000  # items whose failed attempts are remembered


@dataclass(frozen=True)
class Budget:
    """How long one item may take (reply included) and how many times it is tried."""

    seconds: float = 60.0
    attempts: int = 3

    @classmethod
    def of(cls, settings: Settings) -> Budget:
        """INBOUND_BUDGET_SECONDS and INBOUND_ATTEMPTS."""
        return cls(settings.inbound_budget_seconds, max(1, settings.inbound_attempts))

    async def run(self, work: Awaitable[T]) -> T:
        """`work` within the budget (TimeoutError beyond it, the work cancelled)."""
        async with asyncio.timeout(self.seconds):
            return await work


def reason_of(error: BaseException | None) -> str:
    """The dead letter's reason for a failure (None: the process died while handling)."""
    if error is None:
        return "crashed"
    return "timeout" if isinstance(error, TimeoutError) else "error"


class Parking:
    """Parks items in the dead-letter table, counts and logs them."""

    def __init__(self, store: SqlStore, budget: Budget) -> None:
        self.store = store
        self.budget = budget
        self.letters = DeadLetters(store)
        self._failures: dict[str, int] = {}  # failed attempts per item key, in this process

    async def park(
        self,
        channel: str,
        address: str | None,
        payload: str,
        attempts: int,
        error: BaseException | None = None,
        reason: str | None = None,
    ) -> None:
        """Keep one item that will not be handled; the next one goes on."""
        reason = reason or reason_of(error)
        kind = type(error).__name__ if error is not None else ""
        await self.letters.park(
            channel, address, reason, kind, attempts, payload, datetime.now(UTC)
        )
        metrics.parked(channel, reason)
        log.warning(
            "dead letter channel=%s reason=%s error=%s attempts=%d",
            channel,
            reason,
            kind or "-",
            attempts,
        )

    async def failed(
        self, channel: str, key: str, address: str | None, payload: str, error: Exception
    ) -> bool:
        """After a failed handling of the item `key`: whether it is now parked (its attempts
        are spent: the caller acknowledges it and goes on), else it is to be tried again.
        Attempts are counted in this process; a failure while the database is away is not."""
        if await self.outage():
            log.warning("%s item not handled: the database is unreachable", channel)
            return False
        attempts = self._failures[key] = self._failures.get(key, 0) + 1
        log.warning(
            "%s item failed (%s), attempt %d",
            channel,
            type(error).__name__,
            attempts,
            exc_info=not isinstance(error, TimeoutError),
        )
        if attempts < self.budget.attempts:
            if len(self._failures) > MAX_REMEMBERED:
                del self._failures[next(iter(self._failures))]
            return False
        del self._failures[key]
        await self.park(channel, address, payload, attempts, error)
        return True

    async def outage(self) -> bool:
        """Whether the database is unreachable now (then a failure is not the item's)."""
        return not await ping(self.store.engine)


async def listing(database_url: str, secret: bytes, limit: int, show: int | None) -> list[str]:
    """`python -m bot dead-letters`: the latest parked items, one line each (time, channel,
    reason, error class, attempts, the sender's log pseudonym), never their content; with
    `show`, that item's content as received (personal data: for a diagnosis)."""
    engine = create_engine(database_url)
    store = SqlStore(engine)
    try:
        letters = DeadLetters(store)
        if show is not None:
            payload = await letters.payload(show)
            return [payload] if payload is not None else []
        lines = []
        for letter in await letters.recent(limit):
            who = (
                pseudonym(UserRef(letter.channel, letter.address), secret)
                if letter.address
                else "-"
            )
            lines.append(
                f"{letter.id}\t{letter.created_at.isoformat(timespec='seconds')}\t{letter.channel}"
                f"\t{letter.reason}\t{letter.error or '-'}\tattempts={letter.attempts}\tuser={who}"
            )
        return lines
    finally:
        store.close()
        await engine.dispose()
