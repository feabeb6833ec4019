"""Paper answers: a booklet quiz done without network, sent later as one line ("PAL2 ACV 38").

Each lesson's quiz has a short code printed in the booklet: three letters of the course id and
the lesson's number. The learner sends the code and one answer per exercise, in the printed
order: a letter for a choice (several letters for "several answers"), V or F for true/false,
letters in the order of the items for matching, the word or number for typed answers. Answers
are separated by spaces; when every answer is one letter they may also come glued ("ACBDA").
Essays and descriptions take no answer on paper.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from content.grading import Answer, Grade, grade, parse_truth
from content.model import Course, Lesson, Question, QuestionType, Quiz

CODE = re.compile(r"^\s*([A-Za-z]{3}\d{1,2})\s+(\S.*)$", re.DOTALL)
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE)


def course_prefix(course: Course) -> str:
    """The three letters that start a course's quiz codes: paludisme -> PAL."""
    return re.sub(r"[^a-z]", "", course.id.casefold())[:3].upper()


def paper_code(course: Course, lesson: Lesson) -> str:
    """The code printed beside a lesson's exercises: PAL2 for the second lesson."""
    return f"{course_prefix(course)}{course.lesson_index(lesson.id) + 1}"


def paper_codes(courses: Iterable[Course]) -> dict[str, tuple[Course, Lesson]]:
    """Every quiz code of a library; a clash of prefixes is an error for the authors."""
    codes: dict[str, tuple[Course, Lesson]] = {}
    owners: dict[str, str] = {}
    for course in courses:
        prefix = course_prefix(course)
        if owners.setdefault(prefix, course.id) != course.id:
            raise ValueError(f"courses {owners[prefix]} and {course.id} share the code {prefix}")
        for lesson in course.lessons:
            if lesson.quiz is not None:
                codes[paper_code(course, lesson)] = (course, lesson)
    return codes


def answerable(quiz: Quiz) -> list[Question]:
    """The exercises that take an answer on paper, in the printed order."""
    skip = (QuestionType.ESSAY, QuestionType.DESCRIPTION)
    return [q for q in quiz.questions if q.type not in skip]


@dataclass(frozen=True)
class PaperResult:
    """One paper quiz, graded: the grade of each exercise in order, and what was answered."""

    grades: tuple[Grade, ...]
    answers: tuple[Answer, ...] = ()  # each token as the grader of its exercise took it

    @property
    def score(self) -> float:
        """Points earned."""
        return sum(g.score for g in self.grades)


def split_answers(questions: list[Question], text: str) -> list[str] | None:
    """One token per exercise, or None when the count does not match."""
    tokens = text.replace(",", " ").replace(";", " ").split()
    glued = len(tokens) == 1 and len(tokens[0]) == len(questions) > 1 and tokens[0].isalpha()
    if glued and all(q.type in CHOICE_TYPES for q in questions):
        tokens = list(tokens[0])
    return tokens if len(tokens) == len(questions) else None


def grade_paper(quiz: Quiz, text: str) -> PaperResult | None:
    """Grade a line of paper answers; None when there is not one answer per exercise."""
    questions = answerable(quiz)
    tokens = split_answers(questions, text)
    if tokens is None:
        return None
    answers = tuple(paper_answer(q, token) for q, token in zip(questions, tokens, strict=True))
    grades = tuple(grade(q, answer) for q, answer in zip(questions, answers, strict=True))
    return PaperResult(grades, answers)


def paper_answer(question: Question, token: str) -> Answer:
    """One token read as the printed exercise invites, in the shape its grader takes."""
    if question.type is QuestionType.TRUE_FALSE:
        word = {"v": "vrai", "t": "vrai", "f": "faux"}.get(token.casefold(), token)
        truth = parse_truth(word)
        return word if truth is None else truth
    if question.type is QuestionType.MULTIPLE:
        return tuple(token.casefold())
    if question.type is QuestionType.SINGLE or (
        question.type is QuestionType.MISSING_WORD and question.choices
    ):
        return token.casefold()
    if question.type is QuestionType.MATCHING:
        rights = sorted({p.right for p in question.pairs}, key=str.casefold)
        return tuple(
            rights[ord(c) - 97] if 0 <= ord(c) - 97 < len(rights) else "" for c in token.casefold()
        )
    return token
