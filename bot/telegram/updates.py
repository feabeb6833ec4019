"""Telegram updates as platform-neutral events."""

from __future__ import annotations

from telegram import Audio, Document, Message, Update, Voice
from telegram.constants import ChatType

from bot.storage.store import SqlStore
from dialogs.events import (
    GroupPosted,
    Incoming,
    MediaReceived,
    OptionChosen,
    OptionsChosen,
    TextReceived,
    UserRef,
)
from dialogs.flows.circle_groups import group_command

MEDIA_KINDS = (
    "photo",
    "sticker",
    "voice",
    "audio",
    "video",
    "video_note",
    "document",
    "animation",
    "location",
    "contact",
    "poll",
    "dice",
)


def update_key(update: Update) -> str:
    """The idempotency key: Telegram's update_id is unique per bot."""
    return f"tg:{update.update_id}"


def _is_id(value: object) -> bool:
    """An id as Telegram gives them: an integer (of at most 64 bits), never a bool."""
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _text(value: object) -> str:
    """A string field as a string: PTB does not check the JSON's types, so a forged update
    may carry a number or an object where Telegram writes a string."""
    return value if isinstance(value, str) else ""


def _size(value: object) -> int:
    """A file size as a non-negative integer (0 when unknown or forged)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    return 0


async def to_event(update: Update, store: SqlStore) -> Incoming | None:
    """The event an update carries, or None for what the bot ignores (groups, edits...,
    and updates whose ids are not Telegram's integers)."""
    if not _is_id(update.update_id):
        return None
    key = str(update.update_id)
    if update.poll_answer is not None:
        return await _poll_answer(update, store)
    chat = update.effective_chat
    sender = update.effective_user
    if chat is None or sender is None or not (_is_id(chat.id) and _is_id(sender.id)):
        return None
    if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        return await _group(update, store)
    if chat.type != ChatType.PRIVATE:
        return None
    user = UserRef("telegram", str(sender.id))
    if update.callback_query is not None:
        return _callback(user, key, _text(update.callback_query.data))
    if update.message is not None:
        return _message(user, key, update.message)
    return None


def _callback(user: UserRef, key: str, data: str) -> OptionChosen:
    """ "12:next" -> the option "next" of prompt 12; anything else is a stale tap."""
    prompt, _, option = data.partition(":")
    if not (prompt.isascii() and prompt.isdigit()) or len(prompt) > 18 or not option:
        return OptionChosen(user, key, -1, data[:32])
    return OptionChosen(user, key, int(prompt), option)


def _message(user: UserRef, key: str, message: Message) -> Incoming:
    """Text (commands included) or a media the learner sent."""
    if message.text is not None:
        return TextReceived(user, key, _text(message.text))
    kind = next((k for k in MEDIA_KINDS if getattr(message, k, None)), "other")
    if kind == "photo":  # the largest size
        photo = message.photo[-1]
        size = _size(photo.file_size)
        return MediaReceived(user, key, kind, _text(photo.file_id), mime="image/jpeg", size=size)
    sent: Document | Voice | Audio | None = {
        "document": message.document,
        "voice": message.voice,
        "audio": message.audio,
    }.get(kind)
    if sent is not None:
        name = _text(getattr(sent, "file_name", None))
        mime, size = _text(sent.mime_type), _size(sent.file_size)
        return MediaReceived(user, key, kind, _text(sent.file_id), name, mime, size)
    return MediaReceived(user, key, kind)


async def _poll_answer(update: Update, store: SqlStore) -> Incoming | None:
    """A vote in one of our quiz polls, mapped back to the prompt that asked it."""
    answer = update.poll_answer
    assert answer is not None
    if not isinstance(answer.poll_id, str) or answer.user is None or not _is_id(answer.user.id):
        return None
    found = await store.lookup_poll(answer.poll_id)
    if found is None:
        return None
    user, prompt, option_ids = found
    if user != UserRef("telegram", str(answer.user.id)):
        return None
    chosen = [i for i in answer.option_ids if _is_id(i)]
    picked = tuple(option_ids[i] for i in chosen if 0 <= i < len(option_ids))
    if not picked:
        return None  # a retracted vote
    return OptionsChosen(user, str(update.update_id), prompt, picked)


def group_address(message: Message) -> str:
    """A group's external id: "<chat>", or "<chat>/<topic>" in a forum topic."""
    if message.is_topic_message is True and _is_id(message.message_thread_id):
        return f"{message.chat.id}/{message.message_thread_id}"
    return str(message.chat.id)


async def _group(update: Update, store: SqlStore) -> Incoming | None:
    """A group message: our commands, or a member's message in a group linked to a circle.

    Bots (this one included) are never heard, so nothing the bot relayed comes back.
    """
    message, sender = update.message, update.effective_user
    if message is None or sender is None or sender.is_bot:
        return None
    group = UserRef("telegram", group_address(message))
    text = _text(message.text) or _text(message.caption)
    if group_command(_text(message.text)) is None and not await store.group_linked(
        group.external_id
    ):
        return None  # an unlinked group's chatter: silently ignored
    media = _message(group, str(update.update_id), message)
    found = media if isinstance(media, MediaReceived) else None
    return GroupPosted(
        group,
        str(update.update_id),
        str(sender.id),
        _text(sender.first_name) + (f" {sender.last_name}" if _text(sender.last_name) else ""),
        text,
        found.kind if found else "text",
        found.file_id if found else "",
        found.filename if found else "",
        found.mime if found else "",
    )
