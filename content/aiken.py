"""Moodle's Aiken format: single-choice questions, one line each, read into GIFT items.

    Quelle est la capitale du Sénégal ?
    A. Thiès
    B) Dakar
    ANSWER: B

The question text may take several lines; options are `A.` or `A)` then a space; the
`ANSWER:` line (also `RÉPONSE:`, any case) ends the question. Blank lines are optional.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from content.errors import N_
from content.gift import GiftChoice, GiftQuestion, GiftSyntaxError, GiftText, GiftType

_OPTION = re.compile(r"([A-Z])[.)]\s+(\S.*)")
_ANSWER = re.compile(r"(?:ANSWER|R[ÉE]PONSE)\s*:\s*(\S*)\s*$", re.IGNORECASE)
_UNNAMED = Path("<aiken>")


@dataclass
class _Draft:
    """A question being read: its text lines and options so far."""

    line: int
    text: list[str]
    options: list[tuple[str, str]] = field(default_factory=list)


class _Reader:
    """Reads Aiken lines one by one."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.questions: list[GiftQuestion] = []
        self.draft: _Draft | None = None

    def error(self, line: int, column: int, message: str, /, **args: object) -> GiftSyntaxError:
        """Return the error for a problem at this place."""
        return GiftSyntaxError(self.source, line, column, message, args)

    def read(self, number: int, raw: str) -> None:
        """Read one line."""
        line = raw.strip()
        column = len(raw) - len(raw.lstrip()) + 1
        if not line:
            return
        if self.draft is None:
            self.draft = _Draft(number, [line])
            return
        answer, option = _ANSWER.match(line), _OPTION.fullmatch(line)
        if answer:
            self._finish(number, column + answer.start(1), answer[1].upper())
        elif option:
            self._option(number, column, option[1], option[2])
        elif self.draft.options:
            message = N_("option attendue, comme 'C. ...', ou la réponse 'ANSWER: B'")
            raise self.error(number, column, message)
        else:
            self.draft.text.append(line)

    def _option(self, number: int, column: int, letter: str, text: str) -> None:
        """Record an option, refusing a letter given twice."""
        assert self.draft is not None
        if any(letter == seen for seen, _ in self.draft.options):
            raise self.error(
                number, column, N_("l'option %(letter)s est donnée deux fois"), letter=letter
            )
        self.draft.options.append((letter, text.strip()))

    def _finish(self, number: int, column: int, letter: str) -> None:
        """Close the question with its right option."""
        assert self.draft is not None
        draft, self.draft = self.draft, None
        if len(draft.options) < 2:
            message = N_("une question demande au moins deux options avant ANSWER:")
            raise self.error(number, 1, message)
        letters = [seen for seen, _ in draft.options]
        if letter not in letters:
            message = N_("la réponse doit être l'une des lettres %(letters)s")
            raise self.error(number, column, message, letters=", ".join(letters))
        choices = tuple(
            GiftChoice(GiftText("moodle", t), seen == letter) for seen, t in draft.options
        )
        stem = GiftText("moodle", " ".join(draft.text))
        self.questions.append(
            GiftQuestion(GiftType.MULTIPLE_CHOICE, stem, choices=choices, line=draft.line)
        )

    def end(self) -> None:
        """Refuse a last question without its ANSWER: line."""
        if self.draft is not None:
            raise self.error(self.draft.line, 1, N_("cette question n'a pas de ligne ANSWER:"))


def parse_aiken(text: str, source: Path | None = None) -> list[GiftQuestion]:
    """Read an Aiken file into single-choice questions; raise GiftSyntaxError on a mistake."""
    reader = _Reader(source or _UNNAMED)
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, 1):
        reader.read(number, raw)
    reader.end()
    return reader.questions
