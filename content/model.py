"""What is taught: courses, lessons, steps and quiz questions (immutable, IO-free)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from content.translations import CourseTranslation

# Class levels of the francophone systems of the region, in school order.
PRIMARY_LEVELS = ("CP", "CE1", "CE2", "CM1", "CM2")
LOWER_SECONDARY_LEVELS = ("6e", "5e", "4e", "3e")
UPPER_SECONDARY_LEVELS = ("2nde", "1re", "Tle")
LEVELS = PRIMARY_LEVELS + LOWER_SECONDARY_LEVELS + UPPER_SECONDARY_LEVELS


class StepKind(StrEnum):
    """What one lesson step shows."""

    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"  # a link to a video online (costs data: said so to the learner)
    DOCUMENT = "document"  # a file of the course folder (a worksheet, a PDF)


@dataclass(frozen=True)
class Sound:
    """A voice recording read along with a text step or a question (`audio: file.ogg`)."""

    path: Path  # absolute path of the .ogg/.opus/.mp3/.m4a file next to the course
    size: int = 0  # bytes, read when the course is loaded (what it costs a learner's data)


@dataclass(frozen=True)
class Step:
    """One screenful of a lesson: text, or a media file with an optional caption."""

    kind: StepKind
    text: str = ""
    media: Path | None = None  # absolute path of the image, audio or document file
    line: int = 0  # where it starts in the course file
    url: str = ""  # VIDEO: the https link
    size: int = 0  # bytes of the media file, read when the course is loaded
    audio: Sound | None = None  # TEXT: the text read aloud, sent before it
    short: str = ""  # TEXT: `sms:`, what text-only channels send where the text is too long
    short_line: int = 0  # where the `sms:` line is


class QuestionType(StrEnum):
    """The question kinds, by name; each has its modules in content/kinds/ and dialogs/kinds/
    (content/kinds/__init__.py refuses to load when a name has no module or the reverse)."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    SHORT = "short"
    NUMERIC = "numeric"
    MATCHING = "matching"  # pairs: each left item goes with one right item
    MISSING_WORD = "missing_word"  # a gap inside the sentence: text, gap, text_after
    ESSAY = "essay"  # a free answer kept for a teacher: 0 points now, "to grade"
    DESCRIPTION = "description"  # text only: no answer, no points
    ORDERING = "ordering"  # items to put in order (content/kinds/ordering.py)


@dataclass(frozen=True)
class Choice:
    """An option of a choice question; `id` is short and stable (a, b, c...)."""

    id: str
    text: str
    correct: bool
    weight: float | None = None  # percent of the points, -100..100; None: 100 if correct else 0
    feedback: str = ""  # shown when this option is picked

    @property
    def points(self) -> float:
        """The weight in percent, defaulting to 100 for a right option and 0 for a wrong one."""
        if self.weight is not None:
            return self.weight
        return 100.0 if self.correct else 0.0


@dataclass(frozen=True)
class NumericAnswer:
    """An accepted numeric answer: value plus or minus tolerance (a range low..high)."""

    value: float
    tolerance: float = 0.0
    weight: float = 100.0  # percent of the points this answer earns
    feedback: str = ""

    @classmethod
    def between(cls, low: float, high: float, weight: float = 100.0) -> NumericAnswer:
        """The range low..high, stored as its middle plus or minus half its width."""
        return cls((low + high) / 2, (high - low) / 2, weight)

    @property
    def low(self) -> float:
        """The smallest accepted value."""
        return self.value - self.tolerance

    @property
    def high(self) -> float:
        """The largest accepted value."""
        return self.value + self.tolerance


@dataclass(frozen=True)
class TextAnswer:
    """A weighted typed answer; `*` in the text stands for any characters."""

    text: str
    weight: float = 100.0  # percent of the points, -100..100
    feedback: str = ""


@dataclass(frozen=True)
class Pair:
    """A pair of a matching question; an empty `left` is a distractor on the right side."""

    left: str
    right: str


@dataclass(frozen=True)
class Question:
    """A quiz question; only the fields of its type are filled."""

    id: str
    type: QuestionType
    text: str
    choices: tuple[Choice, ...] = ()
    accepted: tuple[str, ...] = ()  # SHORT: accepted answers
    numeric: tuple[NumericAnswer, ...] = ()  # NUMERIC: accepted values
    truth: bool | None = None  # TRUE_FALSE: the right answer
    explanation: str = ""  # shown after the answer, right or wrong
    line: int = 0
    typos: bool = True  # SHORT: tolerate small typos (off when spelling is the point)
    answers: tuple[TextAnswer, ...] = ()  # SHORT, MISSING_WORD: weighted answers (wildcards)
    pairs: tuple[Pair, ...] = ()  # MATCHING
    text_after: str = ""  # MISSING_WORD: the sentence after the gap (`text` is before it)
    hints: tuple[str, ...] = ()  # shown before a second try
    audio: Sound | None = None  # the question read aloud, sent before it
    skills: tuple[str, ...] = ()  # its own `skill:` codes; () inherits its lesson's
    short: str = ""  # `sms:`, what text-only channels send where the text is too long
    short_line: int = 0  # where the `sms:` line is
    # `remédiation:` lines: an easier step or a worked example, offered after two failures
    remediation: str = ""

    @property
    def text_answers(self) -> tuple[TextAnswer, ...]:
        """The weighted typed answers, or the accepted ones at full points."""
        return self.answers or tuple(TextAnswer(a) for a in self.accepted)

    @property
    def scored(self) -> bool:
        """Tell whether the question earns points (essays and descriptions do not)."""
        return _scored(self.type)


