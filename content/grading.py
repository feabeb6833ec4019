"""Grading of learners' answers: one pure function per question type, and a dispatcher."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from content.model import Choice, NumericAnswer, Question, TextAnswer
from content.normalize import fold
from content.number_words import fraction_parts, read_number_words


@dataclass(frozen=True)
class Grade:
    """The outcome of one answer: score in 0..1, whether it counts as right, the right answer."""

    score: float
    correct: bool
    expected: str  # human text of the right answer(s); empty for TRUE_FALSE
    feedback: str = ""  # the feedback of the answer given, if the author wrote one
    to_grade: bool = False  # ESSAY: kept for a teacher, 0 points until then


Answer = str | bool | Iterable[str]

WILDCARD = "*"  # in a typed answer: any characters

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
    """Read vrai/faux, oui/non, true/false, v/f, yes/no (and Arabic) as a bool, else None.

    A small typo of a word of three letters or more is forgiven when it is nearer to one
    side than to the other: "fau", "vrei", "vrais", "ture", "flase".
    """
    word = fold(text)
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    if " " in word:
        return _truth_in_words(word.split())
    if len(word) < 3:
        return None
    near_true = _nearest(word, _TRUE_WORDS)
    near_false = _nearest(word, _FALSE_WORDS)
    if near_true == near_false or min(near_true, near_false) > 1:
        return None
    return near_true < near_false


def _truth_in_words(words: list[str]) -> bool | None:
    """A short sentence saying one side ("c'est vrai", "oui c vrai", "هذا صحيح"); None when
    it says both, denies ("ce n'est pas vrai": better asked again than graded backwards), or
    is longer than a few words."""
    if len(words) > _SENTENCE_WORDS or _NEGATIONS & set(words):
        return None
    sides = {w in _TRUE_WORDS for w in words if len(w) >= 3 and w in _TRUE_WORDS | _FALSE_WORDS}
    return sides.pop() if len(sides) == 1 else None


_SENTENCE_WORDS = 6
_NEGATIONS = frozenset({"pas", "ne", "n", "not", "isn", "ليس", "غير"})


def _nearest(word: str, words: frozenset[str]) -> int:
    """The fewest edits from word to one of the words of three letters or more."""
    return min(OSA.distance(word, w) for w in words if len(w) >= 3)


def parse_number(text: str) -> float | None:
    """Read "3,5", "-2", "1 000", "3/4", "25 F", "douze", "trois quarts" as a number;
    None when it is not one."""
    if any(c.isalpha() for c in text):
        written = read_number_words(text)
        if written is not None:
            negative = text.lstrip().startswith(("-", "\u2212"))
            return -written if negative and written > 0 else written
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


def _weighted(q: Question) -> bool:
    """Tell whether any option of the question carries an explicit weight."""
    return any(c.weight is not None for c in q.choices)


def _clamp(percent: float) -> float:
    """Turn a percentage into a score in 0..1: negative totals are floored at 0."""
    return min(1.0, max(0.0, percent / 100))


def grade_single(q: Question, choice_id: str) -> Grade:
    """Grade a single-choice answer given as a choice id."""
    if _weighted(q):
        return grade_single_weighted(q, choice_id)
    right = next((c for c in q.choices if c.correct), None)
    ok = right is not None and right.id == choice_id
    feedback = next((c.feedback for c in q.choices if c.id == choice_id), "")
    return Grade(1.0 if ok else 0.0, ok, right.text if right else "", feedback)


def grade_single_weighted(q: Question, choice_id: str) -> Grade:
    """Grade one picked option by its weight: 50% earns half, a negative weight earns 0."""
    best = max(q.choices, key=lambda c: c.points, default=None)
    picked: Choice | None = next((c for c in q.choices if c.id == choice_id), None)
    points = picked.points if picked else 0.0
    feedback = picked.feedback if picked else ""
    expected = best.text if best else ""
    return Grade(_clamp(points), best is not None and points >= best.points > 0, expected, feedback)


def grade_multiple(q: Question, choice_ids: Iterable[str]) -> Grade:
    """Grade a multiple-choice answer: (right picks - wrong picks) / right options, >= 0."""
    if _weighted(q):
        return grade_multiple_weighted(q, choice_ids)
    picked = set(choice_ids)
    right = {c.id for c in q.choices if c.correct}
    wrong = {c.id for c in q.choices if not c.correct}
    # Unknown ids cannot come from our own keyboards: ignore them rather than punish.
    hits, misses = len(picked & right), len(picked & wrong)
    score = max(0.0, (hits - misses) / len(right)) if right else 0.0
    expected = "; ".join(c.text for c in q.choices if c.correct)
    feedback = "\n".join(c.feedback for c in q.choices if c.id in picked and c.feedback)
    return Grade(score, picked & (right | wrong) == right, expected, feedback)


def grade_multiple_weighted(q: Question, choice_ids: Iterable[str]) -> Grade:
    """Grade ticked options by the sum of their weights, in 0..1 (negative sums give 0)."""
    picked = set(choice_ids)
    chosen = [c for c in q.choices if c.id in picked]
    best = {c.id for c in q.choices if c.points > 0}
    expected = "; ".join(c.text for c in q.choices if c.points > 0)
    feedback = "\n".join(c.feedback for c in chosen if c.feedback)
    score = _clamp(sum(c.points for c in chosen))
    return Grade(score, bool(best) and {c.id for c in chosen} == best, expected, feedback)


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


def _wildcard_matches(pattern: str, given: str) -> bool:
    """Match a folded answer against a pattern where `*` stands for any characters.

    Linear, without a regular expression (`*a*a*a*b` against a long answer backtracked for
    minutes): the first part must start the answer, the last end it, and each one between is
    taken at its leftmost place after the previous one, which is enough to decide.
    """
    first, *middle, last = [fold(part) for part in pattern.split(WILDCARD)]
    if len(given) < len(first) + len(last) or not given.startswith(first):
        return False
    if not given.endswith(last):
        return False
    position, end = len(first), len(given) - len(last)
    for part in middle:
        found = given.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


def _answer_matches(answer: TextAnswer, given: str, typos: bool) -> bool:
    """Compare a folded typed answer with one weighted answer (wildcards: no typos)."""
    if WILDCARD in answer.text:
        return _wildcard_matches(answer.text, given)
    return _matches(fold(answer.text), given, typos)


def exact_number(text: str) -> float | None:
    """The number a text is and nothing else ("3/4", "0,75", "trois quarts"), else None."""
    match = _NUMBER.fullmatch(text.strip())
    if match is not None and (match["int"] is not None or match["dec"] is not None):
        return parse_number(text)
    if any(c.isdigit() for c in text):
        return None  # "1 quarts" is neither "1/4" written out nor a typo to forgive
    return read_number_words(text) if any(c.isalpha() for c in text) else None


_DIGITS_OVER = re.compile(r"\s*\d+\s*(?:/|sur|over)\s*\d+\s*", re.IGNORECASE)


def _fraction(text: str) -> tuple[int, int] | None:
    """A fraction's numerator and denominator, written in digits ("2/6", "2 sur 6") or in
    words ("deux sixièmes"); digits mixed with a part's name ("1 quarts") are neither."""
    if any(c.isdigit() for c in text) and not _DIGITS_OVER.fullmatch(text):
        return None
    return fraction_parts(text)


