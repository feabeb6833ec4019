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

from sqlalchemy import bindparam, func, literal, or_, select, update

from bot.channels import longest_text, shortest_label
from bot.storage.models import course_translations
from bot.storage.sql import Runner
from content.library import Library
from content.model import Course
from content.translation_units import with_units
from dialogs.course_translation_ports import CourseProposal, Entry
from dialogs.translation_ports import ACCEPTED, EDITED, PROPOSED, REVIEWED, UNCLEAR

Reviewed = dict[tuple[str, str], dict[str, tuple[str, str]]]  # (course, lang) -> key -> text

_t = course_translations.c
_BY_SOMEONE_ELSE = or_(_t.author_id.is_(None), _t.author_id != bindparam("me"))
_REVIEWED = (
    select(_t.course_id, _t.lang, _t.key, _t.text, _t.mark)
    .where(_t.status.in_((literal(ACCEPTED), literal(EDITED))))
    .order_by(_t.reviewed_at, _t.id)
)
_ENTRIES = (
    select(_t.key, _t.text, _t.mark, _t.status, _t.author_id)
    .where(
        _t.course_id == bindparam("course"),
        _t.lang == bindparam("lang"),
        or_(
            _t.status.in_((literal(PROPOSED), literal(ACCEPTED), literal(EDITED))),
            (_t.status == bindparam("unclear")) & (_t.author_id == bindparam("me")),
        ),
    )
    .order_by(_t.id)
)
_ADD = (
    course_translations.insert()
    .values(
        course_id=bindparam("course"),
        lang=bindparam("lang"),
        key=bindparam("key"),
        source=bindparam("source"),
        mark=bindparam("mark"),
        text=bindparam("text"),
        status=bindparam("status"),
        author_id=bindparam("me"),
        created_at=bindparam("now"),
    )
    .returning(_t.id)
)
_TO_REVIEW = (
    select(_t.id, _t.key, _t.source, _t.mark, _t.text)
    .where(
        _t.course_id == bindparam("course"),
        _t.lang == bindparam("lang"),
        _t.status == bindparam("s"),
        _BY_SOMEONE_ELSE,
    )
    .order_by(_t.id)
)
_WAITING = (
    select(_t.course_id, func.count())
    .where(_t.lang == bindparam("lang"), _t.status == bindparam("s"), _BY_SOMEONE_ELSE)
    .group_by(_t.course_id)
)
_first = func.min(_t.id).label("first")
_UNCLEAR = (
    select(_t.key, _first)
    .where(
        _t.course_id == bindparam("course"),
        _t.lang == bindparam("lang"),
        _t.status == bindparam("unclear"),
    )
    .group_by(_t.key)
    .order_by(_first)
)
_REVIEW = (
    update(course_translations)
    .where(_t.id == bindparam("tid"), _t.status == bindparam("proposed"), _BY_SOMEONE_ELSE)
    .values(status=bindparam("verdict"), reviewer_id=bindparam("me"), reviewed_at=bindparam("now"))
    .returning(_t.id)
)
_EDIT = update(course_translations).where(_t.id == bindparam("tid")).values(text=bindparam("text"))


async def reviewed_texts(runner: Runner) -> Reviewed:
    """(course id, lang) -> key -> (text, mark) of its latest reviewed translation."""
    rows = await runner.run(_REVIEWED)
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
            _ENTRIES,
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
            _ADD,
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
            _TO_REVIEW,
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
        rows = await self.runner.run(_WAITING, lang=lang, s=PROPOSED, me=self.user_id)
        return {str(course): int(n) for course, n in rows}

    async def unclear(self, course_id: str, lang: str) -> list[str]:
        """The keys of the course's texts flagged unclear by translators of `lang`, the
        first flagged first."""
        rows = await self.runner.run(_UNCLEAR, course=course_id, lang=lang, unclear=UNCLEAR)
        return [str(row[0]) for row in rows]

    async def review(self, proposal_id: int, verdict: str, text: str = "") -> bool:
        """Accept, edit or reject someone else's waiting proposal."""
        rows = await self.runner.run(
            _REVIEW,
            verdict=verdict,
            me=self.user_id,
            now=self.now,
            tid=proposal_id,
            proposed=PROPOSED,
        )
        if not rows:
            return False
        if text and verdict in REVIEWED:
            await self.runner.run(_EDIT, text=text, tid=proposal_id)
        return True
