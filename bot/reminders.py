"""The reminder loop: learners' daily reminders, queued to the outbox when their time comes.

Every worker may run it. Each pass takes the due reminders in one short transaction
(`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer) and moves each one on by a
compare-and-set of `next_due_at` (bot/storage/reminders.py): a reminder is queued once,
whatever the number of workers, and a restart loses nothing (it all lives in the database).
The text is composed in the learner's language and goes out through the outbox as a
personal notice, so the senders deliver it with the shared rates.

A reminder is skipped (and moved to the next day) when its time falls in the quiet hours,
when one already went today (local date), when the learner already learned today, when it
is stale (the loop was down for hours), or when their channel cannot reach them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from bot.i18n import I18n
from bot.storage import reminders as stored
from bot.storage.reminders import Learner
from bot.storage.sql import Runner, utc
from bot.storage.store import SqlStore
from content.library import Library
from dialogs.flows.reminders import ReminderFacts, reminder_text
from dialogs.reminding import QuietHours, next_due
from dialogs.when import zone_of

SKIPPED = timedelta(days=1)  # a reminder that failed is tried again the next day
log = logging.getLogger("imaginecole.reminders")
INTERVAL = 60.0  # seconds between two passes
BATCH = 100  # reminders taken in one transaction
STALE = timedelta(hours=2)  # later than this after its time (the loop was down): skipped
DEADLINE_SOON = timedelta(days=3)  # an assignment due within this is named


class ReminderLoop:
    """Queues due reminders; `run_once` is one pass, `forever` repeats it."""

    def __init__(
        self,
        store: SqlStore,
        i18n: I18n,
        library: Callable[[], Library],
        quiet: QuietHours,
        *,
        interval: float = INTERVAL,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.i18n = i18n
        self.library = library
        self.quiet = quiet
        self.interval = interval
        self.clock = clock

    async def forever(self) -> None:
        """Pass after pass until cancelled; a failing pass is logged, the next one tries again."""
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("the reminder pass failed")
            await asyncio.sleep(self.interval)

    async def run_once(self) -> int:
        """Queue every reminder due now, a batch per transaction; how many were queued."""
        now = self.clock()
        queued, taken = 0, BATCH
        while taken == BATCH:  # a full batch: more may be due (every row seen moves on)
            batch_queued, taken = await self._batch(now)
            queued += batch_queued
        if queued:
            log.info("reminders queued=%d", queued)
        return queued

    async def _batch(self, now: datetime) -> tuple[int, int]:
        """One transaction over up to BATCH due reminders: (queued, seen)."""
        queued = 0
        async with self.store.transaction() as runner:
            lock = "" if self.store.on_sqlite else " FOR UPDATE SKIP LOCKED"
            found = await stored.due_now(runner, now, BATCH, lock)
            for due in found:
                try:
                    queued += await self._one(runner, due, now)
                except Exception as error:  # one learner's bad row must not stop everyone's
                    log.warning("reminder skipped (%s)", type(error).__name__, exc_info=True)
                    await stored.take(runner, due, now + SKIPPED)  # else due again each pass
        return queued, len(found)

    async def _one(self, runner: Runner, due: stored.Due, now: datetime) -> int:
        """Take one due reminder (unless another worker did) and queue it if it may go."""
        learner = await stored.learner_of(runner, due.user_id)
        if learner is None:
            return 0
        zone = zone_of(learner.country)
        seen = utc(due.seen) or now
        right = next_due(learner.at, zone, seen - timedelta(microseconds=1))
        if right != seen:  # they moved to another zone since: their time there, from now on
            await stored.take(
                runner, due, right if right > now else next_due(learner.at, zone, now)
            )
            return 0
        if not await stored.take(runner, due, next_due(learner.at, zone, now)):
            return 0  # another worker moved it on first
        today = now.astimezone(zone).date()
        if not await self._may_go(runner, learner, due, now, today):
            return 0
        texts = {learner.locale or "fr": await self._text(runner, learner, now)}
        await stored.queue_reminder(runner, learner, texts, today, now)
        return 1

    async def _may_go(
        self, runner: Runner, learner: Learner, due: stored.Due, now: datetime, today: date
    ) -> bool:
        """Not at night, once a day, not stale, not after learning today, only if reachable."""
        local = now.astimezone(zone_of(learner.country)).time()
        late = now - (utc(due.seen) or now)
        if self.quiet.contains(local) or learner.last_sent_on == today or late > STALE:
            return False
        if await stored.learned_on(runner, learner.user_id, today):
            return False  # they came by themselves today: no need to remind them
        return await stored.reachable(runner, learner.user_id, now)

    async def _text(self, runner: Runner, learner: Learner, now: datetime) -> str:
        """The reminder in the learner's language, naming what waits for them."""
        facts = ReminderFacts(
            lesson=self._lesson(learner),
            reviews=await stored.reviews_due(runner, learner.user_id, now),
            deadline=await self._deadline(runner, learner, now),
        )
        return reminder_text(self.i18n.translator(learner.locale, learner.country), facts)

    def _lesson(self, learner: Learner) -> tuple[str, str] | None:
        """(course title, lesson title) of the learner's bookmark, if it still exists."""
        mark = learner.bookmark or {}
        course = self.library().get(str(mark.get("course", "")))
        lesson = course.lesson(str(mark.get("lesson", ""))) if course else None
        return (course.title, lesson.title) if course and lesson else None

    async def _deadline(
        self, runner: Runner, learner: Learner, now: datetime
    ) -> tuple[str, datetime] | None:
        """The closest unfinished assignment due within a few days: (what, when)."""
        for work in await stored.assignments_of(runner, learner.user_id):
            if work.deadline is None or not now < work.deadline <= now + DEADLINE_SOON:
                continue
            if work.progress and work.progress[0] > 0:
                continue  # done already
            course = self.library().get(work.course_id)
            lesson = course.lesson(work.lesson_id) if course and work.lesson_id else None
            title = lesson.title if lesson else course.title if course else work.course_id
            return title, work.deadline.astimezone(zone_of(learner.country))  # local date
        return None