def _typed_fraction(text: str) -> tuple[int, int] | None:
    """A typed fraction: as `_fraction`, or digits then a part's name, as children write it
    ("3 quarts", "2 sixièmes"); only ever compared with an answer written as a fraction."""
    if any(c.isdigit() for c in text) and not _DIGITS_OVER.fullmatch(text):
        return fraction_parts(text) if _DIGITS_PART.fullmatch(text) else None
    return fraction_parts(text)


_DIGITS_PART = re.compile(r"\s*\d+\s+[^\W\d_]+\s*")  # "3 quarts": a number, then one word


def _same_number(expected: str, given: str) -> bool:
    """Tell whether an accepted answer and a typed one are the same number ("12", "douze")."""
    if WILDCARD in expected:
        return False
    written, typed = _fraction(expected), _typed_fraction(given)
    if written is not None and typed is not None:
        # A fraction is answered as written: "2 sur 6" or "deux sixièmes" is 2/6, but 1/3,
        # the same number, does not answer "a fraction equal to 1/3 with 6 below".
        return written == typed
    want, got = exact_number(expected), exact_number(given)
    return want is not None and got is not None and math.isclose(want, got, abs_tol=1e-9)


def _best_text(q: Question) -> str:
    """The first answer with the most points, as feedback shows it."""
    answers = [a for a in q.text_answers if WILDCARD not in a.text] or list(q.text_answers)
    best = max(answers, key=lambda a: a.weight, default=None)
    return best.text if best else ""


