"""SqlStore: one transaction per incoming update (idempotency claim, learner row, effects).

One learner's updates are handled one at a time and in order: a lock per learner inside the
process, and on PostgreSQL the learner's row locked (SELECT ... FOR UPDATE) for the whole turn
across workers. `hold()` extends that to the reply sent after the commit: on PostgreSQL an
advisory lock held by the turn's own connection (bot/storage/locks.py), so several workers,
on one machine or several, keep each learner's replies in order.

SQLite (the embedded default, one process) runs a turn's statements on a plain sqlite3
connection on the event loop's thread, inside BEGIN IMMEDIATE ... COMMIT, one turn at a time
per database file: no thread hop at all, and the write lock is taken before anything is read.
Exports read on a second connection (a WAL reader), so they never wait for a turn.
A turn on PostgreSQL costs 4 round trips besides the dialog's own reads and writes: the
learner's advisory lock with BEGIN (one message), the claim with the learner's row read and
locked (one statement), the save with the reply kept (one statement, bot/storage/replies.py),
COMMIT; and one after its send: the sent reply forgotten with the lock's release.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, assert_never

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    delete,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from bot.channels import having
from bot.storage.address_links import SqlLinkDesk
from bot.storage.admin import SqlAdminDesk, grants_from, keep_essay
from bot.storage.answers import keep_answers
from bot.storage.authored_files import default_root
from bot.storage.authoring_desk import SqlAuthoringDesk
from bot.storage.certificates import SqlCertificateDesk
from bot.storage.circle_groups import GROUP_ROLE, SqlGroupDesk
from bot.storage.circles import SqlCircleDesk
from bot.storage.course_translations import SqlCourseTranslationDesk
from bot.storage.creathon import SqlCreathonDesk
from bot.storage.db import open_sqlite
from bot.storage.erasure import forget_person
from bot.storage.events import SqlEventDesk, SqlThreadDesk
from bot.storage.families import SqlFamilyDesk
from bot.storage.light_data import DEFAULT_BUDGET_KB, SqlDataSaver
from bot.storage.locks import KeyedLocks, advisory_key, held_connection, hold_in_database
from bot.storage.mastery import SqlMasteryDesk, observe_answers
from bot.storage.models import (
    address_links,
    circle_members,
    learner_profiles,
    telegram_polls,
    users,
)
from bot.storage.moderation import Rules, SqlModerationDesk, load_words
from bot.storage.profiles import ERASE_ADDRESS_DEAD_LETTERS, SqlProfileDesk, erase_profile
from bot.storage.records import SqliteLearnerRecords, SqlLearnerRecords, export_learner
from bot.storage.reminders import SqlReminderDesk
from bot.storage.reports import SqlReportDesk
from bot.storage.review import SqlReviewDesk, answers_reads, schedule_answers
from bot.storage.sharing import SqlShelf
from bot.storage.sql import (
    ByDialect,
    PgRunner,
    Row,
    Runner,
    SqliteRunner,
    Statement,
    for_sqlite,
    sqlite_params,
)
from bot.storage.statements import (
    CoreStatements,
    KeptReply,
    Lesson,
    Quiz,
    SqliteTurnStatements,
    TurnStatements,
    UserRow,
    lessons_done_from,
)
from bot.storage.teaching import SqlTeachingDesk
from bot.storage.translations import SqlTranslationDesk
from bot.storage.xapi import Journal, Vocabulary, journal_answers
from dialogs.events import UserRef
from dialogs.ports import (
    CompleteLesson,
    Effect,
    EraseLearner,
    LearnerRecords,
    LessonDone,
    LibraryChanged,
    QuizScore,
    RecordAnswer,
    RecordQuiz,
    SubmitEssay,
)
from dialogs.reminding import QuietHours
from dialogs.roles import Grant
from dialogs.state import DialogState, Profile


class _NothingToKeep(Exception):
    """Raised to roll back a turn that stored nothing worth keeping."""


class SqlTurn:
    """One update's hold on one learner: what is stored, and the writes to make on leaving."""

    __slots__ = (
        "_address",
        "_admin",
        "_effects",
        "_grants",
        "_journal",
        "_lessons",
        "_make_records",
        "_profiles",
        "_reading",
        "_records",
        "_reply",
        "_reports",
        "_saved",
        "_statements",
        "_teaching",
        "account_id",
        "authored_dir",
        "drop_if_unchanged",
        "follow_up",
        "is_new",
        "kept",
        "kept_reply",
        "media_budget_kb",
        "moderation_rules",
        "now",
        "profile",
        "quiet_hours",
        "runner",
        "state",
        "user",
        "user_id",
        "xapi",
    )

    def __init__(
        self,
        records: Callable[[int], LearnerRecords],
        statements: TurnStatements,
        user: UserRef,
        loaded: UserRow,
        *,
        is_new: bool,
        runner: Runner,
    ) -> None:
        self.runner = runner
        self.authored_dir: Path | None = None  # where teachers' course files are written
        self.moderation_rules = Rules()  # the circles' filter (the store's, set on opening)
        self.quiet_hours = QuietHours()  # when no reminder goes (the store's, set on opening)
        self.media_budget_kb = DEFAULT_BUDGET_KB  # light data's daily budget (the store's)
        self.xapi = Vocabulary()  # the learning records' identifiers (the store's)
        self.now: datetime | None = None  # the turn's clock (Conversations.clock); None: real
        self._admin: SqlAdminDesk | None = None
        self._teaching: SqlTeachingDesk | None = None
        self._reports: SqlReportDesk | None = None
        self._make_records = records
        self._statements = statements
        self.user = user
        self.user_id, self.profile, self.state, self.account_id = loaded[:4]
        # The roles read in this turn, by person: the learner's came with their row.
        self._grants: dict[int, list[Grant]] = {self.user_id: grants_from(loaded.grants)}
        self._address = loaded.address  # the learner's own row's (their xAPI actor)
        self._lessons = loaded.lessons  # the lessons they completed, when carried
        self.is_new = is_new
        self.kept = True  # False: a newcomer's turn that changed nothing, rolled back
        self.drop_if_unchanged = False  # the caller's: roll such a turn back (`changes_nothing`)
        # Another profile of the phone is in use after this turn: show its prompt next.
        self.follow_up = False
        self._profiles: SqlProfileDesk | None = None
        self._records: LearnerRecords | None = None
        self._journal: Journal | None = None
        self._saved: tuple[Profile, DialogState] | None = None
        self._effects: list[Effect] = []
        self._reading = _lesson_of(self.profile, 0)  # before the dialog moves the bookmark
        self._reply: KeptReply | None = None
        # The kept reply's id, and whether older replies of the address wait (set on leaving).
        self.kept_reply: tuple[int, bool] | None = None

    @property
    def records(self) -> LearnerRecords:
        """This learner's progress, read inside this turn's transaction."""
        if self._records is None:
            self._records = self._make_records(self.user_id)
            if self._lessons is not None:  # read with the learner (PostgreSQL)
                self._records = _CarriedRecords(self._records, self._lessons)
        return self._records

    @property
    def journal(self) -> Journal:
        """This learner's learning records as xAPI statements, inside this turn: one journal
        per turn and learner, so their pseudonymous actor is read once."""
        if self._journal is None or self._journal.user_id != self.user_id:
            self._journal = Journal(self.runner, self.user_id, self.xapi, address=self._address)
        return self._journal

    @property
    def admin(self) -> SqlAdminDesk:
        """Roles, announcements and broadcasts, inside this turn's transaction."""
        if self._admin is None:
            self._admin = SqlAdminDesk(self.runner, self.user_id, known=self._grants)
        return self._admin

    @property
    def authoring(self) -> SqlAuthoringDesk:
        """The current teacher's courses, inside this turn's transaction."""
        return SqlAuthoringDesk(self.runner, self.user_id, root=self.authored_dir)

    @property
    def shelf(self) -> SqlShelf:
        """The shared library of teachers' courses, inside this turn's transaction."""
        return SqlShelf(self.runner, self.user_id)

    @property
    def creathon(self) -> SqlCreathonDesk:
        """The Creathon's contests, submissions and reviews, inside this turn's transaction."""
        return SqlCreathonDesk(self.runner, self.user_id)

    @property
    def circles(self) -> SqlCircleDesk:
        """Teachers' circles and colleague requests, inside this turn's transaction."""
        return SqlCircleDesk(self.runner, self.user_id, self.now)

    @property
    def groups(self) -> SqlGroupDesk:
        """A Telegram group linked to a circle (this turn's person is the group)."""
        return SqlGroupDesk(self.runner, self.user_id, self.circles)

    @property
    def events(self) -> SqlEventDesk:
        """The events of circles, inside this turn's transaction."""
        return SqlEventDesk(self.runner, self.user_id)

    @property
    def threads(self) -> SqlThreadDesk:
        """The discussion threads of shared courses, inside this turn's transaction."""
        return SqlThreadDesk(self.runner, self.user_id)

    @property
    def certificates(self) -> SqlCertificateDesk:
        """The learner's certificates, inside this turn's transaction."""
        return SqlCertificateDesk(self.runner, self.user_id, self.journal)

    @property
    def moderation(self) -> SqlModerationDesk:
        """Moderation of circles (filter, reports, sanctions, log), inside this turn."""
        return SqlModerationDesk(self.runner, self.user_id, self.moderation_rules)

    @property
    def translations(self) -> SqlTranslationDesk:
        """Interface strings to translate and translations to review, inside this turn."""
        return SqlTranslationDesk(self.runner, self.user_id)

    @property
    def course_translations(self) -> SqlCourseTranslationDesk:
        """Texts of courses to translate and translations to review, inside this turn."""
        return SqlCourseTranslationDesk(self.runner, self.user_id)

    @property
    def review(self) -> SqlReviewDesk:
        """The learner's review deck (spaced review), inside this turn's transaction."""
        return SqlReviewDesk(self.runner, self.user_id, self.journal)

    @property
    def mastery(self) -> SqlMasteryDesk:
        """The learner's mastery of skills (BKT), inside this turn's transaction."""
        return SqlMasteryDesk(self.runner, self.user_id, self.journal)

    @property
    def families(self) -> SqlFamilyDesk:
        """The person's guardians, the learners they follow, their sex, inside this turn."""
        return SqlFamilyDesk(self.runner, self.user_id)

    @property
    def reminders(self) -> SqlReminderDesk:
        """The learner's daily reminder and learning days, inside this turn's transaction."""
        return SqlReminderDesk(self.runner, self.user_id, self.quiet_hours, datetime.now(UTC))

    @property
    def data_saver(self) -> SqlDataSaver:
        """The learner's light-data setting and daily media count, inside this turn."""
        return SqlDataSaver(self.runner, self.user_id, self.media_budget_kb)

    @property
    def teaching(self) -> SqlTeachingDesk:
        """Invitations, teacher requests and classes, inside this turn's transaction."""
        if self._teaching is None:
            self._teaching = SqlTeachingDesk(self.runner, self.user_id, known=self._grants)
        return self._teaching

    @property
    def reports(self) -> SqlReportDesk:
        """Class reports, essays to grade and students' questions, inside this turn."""
        if self._reports is None:
            self._reports = SqlReportDesk(self.runner, self.user_id)
        return self._reports

    @property
    def address_links(self) -> SqlLinkDesk:
        """This address's link to a learner of another channel, inside this turn."""
        return SqlLinkDesk(self)

    @property
    def profiles(self) -> SqlProfileDesk:
        """The learner profiles of this phone (shared phones), inside this turn."""
        if self._profiles is None:
            self._profiles = SqlProfileDesk(self)
        return self._profiles

    def changes_nothing(self) -> bool:
        """A newcomer's turn that left them as they came: greeted, nothing chosen or done.

        When the caller set `drop_if_unchanged` (the web chat, whose ids the browser makes
        up), such a turn is rolled back, the new row with it: nothing is stored about a
        person before they answer (and consent comes right after the language), so a
        `hello` with an invented uid stores nothing.
        """
        if not self.drop_if_unchanged or not self.is_new or self.follow_up or self._effects:
            return False
        saved = self._saved
        return saved is None or (saved[0] == Profile() and saved[1] == DialogState())

    def save(self, profile: Profile, state: DialogState, effects: Iterable[Effect] = ()) -> None:
        """Queue the new profile, state and effects; they are written when the block ends."""
        self._saved = (profile, state)
        self._effects.extend(effects)

    def keep(self, reply: KeptReply) -> None:
        """Queue the turn's reply, kept with the last write of the turn (`kept_reply`)."""
        self._reply = reply

    async def _flush(self) -> None:
        """Apply what `save` queued, in the turn's transaction."""
        lessons: list[Lesson] = []
        quizzes: list[Quiz] = []
        answers: list[RecordAnswer] = []
        for effect in self._effects:
            match effect:
                case CompleteLesson(course_id=course, lesson_id=lesson):
                    lessons.append((course, lesson))
                case RecordQuiz(course_id=course, lesson_id=lesson):
                    quizzes.append((course, lesson, effect.score, effect.max_score))
                case LibraryChanged():
                    pass  # Conversations reads the library again after the commit
                case SubmitEssay():
                    await keep_essay(self.runner, self.user_id, effect)
                case RecordAnswer():
                    answers.append(effect)
                case EraseLearner():
                    # Erasure wins over everything else the turn asked for.
                    if self._reply is not None:
                        self.kept_reply = await self._statements.save_and_keep(self._reply, None)
                    await self._erase()
                    return
                case _:
                    assert_never(effect)
        # Before the quizzes: an answer's attempt counts the attempts finished before it.
        journal = self.journal
        now = datetime.now(UTC)
        # What the answers' writes depend on, read in one statement first.
        attempts, cards = await answers_reads(self.runner, self.user_id, answers)
        await journal_answers(journal, answers, now, attempts)
        await keep_answers(self.runner, self.user_id, answers, now)
        await schedule_answers(self.runner, self.user_id, answers, cards=cards)
        await observe_answers(self.runner, self.user_id, answers, now, journal)
        if self._saved is not None and self._saved[1].step == "lesson":
            started = _lesson_of(self._saved[0], 1)
            if started is not None and started != self._reading:  # a new lesson's first page
                await journal.lesson_started(*started, now)
        for course, lesson in lessons:
            await journal.lesson_completed(course, lesson, now)
        for course, lesson, score, max_score in quizzes:
            await journal.quiz_finished(course, lesson, score, max_score, now)
        if lessons or quizzes:
            await self._statements.record(self.user_id, lessons, quizzes)
        # Last, and in one statement on PostgreSQL: the learner saved and the reply kept.
        saving = None if self._saved is None else (self.user_id, *self._saved)
        if self._reply is not None:
            self.kept_reply = await self._statements.save_and_keep(self._reply, saving)
        elif saving is not None:
            await self._statements.save_user(*saving)

    async def _erase(self) -> None:
        """Erase this learner; on a shared phone, another profile is in use afterwards."""
        prompt = self.state.prompt if self._saved is None else self._saved[1].prompt
        account = await erase_profile(self.runner, self.user_id, prompt, self.authored_dir)
        if account is not None:
            self.account_id, self.follow_up = account, True


