"""Announcements on Telegram: one message per person, errors classified for the sender."""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter  # PTB <23 is pinned

from bot.i18n import I18n
from bot.sender import Deliver, Failed, Result, Sent, Unreachable
from bot.sender import RetryAfter as Wait
from bot.storage.outbox import OutboxItem

CAPTION_LIMIT = 1024
GONE = ("chat not found", "user is deactivated", "bot was blocked", "bot can't initiate")


def footer(i18n: I18n, locale: str | None) -> str:
    """How to stop announcements, in the person's language."""
    return i18n.translator(locale or "fr", None).gettext(
        "Pour ne plus recevoir d'annonces : /stop_annonces"
    )


def telegram_deliverer(bot: Bot, i18n: I18n) -> Deliver:
    """The sender's delivery function for Telegram."""

    async def deliver(item: OutboxItem) -> Result:
        text = f"{item.text}\n\n— {footer(i18n, item.locale)}"
        method, params = _message(item, text)
        data = RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])
        try:
            sent = await bot.request.post(f"{bot.base_url}/{method}", data)
        except RetryAfter as error:
            return Wait(_seconds(error.retry_after))
        except Forbidden as error:
            return Unreachable(403, error.message)
        except BadRequest as error:
            if any(reason in error.message.lower() for reason in GONE):
                return Unreachable(400, error.message)
            return Failed(error.message, retryable=False)
        except (TimedOut, NetworkError) as error:
            return Failed(type(error).__name__)
        message_id = sent.get("message_id") if isinstance(sent, dict) else None
        return Sent(f"tg:{item.external_id}:{message_id}" if message_id else None)

    return deliver


def _message(item: OutboxItem, text: str) -> tuple[str, dict[str, object]]:
    """sendMessage, or sendPhoto/sendDocument with the admin's file when it came by Telegram."""
    chat_id = int(item.external_id)
    attachment = item.attachment
    if attachment and attachment.get("channel") == "telegram" and len(text) <= CAPTION_LIMIT:
        kind = "photo" if attachment.get("kind") == "image" else "document"
        method = "sendPhoto" if kind == "photo" else "sendDocument"
        return method, {"chat_id": chat_id, kind: attachment["file_id"], "caption": text}
    return "sendMessage", {"chat_id": chat_id, "text": text}


def _seconds(retry_after: timedelta | int) -> float:
    """Telegram's retry_after in seconds (a timedelta with PTB_TIMEDELTA)."""
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)
