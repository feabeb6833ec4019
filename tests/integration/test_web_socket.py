"""The web chat's WebSocket protocol, spoken by a plain client: bad frames, duplicates, tabs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.app import BotApp
from bot.config import Settings

UID = "test-learner-0123456789"


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[BotApp]:
    settings = Settings(
        database_url=database_url, web_host="127.0.0.1", web_port=0, pseudonym_secret=b"t"
    )
    bot = BotApp(settings)
    await bot.start()
    yield bot
    await bot.stop()


async def frames_until_ack(ws: aiohttp.ClientWebSocketResponse, ack: str) -> list[dict[str, Any]]:
    """Every frame up to the server's acknowledgement of message `ack`."""
    received = []
    while True:
        frame = json.loads((await ws.receive(timeout=5)).data)
        if frame == {"type": "ack", "id": ack}:
            return received
        received.append(frame)


async def hello(ws: aiohttp.ClientWebSocketResponse, uid: str = UID) -> list[dict[str, Any]]:
    """Say hello and collect the greeting (up to the last prompt)."""
    await ws.send_json({"type": "hello", "uid": uid})
    received = []
    while not received or received[-1]["type"] not in ("ask", "quiz"):
        received.append(json.loads((await ws.receive(timeout=5)).data))
    return received


async def test_greeting_duplicates_and_bad_frames(app: BotApp) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"http://127.0.0.1:{app.port}/ws") as ws,
    ):
        greeting = await hello(ws)
        assert greeting[0] == {"type": "locale", "lang": "fr", "rtl": False}
        language = greeting[-1]
        assert [o["id"] for o in language["options"]][:3] == ["fr", "en", "ar"]

        choose = {"type": "option", "id": "m1", "prompt": language["prompt"], "option": "ar"}
        await ws.send_json(choose)
        reply = await frames_until_ack(ws, "m1")
        assert reply[0] == {"type": "locale", "lang": "ar", "rtl": True}
        await ws.send_json(choose)
        assert await frames_until_ack(ws, "m1") == [], "a resent message is handled once"

        for bad in ("not json", "[1, 2]", json.dumps({"type": "option", "id": "m2"})):
            await ws.send_str(bad)
            frame = json.loads((await ws.receive(timeout=5)).data)
            assert frame["type"] == "error"


async def test_a_frame_before_hello_is_refused(app: BotApp) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"http://127.0.0.1:{app.port}/ws") as ws,
    ):
        await ws.send_json({"type": "text", "id": "x1", "text": "Bonjour"})
        assert json.loads((await ws.receive(timeout=5)).data)["type"] == "error"
        assert app.conversations is not None
        assert await app.conversations.store.count_users() == 0


async def test_two_tabs_of_one_learner_both_get_the_reply(app: BotApp) -> None:
    url = f"http://127.0.0.1:{app.port}/ws"
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(url) as one,
        http.ws_connect(url) as two,
    ):
        await hello(one)
        prompt = (await hello(two))[-1]["prompt"]
        await one.send_json({"type": "option", "id": "t1", "prompt": prompt, "option": "fr"})
        await frames_until_ack(one, "t1")
        seen = json.loads((await two.receive(timeout=5)).data)
        assert seen["type"] == "locale"


async def test_media_are_served_and_traversal_is_refused(app: BotApp) -> None:
    base = f"http://127.0.0.1:{app.port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/media/fractions/course.md") as response:
            assert response.status == 200
        # A course's image, for the web chat's <img> element.
        async with http.get(f"{base}/media/lecture-cp/images/marche.png") as response:
            assert response.status == 200 and (await response.read())[:4] == b"\x89PNG"
        for path in ("/media/fractions/../../../pyproject.toml", "/media/nope/x.png"):
            async with http.get(base + path) as response:
                assert response.status == 404
        async with http.get(f"{base}/") as response:
            assert "Imaginecole" in await response.text()


async def test_many_learners_in_parallel(app: BotApp) -> None:
    url = f"http://127.0.0.1:{app.port}/ws"

    async def one(i: int) -> str:
        async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
            prompt = (await hello(ws, f"parallel-learner-{i:06d}"))[-1]["prompt"]
            await ws.send_json({"type": "option", "id": "p", "prompt": prompt, "option": "en"})
            return str((await frames_until_ack(ws, "p"))[0]["lang"])

    assert await asyncio.gather(*(one(i) for i in range(20))) == ["en"] * 20


async def test_a_deeply_nested_frame_is_a_bad_frame_not_a_dropped_socket(app: BotApp) -> None:
    """json.loads raises RecursionError (not ValueError) past ~1,000 levels: the frame is
    refused and the conversation goes on on the same socket."""
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"http://127.0.0.1:{app.port}/ws") as ws,
    ):
        await hello(ws)
        for nested in ("[" * 30_000 + "]" * 30_000, '{"a":' * 10_000 + "1" + "}" * 10_000):
            await ws.send_str(nested)
            answer = json.loads((await ws.receive(timeout=5)).data)
            assert answer["type"] == "error" and answer["code"] == "nested", answer
        await ws.send_json({"type": "text", "id": "m9", "text": "bonjour"})
        assert await frames_until_ack(ws, "m9")  # still answered
