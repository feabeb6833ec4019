"""A list typed where the bot asks for "one per line", whatever separator people used.

On a phone whose keyboard's Enter sends, people write the list on one line: "Dakar; Thiès;
Saint-Louis", "Dakar / Thiès", "Vrai - Faux", "Dakar, Thiès". Several lines are taken as
they are; a single line is cut at the first separator it holds, in this order: `;`, `/`,
` - ` (a dash between spaces: "Saint-Louis" stays whole), `,`. A `/` or `,` between two
digits is part of a number ("1/2", "3,5"), never a separator.
"""

from __future__ import annotations

import re

_SEMICOLON = re.compile(r";")
_SLASH = re.compile(r"(?<!\d)/|/(?!\d)")
_DASH = re.compile(r"\s[-–—]\s")
_COMMA = re.compile(r"(?<!\d),|,(?!\d)")


def items(text: str, *, dashes: bool = True) -> list[str]:
    """The stripped, non-empty items of a typed list; `dashes=False` where a dash can be part
    of an item ("Clarté - 30" in a rubric)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        return lines
    separators = (_SEMICOLON, _SLASH, _DASH, _COMMA) if dashes else (_SEMICOLON, _SLASH, _COMMA)
    for separator in separators:
        pieces = [piece.strip() for piece in separator.split(lines[0]) if piece.strip()]
        if len(pieces) > 1:
            return pieces
    return lines


def as_lines(text: str, *, dashes: bool = True) -> str:
    """The typed list with one item per line (for parsers that read lines)."""
    return "\n".join(items(text, dashes=dashes))
