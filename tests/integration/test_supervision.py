"""Start-up and supervision: each channel starts and retries on its own, background loops are
restarted when they die, and /readyz and /metrics say what is down."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from bot.app import BotApp
from bot.supervise import Supervisor
from bot.telegram import service as telegram_service
from tests.chat_drivers import WebChat
from tests.fakes.telegram_api import FakeBotApi
from tests.integration.test_operations import TOKEN, scrape, value
from tests.telegram_driver import TelegramLearner, telegram_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def readyz(app: BotApp, http: aiohttp.ClientSession) -> tuple[int, dict[str, Any]]:
    async with http.get(f"http://127.0.0.1:{app.port}/readyz") as response:
        return response.status, await response.json()


async def until(check: Any, seconds: float = 10.0) -> None:
    for _ in range(int(seconds * 20)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("never happened")


async def test_telegram_unreachable_at_start_leaves_the_web_chat_up_until_it_comes_back(
    database_url: str, http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(telegram_service, "CONNECT_WAIT", 0.1)
    port = free_port()  # nothing listens there yet: the Bot API is unreachable
    settings = replace(
        telegram_settings(database_url, f"http://127.0.0.1:{port}"),
        metrics_token=TOKEN,
        sender_enabled=False,
    )
    app = BotApp(settings, supervisor=Supervisor(first_pause=0.2, longest=0.5))
    await app.start()
    try:
        web = WebChat(app, http)
        await web.open()
        assert "Dans quelle langue" in str(web.frames), "the web chat answers"
        status, body = await readyz(app, http)
        assert status == 200, "the database is up: still ready for the web chat and webhooks"
        assert body["channels"]["telegram"]["state"] == "down"
        assert body["channels"]["web"]["state"] == "up"
        samples = await scrape(app, http)
        assert value(samples, "imaginecole_channel_up", channel="telegram") == 0
        api = FakeBotApi(port=port)  # not listening yet
        learner = TelegramLearner(api, app, http)
        update = api.updates.text(learner.user_id, "Bonjour")
        assert await learner.post(update) == 503, "Telegram delivers it again later"
        async with api:  # Telegram comes back

            async def telegram_up() -> bool:
                return (await readyz(app, http))[1]["channels"]["telegram"]["state"] == "up"

            await until(telegram_up)
            assert [c.method for c in api.calls].count("setWebhook") == 1
            assert await learner.post(update) == 200  # its next delivery
            assert "Dans quelle langue" in "\n".join(api.texts(learner.user_id))
            samples = await scrape(app, http)
            assert value(samples, "imaginecole_channel_up", channel="telegram") == 1
            await web.close()
    finally:
        await app.stop()


async def test_a_background_loop_that_raises_is_restarted_and_shown(
    database_url: str, http: aiohttp.ClientSession
) -> None:
    settings = replace(
        telegram_settings(database_url, "http://127.0.0.1:9"),
        telegram_bot_token="",
        metrics_token=TOKEN,
    )
    app = BotApp(settings, supervisor=Supervisor(first_pause=0.05, longest=0.2))
    await app.start()
    try:
        runs = 0
        resumed = asyncio.Event()

        async def flaky() -> None:
            nonlocal runs
            runs += 1
            if runs <= 2:
                raise RuntimeError("a loop's bug")
            resumed.set()
            await asyncio.Event().wait()

        before = value(await scrape(app, http), "imaginecole_loop_restarts_total", loop="flaky")
        app.supervisor.run("flaky", flaky)
        await asyncio.wait_for(resumed.wait(), 5)
        status, body = await readyz(app, http)
        assert status == 200
        assert body["loops"]["flaky"] == {
            "state": "running",
            "restarts": 2,
            "error": "RuntimeError",
        }
        for loop in ("housekeeping", "library_refresh", "reminders"):
            assert body["loops"][loop]["state"] == "running", loop
        samples = await scrape(app, http)
        assert value(samples, "imaginecole_loop_restarts_total", loop="flaky") == before + 2
        assert value(samples, "imaginecole_loop_up", loop="flaky") == 1
    finally:
        await app.stop()
