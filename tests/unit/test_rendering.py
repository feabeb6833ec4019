"""The render pool's cache: keyed by content, bounded in bytes, one render per key at a time."""

from __future__ import annotations

import asyncio
import threading

from prometheus_client import REGISTRY

from bot.rendering import Renderer, content_key

GATE = threading.Event()


def slow(text: str) -> bytes:
    """A render that waits for the test to let it finish."""
    GATE.wait(10)
    return text.encode() * 100


def sized(text: str, size: int) -> bytes:
    return text.encode()[:1] * size


def counted(how: str) -> float:
    """imaginecole_documents_total{how} in this process's registry."""
    return REGISTRY.get_sample_value("imaginecole_documents_total", {"how": how}) or 0.0


async def test_requests_for_one_content_wait_for_one_render() -> None:
    renderer = Renderer(pool="thread")
    rendered, cached = counted("rendered"), counted("cached")
    GATE.clear()
    asked = [asyncio.ensure_future(renderer.later(slow, "a").make()) for _ in range(5)]
    await asyncio.sleep(0.05)
    GATE.set()
    made = await asyncio.gather(*asked)
    assert made == [b"a" * 100] * 5 and renderer.rendered == 1 and renderer.served == 4
    assert (counted("rendered") - rendered, counted("cached") - cached) == (1, 4)
    renderer.close()


async def test_the_first_asker_going_away_does_not_fail_the_others() -> None:
    renderer = Renderer(pool="thread")
    GATE.clear()
    first = asyncio.ensure_future(renderer.later(slow, "b").make())
    await asyncio.sleep(0.01)
    second = asyncio.ensure_future(renderer.later(slow, "b").make())
    await asyncio.sleep(0.01)
    first.cancel()
    await asyncio.sleep(0.01)
    GATE.set()
    assert await second == b"b" * 100
    renderer.close()


async def test_the_cache_is_bounded_in_bytes_and_keeps_the_recent() -> None:
    renderer = Renderer(pool="inline", cache_bytes=1000)
    for name in ("a", "b", "c"):
        await renderer.later(sized, name, 400).make()
    assert renderer.cached_bytes <= 1000
    await renderer.later(sized, "c", 400).make()
    assert renderer.rendered == 3, "the most recent is served from the cache"
    await renderer.later(sized, "a", 400).make()
    assert renderer.rendered == 4, "the oldest went first"
    await renderer.later(sized, "d", 5000).make()
    assert renderer.cached_bytes <= 1000, "a document larger than the cache is not kept"


def test_the_key_names_the_function_and_every_input() -> None:
    assert content_key(sized, "a", 1) == content_key(sized, "a", 1)
    assert content_key(sized, "a", 1) != content_key(sized, "a", 2)
    assert content_key(sized, "a", 1) != content_key(slow, "a", 1)
