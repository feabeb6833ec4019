"""Realistic Bot API update dicts for tests; private chats (chat id == user id), and
supergroups and their forum topics through ``in_group``."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

JSON = dict[str, Any]
MessageIds = Callable[[int], int]
MessageLookup = Callable[[int, int], JSON | None]

DEFAULT_BOT_ID = 7_000_000_001


def bot_user(bot_id: int = DEFAULT_BOT_ID, username: str = "imaginecole_test_bot") -> JSON:
    """The bot's own ``User`` object, as ``getMe`` and sent messages show it."""
    return {"id": bot_id, "is_bot": True, "first_name": "Imaginecole", "username": username}


def learner(user_id: int, first_name: str = "Awa", language_code: str = "fr") -> JSON:
    """A human ``User`` object."""
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name,
        "language_code": language_code,
    }


def private_chat(user_id: int, first_name: str = "Awa") -> JSON:
    """The private ``Chat`` between the bot and a user."""
    return {"id": user_id, "type": "private", "first_name": first_name}


def option_persistent_id(index: int) -> str:
    """The ``persistent_id`` the fake gives poll option ``index`` (Bot API 9.6)."""
    return f"opt{index}"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[JSON]:
    """The ``bot_command`` entity Telegram adds to a text starting with "/"."""
    if not text.startswith("/") or len(text) < 2:
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]


