"""GIFT text and answer blocks: escapes, format markers, choices, numbers, pairs, true/false.

content/gift.py cuts a GIFT file into questions; this module reads what sits between the
braces of one question. Positions are offsets into the question's text, turned into a file
line and column by `Place` when something is wrong.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from content.errors import N_, CourseFormatError

FORMATS = ("moodle", "html", "markdown", "plain")
ESCAPABLE = "\\~=#{}:[]"  # written \~ \= ... in GIFT; \n is a newline
BLANK = "_____"  # where embedded answers sit in a stem, as Moodle shows it

_ESCAPE = re.compile(r"\\([\\~=#{}:\[\]n])")
_FORMAT_MARK = re.compile(r"\[(moodle|html|markdown|plain)\]")
_NUMBER = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?"
_WEIGHT = re.compile(rf"%\s*({_NUMBER})\s*%")
_TRUTHS = {"T": True, "TRUE": True, "F": False, "FALSE": False}


class GiftSyntaxError(CourseFormatError):
    """A GIFT file that cannot be read, with the line and column of the problem."""


class GiftType(StrEnum):
    """The kinds of GIFT item; CATEGORY is the `$CATEGORY:` line, not a question."""

    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    SHORT = "short"
    NUMERIC = "numeric"
    MATCHING = "matching"
    ESSAY = "essay"
    DESCRIPTION = "description"
    CATEGORY = "category"


@dataclass(frozen=True)
class GiftText:
    """Text with its format: moodle (the default), html, markdown or plain."""

    format: str = "moodle"
    text: str = ""


@dataclass(frozen=True)
class GiftNumber:
    """A numeric answer: `value`, `value:tolerance`, `low..high`, or any number (all None)."""

    value: float | None = None
    tolerance: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def is_any(self) -> bool:
        """Tell whether this answer matches any number (Moodle's `*`)."""
        return self.value is None and self.low is None


@dataclass(frozen=True)
class GiftChoice:
    """An answer of a choice, short or numeric question; `number` is set for numeric ones."""

    text: GiftText
    is_correct: bool  # written with `=` (with `~` when False)
    weight: float | None = None  # `%50%`: percent of the points, -100 to 100
    feedback: GiftText | None = None
    number: GiftNumber | None = None


@dataclass(frozen=True)
class GiftMatch:
    """A pair of a matching question: `=question -> answer`."""

    question: GiftText
    answer: str


@dataclass(frozen=True)
class GiftAnswers:
    """What the braces of a question hold, before it is joined with its stem."""

    type: GiftType
    choices: tuple[GiftChoice, ...] = ()
    pairs: tuple[GiftMatch, ...] = ()
    truth: bool | None = None
    wrong_feedback: GiftText | None = None
    right_feedback: GiftText | None = None
    global_feedback: GiftText | None = None


@dataclass(frozen=True)
class Place:
    """Where a question's text sits in its file, to report problems by line and column."""

    source: Path
    starts: tuple[int, ...]  # offset of each line in the question's text
    lines: tuple[int, ...]  # file line number of each of those lines

    def error(self, pos: int, message: str, /, **args: object) -> GiftSyntaxError:
        """Return the error for a problem at this offset of the question's text."""
        i = self.index(pos)
        column = pos - self.starts[i] + 1
        return GiftSyntaxError(self.source, self.lines[i], column, message, args)

    def line(self, pos: int) -> int:
        """The file line of an offset of the question's text."""
        return self.lines[self.index(pos)]

    def index(self, pos: int) -> int:
        """Which line of the question's text holds an offset."""
        return max(bisect_right(self.starts, pos) - 1, 0)


def unescape(raw: str) -> str:
    """Resolve GIFT escapes: `\\~` is `~`, `\\n` a newline; other backslashes stay."""
    return _ESCAPE.sub(lambda m: "\n" if m[1] == "n" else m[1], raw)


def decode(raw: str, fmt: str) -> str:
    """Return the text of raw GIFT: html and markdown keep their lines, others are one line."""
    if fmt in ("html", "markdown"):
        return unescape(raw.strip())
    return unescape(" ".join(raw.split()))


def rich(raw: str, default: str) -> GiftText:
    """Read text that may start with a format marker such as `[html]`."""
    body = raw.lstrip()
    mark = _FORMAT_MARK.match(body)
    if mark:
        return GiftText(mark[1], decode(body[mark.end() :], mark[1]))
    return GiftText(default, decode(body, default))


def scan(text: str, start: int, end: int, targets: str) -> int:
    """Return the offset of the first unescaped target character in text[start:end], or -1."""
    i = start
    while i < end:
        if text[i] == "\\" and i + 1 < end and text[i + 1] in ESCAPABLE + "n":
            i += 2
        elif text[i] in targets:
            return i
        else:
            i += 1
    return -1


def split(text: str, start: int, end: int, separators: str) -> list[tuple[int, int]]:
    """Cut text[start:end] at unescaped separators; each span starts at its separator."""
    spans, begin = [], start
    at = scan(text, start, end, separators)
    while at >= 0:
        spans.append((begin, at))
        begin = at
        at = scan(text, at + 1, end, separators)
    spans.append((begin, end))
    return spans


def _optional(text: GiftText) -> GiftText | None:
    """Return None for empty text (`#` with nothing after it)."""
    return text if text.text else None


def _global_at(text: str, start: int, end: int) -> int:
    """Return the offset of the `####` that starts the general feedback, or -1."""
    at = scan(text, start, end, "#")
    while at >= 0 and not text.startswith("####", at):
        at = scan(text, at + 1, end, "#")
    return at if at >= 0 and at + 4 <= end else -1


def parse_answers(text: str, start: int, end: int, fmt: str, place: Place) -> GiftAnswers:
    """Read the answers between braces, text[start:end]; fmt is the stem's format."""
    at = _global_at(text, start, end)
    general = _optional(rich(text[at + 4 : end], fmt)) if at >= 0 else None
    stop = at if at >= 0 else end
    body = text[start:stop]
    first = len(body) - len(body.lstrip()) + start
    head = body.strip()
    if not head:
        answers = GiftAnswers(GiftType.ESSAY)
    elif head.startswith("#"):
        answers = _numeric(text, text.index("#", first) + 1, stop, fmt, place)
    elif head[0] in "=~":
        answers = _choices(text, first, stop, fmt, place)
    else:
        answers = _truth_or_short(text, first, stop, fmt, place)
    return replace(answers, global_feedback=general)


def _feedback(text: str, hash_at: int, end: int, fmt: str, place: Place) -> GiftText | None:
    """Read the feedback after `#` up to end; a second `#` must be escaped."""
    if hash_at < 0:
        return None
    extra = scan(text, hash_at + 1, end, "#")
    if extra >= 0:
        raise place.error(
            extra, N_("un second # dans une même réponse : écrivez \\# pour un # seul")
        )
    return _optional(rich(text[hash_at + 1 : end], fmt))


def _truth_or_short(text: str, start: int, end: int, fmt: str, place: Place) -> GiftAnswers:
    """Read `{T}`, `{FALSE#wrong#right}`, or a single right short answer `{answer#feedback}`."""
    if scan(text, start, end, "=~") >= 0:
        at = scan(text, start, end, "=~")
        message = N_("texte avant la première réponse (%(mark)s commence une réponse)")
        raise place.error(start, message, mark=text[at])
    spans = split(text, start, end, "#")
    truth = _TRUTHS.get(text[spans[0][0] : spans[0][1]].strip())
    if truth is None:
        hash_at = spans[1][0] if len(spans) > 1 else -1
        answer = rich(text[start : hash_at if hash_at >= 0 else end], fmt)
        feedback = _feedback(text, hash_at, end, fmt, place)
        return GiftAnswers(GiftType.SHORT, choices=(GiftChoice(answer, True, None, feedback),))
    if len(spans) > 3:
        message = N_("un vrai/faux prend au plus deux retours (#si faux#si vrai)")
        raise place.error(spans[3][0], message)
    feedbacks = [_optional(rich(text[a + 1 : b], fmt)) for a, b in spans[1:]]
    wrong = feedbacks[0] if feedbacks else None
    right = feedbacks[1] if len(feedbacks) > 1 else None
    return GiftAnswers(GiftType.TRUE_FALSE, truth=truth, wrong_feedback=wrong, right_feedback=right)


def _weight(text: str, pos: int, end: int, place: Place) -> tuple[float | None, int]:
    """Read an optional `%50%` weight at pos; return it and where the answer text starts."""
    while pos < end and text[pos].isspace():
        pos += 1
    match = _WEIGHT.match(text, pos, end)
    if not match:
        return None, pos
    weight = to_number(match[1], pos, place)
    if not -100 <= weight <= 100:
        raise place.error(pos, N_("un poids est un pourcentage entre -100 et 100"))
    return weight, match.end()


def _choice(text: str, span: tuple[int, int], fmt: str, place: Place) -> GiftChoice:
    """Read one `=answer` or `~%50%answer#feedback` item."""
    begin, end = span
    weight, pos = _weight(text, begin + 1, end, place)
    hash_at = scan(text, pos, end, "#")
    answer = rich(text[pos : hash_at if hash_at >= 0 else end], fmt)
    if not answer.text:
        raise place.error(begin, N_("cette réponse est vide"))
    feedback = _feedback(text, hash_at, end, fmt, place)
    return GiftChoice(answer, text[begin] == "=", weight, feedback)


def _items(text: str, start: int, end: int, place: Place) -> list[tuple[int, int]]:
    """Cut answers at unescaped `=` and `~`; nothing but spaces may come before the first."""
    spans = split(text, start, end, "=~")
    if text[spans[0][0] : spans[0][1]].strip():
        message = N_("une réponse commence par = (juste) ou ~ (fausse)")
        raise place.error(spans[0][0], message)
    return spans[1:]


def _choices(text: str, start: int, end: int, fmt: str, place: Place) -> GiftAnswers:
    """Read choice, short-answer or matching items."""
    spans = _items(text, start, end, place)
    if _is_matching(text, spans):
        return GiftAnswers(GiftType.MATCHING, pairs=tuple(_pair(text, s, fmt) for s in spans))
    choices = tuple(_choice(text, span, fmt, place) for span in spans)
    kind = GiftType.SHORT if all(c.is_correct for c in choices) else GiftType.MULTIPLE_CHOICE
    return GiftAnswers(kind, choices=choices)


def _is_matching(text: str, spans: list[tuple[int, int]]) -> bool:
    """Tell whether every item is a plain `=question -> answer` pair."""
    return all(
        text[a] == "=" and "->" in text[a:b] and scan(text, a, b, "#") < 0 for a, b in spans
    ) and not any(_WEIGHT.match(text[a + 1 : b].lstrip()) for a, b in spans)


def _pair(text: str, span: tuple[int, int], fmt: str) -> GiftMatch:
    """Read one `=question -> answer` pair (the question may be empty)."""
    begin, end = span
    arrow = text.index("->", begin, end)
    return GiftMatch(rich(text[begin + 1 : arrow], fmt), decode(text[arrow + 2 : end], "plain"))


def _numeric(text: str, start: int, end: int, fmt: str, place: Place) -> GiftAnswers:
    """Read `{#3.14:0.01}`, `{#1..5}` or a list of `=%50%value:tolerance#feedback` answers."""
    body = text[start:end]
    first = start + len(body) - len(body.lstrip())
    if body.strip()[:1] in ("=", "~"):
        spans = _items(text, first, end, place)
        return GiftAnswers(
            GiftType.NUMERIC, tuple(_number_choice(text, s, fmt, place) for s in spans)
        )
    hash_at = scan(text, first, end, "#")
    number = number_spec(text[first : hash_at if hash_at >= 0 else end], first, place)
    if number is None:
        raise place.error(first, N_("un nombre est attendu après {#"))
    feedback = _feedback(text, hash_at, end, fmt, place)
    return GiftAnswers(GiftType.NUMERIC, (GiftChoice(GiftText(fmt), True, None, feedback, number),))


def _number_choice(text: str, span: tuple[int, int], fmt: str, place: Place) -> GiftChoice:
    """Read one `=%50%1822:2#feedback` numeric answer (no number: any other answer)."""
    begin, end = span
    weight, pos = _weight(text, begin + 1, end, place)
    hash_at = scan(text, pos, end, "#")
    number = number_spec(text[pos : hash_at if hash_at >= 0 else end], pos, place)
    feedback = _feedback(text, hash_at, end, fmt, place)
    return GiftChoice(GiftText(fmt), text[begin] == "=", weight, feedback, number or GiftNumber())


def number_spec(raw: str, pos: int, place: Place) -> GiftNumber | None:
    """Read `3`, `3.14:0.01` or `1..5` (a decimal comma is fine); None when empty or `*`."""
    spec = raw.strip()
    pos += len(raw) - len(raw.lstrip())
    if spec in ("", "*"):
        return None
    if ".." in spec:
        low, high = (to_number(part, pos, place) for part in spec.split("..", 1))
        if low > high:
            message = N_("un intervalle va du plus petit nombre au plus grand : 1..5")
            raise place.error(pos, message)
        return GiftNumber(low=low, high=high)
    if ":" in spec:
        value, tolerance = (to_number(part, pos, place) for part in spec.split(":", 1))
        if tolerance < 0:
            raise place.error(pos, N_("une tolérance ne peut pas être négative"))
        return GiftNumber(value, tolerance)
    return GiftNumber(to_number(spec, pos, place))


def to_number(raw: str, pos: int, place: Place) -> float:
    """Read one finite number such as `-3.5` or `3,5`."""
    if not re.fullmatch(_NUMBER, raw.strip()):
        raise place.error(pos, N_("'%(text)s' n'est pas un nombre"), text=raw.strip())
    number = float(raw.strip().replace(",", "."))
    if not math.isfinite(number):
        raise place.error(pos, N_("ce nombre est trop grand : '%(text)s'"), text=raw.strip())
    return number
