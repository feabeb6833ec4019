"""WhatsApp's side of the load generators: signed bodies shaped as Meta's, the fake Graph API
keeping each chat's screen, and the closed-loop client of bench/telegram_webhook.py's
`whatsapp` variant.

The closed-loop learner waits for its reply like a Telegram learner waits for the webhook's
200: the WhatsApp webhook answers 200 as soon as the body is stored, so the server of the
`whatsapp` variant (bench/webhook_servers.py) also writes ``H <phone>`` on its stdout when it
has finished handling a body (dialog and replies sent to the fake Graph API); the learner
takes its next step from what its chat shows then. See bench/README.md.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.journeys import Shown, Tap, Type
from bench.webhook_load import Learner, Window
from bench.webhook_servers import (
    ACCESS_TOKEN,
    APP_SECRET,
    HANDLED_MARK,
    PHONE_NUMBER_ID,
    SIGNATURE_HEADER,
)
from tests.fakes.graph_api import FakeGraphApi, Request

JSON = dict[str, Any]
Choice = tuple[str, str, str]  # ("button" | "row" | "mark", id or typed mark, title)
POST_TIMEOUT = 30.0  # seconds; an acknowledgement or a handling slower than this is an error


# --- webhook bodies, shaped as Meta's (../shared/conformance/whatsapp/message.json) ---------

_wamids = itertools.count(1)


def body(phone: str, kind: str, content: JSON) -> bytes:
    """One learner message of type `kind` in Meta's envelope, as the raw bytes Meta signs."""
    message = {
        "from": phone,
        "id": f"wamid.BENCH{next(_wamids):012d}",
        "timestamp": str(int(time.time())),
        "type": kind,
        kind: content,
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "221770000000", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Awa"}, "wa_id": phone}],
        "messages": [message],
    }
    change = {"value": value, "field": "messages"}
    envelope = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1234567890987654321", "changes": [change]}],
    }
    return json.dumps(envelope, separators=(",", ":")).encode()


def text_body(phone: str, text: str) -> bytes:
    """Typed text."""
    return body(phone, "text", {"body": text})


def choice_body(phone: str, choice: Choice) -> bytes:
    """A reply button tapped, a list row chosen, or the mark of a marked option typed."""
    kind, ident, title = choice
    if kind == "mark":
        return text_body(phone, ident)
    reply_kind = "button_reply" if kind == "button" else "list_reply"
    return body(
        phone, "interactive", {"type": reply_kind, reply_kind: {"id": ident, "title": title}}
    )


def signature(raw: bytes) -> str:
    """The `X-Hub-Signature-256` header Meta sends with `raw`."""
    return "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()


async def post(http: aiohttp.ClientSession, url: str, raw: bytes) -> str | None:
    """Post one signed body; the error's name, or None for a 200."""
    headers = {SIGNATURE_HEADER: signature(raw), "Content-Type": "application/json"}
    try:
        async with http.post(url, data=raw, headers=headers) as response:
            await response.read()
            return None if response.status == 200 else f"HTTP {response.status}"
    except (aiohttp.ClientError, TimeoutError) as err:
        return type(err).__name__


# --- the fake Graph API and what each learner's chat shows ------------------------------------


MARKED = re.compile(r"^(\d{1,2}|[a-z])[.)] (.+)$")  # "1. Bénin", "e) CM2": typed "1", "e"


def option_of(choice: Choice) -> str:
    """The option id a choice carries ("12:next" -> "next"); a marked option of a text, which
    shows no id, is known by its label ("e) CM2" -> "CM2")."""
    kind, ident, title = choice
    return title if kind == "mark" else ident.rpartition(":")[2]


@dataclass(slots=True)
class Screen:
    """What one chat shows: messages received, the last text, the last choices offered."""

    received: int = 0
    text: str = ""
    choices: tuple[Choice, ...] = ()

    def shown(self) -> Shown:
        """What the learner sees, for bench/journeys.py."""
        return Shown(options=tuple(option_of(c) for c in self.choices), text=self.text)

    def choice(self, option: str) -> Choice:
        """The choice carrying an option id."""
        return next(c for c in self.choices if option_of(c) == option)

    def show(self, payload: JSON) -> bool:
        """Update from one message the bot sent; True when it offers choices (a question)."""
        self.received += 1
        kind = payload.get("type")
        if kind == "interactive":
            interactive = payload["interactive"]
            self.text = str(interactive.get("body", {}).get("text", ""))
            action = interactive.get("action", {})
            if interactive.get("type") == "button":
                replies = [b["reply"] for b in action.get("buttons", ())]
                self.choices = tuple(("button", r["id"], r["title"]) for r in replies)
            else:
                rows = [r for s in action.get("sections", ()) for r in s.get("rows", ())]
                self.choices = tuple(("row", r["id"], r["title"]) for r in rows)
            return bool(self.choices)
        if kind == "text":
            self.text = str(payload["text"].get("body", ""))
            marked = [m.groups() for line in self.text.splitlines() if (m := MARKED.match(line))]
            if marked:
                self.choices = tuple(("mark", mark, label) for mark, label in marked)
                return True
            if "Question" in self.text:
                self.choices = ()
                return True  # an open question: the learner types an answer
        return False


