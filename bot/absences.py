"""The teachers' weekly alerts of absent students, queued to the outbox when their time comes.

Every worker may run it, like the guardians' summaries (bot/families.py, bot/due_loop.py):
due classes are taken in short transactions (`FOR UPDATE OF c SKIP LOCKED` on PostgreSQL)
and moved to the next week by a compare-and-set of `classes.next_absence_at`, so an alert is
queued once whatever the number of workers. A class never scheduled is scheduled by the first
pass, not alerted. Its time is Monday 07:30 in the teacher's zone; a time in the quiet hours
waits for their end. Nothing is sent when nobody is absent; the teacher turns it off on the
class's absence page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from bot.due_loop import DueLoop
from bot.storage import absences as stored
from bot.storage.admin import queue_notice
from bot.storage.sql import Runner
from dialogs.flows.class_groups import absence_alert_text
from dialogs.reminding import next_weekly
from dialogs.when import zone_of

log = logging.getLogger("imaginecole.absences")
ALERT_DAY = 0  # Monday: the week starts with who needs a call
ALERT_TIME = time(7, 30)  # the teacher's local time, before class


class AbsenceLoop(DueLoop[stored.DueAlert]):
    """Queues due weekly absence alerts to teachers (bot/due_loop.py)."""

    what = "absence alert"
    every = 300.0
    batch = 100
    retry_after = timedelta(days=7)
    log = log

    async def due(
        self, runner: Runner, now: datetime, limit: int, lock: str
    ) -> Sequence[stored.DueAlert]:
        """The classes whose alert is due."""
        return await stored.due_alerts(runner, now, limit, lock)

    async def later(self, runner: Runner, due: stored.DueAlert, at: datetime) -> None:
        """Tried again at `at`."""
        await stored.move_on(runner, due, at)

    def next_time(self, due: stored.DueAlert, now: datetime) -> datetime:
        """The next Monday 07:30 in the teacher's zone (out of the quiet hours)."""
        return next_weekly(zone_of(due.country), now, self.quiet, ALERT_DAY, ALERT_TIME)

    async def one(self, runner: Runner, due: stored.DueAlert, now: datetime) -> int:
        """Queue one class's alert when someone is absent, or wait for the quiet hours' end."""
        if due.due is None:  # a class never scheduled: from next Monday on
            await stored.move_on(runner, due, self.next_time(due, now))
            return 0
        zone = zone_of(due.country)
        local = now.astimezone(zone)
        if self.quiet.contains(local.time()):  # caught up at night: in the morning
            morning = datetime.combine(local.date(), self.quiet.end, zone)
            if morning <= local:
                morning += timedelta(days=1)
            await stored.move_on(runner, due, morning.astimezone(UTC))
            return 0
        if not await stored.move_on(runner, due, self.next_time(due, now)):
            return 0  # another worker took it
        away = await stored.absent(runner, due.class_id, now, due.absence_days)
        if not away:
            return 0
        families = await stored.families(runner, due.class_id, now, due.absence_days)
        t = self.i18n.translator(due.locale, due.country)
        text = absence_alert_text(t, due.name, due.absence_days, away, families)
        await queue_notice(runner, due.teacher_id, {due.locale or "fr": text}, now)
        return 1
