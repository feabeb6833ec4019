"""Outgoing messages as the web chat's JSON frames."""

from __future__ import annotations

import base64
from typing import Any

from dialogs.messages import Ask, ClearScreen, Document, Option, Out, QuizQuestion, Say, Show

Frame = dict[str, Any]


def _options(options: tuple[Option, ...]) -> list[dict[str, str]]:
    """Options as id/label pairs."""
    return [{"id": o.id, "label": o.label} for o in options]


def to_frame(message: Out) -> Frame:
    """One message as one frame."""
    if isinstance(message, Say):
        return {"type": "say", "text": message.text}
    if isinstance(message, Ask):
        return {
            "type": "ask",
            "text": message.text,
            "prompt": message.prompt,
            "options": _options(message.options),
            "columns": message.columns,
            **({"secret": True} if message.secret else {}),  # the page masks what is typed
        }
    if isinstance(message, QuizQuestion):
        return {
            "type": "quiz",
            "text": message.text,
            "prompt": message.prompt,
            "multiple": message.multiple,
            "options": _options(message.options),
            "extra": _options(message.extra),
            "submit": message.submit,
        }
    if isinstance(message, Show):
        return {
            "type": "media",
            "kind": message.kind,
            "url": message.url_path,
            "caption": message.caption,
        }
    if isinstance(message, ClearScreen):  # the page clears the screen and its storage
        return {"type": "clear", "forget": message.forget}
    assert isinstance(message, Document)
    return {
        "type": "document",
        "filename": message.filename,
        "mime": message.mime,
        "data": base64.b64encode(message.data).decode("ascii"),
        "caption": message.caption,
    }


def to_frames(messages: list[Out], lang: str, rtl: bool) -> list[Frame]:
    """A reply as frames, led by the learner's language and direction."""
    return [{"type": "locale", "lang": lang, "rtl": rtl}] + [to_frame(m) for m in messages]
