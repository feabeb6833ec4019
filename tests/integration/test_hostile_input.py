"""Regressions found by the fuzz layer (tests/fuzz/), each as a plain conversation: a forged
or broken input gets a clean refusal, nothing is logged at ERROR, and the learner goes on."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.app import BotApp
from bot.conversations import Outcome
from bot.storage.dead_letters import DeadLetters
from bot.web.chat import WebChat
from dialogs.events import UserRef
from dialogs.messages import Say
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.telegram_api import FakeBotApi
from tests.store_driver import open_conversations
from tests.telegram_driver import TelegramLearner, start_bot, telegram_settings
from tests.whatsapp_driver import WhatsAppLearner, text_body, whatsapp_settings


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(database_url: str, api: FakeBotApi) -> AsyncIterator[BotApp]:
    app = await start_bot(telegram_settings(database_url, api.url))
    yield app
    await app.stop()


@pytest.fixture
async def learner(api: FakeBotApi, bot: BotApp) -> AsyncIterator[TelegramLearner]:
    async with aiohttp.ClientSession() as http:
        yield TelegramLearner(api, bot, http)


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("body", [[], 42, "update", None, [{"update_id": 1}]])
async def test_a_webhook_body_that_is_no_object_is_refused_not_a_500(
    learner: TelegramLearner, caplog: pytest.LogCaptureFixture, body: object
) -> None:
    assert await learner.post(body) == 400  # type: ignore[arg-type]
    assert errors(caplog) == []


async def test_an_update_ptb_cannot_read_is_acknowledged_and_parked(
    learner: TelegramLearner, caplog: pytest.LogCaptureFixture
) -> None:
    """Refusing it would make Telegram deliver it again and hold back the learner's chat."""
    update = learner.api.updates.text(learner.user_id, "Bonjour")
    update["message"]["chat"] = "private"
    assert await learner.post(update) == 200
    update = learner.api.updates.text(learner.user_id, "Bonjour")
    update["message"] = "Bonjour"  # PTB reads it with AttributeError
    assert await learner.post(update) == 200
    assert learner.app.store is not None
    parked = await DeadLetters(learner.app.store).recent()
    assert [(p.channel, p.reason) for p in parked] == [("telegram", "unreadable")] * 2
    assert parked[1].address == str(learner.user_id)  # erased with the learner
    assert "Dans quelle langue" in learner.texts(await learner.send("Bonjour")), "the next one"
    assert errors(caplog) == []


async def test_forged_types_in_a_parsed_update_are_ignored_and_the_learner_goes_on(
    learner: TelegramLearner, caplog: pytest.LogCaptureFixture
) -> None:
    """PTB checks no types: a text that is an object, an id that is a string, callback data
    that is a number, a poll answer with a list for its id reach our adapter."""
    api, me = learner.api, learner.user_id
    text = api.updates.text(me, "Bonjour")
    text["message"]["text"] = {}
    assert await learner.post(text) == 200
    stringly = api.updates.text(me, "Bonjour")
    stringly["message"]["from"]["id"] = "x" * 500  # an external id longer than its column
    assert await learner.post(stringly) == 200
    tap = api.updates.callback(me, "1:fr", 1)
    tap["callback_query"]["data"] = 12
    assert await learner.post(tap) == 200
    vote = api.updates.poll_answer(me, "p1", [0])
    vote["poll_answer"]["poll_id"] = ["p1"]
    assert await learner.post(vote) == 200
    assert errors(caplog) == []

    replies = await learner.send("/start")
    assert "Dans quelle langue voulez-vous apprendre ?" in learner.texts(replies)
    assert await learner.post({**learner.api.updates.text(me, "/menu"), "update_id": 2**70}) == 200
    assert errors(caplog) == []


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphApi]:
    async with FakeGraphApi() as fake:
        yield fake


