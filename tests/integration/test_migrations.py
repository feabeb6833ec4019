"""Alembic owns the schema: the walk up, down and up again, and models equal to migrations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from bot.storage.db import create_engine, downgrade_async, migrate, migrate_async
from bot.storage.models import Base

REPO = Path(__file__).resolve().parents[2]
TABLES = {
    "users",
    "translations",
    "string_views",
    "translation_version",
    "xapi_statements",
    "course_translations",
    "sms_contacts",
    "address_links",
    "ussd_sessions",
    "sync_schools",
    "sync_state",
    "sync_courses",
    "phone_fallbacks",
    "processed_updates",
    "dead_letters",
    "inbound_attempts",
    "lesson_progress",
    "quiz_attempts",
    "telegram_polls",
    "whatsapp_inbox",
    "channel_contacts",
    "sent_messages",
    "pending_messages",
    "web_inbox",
    "media_uploads",
    "role_grants",
    "broadcasts",
    "outbox",
    "announcement_optouts",
    "send_rates",
    "person_codes",
    "essay_answers",
    "question_answers",
    "skill_mastery",
    "placed_out",
    "skill_struggles",
    "guardians",
    "learner_sex",
    "skill_parameters",
    "teacher_invites",
    "teacher_profiles",
    "classes",
    "class_members",
    "teacher_questions",
    "assignments",
    "assignment_students",
    "authored_courses",
    "authored_media",
    "course_ratings",
    "creathon_contests",
    "creathon_submissions",
    "creathon_reviews",
    "circles",
    "circle_members",
    "circle_messages",
    "circle_digests",
    "colleague_requests",
    "circle_events",
    "event_attendees",
    "circle_reports",
    "circle_sanctions",
    "circle_relays",
    "withdrawals",
    "certificates",
    "moderation_log",
    "review_cards",
    "reminders",
    "learning_days",
    "data_saving",
    "media_days",
    "learner_profiles",
    "pending_replies",
    "web_files",
}


async def table_names(url: str) -> set[str]:
    """The tables the database holds."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def schema_differences(url: str) -> list[Any]:
    """What autogenerate would write to go from the database to the models."""

    def compare(sync: Connection) -> list[Any]:
        context = MigrationContext.configure(sync, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    assert await table_names(database_url) == {*TABLES, "alembic_version"}
    await downgrade_async(database_url, "base")
    assert await table_names(database_url) == {"alembic_version"}
    await migrate_async(database_url)
    assert await table_names(database_url) == {*TABLES, "alembic_version"}


async def test_the_models_match_the_migrated_schema(database_url: str) -> None:
    assert await schema_differences(database_url) == []


def test_migrate_works_from_any_directory(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    migrate("sqlite:///nested/folder/db.sqlite")
    assert (tmp_path / "nested" / "folder" / "db.sqlite").is_file()


def alembic_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The developers' `alembic` command with the repo's alembic.ini, run from elsewhere."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    command = [sys.executable, "-m", "alembic", "-c", str(REPO / "alembic.ini"), *args]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)


def test_the_alembic_command_line_uses_database_url(tmp_path: Path) -> None:
    upgraded = alembic_cli(tmp_path, "upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stderr
    current = alembic_cli(tmp_path, "current")
    assert "0045 (head)" in current.stdout, current.stderr
    offline = alembic_cli(tmp_path, "upgrade", "head", "--sql")
    assert "CREATE TABLE users" in offline.stdout, offline.stderr
