"""Oversized bodies are refused before they are read whole, on every door of the server.

Over real HTTP to the real application: a 10 MB body, announced (Content-Length) or streamed
(chunked, no length), gets 413 on the webhooks and the API, nothing is stored and nothing
is sent; a normal body still works; a too-big web chat frame closes the socket with 1009.
The reader itself stops pulling at the limit (the last test counts what it pulled).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import WSCloseCode, WSMsgType, web
from aiohttp.test_utils import make_mocked_request

from bot.limits import TELEGRAM_BODY, WEB_FRAME, WHATSAPP_BODY, read_bounded
from tests.fakes.telegram_updates import UpdateFactory
from tests.full_bot import FullBot, full_bot
from tests.telegram_driver import SECRET
from tests.whatsapp_driver import APP_SECRET, encode, sign, text_body

TEN_MB = 10 * 1024 * 1024
CHUNK = 64 * 1024
PHONE = "221771234567"


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[FullBot]:
    async with full_bot(database_url) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def padded(body: dict[str, object], size: int) -> bytes:
    """A JSON body blown up to `size` bytes with a long string (valid JSON, valid shape)."""
    raw = encode(body)
    return raw[:-1] + b',"pad":"' + b"x" * max(size - len(raw) - 9, 0) + b'"}'


async def streamed(data: bytes) -> AsyncIterator[bytes]:
    """The body in pieces, sent chunked without a Content-Length."""
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK]


async def post(
    http: aiohttp.ClientSession, url: str, data: bytes, headers: dict[str, str], chunked: bool
) -> int:
    """POST the body, announced or streamed; the status."""
    payload = streamed(data) if chunked else data
    async with http.post(url, data=payload, headers=headers) as response:
        return response.status


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_huge_whatsapp_body_is_refused_and_nothing_is_stored(
    bot: FullBot, http: aiohttp.ClientSession, chunked: bool
) -> None:
    body = padded(text_body(PHONE, "Bonjour"), TEN_MB)
    headers = {"X-Hub-Signature-256": sign(APP_SECRET, body)}  # even correctly signed
    status = await post(http, bot.url("/whatsapp/webhook"), body, headers, chunked)
    assert status == 413
    assert await bot.count("whatsapp_inbox") == 0
    assert await bot.count("users") == 0
    assert bot.graph.sent() == []


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_huge_telegram_update_is_refused_and_nothing_is_stored(
    bot: FullBot, http: aiohttp.ClientSession, chunked: bool
) -> None:
    body = padded(UpdateFactory().text(777_001, "/start"), TEN_MB)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    status = await post(http, bot.url("/telegram/webhook"), body, headers, chunked)
    assert status == 413
    assert await bot.count("users") == 0
    assert bot.telegram.sent() == []


@pytest.mark.parametrize("path", ["/api/v1/courses", "/healthz", "/verify/ABC", "/nowhere"])
async def test_routes_that_take_no_body_refuse_a_huge_one(
    bot: FullBot, http: aiohttp.ClientSession, path: str
) -> None:
    # Refused before the route runs (a streamed one is simply never read by these routes).
    async with http.get(bot.url(path), data=b"x" * TEN_MB) as response:
        assert response.status == 413


async def test_normal_bodies_still_work(bot: FullBot, http: aiohttp.ClientSession) -> None:
    body = encode(text_body(PHONE, "Bonjour"))
    headers = {"X-Hub-Signature-256": sign(APP_SECRET, body)}
    assert await post(http, bot.url("/whatsapp/webhook"), body, headers, chunked=True) == 200
    assert bot.app.whatsapp is not None
    await bot.app.whatsapp.drain()
    assert bot.graph.sent(PHONE)  # the language question came back
    update = json.dumps(UpdateFactory().text(777_001, "/start")).encode()
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    assert await post(http, bot.url("/telegram/webhook"), update, headers, chunked=False) == 200
    assert bot.telegram.sent(777_001)


async def test_a_body_just_under_the_whatsapp_limit_is_read(
    bot: FullBot, http: aiohttp.ClientSession
) -> None:
    body = padded(text_body(PHONE, "Bonjour"), WHATSAPP_BODY - 1024)
    headers = {"X-Hub-Signature-256": sign(APP_SECRET, body)}
    assert await post(http, bot.url("/whatsapp/webhook"), body, headers, chunked=True) == 200


async def test_a_too_big_web_chat_frame_closes_the_socket(
    bot: FullBot, http: aiohttp.ClientSession
) -> None:
    async with http.ws_connect(bot.url("/ws"), max_msg_size=0) as ws:
        await ws.send_str(json.dumps({"type": "text", "id": "1", "text": "x" * (WEB_FRAME + 1)}))
        message = await ws.receive(timeout=5)
        assert message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
        assert ws.close_code == WSCloseCode.MESSAGE_TOO_BIG
    assert await bot.count("users") == 0


class CountingStream:
    """A request body that counts the pieces the reader pulled."""

    def __init__(self, pieces: int) -> None:
        self.pieces = pieces
        self.pulled = 0

    async def iter_any(self) -> AsyncIterator[bytes]:
        while self.pulled < self.pieces:
            self.pulled += 1
            yield b"x" * CHUNK


async def test_the_reader_stops_pulling_at_the_limit() -> None:
    stream = CountingStream(TEN_MB // CHUNK)
    request = make_mocked_request("POST", "/telegram/webhook", payload=stream)
    with pytest.raises(web.HTTPRequestEntityTooLarge):
        await read_bounded(request, TELEGRAM_BODY)
    assert stream.pulled == TELEGRAM_BODY // CHUNK + 1  # one piece past the limit, no more


async def test_deeply_nested_webhook_bodies_are_refused_not_a_500(
    bot: FullBot, http: aiohttp.ClientSession
) -> None:
    # Small enough for the limits, deep enough to overflow the parser's recursion (and far
    # past the 32 levels any real body uses): refused as unreadable, nothing stored.
    for nested in (b"[" * 50_000 + b"]" * 50_000, b'{"a":' * 40 + b"1" + b"}" * 40):
        headers = {"X-Hub-Signature-256": sign(APP_SECRET, nested)}
        assert await post(http, bot.url("/whatsapp/webhook"), nested, headers, False) == 400
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        status = await post(http, bot.url("/telegram/webhook"), nested, headers, False)
        assert status < 500
    assert await bot.count("whatsapp_inbox") == 0
    assert await bot.count("users") == 0
    # And the doors still work.
    body = encode(text_body(PHONE, "Bonjour"))
    headers = {"X-Hub-Signature-256": sign(APP_SECRET, body)}
    assert await post(http, bot.url("/whatsapp/webhook"), body, headers, chunked=False) == 200


async def test_a_body_trickled_in_is_refused_at_its_deadline() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=await read_bounded(request, TELEGRAM_BODY, within=0.5))

    async def trickle() -> AsyncIterator[bytes]:
        for _ in range(20):  # 4 s in all
            yield b"x"
            await asyncio.sleep(0.2)

    app = web.Application()
    app.router.add_post("/", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"http://127.0.0.1:{site.port}/", data=trickle()) as response,
        ):
            assert response.status == 408
    finally:
        await runner.cleanup()
