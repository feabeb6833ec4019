"""One learner, four renderings: a script written against `ChatLearner` runs on Telegram,
WhatsApp, the web chat and SMS, each through the real BotApp and a fake of the platform.

A script sees only what a person sees: the texts read since their last action, and the
labels of the options offered now (buttons, list rows, numbered or lettered lines, poll
options). How an option is chosen (a button, a poll vote, a typed number, a WebSocket
frame) is the adapter's business.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
import pytest

from bot.app import BotApp
from bot.config import Settings
from bot.sms.service import sms_text
from bot.ussd.screens import plain
from bot.words import shown_commands
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.smsbox import FakeSmsbox
from tests.fakes.telegram_api import Call, FakeBotApi
from tests.sms_driver import SmsLearner, sms_settings
from tests.telegram_driver import TelegramLearner, buttons, start_bot, telegram_settings
from tests.ussd_driver import UssdPhone, ussd_settings
from tests.whatsapp_driver import (
    WhatsAppLearner,
    button_reply_body,
    choices_of,
    list_reply_body,
    whatsapp_settings,
)

CHANNELS = ("telegram", "whatsapp", "web")
# The shared journey (tests/integration/test_same_journey.py) runs on SMS and USSD too: the
# scripts compare texts as each channel shows them (`ChatLearner.reads`: no emoji on USSD,
# GSM-7 on SMS, commands without their slash on both).
JOURNEY_CHANNELS = (*CHANNELS, "sms", "ussd")
JSON = dict[str, Any]
Choice = tuple[str, str]  # (option id or typed answer, label the learner reads)

NUMBERED = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)
LETTERED = re.compile(r"^([a-z])\) (.+)$", re.MULTILINE)
NUMBER_HINT = re.compile("Répondez avec (le numéro|la lettre)")  # options listed as text


class Unsupported(Exception):
    """The channel gives a learner no way to do this."""


class ChatLearner(Protocol):
    """What a conversation script needs from a learner, whatever the channel."""

    @property
    def channel(self) -> str:
        """telegram, whatsapp, web or ussd."""
        ...

    async def send(self, text: str) -> None:
        """Type a message."""
        ...

    async def tap(self, label: str, of: object | None = None) -> None:
        """Choose the option with this label (or id) of the current question, or of `of`."""
        ...

    async def choose_all(self, *labels: str) -> None:
        """Tick several options of a multiple-choice question and send them."""
        ...

    async def send_photo(self) -> None:
        """Send a photo (raises Unsupported where the learner cannot)."""
        ...

    def asked(self) -> object:
        """The current question, to tap one of its options later (a stale tap)."""
        ...

    def last_text(self) -> str:
        """Everything the learner read since their last action, one message a line."""
        ...

    def options(self) -> list[str]:
        """The labels of the options offered now."""
        ...

    def reads(self, text: str) -> str:
        """A French text of the catalogs as this channel shows it."""
        ...


def as_sent(text: str) -> str:
    """A text shown as written (Telegram, WhatsApp, the web chat)."""
    return text


def find(choices: Sequence[Choice], wanted: str) -> Choice | None:
    """The choice labelled `wanted`, else with that id, else whose label contains it."""
    for test in (
        lambda c: c[1] == wanted,
        lambda c: c[0] == wanted or c[0].endswith(f":{wanted}"),
        lambda c: wanted in c[1],
    ):
        if found := [c for c in choices if test(c)]:
            return found[0]
    return None


def pick(choices: Sequence[Choice], wanted: str) -> Choice:
    """Like `find`, but the option must be there."""
    choice = find(choices, wanted)
    assert choice is not None, f"no option {wanted!r} in {[c[1] for c in choices]}"
    return choice


def lettered(text: str) -> list[Choice]:
    """The "a) label" lines of a question answered by typing letters."""
    return [(m[1], m[2]) for m in LETTERED.finditer(text)]


def numbered(text: str) -> list[Choice]:
    """The "1. label" lines of a question answered by typing a number."""
    return [(m[1], m[2]) for m in NUMBERED.finditer(text)]


def marked_lines(text: str) -> list[Choice]:
    """The options listed as text, numbered ("1. label") or lettered ("a) label")."""
    return numbered(text) or lettered(text)


# --- Telegram --------------------------------------------------------------------------------


@dataclass
class TelegramChat:
    """Inline buttons, native polls (a tap is a vote), lettered text for long choices."""

    learner: TelegramLearner
    channel: str = "telegram"
    mark: int = 0
    reads = staticmethod(as_sent)

    @property
    def api(self) -> FakeBotApi:
        return self.learner.api

    def _sent(self) -> list[Call]:
        return self.api.sent(self.learner.user_id)

    async def _post(self, update: JSON) -> None:
        self.mark = len(self._sent())
        assert await self.learner.post(update) == 200

    async def send(self, text: str) -> None:
        await self._post(self.api.updates.text(self.learner.user_id, text))

    async def send_photo(self) -> None:
        await self._post(self.api.updates.photo(self.learner.user_id))

    async def tap(self, label: str, of: object | None = None) -> None:
        call = of if isinstance(of, Call) else self.asked()
        polled = poll_choices(call)
        if (voted := find(polled, label)) is not None:
            await self._vote(call, [polled.index(voted)])
            return
        data = pick(button_choices(call), label)[0]
        message_id = call.result["message_id"]
        await self._post(self.api.updates.callback(self.learner.user_id, data, message_id))

    async def choose_all(self, *labels: str) -> None:
        call = self.asked()
        if call.method == "sendPoll":
            polled = poll_choices(call)
            await self._vote(call, [polled.index(pick(polled, label)) for label in labels])
            return
        letters = lettered(str(call.params.get("text", "")))
        await self.send(" ".join(pick(letters, label)[0] for label in labels))

    async def _vote(self, call: Call, indexes: list[int]) -> None:
        poll_id = str(call.result["poll"]["id"])
        update = self.api.updates.poll_answer(self.learner.user_id, poll_id, indexes)
        await self._post(update)

    def asked(self) -> Call:
        for call in reversed(self._sent()):
            if call.method == "sendPoll" or call.params.get("reply_markup"):
                return call
        raise AssertionError("no question was sent")

    def last_text(self) -> str:
        return self.learner.texts(self._sent()[self.mark :])

    def options(self) -> list[str]:
        call = self.asked()
        text = str(call.params.get("text", ""))
        choices = poll_choices(call) + lettered(text) + button_choices(call)
        return [label for _, label in choices]


def poll_choices(call: Call) -> list[Choice]:
    """A poll's options (the id is the option's index)."""
    if call.method != "sendPoll":
        return []
    given = call.params.get("options") or []
    labels = [o.get("text") if isinstance(o, dict) else o for o in given]
    return [(str(i), str(label)) for i, label in enumerate(labels)]


def button_choices(call: Call) -> list[Choice]:
    """Inline buttons as (callback data, label)."""
    return [(b["callback_data"], b["text"]) for b in buttons(call)]


# --- WhatsApp --------------------------------------------------------------------------------


@dataclass
class WhatsAppChat:
    """Reply buttons, list rows, numbered text to answer with a number, lettered text."""

    learner: WhatsAppLearner
    channel: str = "whatsapp"
    mark: int = 0
    reads = staticmethod(as_sent)

    def _sent(self) -> list[JSON]:
        return self.learner.api.sent(self.learner.phone)

    async def _post(self, body: JSON) -> None:
        self.mark = len(self._sent())
        await self.learner.exchange(body)

    async def send(self, text: str) -> None:
        self.mark = len(self._sent())
        await self.learner.send(text)

    async def send_photo(self) -> None:
        self.mark = len(self._sent())
        await self.learner.send_photo()

    async def tap(self, label: str, of: object | None = None) -> None:
        payload = of if isinstance(of, dict) else self.asked()
        if payload["type"] == "text":
            await self.send(pick(marked_lines(body_of(payload)), label)[0])
            return
        choices = interactive_choices(payload)
        choice = choices_of(payload)[choices.index(pick(choices, label))]
        phone = self.learner.phone
        if payload["interactive"]["type"] == "button":
            await self._post(button_reply_body(phone, choice["id"], choice["title"]))
        else:
            await self._post(list_reply_body(phone, choice))

    async def choose_all(self, *labels: str) -> None:
        letters = lettered(body_of(self.asked()))
        await self.send(" ".join(pick(letters, label)[0] for label in labels))

    def asked(self) -> JSON:
        for payload in reversed(self._sent()):
            if payload["type"] == "interactive" or NUMBER_HINT.search(body_of(payload)):
                return payload
        raise AssertionError("no question was sent")

    def last_text(self) -> str:
        return "\n".join(t for p in self._sent()[self.mark :] if (t := body_of(p)))

    def options(self) -> list[str]:
        payload = self.asked()
        if payload["type"] == "text":
            return [label for _, label in marked_lines(body_of(payload))]
        choices = lettered(body_of(payload)) + interactive_choices(payload)
        return [label for _, label in choices]


def body_of(payload: JSON) -> str:
    """What a person reads in a payload: a text, an interactive body, a caption."""
    kind = payload["type"]
    part = payload.get(kind) or {}
    if kind == "interactive":
        return str(part["body"]["text"])
    return str(part.get("body" if kind == "text" else "caption", ""))


def interactive_choices(payload: JSON) -> list[Choice]:
    """Buttons or rows with their whole labels: a title cut to fit is whole in the
    description, or in the numbered lines the body then ends with."""
    choices = choices_of(payload)
    whole = marked_lines(body_of(payload))[-len(choices) :]
    if len(whole) == len(choices) and [n for n, _ in whole] in (
        [str(i) for i in range(1, len(choices) + 1)],
        [chr(ord("a") + i) for i in range(len(choices))],
    ):
        labels = [label for _, label in whole]
    else:
        labels = [str(c.get("description") or c["title"]) for c in choices]
    return [(str(c["id"]), label) for c, label in zip(choices, labels, strict=True)]


# --- web chat --------------------------------------------------------------------------------

_uids = itertools.count(1)


@dataclass
class WebChat:
    """The web page's side of the WebSocket at /ws: text, option and options frames."""

    app: BotApp
    http: aiohttp.ClientSession
    uid: str = field(default_factory=lambda: f"web-learner-{next(_uids):012d}")
    channel: str = "web"
    reads = staticmethod(as_sent)
    frames: list[JSON] = field(default_factory=list)
    mark: int = 0
    ws: aiohttp.ClientWebSocketResponse | None = None
    received: set[int] = field(default_factory=set)  # inbox ids acknowledged
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def open(self) -> None:
        """Open the page: connect, say hello, read the greeting up to its question."""
        self.ws = await self.http.ws_connect(f"http://127.0.0.1:{self.app.port}/ws")
        await self.ws.send_json({"type": "hello", "uid": self.uid})
        while not self.frames or self.frames[-1]["type"] not in ("ask", "quiz"):
            self.frames.append(await self._receive())

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def _receive(self, wait: float = 30) -> JSON:
        # Generous: a reply that draws a chart waits for the render pool, whose first start
        # took over 5 s on a loaded two-core machine. A reply that never comes still fails.
        assert self.ws is not None
        frame: JSON = json.loads((await self.ws.receive(timeout=wait)).data)
        # A text over the limit is refused whole, a note the page shows; any other error is a bug.
        assert frame["type"] != "error" or frame.get("code") == "too_long", frame
        return frame

    async def _exchange(self, frame: JSON) -> None:
        """Send a frame, collect the reply up to the server's acknowledgement."""
        assert self.ws is not None
        self.mark = len(self.frames)
        frame_id = f"m{next(self._ids)}"
        await self.ws.send_json({**frame, "id": frame_id})
        while (received := await self._receive()) != {"type": "ack", "id": frame_id}:
            self.frames.append(received)

    async def send(self, text: str) -> None:
        await self._exchange({"type": "text", "text": text})

    async def send_photo(self) -> None:
        raise Unsupported("the web page has no way to send a photo")

    async def tap(self, label: str, of: object | None = None) -> None:
        frame = of if isinstance(of, dict) else self.asked()
        option = pick(web_choices(frame), label)[0]
        await self._exchange({"type": "option", "prompt": frame["prompt"], "option": option})

    async def choose_all(self, *labels: str) -> None:
        frame = self.asked()
        ids = [pick(web_choices(frame), label)[0] for label in labels]
        await self._exchange({"type": "options", "prompt": frame["prompt"], "options": ids})

    async def pushed(self) -> JSON:
        """The next message the bot wrote first (from the inbox), acknowledged as the page
        does; frames already received count (a push may come in the middle of a reply)."""
        assert self.ws is not None
        for frame in self.frames:
            if "inbox" in frame and frame["inbox"] not in self.received:
                break
        else:
            while "inbox" not in (frame := await self._receive(wait=15)):
                self.frames.append(frame)
            self.frames.append(frame)
        self.received.add(frame["inbox"])
        await self.ws.send_json({"type": "received", "ids": [frame["inbox"]]})
        return frame

    def asked(self) -> JSON:
        for frame in reversed(self.frames):
            if frame["type"] in ("ask", "quiz"):
                return frame
        raise AssertionError("no question was sent")

    def last_text(self) -> str:
        keys = {"say": "text", "ask": "text", "quiz": "text", "media": "caption", "error": "text"}
        found = (f.get(keys.get(f["type"], "caption")) for f in self.frames[self.mark :])
        return "\n".join(str(text) for text in found if text)

    def options(self) -> list[str]:
        return [label for _, label in web_choices(self.asked())]


