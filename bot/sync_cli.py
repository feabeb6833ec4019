"""`python -m bot sync [now|schools]` (docs/sync.md): a school server's sync by hand, and the
national instance's list of the school servers it hears from."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.admin_cli import database_label
from bot.app import school_sync
from bot.config import Settings
from bot.storage import sync as db
from bot.storage.db import create_engine, migrate_async
from bot.storage.store import SqlStore


async def sync_now(settings: Settings) -> int:
    """Push and pull once; 0 when complete, 1 when stopped (run it again: it goes on)."""
    if not settings.sync_url or not settings.sync_token:
        print("error: set SYNC_URL and SYNC_TOKEN (docs/sync.md)", file=sys.stderr)
        return 2
    await migrate_async(settings.database_url)
    engine = create_engine(settings.database_url)
    authored = Path(settings.authored_dir) if settings.authored_dir else None
    store = SqlStore(engine, authored)
    try:
        report = await school_sync(settings, store).run()
    finally:
        store.close()
        await engine.dispose()
    print(f"database: {database_label(settings.database_url)}")
    print("\n".join(report.lines()))
    return 0 if report.complete else 1


async def schools(settings: Settings) -> int:
    """Each school server: last sync, learners, records pending there, records received."""
    engine = create_engine(settings.database_url)
    store = SqlStore(engine)
    try:
        listed = await db.schools(store)
    finally:
        store.close()
        await engine.dispose()
    print(f"database: {database_label(settings.database_url)}")
    if not listed:
        print("no school server has synced yet")
        return 0
    now = datetime.now(UTC)
    head = ("school", "last sync", "ago", "learners", "pending", "received")
    print("{:<24} {:<17} {:>8} {:>8} {:>8} {:>9}".format(*head))
    for school in listed:
        ago = _ago(now - school.last_sync_at)
        when = school.last_sync_at.strftime("%Y-%m-%d %H:%M")
        print(
            f"{school.name:<24} {when:<17} {ago:>8} {school.learners:>8}"
            f" {school.pending:>8} {school.received:>9}"
        )
    return 0


def _ago(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"
