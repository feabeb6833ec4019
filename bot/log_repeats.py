"""Repeated log lines, summarised: an attack must not fill the disk through the log.

Two thousand refused connections, or a script's malformed frames, each logged a line: the
log grew by megabytes a second. `RepeatFilter` lets the first `limit` lines of a kind through
per `every` seconds, drops the rest, and then logs one line saying how many it dropped
("suppressed 1980 similar lines: <the line's template>").

A kind is the logger, the level and the message's template for warnings and errors (the
same problem, whatever its arguments), and the whole formatted message below that: the
per-turn INFO lines ("handled channel=... user=...") differ from one another and all go
through, while the same INFO line over and over does not.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

SUMMARY = "suppressed %d similar lines in %ds: %s"


@dataclass
class _Window:
    start: float
    seen: int = 0
    suppressed: int = 0


class RepeatFilter(logging.Filter):
    """At most `limit` lines of a kind per `every` seconds (`limit` 0: no limit)."""

    def __init__(
        self, limit: int = 20, every: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.limit = limit
        self.every = every
        self.clock = clock
        self._windows: dict[tuple[str, int, str], _Window] = {}
        self._next_sweep = 0.0
        self._summarising = False

    def filter(self, record: logging.LogRecord) -> bool:
        """Whether the record is logged (it is, unless its kind is over the limit now)."""
        if self.limit <= 0 or self._summarising:
            return True
        now = self.clock()
        if now >= self._next_sweep:
            self._sweep(now)
        key = _kind(record)
        window = self._windows.get(key)
        if window is None or now - window.start >= self.every:
            if window is not None and window.suppressed:
                self._summarise(key, window, now)
            window = self._windows[key] = _Window(now)
        window.seen += 1
        if window.seen <= self.limit:
            return True
        window.suppressed += 1
        return False

    def _sweep(self, now: float) -> None:
        """Summarise and forget the windows that ended (memory stays flat)."""
        self._next_sweep = now + self.every
        for key, window in list(self._windows.items()):
            if now - window.start >= self.every:
                del self._windows[key]
                if window.suppressed:
                    self._summarise(key, window, now)

    def _summarise(self, key: tuple[str, int, str], window: _Window, now: float) -> None:
        """One line for what a window dropped."""
        name, level, text = key
        self._summarising = True
        try:
            seconds = int(now - window.start)
            logging.getLogger(name).log(level, SUMMARY, window.suppressed, seconds, text[:200])
        finally:
            self._summarising = False


def _kind(record: logging.LogRecord) -> tuple[str, int, str]:
    """What makes two records "the same line"."""
    if record.levelno >= logging.WARNING:
        return record.name, record.levelno, str(record.msg)
    return record.name, record.levelno, record.getMessage()
