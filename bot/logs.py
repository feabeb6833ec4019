"""Logging: one line per event, with the channel and a pseudonymous user id, never text.

Two formats: `text` for a developer's terminal, `json` in production (one object per line
for a log collector: time, level, logger, message, pid, and the event's fields). The fields
come from the `key=value` pairs the messages already carry ("handled channel=telegram
user=3f2a... event=TextReceived ms=4.2"), plus any `extra=` given to a call, so the call
sites stay as they are.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from bot.log_repeats import RepeatFilter

NOISY = ("httpx", "telegram", "aiohttp.access", "alembic.runtime.plugins", "fontTools")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# A record's own attributes: anything else on it came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
_FIELD = re.compile(r"(?<!\S)([a-z][a-z0-9_]*)=(\S+)")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def setup_logging(level: str = "INFO", fmt: str = "text", repeat_limit: int = 20) -> None:
    """One-line records on stderr (text or JSON); chatty libraries are kept at WARNING.

    Past `repeat_limit` lines of a kind a minute, the rest are summarised (bot/log_repeats.py).
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RepeatFilter(repeat_limit))
    formatter = JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: fixed keys first, then the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line of `record` (no newline inside: tracebacks are escaped)."""
        message = record.getMessage()
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry.setdefault(key, value)
        for key, value in _FIELD.findall(message):
            entry.setdefault(key, _scalar(value))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _scalar(value: str) -> int | float | str:
    """A field's value: numbers as numbers (ms=4.2), anything else as text."""
    if _NUMBER.fullmatch(value):
        return float(value) if "." in value else int(value)
    return value