def grade_short(q: Question, text: str) -> Grade:
    """Grade a typed answer against the accepted ones, ignoring case, accents, punctuation.

    With weighted answers the best matching one counts: `50%` earns half the points, a
    negative weight earns 0; `*` in an answer stands for any characters.
    """
    given = fold(text)
    matching = [
        a
        for a in q.text_answers
        if given and (_answer_matches(a, given, q.typos) or _same_number(a.text, text))
    ]
    hit = max(matching, key=lambda a: a.weight, default=None)
    points = hit.weight if hit else 0.0
    top = max((a.weight for a in q.text_answers), default=100.0)
    ok = hit is not None and points >= top and points > 0
    return Grade(_clamp(points), ok, _best_text(q), hit.feedback if hit else "")


def _within(answer: NumericAnswer, value: float) -> bool:
    """Tell whether value is within the answer's tolerance, forgiving float rounding."""
    slack = 1e-9 * max(1.0, abs(answer.value))
    return abs(value - answer.value) <= answer.tolerance + slack


def grade_numeric(q: Question, text: str) -> Grade:
    """Grade a typed number against the accepted values, ranges and their weights.

    The matching answer with the most points counts: several answers give partial credit
    (`= 50% 3,1` beside `= 3,14`).
    """
    value = parse_number(text)
    usable = value is not None and math.isfinite(value)
    matching = [a for a in q.numeric if usable and value is not None and _within(a, value)]
    hit = max(matching, key=lambda a: a.weight, default=None)
    top = max((a.weight for a in q.numeric), default=100.0)
    points = hit.weight if hit else 0.0
    ok = hit is not None and points >= top and points > 0
    # The central value only: "38" reads better to a child than "38 ± 0,5".
    best = max(q.numeric, key=lambda a: a.weight, default=None)
    expected = format_number(best.value) if best and math.isfinite(best.tolerance) else ""
    return Grade(_clamp(points), ok, expected, hit.feedback if hit else "")


def grade_matching(q: Question, rights: Sequence[str]) -> Grade:
    """Grade a matching answer: the right item picked for each left item, in order.

    Each pair right earns its share of the point; all right is correct.
    """
    pairs = [p for p in q.pairs if p.left]
    hits = sum(
        1
        for pair, given in zip(pairs, rights, strict=False)
        if " ".join(given.casefold().split()) == " ".join(pair.right.casefold().split())
    )
    expected = "; ".join(f"{p.left} → {p.right}" for p in pairs)
    score = hits / len(pairs) if pairs else 0.0
    return Grade(score, bool(pairs) and hits == len(pairs), expected)


def grade_missing_word(q: Question, answer: str) -> Grade:
    """Grade the word for the gap: a choice id when the gap has options, else typed text."""
    if q.choices:
        return grade_single(q, answer)
    return grade_short(q, answer)


def grade_essay(q: Question, text: str) -> Grade:
    """Keep a free answer for the teacher: no points now, marked to grade."""
    del q
    return Grade(0.0, bool(text.strip()), "", to_grade=True)


def grade_description(q: Question) -> Grade:
    """A description asks nothing: no points, nothing wrong."""
    del q
    return Grade(0.0, True, "")


def expected_text(q: Question) -> str:
    """Return the human text of the right answer of any question (empty for TRUE_FALSE)."""
    from content.kinds import KINDS  # each kind grades with the graders above

    return KINDS[q.type].unanswered(q).expected


def unanswered_typed(q: Question) -> Grade:
    """No points for a typed or true/false answer, with the typed right answer if any."""
    return Grade(0.0, False, grade_short(q, "").expected if q.text_answers else "")


def grade(q: Question, answer: Answer) -> Grade:
    """Grade any answer: a choice id, ids (or "a, c"), a bool or typed text, by type.

    MATCHING takes the right items in the order of the pairs; DESCRIPTION takes anything.
    An answer of the wrong shape earns nothing, with the right answer for feedback.
    """
    from content.kinds import KINDS

    return KINDS[q.type].grade(q, answer)
