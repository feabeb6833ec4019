"""Poison messages: an inbound item that fails or hangs is tried a bounded number of times
within a time budget, then parked in the dead letters, and the next item is handled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot import metrics
from bot.app import BotApp
from bot.config import Settings
from bot.dead_letters import listing
from bot.housekeeping import tidy
from bot.storage.channels import ChannelStore
from bot.storage.dead_letters import DeadLetters, InboundAttempts
from bot.storage.store import SqlStore
from bot.whatsapp import service as whatsapp_service
from dialogs.events import TextReceived, UserRef
from tests.chat_drivers import WebChat
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.telegram_api import FakeBotApi
from tests.integration.test_operations import unreachable
from tests.telegram_driver import TelegramLearner, start_bot, telegram_settings
from tests.whatsapp_driver import WhatsAppLearner, encode, text_body, whatsapp_settings

POISON = "ce message bloque tout"
BUDGET = {"inbound_budget_seconds": 0.5, "inbound_attempts": 2}


@pytest.fixture
async def api() -> AsyncIterator[FakeGraphApi]:
    async with FakeGraphApi() as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture(autouse=True)
def no_retry_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whatsapp_service, "RETRY_PAUSE", 0.0)


def hang_on_poison(bot: BotApp) -> list[str]:
    """Make the dialogs hang on the poison text (as a runaway turn would); returns the texts
    whose handling began."""
    assert bot.conversations is not None
    conversations = bot.conversations
    real = conversations.handle
    began: list[str] = []

    async def handle(event: Any, *args: Any, **kwargs: Any) -> bool:
        if isinstance(event, TextReceived):
            began.append(event.text)
            if event.text == POISON:
                await asyncio.Event().wait()  # never ends
        return await real(event, *args, **kwargs)

    conversations.handle = handle  # type: ignore[method-assign]
    return began


def letters(bot: BotApp) -> DeadLetters:
    assert bot.store is not None
    return DeadLetters(bot.store)


def parked_count(channel: str, reason: str) -> float:
    return metrics.DEAD_LETTERS.labels(channel, reason)._value.get()


async def test_a_whatsapp_body_that_hangs_is_parked_and_the_next_one_is_handled(
    database_url: str, api: FakeGraphApi, http: aiohttp.ClientSession
) -> None:
    before = parked_count("whatsapp", "timeout")
    bot = await start_bot(whatsapp_settings(database_url, api.url, **BUDGET))
    try:
        began = hang_on_poison(bot)
        awa = WhatsAppLearner(api, bot, http, phone="221770000001")
        ali = WhatsAppLearner(api, bot, http, phone="221770000002")
        assert await awa.post(text_body(awa.phone, POISON)) == 200
        assert bot.whatsapp is not None
        await bot.whatsapp.drain(retries=True)
        assert began.count(POISON) == 2, "tried as many times as INBOUND_ATTEMPTS"
        (letter,) = await letters(bot).recent()
        assert (letter.channel, letter.address, letter.reason) == ("whatsapp", awa.phone, "timeout")
        assert (letter.error, letter.attempts) == ("TimeoutError", 2)
        assert POISON in (await letters(bot).payload(letter.id) or "")
        assert await ChannelStore(bot.store).inbox_pending() == []  # type: ignore[arg-type]
        assert parked_count("whatsapp", "timeout") == before + 1
        assert "Dans quelle langue" in ali.texts(await ali.send("Bonjour")), "the next one"
    finally:
        await bot.stop()
    again = await start_bot(whatsapp_settings(database_url, api.url, **BUDGET))
    try:
        began = hang_on_poison(again)
        assert again.whatsapp is not None
        await again.whatsapp.drain(retries=True)
        assert began == [], "a restart does not handle the parked body again"
        assert len(await letters(again).recent()) == 1
    finally:
        await again.stop()


async def test_a_body_on_which_the_process_died_at_each_start_is_parked_unhandled(
    database_url: str, api: FakeGraphApi, store: SqlStore
) -> None:
    """A body whose handling killed the process (no exception to catch) is counted before
    each handling: once its attempts are spent, the next start parks it without handling."""
    channels = ChannelStore(store)
    phone = "221775550000"
    body_id = await channels.inbox_put(encode(text_body(phone, POISON)), datetime.now(UTC))
    assert await channels.inbox_attempt(body_id) == 2  # a second start died on it too
    fine = await channels.inbox_put(encode(text_body("221775550001", "Bonjour")), datetime.now(UTC))
    bot = await start_bot(whatsapp_settings(database_url, api.url, **BUDGET))
    try:
        assert bot.whatsapp is not None
        await bot.whatsapp.drain(retries=True)
        assert api.texts(phone) == [], "not handled a third time"
        assert "Dans quelle langue" in "\n".join(api.texts("221775550001"))
        (letter,) = await letters(bot).recent()
        assert (letter.address, letter.reason, letter.attempts) == (phone, "crashed", 2)
        assert await channels.inbox_pending() == []
        assert fine != body_id
    finally:
        await bot.stop()


async def test_dead_letters_are_erased_with_their_sender_and_pruned_after_days(
    database_url: str, api: FakeGraphApi, http: aiohttp.ClientSession
) -> None:
    bot = await start_bot(whatsapp_settings(database_url, api.url, **BUDGET))
    try:
        hang_on_poison(bot)
        awa = WhatsAppLearner(api, bot, http, phone="221770000001")
        ali = WhatsAppLearner(api, bot, http, phone="221770000002")
        for learner in (awa, ali):
            await learner.post(text_body(learner.phone, POISON))
        assert bot.whatsapp is not None
        await bot.whatsapp.drain(retries=True)
        assert len(await letters(bot).recent()) == 2
        await awa.send("Bonjour")  # the learner's own erasure, in the chat: refuses consent
        await awa.tap("Français")
        await awa.tap("Non merci")
        assert [x.address for x in await letters(bot).recent()] == [ali.phone]
        assert bot.store is not None
        await ali.send("Bonjour")
        assert await bot.store.erase(UserRef("whatsapp", ali.phone))  # the store's erasure
        assert await letters(bot).recent() == []
        await awa.post(text_body(awa.phone, POISON))
        await bot.whatsapp.drain(retries=True)
        await tidy(bot.store, datetime.now(UTC) + timedelta(days=2))
        assert len(await letters(bot).recent()) == 1, "kept a few days"
        await tidy(bot.store, datetime.now(UTC) + timedelta(days=4))
        assert await letters(bot).recent() == []
    finally:
        await bot.stop()


# --- Telegram ------------------------------------------------------------------------------


async def test_a_polled_update_ptb_cannot_read_is_parked_and_polling_goes_on(
    database_url: str,
) -> None:
    """PTB's get_updates raised for the whole batch and the polling task died for good."""
    async with FakeBotApi() as api:
        settings = replace(telegram_settings(database_url, api.url, webhook=False), **BUDGET)
        app = await start_bot(settings)
        try:
            broken = {  # a callback query without its required chat_instance
                "callback_query": {"id": "77", "from": {"id": 4243, "is_bot": False}}
            }
            api.push_update(broken)
            api.push_update(api.updates.text(4242, "/start"))
            call = await api.wait_for(lambda c: c.method == "sendMessage")
            assert call.params["chat_id"] == 4242, "the next update is answered"
            await until_confirmed(api)
            (letter,) = await letters(app).recent()
            assert (letter.channel, letter.reason, letter.address) == (
                "telegram",
                "unreadable",
                "4243",
            )
            api.push_update(api.updates.text(4242, "Bonjour"))
            await until_confirmed(api)
            assert app.supervisor.loops["telegram_polling"].restarts == 0
        finally:
            await app.stop()


