"""The few statements of a turn, as fast as each engine allows.

PostgreSQL runs them as SQLAlchemy Core statements built once. SQLite runs them as plain SQL
on a sqlite3 connection on the event loop's own thread: a statement takes microseconds, while
a thread hop per statement (aiosqlite) cost more than the statements themselves (measured in
bench/: twice the throughput without the hops). Both write exactly what the models' types write
(`UtcDateTime`, JSON through `json_dumps`), so every other query reads these rows unchanged.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import (
    Text,
    bindparam,
    cast,
    exists,
    func,
    insert,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import JSON

from bot.storage.db import json_dumps
from bot.storage.models import (
    address_links,
    learner_profiles,
    lesson_progress,
    pending_replies,
    processed_updates,
    quiz_attempts,
    role_grants,
    users,
)
from bot.storage.sql import PgRunner, as_json, sqlite_time
from dialogs.ports import LessonDone
from dialogs.state import DialogState, Profile

# A role a learner holds, as stored: role and scope (role_grants; bot/storage/admin.py).
GrantRow = tuple[str, str]


class UserRow(NamedTuple):
    """A learner as a turn loads them, with what a turn often asks and would otherwise read
    in a statement of its own (a round trip on PostgreSQL; bench/README.md, issue 21)."""

    id: int
    profile: Profile
    state: DialogState
    # The account the address belongs to: the same id, unless the address is linked to
    # another learner or the phone holds several learner profiles (bot/storage/profiles.py).
    account_id: int
    grants: list[GrantRow]  # the roles the learner holds, sorted
    address: tuple[str, str]  # the learner's own row's channel and id (their xAPI actor)
    # The lessons they completed, oldest first, as JSON text decoded when asked (PostgreSQL;
    # None: not carried, read when asked, as on SQLite where a read costs no round trip).
    lessons: str | None = None


Lesson = tuple[str, str]  # course_id, lesson_id
Quiz = tuple[str, str, float, float]  # course_id, lesson_id, score, max_score


@dataclass(frozen=True)
class KeptReply:
    """A turn's reply as it is kept until sent (bot/storage/replies.py): its route, address,
    JSON payload, the worker whose turn made it, and when."""

    route: str
    channel: str
    external_id: str
    payload: str
    worker: str
    at: datetime


class TurnStatements(Protocol):
    """The statements of one turn, bound to its connection and transaction."""

    async def claim(
        self, channel: str, external_id: str, key: str, now: datetime
    ) -> tuple[bool, UserRow | None]:
        """Record an update key (False when it was there already), then find the learner."""
        ...

    async def find_user(self, channel: str, external_id: str) -> UserRow | None:
        """The learner (locked until the end of the transaction on PostgreSQL)."""
        ...

    async def create_user(self, channel: str, external_id: str, now: datetime) -> int | None:
        """Insert a fresh learner; None when another transaction just did."""
        ...

    async def record(self, uid: int, lessons: list[Lesson], quizzes: list[Quiz]) -> None:
        """Record finished lessons (idempotent) and quiz attempts."""
        ...

    async def save_user(self, uid: int, profile: Profile, state: DialogState) -> None:
        """Write the learner's profile and dialog state, and when we last saw them."""
        ...

    async def save_and_keep(
        self, reply: KeptReply, saving: tuple[int, Profile, DialogState] | None
    ) -> tuple[int, bool]:
        """Save the learner (`saving`: as `save_user`) and keep the turn's reply, in one
        statement on PostgreSQL; the reply's id, and whether older replies of its address
        wait (a crashed worker's: those go first)."""
        ...


def _user_row(row: Sequence[Any]) -> UserRow:
    """A learner from a row in `_USER_COLUMNS` order, then the account, the grants and the
    learner's own address."""
    uid, locale, country, role, level, consented_at, bookmark, step, data, prompt, *more = row
    account, held, channel, external_id, *lessons = more
    profile = Profile(locale, country, role, level, consented_at, bookmark)
    state = DialogState(step, data, prompt)
    done = lessons[0] if lessons else None
    return UserRow(uid, profile, state, account, grant_rows(held), (channel, external_id), done)


def lessons_done_from(carried: str) -> list[LessonDone]:
    """The lessons read with a learner (`UserRow.lessons`: a JSON array of [course, lesson,
    completed_at] in completion order), as `lessons_done` reads them."""
    return [
        LessonDone(str(course), str(lesson), datetime.fromisoformat(at).astimezone(UTC))
        for course, lesson, at in json.loads(carried)
    ]


