"""Announcements on WhatsApp: free-form inside the 24-hour window, the template outside it
(which says something waits: the text itself is held for the person's next message, as it
is when no template is configured).

Inside the window an attachment goes as an image or document message, uploaded once and sent
by media id, the text as its caption when it fits (else as a message after it). Outside the
window the template goes alone: templates carry no file of ours.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime
from typing import Any

from bot.attachments import (
    Attachments,
    FetchFailed,
    FileData,
    Unavailable,
    from_whatsapp,
    is_file,
)
from bot.i18n import I18n
from bot.outgoing import footer
from bot.sender import Deliver, Failed, Held, Result, Sent, Unreachable
from bot.sender import RetryAfter as Wait
from bot.storage.channels import ChannelStore
from bot.storage.impact import PAID_TEMPLATE
from bot.storage.outbox import OutboxItem
from bot.whatsapp.channel import (
    REENGAGEMENT,
    STALE_MEDIA,
    UNREACHABLE,
    TemplateSettings,
    window_open,
)
from bot.whatsapp.client import GraphClient, GraphError
from bot.whatsapp.render import BODY_LIMIT, template, texts

log = logging.getLogger("imaginecole.whatsapp")

CHANNEL = "whatsapp"
RATE_LIMITS = frozenset({130429, 131056, 80007})
RATE_PAUSE = 2.0  # seconds: WhatsApp gives no retry_after
Payload = dict[str, Any]


def whatsapp_deliverer(
    client: GraphClient,
    channels: ChannelStore,
    i18n: I18n,
    settings: TemplateSettings,
    attachments: Attachments | None = None,
) -> Deliver:
    """The sender's delivery function for WhatsApp."""
    files = attachments or Attachments(
        channels, fetchers={"whatsapp": functools.partial(from_whatsapp, client)}
    )

    async def deliver(item: OutboxItem) -> Result:
        text = item.with_footer(footer(i18n, item.locale))
        contact = await channels.contact(item.user_id)
        if contact.unreachable_at is not None:
            return Unreachable(131026, "unreachable")
        outbound = _Outbound(client, channels, files, item)
        if window_open(contact.last_inbound_at):
            return await outbound.free_form(text)
        if settings.name:  # the template says something waits; the text itself is held
            params = [" ".join(item.text.split())[:1000]] if settings.params == "text" else []
            sent = await outbound.send([template(settings.name, settings.language, params).payload])
            if isinstance(sent, Sent):
                await channels.hold(item.user_id, texts(text)[0].payload, datetime.now(UTC))
            return sent
        await channels.hold(item.user_id, texts(text)[0].payload, datetime.now(UTC))
        return Held()

    return deliver


class _Outbound:
    """One announcement to one person: its messages in order, errors mapped."""

    def __init__(
        self, client: GraphClient, channels: ChannelStore, files: Attachments, item: OutboxItem
    ) -> None:
        self.client = client
        self.channels = channels
        self.files = files
        self.item = item

    async def free_form(self, text: str) -> Result:
        """The attachment (if any, and if it can go) with the text, else the text alone."""
        try:
            file = await self._file()
            if file is not None:
                return await self._with_file(file, text)
        except FetchFailed as error:
            return Failed(str(error))
        except GraphError as error:
            return _mapped(error)
        except Unavailable:
            pass  # logged where it was found: the text goes alone
        return await self.send([texts(text)[0].payload])

    async def send(self, payloads: list[Payload]) -> Result:
        """Send in order; the last message's wamid, or the first refusal mapped."""
        wamid = ""
        try:
            for payload in payloads:
                wamid = await self._one(payload)
        except GraphError as error:
            return _mapped(error)
        return Sent(wamid or None)

    async def _one(self, payload: Payload) -> str:
        """One message, recorded to attach its statuses."""
        wamid = await self.client.send({**payload, "to": self.item.external_id})
        at = datetime.now(UTC)
        kind = PAID_TEMPLATE if payload.get("type") == "template" else "broadcast"  # paid
        await self.channels.record_sent(wamid, self.item.user_id, CHANNEL, kind, at)
        return wamid

    async def _file(self) -> FileData | None:
        """The attachment's file, if there is one that fits WhatsApp's limits."""
        attachment = self.item.attachment
        if attachment is None or not is_file(attachment):
            return None
        return await self.files.file_for(CHANNEL, attachment)

    async def _with_file(self, file: FileData, text: str) -> Result:
        """The media message by id (re-uploaded once if the id went stale), then the text."""
        kind = "image" if (self.item.attachment or {}).get("kind") == "image" else "document"
        captioned = len(text) <= BODY_LIMIT
        caption = text if captioned else ""
        media_id = await self._media_id(file)
        try:
            wamid = await self._one(_media(kind, media_id, file, caption))
        except GraphError as error:
            if error.code not in STALE_MEDIA:
                raise
            await self.files.forget(CHANNEL, file, media_id)
            wamid = await self._one(_media(kind, await self._media_id(file), file, caption))
        if captioned:
            return Sent(wamid)
        return await self.send([texts(text)[0].payload])

    async def _media_id(self, file: FileData) -> str:
        """The file's media id: uploaded once for everybody."""
        return await self.files.reference(CHANNEL, file, lambda: _upload(self.client, file))


async def _upload(client: GraphClient, file: FileData) -> str:
    """Upload a file; a refusal of the file itself (type, size) makes it unavailable."""
    try:
        return await client.upload(file.data, file.mime, file.filename)
    except GraphError as error:
        if error.retryable:
            raise
        raise Unavailable(f"{error.code} {error.title}".strip()) from error


def _media(kind: str, media_id: str, file: FileData, caption: str) -> Payload:
    """An image or document message by media id."""
    body: Payload = {"id": media_id}
    if caption:
        body["caption"] = caption
    if kind == "document":
        body["filename"] = file.filename
    return {"type": kind, kind: body}


def _mapped(error: GraphError) -> Result:
    """A Graph refusal as the sender understands it."""
    if error.code in UNREACHABLE:
        return Unreachable(error.code, error.title or "unreachable")
    if error.code in RATE_LIMITS or error.status == 429:
        return Wait(RATE_PAUSE)
    if error.code == REENGAGEMENT:
        return Failed(f"{error.code} window closed", retryable=False)
    return Failed(f"{error.code} {error.title}".strip(), retryable=error.retryable)
