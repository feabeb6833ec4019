"""Skills: the codes (a national curriculum's, e.g. `CM1-NUM-3`) a lesson or question tests.

A `skill:` line (or `compétence:`; `skills:` and `compétences:` too) names one or more codes,
separated by commas: in a lesson's text it tags the lesson, inside a question the question
(a question without its own inherits its lesson's, `Lesson.skills_of`). Mastery is tracked
per code (content/mastery.py), across courses: two courses tagging the same code teach the
same skill.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from content.errors import N_, Message
from content.model import Course

MAX_SKILL_LENGTH = 32  # a curriculum code, not a sentence
# `skill: CM1-NUM-3, CM1-NUM-4` (any case; `compétence:` with or without its accent).
SKILL_LINE = re.compile(
    r"(?P<key>skills?|comp[ée]tences?)[ \t]*:[ \t]*(?P<value>.*)", re.IGNORECASE
)
# `remédiation: ...` (or `remediation:`): an easier step or a worked example, one line each.
REMEDIATION_LINE = re.compile(r"rem[ée]diation[ \t]*:[ \t]*(?P<value>.*)", re.IGNORECASE)
NO_REMEDIATION = N_("'remédiation:' doit être suivi d'un texte (une étape plus facile, un exemple)")
MALFORMED_SKILL = N_(
    "code de compétence mal formé '%(code)s' : lettres, chiffres, '.', '-' et '_', "
    "%(count)s caractères au plus, séparés par des virgules (par exemple CM1-NUM-3)"
)
_CODE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_SKILL_LENGTH - 1}}}")


def is_skill_code(code: str) -> bool:
    """Whether a text is a well-formed skill code: letters, digits, `.`, `-`, `_`."""
    return _CODE.fullmatch(code) is not None


def read_skills(value: str) -> tuple[tuple[str, ...], list[tuple[int, Message]]]:
    """The codes of a `skill:` line's value, and its problems with their offsets in it."""
    codes: list[str] = []
    problems: list[tuple[int, Message]] = []
    if not value.strip():
        message = N_("'skill:' doit être suivi d'un ou plusieurs codes, par exemple CM1-NUM-3")
        return (), [(0, Message(message))]
    offset = 0
    for raw in re.split(r"[,;]", value):
        code = raw.strip()
        at = offset + len(raw) - len(raw.lstrip())
        offset += len(raw) + 1
        if not code:
            continue
        if not is_skill_code(code):
            args = {"code": code, "count": MAX_SKILL_LENGTH}
            problems.append((at, Message(MALFORMED_SKILL, args)))
        elif code not in codes:
            codes.append(code)
    return tuple(codes), problems


def skill_names(courses: Iterable[Course]) -> dict[str, str]:
    """A name in words for each skill code: the title of the first lesson that tests it."""
    names: dict[str, str] = {}
    courses = list(courses)
    for course in courses:
        for lesson in course.lessons:
            for code in lesson.skills:
                names.setdefault(code, lesson.title)
    for course in courses:
        for lesson in course.lessons:
            for question in lesson.quiz.questions if lesson.quiz else ():
                for code in question.skills:
                    names.setdefault(code, lesson.title)
    return names


def question_skills(course: Course) -> dict[tuple[str, str], tuple[str, ...]]:
    """The skills of each question of a course, by (lesson id, question id)."""
    return {
        (lesson.id, question.id): lesson.skills_of(question)
        for lesson in course.lessons
        for question in (lesson.quiz.questions if lesson.quiz else ())
    }