def grant_rows(held: Any) -> list[GrantRow]:
    """The roles read with a learner (a JSON array of [role, scope] pairs, NULL for none),
    sorted as `grants_of` reads them (bot/storage/admin.py)."""
    if isinstance(held, str | bytes):
        held = json.loads(held)
    return sorted((str(role), str(scope)) for role, scope in held or ())


_USER_COLUMNS = (
    "id, locale, country, role, level, consented_at, bookmark, state_step, state_data, state_prompt"
)
# The places of the JSON columns in a learner's row (decoded by hand off asyncpg).
_BOOKMARK, _DATA = (_USER_COLUMNS.split(", ").index(name) for name in ("bookmark", "state_data"))
# The address's row `a`, and `p` the profile it uses now: the learner it is linked to (one
# learner across channels), else the profile in use on a shared phone, else itself.
_ACTIVE_PROFILE = (
    "FROM users a LEFT JOIN address_links al ON al.account_id = a.id "
    "LEFT JOIN learner_profiles lp ON lp.user_id = a.id "
    "JOIN users p ON p.id = COALESCE(al.learner_id, lp.active_id, a.id) "
    "WHERE a.channel = ? AND a.external_id = ?"
)
# What `save_user` writes.
_SAVED = (
    "locale",
    "country",
    "role",
    "level",
    "consented_at",
    "bookmark",
    "state_step",
    "state_data",
    "state_prompt",
    "last_seen_at",
)
_PROFILE_COLUMNS = ", ".join(f"p.{name}" for name in _USER_COLUMNS.split(", ")) + ", a.id"


class CoreStatements:
    """A turn's statements as SQLAlchemy Core, built once per store (PostgreSQL)."""

    def __init__(self, dialect: str) -> None:
        is_postgres = dialect == "postgresql"
        upsert = postgresql.insert if is_postgres else sqlite.insert
        self.claim = upsert(processed_updates).on_conflict_do_nothing()
        self.create_user = (
            upsert(users)
            .on_conflict_do_nothing(index_elements=[users.c.channel, users.c.external_id])
            .returning(users.c.id)
        )
        account, used = users.alias("a"), users.alias("p")
        profiles, links = learner_profiles.alias("lp"), address_links.alias("al")
        joined = (
            account.outerjoin(links, links.c.account_id == account.c.id)
            .outerjoin(profiles, profiles.c.user_id == account.c.id)
            .join(
                used,
                used.c.id == func.coalesce(links.c.learner_id, profiles.c.active_id, account.c.id),
            )
        )
        columns = [used.c[name] for name in _USER_COLUMNS.split(", ")]
        # The roles the learner holds, read with them (NULL for none; sorted by _user_row).
        held = (
            select(
                func.json_agg(
                    func.json_build_array(role_grants.c.role, role_grants.c.country),
                    type_=JSON,
                )
            )
            .where(role_grants.c.user_id == used.c.id)
            .scalar_subquery()
            .label("grants")
        )
        # PostgreSQL: the lessons they completed, oldest first (the dialog often asks; as
        # text, decoded only then).
        done = lesson_progress.c
        finished = (done.course_id, done.lesson_id, done.completed_at)
        ordered = aggregate_order_by(
            func.json_build_array(*finished), done.completed_at, done.course_id, done.lesson_id
        )
        lessons = (
            select(func.coalesce(cast(func.json_agg(ordered), Text), "[]"))
            .where(done.user_id == used.c.id)
            .scalar_subquery()
            .label("lessons")
        )
        carried = [lessons] if is_postgres else []
        find = (
            select(*columns, account.c.id, held, used.c.channel, used.c.external_id, *carried)
            .select_from(joined)
            .where(
                account.c.channel == bindparam("b_channel"),
                account.c.external_id == bindparam("b_external_id"),
            )
        )
        self.find_user = find.with_for_update(of=[account, used]) if is_postgres else find
        # PostgreSQL: the claim and the learner's row in one round trip (a statement costs
        # the worker more in socket writes than in work: bench/README.md, issue 21). One row
        # always: how many keys the INSERT claimed (0 for a duplicate), then the learner's
        # columns, NULL when they are new. The learner is locked as `find_user` locks it.
        claimed = (
            upsert(processed_updates)
            .values(
                channel=bindparam("b_channel"),
                key=bindparam("b_key"),
                created_at=bindparam("b_now", type_=processed_updates.c.created_at.type),
            )
            .on_conflict_do_nothing()
        )
        claimed_cte = claimed.returning(literal_column("1")).cte("claimed")
        learner = self.find_user.subquery("learner")
        one = select(literal_column("1").label("one")).subquery("one")
        self.claim_and_find = select(
            select(func.count()).select_from(claimed_cte).scalar_subquery().label("claimed"),
            *learner.c,
        ).select_from(one.outerjoin(learner, true()))
        self.save_user = update(users).where(users.c.id == bindparam("uid"))
        # The end of a turn in one round trip on PostgreSQL: the learner saved and the reply
        # kept (two data-modifying CTEs), with the reply's id and whether older replies of the
        # address wait (read in the statement's snapshot: before the INSERT).
        at = bindparam("r_at", type_=pending_replies.c.created_at.type)
        kept = (
            insert(pending_replies)
            .values(
                route=bindparam("r_route"),
                channel=bindparam("r_channel"),
                external_id=bindparam("r_external_id"),
                payload=bindparam("r_payload"),
                created_at=at,
                claimed_by=bindparam("r_worker"),
                claimed_at=at,
                attempts=0,
            )
            .returning(pending_replies.c.id)
            .cte("kept")
        )
        older = exists().where(
            pending_replies.c.channel == bindparam("r_channel"),
            pending_replies.c.external_id == bindparam("r_external_id"),
        )
        self.keep_reply = select(select(kept.c.id).scalar_subquery(), older)
        saved = (
            update(users)
            .where(users.c.id == bindparam("s_uid"))
            .values(
                {users.c[name]: bindparam(f"s_{name}", type_=users.c[name].type) for name in _SAVED}
            )
            .cte("saved")
        )
        self.save_and_keep = self.keep_reply.add_cte(saved)
        self.complete_lesson = upsert(lesson_progress).on_conflict_do_nothing()
        self.record_quiz = insert(quiz_attempts)

    def bind(self, conn: AsyncConnection, straight: PgRunner | None = None) -> CoreTurnStatements:
        """These statements on one turn's connection; through `straight` (a PgRunner on
        asyncpg's connection under it) where the turn allows it: bot/storage/sql.py."""
        return CoreTurnStatements(self, conn, straight)