class ScreenGraph(FakeGraphApi):
    """The fake Graph API, not recording, keeping each chat's screen; questions wake learners.
    `counts` (messages accepted, by type) and `failed` (refused) are what
    bench/telegram_webhook.py reads of a fake API."""

    def __init__(self) -> None:
        """Only the bench token and number; Meta's validation skipped (the tests do it)."""
        super().__init__(
            access_token=ACCESS_TOKEN, phone_number_id=PHONE_NUMBER_ID, strict=False, record=False
        )
        self.screens: dict[str, Screen] = {}
        self.on_question: Callable[[str], None] = lambda _phone: None
        self.counts: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()

    @property
    def refused(self) -> int:
        """Messages the fake refused."""
        return self.failed.total()

    async def _note(self, request: Request, payload: JSON | None = None) -> None:
        """Count, update the recipient's screen, keep no request (flat memory)."""
        await super()._note(request, payload)
        self.requests.clear()
        self.read_receipts.clear()
        if payload is None:
            if request.code is not None:
                self.failed[request.endpoint] += 1
            return
        self.counts[str(payload.get("type"))] += 1
        to = request.to
        if to is not None and self.screens.setdefault(to, Screen()).show(payload):
            self.on_question(to)


# --- the closed loop: a learner waits until its body was handled -----------------------------


def phone_of(learner: Learner) -> str:
    """A learner's WhatsApp number."""
    return str(learner.uid)


@dataclass
class Handled:
    """Reads the server's ``H <phone>`` lines and wakes the learner waiting on that number."""

    stdout: asyncio.StreamReader
    waiting: dict[str, asyncio.Future[None]] = field(default_factory=dict)
    lines: int = 0

    def expect(self, phone: str) -> asyncio.Future[None]:
        """A future done when the server says it handled a body of `phone` (one at a time)."""
        future = asyncio.get_running_loop().create_future()
        self.waiting[phone] = future
        return future

    async def run(self) -> None:
        """Until the server's stdout closes."""
        mark = HANDLED_MARK.encode()
        while line := await self.stdout.readline():
            if not line.startswith(mark):
                continue
            self.lines += 1
            future = self.waiting.pop(line[len(mark) :].strip().decode(), None)
            if future is not None and not future.done():
                future.set_result(None)


@dataclass
class WhatsAppClient:
    """Posts signed bodies to the WhatsApp webhook, then waits until the server handled each
    one; times the round trip from the POST to the end of the handling."""

    http: aiohttp.ClientSession
    api: ScreenGraph
    url: str
    handled: Handled
    window: Window | None = None

    def onboarded(self, learner: Learner) -> bool:
        """True once the main menu was shown."""
        screen = self.api.screens.get(phone_of(learner))
        return screen is not None and "courses" in screen.shown().options

    async def step(self, learner: Learner, journey: bool = True) -> bool:
        """The learner's next step as a signed body, posted; True when it was acknowledged,
        then handled with at least one message sent back within the time limit."""
        phone = phone_of(learner)
        kind, raw = self.body_for(learner, journey)
        screen = self.api.screens.get(phone)
        before = 0 if screen is None else screen.received
        done_handling = self.handled.expect(phone)
        sent = time.perf_counter()
        error = await post(self.http, self.url, raw)
        if error is None:
            try:
                await asyncio.wait_for(done_handling, POST_TIMEOUT)
            except TimeoutError:
                error = "not handled in time"
        else:
            done_handling.cancel()
        done = time.perf_counter()
        with suppress(KeyError):
            if self.handled.waiting[phone] is done_handling:
                del self.handled.waiting[phone]
        screen = self.api.screens.get(phone)
        if error is None and (screen is None or screen.received == before):
            error = "no reply"
        if self.window is not None:
            self.window.add(kind, sent, done, error)
        return error is None

    def body_for(self, learner: Learner, journey: bool) -> tuple[str, bytes]:
        """The kind ("text", "interactive") and the raw body of the learner's next step."""
        phone = phone_of(learner)
        screen = self.api.screens.get(phone)
        if screen is None:
            return "text", text_body(phone, "Bonjour")  # what people write to a number first
        step = learner.journey.next(screen.shown()) if journey else learner.journey.echo()
        if isinstance(step, Tap):
            choice = screen.choice(step.option)
            return ("text" if choice[0] == "mark" else "interactive"), choice_body(phone, choice)
        text = step.text if isinstance(step, Type) else "/menu"  # no native polls on WhatsApp
        return "text", text_body(phone, text)