def web_choices(frame: JSON) -> list[Choice]:
    """A question frame's options, then its navigation options."""
    return [(o["id"], o["label"]) for o in [*frame["options"], *frame.get("extra", [])]]


# --- SMS -------------------------------------------------------------------------------------


_phones = itertools.count(1)
LONGEST_SMS = 10 * 153  # ten concatenated parts: more than phones let a person type


@dataclass
class SmsChat:
    """Kannel's get-url calls in, sendsms texts read from the fake smsbox: numbered or
    lettered lines answered by typing, labels as SMS shows them (GSM-7, no emoji)."""

    learner: SmsLearner
    channel: str = "sms"
    mark: int = 0
    reads = staticmethod(sms_text)  # GSM-7, commands without their slash

    def _sent(self) -> list[str]:
        return self.learner.smsbox.texts(self.learner.phone)

    async def send(self, text: str) -> None:
        if len(text) > LONGEST_SMS:
            raise Unsupported(f"a phone sends at most {LONGEST_SMS} characters by SMS")
        self.mark = len(self._sent())
        await self.learner.send(text)

    async def send_photo(self) -> None:
        raise Unsupported("SMS carries no photo")

    async def tap(self, label: str, of: object | None = None) -> None:
        if of is not None:
            raise Unsupported("SMS has no old buttons: a typed mark answers the question now")
        await self.send(pick(sms_choices(self.asked()), sms_text(label))[0])

    async def choose_all(self, *labels: str) -> None:
        letters = lettered(self.asked())
        await self.send(" ".join(pick(letters, sms_text(label))[0] for label in labels))

    def asked(self) -> str:
        """The last question's texts: the last with marked options, and those with marks just
        before it (a question's lettered answers, then "1. Menu" in the next SMS; the
        pieces of a text that stays UCS-2)."""
        sent = self._sent()
        ends = [i for i, text in enumerate(sent) if marked_lines(text)]
        if not ends:
            raise AssertionError("no question was sent")
        start = ends[-1]
        while start > self.mark and marked_lines(sent[start - 1]):  # within the last reply
            start -= 1
        return "\n\n".join(sent[start : ends[-1] + 1])

    def last_text(self) -> str:
        return "\n".join(self._sent()[self.mark :])

    def options(self) -> list[str]:
        return [label for _, label in sms_choices(self.asked())]