@cache
def _scored(kind: QuestionType) -> bool:
    """Whether a kind earns points, as its module says (content/kinds/)."""
    from content.kinds import KINDS  # the kinds build on this module

    return KINDS[kind].scored


@dataclass(frozen=True)
class Quiz:
    """The quiz closing a lesson."""

    questions: tuple[Question, ...]
    retry: bool = True  # a wrong answer may be tried once more
    pass_mark: float = 0.5  # share of the points that counts as passed
    shuffle: bool = False  # show the options of each question in a random order
    draw: int = 0  # a question bank: ask this many, drawn at random per attempt (0: all)

    def drawn(self, seed: int) -> Quiz:
        """The questions of one attempt: a draw from the bank (kept in order), or all."""
        if not self.draw or self.draw >= len(self.questions):
            return self
        picked = sorted(random.Random(seed).sample(range(len(self.questions)), self.draw))
        return replace(self, questions=tuple(self.questions[i] for i in picked), draw=0)

    @property
    def max_score(self) -> int:
        """The points a learner can earn: one per scored question."""
        return sum(1 for q in self.questions if q.scored)


@dataclass(frozen=True)
class Lesson:
    """An ordered list of steps, optionally followed by a quiz."""

    id: str
    title: str
    steps: tuple[Step, ...]
    quiz: Quiz | None = None
    line: int = 0
    skills: tuple[str, ...] = ()  # `skill:` codes it teaches (a curriculum's), in order
    # `remédiation:` lines: an easier step or a worked example for its skills
    remediation: str = ""

    def skills_of(self, question: Question) -> tuple[str, ...]:
        """The skills a question of this lesson tests: its own, else the lesson's."""
        return question.skills or self.skills


@dataclass(frozen=True)
class Module:
    """A part of a course grouping consecutive lessons (a course may have none)."""

    id: str
    title: str
    lesson_ids: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class Course:
    """A course of the library."""

    id: str
    title: str
    subject: str  # a subject key, see SUBJECTS
    levels: tuple[str, ...]
    language: str  # interface language code of the content: fr, en, ar...
    summary: str = ""
    licence: str = "CC BY-SA 4.0"
    authors: tuple[str, ...] = ()
    lessons: tuple[Lesson, ...] = field(default_factory=tuple)
    source: Path | None = None
    countries: tuple[str, ...] = ()  # ISO 3166 alpha-2 codes it is written for; () means all
    version: str = "1"
    objectives: tuple[str, ...] = ()  # what a learner can do after the course
    modules: tuple[Module, ...] = ()  # when given, every lesson is in exactly one, in order
    attribution: tuple[str, ...] = ()  # the works it is adapted from, newest adaptation first
    audio_first: bool = False  # `audio: d'abord`: for learners who read little
    audience: str = "students"  # `public: enseignants`: "teachers", not offered to pupils
    # Versions in other languages (`course.wo.md` beside `course.md`): content/translations.py
    translations: tuple[CourseTranslation, ...] = ()
    # `# Test de placement`: questions with skills asked before the course (content/placement.py)
    placement: Quiz | None = None

    @property
    def for_teachers(self) -> bool:
        """Whether the course is written for teachers (not listed nor assigned to pupils)."""
        return self.audience == "teachers"

    def lesson(self, lesson_id: str) -> Lesson | None:
        """Return the lesson with this id, if any."""
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def module(self, module_id: str) -> Module | None:
        """Return the module with this id, if any."""
        return next((module for module in self.modules if module.id == module_id), None)

    def module_of(self, lesson_id: str) -> Module | None:
        """Return the module a lesson belongs to, if the course has modules."""
        return next((m for m in self.modules if lesson_id in m.lesson_ids), None)

    def lessons_of(self, module: Module) -> tuple[Lesson, ...]:
        """The lessons of a module, in course order."""
        return tuple(lesson for lesson in self.lessons if lesson.id in module.lesson_ids)

    def lesson_index(self, lesson_id: str) -> int:
        """Return the position of a lesson, or -1."""
        return next((i for i, le in enumerate(self.lessons) if le.id == lesson_id), -1)


# Subject keys used in course files; their display names live in the interface catalog.
SUBJECTS = ("mathematiques", "francais", "sciences", "sante", "histoire-geo", "civisme", "autre")
