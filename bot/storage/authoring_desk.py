"""Teachers' courses (dialogs/authoring_ports.py) inside the teacher's turn, kept as
course-format text, in Core statements that SQLite and PostgreSQL both run."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import bindparam, delete, select, update

from bot.storage import authored_files
from bot.storage.models import authored_courses, authored_media
from bot.storage.sql import Runner
from dialogs.authoring_ports import AuthoredCourse

_c = authored_courses.c
_m = authored_media.c
_CREATE = (
    authored_courses.insert()
    .inline()
    .values(
        course_id=bindparam("cid"),
        author_id=bindparam("uid"),
        status="draft",
        visibility="country",
        country=bindparam("country"),
        source=bindparam("source"),
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
)
_MINE = (
    select(_c.course_id, _c.source, _c.status, _c.visibility, _c.published_source)
    .where(_c.author_id == bindparam("uid"))
    .order_by(_c.id.desc())
)
_OURS = (_c.course_id == bindparam("cid"), _c.author_id == bindparam("uid"))
_SAVE = (
    update(authored_courses)
    .where(*_OURS)
    .values(source=bindparam("source"), updated_at=bindparam("now"))
)
_PUBLISH = (
    update(authored_courses)
    .where(*_OURS)
    .values(
        status="published",
        visibility=bindparam("vis"),
        published_source=_c.source,
        published_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
)
_DISCARD = (
    update(authored_courses)
    .where(*_OURS, _c.published_source.is_not(None))
    .values(source=_c.published_source, updated_at=bindparam("now"))
    .returning(_c.course_id)
)
_TAKEN = select(_c.id).where(_c.course_id == bindparam("cid"))
_THE_FILE = (_m.course_id == bindparam("cid"), _m.name == bindparam("name"))
_FORGET_FILE = delete(authored_media).where(*_THE_FILE)
_ADD_FILE = (
    authored_media.insert()
    .inline()
    .values(
        course_id=bindparam("cid"),
        name=bindparam("name"),
        mime=bindparam("mime"),
        data=bindparam("data"),
        created_at=bindparam("now"),
    )
)
_NAMES = select(_m.name).where(_m.course_id == bindparam("cid"))
_DATA = select(_m.data).where(*_THE_FILE)


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
            _CREATE,
            cid=course_id,
            uid=self.user_id,
            country=country,
            source=source,
            now=self.now,
        )

    async def mine(self) -> list[AuthoredCourse]:
        """The current teacher's courses, newest first."""
        rows = await self.runner.run(_MINE, uid=self.user_id)
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
            _SAVE,
            source=source,
            now=self.now,
            cid=course_id,
            uid=self.user_id,
        )

    async def publish(self, course_id: str, visibility: str) -> None:
        """Make the course's current text (its draft) what learners see."""
        await self.runner.run(
            _PUBLISH,
            vis=visibility,
            now=self.now,
            cid=course_id,
            uid=self.user_id,
        )

    async def discard(self, course_id: str) -> bool:
        """Put a published course's draft back to its published text; False when there is
        no published text to go back to."""
        rows = await self.runner.run(_DISCARD, now=self.now, cid=course_id, uid=self.user_id)
        return bool(rows)

    async def taken(self, course_id: str) -> bool:
        """Whether a course id is used by any teacher's course."""
        rows = await self.runner.run(_TAKEN, cid=course_id)
        return bool(rows)

    async def add_media(self, course_id: str, name: str, data: bytes, mime: str) -> None:
        """Keep a file of one of the current teacher's courses (a new one replaces it)."""
        if await self.get(course_id) is None or not authored_files.NAME.fullmatch(name):
            return
        (self.root / course_id / name).unlink(missing_ok=True)  # a stale copy on disk
        await self.runner.run(_FORGET_FILE, cid=course_id, name=name)
        await self.runner.run(
            _ADD_FILE,
            cid=course_id,
            name=name,
            mime=mime,
            data=data,
            now=self.now,
        )
        authored_files.write(authored_files.course_folder(self.root, course_id), name, data)

    async def media_names(self, course_id: str) -> set[str]:
        """The paths of a course's files."""
        rows = await self.runner.run(_NAMES, cid=course_id)
        return {str(name) for (name,) in rows}

    async def folder(self, course_id: str) -> Path:
        """The course's folder, with the files not written yet written out (local disk only)."""
        folder = authored_files.course_folder(self.root, course_id)
        for name in authored_files.missing(folder, await self.media_names(course_id)):
            rows = await self.runner.run(_DATA, cid=course_id, name=name)
            if rows:
                authored_files.write(folder, name, bytes(rows[0][0]))
        return folder

    def path_of(self, course_id: str) -> Path:
        """Where a course's text is parsed from: its media paths resolve in that folder."""
        return self.root / course_id / "course.md"
