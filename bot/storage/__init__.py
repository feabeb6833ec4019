"""Storage: SQLAlchemy models, the per-update store, Alembic migrations (SQLite or PostgreSQL)."""

from bot.storage.db import (
    DEFAULT_URL,
    create_engine,
    downgrade_async,
    migrate,
    migrate_async,
    normalize_url,
    ping,
)
from bot.storage.pseudonym import pseudonym
from bot.storage.records import SqlLearnerRecords
from bot.storage.store import SqlStore, SqlTurn

__all__ = [
    "DEFAULT_URL",
    "SqlLearnerRecords",
    "SqlStore",
    "SqlTurn",
    "create_engine",
    "downgrade_async",
    "migrate",
    "migrate_async",
    "normalize_url",
    "ping",
    "pseudonym",
]
