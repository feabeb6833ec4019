"""Events of circles and discussion threads of shared courses (dialogs/event_ports.py), in
Core statements (bot/storage/sql.py), inside the person's turn.

An event's reminder is a scheduled personal notice whose audience names the event, not
people: the outbox reads `event_attendees` when it queues the reminder, an hour before, so
whoever said "I will come" by then gets it, and whoever changed their mind does not.

A course's thread is the circle of its subject and level, its messages tagged with the
course: members get them like any message of the circle, the course's page shows its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ClauseElement

from bot.storage.circles import _POSTS, SqlCircleDesk
from bot.storage.models import (
    circle_events,
    circle_members,
    circle_messages,
    circles,
    event_attendees,
    users,
)
from bot.storage.sql import ByDialect, Runner, utc
from dialogs.circle_ports import CirclePost
from dialogs.event_ports import CircleEvent

# sqlite.insert or postgresql.insert: the same upsert API, written once for both engines
Insert = Callable[[Table], sqlite.Insert | postgresql.Insert]

MAX_TITLE = 120
MAX_LINK = 300
_E = circle_events.c
_A = event_attendees.c
_M = circle_messages.c


def _come(insert_: Insert) -> ClauseElement:
    """Someone will come, said once (sqlite.insert or postgresql.insert)."""
    return (
        insert_(event_attendees)
        .values(event_id=bindparam("eid"), user_id=bindparam("uid"), answered_at=bindparam("now"))
        .on_conflict_do_nothing()
    )


_ANNOUNCE = (
    insert(circle_events)
    .values(
        circle_id=bindparam("cid"),
        title=bindparam("title"),
        link=bindparam("link"),
        starts_at=bindparam("at"),
        created_by=bindparam("uid"),
        created_at=bindparam("now"),
    )
    .returning(_E.id)
)
_SET_REMINDER = (
    update(circle_events).where(_E.id == bindparam("eid")).values(reminder_id=bindparam("bid"))
)
_COMING = select(func.count()).select_from(event_attendees).where(_A.event_id == _E.id)
_UPCOMING = (
    select(
        _E.id,
        _E.title,
        _E.link,
        _E.starts_at,
        _COMING.scalar_subquery(),
        _COMING.where(_A.user_id == bindparam("uid")).scalar_subquery(),
    )
    .where(_E.circle_id == bindparam("cid"), _E.starts_at > bindparam("now"))
    .order_by(_E.starts_at, _E.id)
)
_NOT_COMING = delete(event_attendees).where(
    _A.event_id == bindparam("eid"), _A.user_id == bindparam("uid")
)
_COME = ByDialect(sqlite=_come(sqlite.insert), postgresql=_come(postgresql.insert))
_MEMBERS = (
    select(circle_members.c.user_id, users.c.country)
    .join(users, users.c.id == circle_members.c.user_id)
    .where(
        circle_members.c.circle_id == bindparam("cid"), circle_members.c.user_id != bindparam("uid")
    )
    .order_by(circle_members.c.user_id)
)
_CIRCLE_OF = (
    select(circles.c.id)
    .where(circles.c.subject == bindparam("subject"), circles.c.level_group == bindparam("level"))
    .order_by(circles.c.id)
    .limit(1)
)
_THREAD = (
    _POSTS.where(
        _M.circle_id == bindparam("cid"),
        _M.course_id == bindparam("course"),
        _M.status == "relayed",
    )
    .order_by(_M.id.desc())
    .limit(bindparam("n"))
)
_TAG = (
    update(circle_messages).where(_M.id == bindparam("mid")).values(course_id=bindparam("course"))
)


class SqlEventDesk:
    """EventDesk for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now or datetime.now(UTC)

    async def announce(self, circle_id: int, title: str, link: str, starts_at: datetime) -> int:
        """A new event of a circle; its id."""
        rows = await self.runner.run(
            _ANNOUNCE,
            cid=circle_id,
            title=title[:MAX_TITLE],
            link=link[:MAX_LINK],
            at=starts_at.astimezone(UTC),
            uid=self.user_id,
            now=self.now,
        )
        return int(rows[0][0])

    async def set_reminder(self, event_id: int, broadcast_id: int) -> None:
        """Remember the scheduled notice that reminds those who will come."""
        await self.runner.run(_SET_REMINDER, bid=broadcast_id, eid=event_id)

    async def upcoming(self, circle_id: int) -> list[CircleEvent]:
        """The events of a circle not started yet, soonest first."""
        rows = await self.runner.run(_UPCOMING, cid=circle_id, uid=self.user_id, now=self.now)
        return [
            CircleEvent(int(i), circle_id, str(t), str(link), utc(at) or self.now, int(n), bool(me))
            for i, t, link, at, n, me in rows
        ]

    async def come(self, event_id: int, coming: bool) -> None:
        """The current person will come (True) or no longer comes (False)."""
        if not coming:
            await self.runner.run(_NOT_COMING, eid=event_id, uid=self.user_id)
            return
        await self.runner.run(_COME, eid=event_id, uid=self.user_id, now=self.now)

    async def members(self, circle_id: int) -> list[tuple[int, str]]:
        """The other members of a circle, with their country: (user id, country)."""
        rows = await self.runner.run(_MEMBERS, cid=circle_id, uid=self.user_id)
        return [(int(uid), str(country or "")) for uid, country in rows]


class SqlThreadDesk:
    """ThreadDesk for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now or datetime.now(UTC)

    async def circle_of(self, subject: str, level_group: str) -> int | None:
        """The open circle of a subject and level group (the oldest), if there is one."""
        rows = await self.runner.run(_CIRCLE_OF, subject=subject, level=level_group)
        return int(rows[0][0]) if rows else None

    async def thread(self, circle_id: int, course_id: str, limit: int) -> list[CirclePost]:
        """The last messages of a course's thread, oldest first."""
        rows = await self.runner.run(_THREAD, cid=circle_id, course=course_id, n=limit)
        circles = SqlCircleDesk(self.runner, self.user_id, self.now)
        return await circles._posts(list(reversed(rows)))

    async def tag(self, message_id: int, course_id: str) -> None:
        """File a circle message in a course's thread."""
        await self.runner.run(_TAG, course=course_id, mid=message_id)
