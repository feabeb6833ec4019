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

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from bot.due_loop import DueLoop
from bot.storage import reminders as stored
from bot.storage.reminders import Learner
from bot.storage.sql import Runner, utc
from dialogs.flows.reminders import ReminderFacts, reminder_text
from dialogs.reminding import next_due
from dialogs.when import zone_of

SKIPPED = timedelta(days=1)  # a reminder that failed is tried again the next day
log = logging.getLogger("imaginecole.reminders")
INTERVAL = 60.0  # seconds between two passes
BATCH = 100  # reminders taken in one transaction
STALE = timedelta(hours=2)  # later than this after its time (the loop was down): skipped
DEADLINE_SOON = timedelta(days=3)  # an assignment due within this is named


class ReminderLoop(DueLoop[stored.Due]):
    """Queues due reminders; `run_once` is one pass, `forever` repeats it (bot/due_loop.py)."""

    what = "reminder"
    every = INTERVAL
    batch = BATCH
    retry_after = SKIPPED
    log = log

    async def due(
        self, runner: Runner, now: datetime, limit: int, lock: str
    ) -> Sequence[stored.Due]:
        """The reminders whose time came."""
        return await stored.due_now(runner, now, limit, lock)

    async def later(self, runner: Runner, due: stored.Due, at: datetime) -> None:
        """Tried again at `at` (else due again at each pass)."""
        await stored.take(runner, due, at)

    async def one(self, runner: Runner, due: stored.Due, now: datetime) -> int:
        """Take one due reminder (unless another worker did) and queue it if it may go."""
        return await self._one(runner, due, now)

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
