"""Prometheus metrics: what this process counts, and `GET /metrics` behind a bearer token.

Counters and the reply-latency histogram live in prometheus_client. With several workers,
`PROMETHEUS_MULTIPROC_DIR` (set before this module is imported) makes prometheus_client keep
them in files of that folder, and whichever worker is scraped sums every worker's files. The
database's figures (outbox depth and age, active learners) are read at scrape time, one
aggregate query each: they are the same whichever worker answers.

Hot-path cost: a learner's update adds one counter increment and one histogram observation
on label children looked up once per channel (bench/telegram_webhook.py --compare).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.db import PING_TIMEOUT
from bot.storage.gauges import Gauges, read_gauges
from bot.tokens import same_secret

if TYPE_CHECKING:  # bot.server imports the web chat, which imports the conversations
    from bot.server import Handler

log = logging.getLogger("imaginecole.metrics")

PATH = "/metrics"
Status = Callable[[], dict[str, Any]]  # bot/supervise.py's Supervisor.status
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

DEAD_LETTERS = Counter(
    "imaginecole_dead_letters",
    "Inbound items parked after their time budget and attempts (reason: unreadable, "
    "timeout, error, crashed)",
    ["channel", "reason"],
)

UPDATES = Counter(
    "imaginecole_updates_handled", "Updates handled (duplicates excluded)", ["channel"]
)
REPLY_SECONDS = Histogram(
    "imaginecole_reply_seconds",
    "From an update's receipt to its reply sent",
    ["channel"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
SENDS = Counter(
    "imaginecole_sends", "Messages a platform took; kind: reply or broadcast", ["channel", "kind"]
)
SEND_ERRORS = Counter(
    "imaginecole_send_errors",
    "Messages a platform refused, by its error code (429: asked to wait)",
    ["channel", "kind", "code"],
)
WEBHOOK_REJECTIONS = Counter(
    "imaginecole_webhook_rejections",
    "Webhook requests refused before any handling",
    ["channel", "reason"],
)

DOCUMENTS = Counter(
    "imaginecole_documents",
    "Certificates, booklets and charts sent; how: rendered, cached, failed (bot/rendering.py)",
    ["how"],
)

_handled: dict[str, tuple[Counter, Histogram]] = {}
_sends: dict[tuple[str, str], Counter] = {}
_NUMERIC = re.compile(r"\d{1,7}")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")


def parked(channel: str, reason: str) -> None:
    """An inbound item parked in the dead letters."""
    DEAD_LETTERS.labels(channel, reason).inc()


def handled(channel: str, seconds: float) -> None:
    """One update handled and answered in `seconds`."""
    children = _handled.get(channel)
    if children is None:
        children = _handled[channel] = (UPDATES.labels(channel), REPLY_SECONDS.labels(channel))
    children[0].inc()
    children[1].observe(seconds)


def sent(channel: str, kind: str, count: int = 1) -> None:
    """`count` messages a platform took."""
    child = _sends.get((channel, kind))
    if child is None:
        child = _sends[(channel, kind)] = SENDS.labels(channel, kind)
    child.inc(count)


def send_failed(channel: str, kind: str, code: object) -> None:
    """A platform refused a message with `code` (a number, or an error's class name)."""
    SEND_ERRORS.labels(channel, kind, error_code(code)).inc()


def rejected(channel: str, reason: str) -> None:
    """A webhook request refused: `secret`, `signature`, `oversized`, `malformed`..."""
    WEBHOOK_REJECTIONS.labels(channel, reason).inc()


def document(how: str) -> None:
    """A document made after a turn: `rendered`, `cached` (or joined a render) or `failed`."""
    DOCUMENTS.labels(how).inc()


def error_code(code: object) -> str:
    """A label of bounded cardinality: a platform's number, a class name, else `other`."""
    value = str(code).strip()
    head = value.split(" ", 1)[0]
    if _NUMERIC.fullmatch(head):
        return head
    return value if _NAME.fullmatch(value) else "other"


def multiprocess_mode() -> bool:
    """Whether counters are shared between worker processes through files."""
    return bool(os.environ.get(MULTIPROC_ENV))


def exposition(gauges: Gauges | None, status: Status | None = None) -> bytes:
    """Every metric in Prometheus text format: this process's (or all workers'), then the
    database's figures (`gauges` None: the database did not answer), then the state of this
    process's channels and loops (`status`, bot/supervise.py)."""
    if multiprocess_mode():
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)  # type: ignore[no-untyped-call]
    else:
        counted = REGISTRY
    figures = CollectorRegistry(auto_describe=True)
    figures.register(_DatabaseCollector(gauges))
    if status is not None:
        figures.register(_SupervisionCollector(status()))
    return generate_latest(counted) + generate_latest(figures)


