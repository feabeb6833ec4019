"""Moodle's GIFT quiz format: read a file into questions, write questions back.

Questions are separated by blank lines; `//` lines are comments (they may carry `[id:...]`
and `[tag:...]`); `$CATEGORY:` lines name the category of the questions that follow. A
question is `::title::` (optional), a stem, and an answer block in braces, which may sit in
the middle of the stem (missing word). The answer block is read by content/gift_answers.py;
export lives in content/gift_export.py. These dataclasses are GIFT's own: a later step maps
them into content/model.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from content.errors import N_
from content.gift_answers import (
    BLANK,
    GiftAnswers,
    GiftChoice,
    GiftMatch,
    GiftNumber,
    GiftSyntaxError,
    GiftText,
    GiftType,
    Place,
    decode,
    parse_answers,
    rich,
    scan,
)
from content.gift_export import export_gift

__all__ = [
    "GiftChoice",
    "GiftMatch",
    "GiftNumber",
    "GiftQuestion",
    "GiftSyntaxError",
    "GiftText",
    "GiftType",
    "export_gift",
    "parse_gift",
]

CATEGORY_MARK = "$CATEGORY:"
# Moodle's patterns for ids and tags in comments are /\[id:([^\x00-\x1F\x7F]+?)\]/ and the same
# with "tag:"; _bracketed reads them in one pass (the expressions rescan the rest of the line
# from every "[id:", quadratic on a comment made of them).
ID_OPENING, TAG_OPENING = "[id:", "[tag:"
_CONTROL = re.compile(r"[\x00-\x1F\x7F]")
UNNAMED_SOURCE = Path("<gift>")


@dataclass(frozen=True)
class GiftQuestion:
    """One GIFT item: a question, a description, or a `$CATEGORY:` line (type CATEGORY)."""

    type: GiftType
    stem: GiftText = field(default_factory=GiftText)  # with BLANK where embedded answers sit
    title: str | None = None
    choices: tuple[GiftChoice, ...] = ()  # MULTIPLE_CHOICE, SHORT, NUMERIC
    pairs: tuple[GiftMatch, ...] = ()  # MATCHING
    truth: bool | None = None  # TRUE_FALSE: the right answer
    wrong_feedback: GiftText | None = None  # TRUE_FALSE: first #, shown after a wrong answer
    right_feedback: GiftText | None = None  # TRUE_FALSE: second #, shown after a right one
    global_feedback: GiftText | None = None  # `####...`, shown after any answer
    blank_at: int | None = None  # where BLANK is in stem.text when answers are embedded
    category: str | None = None  # the category in force (CATEGORY: the one it sets)
    id: str | None = None
    tags: tuple[str, ...] = ()
    line: int = field(default=0, compare=False)  # where it starts in the file

    @property
    def has_embedded_answers(self) -> bool:
        """Tell whether the answers sit inside the stem (missing word)."""
        return self.blank_at is not None


@dataclass
class _Block:
    """The lines of one item between blank lines, comments set apart."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    def place(self, source: Path) -> Place:
        """Return how offsets of the joined text map to file lines."""
        starts, offset = [], 0
        for _, text in self.lines:
            starts.append(offset)
            offset += len(text) + 1
        return Place(source, tuple(starts), tuple(number for number, _ in self.lines))


def _bracketed(comment: str, opening: str) -> list[str]:
    """The texts of `[id:...]` (with `opening` "[id:") in a comment, in order, like Moodle's
    expression: at least one character, no control character, up to the first `]` after it.

    Linear: a failed opening never makes the next one scan again what it already read.
    """
    found: list[str] = []
    close = -1  # the first `]` at or after `first + 1`, once known
    start = comment.find(opening)
    while start >= 0:
        first = start + len(opening)
        if close < first + 1:
            close = comment.find("]", first + 1)
            if close < 0:
                break
        control = _CONTROL.search(comment, first, close)
        if control is None:
            found.append(comment[first:close])
            start = comment.find(opening, close + 1)
        else:  # every opening before the control character reaches over it
            start = comment.find(opening, control.end())
    return found


def _blocks(text: str) -> Iterator[_Block]:
    """Cut the text at blank lines; lines starting with `//` are comments."""
    block = _Block()
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("//"):
            block.comments.append(line)
        elif line.strip():
            block.lines.append((number, line))
        elif block.lines or block.comments:
            yield block
            block = _Block()
    if block.lines or block.comments:
        yield block