@pytest.fixture
async def whatsapp(database_url: str, graph: FakeGraphApi) -> AsyncIterator[WhatsAppLearner]:
    app = await start_bot(whatsapp_settings(database_url, graph.url))
    async with aiohttp.ClientSession() as http:
        yield WhatsAppLearner(graph, app, http)
    await app.stop()


async def test_whatsapp_ids_longer_than_any_real_one_are_skipped(
    whatsapp: WhatsAppLearner, caplog: pytest.LogCaptureFixture
) -> None:
    """A sender or message id longer than its column (PostgreSQL refuses the row) is skipped,
    not retried for ever with an ERROR each time."""
    long_sender = text_body("9" * 300, "Bonjour")
    long_id = text_body(whatsapp.phone, "Bonjour")
    long_id["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = "wamid." + "A" * 400
    for body in (long_sender, long_id):
        assert await whatsapp.post(body) == 200
    assert errors(caplog) == []
    assert whatsapp.bot.whatsapp is not None and not whatsapp.bot.whatsapp.failing
    replies = await whatsapp.send("Bonjour")
    assert "Dans quelle langue voulez-vous apprendre ?" in whatsapp.texts(replies)


class Tab:
    """A browser tab as the web chat sees it: frames pushed to it are kept."""

    def __init__(self) -> None:
        self.closed = False
        self.frames: list[dict[str, object]] = []

    async def send_json(self, frame: dict[str, object]) -> None:
        self.frames.append(frame)


class ClosingTab(Tab):
    """A tab whose connection is going away (its closing handshake has begun)."""

    async def send_json(self, frame: dict[str, object]) -> None:
        raise aiohttp.ClientConnectionResetError("Cannot write to closing transport")


async def test_a_tab_closing_while_a_reply_is_pushed_costs_the_other_tabs_nothing(
    database_url: str,
) -> None:
    """Found by tests/fuzz: a reply pushed to a learner's tabs raised on a closing one, so the
    handler of the tab that asked died with a traceback and its reply was lost."""
    async with open_conversations(database_url) as conversations:
        chat = WebChat(conversations)
        closing, open_tab = ClosingTab(), Tab()
        chat.sockets["tabs-learner-0123456789"] = {closing, open_tab}  # type: ignore[arg-type]
        user = UserRef("web", "tabs-learner-0123456789")
        await chat.send(Outcome(user, [Say("Bonjour")], "fr", False))
    assert open_tab.frames[-1] == {"type": "say", "text": "Bonjour"}


async def test_a_reply_no_tab_took_waits_for_the_learners_next_visit(database_url: str) -> None:
    """Found walking the web chat: a teacher's class report took 9 s (charts made cold), the
    phone's tab went away meanwhile, and the report was lost: the reply was forgotten as sent
    although no tab took it, and the next visit showed only the prompt that followed it."""
    uid = "gone-learner-0123456789"
    hello = json.dumps({"type": "hello", "uid": uid})
    async with open_conversations(database_url) as conversations:
        chat = WebChat(conversations)
        tab = Tab()
        await chat._on_frame(tab, None, hello)  # type: ignore[arg-type]
        for number, option in enumerate(("fr", "yes", "SN", "student", "CM2")):
            prompt = next(f["prompt"] for f in reversed(tab.frames) if "prompt" in f)
            tap = {"type": "option", "id": f"m{number}", "prompt": prompt, "option": option}
            await chat._on_frame(tab, uid, json.dumps(tap))  # type: ignore[arg-type]
        closing = ClosingTab()
        chat.sockets[uid] = {closing}  # type: ignore[arg-type]
        with contextlib.suppress(ConnectionResetError):  # the socket's handler ends there
            help_frame = json.dumps({"type": "text", "id": "m9", "text": "/aide"})
            await chat._on_frame(closing, uid, help_frame)  # type: ignore[arg-type]
        chat.sockets.pop(uid, None)
        back = Tab()
        await chat._on_frame(back, None, hello)  # type: ignore[arg-type]
    texts = [str(f.get("text", "")) for f in back.frames]
    assert any(t.startswith("Imaginecole vous propose") for t in texts), texts
