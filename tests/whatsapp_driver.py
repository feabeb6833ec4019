"""Drives the whole bot over HTTP as a WhatsApp learner would: signed webhook bodies in,
replies read from the fake Graph API."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp

from bot.app import BotApp
from bot.config import Settings
from tests.fakes.graph_api import FakeGraphApi, visible_text

ACCESS_TOKEN = "test-graph-token"
PHONE_NUMBER_ID = "106540352242922"
DISPLAY_NUMBER = "221770000000"
APP_SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"
WEBHOOK_PATH = "/whatsapp/webhook"

JSON = dict[str, Any]
_wamids = itertools.count(1)


def whatsapp_settings(database_url: str, graph_url: str, **overrides: Any) -> Settings:
    """Settings for a bot on a random local port answering through the fake Graph API."""
    settings = Settings(
        database_url=database_url,
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"test",
        whatsapp_access_token=ACCESS_TOKEN,
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token=VERIFY_TOKEN,
        whatsapp_api_base_url=graph_url,
        whatsapp_pace_seconds=0.0,
        whatsapp_backoff_seconds=0.01,
    )
    return replace(settings, **overrides)


def sign(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` header Meta sends with `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(body: JSON) -> bytes:
    """A body as Meta sends it (compact JSON, non-ASCII escaped)."""
    return json.dumps(body, separators=(",", ":")).encode()


# --- webhook bodies, shaped as Meta's (checked against the conformance examples) ---


def envelope(value: JSON) -> JSON:
    """The outer shape of every Cloud API webhook body."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": PHONE_NUMBER_ID},
        **value,
    }
    change = {"value": value, "field": "messages"}
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1234567890987654321", "changes": [change]}],
    }


def message_body(phone: str, kind: str, content: JSON | None, at: float | None = None) -> JSON:
    """A learner's message of type `kind`; `content` goes under that key."""
    message: JSON = {
        "from": phone,
        "id": f"wamid.{next(_wamids)}",
        "timestamp": str(int(time.time() if at is None else at)),
        "type": kind,
    }
    if content is not None:
        message[kind] = content
    contact = {"profile": {"name": "Awa"}, "wa_id": phone}
    return envelope({"contacts": [contact], "messages": [message]})


def text_body(phone: str, text: str, at: float | None = None) -> JSON:
    """Typed text."""
    return message_body(phone, "text", {"body": text}, at)


def button_reply_body(phone: str, reply_id: str, title: str, at: float | None = None) -> JSON:
    """A reply button tapped."""
    reply = {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}}
    return message_body(phone, "interactive", reply, at)


def list_reply_body(phone: str, row: JSON, at: float | None = None) -> JSON:
    """A list row chosen."""
    chosen = {k: row[k] for k in ("id", "title", "description") if k in row}
    return message_body(phone, "interactive", {"type": "list_reply", "list_reply": chosen}, at)


def image_body(phone: str, at: float | None = None) -> JSON:
    """A photo from the gallery."""
    image = {"mime_type": "image/jpeg", "sha256": "4654+8g=", "id": "65463453"}
    return message_body(phone, "image", image, at)


def reaction_body(phone: str, wamid: str) -> JSON:
    """An emoji reaction to one of our messages."""
    return message_body(phone, "reaction", {"message_id": wamid, "emoji": "👍"})


def unsupported_body(phone: str) -> JSON:
    """A message type the Cloud API cannot pass on (a poll, for example)."""
    body = message_body(phone, "unsupported", {"type": "poll"})
    error = {"code": 131051, "title": "Message type unknown", "message": "Message type unknown"}
    body["entry"][0]["changes"][0]["value"]["messages"][0]["errors"] = [error]
    return body


def status_body(
    phone: str, wamid: str, status: str, code: int | None = None, at: float | None = None
) -> JSON:
    """What happened to a message we sent (sent, delivered, read, failed with a code)."""
    update: JSON = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(time.time() if at is None else at)),
        "recipient_id": phone,
    }
    if code is not None:
        update["errors"] = [{"code": code, "title": "Failed", "message": "Failed"}]
    return envelope({"statuses": [update]})


# --- the learner ---------------------------------------------------------------------------


