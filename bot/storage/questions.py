""" "Ask my teacher" in Core statements (the question part of the report desk,
dialogs/report_ports.py): a student's question from a lesson to a class taking questions, and
the teacher's answer.

A student only reaches the classes they are in; a teacher only their own classes' questions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update

from bot.storage.models import class_members, classes, teacher_questions, users
from bot.storage.sql import Row, Runner, utc
from dialogs.report_ports import Asked, StudentQuestion

MAX_QUESTION = 1000  # characters of a question or an answer

t, c, m = teacher_questions, classes, class_members  # as the statements name them
_QUESTION = (
    select(
        t.c.id,
        t.c.class_id,
        c.c.name,
        t.c.student_id,
        m.c.name,
        t.c.course_id,
        t.c.lesson_id,
        t.c.text,
        t.c.asked_at,
        users.c.locale,
    )
    .join(c, c.c.id == t.c.class_id)
    .join(users, users.c.id == t.c.student_id)
    .outerjoin(m, (m.c.class_id == t.c.class_id) & (m.c.user_id == t.c.student_id))
)
_SET_OPEN = (
    update(c)
    .where(c.c.id == bindparam("cid"), c.c.teacher_id == bindparam("owner"))
    .values(questions_open=bindparam("open"))
    .returning(c.c.id)
)
_OPEN_CLASS = (
    select(c.c.id, c.c.name)
    .join(m, m.c.class_id == c.c.id)
    .where(m.c.user_id == bindparam("uid"), c.c.questions_open == bindparam("open"))
    .order_by(m.c.joined_at.desc(), c.c.id.desc())
    .limit(1)
)
_TEACHER = (
    select(c.c.teacher_id, users.c.locale, m.c.name, c.c.name)
    .join(m, m.c.class_id == c.c.id)
    .join(users, users.c.id == c.c.teacher_id)
    .where(
        c.c.id == bindparam("cid"),
        m.c.user_id == bindparam("uid"),
        c.c.questions_open == bindparam("open"),
    )
)
_ASK = (
    insert(t)
    .values(
        class_id=bindparam("cid"),
        student_id=bindparam("uid"),
        course_id=bindparam("course"),
        lesson_id=bindparam("lesson"),
        text=bindparam("text"),
        asked_at=bindparam("now"),
    )
    .returning(t.c.id)
)
_UNANSWERED = _QUESTION.where(c.c.teacher_id == bindparam("owner"), t.c.answered_at.is_(None))
_ALL_UNANSWERED = _UNANSWERED.order_by(t.c.asked_at, t.c.id)
_CLASS_UNANSWERED = _UNANSWERED.where(t.c.class_id == bindparam("cid")).order_by(
    t.c.asked_at, t.c.id
)
_ANSWER = (
    update(t)
    .where(
        t.c.id == bindparam("qid"),
        t.c.answered_at.is_(None),
        t.c.class_id.in_(select(c.c.id).where(c.c.teacher_id == bindparam("owner"))),
    )
    .values(answer=bindparam("answer"), answered_at=bindparam("now"))
    .returning(t.c.id)
)
_ONE = _QUESTION.where(t.c.id == bindparam("qid"))


class SqlQuestions:
    """Students' questions for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime) -> None:
        self.runner = runner
        self.user_id = user_id
        self.now = now

    async def set_questions_open(self, class_id: int, is_open: bool) -> bool:
        """Allow or mute the class's questions; False if the class is not the teacher's."""
        rows = await self.runner.run(
            _SET_OPEN,
            open=is_open,
            cid=class_id,
            owner=self.user_id,
        )
        return bool(rows)

    async def open_class(self) -> tuple[int, str] | None:
        """The class taking questions the student joined last: (id, name)."""
        rows = await self.runner.run(_OPEN_CLASS, uid=self.user_id, open=True)
        return (int(rows[0][0]), str(rows[0][1])) if rows else None

    async def ask(self, class_id: int, course_id: str, lesson_id: str, text: str) -> Asked | None:
        """Store the student's question, if they are in the class and it takes questions."""
        found = await self.runner.run(_TEACHER, cid=class_id, uid=self.user_id, open=True)
        if not found:
            return None
        teacher, locale, student_name, class_name = found[0]
        rows = await self.runner.run(
            _ASK,
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
        if class_id is None:
            rows = await self.runner.run(_ALL_UNANSWERED, owner=self.user_id)
        else:
            rows = await self.runner.run(_CLASS_UNANSWERED, owner=self.user_id, cid=class_id)
        return [_question(row, self.now) for row in rows]

    async def answer(self, question_id: int, text: str) -> StudentQuestion | None:
        """Store the teacher's answer to an unanswered question of one of their classes."""
        rows = await self.runner.run(
            _ANSWER,
            answer=text[:MAX_QUESTION],
            now=self.now,
            qid=question_id,
            owner=self.user_id,
        )
        if not rows:
            return None
        found = await self.runner.run(_ONE, qid=question_id)
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
