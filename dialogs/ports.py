"""Ports: what dialogs need from storage, as Protocols that bot/storage implements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from content.model import Course

from dialogs.messages import Later


@dataclass(frozen=True)
class LessonDone:
    """A lesson the learner finished."""

    course_id: str
    lesson_id: str
    at: datetime


@dataclass(frozen=True)
class QuizScore:
    """The learner's results on one lesson's quiz."""

    course_id: str
    lesson_id: str
    best: float  # best score, in points
    max_score: float  # points available
    attempts: int
    last_at: datetime


class LearnerRecords(Protocol):
    """Reads what one learner has done; writes go through Turn effects."""

    async def lessons_done(self) -> list[LessonDone]:
        """Every lesson this learner completed."""
        ...

    async def quiz_scores(self) -> list[QuizScore]:
        """Best score per quiz this learner took."""
        ...

    async def export(self) -> dict[str, Any]:
        """Everything stored about this learner, as JSON-ready data."""
        ...


class Booklets(Protocol):
    """Prints a course as a booklet (bot/booklet implements it)."""

    async def booklet(self, course: Course, language: str | None = None) -> bytes | Later:
        """The PDF of a course's printable booklet (made after the turn when Later), in one
        of the languages it has a version in (None: its own)."""
        ...


# Effects: state changes a turn asks for; bot/storage applies them in the turn's transaction.


@dataclass(frozen=True)
class CompleteLesson:
    """Record that a lesson was finished (idempotent)."""

    course_id: str
    lesson_id: str


@dataclass(frozen=True)
class RecordQuiz:
    """Record one finished quiz attempt."""

    course_id: str
    lesson_id: str
    score: float
    max_score: float


@dataclass(frozen=True)
class EraseLearner:
    """Delete everything stored about this learner."""


@dataclass(frozen=True)
class SubmitEssay:
    """Keep a free answer for a teacher to grade (the latest answer replaces an earlier one)."""

    course_id: str
    lesson_id: str
    question_id: str
    text: str


@dataclass(frozen=True)
class RecordAnswer:
    """Record one graded answer to a quiz question, for the class reports.

    `answer` is readable text: option ids ("a, c"), "vrai"/"faux", the typed text, or for
    matching the whole set once finished ("Dakar → Sénégal; Bamako → Mali"). `score` is the
    grader's 0..1 for this answer (before the retry's halving), `correct` means full marks,
    `try_number` is 1, or 2 for the retry after a wrong first try. `skills` are the codes
    the question tests (its own or its lesson's): a first try updates their mastery.
    """

    course_id: str
    lesson_id: str
    question_id: str
    answer: str
    score: float
    correct: bool
    try_number: int = 1
    skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class LibraryChanged:
    """A teacher published a course: the library is read again after the turn."""


Effect = CompleteLesson | RecordQuiz | EraseLearner | SubmitEssay | RecordAnswer | LibraryChanged