def sms_choices(text: str) -> list[Choice]:
    """A question's lettered answers, then its numbered options ("1. Menu")."""
    return lettered(text) + numbered(text)


# --- USSD ------------------------------------------------------------------------------------


@dataclass
class UssdChat:
    """A phone on the USSD code: every reply read to its last page ("0. Suite"), options
    chosen by typing their mark."""

    phone: UssdPhone
    channel: str = "ussd"
    reply: str = ""
    turn_pages: bool = True  # False: the reply is the first screen only

    @staticmethod
    def reads(text: str) -> str:
        """No emoji (bot/ussd/screens.py), commands without their slash."""
        return plain(shown_commands(text))

    async def _read(self) -> str:
        return await self.phone.read_all() if self.turn_pages else self.phone.screen

    async def open(self) -> None:
        await self.phone.dial()
        self.reply = await self._read()

    async def send(self, text: str) -> None:
        await self.phone.press(text)
        self.reply = await self._read()

    async def send_photo(self) -> None:
        raise Unsupported("a USSD session carries text only")

    async def tap(self, label: str, of: object | None = None) -> None:
        if of is not None and of != self.reply:
            raise Unsupported("a USSD screen has no old message to answer: only the one shown")
        await self.send(pick(marked_lines(self.reply), label)[0])

    async def choose_all(self, *labels: str) -> None:
        choices = marked_lines(self.reply)
        await self.send(" ".join(pick(choices, label)[0] for label in labels))

    def asked(self) -> str:
        return self.reply

    def last_text(self) -> str:
        return self.reply

    def options(self) -> list[str]:
        return [label for _, label in marked_lines(self.reply)]