class UpdateFactory:
    """Builds update dicts with increasing ``update_id`` and per-chat message ids."""

    def __init__(
        self,
        *,
        bot: JSON | None = None,
        first_update_id: int = 500_000_001,
        language_code: str = "fr",
        message_ids: MessageIds | None = None,
        lookup: MessageLookup | None = None,
    ) -> None:
        """Link ``message_ids``/``lookup`` to a FakeBotApi so ids and messages stay coherent."""
        self.bot = bot or bot_user()
        self.language_code = language_code
        self._update_ids = itertools.count(first_update_id)
        self._serial = itertools.count(1)
        self._own_ids: dict[int, int] = {}
        self._message_ids = message_ids or self._next_own_id
        self._lookup = lookup

    def text(self, user_id: int, text: str, first_name: str = "Awa") -> JSON:
        """A text message; commands ("/start ...") carry a ``bot_command`` entity."""
        entities = command_entities(text)
        extra: JSON = {"entities": entities} if entities else {}
        return self._message_update(user_id, first_name, text=text, **extra)

    def callback(self, user_id: int, data: str, message_id: int, first_name: str = "Awa") -> JSON:
        """A tap on an inline button of the bot's message ``message_id``."""
        query = {
            "id": str(4_300_000_000_000_000_000 + next(self._serial)),  # numeric-looking str
            "from": self._user(user_id, first_name),
            "message": self._bot_message(user_id, message_id),
            "chat_instance": str(-(user_id * 1_000_003 % 10**18)),
            "data": data,
        }
        return self._update(callback_query=query)

    def poll_answer(
        self, user_id: int, poll_id: str, option_ids: list[int], first_name: str = "Awa"
    ) -> JSON:
        """A vote in a non-anonymous poll (empty ``option_ids`` = vote retracted)."""
        answer = {
            "poll_id": poll_id,
            "user": self._user(user_id, first_name),
            "option_ids": list(option_ids),
            "option_persistent_ids": [option_persistent_id(i) for i in option_ids],
        }
        return self._update(poll_answer=answer)

    def photo(self, user_id: int, caption: str | None = None, first_name: str = "Awa") -> JSON:
        """A photo, in the two sizes Telegram usually offers."""
        sizes = [self._file(width=90, height=67, file_size=1_204)]
        sizes.append(self._file(width=1280, height=960, file_size=98_304))
        extra: JSON = {"caption": caption} if caption else {}
        return self._message_update(user_id, first_name, photo=sizes, **extra)

    def sticker(self, user_id: int, emoji: str = "👍", first_name: str = "Awa") -> JSON:
        """A static sticker."""
        sticker = self._file(width=512, height=512, file_size=23_456)
        sticker.update(type="regular", is_animated=False, is_video=False, emoji=emoji)
        return self._message_update(user_id, first_name, sticker=sticker)

    def voice(self, user_id: int, duration: int = 3, first_name: str = "Awa") -> JSON:
        """A voice note (OGG/Opus)."""
        voice = self._file(duration=duration, mime_type="audio/ogg", file_size=duration * 4_000)
        return self._message_update(user_id, first_name, voice=voice)

    def document(
        self,
        user_id: int,
        file_name: str = "devoir.pdf",
        mime_type: str = "application/pdf",
        first_name: str = "Awa",
    ) -> JSON:
        """A document (a file sent "as file")."""
        document = self._file(file_name=file_name, mime_type=mime_type, file_size=52_431)
        return self._message_update(user_id, first_name, document=document)

    def location(
        self,
        user_id: int,
        latitude: float = 14.6928,
        longitude: float = -17.4467,
        first_name: str = "Awa",
    ) -> JSON:
        """A shared location (Dakar by default)."""
        location = {"latitude": latitude, "longitude": longitude}
        return self._message_update(user_id, first_name, location=location)

    def contact(
        self, user_id: int, phone_number: str = "+221770000000", first_name: str = "Awa"
    ) -> JSON:
        """The user's own contact, as sent by a "share my number" keyboard button."""
        contact = {"phone_number": phone_number, "first_name": first_name, "user_id": user_id}
        return self._message_update(user_id, first_name, contact=contact)

    def edited_text(
        self, user_id: int, message_id: int, text: str, first_name: str = "Awa"
    ) -> JSON:
        """The user edited their earlier text message ``message_id``."""
        message = self._message(user_id, first_name, message_id, text=text)
        message["edit_date"] = message["date"]
        if entities := command_entities(text):
            message["entities"] = entities
        return self._update(edited_message=message)

    def in_group(
        self,
        chat_id: int,
        user_id: int,
        first_name: str = "Awa",
        topic: int | None = None,
        sender: JSON | None = None,
        **content: Any,
    ) -> JSON:
        """A message in a supergroup (in forum topic ``topic`` if given); ``sender``
        replaces the human author (the bot itself, for instance)."""
        chat: JSON = {"id": chat_id, "type": "supergroup", "title": "Profs de maths"}
        if topic is not None:
            chat["is_forum"] = True
            content.update(message_thread_id=topic, is_topic_message=True)
        if isinstance(content.get("text"), str) and (found := command_entities(content["text"])):
            content["entities"] = found
        message = {
            "message_id": self._message_ids(chat_id),
            "from": sender or self._user(user_id, first_name),
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        return self._update(message=message)

    def _message_update(self, user_id: int, first_name: str, **content: Any) -> JSON:
        """An update carrying a new message from the user."""
        message_id = self._message_ids(user_id)
        return self._update(message=self._message(user_id, first_name, message_id, **content))

    def _message(self, user_id: int, first_name: str, message_id: int, **content: Any) -> JSON:
        """A ``Message`` from the user in their private chat."""
        return {
            "message_id": message_id,
            "from": self._user(user_id, first_name),
            "chat": private_chat(user_id, first_name),
            "date": int(time.time()),
            **content,
        }

    def _bot_message(self, chat_id: int, message_id: int) -> JSON:
        """The bot's message carrying the tapped keyboard (the real one when linked)."""
        if self._lookup is not None and (found := self._lookup(chat_id, message_id)):
            return found
        return {
            "message_id": message_id,
            "from": self.bot,
            "chat": private_chat(chat_id),
            "date": int(time.time()),
            "text": "…",
        }

    def _user(self, user_id: int, first_name: str) -> JSON:
        """A human user speaking this factory's default language."""
        return learner(user_id, first_name, self.language_code)

    def _file(self, **fields: Any) -> JSON:
        """A file object with fresh ``file_id``/``file_unique_id``."""
        serial = next(self._serial)
        return {"file_id": f"fake-file-{serial}", "file_unique_id": f"u{serial}", **fields}

    def _update(self, **payload: JSON) -> JSON:
        """Wrap one payload into an update with the next ``update_id``."""
        return {"update_id": next(self._update_ids), **payload}

    def _next_own_id(self, chat_id: int) -> int:
        """Per-chat message ids when the factory is not linked to a fake server."""
        self._own_ids[chat_id] = self._own_ids.get(chat_id, 0) + 1
        return self._own_ids[chat_id]
