"""Announcements on WhatsApp: free-form inside the 24-hour window, the template outside it
(or held for the person's next message when no template is configured)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.i18n import I18n
from bot.sender import Deliver, Failed, Held, Result, Sent, Unreachable
from bot.sender import RetryAfter as Wait
from bot.storage.channels import ChannelStore
from bot.storage.outbox import OutboxItem
from bot.telegram.broadcast import footer
from bot.whatsapp.channel import REENGAGEMENT, UNREACHABLE, TemplateSettings, window_open
from bot.whatsapp.client import GraphClient, GraphError
from bot.whatsapp.render import template, texts

RATE_LIMITS = frozenset({130429, 131056, 80007})
RATE_PAUSE = 2.0  # seconds: WhatsApp gives no retry_after


def whatsapp_deliverer(
    client: GraphClient, channels: ChannelStore, i18n: I18n, settings: TemplateSettings
) -> Deliver:
    """The sender's delivery function for WhatsApp."""

    async def deliver(item: OutboxItem) -> Result:
        text = f"{item.text}\n\n— {footer(i18n, item.locale)}"
        contact = await channels.contact(item.user_id)
        if contact.unreachable_at is not None:
            return Unreachable(131026, "unreachable")
        if window_open(contact.last_inbound_at):
            payload = texts(text)[0].payload
        elif settings.name:
            params = [" ".join(item.text.split())[:1000]] if settings.params == "text" else []
            payload = template(settings.name, settings.language, params).payload
        else:
            await channels.hold(item.user_id, texts(text)[0].payload, datetime.now(UTC))
            return Held()
        try:
            wamid = await client.send({**payload, "to": item.external_id})
        except GraphError as error:
            return _mapped(error)
        await channels.record_sent(wamid, item.user_id, "whatsapp", "broadcast", datetime.now(UTC))
        return Sent(wamid)

    return deliver


def _mapped(error: GraphError) -> Result:
    """A Graph refusal as the sender understands it."""
    if error.code in UNREACHABLE:
        return Unreachable(error.code, error.title or "unreachable")
    if error.code in RATE_LIMITS or error.status == 429:
        return Wait(RATE_PAUSE)
    if error.code == REENGAGEMENT:
        return Failed(f"{error.code} window closed", retryable=False)
    return Failed(f"{error.code} {error.title}".strip(), retryable=error.retryable)
