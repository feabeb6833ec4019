"""Sends a learner's reply on WhatsApp: the 24-hour window, templates, media ids, errors.

Inside the window (24 hours after the learner's last message) every message goes out, paced
so that a multi-part lesson arrives in order. Outside it, free-form messages are held until
the learner writes again; an approved template, when one is configured, tells them something
is waiting. Errors are mapped: re-engagement required goes to the template path, an
unreachable number is marked and not tried again, rate limits wait and retry, anything else
is logged with its code and counted for the admins.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot import metrics
from bot.conversations import Outcome
from bot.i18n import I18n
from bot.storage.channels import ChannelStore
from bot.storage.locks import KeyedLocks
from bot.whatsapp.client import GraphClient, GraphError
from bot.whatsapp.render import Outgoing, render, template, visible_text

log = logging.getLogger("imaginecole.whatsapp")

CHANNEL = "whatsapp"
WINDOW = timedelta(hours=24)
REENGAGEMENT = 131047  # more than 24 hours since the learner's last message
UNREACHABLE = frozenset({131026, 131021})  # not on WhatsApp / cannot receive; sender = recipient
STALE_MEDIA = frozenset({131053, 131052, 100})  # the media id is no longer valid
RETRIES = 4  # attempts after a rate limit or a network error, with doubling waits


@dataclass(frozen=True)
class TemplateSettings:
    """The approved template sent outside the window; empty name: hold messages silently."""

    name: str = ""
    language: str = "fr"
    params: str = ""  # "text": the first held message's text as the body's {{1}}


class WindowClosed(Exception):
    """Meta said the 24-hour window is closed (131047) although we thought it open."""


class Unreachable(Exception):
    """The number cannot receive messages: stop this reply."""


class WhatsAppChannel:
    """Sends replies through the Graph API client, one learner's messages in order."""

    def __init__(
        self,
        client: GraphClient,
        channels: ChannelStore,
        i18n: I18n,
        *,
        public_url: str = "",
        template: TemplateSettings | None = None,
        pace: float = 0.3,
        backoff: float = 1.0,
    ) -> None:
        self.client = client
        self.channels = channels
        self.i18n = i18n
        self.public_url = public_url
        self.template = template or TemplateSettings()
        self.pace = pace
        self.backoff = backoff
        self._uploads: dict[str, str] = {}  # digest -> media id, in front of the table
        self._uploading = KeyedLocks()  # one upload per file at a time

    async def send(self, outcome: Outcome, inbound_at: datetime | None = None) -> None:
        """Send a reply; `inbound_at` is when the message it answers was written."""
        t = self.i18n.translator(outcome.lang, None)
        messages = render(outcome.messages, t, self.public_url)
        uid = outcome.user_id
        if uid is None:  # erased just now: answer, keep nothing
            await self._send_all(outcome.user.external_id, messages, None)
            return
        if inbound_at is not None:  # one statement: the window, and reachable again
            contact = await self.channels.touch(uid, inbound_at)
        else:
            contact = await self.channels.contact(uid)
        if contact.unreachable_at is not None:
            return
        if not window_open(contact.last_inbound_at):
            await self._hold(outcome.user.external_id, uid, messages)
            return
        # Held messages are forgotten only once sent (or held again): a crash meanwhile
        # sends them again rather than never.
        held = await self.channels.held(uid)
        queue = [Outgoing(payload) for _, payload in held] + messages
        sent = await self._send_all(outcome.user.external_id, queue, uid)
        await self.channels.forget_held([held_id for held_id, _ in held])
        if sent < len(queue):  # Meta says the window closed: keep the rest for later
            await self._hold(outcome.user.external_id, uid, queue[sent:])

    async def _send_all(self, to: str, messages: list[Outgoing], uid: int | None) -> int:
        """Send in order, paced; returns how many went before the window closed."""
        for index, message in enumerate(messages):
            if index and self.pace:
                await asyncio.sleep(self.pace)
            try:
                await self._send_one(to, message, uid)
            except WindowClosed:
                return index
            except Unreachable:
                break
        return len(messages)

    async def _send_one(self, to: str, message: Outgoing, uid: int | None) -> None:
        """One message: upload its file if needed, send, record; errors mapped."""
        for attempt in range(RETRIES + 1):
            try:
                payload = await self._with_media(message)
                wamid = await self.client.send({**payload, "to": to})
            except GraphError as error:
                if not await self._recover(error, message, uid, attempt):
                    return
                continue
            metrics.sent(CHANNEL, "reply")
            if uid is not None:
                await self.channels.record_sent(wamid, uid, CHANNEL, message.kind, _now())
            return

    async def _recover(
        self, error: GraphError, message: Outgoing, uid: int | None, attempt: int
    ) -> bool:
        """Map a refusal: True to try again, False to give up on this message."""
        metrics.send_failed(CHANNEL, "reply", error.code)
        if error.code == REENGAGEMENT:
            raise WindowClosed
        if error.code in UNREACHABLE:
            if uid is not None:
                await self.channels.mark_unreachable(uid, error.code, _now())
            log.info("whatsapp recipient unreachable code=%s", error.code)
            raise Unreachable
        if error.code in STALE_MEDIA and await self._forget_media(message):
            return attempt < RETRIES
        if error.retryable and attempt < RETRIES:
            await asyncio.sleep(self.backoff * 2**attempt)
            return True
        log.warning("whatsapp send failed code=%s status=%s", error.code, error.status)
        if uid is not None:
            await self.channels.record_failure(uid, CHANNEL, message.kind, error.code, _now())
        return False

    async def _hold(self, to: str, uid: int, messages: list[Outgoing]) -> None:
        """Outside the window: keep the messages, and send the template once if configured."""
        first_held = not await self.channels.has_held(uid)
        for message in messages:
            payload = await self._holdable(message)
            if payload is not None:
                await self.channels.hold(uid, payload, _now())
        if first_held and self.template.name and messages:
            shown = next((text for m in messages if (text := visible_text(m).strip())), "…")
            params = [_param(shown)] if self.template.params == "text" else []
            notice = template(self.template.name, self.template.language, params)
            with contextlib.suppress(WindowClosed, Unreachable):
                await self._send_one(to, notice, uid)

    async def _with_media(self, message: Outgoing) -> dict[str, Any]:
        """The payload, with the media id of its file (uploaded once, then cached)."""
        if not message.needs_upload:
            return message.payload
        data, name, mime = _file_of(message)
        digest = hashlib.sha256(data).hexdigest()
        async with self._uploading.hold(digest):  # learners reaching one image upload it once
            media_id = self._uploads.get(digest) or await self.channels.media_id(CHANNEL, digest)
            if media_id is None:
                media_id = await self.client.upload(data, mime, name)
                await self.channels.remember_media(CHANNEL, digest, media_id, _now())
            self._uploads[digest] = media_id
        kind = message.kind
        return {**message.payload, kind: {**message.payload[kind], "id": media_id}}

    async def _holdable(self, message: Outgoing) -> dict[str, Any] | None:
        """The payload to keep for later: a course file by its media id (uploading is allowed
        outside the window, and ids last 30 days); generated files are not kept (they can be
        asked for again), nor a file that cannot be uploaded now."""
        if message.upload_bytes is not None:
            return None
        try:
            return await self._with_media(message)
        except GraphError as error:
            log.warning("whatsapp upload for a held message failed code=%s", error.code)
            return None

    async def _forget_media(self, message: Outgoing) -> bool:
        """Drop a cached media id the platform refused; True if there was one."""
        if not message.needs_upload:
            return False
        digest = hashlib.sha256(_file_of(message)[0]).hexdigest()
        known = self._uploads.pop(digest, None)
        await self.channels.forget_media(CHANNEL, digest)
        return known is not None


def _file_of(message: Outgoing) -> tuple[bytes, str, str]:
    """The bytes, file name and MIME type of a message's file."""
    if message.upload_bytes is not None:
        return message.upload_bytes, message.filename, message.mime
    assert message.upload_path is not None
    path = message.upload_path
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix.lower() in (".ogg", ".opus", ".oga"):
        mime = "audio/ogg"  # WhatsApp plays OGG/Opus as a voice note
    return path.read_bytes(), path.name, mime


def _param(text: str) -> str:
    """A template parameter: one line (Meta refuses newlines and tabs), at most 1,000 chars."""
    flat = " ".join(text.split())
    return flat if len(flat) <= 1000 else flat[:999] + "…"


def window_open(last_inbound_at: datetime | None) -> bool:
    """Whether free-form messages may be sent: less than 24 hours since the learner wrote."""
    return last_inbound_at is not None and _now() - last_inbound_at < WINDOW


def _now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)