async def test_a_polled_update_that_hangs_is_parked_after_its_attempts(
    database_url: str,
) -> None:
    async with FakeBotApi() as api:
        settings = replace(telegram_settings(database_url, api.url, webhook=False), **BUDGET)
        app = await start_bot(settings)
        try:
            began = hang_on_poison(app)
            api.push_update(api.updates.text(4243, POISON))
            api.push_update(api.updates.text(4242, "/start"))
            await api.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == 4242)
            await until_confirmed(api)
            assert began.count(POISON) == 2
            (letter,) = await letters(app).recent()
            assert (letter.reason, letter.address, letter.attempts) == ("timeout", "4243", 2)
        finally:
            await app.stop()


async def test_a_webhook_update_that_fails_is_delivered_again_then_parked(
    database_url: str, http: aiohttp.ClientSession
) -> None:
    """A failure was answered 200 (PTB swallowed it) and the update lost: now Telegram gets a
    503 and delivers it again, until its attempts are spent; then it is parked and acked."""
    async with FakeBotApi() as api:
        app = await start_bot(replace(telegram_settings(database_url, api.url), **BUDGET))
        try:
            began = hang_on_poison(app)
            learner = TelegramLearner(api, app, http, user_id=4243)
            update = api.updates.text(learner.user_id, POISON)
            assert await learner.post(update) == 503
            assert await learner.post(update) == 200, "second attempt: parked, acknowledged"
            assert began.count(POISON) == 2
            (letter,) = await letters(app).recent()
            assert (letter.reason, letter.address) == ("timeout", "4243")
            assert "Dans quelle langue" in learner.texts(await learner.send("Bonjour"))
        finally:
            await app.stop()


