"""What every channel does to a reply before rendering it."""

from __future__ import annotations

from dataclasses import replace

from bot.i18n import I18n
from dialogs.messages import Ask, Out, Say


def merge_texts(messages: list[Out], limit: int) -> list[Out]:
    """A text followed by a text or a question goes as one message: fewer pings, less data."""
    merged: list[Out] = []
    for message in messages:
        last = merged[-1] if merged else None
        if isinstance(last, Say) and isinstance(message, Say | Ask):
            text = f"{last.text}\n\n{message.text}"
            if len(text) <= limit:
                merged[-1] = replace(message, text=text)
                continue
        merged.append(message)
    return merged


def footer(i18n: I18n, locale: str | None) -> str:
    """How to stop announcements, in the person's language."""
    return i18n.translator(locale or "fr", None).gettext(
        "Pour ne plus recevoir d'annonces : /stop_annonces"
    )
