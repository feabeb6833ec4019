"""`python -m bot sync [now|schools|export|import]` (docs/sync.md): a school server's sync by
hand, the national instance's list of the school servers it hears from, and the sync by file
(signed bundles, bot/sync_bundle.py)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin_cli import database_label
from bot.app import school_sync
from bot.certificates import signing
from bot.config import Settings
from bot.storage import sync as db
from bot.storage.db import create_engine, migrate_async
from bot.storage.store import SqlStore
from bot.sync_bundle import (
    NATIONAL,
    BundleError,
    export_courses,
    export_records,
    import_courses,
    import_records,
    public_key,
    public_keys,
    read,
)


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


async def export_bundle(settings: Settings, path: Path, courses: bool, every: bool) -> int:
    """Write a signed bundle: this school's records, or (national) the courses."""
    if not courses and not settings.sync_school:
        print("error: set SYNC_SCHOOL, this school's name (docs/sync.md)", file=sys.stderr)
        return 2
    await migrate_async(settings.database_url)
    key = signing.load_key(settings.certificate_signing_key, settings.database_url)
    store, engine = _open(settings)
    try:
        if courses:
            count = await export_courses(store, path, key)
        else:
            count = await export_records(store, path, settings.sync_school, key, every)
        size = path.stat().st_size  # noqa: ASYNC240 - once, after the bundle is written
    finally:
        store.close()
        await engine.dispose()
    what = "courses" if courses else "records"
    print(f"{path}: {count} {what}, {size} bytes, signed")
    return 0


async def import_bundle(settings: Settings, path: Path) -> int:
    """Check a bundle's signature and apply it; 1 (and nothing applied) when it fails."""
    await migrate_async(settings.database_url)
    store, engine = _open(settings)
    try:
        keys = public_keys(settings.sync_school_keys)
        if settings.sync_national_key:
            keys[NATIONAL] = public_key(settings.sync_national_key, NATIONAL)
        bundle = read(path, keys)
        if bundle.kind == "records":
            taken = await import_records(store, bundle)
            done = f"records from {bundle.writer}: {taken.kept} new, {taken.known} known"
        else:
            imported = await import_courses(store, bundle, settings.sync_country)
            applied = imported.courses
            done = f"courses: {applied.added} new, {applied.updated} updated"
            done += f"; announcements: {imported.announcements.added} new"
            if applied.kept_local:
                done += f"; kept the school's own: {', '.join(applied.kept_local)}"
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        store.close()
        await engine.dispose()
    print(done)
    return 0


def _open(settings: Settings) -> tuple[SqlStore, AsyncEngine]:
    engine = create_engine(settings.database_url)
    authored = Path(settings.authored_dir) if settings.authored_dir else None
    return SqlStore(engine, authored), engine


def _ago(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"
