"""Announcements on Telegram: one message per person, errors classified for the sender.

With an attachment the file goes first, the text as its caption when it fits (else as a
message after it). A file the admin sent by Telegram goes by its file id; one from WhatsApp
is uploaded in the first send and goes by the file id Telegram returns from then on.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter  # PTB <23 is pinned

from bot.attachments import (
    Attachments,
    FetchFailed,
    FileData,
    Unavailable,
    from_telegram,
    is_file,
)
from bot.i18n import I18n
from bot.outgoing import footer
from bot.sender import Deliver, Failed, Result, Sent, Unreachable
from bot.sender import RetryAfter as Wait
from bot.storage.outbox import OutboxItem
from bot.telegram.address import chat_address, chat_params

CHANNEL = "telegram"
CAPTION_LIMIT = 1024  # UTF-16 code units, as Telegram counts
GONE = ("chat not found", "user is deactivated", "bot was blocked", "bot can't initiate")
Media = str | FileData  # a file id, or a file to upload


def telegram_deliverer(bot: Bot, i18n: I18n, attachments: Attachments | None = None) -> Deliver:
    """The sender's delivery function for Telegram."""
    files = attachments or Attachments(fetchers={"telegram": functools.partial(from_telegram, bot)})

    async def deliver(item: OutboxItem) -> Result:
        text = item.with_footer(footer(i18n, item.locale))
        try:
            sent = await _send(bot, files, item, text)
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
        except FetchFailed as error:
            return Failed(str(error))
        message_id = sent.get("message_id") if isinstance(sent, dict) else None
        chat, _ = chat_address(item.external_id)  # a group's topic: the chat's message
        return Sent(f"tg:{chat}:{message_id}" if message_id else None)

    return deliver


async def _send(bot: Bot, files: Attachments, item: OutboxItem, text: str) -> Any:
    """The file (captioned when the text fits), then the text if it did not; the last answer."""
    where = chat_params(item.external_id)  # a chat, or a group's forum topic
    media = await _media(files, item)
    if media is None or item.attachment is None:
        return await _post(bot, "sendMessage", {**where, "text": text})
    captioned = len(text.encode("utf-16-le")) // 2 <= CAPTION_LIMIT
    kind = str(item.attachment.get("kind"))
    params: dict[str, object] = {**where, **({"caption": text} if captioned else {})}
    sent = await _send_file(bot, files, kind, media, params)
    if captioned:
        return sent
    return await _post(bot, "sendMessage", {**where, "text": text})


async def _media(files: Attachments, item: OutboxItem) -> Media | None:
    """What to send of the attachment: its file id, the file to upload, or nothing."""
    attachment = item.attachment
    if attachment is None or not is_file(attachment):
        return None
    if attachment.get("channel") == CHANNEL:
        return str(attachment["file_id"])
    try:
        return await files.file_for(CHANNEL, attachment)
    except Unavailable:
        return None


async def _send_file(
    bot: Bot, files: Attachments, kind: str, media: Media, params: dict[str, object]
) -> Any:
    """sendPhoto or sendDocument by file id; the first send of a new file uploads it."""
    method, field = ("sendPhoto", "photo") if kind == "image" else ("sendDocument", "document")
    if isinstance(media, str):
        return await _post(bot, method, {**params, field: media})
    first: list[Any] = []

    async def upload() -> str:
        """Send with the file itself; Telegram's file id of it, for all the others."""
        upload = InputFile(media.data, filename=media.filename)
        first.append(await _post(bot, method, {**params, field: upload}))
        return _file_id(first[0], field)

    file_id = await files.reference(CHANNEL, media, upload)
    return first[0] if first else await _post(bot, method, {**params, field: file_id})


async def _post(bot: Bot, method: str, params: dict[str, object]) -> Any:
    """One Bot API call through the bot's transport; PTB's errors as raised by it."""
    data = RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])
    return await bot.request.post(f"{bot.base_url}/{method}", data)


def _file_id(sent: Any, field: str) -> str:
    """The file id of a sent photo (its largest size) or document ("" if none came back)."""
    media = sent.get(field) if isinstance(sent, dict) else None
    if isinstance(media, list):
        media = media[-1] if media else None
    file_id = media.get("file_id") if isinstance(media, dict) else None
    return file_id if isinstance(file_id, str) else ""


def _seconds(retry_after: timedelta | int) -> float:
    """Telegram's retry_after in seconds (a timedelta with PTB_TIMEDELTA)."""
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)
