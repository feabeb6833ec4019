"""Grading of learners' answers: one pure function per question type, and a dispatcher."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from content.model import NumericAnswer, Question, QuestionType
from content.normalize import fold


@dataclass(frozen=True)
class Grade:
    """The outcome of one answer: score in 0..1, whether it counts as right, the right answer."""

    score: float
    correct: bool
    expected: str  # human text of the right answer(s); empty for TRUE_FALSE


Answer = str | bool | Iterable[str]

_TRUE_WORDS = frozenset({"vrai", "v", "oui", "o", "true", "t", "yes", "y", "صحيح", "صح", "نعم"})
_FALSE_WORDS = frozenset({"faux", "f", "non", "n", "false", "no", "خطا", "خاطئ", "غلط", "لا"})

# A number as learners type it: sign, French thousands spaces, decimal comma or point,
# an optional "/denominator", then anything but digits (units such as "F", "km", "%").
_SPACES = "[ \u00a0\u202f]"
_NUMBER = re.compile(
    rf"\s*(?P<sign>[+\-\u2212]?)\s*"
    rf"(?P<int>\d{{1,3}}(?:{_SPACES}\d{{3}})+|\d+)?(?:[.,](?P<dec>\d+))?"
    r"(?:\s*/\s*(?P<den>\d+))?"
)


def parse_truth(text: str) -> bool | None:
    """Read vrai/faux, oui/non, true/false, v/f, yes/no (and Arabic) as a bool, else None."""
    word = fold(text)
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None


def parse_number(text: str) -> float | None:
    """Read "3,5", "-2", "1 000", "3/4", "25 F" as a number; None when it is not one."""
    match = _NUMBER.match(text)
    if match is None or (match["int"] is None and match["dec"] is None):
        return None
    if any(c.isdigit() for c in text[match.end() :]):
        return None  # "3 km 200" or "1,2,3": ambiguous, do not guess
    whole = re.sub(_SPACES, "", match["int"] or "0")
    value = float(f"{whole}.{match['dec'] or '0'}")
    if match["den"] is not None:
        # float(), not int(): int() refuses strings of more than 4,300 digits.
        denominator = float(match["den"])
        if denominator == 0:
            return None
        value /= denominator
    return -value if match["sign"] in ("-", "\u2212") else value


def format_number(value: float) -> str:
    """Write a number the French way: decimal comma, spaces between thousands from 10 000."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, decimals = digits.partition(".")
    if len(whole) > 4:
        whole = f"{int(whole):,}".replace(",", "\u00a0")
    result = f"{sign}{whole},{decimals}" if decimals else f"{sign}{whole}"
    return "0" if result == "-0" else result


def grade_single(q: Question, choice_id: str) -> Grade:
    """Grade a single-choice answer given as a choice id."""
    right = next((c for c in q.choices if c.correct), None)
    ok = right is not None and right.id == choice_id
    return Grade(1.0 if ok else 0.0, ok, right.text if right else "")


def grade_multiple(q: Question, choice_ids: Iterable[str]) -> Grade:
    """Grade a multiple-choice answer: (right picks - wrong picks) / right options, >= 0."""
    picked = set(choice_ids)
    right = {c.id for c in q.choices if c.correct}
    wrong = {c.id for c in q.choices if not c.correct}
    # Unknown ids cannot come from our own keyboards: ignore them rather than punish.
    hits, misses = len(picked & right), len(picked & wrong)
    score = max(0.0, (hits - misses) / len(right)) if right else 0.0
    expected = "; ".join(c.text for c in q.choices if c.correct)
    return Grade(score, picked & (right | wrong) == right, expected)


def grade_true_false(q: Question, value: bool) -> Grade:
    """Grade a true/false answer; the caller words the feedback itself."""
    ok = q.truth is not None and value == q.truth
    return Grade(1.0 if ok else 0.0, ok, "")


def typo_allowance(key: str) -> int:
    """Return how many edits a folded answer tolerates: none for short or numeric ones."""
    letters = key.replace(" ", "")
    if len(letters) < 4 or any(c.isdigit() for c in letters):
        return 0
    return 1 if len(letters) <= 8 else 2


def _matches(expected: str, given: str, typos: bool) -> bool:
    """Compare two folded answers, tolerating small typos when allowed."""
    if any(c.isdigit() for c in expected):
        return given == expected  # "1 2" must not equal "12"
    want, got = expected.replace(" ", ""), given.replace(" ", "")
    allowance = typo_allowance(expected) if typos else 0
    return bool(got) and OSA.distance(want, got, score_cutoff=allowance) <= allowance


def grade_short(q: Question, text: str) -> Grade:
    """Grade a typed answer against the accepted ones, ignoring case, accents, punctuation."""
    given = fold(text)
    ok = bool(given) and any(_matches(fold(a), given, q.typos) for a in q.accepted)
    return Grade(1.0 if ok else 0.0, ok, q.accepted[0] if q.accepted else "")


def _within(answer: NumericAnswer, value: float) -> bool:
    """Tell whether value is within the answer's tolerance, forgiving float rounding."""
    slack = 1e-9 * max(1.0, abs(answer.value))
    return abs(value - answer.value) <= answer.tolerance + slack


def grade_numeric(q: Question, text: str) -> Grade:
    """Grade a typed number against the accepted values and their tolerances."""
    value = parse_number(text)
    ok = value is not None and math.isfinite(value) and any(_within(a, value) for a in q.numeric)
    # The central value only: "38" reads better to a child than "38 ± 0,5".
    expected = format_number(q.numeric[0].value) if q.numeric else ""
    return Grade(1.0 if ok else 0.0, ok, expected)


def expected_text(q: Question) -> str:
    """Return the human text of the right answer of any question (empty for TRUE_FALSE)."""
    return _wrong(q).expected


def _wrong(q: Question) -> Grade:
    """Grade an answer of the wrong shape: no points, with the right answer for feedback."""
    if q.type is QuestionType.SINGLE:
        return grade_single(q, "")
    if q.type is QuestionType.MULTIPLE:
        return grade_multiple(q, ())
    if q.type is QuestionType.NUMERIC:
        return grade_numeric(q, "")
    return Grade(0.0, False, grade_short(q, "").expected if q.accepted else "")


def grade(q: Question, answer: Answer) -> Grade:
    """Grade any answer: a choice id, ids (or "a, c"), a bool or typed text, by type."""
    if q.type is QuestionType.MULTIPLE and not isinstance(answer, bool):
        ids = re.split(r"[\s,;]+", answer) if isinstance(answer, str) else answer
        return grade_multiple(q, (i for i in ids if i))
    if q.type is QuestionType.TRUE_FALSE:
        value = parse_truth(answer) if isinstance(answer, str) else answer
        return grade_true_false(q, value) if isinstance(value, bool) else _wrong(q)
    if not isinstance(answer, str):
        return _wrong(q)
    if q.type is QuestionType.SINGLE:
        return grade_single(q, answer)
    if q.type is QuestionType.NUMERIC:
        return grade_numeric(q, answer)
    return grade_short(q, answer)