class CoreTurnStatements:
    """TurnStatements over an SQLAlchemy connection, or straight on asyncpg's under it."""

    def __init__(
        self, sql: CoreStatements, conn: AsyncConnection, straight: PgRunner | None = None
    ) -> None:
        self._sql = sql
        self._conn = conn
        self._raw = straight

    async def _one(self, statement: Any, params: dict[str, Any]) -> Sequence[Any] | None:
        """The first row of a statement, None when it has none; straight on asyncpg when the
        turn's connection allows it."""
        if self._raw is not None:
            rows = await self._raw.run(statement, **params)
            return rows[0] if rows else None
        return (await self._conn.execute(statement, params)).first()

    async def claim(
        self, channel: str, external_id: str, key: str, now: datetime
    ) -> tuple[bool, UserRow | None]:
        """Record an update key (False when it was there already), then find the learner."""
        params = {"b_channel": channel, "b_key": key, "b_now": now, "b_external_id": external_id}
        row = await self._one(self._sql.claim_and_find, params)
        assert row is not None  # one row always: the count, then the learner or NULLs
        if row[0] != 1:
            return False, None
        return True, None if row[1] is None else self._user(row[1:])

    async def find_user(self, channel: str, external_id: str) -> UserRow | None:
        """The learner, locked with SELECT ... FOR UPDATE on PostgreSQL."""
        who = {"b_channel": channel, "b_external_id": external_id}
        row = await self._one(self._sql.find_user, who)
        return None if row is None else self._user(row)

    def _user(self, row: Sequence[Any]) -> UserRow:
        """A learner's row; straight from asyncpg, its JSON columns (the bookmark and the
        dialog's state) come as text, which SQLAlchemy's column types would have decoded."""
        if self._raw is None:
            return _user_row(row)
        values = list(row)
        for at in (_BOOKMARK, _DATA):
            values[at] = as_json(values[at])
        return _user_row(values)

    async def create_user(self, channel: str, external_id: str, now: datetime) -> int | None:
        """Insert a fresh learner; None when another transaction just did."""
        state = DialogState()
        params = {
            "channel": channel,
            "external_id": external_id,
            "state_step": state.step,
            "state_data": state.data,
            "state_prompt": state.prompt,
            "created_at": now,
            "last_seen_at": now,
        }
        # through SQLAlchemy: the statement names its columns from the parameters given
        new_id = (await self._conn.execute(self._sql.create_user, params)).scalar()
        return None if new_id is None else int(new_id)

    async def record(self, uid: int, lessons: list[Lesson], quizzes: list[Quiz]) -> None:
        """Record finished lessons (idempotent) and quiz attempts."""
        now = datetime.now(UTC)
        if lessons:
            rows = [_lesson(uid, lesson, now) for lesson in lessons]
            await self._conn.execute(self._sql.complete_lesson, rows)
        if quizzes:
            await self._conn.execute(self._sql.record_quiz, [_quiz(uid, q, now) for q in quizzes])

    async def save_user(self, uid: int, profile: Profile, state: DialogState) -> None:
        """Write the learner's profile and dialog state, and when we last saw them."""
        params = {
            "uid": uid,
            "locale": profile.locale,
            "country": profile.country,
            "role": profile.role,
            "level": profile.level,
            "consented_at": profile.consented_at,
            "bookmark": profile.bookmark,
            "state_step": state.step,
            "state_data": state.data,
            "state_prompt": state.prompt,
            "last_seen_at": datetime.now(UTC),
        }
        await self._conn.execute(self._sql.save_user, params)  # named from the parameters

    async def save_and_keep(
        self, reply: KeptReply, saving: tuple[int, Profile, DialogState] | None
    ) -> tuple[int, bool]:
        """Save the learner and keep the reply in one statement (one round trip)."""
        params: dict[str, Any] = {
            "r_route": reply.route,
            "r_channel": reply.channel,
            "r_external_id": reply.external_id,
            "r_payload": reply.payload,
            "r_worker": reply.worker,
            "r_at": reply.at,
        }
        statement = self._sql.keep_reply
        if saving is not None:
            uid, profile, state = saving
            statement = self._sql.save_and_keep
            params.update(
                s_uid=uid,
                s_locale=profile.locale,
                s_country=profile.country,
                s_role=profile.role,
                s_level=profile.level,
                s_consented_at=profile.consented_at,
                s_bookmark=profile.bookmark,
                s_state_step=state.step,
                s_state_data=state.data,
                s_state_prompt=state.prompt,
                s_last_seen_at=datetime.now(UTC),
            )
        row = await self._one(statement, params)
        assert row is not None  # one row always: the reply's id and whether older ones wait
        return int(row[0]), bool(row[1])


