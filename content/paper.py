"""Paper answers: a booklet quiz done without network, sent later as one line ("PAL2 ACV 38").

Each lesson's quiz has a short code printed in the booklet: three letters of the course id and
the lesson's number. The learner sends the code and one answer per exercise, in the printed
order: a letter for a choice (several letters for "several answers"), V or F (or the word) for
true/false, letters in the order of the items for matching, the words or number for typed
answers. Answers are separated by `;` or come one per line, so that an answer may hold several
words ("PAL2 b ; a c ; vrai ; un quart"); the short form separates one-word answers by spaces,
and when every answer is one letter they may also come glued ("ACBDA"). Essays and
descriptions take no answer on paper.

Whatever the booklet's answer key prints for an exercise is understood when typed back:
"b) 5" (the letter, or the option's text), "a) 2/4, b) 3/6", "1 – b, 2 – a", "38 (± 0,5)".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from content.grading import Answer, Grade, exact_number, grade
from content.model import Course, Lesson, Question, Quiz
from content.normalize import fold

CODE = re.compile(r"^\s*([A-Za-z]{3}\d{1,2})\s+(\S.*)$", re.DOTALL)
SEPARATORS = re.compile(r"[;\n]")  # between answers that may hold several words
MARKED = re.compile(r"(?:^|[\s,(])([a-z]{1,2})\)")  # "b) 5", "a) 2/4, b) 3/6": printed letters
PAIR = re.compile(r"(\d+)\s*[-–—:=>→]+\s*([a-z])\b")  # "1 – b": a matching key's pair
TOLERANCE = re.compile(r"\(\s*±[^)]*\)")  # "38 (± 0,5)": the key's tolerance, not an answer


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


def example_answers(quiz: Quiz, true: str = "V") -> str:
    """A made-up line of answers in the shape `split_answers` reads: one per exercise after
    " ; " (so an answer may hold several words), letters for choices, `true` for true/false,
    "…" for what is written."""
    from content.kinds import KINDS  # each kind says how its answer looks on paper

    examples = []
    for question in answerable(quiz):
        paper = KINDS[question.type].paper
        assert paper is not None  # `answerable` keeps what is answered on paper
        examples.append(paper.example(question).format(true=true))
    return " ; ".join(examples)


def answerable(quiz: Quiz) -> list[Question]:
    """The exercises that take an answer on paper, in the printed order."""
    from content.kinds import KINDS

    return [q for q in quiz.questions if KINDS[q.type].paper is not None]


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
    """One answer per exercise, or None when the count does not match."""
    if SEPARATORS.search(text):
        parts = [part.strip() for part in SEPARATORS.split(text)]
        while parts and not parts[-1]:
            parts.pop()  # a last ";" or line break
        return parts if len(parts) == len(questions) and all(parts) else None
    tokens = text.split()
    if len(tokens) != len(questions):
        tokens = text.replace(",", " ").split()  # "A, C, V": commas between one-word answers
    glued = len(tokens) == 1 and len(tokens[0]) == len(questions) > 1 and tokens[0].isalpha()
    if glued and all(_by_letter(q) for q in questions):
        tokens = list(tokens[0])
    return tokens if len(tokens) == len(questions) else None


def _by_letter(question: Question) -> bool:
    """Whether an exercise is answered by one letter, so that answers may come glued."""
    from content.kinds import KINDS

    paper = KINDS[question.type].paper
    return paper is not None and paper.letters


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
    """One answer read as the printed exercise invites, in the shape its grader takes."""
    from content.kinds import KINDS

    paper = KINDS[question.type].paper
    return token if paper is None else paper.read(question, token)


def choice_ids(question: Question, token: str) -> tuple[str, ...]:
    """The options an answer names: a printed "b) 5", the text of one option ("5", "cinq"),
    else printed letters ("b", "a c", "AC": the booklet shows them); what names none is kept
    as typed (and graded wrong)."""
    text = token.casefold().strip()
    ids = [c.id for c in question.choices]
    if printed := MARKED.findall(text):
        return tuple(printed)
    typed = fold(token)  # the option's text first, then its printed letter (one rule)
    value = exact_number(token)
    same = [
        c.id
        for c in question.choices
        if fold(c.text) == typed or (value is not None and exact_number(c.text) == value)
    ]
    if len(same) == 1:
        return (same[0],)
    letters = re.sub(r"[\s,]+|\bet\b", "", text)
    if letters and all(c in ids for c in letters):
        return tuple(letters)
    return (text,)


def matching_letters(text: str) -> str:
    """The letters of a matching answer in the order of its items: "ba", "b a", "1 – b, 2 – a"."""
    pairs = PAIR.findall(text)
    if pairs:
        return "".join(letter for _, letter in sorted(pairs, key=lambda pair: int(pair[0])))
    return re.sub(r"[^a-z]", "", text)
