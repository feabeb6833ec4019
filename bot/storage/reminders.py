"""Learners' reminders and learning days (tables reminders, learning_days), in Core
statements.

The learner's side (`SqlReminderDesk`) runs inside their turn. The loop's side
(`claim_due`, `facts_of`, `queue_reminder`) runs in the reminder loop's own transactions
(bot/reminders.py): a reminder is taken by a compare-and-set on `next_due_at`, so however
many workers look at the same due row, one moves it on and queues the notice, the others
find it moved and leave it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import bindparam, false, null, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.admin import audience_filter, queue_broadcast
from bot.storage.assignments import student_assignments
from bot.storage.models import broadcasts, learning_days, reminders, users
from bot.storage.review import SqlReviewDesk
from bot.storage.sql import ByDialect, Runner, as_json, utc
from dialogs.admin_ports import Audience
from dialogs.reminder_ports import ReminderSetting
from dialogs.reminding import QuietHours, parse_time
from dialogs.teaching_ports import Assignment

_r = reminders.c
_SETTING = select(_r.local_time, _r.enabled, _r.next_due_at).where(_r.user_id == bindparam("uid"))
_SET = {
    "local_time": bindparam("at"),
    "enabled": true(),
    "next_due_at": bindparam("due"),
    "updated_at": bindparam("now"),
}
_REMIND_AT = ByDialect(
    sqlite=sqlite.insert(reminders)
    .values(user_id=bindparam("uid"), **_SET)
    .on_conflict_do_update(index_elements=[_r.user_id], set_=_SET),
    postgresql=postgresql.insert(reminders)
    .values(user_id=bindparam("uid"), **_SET)
    .on_conflict_do_update(index_elements=[_r.user_id], set_=_SET),
)
_STOP = (
    update(reminders)
    .where(_r.user_id == bindparam("uid"), _r.enabled == true())
    .values(enabled=false(), next_due_at=null(), updated_at=bindparam("now"))
    .returning(_r.user_id)
)
_DAY: dict[str, Any] = {"user_id": bindparam("uid"), "day": bindparam("day")}
_LEARNED = ByDialect(
    sqlite=sqlite.insert(learning_days).values(_DAY).on_conflict_do_nothing(),
    postgresql=postgresql.insert(learning_days).values(_DAY).on_conflict_do_nothing(),
)
_DAYS = (
    select(learning_days.c.day)
    .where(learning_days.c.user_id == bindparam("uid"))
    .order_by(learning_days.c.day)
)
_LEARNED_ON = select(learning_days.c.user_id).where(
    learning_days.c.user_id == bindparam("uid"), learning_days.c.day == bindparam("day")
)
_DUE = (
    select(_r.user_id, _r.next_due_at)
    .where(_r.enabled == true(), _r.next_due_at <= bindparam("now"))
    .order_by(_r.next_due_at, _r.user_id)
    .limit(bindparam("n"))
)
_DUE_LOCKED = _DUE.with_for_update(skip_locked=True)
_TAKE = (
    update(reminders)
    .where(
        _r.user_id == bindparam("uid"), _r.enabled == true(), _r.next_due_at == bindparam("seen")
    )
    .values(next_due_at=bindparam("next"))
    .returning(_r.user_id)
)
_LEARNER = (
    select(
        users.c.locale,
        users.c.country,
        users.c.bookmark,
        _r.local_time,
        _r.last_sent_on,
        _r.broadcast_id,
    )
    .join(users, users.c.id == _r.user_id)
    .where(_r.user_id == bindparam("uid"))
)
_RENEW_NOTICE = (
    update(broadcasts)
    .where(broadcasts.c.id == bindparam("bid"))
    .values(texts=bindparam("texts"))
    .returning(broadcasts.c.id)
)
_NEW_NOTICE = (
    broadcasts.insert()
    .values(
        author_id=null(),
        texts=bindparam("texts"),
        audience=bindparam("audience"),
        status="queued",
        total=0,
        created_at=bindparam("now"),
    )
    .returning(broadcasts.c.id)
)
_SENT = (
    update(reminders)
    .where(_r.user_id == bindparam("uid"))
    .values(last_sent_on=bindparam("today"), broadcast_id=bindparam("bid"))
)


class SqlReminderDesk:
    """One learner's reminder and learning days, inside their turn's transaction."""

    def __init__(self, runner: Runner, user_id: int, quiet: QuietHours, now: datetime) -> None:
        self.runner = runner
        self.user_id = user_id
        self.quiet = quiet
        self.now = now

    async def setting(self) -> ReminderSetting | None:
        """The learner's reminder, None if they never set one."""
        rows = await self.runner.run(_SETTING, uid=self.user_id)
        if not rows:
            return None
        local_time, enabled, next_due_at = rows[0]
        return ReminderSetting(_time(local_time), bool(enabled), utc(next_due_at))

    async def remind_at(self, at: time, next_due_at: datetime) -> None:
        """Remind every day at `at` (local time), first at `next_due_at` (UTC)."""
        await self.runner.run(
            _REMIND_AT,
            uid=self.user_id,
            at=at.strftime("%H:%M"),
            due=next_due_at,
            now=self.now,
        )

    async def stop(self) -> bool:
        """No more reminders; False if none was on."""
        rows = await self.runner.run(_STOP, uid=self.user_id, now=self.now)
        return bool(rows)

    async def learned(self, day: date) -> None:
        """Remember that the learner learned something on `day` (their local date)."""
        await self.runner.run(_LEARNED, uid=self.user_id, day=day)

    async def learning_days(self) -> list[date]:
        """The local dates on which the learner learned something, oldest first."""
        rows = await self.runner.run(_DAYS, uid=self.user_id)
        return [as_date(row[0]) for row in rows]


