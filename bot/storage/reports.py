"""The report desk (dialogs/report_ports.py): class reports and essay grading, on SQL that
SQLite and PostgreSQL both read, inside the teacher's turn.

Every statement joins `classes` on `teacher_id = ` the current person: a teacher only ever
reads or grades their own classes' students, whatever ids a forged state carries. PostgreSQL
types a parameter by its first use, so one value used in two places gets two names.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.admin import queue_notice
from bot.storage.answers import answers_of
from bot.storage.answers import question_stats as stats_of
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

# The students of one of the current teacher's classes: needs :cid and :owner.
MEMBERS = (
    "SELECT m.user_id FROM class_members m JOIN classes c ON c.id = m.class_id"
    " WHERE c.id = :cid AND c.teacher_id = :owner"
)


class SqlReportDesk(SqlQuestions):
    """ReportDesk for the person `user_id`, on the turn's runner."""

    def __init__(self, runner: Runner, user_id: int, now: datetime | None = None) -> None:
        super().__init__(runner, user_id, now or datetime.now(UTC))

    async def courses(self, class_id: int) -> list[str]:
        """The courses the class's students have touched (a lesson done or an answer)."""
        rows = await self.runner.run(
            f"SELECT course_id FROM lesson_progress WHERE user_id IN ({MEMBERS})"
            f" UNION SELECT course_id FROM question_answers WHERE user_id IN ({MEMBERS2})"
            " ORDER BY 1",
            cid=class_id,
            owner=self.user_id,
            cid2=class_id,
            owner2=self.user_id,
        )
        return [str(row[0]) for row in rows]

    async def progress(self, class_id: int) -> list[StudentProgress]:
        """Every student of the class with their lessons done per course, by name."""
        people = await self.runner.run(
            "SELECT m.user_id, m.name, u.last_seen_at FROM class_members m"
            " JOIN classes c ON c.id = m.class_id JOIN users u ON u.id = m.user_id"
            " WHERE c.id = :cid AND c.teacher_id = :owner ORDER BY m.name, m.user_id",
            cid=class_id,
            owner=self.user_id,
        )
        done = await self.runner.run(
            "SELECT user_id, course_id, COUNT(*) FROM lesson_progress"
            f" WHERE user_id IN ({MEMBERS}) GROUP BY user_id, course_id",
            cid=class_id,
            owner=self.user_id,
        )
        lessons: dict[int, dict[str, int]] = {}
        for uid, course, count in done:
            lessons.setdefault(int(uid), {})[str(course)] = int(count)
        return [
            StudentProgress(int(uid), str(name), utc(seen) or self.now, lessons.get(int(uid), {}))
            for uid, name, seen in people
        ]

    async def quiz_results(self, class_id: int, course_id: str | None) -> list[QuizResult]:
        """Per student and quiz, the best score, attempts and last try, by name and lesson."""
        only = " AND q.course_id = :course" if course_id is not None else ""
        rows = await self.runner.run(
            "SELECT q.user_id, m.name, q.course_id, q.lesson_id, MAX(q.score),"
            " MAX(q.max_score), COUNT(*), MAX(q.finished_at) FROM quiz_attempts q"
            " JOIN class_members m ON m.user_id = q.user_id JOIN classes c ON c.id = m.class_id"
            f" WHERE c.id = :cid AND c.teacher_id = :owner{only}"
            " GROUP BY q.user_id, m.name, q.course_id, q.lesson_id"
            " ORDER BY m.name, q.user_id, q.course_id, q.lesson_id",
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
            "SELECT user_id, lesson_id, question_id, attempt, try_number, answer, correct, score,"
            f" answered_at FROM question_answers WHERE user_id IN ({MEMBERS})"
            " AND course_id = :course ORDER BY user_id, id",
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
        rows = await self.runner.run(
            f"SELECT user_id, skill, p_known FROM skill_mastery WHERE user_id IN ({MEMBERS})"
            " ORDER BY user_id, skill",
            cid=class_id,
            owner=self.user_id,
        )
        return [(int(uid), str(skill), float(p)) for uid, skill, p in rows]

    async def absence_settings(self, class_id: int) -> tuple[int, bool]:
        """Days without coming after which a student is absent, and the Monday alert."""
        rows = await self.runner.run(
            "SELECT absence_days, absence_alerts FROM classes"
            " WHERE id = :cid AND teacher_id = :owner",
            cid=class_id,
            owner=self.user_id,
        )
        return (int(rows[0][0]), bool(rows[0][1])) if rows else (7, False)

    async def set_absence_alerts(self, class_id: int, on: bool) -> bool:
        """Turn the Monday alert on (scheduled anew by the loop's next pass) or off."""
        rows = await self.runner.run(
            "UPDATE classes SET absence_alerts = :on, next_absence_at = NULL"
            " WHERE id = :cid AND teacher_id = :owner RETURNING id",
            on=on,
            cid=class_id,
            owner=self.user_id,
        )
        return bool(rows)

    async def set_absence_days(self, class_id: int, days: int) -> bool:
        """Change them (1..60); False if the class is not the teacher's."""
        rows = await self.runner.run(
            "UPDATE classes SET absence_days = :days WHERE id = :cid AND teacher_id = :owner"
            " RETURNING id",
            days=min(60, max(1, days)),
            cid=class_id,
            owner=self.user_id,
        )
        return bool(rows)

    async def absent_families(self, class_id: int, since: datetime) -> list[AbsentFamily]:
        """The guardians (accepted links) of the class's students not seen since `since`."""
        rows = await self.runner.run(
            "SELECT g.id, g.learner_id, g.learner_name FROM guardians g"
            " JOIN users u ON u.id = g.learner_id"
            f" WHERE g.learner_id IN ({MEMBERS}) AND g.accepted_at IS NOT NULL"
            " AND g.guardian_id IS NOT NULL AND u.last_seen_at < :since"
            " AND (g.absence_told_at IS NULL OR g.absence_told_at < u.last_seen_at)"
            " ORDER BY g.id",
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
        rows = await self.runner.run(
            "UPDATE guardians SET absence_told_at = :now WHERE id = :link RETURNING guardian_id",
            now=self.now,
            link=family.link_id,
        )
        await queue_notice(self.runner, int(rows[0][0]), texts, self.now, self.user_id)
        return True

    async def figures(self, class_id: int) -> PageFigures:
        """Ungraded essays, unanswered questions and whether questions are open."""
        rows = await self.runner.run(
            "SELECT c.questions_open,"
            " (SELECT COUNT(*) FROM essay_answers e JOIN class_members m ON m.user_id = e.user_id"
            "  WHERE m.class_id = c.id AND e.graded_at IS NULL),"
            " (SELECT COUNT(*) FROM teacher_questions t"
            "  WHERE t.class_id = c.id AND t.answered_at IS NULL)"
            " FROM classes c WHERE c.id = :cid AND c.teacher_id = :owner",
            cid=class_id,
            owner=self.user_id,
        )
        if not rows:
            return PageFigures(0, 0, False)
        is_open, essays, questions = rows[0]
        return PageFigures(int(essays), int(questions), bool(is_open))

    async def essays(self, class_id: int) -> list[Essay]:
        """The class's ungraded essays, oldest first."""
        rows = await self.runner.run(
            "SELECT e.user_id, m.name, e.course_id, e.lesson_id, e.question_id, e.text,"
            " e.submitted_at, u.locale FROM essay_answers e"
            " JOIN class_members m ON m.user_id = e.user_id JOIN classes c ON c.id = m.class_id"
            " JOIN users u ON u.id = e.user_id"
            " WHERE c.id = :cid AND c.teacher_id = :owner AND e.graded_at IS NULL"
            " ORDER BY e.submitted_at, e.user_id, e.lesson_id, e.question_id",
            cid=class_id,
            owner=self.user_id,
        )
        return [_essay(row, self.now) for row in rows]

    async def grade(self, class_id: int, essay: Essay, score: float) -> bool:
        """Mark an ungraded essay of a student of the class (0..1)."""
        rows = await self.runner.run(
            "UPDATE essay_answers SET score = :score, graded_at = :now, graded_by = :by"
            " WHERE user_id = :student AND course_id = :course AND lesson_id = :lesson"
            f" AND question_id = :question AND graded_at IS NULL AND user_id IN ({MEMBERS})"
            " RETURNING user_id",
            score=min(1.0, max(0.0, score)),
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


MEMBERS2 = MEMBERS.replace(":cid", ":cid2").replace(":owner", ":owner2")


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