class _CarriedRecords:
    """A learner's records whose lessons done were read with the learner's row (one round
    trip less on PostgreSQL): the turn writes lesson_progress only on leaving (`_flush`),
    so within the turn they are what was read."""

    __slots__ = ("_carried", "_inner", "_lessons")

    def __init__(self, inner: LearnerRecords, lessons: str) -> None:
        self._inner = inner
        self._carried = lessons
        self._lessons: list[LessonDone] | None = None  # decoded once, when first asked

    async def lessons_done(self) -> list[LessonDone]:
        """Every lesson this learner completed, oldest first."""
        if self._lessons is None:
            self._lessons = lessons_done_from(self._carried)
        return list(self._lessons)

    async def quiz_scores(self) -> list[QuizScore]:
        """Best score per quiz (course, lesson), in the order they were last taken."""
        return await self._inner.quiz_scores()

    async def export(self) -> dict[str, Any]:
        """Everything stored about this learner, as JSON-ready data."""
        return await self._inner.export()


def _lesson_of(profile: Profile, pages: int) -> tuple[str, str] | None:
    """The lesson a learner's bookmark stands in, if it stands within its first `pages`
    pages (0: any). The lesson flow sets the bookmark on each page it shows: the first page
    of a lesson the bookmark was not in, shown (the learner on the "lesson" step), is a
    start; turning back to it is not, nor a quiz pointing the bookmark at the next lesson."""
    mark = profile.bookmark
    if not isinstance(mark, dict) or not isinstance(mark.get("step"), int):
        return None  # none, or a quiz's
    if pages and mark["step"] >= pages:
        return None
    course, lesson = mark.get("course"), mark.get("lesson")
    return (str(course), str(lesson)) if course and lesson else None


