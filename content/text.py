"""Cutting long texts into messages that fit a channel's size limit."""

from __future__ import annotations

import re
import unicodedata

# Coarsest first: paragraphs, sentences, words; a hard cut is the last resort.
_PARAGRAPHS = re.compile(r"\n\s*\n")
# A sentence ends with . ! ? … (or Arabic ؟), possibly followed by a closing quote or bracket.
_SENTENCES = re.compile(r"(?<=[.!?…؟])\s+|(?<=[.!?…؟][»\"')\]])\s+")
# French puts a space before ! ? ; : » and after «: never cut there. Each run of spaces is
# tried from its start only (after «, from its second character): tried from every space, a
# long run before a "!" backtracked quadratically (20,000 spaces: 8 s).
_WORDS = re.compile(r"(?:(?<![«\s])|(?<=«\s))\s+(?![!?;:»\s])")
_LEVELS = (_PARAGRAPHS, _SENTENCES, _WORDS)


def split_text(text: str, limit: int) -> list[str]:
    """Split text into chunks of at most `limit` characters, at the most natural boundaries."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return _split(text.strip(), limit, 0)


def _split(text: str, limit: int, level: int) -> list[str]:
    """Split text at one level, recursing into finer levels for parts that are too long."""
    if len(text) <= limit:
        return [text] if text else []
    if level == len(_LEVELS):
        return _hard_cut(text, limit)
    chunks: list[str] = []
    for separator, part in _parts(_LEVELS[level], text):
        glue = _glue(separator)
        for i, sub in enumerate(_split(part.strip(), limit, level + 1)):
            # Only a part's first piece may join the previous chunk: the finer level
            # already packed the others as tightly as they go.
            if i == 0 and chunks and len(chunks[-1]) + len(glue) + len(sub) <= limit:
                chunks[-1] += glue + sub
            else:
                chunks.append(sub)
    return chunks


def _parts(pattern: re.Pattern[str], text: str) -> list[tuple[str, str]]:
    """Return the (separator before it, part) pairs of text cut by pattern."""
    pairs: list[tuple[str, str]] = []
    separator, start = "", 0
    for match in pattern.finditer(text):
        pairs.append((separator, text[start : match.start()]))
        separator, start = match.group(), match.end()
    pairs.append((separator, text[start:]))
    return pairs


def _glue(separator: str) -> str:
    """Return the whitespace that rejoins two pieces: keep paragraph and line breaks."""
    newlines = separator.count("\n")
    return "\n\n" if newlines >= 2 else "\n" if newlines else " "


def _hard_cut(text: str, limit: int) -> list[str]:
    """Cut a word longer than the limit, never between a letter and its accent."""
    chunks: list[str] = []
    while text:
        cut = min(limit, len(text))
        while 1 < cut < len(text) and unicodedata.combining(text[cut]):
            cut -= 1  # keep "e" + U+0301 together
        if text[:cut].strip():
            chunks.append(text[:cut].strip())
        text = text[cut:]
    return chunks
