""" "Ask my teacher" on SQL (the question part of the report desk, dialogs/report_ports.py):
a student's question from a lesson to a class taking questions, and the teacher's answer.

A student only reaches the classes they are in; a teacher only their own classes' questions.
"""

from __future__ import annotations

from datetime import datetime

from bot.storage.sql import Row, Runner, utc
from dialogs.report_ports import Asked, StudentQuestion

MAX_QUESTION = 1000  # characters of a question or an answer

_QUESTION = (
    "SELECT t.id, t.class_id, c.name, t.student_id, m.name, t.course_id, t.lesson_id, t.text,"
    " t.asked_at, u.locale FROM teacher_questions t JOIN classes c ON c.id = t.class_id"
    " JOIN users u ON u.id = t.student_id"
    " LEFT JOIN class_members m ON m.class_id = t.class_id AND m.user_id = t.student_id"
)


class SqlQuestions:
    """Students' questions for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now

    async def set_questions_open(self, class_id: int, is_open: bool) -> bool:
        """Allow or mute the class's questions; False if the class is not the teacher's."""
        rows = await self.runner.run(
            "UPDATE classes SET questions_open = :open WHERE id = :cid AND teacher_id = :owner"
            " RETURNING id",
            open=is_open,
            cid=class_id,
            owner=self.user_id,
        )
        return bool(rows)

    async def open_class(self) -> tuple[int, str] | None:
        """The class taking questions the student joined last: (id, name)."""
        rows = await self.runner.run(
            "SELECT c.id, c.name FROM classes c JOIN class_members m ON m.class_id = c.id"
            " WHERE m.user_id = :uid AND c.questions_open = :open"
            " ORDER BY m.joined_at DESC, c.id DESC LIMIT 1",
            uid=self.user_id,
            open=True,
        )
        return (int(rows[0][0]), str(rows[0][1])) if rows else None

    async def ask(self, class_id: int, course_id: str, lesson_id: str, text: str) -> Asked | None:
        """Store the student's question, if they are in the class and it takes questions."""
        found = await self.runner.run(
            "SELECT c.teacher_id, u.locale, m.name, c.name FROM classes c"
            " JOIN class_members m ON m.class_id = c.id JOIN users u ON u.id = c.teacher_id"
            " WHERE c.id = :cid AND m.user_id = :uid AND c.questions_open = :open",
            cid=class_id,
            uid=self.user_id,
            open=True,
        )
        if not found:
            return None
        teacher, locale, student_name, class_name = found[0]
        rows = await self.runner.run(
            "INSERT INTO teacher_questions (class_id, student_id, course_id, lesson_id, text,"
            " asked_at) VALUES (:cid, :uid, :course, :lesson, :text, :now) RETURNING id",
            cid=class_id,
            uid=self.user_id,
            course=course_id,
            lesson=lesson_id,
            text=text[:MAX_QUESTION],
            now=self.now,
        )
        return Asked(
            int(rows[0][0]),
            int(teacher),
            str(locale) if locale else None,
            str(student_name),
            str(class_name),
        )

    async def questions(self, class_id: int | None) -> list[StudentQuestion]:
        """Unanswered questions of one of the teacher's classes (None: all), oldest first."""
        only = " AND t.class_id = :cid" if class_id is not None else ""
        rows = await self.runner.run(
            f"{_QUESTION} WHERE c.teacher_id = :owner AND t.answered_at IS NULL{only}"
            " ORDER BY t.asked_at, t.id",
            owner=self.user_id,
            **({"cid": class_id} if class_id is not None else {}),
        )
        return [_question(row, self.now) for row in rows]

    async def answer(self, question_id: int, text: str) -> StudentQuestion | None:
        """Store the teacher's answer to an unanswered question of one of their classes."""
        rows = await self.runner.run(
            "UPDATE teacher_questions SET answer = :answer, answered_at = :now"
            " WHERE id = :qid AND answered_at IS NULL"
            " AND class_id IN (SELECT id FROM classes WHERE teacher_id = :owner) RETURNING id",
            answer=text[:MAX_QUESTION],
            now=self.now,
            qid=question_id,
            owner=self.user_id,
        )
        if not rows:
            return None
        found = await self.runner.run(f"{_QUESTION} WHERE t.id = :qid", qid=question_id)
        return _question(found[0], self.now)


def _question(row: Row, now: datetime) -> StudentQuestion:
    """A question from its row."""
    qid, cid, class_name, student, name, course, lesson, text, at, locale = row
    return StudentQuestion(
        int(qid),
        int(cid),
        str(class_name),
        int(student),
        str(name or "?"),
        str(course),
        str(lesson),
        str(text),
        utc(at) or now,
        str(locale) if locale else None,
    )