class _SupervisionCollector:
    """Whether each channel and background loop of the scraped process is up."""

    def __init__(self, status: dict[str, object]) -> None:
        self.status = status

    def collect(self) -> Iterator[Metric]:
        """imaginecole_channel_up and imaginecole_loop_up, 1 or 0."""
        for kind, label, up_state in (("channels", "channel", "up"), ("loops", "loop", "running")):
            family = GaugeMetricFamily(
                f"imaginecole_{label}_up", f"1 when the {label} is {up_state}", labels=[label]
            )
            states = self.status.get(kind)
            for name, state in (states if isinstance(states, dict) else {}).items():
                family.add_metric([name], 1.0 if state.get("state") == up_state else 0.0)
            yield family


class _DatabaseCollector:
    """The figures read from the database for one scrape."""

    def __init__(self, gauges: Gauges | None) -> None:
        self.gauges = gauges

    def collect(self) -> Iterator[Metric]:
        """Gauges of the outbox and of active learners, and whether the database answered."""
        up = GaugeMetricFamily("imaginecole_database_up", "1 when the database answered")
        up.add_metric([], 0.0 if self.gauges is None else 1.0)
        yield up
        if self.gauges is None:
            return
        depth = GaugeMetricFamily(
            "imaginecole_outbox_messages",
            "Outbox messages waiting (queued) or claimed (sending)",
            labels=["channel", "status"],
        )
        age = GaugeMetricFamily(
            "imaginecole_outbox_oldest_age_seconds",
            "Age of the oldest outbox message due (queued) or claimed (sending)",
            labels=["channel", "status"],
        )
        for row in self.gauges.outbox:
            depth.add_metric([row.channel, row.status], row.count)
            age.add_metric([row.channel, row.status], row.oldest_age)
        active = GaugeMetricFamily(
            "imaginecole_active_learners",
            "Learners seen in the window (consented; Telegram groups excluded)",
            labels=["channel", "window"],
        )
        for (channel, window), count in sorted(self.gauges.active.items()):
            active.add_metric([channel, window], count)
        yield from (depth, age, active)


class MetricsEndpoint:
    """`GET /metrics`, served only when a token is configured."""

    def __init__(self, token: str, engine: AsyncEngine, status: Status | None = None) -> None:
        self.token = token
        self.engine = engine
        self.status = status
        if multiprocess_mode() and values.ValueClass is values.MutexValue:
            log.warning(
                "%s was set after bot.metrics was imported: per process only", MULTIPROC_ENV
            )

    def routes(self) -> list[tuple[str, str, Handler]]:
        """The one GET route."""
        return [("GET", PATH, self.metrics)]

    async def metrics(self, request: web.Request) -> web.Response:
        """Check the bearer token in constant time, then read and expose everything."""
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not given or not same_secret(given, self.token):
            return web.Response(status=401, headers={"WWW-Authenticate": "Bearer"})
        try:
            async with asyncio.timeout(PING_TIMEOUT):
                gauges: Gauges | None = await read_gauges(self.engine, datetime.now(UTC))
        except Exception:  # the scrape still reports the counters, and database_up 0
            log.warning("metrics: the database did not answer")
            gauges = None
        body = exposition(gauges, self.status)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
