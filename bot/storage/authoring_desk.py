"""Teachers' courses (dialogs/authoring_ports.py) inside the teacher's turn, kept as
course-format text, on SQL that SQLite and PostgreSQL both read."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.sql import Runner
from dialogs.authoring_ports import AuthoredCourse


class SqlAuthoringDesk:
    """AuthoringDesk for the teacher `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now or datetime.now(UTC)

    async def create(self, course_id: str, source: str, country: str) -> None:
        """A new draft."""
        await self.runner.run(
            "INSERT INTO authored_courses (course_id, author_id, status, visibility, country,"
            " source, created_at, updated_at) VALUES (:cid, :uid, 'draft', 'country',"
            " :country, :source, :now, :now)",
            cid=course_id,
            uid=self.user_id,
            country=country,
            source=source,
            now=self.now,
        )

    async def mine(self) -> list[AuthoredCourse]:
        """The current teacher's courses, newest first."""
        rows = await self.runner.run(
            "SELECT course_id, source, status, visibility FROM authored_courses"
            " WHERE author_id = :uid ORDER BY id DESC",
            uid=self.user_id,
        )
        return [AuthoredCourse(str(c), str(s), str(st), str(v)) for c, s, st, v in rows]

    async def get(self, course_id: str) -> AuthoredCourse | None:
        """One of the current teacher's courses."""
        return next((c for c in await self.mine() if c.course_id == course_id), None)

    async def save(self, course_id: str, source: str) -> None:
        """A new text for one of the current teacher's courses."""
        await self.runner.run(
            "UPDATE authored_courses SET source = :source, updated_at = :now"
            " WHERE course_id = :cid AND author_id = :uid",
            source=source,
            now=self.now,
            cid=course_id,
            uid=self.user_id,
        )

    async def publish(self, course_id: str, visibility: str) -> None:
        """Make a course visible to learners."""
        await self.runner.run(
            "UPDATE authored_courses SET status = 'published', visibility = :vis,"
            " published_at = :now, updated_at = :now WHERE course_id = :cid AND author_id = :uid",
            vis=visibility,
            now=self.now,
            cid=course_id,
            uid=self.user_id,
        )

    async def taken(self, course_id: str) -> bool:
        """Whether a course id is used by any teacher's course."""
        rows = await self.runner.run(
            "SELECT 1 FROM authored_courses WHERE course_id = :cid", cid=course_id
        )
        return bool(rows)
