"""Semantic messages rendered as Telegram messages, keyboards and native quiz polls."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, InputPollOption
from telegram.constants import PollType
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter  # PTB <23 is pinned

from bot import metrics
from bot.channels import TELEGRAM
from bot.conversations import Outcome
from bot.outgoing import merge_texts
from bot.storage.store import SqlStore
from bot.text_render import chunks, lettered
from dialogs.capabilities import Capabilities
from dialogs.messages import Ask, Document, Option, Out, QuizQuestion, Say, Show
from dialogs.options import fits_poll, marked, shows_marks

log = logging.getLogger("imaginecole.telegram")

Markup = InlineKeyboardMarkup | None
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def keyboard(
    options: tuple[Option, ...],
    prompt: int,
    columns: int = 1,
    shown: bool = False,
    letters: bool = False,
) -> InlineKeyboardMarkup | None:
    """Inline buttons; callback data is "<prompt>:<option id>" (never the right answer).

    `shown`: the options are shown marked (`dialogs.options.shows_marks`): the buttons carry
    the marks a learner may type ("1. Français").
    """
    if not options:
        return None
    labels = marked(options, letters) if shown else [o.label for o in options]
    buttons = [
        InlineKeyboardButton(label, callback_data=f"{prompt}:{o.id}")
        for o, label in zip(options, labels, strict=True)
    ]
    step = max(columns, 1)
    return InlineKeyboardMarkup([buttons[i : i + step] for i in range(0, len(buttons), step)])


def fits_native_poll(question: QuizQuestion, caps: Capabilities = TELEGRAM) -> bool:
    """Telegram polls take a short question and 2 to 10 short options."""
    return fits_poll(caps, question)


class TelegramChannel:
    """Sends a learner's reply through the Bot API, in order."""

    def __init__(self, bot: Bot, store: SqlStore, native_polls: bool = True) -> None:
        self.bot = bot
        self.store = store
        self.native_polls = native_polls
        # What the dialogs were told this channel does (bot/channels.py), polls as set.
        self.caps = TELEGRAM if native_polls else replace(TELEGRAM, native_quiz=False)
        self._file_ids: dict[Path, str] = {}  # course media already on Telegram's servers

    async def send(self, outcome: Outcome) -> None:
        """Send every message; a learner who blocked the bot is not tried again in this reply."""
        chat_id = int(outcome.user.external_id)
        try:
            for message in merge_texts(outcome.messages, TEXT_LIMIT):
                await self._send_one(chat_id, message, outcome.profile_id or outcome.user_id)
                metrics.sent("telegram", "reply")
        except Forbidden as error:
            metrics.send_failed("telegram", "reply", 403)
            log.info("telegram refused the chat: %s", error.message)
        except TelegramError as error:  # counted, and raised as before
            metrics.send_failed("telegram", "reply", type(error).__name__)
            raise

    async def _send_one(self, chat_id: int, message: Out, user_id: int | None) -> None:
        """One message, waiting once when Telegram asks us to slow down."""
        try:
            await self._render(chat_id, message, user_id)
        except RetryAfter as error:
            metrics.send_failed("telegram", "reply", 429)
            await _sleep(error.retry_after)
            await self._render(chat_id, message, user_id)

    async def _render(self, chat_id: int, message: Out, user_id: int | None) -> None:
        """Dispatch on the message type."""
        if isinstance(message, Say):
            await self._text(chat_id, message.text, None)
        elif isinstance(message, Ask):
            shown = shows_marks(self.caps, message)
            markup = keyboard(message.options, message.prompt, message.columns, shown)
            await self._text(chat_id, message.text, markup)
        elif isinstance(message, QuizQuestion):
            await self._quiz(chat_id, message, user_id)
        elif isinstance(message, Show):
            await self._media(chat_id, message)
        elif isinstance(message, Document):
            document = InputFile(message.data, filename=message.filename)
            await self.bot.send_document(chat_id, document, caption=message.caption[:CAPTION_LIMIT])

    async def _text(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> None:
        """Long text goes in several messages; the buttons come with the last."""
        parts = chunks(text, TEXT_LIMIT)
        for part in parts[:-1]:
            await self._send_text(chat_id, part, None)
        await self._send_text(chat_id, parts[-1], markup)

    async def _send_text(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        """sendMessage without parsing the answer into a Message we never read (that parsing
        was a seventh of the bot's CPU in bench/)."""
        params: dict[str, object] = {"chat_id": chat_id, "text": text}
        if markup is not None:
            params["reply_markup"] = markup
        await self._post("sendMessage", params)

    async def _post(self, method: str, params: dict[str, object]) -> object:
        """A Bot API call whose answer stays JSON (PTB's request layer: errors, timeouts)."""
        data = RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])
        return await self.bot.request.post(f"{self.bot.base_url}/{method}", data)

    async def _quiz(self, chat_id: int, question: QuizQuestion, user_id: int | None) -> None:
        """A native poll when it fits, else the choices as buttons or lettered text."""
        extra = keyboard(question.extra, question.prompt)
        if user_id is not None and fits_native_poll(question, self.caps):
            await self._poll(chat_id, question, user_id, extra)
        elif question.multiple:  # what the learner types back (bot/text_render.py)
            await self._text(chat_id, lettered(question), extra)
        else:
            options = question.options + question.extra
            shown = shows_marks(self.caps, question)
            markup = keyboard(options, question.prompt, shown=shown, letters=True)
            await self._text(chat_id, question.text, markup)

    async def _poll(
        self, chat_id: int, question: QuizQuestion, user_id: int, extra: InlineKeyboardMarkup | None
    ) -> None:
        """A non-anonymous poll (a quiz poll for one right answer); we grade the answer."""
        ids = [o.id for o in question.options]
        single = not question.multiple and len(question.correct_ids) == 1
        params: dict[str, object] = {
            "chat_id": chat_id,
            "question": question.text,
            "options": [InputPollOption(o.label) for o in question.options],
            "is_anonymous": False,
            "type": PollType.QUIZ if single else PollType.REGULAR,
            "allows_multiple_answers": question.multiple,
        }
        if single:
            params["correct_option_ids"] = [ids.index(question.correct_ids[0])]
        if extra is not None:
            params["reply_markup"] = extra
        sent = await self._post("sendPoll", params)
        poll = sent.get("poll") if isinstance(sent, dict) else None
        if poll is not None:
            await self.store.remember_poll(str(poll["id"]), user_id, question.prompt, ids)

    async def _media(self, chat_id: int, show: Show) -> None:
        """An image or audio file, uploaded once: Telegram's file id serves it afterwards."""
        caption = show.caption if len(show.caption) <= CAPTION_LIMIT else ""
        kind = _media_kind(show)
        known = self._file_ids.get(show.path)
        try:
            sent = await self._post_media(chat_id, kind, known or _upload(show), caption)
        except BadRequest:
            if known is None:
                raise
            del self._file_ids[show.path]  # the id expired: upload again
            sent = await self._post_media(chat_id, kind, _upload(show), caption)
        if known is None and isinstance(sent, dict):
            self._file_ids[show.path] = _file_id(sent, kind)
        if show.caption and not caption:
            await self._text(chat_id, show.caption, None)

    async def _post_media(self, chat_id: int, kind: str, media: object, caption: str) -> object:
        """sendPhoto, sendVoice or sendAudio with a file or a file id."""
        params = {"chat_id": chat_id, kind: media, "caption": caption}
        return await self._post("send" + kind.capitalize(), params)


def _media_kind(show: Show) -> str:
    """photo, document, voice (an OGG plays inline as a voice note) or audio."""
    if show.kind == "image":
        return "photo"
    if show.kind == "document":
        return "document"
    return "voice" if show.path.suffix.lower() in (".ogg", ".oga", ".opus") else "audio"


def _upload(show: Show) -> InputFile:
    """The file's bytes, to upload."""
    return InputFile(show.path.read_bytes(), filename=show.path.name)


def _file_id(sent: dict[str, Any], kind: str) -> str:
    """Telegram's id of the file just sent (the largest size of a photo)."""
    media = sent[kind]
    return str((media[-1] if isinstance(media, list) else media)["file_id"])


async def _sleep(retry_after: timedelta | int) -> None:
    """Wait as long as Telegram said (a timedelta with PTB_TIMEDELTA, else seconds)."""
    delay = retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
    await asyncio.sleep(min(float(delay), 60.0))
