"""What a learner has done (lessons, quizzes), and the export of everything stored about them."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from bot.storage.models import (
    Base,
    channel_contacts,
    data_saving,
    essay_answers,
    learner_profiles,
    lesson_progress,
    media_days,
    pending_messages,
    question_answers,
    quiz_attempts,
    sent_messages,
    sms_contacts,
    telegram_polls,
    users,
    web_files,
    web_inbox,
)
from bot.storage.sql import PgRunner, SqliteRunner, utc
from dialogs.ports import LessonDone, QuizScore

_lp = lesson_progress.c
_LESSONS_DONE = (
    select(_lp.course_id, _lp.lesson_id, _lp.completed_at)
    .where(_lp.user_id == bindparam("uid"))
    .order_by(_lp.completed_at, _lp.course_id, _lp.lesson_id)
)
_qa = quiz_attempts.c
_LAST_AT = func.max(_qa.finished_at)
_QUIZ_SCORES = (
    select(_qa.course_id, _qa.lesson_id, func.max(_qa.score), func.max(_qa.max_score))
    .add_columns(func.count(), _LAST_AT)
    .where(_qa.user_id == bindparam("uid"))
    .group_by(_qa.course_id, _qa.lesson_id)
    .order_by(_LAST_AT, _qa.course_id, _qa.lesson_id)
)


def lessons_done_of(conn: Connection, user_id: int) -> list[LessonDone]:
    """Every lesson a learner completed, oldest first."""
    rows = conn.execute(_LESSONS_DONE, {"uid": user_id})
    return [LessonDone(course, lesson, at) for course, lesson, at in rows]


def quiz_scores_of(conn: Connection, user_id: int) -> list[QuizScore]:
    """Best score per quiz (course, lesson), in the order they were last taken."""
    rows = conn.execute(_QUIZ_SCORES, {"uid": user_id})
    return [QuizScore(c, lesson, best, top, n, at) for c, lesson, best, top, n, at in rows]


class SqlLearnerRecords:
    """LearnerRecords (dialogs/ports.py) for one learner, on one async connection."""

    def __init__(
        self, conn: AsyncConnection, user_id: int, straight: PgRunner | None = None
    ) -> None:
        self._conn = conn
        self._user_id = user_id
        self._raw = straight  # in a learner's turn: on asyncpg's connection (bot/storage/sql.py)

    async def lessons_done(self) -> list[LessonDone]:
        """Every lesson this learner completed, oldest first."""
        if self._raw is not None:
            rows = await self._raw.run(_LESSONS_DONE, uid=self._user_id)
            return [LessonDone(course, lesson, _aware(at)) for course, lesson, at in rows]
        return await self._conn.run_sync(lessons_done_of, self._user_id)

    async def quiz_scores(self) -> list[QuizScore]:
        """Best score per quiz (course, lesson), in the order they were last taken."""
        if self._raw is not None:
            rows = await self._raw.run(_QUIZ_SCORES, uid=self._user_id)
            return [QuizScore(c, le, b, t, n, _aware(at)) for c, le, b, t, n, at in rows]
        return await self._conn.run_sync(quiz_scores_of, self._user_id)

    async def export(self) -> dict[str, Any]:
        """Everything stored about this learner, as JSON-ready data."""
        return await self._conn.run_sync(export_learner, users.c.id == self._user_id) or {}


class SqliteLearnerRecords:
    """LearnerRecords inside a SQLite turn: the same statements on the turn's own connection
    (times come back as text)."""

    def __init__(self, db: sqlite3.Connection, engine: AsyncEngine, user_id: int) -> None:
        self._db = db
        self._engine = engine
        self._user_id = user_id

    async def lessons_done(self) -> list[LessonDone]:
        """Every lesson this learner completed, oldest first."""
        rows = await SqliteRunner(self._db).run(_LESSONS_DONE, uid=self._user_id)
        return [LessonDone(course, lesson, _utc(at)) for course, lesson, at in rows]

    async def quiz_scores(self) -> list[QuizScore]:
        """Best score per quiz (course, lesson), in the order they were last taken."""
        rows = await SqliteRunner(self._db).run(_QUIZ_SCORES, uid=self._user_id)
        return [QuizScore(c, le, best, top, n, _utc(at)) for c, le, best, top, n, at in rows]

    async def export(self) -> dict[str, Any]:
        """Everything committed about this learner, read on a second (WAL reader) connection."""
        async with self._engine.connect() as conn:
            return await conn.run_sync(export_learner, users.c.id == self._user_id) or {}


def _aware(value: datetime) -> datetime:
    """A time from asyncpg as SQLAlchemy's UtcDateTime hands it back: aware, in UTC."""
    found = utc(value)
    assert found is not None  # the columns read are NOT NULL
    return found


