"""Per-person flood limits: a token bucket per (channel, id), in this process's memory.

Each person has a bucket of `burst` messages that refills at `per_minute` a minute. A message
that finds a token goes through; the first one that finds none gets ONE polite notice in the
person's language ("Doucement... attendez une minute"), and everything they send for the
next `PAUSE` seconds is dropped without running the dialog and without storing anything
(the transports still acknowledge it, so no platform retries). Then the bucket, full again,
serves them as before.

The default, 20 in a row then 60 a minute: a learner reads a lesson's part or a question
before tapping, a few seconds each; on a weak network the messages typed offline arrive
together, so a burst of 20 is let through whole; nobody taps more than once a second for a
minute. What is refused is a script, a stuck key or a copy-paste storm.

Why in memory and not in the database: the limit protects a process's time and the
database's writes from one sender; a durable counter would add a write to every message,
doubling the cost of the common case to guard the rare one. With N workers a flooder gets at
most N times the limit, still bounded; a restart forgets the buckets, which only forgives.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from dialogs.events import UserRef

DEFAULT_FLOOD_LIMIT = "20,60"
# Web chat frames from one address (bot/web/chat.py): a school's or a cybercafé's learners
# share it, so about twenty people's worth; what it stops is one machine posing as many.
DEFAULT_ADDRESS_FLOOD_LIMIT = "300,1200"
PAUSE = 60.0  # seconds a flooding person is not heard (the notice says "une minute")
SWEEP_EVERY = 4096  # messages between two sweeps of full (idle) buckets


class Verdict(Enum):
    """What to do with a person's message."""

    ADMIT = "admit"  # run the dialog
    NOTICE = "notice"  # drop it, and tell the person once to slow down
    DROP = "drop"  # drop it silently


@dataclass(frozen=True)
class FloodLimit:
    """`burst` messages in a row, then `per_minute` a minute on average."""

    burst: int
    per_minute: float

    @classmethod
    def parse(cls, text: str) -> FloodLimit | None:
        """ "20,60" -> 20 in a row then 60 a minute; "", "0" or "off": no limit."""
        text = text.strip().lower()
        if text in ("", "0", "off", "none"):
            return None
        burst, _, rate = text.partition(",")
        limit = cls(int(burst), float(rate or burst))
        if limit.burst < 1 or limit.per_minute <= 0:
            raise ValueError(f"FLOOD_LIMIT must be 'burst,per_minute' above zero: {text!r}")
        return limit


@dataclass
class _Bucket:
    tokens: float
    at: float
    paused_until: float = 0.0


class FloodGuard:
    """The buckets of every person this process heard from recently."""

    def __init__(self, limit: FloodLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._seen = 0

    def check(self, user: UserRef) -> Verdict:
        """Take a token for this person's message, or say how to refuse it."""
        now = self.clock()
        self._sweep(now)
        key = (user.channel, user.external_id)
        bucket = self._buckets.get(key) or _Bucket(float(self.limit.burst), now)
        self._buckets[key] = bucket
        if now < bucket.paused_until:
            return Verdict.DROP
        bucket.tokens = self._refilled(bucket, now)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Verdict.ADMIT
        bucket.paused_until = now + PAUSE
        return Verdict.NOTICE

    def _refilled(self, bucket: _Bucket, now: float) -> float:
        """The tokens the bucket holds now."""
        earned = (now - bucket.at) * self.limit.per_minute / 60.0
        return min(float(self.limit.burst), bucket.tokens + earned)

    def _sweep(self, now: float) -> None:
        """Now and then, forget the people whose bucket is full again (memory stays flat)."""
        self._seen += 1
        if self._seen % SWEEP_EVERY:
            return
        for key, bucket in list(self._buckets.items()):
            if now >= bucket.paused_until and self._refilled(bucket, now) >= self.limit.burst:
                del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


def notice_text(gettext: Callable[[str], str]) -> str:
    """The one message a flooding person gets, in their language."""
    _ = gettext
    return _(
        "Doucement ! Vous envoyez beaucoup de messages à la suite. Attendez une minute "
        "avant de continuer : les messages envoyés entre-temps ne seront pas lus."
    )
