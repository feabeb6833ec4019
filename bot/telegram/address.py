"""Where a Telegram "person" is: a chat, or one topic of a forum group ("<chat>/<topic>")."""

from __future__ import annotations


def chat_address(external_id: str) -> tuple[int, int | None]:
    """(chat id, forum topic id or None) of a Telegram external id."""
    chat, _, topic = external_id.partition("/")
    return int(chat), int(topic) if topic else None


def chat_params(external_id: str) -> dict[str, object]:
    """The Bot API parameters that address a message there."""
    chat, topic = chat_address(external_id)
    return {"chat_id": chat, **({"message_thread_id": topic} if topic else {})}
