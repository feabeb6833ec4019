"""Figures for /metrics read at scrape time: the outbox's depth and age, active learners.

Two grouped queries on a reading connection (on SQLite a WAL reader that never waits for a
turn); the outbox one is covered by its `(channel, status, not_before)` index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.models import outbox, users
from bot.storage.sql import utc

WINDOWS = {"1d": timedelta(days=1), "7d": timedelta(days=7)}


@dataclass(frozen=True)
class OutboxDepth:
    """Messages of one channel in one status, and how long the oldest has been due."""

    channel: str
    status: str
    count: int
    oldest_age: float  # seconds; 0 when none is due yet (retries wait for their time)


@dataclass
class Gauges:
    """What one scrape read."""

    outbox: list[OutboxDepth] = field(default_factory=list)
    active: dict[tuple[str, str], int] = field(default_factory=dict)  # (channel, window)


async def read_gauges(engine: AsyncEngine, now: datetime) -> Gauges:
    """The outbox per channel and status, and learners seen in the last day and week."""
    gauges = Gauges()
    since = case((outbox.c.status == "sending", outbox.c.claimed_at), else_=outbox.c.not_before)
    depth = (
        select(outbox.c.channel, outbox.c.status, func.count(), func.min(since))
        .where(outbox.c.status.in_(("queued", "sending")))
        .group_by(outbox.c.channel, outbox.c.status)
    )
    windows = [
        func.coalesce(func.sum(case((users.c.last_seen_at >= now - span, 1), else_=0)), 0)
        for span in WINDOWS.values()
    ]
    active = (
        select(users.c.channel, *windows)
        .where(users.c.consented_at.is_not(None))
        .where(or_(users.c.role.is_(None), users.c.role != "group"))
        .where(users.c.last_seen_at >= now - max(WINDOWS.values()))
        .group_by(users.c.channel)
    )
    async with engine.connect() as conn:
        for channel, status, count, oldest in (await conn.execute(depth)).all():
            since_at = utc(oldest)
            age = max(0.0, (now - since_at).total_seconds()) if since_at else 0.0
            gauges.outbox.append(OutboxDepth(str(channel), str(status), int(count), age))
        for channel, *counts in (await conn.execute(active)).all():
            for window, count in zip(WINDOWS, counts, strict=True):
                gauges.active[(str(channel), window)] = int(count)
    return gauges