async def test_a_webhook_update_is_refused_while_the_database_is_down(
    database_url: str, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    """It was answered 200 and lost; a 503 makes Telegram deliver it again later."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite stays open under a running process: it cannot go away")
    async with FakeBotApi() as api:
        app = await start_bot(telegram_settings(database_url, api.url))
        try:
            learner = TelegramLearner(api, app, http)
            update = api.updates.text(learner.user_id, "Bonjour")
            async with unreachable(app, database_url, tmp_path):
                assert await learner.post(update) == 503
                assert await learner.post(update) == 503, "never parked for an outage"
            assert await learner.post(update) == 200  # Telegram's next delivery
            assert "Dans quelle langue" in "\n".join(api.texts(learner.user_id))
            assert await letters(app).recent() == []
        finally:
            await app.stop()


async def until_confirmed(api: FakeBotApi) -> None:
    for _ in range(200):
        if not api.pending:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("updates never confirmed")


# --- web chat ------------------------------------------------------------------------------


async def test_a_web_frame_that_hangs_is_retried_by_the_page_then_parked_and_acknowledged(
    database_url: str, http: aiohttp.ClientSession
) -> None:
    """Unacknowledged, the page sends a frame again after reconnecting: a frame that hung or
    failed for good blocked the learner's tab (every later frame waits behind it)."""
    settings = Settings(
        database_url=database_url,
        web_host="127.0.0.1",
        web_port=0,
        **BUDGET,  # type: ignore[arg-type]
    )
    app = await start_bot(settings)
    try:
        began = hang_on_poison(app)
        tab = WebChat(app, http)
        await tab.open()
        poison = {"type": "text", "text": POISON, "id": "m-poison"}
        await tab.ws.send_json(poison)  # type: ignore[union-attr]
        with pytest.raises(TimeoutError):  # no ack: the page keeps it and sends it again
            await tab.ws.receive(timeout=1.5)  # type: ignore[union-attr]
        await tab.close()
        tab = WebChat(app, http, uid=tab.uid)  # the page reconnects and sends it again
        await tab.open()
        await tab.ws.send_json(poison)  # type: ignore[union-attr]
        assert (await tab.ws.receive_json(timeout=5)) == {"type": "ack", "id": "m-poison"}  # type: ignore[union-attr]
        assert began.count(POISON) == 2
        (letter,) = await letters(app).recent()
        assert (letter.channel, letter.address, letter.reason) == ("web", tab.uid, "timeout")
        await tab.tap("Français")
        assert "accord" in tab.last_text(), "the next frame is handled"
        await tab.close()
    finally:
        await app.stop()


async def test_operators_list_dead_letters_without_their_text(
    database_url: str, store: SqlStore
) -> None:
    letters = DeadLetters(store)
    at = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
    first = await letters.park("whatsapp", "221770000001", "timeout", "TimeoutError", 3, POISON, at)
    await letters.park("telegram", None, "unreadable", "TypeError", 1, '{"x": 1}', at)
    lines = await listing(database_url, b"k", 10, None)
    assert len(lines) == 2 and lines[0].split("\t")[2:5] == ["telegram", "unreadable", "TypeError"]
    assert "221770000001" not in "\n".join(lines) and POISON not in "\n".join(lines)
    assert "user=" in lines[1] and "2026-12-07T05:00:00" in lines[1]
    assert await listing(database_url, b"k", 10, first) == [POISON]  # on an operator's request


async def test_a_polled_update_on_which_the_process_died_at_each_start_is_parked(
    database_url: str, store: SqlStore
) -> None:
    """Telegram gives an unconfirmed update again at every start: its handlings are counted
    before they begin, so the one that killed the process is parked, unhandled."""
    attempts = InboundAttempts(store)
    now = datetime.now(UTC)
    async with FakeBotApi() as api:
        killer = api.updates.text(4243, POISON)
        survivor = api.updates.text(4244, "/start")  # was in flight when the process died
        for update in (killer, survivor):
            api.push_update(update)
        killer_key, survivor_key = f"tg:{killer['update_id']}", f"tg:{survivor['update_id']}"
        await attempts.begin([killer_key, survivor_key], now)
        await attempts.again(killer_key, now)  # a second start died on it too
        settings = replace(telegram_settings(database_url, api.url, webhook=False), **BUDGET)
        app = await start_bot(settings)
        try:
            api.push_update(api.updates.text(4242, "/start"))
            await api.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == 4242)
            await until_confirmed(api)
            assert api.texts(4243) == [], "not handled a third time"
            assert api.texts(4244), "handled once more (it was not the culprit)"
            (letter,) = await letters(app).recent()
            assert (letter.reason, letter.address, letter.attempts) == ("crashed", "4243", 2)
            assert await attempts.begin([], now) == set()
            assert await attempts.begin([killer_key, survivor_key], now) == set(), "forgotten"
        finally:
            await app.stop()
