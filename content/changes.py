"""What changed between two versions of a course (a teacher's published text and their
draft): lessons and questions added, removed or modified, and the header fields changed.
Positions in the file (`line`) are not changes: a lesson moved down by an edit above it is
the same lesson."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from content.model import Course, Lesson


@dataclass(frozen=True)
class CourseChanges:
    """Counts of what differs, from the published version to the draft."""

    lessons_added: int = 0
    lessons_removed: int = 0
    lessons_modified: int = 0
    questions_added: int = 0
    questions_removed: int = 0
    questions_modified: int = 0
    title: bool = False
    details: bool = False  # another header field (summary, levels, licence...)

    @property
    def none(self) -> bool:
        """Whether the two versions teach the same thing."""
        return self == CourseChanges()


def _bare(value: Any) -> Any:
    """A value without its positions in the file, comparable across versions."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(
            (f.name, _bare(getattr(value, f.name)))
            for f in dataclasses.fields(value)
            if f.name not in ("line", "source")
        )
    if isinstance(value, tuple | list):
        return tuple(_bare(item) for item in value)
    return value


def _questions(lesson: Lesson) -> dict[str, Any]:
    """A lesson's questions by id, bare."""
    return {q.id: _bare(q) for q in (lesson.quiz.questions if lesson.quiz else ())}


def _quiz_settings(course: Course) -> list[Any]:
    """Each quiz's settings (retry, pass mark...), without its questions."""
    return [
        (le.id, _bare(dataclasses.replace(le.quiz, questions=())))
        for le in course.lessons
        if le.quiz
    ]


def course_changes(old: Course, new: Course) -> CourseChanges:
    """What changed from `old` to `new`, lesson by lesson (by id) and question by question."""
    before = {lesson.id: lesson for lesson in old.lessons}
    after = {lesson.id: lesson for lesson in new.lessons}
    counts = dict.fromkeys(
        ("la", "lr", "lm", "qa", "qr", "qm"),
        0,
    )
    for lesson_id in before.keys() - after.keys():
        counts["lr"] += 1
        counts["qr"] += len(_questions(before[lesson_id]))
    for lesson_id in after.keys() - before.keys():
        counts["la"] += 1
        counts["qa"] += len(_questions(after[lesson_id]))
    for lesson_id in before.keys() & after.keys():
        was, now = before[lesson_id], after[lesson_id]
        old_q, new_q = _questions(was), _questions(now)
        counts["qr"] += len(old_q.keys() - new_q.keys())
        counts["qa"] += len(new_q.keys() - old_q.keys())
        counts["qm"] += sum(1 for q in old_q.keys() & new_q.keys() if old_q[q] != new_q[q])
        if (was.title, _bare(was.steps)) != (now.title, _bare(now.steps)):
            counts["lm"] += 1
    quiz_settings = _quiz_settings(old) != _quiz_settings(new)
    header = ("summary", "subject", "levels", "language", "licence", "authors", "countries")
    details = any(getattr(old, f) != getattr(new, f) for f in header)
    details = details or [le.id for le in old.lessons] != [le.id for le in new.lessons]
    details = details or _bare(old.modules) != _bare(new.modules) or quiz_settings
    details = details or (old.audience, old.objectives) != (new.audience, new.objectives)
    return CourseChanges(
        lessons_added=counts["la"],
        lessons_removed=counts["lr"],
        lessons_modified=counts["lm"],
        questions_added=counts["qa"],
        questions_removed=counts["qr"],
        questions_modified=counts["qm"],
        title=old.title != new.title,
        details=bool(details),
    )
