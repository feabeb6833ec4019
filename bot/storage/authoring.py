"""Teachers' published courses, read for the library (the desk is in authoring_desk.py)."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.storage.sql import PgRunner, SqliteRunner
from bot.storage.store import SqlStore
from content.format import CourseFormatError, parse_course
from content.model import Course

log = logging.getLogger("imaginecole.authoring")

AUTHORED_ROOT = Path("authored")  # where a teacher's course "lives" for error messages


def source_path(course_id: str) -> Path:
    """The path a teacher's course is named by in messages (it has no file)."""
    return AUTHORED_ROOT / course_id / "course.md"


def as_course(source: str, course_id: str) -> Course:
    """Parse a teacher's course text (raises CourseFormatError with line and column)."""
    return parse_course(source, source_path(course_id))


async def published_courses(store: SqlStore) -> list[Course]:
    """Every published teacher's course, parsed; a course that no longer parses is skipped."""
    sql = (
        "SELECT course_id, source FROM authored_courses WHERE status = 'published'"
        " ORDER BY course_id"
    )
    if store.on_sqlite:
        async with store.sqlite_transaction() as db:
            rows = await SqliteRunner(db).run(sql)
    else:
        async with store.engine.connect() as conn:
            rows = await PgRunner(conn).run(sql)
    courses = []
    for course_id, source in rows:
        try:
            courses.append(as_course(str(source), str(course_id)))
        except CourseFormatError as error:
            log.warning("published course %s does not parse: %s", course_id, error.msgid)
    return courses
