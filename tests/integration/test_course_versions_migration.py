"""Migration 0026 keeps what learners see: a course published before it is published as it
stands (published_source = source); a draft stays unpublished."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from bot.storage.db import create_engine, downgrade_async, migrate_async


async def test_published_courses_keep_their_text_across_migration_0026(database_url: str) -> None:
    await downgrade_async(database_url, "0026-1")
    engine = create_engine(database_url)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    try:
        async with engine.begin() as conn:
            for course_id, status in (("publie", "published"), ("brouillon", "draft")):
                await conn.execute(
                    text(
                        "INSERT INTO authored_courses (course_id, author_id, status, visibility,"
                        " country, source, created_at, updated_at) VALUES (:cid, NULL, :st,"
                        " 'all', 'SN', :src, :now, :now)"
                    ),
                    {"cid": course_id, "st": status, "src": f"id: {course_id}\n", "now": now},
                )
        await migrate_async(database_url, "0026")
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT course_id, published_source FROM authored_courses ORDER BY course_id")
            )
            assert [tuple(row) for row in rows] == [("brouillon", None), ("publie", "id: publie\n")]
    finally:
        await engine.dispose()
        await migrate_async(database_url)
