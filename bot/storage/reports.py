"""The report desk (dialogs/report_ports.py): class reports and essay grading, in Core
statements that SQLite and PostgreSQL both run, inside the teacher's turn.

Every statement joins `classes` on `teacher_id = ` the current person: a teacher only ever
reads or grades their own classes' students, whatever ids a forged state carries. PostgreSQL
types a parameter by its first use, so one value used in two places gets two names.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Select, bindparam, func, null, or_, select, union, update

from bot.storage.admin import queue_notice
from bot.storage.answers import answers_of
from bot.storage.answers import question_stats as stats_of
from bot.storage.models import (
    class_members,
    classes,
    essay_answers,
    guardians,
    lesson_progress,
    question_answers,
    quiz_attempts,
    skill_mastery,
    teacher_questions,
    users,
)
from bot.storage.questions import SqlQuestions
from bot.storage.sql import Row, Runner, utc
from dialogs.report_ports import (
    AbsentFamily,
    Essay,
    GivenAnswer,
    PageFigures,
    QuestionStat,
    QuizResult,
    StudentProgress,
)

m = class_members.alias("m")
c = classes.alias("c")
# One of the current teacher's classes: needs :cid and :owner.
_THEIRS = (c.c.id == bindparam("cid"), c.c.teacher_id == bindparam("owner"))


def _members(cid: str, owner: str) -> Select[tuple[int]]:
    """The students of one of the current teacher's classes (`cid`, `owner` parameters)."""
    return (
        select(m.c.user_id)
        .join_from(m, c, c.c.id == m.c.class_id)
        .where(c.c.id == bindparam(cid), c.c.teacher_id == bindparam(owner))
    )


# The students of one of the current teacher's classes: needs :cid and :owner.
MEMBERS = _members("cid", "owner")
MEMBERS2 = _members("cid2", "owner2")
_IN_CLASS = MEMBERS.scalar_subquery()
lp = lesson_progress.c
qa = question_answers.c
_COURSES = union(
    select(lp.course_id).where(lp.user_id.in_(_IN_CLASS)),
    select(qa.course_id).where(qa.user_id.in_(MEMBERS2.scalar_subquery())),
).order_by(lp.course_id)
_PEOPLE = (
    select(m.c.user_id, m.c.name, users.c.last_seen_at)
    .join_from(m, c, c.c.id == m.c.class_id)
    .join(users, users.c.id == m.c.user_id)
    .where(*_THEIRS)
    .order_by(m.c.name, m.c.user_id)
)
_DONE = (
    select(lp.user_id, lp.course_id, func.count())
    .where(lp.user_id.in_(_IN_CLASS))
    .group_by(lp.user_id, lp.course_id)
)
q = quiz_attempts.alias("q")
_RESULTS = (
    select(
        q.c.user_id,
        m.c.name,
        q.c.course_id,
        q.c.lesson_id,
        func.max(q.c.score),
        func.max(q.c.max_score),
        func.count(),
        func.max(q.c.finished_at),
    )
    .join_from(q, m, m.c.user_id == q.c.user_id)
    .join(c, c.c.id == m.c.class_id)
    .where(*_THEIRS)
    .group_by(q.c.user_id, m.c.name, q.c.course_id, q.c.lesson_id)
    .order_by(m.c.name, q.c.user_id, q.c.course_id, q.c.lesson_id)
)
_COURSE_RESULTS = _RESULTS.where(q.c.course_id == bindparam("course"))
_CLASS_ANSWERS = (
    select(
        qa.user_id,
        qa.lesson_id,
        qa.question_id,
        qa.attempt,
        qa.try_number,
        qa.answer,
        qa.correct,
        qa.score,
        qa.answered_at,
    )
    .where(qa.user_id.in_(_IN_CLASS), qa.course_id == bindparam("course"))
    .order_by(qa.user_id, qa.id)
)
sm = skill_mastery.c
_MASTERY = (
    select(sm.user_id, sm.skill, sm.p_known)
    .where(sm.user_id.in_(_IN_CLASS))
    .order_by(sm.user_id, sm.skill)
)
_OWN = (classes.c.id == bindparam("cid"), classes.c.teacher_id == bindparam("owner"))
_ABSENCE_SETTINGS = select(classes.c.absence_days, classes.c.absence_alerts).where(*_OWN)
_ALERTS = (
    update(classes)
    .where(*_OWN)
    .values(absence_alerts=bindparam("on"), next_absence_at=null())
    .returning(classes.c.id)
)
_DAYS = update(classes).where(*_OWN).values(absence_days=bindparam("days")).returning(classes.c.id)
g = guardians.alias("g")
u = users.alias("u")
_ABSENT_FAMILIES = (
    select(g.c.id, g.c.learner_id, g.c.learner_name)
    .join_from(g, u, u.c.id == g.c.learner_id)
    .where(
        g.c.learner_id.in_(_IN_CLASS),
        g.c.accepted_at.is_not(None),
        g.c.guardian_id.is_not(None),
        u.c.last_seen_at < bindparam("since"),
        or_(g.c.absence_told_at.is_(None), g.c.absence_told_at < u.c.last_seen_at),
    )
    .order_by(g.c.id)
)
_TOLD = (
    update(guardians)
    .where(guardians.c.id == bindparam("link"))
    .values(absence_told_at=bindparam("now"))
    .returning(guardians.c.guardian_id)
)
e = essay_answers.alias("e")
t = teacher_questions.alias("t")
_UNGRADED = (
    select(func.count())
    .join_from(e, m, m.c.user_id == e.c.user_id)
    .where(m.c.class_id == c.c.id, e.c.graded_at.is_(None))
    .scalar_subquery()
)
_UNANSWERED = (
    select(func.count())
    .select_from(t)
    .where(t.c.class_id == c.c.id, t.c.answered_at.is_(None))
    .scalar_subquery()
)
_FIGURES = select(c.c.questions_open, _UNGRADED, _UNANSWERED).where(*_THEIRS)
_ESSAYS = (
    select(
        e.c.user_id,
        m.c.name,
        e.c.course_id,
        e.c.lesson_id,
        e.c.question_id,
        e.c.text,
        e.c.submitted_at,
        u.c.locale,
    )
    .join_from(e, m, m.c.user_id == e.c.user_id)
    .join(c, c.c.id == m.c.class_id)
    .join(u, u.c.id == e.c.user_id)
    .where(*_THEIRS, e.c.graded_at.is_(None))
    .order_by(e.c.submitted_at, e.c.user_id, e.c.lesson_id, e.c.question_id)
)
ea = essay_answers.c
_GRADE = (
    update(essay_answers)
    .where(
        ea.user_id == bindparam("student"),
        ea.course_id == bindparam("course"),
        ea.lesson_id == bindparam("lesson"),
        ea.question_id == bindparam("question"),
        ea.graded_at.is_(None),
        ea.user_id.in_(_IN_CLASS),
    )
    .values(score=bindparam("mark"), graded_at=bindparam("now"), graded_by=bindparam("by"))
    .returning(ea.user_id)
)