class _TurnGuard:
    """Marks the task that holds a turn open (see `SqlStore._refuse_inside_turn`)."""

    __slots__ = ("open", "store")

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.open = True


_current_turn: ContextVar[_TurnGuard | None] = ContextVar("imaginecole_turn", default=None)


HELD_LEARNERS = 14  # of the 10 + 10 connections create_engine's pool holds (bot/storage/db.py)

# One turn at a time per SQLite file in this process (several stores may share a file).
_SQLITE_FILES = KeyedLocks()


class SqlStore:
    """Learners, their dialog state and progress, in SQLite or PostgreSQL."""

    def __init__(self, engine: AsyncEngine, authored_dir: Path | None = None) -> None:
        self._engine = engine
        # Teachers' course files, written out (bot/storage/authored_files.py).
        self.authored_dir = authored_dir or default_root(engine.url.render_as_string())
        # The circles' filter: thresholds and word lists (MODERATION_WORDS_FILE adds to them).
        self.moderation_rules = Rules(words=load_words())
        # The night, when no reminder goes (REMINDER_QUIET_HOURS; bot/app.py sets it).
        self.quiet_hours = QuietHours()
        # Light data: bytes of media a learner may ask for a day, in KB (0: unlimited).
        self.media_budget_kb = DEFAULT_BUDGET_KB
        self.xapi = Vocabulary()  # set from the settings (bot/app.py)
        # Called once a platform marked an address unreachable (its row, when): the phone
        # fallback's switch (bot/fallbacks.py), where a channel takes over phones.
        self.on_unreachable: Callable[[int, datetime], Awaitable[None]] | None = None
        dialect = engine.dialect
        self._core = CoreStatements(dialect.name)
        self._learners = KeyedLocks()
        # Learners held at once (`hold`), each on a pooled connection through their reply:
        # fewer than the pool has, so a reply's own statements (a poll remembered, a message
        # id recorded) always find a connection instead of waiting on each other forever.
        self._holders = asyncio.Semaphore(HELD_LEARNERS)
        # One statement between turns is its own transaction: on PostgreSQL in AUTOCOMMIT,
        # one round trip instead of three (BEGIN, the statement, COMMIT or ROLLBACK).
        self._single = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if dialect.name == "postgresql"
            else engine
        )
        self._sqlite: sqlite3.Connection | None = None
        if dialect.name == "sqlite":
            self._sqlite = open_sqlite(engine.url)
            self._file = engine.url.database or ":memory:"
            weakref.finalize(self, self._sqlite.close)

    @property
    def engine(self) -> AsyncEngine:
        """The engine this store runs on."""
        return self._engine

    def close(self) -> None:
        """Close the SQLite connection of the turns (the engine is the caller's to dispose)."""
        if self._sqlite is not None:
            self._sqlite.close()

    @asynccontextmanager
    async def turn(
        self, user: UserRef, update_key: str | None = None
    ) -> AsyncIterator[SqlTurn | None]:
        """Hold `user` for one update; yields None when `update_key` was already processed.

        Leaving the block commits; an exception rolls everything back, the claim included.
        Other store methods must not be awaited inside the block: they would wait for the
        connection (SQLite) or the row lock (PostgreSQL) this turn holds, so they raise.
        """
        self._refuse_inside_turn()
        guard = _TurnGuard(self)
        token = _current_turn.set(guard)
        try:
            # In arrival order, and without parking a pooled connection on a row lock.
            async with (
                self._learners.hold(user),
                self._transaction() as (records, statements, runner),
            ):
                tx = await self._open(records, statements, runner, user, update_key)
                if tx is not None:
                    tx.authored_dir = self.authored_dir
                    tx.moderation_rules = self.moderation_rules
                    tx.quiet_hours = self.quiet_hours
                    tx.media_budget_kb = self.media_budget_kb
                    tx.xapi = self.xapi
                yield tx
                if tx is not None and tx.changes_nothing():
                    tx.kept = False
                    raise _NothingToKeep  # rolls the transaction back: the new row goes
                if tx is not None:
                    await tx._flush()
        except _NothingToKeep:
            pass
        finally:
            guard.open = False
            _current_turn.reset(token)

    @asynccontextmanager
    async def hold(self, user: UserRef, *, turn: bool = False) -> AsyncIterator[None]:
        """Hold `user` across every worker until the block ends (the turn and its reply).

        SQLite serves one process, whose own lock (the caller's) is enough; on PostgreSQL the
        turns of the block run on the connection holding the learner's advisory lock.
        `turn`: the block starts with a turn at once (its BEGIN goes with the lock).
        """
        if self._sqlite is not None:
            yield
            return
        key = advisory_key("learner", user.channel, user.external_id)
        async with self._holders, hold_in_database(self, self._engine, key, begin=turn):
            yield

    @asynccontextmanager
    async def _transaction(
        self,
    ) -> AsyncIterator[tuple[Callable[[int], LearnerRecords], TurnStatements, Runner]]:
        """A transaction with the fastest statements for its engine."""
        if self._sqlite is None:
            held = held_connection(self)
            if held is not None:  # the learner's lock is held on it (`hold`)
                conn = held.conn
                await held.begin()  # no round trip when it went with the lock
                try:
                    straight = PgRunner(conn, held.raw)  # our BEGIN and COMMIT: asyncpg's own
                    records = lambda uid: SqlLearnerRecords(conn, uid, straight)  # noqa: E731
                    yield records, self._core.bind(conn, straight), straight
                except BaseException:
                    await held.rollback()
                    raise
                await held.commit()
                return
            async with self._engine.begin() as conn:
                records = lambda uid: SqlLearnerRecords(conn, uid)  # noqa: E731
                yield records, self._core.bind(conn), PgRunner(conn)
            return
        db = self._sqlite
        async with _SQLITE_FILES.hold(self._file):
            db.execute("BEGIN IMMEDIATE")
            try:
                yield (
                    (lambda uid: SqliteLearnerRecords(db, self._engine, uid)),
                    (SqliteTurnStatements(db)),
                    SqliteRunner(db),
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    async def _open(
        self,
        records: Callable[[int], LearnerRecords],
        statements: TurnStatements,
        runner: Runner,
        user: UserRef,
        update_key: str | None,
    ) -> SqlTurn | None:
        """Claim the update, then load (and lock) the learner, creating them race-free."""
        channel, external_id, now = user.channel, user.external_id, datetime.now(UTC)
        if update_key is not None:
            claimed, found = await statements.claim(channel, external_id, update_key, now)
            if not claimed:
                return None
            if found is not None:
                return SqlTurn(records, statements, user, found, is_new=False, runner=runner)
        # Without a claim, this INSERT is the first statement: SQLite locks before reading.
        new_id = await statements.create_user(channel, external_id, now)
        if new_id is not None:
            fresh = UserRow(new_id, Profile(), DialogState(), new_id, [], (channel, external_id))
            return SqlTurn(records, statements, user, fresh, is_new=True, runner=runner)
        found = await statements.find_user(channel, external_id)
        if found is None:  # pragma: no cover - the INSERT conflicted, so the row exists
            raise RuntimeError(f"learner {channel}:{external_id} vanished mid-turn")
        return SqlTurn(records, statements, user, found, is_new=False, runner=runner)

    def _refuse_inside_turn(self) -> None:
        """Fail fast instead of deadlocking on the connection or row the current turn holds."""
        guard = _current_turn.get()
        if guard is not None and guard.open and guard.store is self:
            raise RuntimeError("this task holds an open store.turn(): use tx, or call after it")

    @asynccontextmanager
    async def sqlite_transaction(self) -> AsyncIterator[sqlite3.Connection]:
        """A write transaction on the turns' SQLite connection, between turns."""
        self._refuse_inside_turn()
        assert self._sqlite is not None
        db = self._sqlite
        async with _SQLITE_FILES.hold(self._file):
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Runner]:
        """A short transaction of its own, between turns, on either engine (the outbox, the
        reminders, the kept replies, the withdrawals...)."""
        if self._sqlite is not None:
            async with self.sqlite_transaction() as db:
                yield SqliteRunner(db)
            return
        async with self._engine.begin() as conn:
            yield PgRunner(conn)

    async def statement(self, sql: Statement, **params: Any) -> list[Row]:
        """One statement between turns, committed at once; its rows (none for a write)."""
        if self._sqlite is not None:
            plain, values = for_sqlite(sql, params)
            return (await self.sqlite_execute(plain, sqlite_params(values))).fetchall()
        async with self._single.connect() as conn:  # AUTOCOMMIT: no transaction to open
            raw = (await conn.get_raw_connection()).driver_connection
            return await PgRunner(conn, raw).run(sql, **params)

    @property
    def on_sqlite(self) -> bool:
        """Whether short statements go through the loop-thread SQLite connection."""
        return self._sqlite is not None

    async def sqlite_execute(
        self, sql: str, params: Sequence[Any] | dict[str, Any]
    ) -> sqlite3.Cursor:
        """One autocommitted statement on the turns' SQLite connection (between turns)."""
        self._refuse_inside_turn()
        return await self._sqlite_write(sql, params)

    async def _sqlite_write(
        self, sql: str, params: Sequence[Any] | dict[str, Any]
    ) -> sqlite3.Cursor:
        """One autocommitted statement on the turns' connection, between turns."""
        assert self._sqlite is not None
        async with _SQLITE_FILES.hold(self._file):
            return self._sqlite.execute(sql, params)

    async def remember_poll(
        self, poll_id: str, user_id: int, prompt: int, option_ids: Sequence[str]
    ) -> None:
        """Remember which learner and prompt a native Telegram poll belongs to."""
        self._refuse_inside_turn()
        now = datetime.now(UTC)
        await self.statement(
            _REMEMBER_POLL, poll=poll_id, uid=user_id, prompt=prompt, ids=list(option_ids), at=now
        )

    async def lookup_poll(self, poll_id: str) -> tuple[UserRef, int, list[str]] | None:
        """The address, prompt number and option ids behind a Telegram poll.

        A poll of a profile the phone is not using now (shared phones) comes back with the
        prompt -1, which no prompt matches: the vote is answered as a stale button.
        """
        self._refuse_inside_turn()
        rows = await self.statement(_LOOKUP_POLL, poll=poll_id)
        if not rows:
            return None
        channel, external_id, prompt, option_ids = rows[0]
        options = json.loads(option_ids) if isinstance(option_ids, str) else option_ids
        return UserRef(channel, external_id), int(prompt), list(options)

    async def group_linked(self, external_id: str) -> bool:
        """Whether this Telegram group (or topic) is linked to a circle (read between turns)."""
        self._refuse_inside_turn()
        return bool(await self.statement(_GROUP_LINKED, ext=external_id, role=GROUP_ROLE))

    async def step_of(self, user: UserRef) -> str | None:
        """The dialog step `user` is at (read between turns), None for a stranger."""
        self._refuse_inside_turn()
        rows = await self.statement(_STEP_OF, ch=user.channel, ext=user.external_id)
        return str(rows[0][0]) if rows else None

    async def language_of(self, user: UserRef) -> tuple[str | None, str | None]:
        """The language and country `user` chose (read between turns); Nones for a stranger."""
        self._refuse_inside_turn()
        rows = await self.statement(_LANGUAGE_OF, ch=user.channel, ext=user.external_id)
        return (rows[0][0], rows[0][1]) if rows else (None, None)

    async def export(self, user: UserRef) -> dict[str, Any] | None:
        """Everything stored about `user`, as JSON-ready data; None if we know nothing."""
        self._refuse_inside_turn()
        async with self._engine.connect() as conn:
            return await conn.run_sync(export_learner, _is(user))

    async def erase(self, user: UserRef) -> bool:
        """Delete `user` (every learner profile of that address) and everything about them."""
        self._refuse_inside_turn()
        params = {"ch": user.channel, "ext": user.external_id}
        now = datetime.now(UTC)
        if self._sqlite is not None:
            async with self.sqlite_transaction() as db:
                runner = SqliteRunner(db)
                await runner.run(ERASE_ADDRESS_DEAD_LETTERS, **params)
                for (uid,) in await runner.run(_ADDRESS_ROWS, **params):
                    await forget_person(runner, int(uid), now)
                return bool(await runner.run(_ERASE_ADDRESS, **params))
        async with self._engine.begin() as conn:
            pg = PgRunner(conn)
            await pg.run(ERASE_ADDRESS_DEAD_LETTERS, **params)
            for (uid,) in await pg.run(_ADDRESS_ROWS, **params):
                await forget_person(pg, int(uid), now)
            return bool(await pg.run(_ERASE_ADDRESS, **params))

    async def prune_processed(self, older_than: datetime, batch: int = 5000) -> int:
        """Forget idempotency keys claimed before `older_than`, a batch at a time (a turn
        waits for one batch at most); returns how many."""
        return await self.delete_in_batches(
            "processed_updates", "created_at < :before", batch, before=older_than
        )

    async def delete_in_batches(self, table: str, where: str, batch: int, **params: Any) -> int:
        """Delete the rows of `table` matching `where` (SQL with :named parameters), `batch`
        rows per statement so that a turn waits for one batch at most; how many in all.

        Rows are picked by their physical address (SQLite's rowid, PostgreSQL's ctid), so any
        table can be pruned this way, whatever its key.
        """
        self._refuse_inside_turn()
        total = 0
        while True:
            if self._sqlite is not None:
                sql = (  # SQL text: any table, by its engine's row address
                    f"DELETE FROM {table} WHERE rowid IN"
                    f" (SELECT rowid FROM {table} WHERE {where} LIMIT :batch)"
                )
                cursor = await self._sqlite_write(sql, sqlite_params({**params, "batch": batch}))
                count = cursor.rowcount
            else:
                statement = text(  # SQL text: any table, by its engine's row address
                    f"DELETE FROM {table} WHERE ctid = ANY(ARRAY("
                    f"SELECT ctid FROM {table} WHERE {where} LIMIT :batch))"
                )
                async with self._single.connect() as conn:
                    result = await conn.execute(statement, {**params, "batch": batch})
                count = result.rowcount
            total += count
            if count < batch:
                return total

    async def count_users(self) -> int:
        """How many learners are stored."""
        self._refuse_inside_turn()
        async with self._single.connect() as conn:
            return (await conn.execute(select(func.count()).select_from(users))).scalar_one()


