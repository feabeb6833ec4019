"""What a question kind declares on the content side (see content/kinds/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from content.format_quiz import Problem, QuestionDraft
from content.format_write import stem_line
from content.grading import Answer, Grade
from content.model import Question, QuestionType


@dataclass(frozen=True)
class OnPaper:
    """How a kind is answered on a printed booklet (content/paper.py)."""

    read: Callable[[Question, str], Answer]  # one typed token, in the shape the grader takes
    # How an answer looks in the booklet's made-up line; "{true}": the word for "true".
    example: Callable[[Question], str]
    letters: bool = False  # answered by one letter: a line of them may come glued ("acv")


def choice_or(example: str) -> Callable[[Question], str]:
    """The example answer "b" for a question with options, else `example`."""
    return lambda question: "b" if question.choices else example


@dataclass(frozen=True)
class Reading:
    """How the course format's parser (content/format_quiz.py) tells this kind by its lines.

    The parser asks the kinds in the order of their `priority` (smallest first) once the
    errors common to every kind are out (two gaps, options mixed with `=` answers, no answer
    at all); the first that `claims` a question builds it, reporting its own problems.
    """

    priority: int
    claims: Callable[[QuestionDraft], bool]
    build: Callable[[QuestionDraft, list[Problem]], Question]


@dataclass(frozen=True)
class Boxes:
    """A box to tick before each text: one under the other, or side by side (`inline`)."""

    texts: tuple[str, ...]
    inline: bool = False


@dataclass(frozen=True)
class Indented:
    """Paragraphs under the question (a matching's items), `after` mm below each."""

    texts: tuple[str, ...]
    after: float = 1.5


@dataclass(frozen=True)
class WriteOn:
    """The booklet's "Réponse :" and dotted lines to write on."""

    lines: int = 1


Part = Boxes | Indented | WriteOn


@dataclass(frozen=True)
class Sheet:
    """What a kind needs to print: the booklet's words in the course's language
    (bot/booklet/labels.py: "true", "false", "or", "free"...) and its way of writing numbers."""

    words: Mapping[str, str]
    number: Callable[[float], str]

    def __getitem__(self, key: str) -> str:
        """A word of the booklet."""
        return self.words[key]


@dataclass(frozen=True)
class Printed:
    """A kind in the printed booklet (bot/booklet/exercises.py draws the parts)."""

    space: Callable[[Question, Sheet], tuple[Part, ...]]  # what the learner fills in
    key: Callable[[Question, Sheet], str]  # its line in the answer key ("" for none)
    lines: int = 1  # lines to write on (an essay takes several)
    several: bool = False  # "(plusieurs réponses)" after the question


def write_line(question: Question, sheet: Sheet) -> tuple[Part, ...]:
    """A line to write the answer on."""
    del question, sheet
    return (WriteOn(),)


def nothing(question: Question, sheet: Sheet) -> tuple[Part, ...]:
    """Nothing to fill in."""
    del question, sheet
    return ()


def option_boxes(question: Question, sheet: Sheet) -> tuple[Part, ...]:
    """A box to tick before each option: "a) 5"."""
    del sheet
    return (Boxes(tuple(f"{c.id}) {c.text}" for c in question.choices)),)


def right_options(question: Question, sheet: Sheet) -> str:
    """The right options with their letters: "b) 5"."""
    del sheet
    return ", ".join(f"{c.id}) {c.text}" for c in question.choices if c.correct)


def typed_answers(question: Question) -> list[str]:
    """The typed answers worth full points (the weighted ones, or the accepted ones)."""
    full = [answer.text for answer in question.answers if answer.weight >= 100]
    return full or list(question.accepted)


def right_typed(question: Question, sheet: Sheet) -> str:
    """The typed answers worth full points, "ou" between them."""
    return f" {sheet['or']} ".join(typed_answers(question))


def letter(index: int) -> str:
    """The printed letter of a 0-based index: a, b, c..."""
    return chr(ord("a") + index)


@dataclass(frozen=True)
class ContentKind:
    """A question kind as the course format, the graders and the booklet know it."""

    type: QuestionType
    grade: Callable[[Question, Answer], Grade]  # any answer shape; a wrong shape earns nothing
    unanswered: Callable[[Question], Grade]  # no answer: nothing earned, the right answer
    write: Callable[[Question], list[str]]  # its answer lines in the course format
    paper: OnPaper | None  # None: not answered on paper (no points in the booklet)
    reads: Reading  # how the course format's parser recognises and builds it
    printed: Printed  # its answer space and its line in the booklet's key
    stem: Callable[[Question], str] = stem_line  # the `? ...` line in the course format
    scored: bool = True  # False: earns no points and does not count in a quiz's maximum