class SqlReportDesk(SqlQuestions):
    """ReportDesk for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime | None = None) -> None:
        super().__init__(runner, user_id, now or datetime.now(UTC))

    async def courses(self, class_id: int) -> list[str]:
        """The courses the class's students have touched (a lesson done or an answer)."""
        rows = await self.runner.run(
            _COURSES,
            cid=class_id,
            owner=self.user_id,
            cid2=class_id,
            owner2=self.user_id,
        )
        return [str(row[0]) for row in rows]

    async def progress(self, class_id: int) -> list[StudentProgress]:
        """Every student of the class with their lessons done per course, by name."""
        people = await self.runner.run(_PEOPLE, cid=class_id, owner=self.user_id)
        done = await self.runner.run(_DONE, cid=class_id, owner=self.user_id)
        lessons: dict[int, dict[str, int]] = {}
        for uid, course, count in done:
            lessons.setdefault(int(uid), {})[str(course)] = int(count)
        return [
            StudentProgress(int(uid), str(name), utc(seen) or self.now, lessons.get(int(uid), {}))
            for uid, name, seen in people
        ]

    async def quiz_results(self, class_id: int, course_id: str | None) -> list[QuizResult]:
        """Per student and quiz, the best score, attempts and last try, by name and lesson."""
        rows = await self.runner.run(
            _RESULTS if course_id is None else _COURSE_RESULTS,
            cid=class_id,
            owner=self.user_id,
            **({"course": course_id} if course_id is not None else {}),
        )
        return [_result(row, self.now) for row in rows]

    async def _member_ids(self, class_id: int) -> list[int]:
        """The students of one of the teacher's classes (none for another's class)."""
        rows = await self.runner.run(MEMBERS, cid=class_id, owner=self.user_id)
        return [int(row[0]) for row in rows]

    async def question_stats(self, class_id: int, course_id: str) -> list[QuestionStat]:
        """How the class did on each question of a course, on first tries."""
        return await stats_of(self.runner, await self._member_ids(class_id), course_id)

    async def answers(self, class_id: int, user_id: int, course_id: str) -> list[GivenAnswer]:
        """One student's answers in a course (none if not a student of the class)."""
        if user_id not in await self._member_ids(class_id):
            return []
        return await answers_of(self.runner, user_id, course_id)

    async def class_answers(self, class_id: int, course_id: str) -> list[tuple[int, GivenAnswer]]:
        """Every answer of the class's students in a course, by student, in the order given."""
        rows = await self.runner.run(
            _CLASS_ANSWERS,
            cid=class_id,
            owner=self.user_id,
            course=course_id,
        )
        return [
            (
                int(uid),
                GivenAnswer(
                    str(le),
                    str(q),
                    int(at),
                    int(tn),
                    str(a),
                    bool(ok),
                    float(sc),
                    utc(when) or self.now,
                ),
            )
            for uid, le, q, at, tn, a, ok, sc, when in rows
        ]

    async def class_mastery(self, class_id: int) -> list[tuple[int, str, float]]:
        """(student id, skill, chance it is known) of every estimate of the class's students."""
        rows = await self.runner.run(_MASTERY, cid=class_id, owner=self.user_id)
        return [(int(uid), str(skill), float(p)) for uid, skill, p in rows]

    async def absence_settings(self, class_id: int) -> tuple[int, bool]:
        """Days without coming after which a student is absent, and the Monday alert."""
        rows = await self.runner.run(_ABSENCE_SETTINGS, cid=class_id, owner=self.user_id)
        return (int(rows[0][0]), bool(rows[0][1])) if rows else (7, False)

    async def set_absence_alerts(self, class_id: int, on: bool) -> bool:
        """Turn the Monday alert on (scheduled anew by the loop's next pass) or off."""
        rows = await self.runner.run(_ALERTS, on=on, cid=class_id, owner=self.user_id)
        return bool(rows)

    async def set_absence_days(self, class_id: int, days: int) -> bool:
        """Change them (1..60); False if the class is not the teacher's."""
        rows = await self.runner.run(
            _DAYS,
            days=min(60, max(1, days)),
            cid=class_id,
            owner=self.user_id,
        )
        return bool(rows)

    async def absent_families(self, class_id: int, since: datetime) -> list[AbsentFamily]:
        """The guardians (accepted links) of the class's students not seen since `since`."""
        rows = await self.runner.run(
            _ABSENT_FAMILIES,
            cid=class_id,
            owner=self.user_id,
            since=since,
        )
        return [AbsentFamily(int(link), int(uid), str(name)) for link, uid, name in rows]

    async def tell_family(
        self, class_id: int, family: AbsentFamily, since: datetime, texts: dict[str, str]
    ) -> bool:
        """A notice to the guardian of an absent student of the class, through the outbox;
        once per absence (until the learner comes back)."""
        found = {f.link_id: f for f in await self.absent_families(class_id, since)}
        if family.link_id not in found:
            return False
        rows = await self.runner.run(_TOLD, now=self.now, link=family.link_id)
        await queue_notice(self.runner, int(rows[0][0]), texts, self.now, self.user_id)
        return True

    async def figures(self, class_id: int) -> PageFigures:
        """Ungraded essays, unanswered questions and whether questions are open."""
        rows = await self.runner.run(_FIGURES, cid=class_id, owner=self.user_id)
        if not rows:
            return PageFigures(0, 0, False)
        is_open, essays, questions = rows[0]
        return PageFigures(int(essays), int(questions), bool(is_open))

    async def essays(self, class_id: int) -> list[Essay]:
        """The class's ungraded essays, oldest first."""
        rows = await self.runner.run(_ESSAYS, cid=class_id, owner=self.user_id)
        return [_essay(row, self.now) for row in rows]

    async def grade(self, class_id: int, essay: Essay, score: float) -> bool:
        """Mark an ungraded essay of a student of the class (0..1)."""
        rows = await self.runner.run(
            _GRADE,
            mark=min(1.0, max(0.0, score)),
            now=self.now,
            by=self.user_id,
            student=essay.user_id,
            course=essay.course_id,
            lesson=essay.lesson_id,
            question=essay.question_id,
            cid=class_id,
            owner=self.user_id,
        )
        return bool(rows)


def _result(row: Row, now: datetime) -> QuizResult:
    """A quiz result from its row."""
    uid, name, course, lesson, best, most, attempts, last = row
    return QuizResult(
        int(uid),
        str(name),
        str(course),
        str(lesson),
        float(best),
        float(most),
        int(attempts),
        utc(last) or now,
    )


def _essay(row: Row, now: datetime) -> Essay:
    """An essay from its row."""
    uid, name, course, lesson, question, text, at, locale = row
    return Essay(
        int(uid),
        str(name),
        str(course),
        str(lesson),
        str(question),
        str(text),
        utc(at) or now,
        str(locale) if locale else None,
    )