def _lesson(uid: int, lesson: Lesson, now: datetime) -> dict[str, Any]:
    """Parameters of a lesson_progress row."""
    return {"user_id": uid, "course_id": lesson[0], "lesson_id": lesson[1], "completed_at": now}


def _quiz(uid: int, quiz: Quiz, now: datetime) -> dict[str, Any]:
    """Parameters of a quiz_attempts row."""
    course_id, lesson_id, score, max_score = quiz
    return {
        "user_id": uid,
        "course_id": course_id,
        "lesson_id": lesson_id,
        "score": score,
        "max_score": max_score,
        "finished_at": now,
    }


# SQL text: the SQLite turn (below): the roles of the learner `p`, a JSON array of pairs.
_SQLITE_GRANTS = (
    "(SELECT json_group_array(json_array(g.role, g.country)) FROM role_grants g "
    "WHERE g.user_id = p.id)"
)
# SQL text: the SQLite turn's statements, the same as CoreStatements' but positional (`?`)
# and run straight on the loop thread's sqlite3 connection, the hottest path there is.
# Claims the key and reads the learner in one statement, hence one thread hop: no row back
# means a duplicate, a row holding NULL a learner we do not know yet. The INSERT takes the
# write lock first, so the read cannot be overtaken by another connection's write.
_SQLITE_CLAIM = (
    'INSERT INTO processed_updates (channel, "key", created_at) VALUES (?, ?, ?) '
    "ON CONFLICT DO NOTHING RETURNING ("
    "SELECT json_array(p.id, p.locale, p.country, p.role, p.level, p.consented_at, "
    "json(p.bookmark), p.state_step, json(p.state_data), p.state_prompt, a.id, "
    f"json({_SQLITE_GRANTS}), p.channel, p.external_id) {_ACTIVE_PROFILE})"
)
# SQL text: the SQLite turn (above)
_SQLITE_FIND_USER = (
    f"SELECT {_PROFILE_COLUMNS}, {_SQLITE_GRANTS}, p.channel, p.external_id {_ACTIVE_PROFILE}"
)
# SQL text: the SQLite turn (above)
_SQLITE_CREATE_USER = (
    "INSERT INTO users (channel, external_id, state_step, state_data, state_prompt, "
    "created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (channel, external_id) DO NOTHING RETURNING id"
)
# SQL text: the SQLite turn (above)
_SQLITE_SAVE_USER = (
    "UPDATE users SET locale = ?, country = ?, role = ?, level = ?, consented_at = ?, "
    "bookmark = ?, state_step = ?, state_data = ?, state_prompt = ?, last_seen_at = ? "
    "WHERE id = ?"
)
# SQL text: the SQLite turn (above)
_SQLITE_COMPLETE_LESSON = (
    "INSERT INTO lesson_progress (user_id, course_id, lesson_id, completed_at) "
    "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
# SQL text: the SQLite turn (above)
_SQLITE_RECORD_QUIZ = (
    "INSERT INTO quiz_attempts (user_id, course_id, lesson_id, score, max_score, finished_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)

# SQL text: the SQLite turn (above)
_SQLITE_OLDER_REPLIES = (
    "SELECT 1 FROM pending_replies WHERE channel = ? AND external_id = ? LIMIT 1"
)
# SQL text: the SQLite turn (above)
_SQLITE_KEEP_REPLY = (
    "INSERT INTO pending_replies"
    " (route, channel, external_id, payload, created_at, claimed_by, claimed_at, attempts)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, 0) RETURNING id"
)


def _sqlite_user(row: list[Any]) -> UserRow:
    """A learner from `_USER_COLUMNS` values whose JSON is decoded but datetime is not."""
    consented_at = row[5]
    if consented_at is not None:
        row[5] = datetime.fromisoformat(consented_at).replace(tzinfo=UTC)
    return _user_row(row)


class SqliteTurnStatements:
    """TurnStatements as plain SQL on the loop thread's sqlite3 connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    async def claim(
        self, channel: str, external_id: str, key: str, now: datetime
    ) -> tuple[bool, UserRow | None]:
        """Record an update key (False when it was there already) and find the learner."""
        params = (channel, key, sqlite_time(now), channel, external_id)
        rows = self._db.execute(_SQLITE_CLAIM, params).fetchall()
        if not rows:
            return False, None
        found = rows[0][0]
        return True, None if found is None else _sqlite_user(json.loads(found))

    async def find_user(self, channel: str, external_id: str) -> UserRow | None:
        """The learner (an earlier write of this turn already holds SQLite's write lock)."""
        rows = self._db.execute(_SQLITE_FIND_USER, (channel, external_id)).fetchall()
        if not rows:
            return None
        *columns, bookmark, step, data, prompt, account, held, channel, external_id = rows[0]
        loaded_bookmark = None if bookmark is None else json.loads(bookmark)
        loaded = [*columns, loaded_bookmark, step, json.loads(data), prompt, account, held]
        loaded += [channel, external_id]
        return _sqlite_user(loaded)

    async def create_user(self, channel: str, external_id: str, now: datetime) -> int | None:
        """Insert a fresh learner; None when they exist already."""
        state, at = DialogState(), sqlite_time(now)
        params = (channel, external_id, state.step, json_dumps(state.data), state.prompt, at, at)
        rows = self._db.execute(_SQLITE_CREATE_USER, params).fetchall()
        return int(rows[0][0]) if rows else None

    async def record(self, uid: int, lessons: list[Lesson], quizzes: list[Quiz]) -> None:
        """Record finished lessons (idempotent) and quiz attempts."""
        now = sqlite_time(datetime.now(UTC))
        if lessons:
            rows = [(uid, course, lesson, now) for course, lesson in lessons]
            self._db.executemany(_SQLITE_COMPLETE_LESSON, rows)
        if quizzes:
            attempts = [(uid, *quiz, now) for quiz in quizzes]
            self._db.executemany(_SQLITE_RECORD_QUIZ, attempts)

    async def save_user(self, uid: int, profile: Profile, state: DialogState) -> None:
        """Write the learner's profile and dialog state, and when we last saw them."""
        bookmark = None if profile.bookmark is None else json_dumps(profile.bookmark)
        params = (
            *(profile.locale, profile.country, profile.role, profile.level),
            sqlite_time(profile.consented_at),
            bookmark,
            *(state.step, json_dumps(state.data), state.prompt),
            sqlite_time(datetime.now(UTC)),
            uid,
        )
        self._db.execute(_SQLITE_SAVE_USER, params)

    async def save_and_keep(
        self, reply: KeptReply, saving: tuple[int, Profile, DialogState] | None
    ) -> tuple[int, bool]:
        """Save the learner and keep the reply (in the process: three statements cost
        nothing)."""
        if saving is not None:
            await self.save_user(*saving)
        address = (reply.channel, reply.external_id)
        older = self._db.execute(_SQLITE_OLDER_REPLIES, address).fetchone() is not None
        at = sqlite_time(reply.at)
        values = (reply.route, *address, reply.payload, at, reply.worker, at)
        rows = self._db.execute(_SQLITE_KEEP_REPLY, values).fetchall()
        return int(rows[0][0]), older
