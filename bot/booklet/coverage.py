"""Characters a course uses that the booklet's fonts cannot print (a `content check` warning).

A character missing from Noto Sans and Noto Sans Arabic prints as nothing or an empty box on
paper ("→", "✓", emoji): the chat shows it, the booklet loses it. Authors are warned with the
character's place so they can reword (for example "donne" instead of "→").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from bot.booklet.fonts import ARABIC, LATIN, font_path

# Characters that never print as a glyph: spacing, joiners, marks fpdf2 handles itself.
_INVISIBLE = frozenset("\t\n\r \u00a0\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\ufe0f")


@dataclass(frozen=True)
class MissingGlyph:
    """A character of a course file that the booklet's fonts lack, and where it is."""

    line: int
    column: int
    char: str

    @property
    def code(self) -> str:
        """The character's code point and name: `U+2192 RIGHTWARDS ARROW`."""
        name = unicodedata.name(self.char, "")
        return f"U+{ord(self.char):04X} {name}".strip()


@lru_cache(maxsize=1)
def printable() -> frozenset[int]:
    """The code points the booklet's fonts have a glyph for (fallback fonts included)."""
    points: set[int] = set()
    for family in (LATIN, ARABIC):
        points.update(TTFont(font_path(family), lazy=True).getBestCmap())
    return frozenset(points)


def missing_glyphs(text: str) -> list[MissingGlyph]:
    """Every character of a course text that would not print, outside `<!-- comments -->`."""
    found: list[MissingGlyph] = []
    in_comment = False
    for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), 1):
        stripped = line.lstrip()
        if in_comment or stripped.startswith("<!--"):
            in_comment = "-->" not in (stripped[4:] if not in_comment else stripped)
            continue
        found.extend(
            MissingGlyph(number, column, char)
            for column, char in enumerate(line, 1)
            if char not in _INVISIBLE and ord(char) not in printable()
        )
    return found


def missing_in_file(path: Path) -> list[MissingGlyph]:
    """The missing characters of a course file (none when it cannot be read as UTF-8)."""
    try:
        return missing_glyphs(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return []  # `content check` reports these as errors already
