"""Courses translated in the chat, kept in `course_translations`, and laid over the library.

Each row is one text of a course (content/translation_units.py) in one language: proposed,
then reviewed by someone else (accepted or edited) or rejected; or its French flagged
unclear. `reviewed_texts` reads the latest reviewed text of every unit; `with_reviewed`
lays them over the courses (their `course.<lang>.md` files) each time a worker reads its
library again (after a review in its own turn at once, every LIBRARY_REFRESH otherwise), so
learners read them without a restart; `python -m bot catalogs export-courses` writes them
into the course folders to be committed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from bot.channels import longest_text, shortest_label
from bot.storage.sql import Runner
from content.library import Library
from content.model import Course
from content.translation_units import with_units
from dialogs.course_translation_ports import CourseProposal, Entry
from dialogs.translation_ports import PROPOSED, REVIEWED, UNCLEAR

_REVIEWED_SQL = "('accepted', 'edited')"
Reviewed = dict[tuple[str, str], dict[str, tuple[str, str]]]  # (course, lang) -> key -> text


async def reviewed_texts(runner: Runner) -> Reviewed:
    """(course id, lang) -> key -> (text, mark) of its latest reviewed translation."""
    rows = await runner.run(
        "SELECT course_id, lang, key, text, mark FROM course_translations"
        f" WHERE status IN {_REVIEWED_SQL} ORDER BY reviewed_at, id"
    )
    found: Reviewed = {}
    for course_id, lang, key, text, mark in rows:
        found.setdefault((str(course_id), str(lang)), {})[str(key)] = (str(text), str(mark))
    return found


def with_reviewed(library: Library, reviewed: Reviewed) -> Library:
    """The library with the reviewed texts laid over its courses (a course gone is skipped)."""
    if not reviewed:
        return library
    return Library(laid_over(library.courses, reviewed), library.restricted)


def laid_over(courses: Iterable[Course], reviewed: Reviewed) -> list[Course]:
    """The given courses with their reviewed texts."""
    found = []
    for course in courses:
        for (course_id, lang), texts in sorted(reviewed.items()):
            if course_id == course.id:
                course = with_units(course, lang, texts)
        found.append(course)
    return found


class SqlCourseTranslationDesk:
    """The CourseTranslationDesk port (dialogs/course_translation_ports.py) in a turn."""

    label_limit = shortest_label()  # what the channels' registry says
    text_limit = longest_text()

    def __init__(self, runner: Runner, user_id: int | None, now: datetime | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now or datetime.now(UTC)

    async def entries(self, course_id: str, lang: str) -> dict[str, Entry]:
        """key -> its latest waiting or reviewed row (or the person's own flag)."""
        rows = await self.runner.run(
            "SELECT key, text, mark, status, author_id FROM course_translations"
            " WHERE course_id = :course AND lang = :lang AND (status IN"
            " ('proposed', 'accepted', 'edited') OR (status = :unclear AND author_id = :me))"
            " ORDER BY id",
            course=course_id,
            lang=lang,
            unclear=UNCLEAR,
            me=self.user_id,
        )
        found: dict[str, Entry] = {}
        for key, text, mark, status, author in rows:
            mine = author is not None and author == self.user_id
            found[str(key)] = Entry(str(key), str(text), str(mark), str(status), mine)
        return found

    async def _add(
        self, course_id: str, lang: str, key: str, source: str, mark: str, text: str, status: str
    ) -> int:
        rows = await self.runner.run(
            "INSERT INTO course_translations (course_id, lang, key, source, mark, text, status,"
            " author_id, created_at) VALUES (:course, :lang, :key, :source, :mark, :text,"
            " :status, :me, :now) RETURNING id",
            course=course_id,
            lang=lang,
            key=key,
            source=source,
            mark=mark,
            text=text,
            status=status,
            me=self.user_id,
            now=self.now,
        )
        return int(rows[0][0])

    async def propose(
        self, course_id: str, lang: str, key: str, source: str, mark: str, text: str
    ) -> int:
        """A proposal by the current person."""
        return await self._add(course_id, lang, key, source, mark, text, PROPOSED)

    async def flag_unclear(
        self, course_id: str, lang: str, key: str, source: str, mark: str
    ) -> None:
        """The current person finds the French unclear."""
        await self._add(course_id, lang, key, source, mark, "", UNCLEAR)

    async def next_to_review(
        self, course_id: str, lang: str, skipped: Collection[int]
    ) -> CourseProposal | None:
        """The oldest proposal of the course and language by someone else."""
        rows = await self.runner.run(
            "SELECT id, key, source, mark, text FROM course_translations WHERE course_id ="
            " :course AND lang = :lang AND status = :s AND (author_id IS NULL OR author_id"
            " <> :me) ORDER BY id",
            course=course_id,
            lang=lang,
            s=PROPOSED,
            me=self.user_id,
        )
        for found_id, key, source, mark, text in rows:
            if int(found_id) not in skipped:
                return CourseProposal(
                    int(found_id), course_id, lang, str(key), str(source), str(mark), str(text)
                )
        return None

    async def waiting(self, lang: str) -> dict[str, int]:
        """course id -> proposals by someone else waiting in `lang`."""
        rows = await self.runner.run(
            "SELECT course_id, COUNT(*) FROM course_translations WHERE lang = :lang AND status"
            " = :s AND (author_id IS NULL OR author_id <> :me) GROUP BY course_id",
            lang=lang,
            s=PROPOSED,
            me=self.user_id,
        )
        return {str(course): int(n) for course, n in rows}

    async def unclear(self, course_id: str, lang: str) -> list[str]:
        """The keys of the course's texts flagged unclear by translators of `lang`, the
        first flagged first."""
        rows = await self.runner.run(
            "SELECT key, MIN(id) AS first FROM course_translations WHERE course_id = :course"
            " AND lang = :lang AND status = :unclear GROUP BY key ORDER BY first",
            course=course_id,
            lang=lang,
            unclear=UNCLEAR,
        )
        return [str(row[0]) for row in rows]

    async def review(self, proposal_id: int, verdict: str, text: str = "") -> bool:
        """Accept, edit or reject someone else's waiting proposal."""
        rows = await self.runner.run(
            "UPDATE course_translations SET status = :verdict, reviewer_id = :me,"
            " reviewed_at = :now WHERE id = :id AND status = :proposed AND (author_id IS NULL"
            " OR author_id <> :me) RETURNING id",
            verdict=verdict,
            me=self.user_id,
            now=self.now,
            id=proposal_id,
            proposed=PROPOSED,
        )
        if not rows:
            return False
        if text and verdict in REVIEWED:
            await self.runner.run(
                "UPDATE course_translations SET text = :text WHERE id = :id",
                text=text,
                id=proposal_id,
            )
        return True