def _utc(value: str) -> datetime:
    """A datetime as SQLite stores it (UTC text) back to an aware datetime."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def export_learner(conn: Connection, which: ColumnElement[bool]) -> dict[str, Any] | None:
    """Everything stored about the learner `which` selects; None when there is none."""
    row = conn.execute(select(users).where(which)).mappings().first()
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
        "lessons_done": _rows(conn, lesson_progress, uid, "completed_at"),
        "quiz_attempts": _rows(conn, quiz_attempts, uid, "finished_at", "id"),
        "telegram_polls": _rows(conn, telegram_polls, uid, "created_at"),
        "channel_contact": _rows(conn, channel_contacts, uid, "last_inbound_at"),
        "sent_messages": _rows(conn, sent_messages, uid, "sent_at"),
        "sms_contact": _rows(conn, sms_contacts, uid, "day"),  # STOP, today's SMS count
        "held_messages": _rows(conn, pending_messages, uid, "created_at"),
        "web_inbox": _rows(conn, web_inbox, uid, "id"),
        "web_files": _web_files(conn, uid),
        "essays": _rows(conn, essay_answers, uid, "submitted_at"),
        "answers": _rows(conn, question_answers, uid, "answered_at", "id"),
        "reminder": _rows(conn, Base.metadata.tables["reminders"], uid, "user_id"),
        "learning_days": _rows(conn, Base.metadata.tables["learning_days"], uid, "day"),
        "light_data": _rows(conn, data_saving, uid, "updated_at"),
        # "write to me by SMS" (bot/fallbacks.py): when said, and when it happened
        "phone_fallback": [
            {k: v for k, v in row.items() if k != "fallback_id"}
            for row in _rows(conn, Base.metadata.tables["phone_fallbacks"], uid, "opted_at")
        ],
        "media_days": _rows(conn, media_days, uid, "day"),
        "skills": _rows(conn, Base.metadata.tables["skill_mastery"], uid, "skill"),
        "placed_out": _rows(
            conn, Base.metadata.tables["placed_out"], uid, "course_id", "lesson_id"
        ),
        "skill_struggles": _rows(
            conn, Base.metadata.tables["skill_struggles"], uid, "course_id", "skill"
        ),
        "sex": _rows(conn, Base.metadata.tables["learner_sex"], uid, "user_id"),
        "family": _family(conn, uid),
        "group_work": _group_work(conn, uid),
        "learning_records": _statements(conn, uid),
        "shared_phone": _shared_phone(conn, uid),
        "translations": _translations(conn, uid),
        "course_translations": _course_translations(conn, uid),
    }


def _web_files(conn: Connection, uid: int) -> list[dict[str, Any]]:
    """The files kept for the web chat, sent by the learner or to them: their names, types,
    sizes and dates (the bytes themselves open from the chat until they expire)."""
    c = web_files.c
    query = (
        select(c.filename, c.mime, c.size, c.created_at, c.expires_at)
        .where(c.user_id == uid)
        .order_by(c.created_at, c.id)
    )
    rows = conn.execute(query).mappings()
    return [{key: _iso(value) for key, value in row.items()} for row in rows]


def _shared_phone(conn: Connection, uid: int) -> dict[str, Any] | None:
    """A profile of a shared phone: its first name and whether it has a PIN (never the PIN
    nor its hash); the main profile also gets the first names of the phone's profiles."""
    lp = learner_profiles.c
    row = conn.execute(select(learner_profiles).where(lp.user_id == uid)).mappings().first()
    if row is None:
        return None
    found: dict[str, Any] = {
        "first_name": row["first_name"],
        "main_profile": row["account_id"] == uid,
        "pin": "set" if row["pin_hash"] else None,
        "wrong_pins": row["pin_failures"],
        "locked_until": _iso(row["locked_until"]),
        "created_at": _iso(row["created_at"]),
    }
    if row["account_id"] == uid:
        names = select(lp.first_name).where(lp.account_id == uid).order_by(lp.user_id)
        found["profiles_of_this_phone"] = list(conn.execute(names).scalars())
    return found


