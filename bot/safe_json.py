"""JSON from outside (web chat frames, webhook bodies, platform answers), parsed safely.

`json.loads` raises RecursionError, not ValueError, on a deeply nested document
(`[[[[...]]]]` a few thousand levels deep fits in a 64 KB frame): a caller that catches
ValueError lets it through, which dropped the web chat's socket and answered the webhooks
500. Here every unreadable document is a ValueError, and so is one nested deeper than any
body the bot reads legitimately (the deepest, a WhatsApp notification, is about 8 levels).
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32


class TooDeep(ValueError):
    """A document nested deeper than allowed."""


def loads(raw: str | bytes | bytearray, max_depth: int = MAX_DEPTH) -> Any:
    """The parsed document; ValueError when it is not JSON or is nested past `max_depth`."""
    try:
        document = json.loads(raw)
    except RecursionError as error:
        raise TooDeep("JSON nested too deeply") from error
    if depth(document, max_depth) > max_depth:
        raise TooDeep(f"JSON nested deeper than {max_depth} levels")
    return document


def depth(document: Any, stop_past: int = MAX_DEPTH) -> int:
    """How deep containers nest (a scalar is 0, `[1]` is 1), counted without recursion.

    Stops looking as soon as the depth passes `stop_past` (the answer is then above it).
    """
    deepest = 0
    pending: list[tuple[Any, int]] = [(document, 0)]
    while pending:
        value, level = pending.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        if deepest > stop_past:
            return deepest
        pending.extend((child, level) for child in children)
    return deepest
