"""What class reports read: quiz answers (bot/storage/answers.py), progress, essays to grade
and students' questions (bot/storage/reports.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class QuestionStat:
    """How a group of learners did on one question, on their first try at it."""

    lesson_id: str
    question_id: str
    answered: int  # learners who answered it
    wrong: int  # of them, how many without full marks
    top_wrong: str | None  # the most common answer without full marks
    top_wrong_count: int

    @property
    def wrong_share(self) -> float:
        """The share of answers without full marks, 0..1."""
        return self.wrong / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class GivenAnswer:
    """One graded answer of one learner."""

    lesson_id: str
    question_id: str
    attempt: int  # which attempt at the lesson's quiz, from 1
    try_number: int  # 1, or 2 for the retry after a wrong first try
    answer: str
    correct: bool  # full marks
    score: float  # 0..1, before the retry's halving
    answered_at: datetime


@dataclass(frozen=True)
class StudentProgress:
    """A student of a class and how far they went, per course."""

    user_id: int
    name: str  # the name they gave the class
    last_seen_at: datetime
    lessons: dict[str, int]  # course id -> lessons done


@dataclass(frozen=True)
class QuizResult:
    """One student's results at one lesson's quiz."""

    user_id: int
    name: str
    course_id: str
    lesson_id: str
    best: float  # the best score of the attempts
    max_score: float
    attempts: int
    last_at: datetime


@dataclass(frozen=True)
class Essay:
    """A free answer of a student of the class, waiting for the teacher's mark."""

    user_id: int
    name: str
    course_id: str
    lesson_id: str
    question_id: str
    text: str
    submitted_at: datetime
    locale: str | None  # the student's interface language


@dataclass(frozen=True)
class StudentQuestion:
    """A question a student asked their teacher from a lesson ("ask my teacher")."""

    id: int
    class_id: int
    class_name: str
    student_id: int
    name: str  # the student's name in the class
    course_id: str
    lesson_id: str
    text: str
    asked_at: datetime
    locale: str | None  # the student's interface language


@dataclass(frozen=True)
class Asked:
    """A question just stored, with whom to tell: the teacher and how to name things."""

    question_id: int
    teacher_id: int
    teacher_locale: str | None
    student_name: str
    class_name: str


@dataclass(frozen=True)
class PageFigures:
    """What the class page shows beside its options."""

    essays: int  # ungraded essays
    questions: int  # unanswered questions
    questions_open: bool


@dataclass(frozen=True)
class AbsentFamily:
    """A guardian who receives the weekly summary of an absent student of the class."""

    link_id: int
    user_id: int  # the student
    learner_name: str  # the first name the learner chose to show their guardian


class ReportDesk(Protocol):
    """Class reports, essay grading and students' questions, inside the person's turn.

    Teacher methods only ever reach the current teacher's own classes; the student methods
    only the classes the current person is in.
    """

    async def courses(self, class_id: int) -> list[str]:
        """The courses the class's students have touched, sorted."""
        ...

    async def progress(self, class_id: int) -> list[StudentProgress]:
        """Every student of the class with their lessons done per course."""
        ...

    async def quiz_results(self, class_id: int, course_id: str | None) -> list[QuizResult]:
        """Per student and quiz of a course (None: all), their best score and attempts."""
        ...

    async def question_stats(self, class_id: int, course_id: str) -> list[QuestionStat]:
        """How the class did on each question of a course, on first tries."""
        ...

    async def answers(self, class_id: int, user_id: int, course_id: str) -> list[GivenAnswer]:
        """One student's answers in a course (none if not a student of the class)."""
        ...

    async def class_answers(self, class_id: int, course_id: str) -> list[tuple[int, GivenAnswer]]:
        """Every answer of the class's students in a course: (student id, answer), by
        student then in the order given."""
        ...

    async def class_mastery(self, class_id: int) -> list[tuple[int, str, float]]:
        """(student id, skill, chance it is known) of every estimate of the class's students."""
        ...

    async def absence_settings(self, class_id: int) -> tuple[int, bool]:
        """Days without coming after which a student of the class is absent, and whether the
        teacher gets the Monday alert ((7, False) for a class not theirs)."""
        ...

    async def set_absence_alerts(self, class_id: int, on: bool) -> bool:
        """Turn the Monday alert on or off; False if the class is not the teacher's."""
        ...

    async def set_absence_days(self, class_id: int, days: int) -> bool:
        """Change them; False if the class is not the teacher's."""
        ...

    async def absent_families(self, class_id: int, since: datetime) -> list[AbsentFamily]:
        """The guardians (accepted links) of the class's students not seen since `since`, not
        told yet of this absence."""
        ...

    async def tell_family(
        self, class_id: int, family: AbsentFamily, since: datetime, texts: dict[str, str]
    ) -> bool:
        """A notice to the guardian of an absent student of the class, through the outbox;
        False (nothing sent) unless the student is still absent, the link theirs, and the
        guardian not told yet of this absence."""
        ...

    async def figures(self, class_id: int) -> PageFigures:
        """Counts for the class page."""
        ...

    async def essays(self, class_id: int) -> list[Essay]:
        """The class's ungraded essays, oldest first."""
        ...

    async def grade(self, class_id: int, essay: Essay, score: float) -> bool:
        """Mark an essay (0..1); False if it is not an ungraded essay of the class."""
        ...

    async def set_questions_open(self, class_id: int, is_open: bool) -> bool:
        """Allow or mute the class's questions; False if the class is not the teacher's."""
        ...

    async def open_class(self) -> tuple[int, str] | None:
        """The student's latest class taking questions: (id, name)."""
        ...

    async def ask(self, class_id: int, course_id: str, lesson_id: str, text: str) -> Asked | None:
        """Store the student's question to a class taking questions."""
        ...

    async def questions(self, class_id: int | None) -> list[StudentQuestion]:
        """Unanswered questions of one of the teacher's classes (None: all), oldest first."""
        ...

    async def answer(self, question_id: int, text: str) -> StudentQuestion | None:
        """Store the teacher's answer; the question, or None if not theirs or answered."""
        ...
