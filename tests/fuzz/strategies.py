"""Hypothesis strategies of hostile JSON, shared by the unit and the end-to-end fuzz tests:
any JSON value (huge integers, unicode, control characters), and mutations of a real document
(a key set to noise somewhere inside, a key dropped)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**53, max_value=2**70)  # past doubles, past int64
    | st.integers(max_value=-(2**31))
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["", " ", "0", "-1", "1e400", "NaN", "null", "ا", "🎒", "\u200f", "\x00"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=30,
)


def put_somewhere(raw: Any, path: list[int], key: str, noise: object) -> Any:
    """Walk `path` into a JSON document (dicts by value order, lists by index, modulo their
    size) and set `key` to `noise` in the dict reached; returns the document."""
    node: Any = raw
    for step in path:
        children = list(node.values()) if isinstance(node, dict) else node
        if not isinstance(children, list) or not children:
            break
        child = children[step % len(children)]
        if not isinstance(child, dict | list):
            break
        node = child
    if isinstance(node, dict):
        node[key] = noise
    return raw


def drop_somewhere(raw: Any, path: list[int]) -> Any:
    """Walk `path` like `put_somewhere` and delete one key of the dict reached."""
    node: Any = raw
    for step in path:
        if isinstance(node, dict) and node:
            key = list(node)[step % len(node)]
            if not isinstance(node[key], dict | list) or step % 3 == 0:
                del node[key]
                return raw
            node = node[key]
        elif isinstance(node, list) and node:
            node = node[step % len(node)]
        else:
            break
    return raw


@st.composite
def mutated(draw: st.DrawFn, original: Any, keys: list[str]) -> Any:
    """A few random edits of a JSON document: a key set to noise (a known key or a new one),
    a key dropped, a value replaced by another type."""
    raw = original
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.lists(st.integers(0, 7), max_size=6))
        if draw(st.booleans()):
            key = draw(st.sampled_from(keys) | st.text(max_size=8))
            raw = put_somewhere(raw, path, key, draw(JSON))
        else:
            raw = drop_somewhere(raw, path)
    return raw


def pick(draw: st.DrawFn, items: list[Any], fallback: Any) -> Any:
    """One of `items` (which come from the bot's state), else `fallback`. The draw is the
    same whatever `items` holds, so hypothesis sees a strategy that depends on nothing
    outside it (else it reports FlakyStrategyDefinition)."""
    index = draw(st.integers(0, 63))
    return items[index % len(items)] if items else fallback
