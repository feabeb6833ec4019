"""Outgoing messages as the web chat's JSON frames."""

from __future__ import annotations

import base64
from typing import Any

from bot.channels import WEB
from dialogs.messages import Ask, ClearScreen, Document, Option, Out, QuizQuestion, Say, Show
from dialogs.options import marked, shows_marks

Frame = dict[str, Any]


def _options(options: tuple[Option, ...], shown: bool = False) -> list[dict[str, str]]:
    """Options as id/label pairs; `shown`: marked, as a typed mark is then read ("1. ...")."""
    labels = marked(options) if shown else [o.label for o in options]
    return [{"id": o.id, "label": label} for o, label in zip(options, labels, strict=True)]


def _relabelled(options: tuple[Option, ...], labels: dict[Option, str]) -> list[dict[str, str]]:
    """Options as id/label pairs, with the labels given (marked ones) where there are."""
    return [{"id": o.id, "label": labels.get(o, o.label)} for o in options]


def to_frame(message: Out) -> Frame:
    """One message as one frame."""
    if isinstance(message, Say):
        return {"type": "say", "text": message.text}
    if isinstance(message, Ask):
        return {
            "type": "ask",
            "text": message.text,
            "prompt": message.prompt,
            "options": _options(message.options, shows_marks(WEB, message)),
            "columns": message.columns,
            **({"lines": True} if message.lines else {}),
            **({"secret": True} if message.secret else {}),  # the page masks what is typed
        }
    if isinstance(message, QuizQuestion):
        if shows_marks(WEB, message) and not message.multiple:  # the choices, then "menu"
            letters = marked(message.options + message.extra, letters=True)
            labels = dict(zip(message.options + message.extra, letters, strict=True))
        else:
            labels = {}
        return {
            "type": "quiz",
            "text": message.text,
            "prompt": message.prompt,
            "multiple": message.multiple,
            "options": _relabelled(message.options, labels),
            "extra": _relabelled(message.extra, labels),
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