_NEW_POLL: dict[str, Any] = {
    "poll_id": bindparam("poll"),
    "user_id": bindparam("uid"),
    "prompt": bindparam("prompt"),
    "option_ids": bindparam("ids"),
    "created_at": bindparam("at"),
}
_REMEMBER_POLL = ByDialect(
    sqlite=sqlite.insert(telegram_polls).values(_NEW_POLL).on_conflict_do_nothing(),
    postgresql=postgresql.insert(telegram_polls).values(_NEW_POLL).on_conflict_do_nothing(),
)
# The address of a poll's learner (their account's, on a shared phone), and its prompt
# unless another profile of the phone is in use now (-1, which no prompt matches).
_tp, _u, _a = telegram_polls, users.alias("u"), users.alias("a")
_lp, _acc = learner_profiles.alias("lp"), learner_profiles.alias("acc")
_LOOKUP_POLL = (
    select(
        func.coalesce(_a.c.channel, _u.c.channel),
        func.coalesce(_a.c.external_id, _u.c.external_id),
        case(
            (
                or_(
                    _lp.c.user_id.is_(None),
                    func.coalesce(_acc.c.active_id, _acc.c.user_id) == _u.c.id,
                ),
                _tp.c.prompt,
            ),
            else_=literal_column("-1", Integer),
        ),
        _tp.c.option_ids,
    )
    .select_from(
        _tp.join(_u, _u.c.id == _tp.c.user_id)
        .outerjoin(_lp, _lp.c.user_id == _u.c.id)
        .outerjoin(_a, _a.c.id == _lp.c.account_id)
        .outerjoin(_acc, _acc.c.user_id == _lp.c.account_id)
    )
    .where(_tp.c.poll_id == bindparam("poll"))
)
# A Telegram group (or topic) linked to a circle: a member row of the group's user.
_GROUP_LINKED = (
    select(users.c.id)
    .join(circle_members, circle_members.c.user_id == users.c.id)
    .where(
        users.c.channel.in_(having(lambda c: c.groups)),
        users.c.external_id == bindparam("ext"),
        users.c.role == bindparam("role"),
    )
    .limit(1)
)
# The step of the learner an address is talking as: its linked learner, the profile in
# use on a shared phone, or itself.
_al, _p = address_links.alias("al"), users.alias("p")
_STEP_OF = (
    select(_p.c.state_step)
    .select_from(
        _a.outerjoin(_al, _al.c.account_id == _a.c.id)
        .outerjoin(_lp, _lp.c.user_id == _a.c.id)
        .join(_p, _p.c.id == func.coalesce(_al.c.learner_id, _lp.c.active_id, _a.c.id))
    )
    .where(_a.c.channel == bindparam("ch"), _a.c.external_id == bindparam("ext"))
)
_LANGUAGE_OF = select(users.c.locale, users.c.country).where(
    users.c.channel == bindparam("ch"), users.c.external_id == bindparam("ext")
)
# Every row of an address: itself and the profiles of its shared phone.
_AT_ADDRESS = or_(
    and_(users.c.channel == bindparam("ch"), users.c.external_id == bindparam("ext")),
    users.c.id.in_(
        select(_lp.c.user_id)
        .join(_a, _a.c.id == _lp.c.account_id)
        .where(_a.c.channel == bindparam("ch"), _a.c.external_id == bindparam("ext"))
    ),
)
_ADDRESS_ROWS = select(users.c.id).where(_AT_ADDRESS)
_ERASE_ADDRESS = delete(users).where(_AT_ADDRESS).returning(users.c.id)


def _is(user: UserRef) -> ColumnElement[bool]:
    """The WHERE clause selecting `user`'s row."""
    return (users.c.channel == user.channel) & (users.c.external_id == user.external_id)