@dataclass
class WhatsAppLearner:
    """A learner whose messages are posted, signed, to the bot's webhook."""

    api: FakeGraphApi
    bot: BotApp
    http: aiohttp.ClientSession
    phone: str = "221771234567"
    clock: float | None = field(default=None)  # timestamp of the next messages (None: now)

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.bot.port}{WEBHOOK_PATH}"

    async def post(self, body: JSON | bytes, signature: str | None = "sign") -> int:
        """Deliver a body (signed unless told otherwise), wait until it is handled."""
        raw = body if isinstance(body, bytes) else encode(body)
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            signature = sign(APP_SECRET, raw)
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        async with self.http.post(self.webhook, data=raw, headers=headers) as response:
            status = response.status
        assert self.bot.whatsapp is not None
        await self.bot.whatsapp.drain()
        return status

    async def exchange(self, body: JSON) -> list[JSON]:
        """Post a signed body; returns what the bot sent back to this learner."""
        before = len(self.api.sent(self.phone))
        status = await self.post(body)
        assert status == 200, status
        return self.api.sent(self.phone)[before:]

    async def send(self, text: str) -> list[JSON]:
        """Type a message."""
        return await self.exchange(text_body(self.phone, text, self.clock))

    async def send_photo(self) -> list[JSON]:
        """Send a photo."""
        return await self.exchange(image_body(self.phone, self.clock))

    async def tap(self, label_or_id: str) -> list[JSON]:
        """Choose an option of the last question: a button, a list row, or a typed number."""
        asked = self.last_question()
        if asked["type"] == "text":
            return await self.send(number_of(asked["text"]["body"], label_or_id))
        interactive = asked["interactive"]
        if interactive["type"] == "button":
            reply = find_choice([b["reply"] for b in interactive["action"]["buttons"]], label_or_id)
            return await self.exchange(
                button_reply_body(self.phone, reply["id"], reply["title"], self.clock)
            )
        rows = [r for s in interactive["action"]["sections"] for r in s["rows"]]
        row = find_choice(rows, label_or_id)
        return await self.exchange(list_reply_body(self.phone, row, self.clock))

    def last_question(self) -> JSON:
        """The last message that offered choices (interactive, or numbered or lettered text)."""
        for payload in reversed(self.api.sent(self.phone)):
            if payload["type"] == "interactive" or (
                payload["type"] == "text" and TYPE_HINT.search(payload["text"]["body"])
            ):
                return payload
        raise AssertionError("no question was sent")

    def last_text(self) -> str:
        """What the learner reads in the last message."""
        texts = self.api.texts(self.phone)
        return texts[-1] if texts else ""

    def texts(self, payloads: list[JSON] | None = None) -> str:
        """What the learner reads, one message after the other."""
        if payloads is None:
            return "\n".join(self.api.texts(self.phone))
        return "\n".join(t for p in payloads if (t := visible(p)))


def visible(payload: JSON) -> str:
    """What a person reads in one sent payload."""
    return visible_text(payload) or ""


def choices_of(payload: JSON) -> list[JSON]:
    """The buttons' replies or the list's rows of an interactive message."""
    interactive = payload["interactive"]
    if interactive["type"] == "button":
        return [b["reply"] for b in interactive["action"]["buttons"]]
    return [r for s in interactive["action"]["sections"] for r in s["rows"]]


def find_choice(choices: list[JSON], label_or_id: str) -> JSON:
    """The choice whose id ends with `:label_or_id`, or whose title/description contains it."""
    for choice in choices:
        if choice["id"].split(":", 1)[-1] == label_or_id:
            return choice
    for choice in choices:
        if label_or_id in choice["title"] or label_or_id in choice.get("description", ""):
            return choice
    raise AssertionError(f"no choice {label_or_id!r} in {[c['title'] for c in choices]}")


# Options listed as text: "9. Sénégal" or "e) CM2" (dialogs.options.marked), then the hint.
MARKED_LINE = re.compile(r"^(\d+|[a-z])[.)] (.+)$")
TYPE_HINT = re.compile(r"Répondez avec (le numéro|la lettre)")


def number_of(body: str, label: str) -> str:
    """The mark of the line containing `label`: "9" of "9. Sénégal", "e" of "e) CM2"."""
    for line in body.splitlines():
        found = MARKED_LINE.match(line)
        if found and (found[2] == label or label in found[2]):
            return found[1]
    raise AssertionError(f"no numbered option {label!r} in {body!r}")
