"""Quiz files (GIFT `.gift`, Aiken `.aiken`/`.txt`) checked and read like course files."""

from __future__ import annotations

from pathlib import Path

from content.aiken import parse_aiken
from content.errors import N_, CourseFormatError
from content.gift import parse_gift
from content.gift_import import gift_to_questions, malformed_skills
from content.model import Question
from content.skills import MALFORMED_SKILL, MAX_SKILL_LENGTH

GIFT_SUFFIXES = (".gift",)
AIKEN_SUFFIXES = (".aiken", ".txt")


def is_quiz_file(path: Path) -> bool:
    """True for a GIFT or Aiken file (by its name)."""
    return path.suffix.lower() in GIFT_SUFFIXES + AIKEN_SUFFIXES


def read_quiz_file(path: Path) -> list[Question]:
    """The questions of a quiz file, in the course model; CourseFormatError on a problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        message = N_("lecture impossible : %(reason)s")
        raise CourseFormatError(path, 0, 0, message, {"reason": str(error)}) from error
    if path.suffix.lower() in GIFT_SUFFIXES:
        return gift_to_questions(parse_gift(text, path))
    return gift_to_questions(parse_aiken(text, path))


def check_quiz_file(path: Path) -> list[CourseFormatError]:
    """The problem of a quiz file (its parsers stop at the first), or none."""
    try:
        questions = read_quiz_file(path)
    except CourseFormatError as error:
        return [error]
    if not questions:
        return [CourseFormatError(path, 0, 0, N_("aucune question dans ce fichier"))]
    if path.suffix.lower() not in GIFT_SUFFIXES:
        return []
    # A skill mark that names no skill code: left out on import, named here.
    return [
        CourseFormatError(
            path, item.line, 1, MALFORMED_SKILL, {"code": code, "count": MAX_SKILL_LENGTH}
        )
        for item in parse_gift(path.read_text(encoding="utf-8"), path)
        for code in malformed_skills(item)
    ]
