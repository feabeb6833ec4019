"""What the SMS channel keeps: a learner's STOP, and the texts they got today (their daily
budget); the parts each sent SMS cost, next to its delivery status (sent_messages).

Core statements that SQLite and PostgreSQL both run, between turns (bot/storage/channels.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import bindparam, func, null, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.models import sent_messages, sms_contacts, users
from bot.storage.sql import ByDialect, utc
from bot.storage.store import SqlStore

_c = sms_contacts.c
_NEW = {
    "user_id": bindparam("uid"),
    "day": bindparam("day"),
    "segments": 0,
    "told": bindparam("no"),
}
_ENSURE = ByDialect(
    sqlite=sqlite.insert(sms_contacts)
    .values(_NEW)
    .on_conflict_do_nothing(index_elements=[_c.user_id]),
    postgresql=postgresql.insert(sms_contacts)
    .values(_NEW)
    .on_conflict_do_nothing(index_elements=[_c.user_id]),
)
_USER = select(func.min(users.c.id)).where(
    users.c.channel == "sms", users.c.external_id == bindparam("ext")
)
_STOPPED = select(_c.stopped_at).where(_c.user_id == bindparam("uid"))
_STOP = (
    update(sms_contacts).where(_c.user_id == bindparam("uid")).values(stopped_at=bindparam("at"))
)
_RESUME = (
    update(sms_contacts)
    .where(_c.user_id == bindparam("uid"), _c.stopped_at.is_not(None))
    .values(stopped_at=null())
)
_DAY = select(_c.day, _c.told).where(_c.user_id == bindparam("uid"))
_SPENT = select(_c.day, _c.segments, _c.told).where(_c.user_id == bindparam("uid"))
_COUNT = (
    update(sms_contacts)
    .where(_c.user_id == bindparam("uid"))
    .values(day=bindparam("day"), segments=bindparam("used"), told=bindparam("told"))
)
_PARTS = (
    update(sent_messages)
    .where(sent_messages.c.id == bindparam("mid"))
    .values(segments=bindparam("parts"))
)


class Spend(Enum):
    """What the budget says about a text."""

    SEND = "send"  # within today's budget: counted, send it
    TELL = "tell"  # the budget is spent: tell the learner (once a day)
    SILENT = "silent"  # spent, and already told: nothing more today


class Standing(Enum):
    """Where a learner's day stands when they write."""

    OPEN = "open"  # their message goes through the dialogs
    SPENT = "spent"  # today's budget is spent and they were told: not handled today
    CUT = "cut"  # a reply was cut by an earlier day's budget: show them where they are first


class SmsStore:
    """SMS bookkeeping on the learners' database."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    async def user_id(self, external_id: str) -> int | None:
        """The row of the phone's account on SMS (None for a stranger)."""
        rows = await self.store.statement(_USER, ext=external_id)
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    async def stopped(self, user_id: int) -> bool:
        """Whether the learner sent STOP (and has not written since)."""
        rows = await self.store.statement(_STOPPED, uid=user_id)
        return bool(rows) and utc(rows[0][0]) is not None

    async def stop(self, user_id: int, at: datetime) -> bool:
        """Remember STOP; False if it was already so (a repeated STOP is not confirmed twice)."""
        if await self.stopped(user_id):
            return False
        await self.store.statement(_ENSURE, uid=user_id, day=at.date().isoformat(), no=False)
        await self.store.statement(_STOP, uid=user_id, at=at)
        return True

    async def resume(self, user_id: int) -> None:
        """The learner wrote again: texts may go to them again."""
        await self.store.statement(_RESUME, uid=user_id)

    async def standing(self, user_id: int, at: datetime) -> Standing:
        """Whether the learner's message is handled today (and how); a new day after a cut
        reply starts afresh, its budget whole."""
        rows = await self.store.statement(_DAY, uid=user_id)
        if not rows or not bool(rows[0][1]):
            return Standing.OPEN
        day = at.date().isoformat()
        if str(rows[0][0]) == day:
            return Standing.SPENT
        await self._count(user_id, day, 0, False)
        return Standing.CUT

    async def spend(self, user_id: int, parts: int, budget: int, at: datetime) -> Spend:
        """Count `parts` SMS against today's budget (0: no limit), or say it is spent."""
        day = at.date().isoformat()
        await self.store.statement(_ENSURE, uid=user_id, day=day, no=False)
        rows = await self.store.statement(_SPENT, uid=user_id)
        stored_day, used, told = str(rows[0][0]), int(rows[0][1]), bool(rows[0][2])
        if stored_day != day:
            used, told = 0, False
        if budget and used + parts > budget:
            if told:
                return Spend.SILENT
            await self._count(user_id, day, used, True)
            return Spend.TELL
        await self._count(user_id, day, used + parts, told)
        return Spend.SEND

    async def _count(self, user_id: int, day: str, used: int, told: bool) -> None:
        await self.store.statement(_COUNT, uid=user_id, day=day, used=used, told=told)

    async def record_parts(self, message_id: str, parts: int) -> None:
        """What a sent SMS cost, in parts (announcements' cost in /stats)."""
        await self.store.statement(_PARTS, mid=message_id, parts=parts)
