"""Teachers' published courses, read for the library (the desk is in authoring_desk.py)."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import bindparam, func, select

from bot.storage import authored_files
from bot.storage.models import authored_courses, authored_media
from bot.storage.sql import Runner
from bot.storage.store import SqlStore
from content.format import CourseFormatError, parse_course
from content.model import Course
from dialogs.sharing_ports import CLASSES

log = logging.getLogger("imaginecole.authoring")

AUTHORED_ROOT = Path("authored")  # where a teacher's course "lives" for error messages

courses, media = authored_courses, authored_media  # as the statements name them
_PUBLISHED = (
    select(
        courses.c.course_id,
        # What learners see is the text as last published, never the teacher's draft.
        func.coalesce(courses.c.published_source, courses.c.source),
        courses.c.visibility,
    )
    .where(courses.c.status == "published")
    .order_by(courses.c.course_id)
)
_PUBLISHED_MEDIA = (
    select(media.c.course_id, media.c.name)
    .join(courses, courses.c.course_id == media.c.course_id)
    .where(courses.c.status == "published")
)
_MEDIA_DATA = select(media.c.data).where(
    media.c.course_id == bindparam("cid"), media.c.name == bindparam("name")
)


def source_path(course_id: str) -> Path:
    """The path a teacher's course is named by in messages (it has no file)."""
    return AUTHORED_ROOT / course_id / "course.md"


def as_course(source: str, course_id: str, root: Path | None = None) -> Course:
    """Parse a teacher's course text (raises CourseFormatError with line and column); with
    `root`, where its files are written out (authored_files.py), its media paths resolve."""
    if root is None:
        return parse_course(source, source_path(course_id))
    return parse_course(source, authored_files.course_folder(root, course_id) / "course.md")


async def published_courses(store: SqlStore) -> list[Course]:
    """Every published teacher's course, parsed; a course that no longer parses is skipped."""
    return (await published_library(store))[0]


async def published_library(store: SqlStore) -> tuple[list[Course], frozenset[str]]:
    """Every published teacher's course, parsed (a course that no longer parses is skipped),
    and the ids of those published for the author's classes only (Library.restricted)."""
    async with store.transaction() as runner:
        rows = await runner.run(_PUBLISHED)
        await _write_media(runner, store.authored_dir)
    courses = []
    for course_id, source, _ in rows:
        try:
            courses.append(as_course(str(source), str(course_id), store.authored_dir))
        except CourseFormatError as error:
            log.warning("published course %s does not parse: %s", course_id, error.msgid)
    return courses, frozenset(str(c) for c, _, visibility in rows if visibility == CLASSES)


async def _write_media(runner: Runner, root: Path) -> None:
    """Write out the files of published courses that are not on this machine's disk yet."""
    names = await runner.run(_PUBLISHED_MEDIA)
    for course_id, name in names:
        folder = authored_files.course_folder(root, str(course_id))
        if not authored_files.missing(folder, [str(name)]):
            continue
        rows = await runner.run(_MEDIA_DATA, cid=str(course_id), name=str(name))
        if rows:
            authored_files.write(folder, str(name), bytes(rows[0][0]))
