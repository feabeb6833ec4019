"""What a learner has done (lessons, quizzes), and the export of everything stored about them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.storage.models import lesson_progress, quiz_attempts, telegram_polls, users
from dialogs.ports import LessonDone, QuizScore


class SqlLearnerRecords:
    """LearnerRecords (dialogs/ports.py) for one learner, on one connection."""

    def __init__(self, conn: AsyncConnection, user_id: int) -> None:
        self._conn = conn
        self._user_id = user_id

    async def lessons_done(self) -> list[LessonDone]:
        """Every lesson this learner completed, oldest first."""
        lp = lesson_progress.c
        query = (
            select(lp.course_id, lp.lesson_id, lp.completed_at)
            .where(lp.user_id == self._user_id)
            .order_by(lp.completed_at, lp.course_id, lp.lesson_id)
        )
        rows = await self._conn.execute(query)
        return [LessonDone(course, lesson, at) for course, lesson, at in rows]

    async def quiz_scores(self) -> list[QuizScore]:
        """Best score per quiz (course, lesson), in the order they were last taken."""
        qa = quiz_attempts.c
        last_at = func.max(qa.finished_at)
        query = (
            select(qa.course_id, qa.lesson_id, func.max(qa.score), func.max(qa.max_score))
            .add_columns(func.count(), last_at)
            .where(qa.user_id == self._user_id)
            .group_by(qa.course_id, qa.lesson_id)
            .order_by(last_at, qa.course_id, qa.lesson_id)
        )
        rows = await self._conn.execute(query)
        return [QuizScore(c, lesson, best, top, n, at) for c, lesson, best, top, n, at in rows]

    async def export(self) -> dict[str, Any]:
        """Everything stored about this learner, as JSON-ready data."""
        return await export_learner(self._conn, users.c.id == self._user_id) or {}


async def export_learner(
    conn: AsyncConnection, which: ColumnElement[bool]
) -> dict[str, Any] | None:
    """Everything stored about the learner `which` selects; None when there is none."""
    row = (await conn.execute(select(users).where(which))).mappings().first()
    if row is None:
        return None
    uid = row["id"]
    return {
        "user": {
            "channel": row["channel"],
            "external_id": row["external_id"],
            "created_at": _iso(row["created_at"]),
            "last_seen_at": _iso(row["last_seen_at"]),
        },
        "profile": {
            "locale": row["locale"],
            "country": row["country"],
            "role": row["role"],
            "level": row["level"],
            "consented_at": _iso(row["consented_at"]),
            "bookmark": row["bookmark"],
        },
        "state": {
            "step": row["state_step"],
            "data": row["state_data"],
            "prompt": row["state_prompt"],
        },
        "lessons_done": await _rows(conn, lesson_progress, uid, "completed_at"),
        "quiz_attempts": await _rows(conn, quiz_attempts, uid, "finished_at", "id"),
        "telegram_polls": await _rows(conn, telegram_polls, uid, "created_at"),
    }


async def _rows(conn: AsyncConnection, table: Table, uid: int, *order: str) -> list[dict[str, Any]]:
    """One learner's rows of `table`, without the internal user id, dates in ISO 8601."""
    columns = [c for c in table.c if c.name not in ("user_id", "id")]
    query = select(*columns).where(table.c.user_id == uid).order_by(*(table.c[o] for o in order))
    rows = (await conn.execute(query)).mappings()
    return [{key: _iso(value) for key, value in row.items()} for row in rows]


def _iso(value: Any) -> Any:
    """Datetimes as ISO 8601 strings; anything else unchanged."""
    return value.isoformat() if isinstance(value, datetime) else value