@dataclass(frozen=True)
class Due:
    """A reminder whose time has come, as read (`seen` is compared when taking it)."""

    user_id: int
    seen: Any  # next_due_at exactly as stored: the compare-and-set's expected value


async def due_now(runner: Runner, now: datetime, limit: int, lock: str = "") -> list[Due]:
    """Reminders due at `now`, the most overdue first (`lock`: FOR UPDATE SKIP LOCKED)."""
    rows = await runner.run(_DUE_LOCKED if lock else _DUE, now=now, n=limit)
    return [Due(int(uid), seen) for uid, seen in rows]


async def take(runner: Runner, due: Due, next_due_at: datetime) -> bool:
    """Move a due reminder on to `next_due_at`, unless someone else already did (False)."""
    rows = await runner.run(_TAKE, next=next_due_at, uid=due.user_id, seen=due.seen)
    return bool(rows)


@dataclass(frozen=True)
class Learner:
    """What the loop needs to know about a learner to remind them."""

    user_id: int
    locale: str | None
    country: str | None
    bookmark: dict[str, Any] | None
    at: time
    last_sent_on: date | None
    broadcast_id: int | None


async def learner_of(runner: Runner, user_id: int) -> Learner | None:
    """The learner behind a reminder."""
    rows = await runner.run(_LEARNER, uid=user_id)
    if not rows:
        return None
    locale, country, bookmark, at, last, broadcast = rows[0]
    last_sent = as_date(last) if last is not None else None
    notice = int(broadcast) if broadcast is not None else None
    return Learner(user_id, locale, country, as_json(bookmark), _time(at), last_sent, notice)


async def reachable(runner: Runner, user_id: int, now: datetime) -> bool:
    """Whether a personal notice can reach them (consent, a channel that pushes, not blocked)."""
    where, params = audience_filter(Audience(user_ids=(user_id,), personal=True), now)
    # SQL text: admin.audience_filter writes the audience's WHERE on `users u` as text
    rows = await runner.run(f"SELECT 1 FROM users u WHERE {where}", **params)
    return bool(rows)


async def learned_on(runner: Runner, user_id: int, day: date) -> bool:
    """Whether the learner already learned something on that local date."""
    rows = await runner.run(_LEARNED_ON, uid=user_id, day=day)
    return bool(rows)


async def reviews_due(runner: Runner, user_id: int, now: datetime) -> int:
    """How many questions of their review deck are due."""
    return await SqlReviewDesk(runner, user_id).due_count(now)


async def assignments_of(runner: Runner, user_id: int) -> list[Assignment]:
    """The work of their classes, soonest deadline first, with their progress."""
    return await student_assignments(runner, user_id)


async def queue_reminder(
    runner: Runner, learner: Learner, texts: dict[str, str], today: date, now: datetime
) -> None:
    """Queue the reminder to the outbox as a personal notice (no announcement footer).

    One notice row per learner, its text renewed each day, so reminders do not pile up
    thousands of broadcasts; each day adds one outbox row.
    """
    broadcast_id = learner.broadcast_id
    if broadcast_id is not None:
        found = await runner.run(_RENEW_NOTICE, texts=texts, bid=broadcast_id)
        broadcast_id = broadcast_id if found else None
    if broadcast_id is None:
        audience = Audience(user_ids=(learner.user_id,), personal=True)
        rows = await runner.run(
            _NEW_NOTICE,
            texts=texts,
            audience=audience.as_dict(),
            now=now,
        )
        broadcast_id = int(rows[0][0])
    await runner.run(_SENT, today=today, bid=broadcast_id, uid=learner.user_id)
    await queue_broadcast(runner, broadcast_id, now)


def as_date(value: object) -> date:
    """SQLite gives a date back as text, PostgreSQL as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _time(value: object) -> time:
    """A stored "HH:MM"."""
    found = parse_time(str(value))
    assert found is not None
    return found