def _course_translations(conn: Connection, uid: int) -> list[dict[str, Any]]:
    """The texts of courses the person translated or reviewed in the chat."""
    table = Base.metadata.tables["course_translations"]
    mine = (table.c.author_id == uid) | (table.c.reviewer_id == uid)
    columns = ["course_id", "lang", "key", "text", "status", "created_at", "reviewed_at"]
    query = select(table.c.author_id, *(table.c[name] for name in columns))
    found = []
    for row in conn.execute(query.where(mine).order_by(table.c.id)).mappings():
        item = {key: _iso(row[key]) for key in columns}
        item["as"] = "author" if row["author_id"] == uid else "reviewer"
        found.append(item)
    return found


def _translations(conn: Connection, uid: int) -> list[dict[str, Any]]:
    """The interface translations the person proposed or reviewed (a translator)."""
    table = Base.metadata.tables["translations"]
    mine = (table.c.author_id == uid) | (table.c.reviewer_id == uid)
    columns = ["lang", "msgid", "msgid_plural", "forms", "status", "created_at", "reviewed_at"]
    query = select(table.c.author_id, *(table.c[name] for name in columns))
    found = []
    for row in conn.execute(query.where(mine).order_by(table.c.id)).mappings():
        item = {key: _iso(row[key]) for key in columns}
        item["as"] = "author" if row["author_id"] == uid else "reviewer"
        found.append(item)
    return found


def _family(conn: Connection, uid: int) -> dict[str, list[dict[str, Any]]]:
    """The person's guardians and invitations (as a learner), and the learners whose weekly
    summaries they receive (as a guardian): names and dates, never the other's identity."""
    g = Base.metadata.tables["guardians"].c
    shown = (
        g.learner_name,
        g.code,
        g.created_at,
        g.accepted_at,
        g.next_summary_at,
        g.absence_told_at,
    )
    found: dict[str, list[dict[str, Any]]] = {}
    for key, column in (("guardians", g.learner_id), ("following", g.guardian_id)):
        rows = conn.execute(select(*shown).where(column == uid).order_by(g.id)).mappings()
        found[key] = [{k: _iso(v) for k, v in row.items()} for row in rows]
    return found


def _group_work(conn: Connection, uid: int) -> list[dict[str, Any]]:
    """Work a teacher gave to one group of a class the learner was in: what and for which
    group (the skill and level, in the codes the class's groups page uses)."""
    s = Base.metadata.tables["assignment_students"].c
    a = Base.metadata.tables["assignments"].c
    query = (
        select(a.course_id, a.lesson_id, a.skill, a.skill_level, a.deadline, a.created_at)
        .join_from(
            Base.metadata.tables["assignment_students"],
            Base.metadata.tables["assignments"],
            s.assignment_id == a.id,
        )
        .where(s.user_id == uid)
        .order_by(a.id)
    )
    return [{k: _iso(v) for k, v in row.items()} for row in conn.execute(query).mappings()]


def _statements(conn: Connection, uid: int) -> list[dict[str, Any]]:
    """Their learning records as xAPI statements (docs/xapi.md), and whether the LRS has
    each one."""
    table = Base.metadata.tables["xapi_statements"]
    query = select(table.c.statement, table.c.sent_at, table.c.refused)
    rows = conn.execute(query.where(table.c.user_id == uid).order_by(table.c.id))
    return [
        {"statement": json.loads(body), "sent_at": _iso(sent), "refused": refused}
        for body, sent, refused in rows
    ]


def _rows(conn: Connection, table: Table, uid: int, *order: str) -> list[dict[str, Any]]:
    """One learner's rows of `table`, without internal ids (theirs, or another person's who
    wrote a held message), dates in ISO 8601."""
    internal = ("user_id", "id", "author_id", "circle_message_id", "broadcast_id")
    columns = [c for c in table.c if c.name not in internal]
    query = select(*columns).where(table.c.user_id == uid).order_by(*(table.c[o] for o in order))
    rows = conn.execute(query).mappings()
    return [{key: _iso(value) for key, value in row.items()} for row in rows]


def _iso(value: Any) -> Any:
    """Dates and datetimes as ISO 8601 strings; anything else unchanged."""
    return value.isoformat() if isinstance(value, date) else value
