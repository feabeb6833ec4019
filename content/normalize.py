"""Text folding shared by the course format and grading: case, accents, punctuation."""

from __future__ import annotations

import re
import unicodedata

# Ligatures that NFKD leaves alone but that learners type as two letters.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})

_SLUG_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Ids travel inside 64-byte Telegram callback data next to other ids: keep them short.
MAX_ID_LENGTH = 24


def strip_accents(text: str) -> str:
    """Return text without combining marks (é -> e, أ -> ا), ligatures spelled out."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Return a comparison key: lower case, no accents, punctuation as single spaces."""
    bare = strip_accents(text.casefold())
    spaced = "".join(c if c.isalnum() else " " for c in bare)
    return " ".join(spaced.split())


def slugify(text: str, max_length: int = MAX_ID_LENGTH) -> str:
    """Return an ASCII slug of text (may be empty), cut at a word boundary."""
    words = re.findall(r"[a-z0-9]+", fold(text))
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            return slug or word[:max_length]
        slug = candidate
    return slug


def is_valid_id(text: str, max_length: int = MAX_ID_LENGTH) -> bool:
    """Tell whether text is a short ASCII slug usable as a course or lesson id."""
    return len(text) <= max_length and _SLUG_ID.fullmatch(text) is not None
