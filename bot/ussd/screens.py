"""A reply as USSD screens: at most 160 characters each, numbered entries, pages turned with
"0. Suite" and "00. Retour" (the marks are shown: a typed digit is an option's position).

The reply is rendered as text (bot/text_render.py) without the "answer with the number"
line (a USSD screen always asks for a number) and without emoji (basic phones show boxes),
then cut into pages that leave room for the two navigation entries: whole lines, a line too
long for a screen at its sentences.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from bot.text_render import TextRenderer, lettered
from content.text import split_text
from dialogs.capabilities import Capabilities
from dialogs.context import Translator
from dialogs.messages import Ask, Out, QuizQuestion
from dialogs.options import marked

SCREEN = 160  # characters a USSD screen shows
NEXT = "0"  # the input that shows the next page
BACK = "00"  # the input that shows the page before


def nav_next(t: Translator) -> str:
    return f"{NEXT}. {t.gettext('Suite')}"


def nav_back(t: Translator) -> str:
    return f"{BACK}. {t.gettext('Retour')}"


def pages(text: str, t: Translator, limit: int = SCREEN) -> list[str]:
    """`text` in screens of at most `limit` characters, with "0. Suite" on every page but
    the last and "00. Retour" on every page but the first. Lines are kept whole (an option
    is never cut from its mark); a line too long for a screen is cut at sentences, then
    words. A question's options stay together on the last screen, with the question's own
    paragraph when it fits: nobody answers before seeing every choice."""
    text = text.strip() or "…"
    if len(text) <= limit:
        return [text]
    more, back = nav_next(t), nav_back(t)
    room = limit - len(more) - len(back) - 2  # two line breaks
    last_room = limit - len(back) - 1
    head, tail = _question_tail(text.split("\n"), last_room)
    chunks = _chunks(head, room)
    if tail:
        if chunks and len(joined := f"{chunks[-1]}\n{tail}") <= last_room:
            chunks[-1] = joined
        else:
            chunks.append(tail)
    screens = []
    for index, chunk in enumerate(chunks):
        lines = [chunk]
        if index < len(chunks) - 1:
            lines.append(more)
        if index > 0:
            lines.append(back)
        screens.append("\n".join(lines))
    return screens


_MARK = re.compile(r"^(\d+|[a-z])[.)] ")


def _question_tail(lines: list[str], room: int) -> tuple[list[str], str]:
    """The lines before a closing block of options, and that block (with the paragraph that
    asks, when it fits one last screen); no block, or one too long: every line, and ""."""
    first = len(lines)
    while first > 0 and _MARK.match(lines[first - 1]):
        first -= 1
    if first == len(lines):
        return lines, ""
    start = first
    while start > 0 and lines[start - 1].strip():
        start -= 1
    for begin in (start, first):
        tail = "\n".join(lines[begin:]).strip()
        if len(tail) <= room and begin > 0:
            return lines[:begin], tail
    return lines, ""


def _chunks(lines: list[str], room: int) -> list[str]:
    """Lines gathered into chunks of at most `room` characters."""
    chunks: list[str] = []
    current = ""
    for line in _lines("\n".join(lines), room):
        joined = f"{current}\n{line}" if current else line
        if len(joined) <= room:
            current = joined
            continue
        if current.strip():
            chunks.append(current.strip())
        current = line
    if current.strip():
        chunks.append(current.strip())
    return chunks


def _lines(text: str, room: int) -> list[str]:
    """The text's lines, each within `room` (long ones cut where they read well); an empty
    line between paragraphs."""
    found: list[str] = []
    for line in text.split("\n"):
        found.extend(split_text(line, room) if len(line) > room else [line])
    return found


class UssdRenderer(TextRenderer):
    """Text-only rendering without the line saying how to answer; one text, paged later."""

    def __init__(self, t: Translator, caps: Capabilities) -> None:
        super().__init__(t, replace(caps, max_text=100_000))  # paged, not cut

    def render_one(self, message: Out) -> list[str]:
        if isinstance(message, Ask):
            return self.say(_with_lines(message.text, marked(message.options)))
        if isinstance(message, QuizQuestion) and not message.multiple:
            options = message.options + message.extra
            return self.say(_with_lines(message.text, marked(options, letters=True)))
        if isinstance(message, QuizQuestion):
            return self.say(lettered(message))
        return super().render_one(message)


def _with_lines(text: str, lines: list[str]) -> str:
    return "\n".join(part for part in (text, "\n".join(lines)) if part)


KEPT_SYMBOLS = frozenset("°")  # symbols a basic phone shows (emoji, pictographs: not)
JOINERS = frozenset("\u200d\ufe0e\ufe0f")  # what joins or styles an emoji
_SPACES = re.compile(r"[ \t]{2,}")


def plain(text: str) -> str:
    """The text without emoji and pictographs, which basic phones' USSD screens show as
    boxes or refuse (GSM-7): "📚 Les cours" -> "Les cours"; letters, digits, punctuation and
    mathematical signs stay."""
    kept = "".join(
        c
        for c in text
        if c in KEPT_SYMBOLS
        or (c not in JOINERS and unicodedata.category(c) not in ("So", "Sk", "Cs", "Co"))
    )
    return "\n".join(_SPACES.sub(" ", line).strip() for line in kept.split("\n"))


def screens_of(messages: list[Out], t: Translator, caps: Capabilities) -> list[str]:
    """A reply's messages as USSD screens."""
    texts = UssdRenderer(t, caps).render(messages)
    return pages(plain("\n".join(texts)), t, caps.max_text)
