"""Teachers' courses (dialogs/authoring_ports.py) inside the teacher's turn, kept as
course-format text, on SQL that SQLite and PostgreSQL both read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.storage import authored_files
from bot.storage.sql import Runner
from dialogs.authoring_ports import AuthoredCourse


class SqlAuthoringDesk:
    """AuthoringDesk for the teacher `user_id`, on the turn's runner."""

    def __init__(
        self,
        runner: Runner,
        user_id: int,
        now: datetime | None = None,
        root: Path | None = None,
    ) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now or datetime.now(UTC)
        self.root = root or authored_files.default_root("sqlite://")

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
            "SELECT course_id, source, status, visibility, published_source FROM authored_courses"
            " WHERE author_id = :uid ORDER BY id DESC",
            uid=self.user_id,
        )
        return [
            AuthoredCourse(str(c), str(s), str(st), str(v), None if p is None else str(p))
            for c, s, st, v, p in rows
        ]

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
        """Make the course's current text (its draft) what learners see."""
        await self.runner.run(
            "UPDATE authored_courses SET status = 'published', visibility = :vis,"
            " published_source = source, published_at = :now, updated_at = :now"
            " WHERE course_id = :cid AND author_id = :uid",
            vis=visibility,
            now=self.now,
            cid=course_id,
            uid=self.user_id,
        )

    async def discard(self, course_id: str) -> bool:
        """Put a published course's draft back to its published text; False when there is
        no published text to go back to."""
        rows = await self.runner.run(
            "UPDATE authored_courses SET source = published_source, updated_at = :now"
            " WHERE course_id = :cid AND author_id = :uid AND published_source IS NOT NULL"
            " RETURNING course_id",
            now=self.now,
            cid=course_id,
            uid=self.user_id,
        )
        return bool(rows)

    async def taken(self, course_id: str) -> bool:
        """Whether a course id is used by any teacher's course."""
        rows = await self.runner.run(
            "SELECT 1 FROM authored_courses WHERE course_id = :cid", cid=course_id
        )
        return bool(rows)

    async def add_media(self, course_id: str, name: str, data: bytes, mime: str) -> None:
        """Keep a file of one of the current teacher's courses (a new one replaces it)."""
        if await self.get(course_id) is None or not authored_files.NAME.fullmatch(name):
            return
        (self.root / course_id / name).unlink(missing_ok=True)  # a stale copy on disk
        await self.runner.run(
            "DELETE FROM authored_media WHERE course_id = :cid AND name = :name",
            cid=course_id,
            name=name,
        )
        await self.runner.run(
            "INSERT INTO authored_media (course_id, name, mime, data, created_at)"
            " VALUES (:cid, :name, :mime, :data, :now)",
            cid=course_id,
            name=name,
            mime=mime,
            data=data,
            now=self.now,
        )
        authored_files.write(authored_files.course_folder(self.root, course_id), name, data)

    async def media_names(self, course_id: str) -> set[str]:
        """The paths of a course's files."""
        rows = await self.runner.run(
            "SELECT name FROM authored_media WHERE course_id = :cid", cid=course_id
        )
        return {str(name) for (name,) in rows}

    async def folder(self, course_id: str) -> Path:
        """The course's folder, with the files not written yet written out (local disk only)."""
        folder = authored_files.course_folder(self.root, course_id)
        for name in authored_files.missing(folder, await self.media_names(course_id)):
            rows = await self.runner.run(
                "SELECT data FROM authored_media WHERE course_id = :cid AND name = :name",
                cid=course_id,
                name=name,
            )
            if rows:
                authored_files.write(folder, name, bytes(rows[0][0]))
        return folder

    def path_of(self, course_id: str) -> Path:
        """Where a course's text is parsed from: its media paths resolve in that folder."""
        return self.root / course_id / "course.md"
