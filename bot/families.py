"""The weekly summaries to guardians, queued to the outbox when their time comes.

Every worker may run it, like the reminder loop (bot/reminders.py): each pass takes the due
summaries in one short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL) and moves each
one to the next week by a compare-and-set of `next_summary_at`, so a summary is queued once
whatever the number of workers. The text is composed in the guardian's language and goes out
as a personal notice (bot/storage/admin.py queue_notice): the outbox paces it with the shared
rates, and on the web chat it waits in the inbox for the guardian's next visit.

Its time is Sunday 18:00 in the guardian's zone (dialogs/reminding.py next_weekly); a time in
the quiet hours (a deployment's own, or the loop catching up at night) waits for their end.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.due_loop import DueLoop
from bot.storage import families as stored
from bot.storage.admin import queue_notice
from bot.storage.assignments import student_assignments
from bot.storage.sql import Runner
from content.mastery import level
from content.skills import skill_names
from dialogs.flows.families import WeekFacts, summary_text
from dialogs.reminding import next_weekly
from dialogs.when import zone_of

log = logging.getLogger("imaginecole.families")
INTERVAL = 300.0  # seconds between two passes
BATCH = 100  # summaries taken in one transaction
WEEK = timedelta(days=7)
DUE_SOON = timedelta(days=7)  # work due within this is named


class SummaryLoop(DueLoop[stored.DueSummary]):
    """Queues due weekly summaries; `run_once` is one pass, `forever` repeats it
    (bot/due_loop.py)."""

    what = "weekly summary"
    every = INTERVAL
    batch = BATCH
    retry_after = WEEK
    log = log

    async def due(
        self, runner: Runner, now: datetime, limit: int, lock: str
    ) -> Sequence[stored.DueSummary]:
        """The summaries whose time came."""
        return await stored.due_summaries(runner, now, limit, lock)

    async def later(self, runner: Runner, due: stored.DueSummary, at: datetime) -> None:
        """Tried again at `at`."""
        await stored.move_on(runner, due, at)

    async def one(self, runner: Runner, due: stored.DueSummary, now: datetime) -> int:
        """Queue one summary, or wait for the end of the quiet hours."""
        return await self._one(runner, due, now)

    async def _one(self, runner: Runner, due: stored.DueSummary, now: datetime) -> int:
        """Queue one summary, or wait for the end of the quiet hours."""
        zone = zone_of(due.country)
        local = now.astimezone(zone)
        if self.quiet.contains(local.time()):  # caught up at night: in the morning
            morning = datetime.combine(local.date(), self.quiet.end, zone)
            if morning <= local:
                morning += timedelta(days=1)
            await stored.move_on(runner, due, morning.astimezone(UTC))
            return 0
        if not await stored.move_on(runner, due, next_weekly(zone, now, self.quiet)):
            return 0  # another worker took it
        facts = await self.facts(runner, due, now)
        texts = {
            due.locale or "fr": summary_text(self.i18n.translator(due.locale, due.country), facts)
        }
        await queue_notice(runner, due.guardian_id, texts, now)
        return 1

    async def facts(self, runner: Runner, due: stored.DueSummary, now: datetime) -> WeekFacts:
        """What the learner did in the 7 days before `now` (the guardian's local days)."""
        zone = zone_of(due.country)
        today = now.astimezone(zone).date()
        days = await stored.days_learned(runner, due.learner_id, today - WEEK, today + timedelta(1))
        library = self.library()
        titles = []
        for course_id, lesson_id in await stored.lessons_done(
            runner, due.learner_id, now - WEEK, now
        ):
            course = library.get(course_id)
            lesson = course.lesson(lesson_id) if course else None
            titles.append(lesson.title if lesson else lesson_id)
        soon: list[tuple[str, datetime]] = []
        late: list[str] = []
        for work in await student_assignments(runner, due.learner_id):
            if work.deadline is None or (work.progress and work.progress[0] > 0):
                continue
            course = library.get(work.course_id)
            lesson = course.lesson(work.lesson_id) if course and work.lesson_id else None
            title = lesson.title if lesson else course.title if course else work.course_id
            if work.deadline < now:
                late.append(title)
            elif work.deadline <= now + DUE_SOON:
                soon.append((title, work.deadline.astimezone(zone)))
        names = skill_names(library.courses)
        skills = tuple(
            (names.get(skill, skill), level(p))
            for skill, p in await stored.skills_moved(runner, due.learner_id, now - WEEK)
        )
        away = await stored.days_away(runner, due.learner_id, now)
        return WeekFacts(
            due.learner_name, days, tuple(titles), tuple(soon), tuple(late), skills, away
        )