# --- the fixture ---------------------------------------------------------------------------


@pytest.fixture(name="chat", params=CHANNELS)
async def chat_fixture(
    request: pytest.FixtureRequest, database_url: str
) -> AsyncIterator[ChatLearner]:
    """A new learner on one channel of the real bot (on each database of `database_url`)."""
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession())
        yield await open_chat(request.param, database_url, http, stack)


@pytest.fixture(name="journey_chat", params=JOURNEY_CHANNELS)
async def journey_chat_fixture(
    request: pytest.FixtureRequest, database_url: str
) -> AsyncIterator[ChatLearner]:
    """Like `chat`, on USSD too."""
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession())
        yield await open_chat(request.param, database_url, http, stack)


async def open_chat(
    channel: str, database_url: str, http: aiohttp.ClientSession, stack: AsyncExitStack
) -> ChatLearner:
    """Start the bot and the platform's fake for `channel`; `stack` stops them."""
    if channel == "telegram":
        telegram = await stack.enter_async_context(FakeBotApi())
        bot = await _start(telegram_settings(database_url, telegram.url), stack)
        return TelegramChat(TelegramLearner(telegram, bot, http))
    if channel == "whatsapp":
        graph = await stack.enter_async_context(FakeGraphApi())
        bot = await _start(whatsapp_settings(database_url, graph.url), stack)
        return WhatsAppChat(WhatsAppLearner(graph, bot, http))
    if channel == "sms":
        smsbox = await stack.enter_async_context(FakeSmsbox())
        bot = await _start(sms_settings(database_url, smsbox.url), stack)
        return SmsChat(SmsLearner(smsbox, bot, http, phone=f"2250700{next(_phones):05d}"))
    if channel == "ussd":
        ussd = UssdChat(UssdPhone(await _start(ussd_settings(database_url), stack), http))
        await ussd.open()
        return ussd
    settings = Settings(
        database_url=database_url, web_host="127.0.0.1", web_port=0, pseudonym_secret=b"test"
    )
    web = WebChat(await _start(settings, stack), http)
    stack.push_async_callback(web.close)
    await web.open()
    return web


async def _start(settings: Settings, stack: AsyncExitStack) -> BotApp:
    """The real application, stopped when the stack closes."""
    bot = await start_bot(settings)
    stack.push_async_callback(bot.stop)
    return bot
