"""Events of circles and discussion threads of shared courses (dialogs/event_ports.py), on
SQL that SQLite and PostgreSQL both read, inside the person's turn.

An event's reminder is a scheduled personal notice whose audience names the event, not
people: the outbox reads `event_attendees` when it queues the reminder, an hour before, so
whoever said "I will come" by then gets it, and whoever changed their mind does not.

A course's thread is the circle of its subject and level, its messages tagged with the
course: members get them like any message of the circle, the course's page shows its own.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.circles import _POSTS, SqlCircleDesk
from bot.storage.sql import Runner, utc
from dialogs.circle_ports import CirclePost
from dialogs.event_ports import CircleEvent

MAX_TITLE = 120
MAX_LINK = 300


class SqlEventDesk:
    """EventDesk for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now or datetime.now(UTC)

    async def announce(self, circle_id: int, title: str, link: str, starts_at: datetime) -> int:
        """A new event of a circle; its id."""
        rows = await self.runner.run(
            "INSERT INTO circle_events (circle_id, title, link, starts_at, created_by,"
            " created_at) VALUES (:cid, :title, :link, :at, :uid, :now) RETURNING id",
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
        await self.runner.run(
            "UPDATE circle_events SET reminder_id = :bid WHERE id = :id",
            bid=broadcast_id,
            id=event_id,
        )

    async def upcoming(self, circle_id: int) -> list[CircleEvent]:
        """The events of a circle not started yet, soonest first."""
        rows = await self.runner.run(
            "SELECT e.id, e.title, e.link, e.starts_at,"
            " (SELECT COUNT(*) FROM event_attendees a WHERE a.event_id = e.id),"
            " (SELECT COUNT(*) FROM event_attendees a WHERE a.event_id = e.id"
            " AND a.user_id = :uid)"
            " FROM circle_events e WHERE e.circle_id = :cid AND e.starts_at > :now"
            " ORDER BY e.starts_at, e.id",
            cid=circle_id,
            uid=self.user_id,
            now=self.now,
        )
        return [
            CircleEvent(int(i), circle_id, str(t), str(link), utc(at) or self.now, int(n), bool(me))
            for i, t, link, at, n, me in rows
        ]

    async def come(self, event_id: int, coming: bool) -> None:
        """The current person will come (True) or no longer comes (False)."""
        if not coming:
            await self.runner.run(
                "DELETE FROM event_attendees WHERE event_id = :eid AND user_id = :uid",
                eid=event_id,
                uid=self.user_id,
            )
            return
        await self.runner.run(
            "INSERT INTO event_attendees (event_id, user_id, answered_at)"
            " VALUES (:eid, :uid, :now) ON CONFLICT DO NOTHING",
            eid=event_id,
            uid=self.user_id,
            now=self.now,
        )

    async def members(self, circle_id: int) -> list[tuple[int, str]]:
        """The other members of a circle, with their country: (user id, country)."""
        rows = await self.runner.run(
            "SELECT m.user_id, u.country FROM circle_members m JOIN users u ON u.id = m.user_id"
            " WHERE m.circle_id = :cid AND m.user_id <> :uid ORDER BY m.user_id",
            cid=circle_id,
            uid=self.user_id,
        )
        return [(int(uid), str(country or "")) for uid, country in rows]


class SqlThreadDesk:
    """ThreadDesk for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now or datetime.now(UTC)

    async def circle_of(self, subject: str, level_group: str) -> int | None:
        """The open circle of a subject and level group (the oldest), if there is one."""
        rows = await self.runner.run(
            "SELECT id FROM circles WHERE subject = :subject AND level_group = :level"
            " ORDER BY id LIMIT 1",
            subject=subject,
            level=level_group,
        )
        return int(rows[0][0]) if rows else None

    async def thread(self, circle_id: int, course_id: str, limit: int) -> list[CirclePost]:
        """The last messages of a course's thread, oldest first."""
        rows = await self.runner.run(
            f"{_POSTS} WHERE m.circle_id = :cid AND m.course_id = :course"
            " AND m.status = 'relayed' ORDER BY m.id DESC LIMIT :n",
            cid=circle_id,
            course=course_id,
            n=limit,
        )
        circles = SqlCircleDesk(self.runner, self.user_id, self.now)
        return await circles._posts(list(reversed(rows)))

    async def tag(self, message_id: int, course_id: str) -> None:
        """File a circle message in a course's thread."""
        await self.runner.run(
            "UPDATE circle_messages SET course_id = :course WHERE id = :id",
            course=course_id,
            id=message_id,
        )