class _Reader:
    """Turns blocks into items, carrying the category, ids and tags forward."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.items: list[GiftQuestion] = []
        self.category: str | None = None
        self.id: str | None = None
        self.tags: list[str] = []

    def read(self, block: _Block) -> None:
        """Read one block: its comments, an optional category line, then a question."""
        for comment in block.comments:
            self._comment(comment)
        if not block.lines:
            return
        text, place = "\n".join(line for _, line in block.lines), block.place(self.source)
        pos = self._category(text, place)
        if text[pos:].strip():
            self.items.append(self._question(text, pos, place))
            self.id, self.tags = None, []

    def _comment(self, comment: str) -> None:
        """Pick `[id:...]` and `[tag:...]` out of a comment, as Moodle does."""
        found = _bracketed(comment, ID_OPENING)
        if found:
            self.id = found[0].strip()
        self.tags.extend(tag.strip() for tag in _bracketed(comment, TAG_OPENING))

    def _category(self, text: str, place: Place) -> int:
        """Read a leading `$CATEGORY:` line; return where the rest of the block starts."""
        pos = len(text) - len(text.lstrip())
        if not text.startswith(CATEGORY_MARK, pos):
            return 0
        eol = text.find("\n", pos)
        eol = len(text) if eol < 0 else eol
        name = text[pos + len(CATEGORY_MARK) : eol].strip()
        if not name:
            raise place.error(pos, N_("$CATEGORY: doit être suivi du nom d'une catégorie"))
        self.category = name
        line = place.line(pos)
        self.items.append(GiftQuestion(GiftType.CATEGORY, category=name, line=line))
        return eol

    def _question(self, text: str, pos: int, place: Place) -> GiftQuestion:
        """Read a question or description starting at pos."""
        pos += len(text[pos:]) - len(text[pos:].lstrip())
        line = place.line(pos)
        title, pos = _title(text, pos, place)
        opening = scan(text, pos, len(text), "{}")
        if opening < 0:
            stem = rich(text[pos:], "moodle")
            if not stem.text:
                message = N_("une question demande un texte ou un bloc de réponses entre accolades")
                raise place.error(pos, message)
            return self._make(GiftAnswers(GiftType.DESCRIPTION), stem, None, title, line)
        if text[opening] == "}":
            message = N_("cette } ne ferme rien : écrivez \\} pour une accolade dans le texte")
            raise place.error(opening, message)
        closing = _closing(text, opening, place)
        before = _optional_text(rich(text[pos:opening], "moodle"))
        fmt = before.format if before else "moodle"
        answers = parse_answers(text, opening + 1, closing, fmt, place)
        after = _optional_text(rich(_after(text, closing, place), fmt))
        stem, blank_at = _stem(before, after)
        return self._make(answers, stem, blank_at, title, line)

    def _make(
        self,
        answers: GiftAnswers,
        stem: GiftText,
        blank_at: int | None,
        title: str | None,
        line: int,
    ) -> GiftQuestion:
        """Build the question from its parts and the context in force."""
        return GiftQuestion(
            answers.type,
            stem,
            title,
            answers.choices,
            answers.pairs,
            answers.truth,
            answers.wrong_feedback,
            answers.right_feedback,
            answers.global_feedback,
            blank_at,
            self.category,
            self.id,
            tuple(self.tags),
            line,
        )


def _title(text: str, pos: int, place: Place) -> tuple[str | None, int]:
    """Read an optional `::title::` at pos; return it and where the stem starts."""
    if not text.startswith("::", pos):
        return None, pos
    end = scan(text, pos + 2, len(text), ":")
    while end >= 0 and not text.startswith("::", end):
        end = scan(text, end + 1, len(text), ":")
    if end < 0:
        raise place.error(pos, N_("ce ::titre n'est pas fermé par ::"))
    return decode(text[pos + 2 : end], "plain"), end + 2


def _closing(text: str, opening: int, place: Place) -> int:
    """Return the offset of the `}` closing the answer block opened at `opening`."""
    closing = scan(text, opening + 1, len(text), "{}")
    if closing < 0:
        raise place.error(opening, N_("cette { n'est pas fermée par } avant la ligne vide"))
    if text[closing] == "{":
        message = N_("une { dans les réponses : écrivez \\{ pour une accolade dans le texte")
        raise place.error(closing, message)
    return closing


def _after(text: str, closing: int, place: Place) -> str:
    """Return the stem text after the answers, without a `//` comment ending that line."""
    start = closing + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    if text[start:line_end].lstrip().startswith("//"):
        start = line_end
    extra = scan(text, start, len(text), "{}")
    if extra >= 0:
        message = N_("un seul bloc de réponses par question : écrivez \\{ ou \\} dans le texte")
        raise place.error(extra, message)
    return text[start:]


def _optional_text(text: GiftText) -> GiftText | None:
    """Return None for empty stem text."""
    return text if text.text else None


def _stem(before: GiftText | None, after: GiftText | None) -> tuple[GiftText, int | None]:
    """Join the text around the answers, with BLANK where they were embedded."""
    if after is None:
        return before or GiftText(), None
    head = f"{before.text} " if before else ""
    fmt = before.format if before else after.format
    return GiftText(fmt, f"{head}{BLANK} {after.text}"), len(head)


def parse_gift(text: str, source: Path | None = None) -> list[GiftQuestion]:
    """Read a GIFT file; raise GiftSyntaxError with line and column on a mistake."""
    reader = _Reader(source or UNNAMED_SOURCE)
    for block in _blocks(text):
        reader.read(block)
    return reader.items
