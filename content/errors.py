"""The error of the course format, with the place of the problem in the file.

A problem's wording is a French msgid marked with `N_` where it is written, with named
`%(name)s` placeholders filled from its arguments. content/ translates nothing itself (it
imports nothing of ours): whoever shows the problem passes a gettext, and the catalogs are
extracted with `-k N_` (scripts/update-catalogs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple, Protocol


def N_(message: str) -> str:
    """Mark a French message for extraction; it is translated when it is shown."""
    return message


class Report(Protocol):
    """How the parser records a problem: report(line, column, N_("..."), name=value)."""

    def __call__(self, line: int, column: int, message: str, /, **args: object) -> None:
        """Record one problem at a 1-based line and column."""


class Message(NamedTuple):
    """A problem's wording before it is reported: a msgid marked with N_ and its arguments."""

    text: str
    args: Mapping[str, object] = {}


def render_message(
    message: str, args: Mapping[str, object], gettext: Callable[[str], str] = lambda m: m
) -> str:
    """Translate a msgid and fill its placeholders (a literal % needs no escape without args)."""
    translated = gettext(message)
    if not args:
        return translated
    try:
        return translated % args
    except (KeyError, ValueError, TypeError):  # a broken translation: the French still reads
        return message % args


class CourseFormatError(ValueError):
    """A problem in a course file; str() reads `path:line:column: message` like a compiler."""

    def __init__(
        self,
        path: Path,
        line: int,
        column: int,
        message: str,
        args: Mapping[str, object] | None = None,
    ) -> None:
        self.path = path
        self.line = line  # 1-based; 0 when the problem is the whole file or folder
        self.column = column  # 1-based; 0 when the problem is the whole file or folder
        self.msgid = message  # the French source, marked with N_
        self.values: dict[str, object] = dict(args or {})  # not `args`: ValueError owns it
        super().__init__(self.located())

    @property
    def message(self) -> str:
        """The problem in French, placeholders filled."""
        return self.render()

    @property
    def text(self) -> str:
        """`path:line:column: message` in French, as str() gives it."""
        return self.located()

    def render(self, gettext: Callable[[str], str] = lambda m: m) -> str:
        """The problem translated by `gettext` (French by default), placeholders filled."""
        return render_message(self.msgid, self.values, gettext)

    def located(self, gettext: Callable[[str], str] = lambda m: m) -> str:
        """`path:line:column: message`, the message translated by `gettext`."""
        return f"{self.path}:{self.line}:{self.column}: {self.render(gettext)}"

    def __reduce__(
        self,
    ) -> tuple[type[CourseFormatError], tuple[Path, int, int, str, dict[str, object]]]:
        """Pickle with the constructor's own arguments (ValueError would pass only one)."""
        return (type(self), (self.path, self.line, self.column, self.msgid, self.values))
