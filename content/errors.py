"""The error of the course format, with the place of the problem in the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

# How the pieces of the parser record a problem: report(line, column, message).
Report = Callable[[int, int, str], None]


class CourseFormatError(ValueError):
    """A problem in a course file; str() reads `path:line:column: message` like a compiler."""

    def __init__(self, path: Path, line: int, column: int, message: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path = path
        self.line = line  # 1-based; 0 when the problem is the whole file or folder
        self.column = column  # 1-based; 0 when the problem is the whole file or folder
        self.message = message

    def __reduce__(self) -> tuple[type[CourseFormatError], tuple[Path, int, int, str]]:
        """Pickle with the constructor's own arguments (ValueError would pass only one)."""
        return (type(self), (self.path, self.line, self.column, self.message))
