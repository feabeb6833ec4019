"""The text-only rendering every channel starts from: a reply as plain texts.

- Options are numbered lines ("1. Français"; lettered for a quiz and where a label reads as
  a number: `dialogs.options.marks`), with a line saying how to answer; the dialogs read the
  typed mark or the option's words (`dialogs.options.typed_choice`). A text-only channel
  has no buttons, so `dialogs.options.shows_marks` says the marks are shown: what is read is
  what was shown.
- Media are their caption and a link to the file (the web server's, when it is public).
- Documents are their caption and a link, when the channel keeps files to link to.
- Long texts are split at paragraphs, then sentences, within the channel's `max_text`.

A channel with widgets of its own (Telegram, WhatsApp, the web chat) renders natively what it
can and falls back to these functions for the rest (bot/whatsapp/render.py's more than ten
options, the lettered lines of a question with several answers where nothing can be ticked).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.outgoing import merge_texts
from bot.words import shown_commands
from content.text import split_text
from dialogs.capabilities import TEXT_ONLY, Capabilities
from dialogs.context import Translator
from dialogs.messages import Ask, ClearScreen, Document, Option, Out, QuizQuestion, Say, Show
from dialogs.options import marked


def chunks(text: str, limit: int) -> list[str]:
    """Text in messages of at most `limit` characters, cut where it reads well."""
    return split_text(text, limit) or ["…"]


def how_to_answer(lines: list[str], t: Translator) -> str:
    """The line under marked options: answer with the letter, or with the number."""
    if lines and lines[0].startswith("a)"):
        return t.gettext("Répondez avec la lettre de votre choix.")
    return t.gettext("Répondez avec le numéro de votre choix.")


def options_text(
    text: str, options: tuple[Option, ...], t: Translator, letters: bool = False
) -> str:
    """A question and its options as marked lines, then how to answer."""
    if not options:
        return text
    lines = marked(options, letters)
    return "\n\n".join(part for part in (text, "\n".join(lines), how_to_answer(lines, t)) if part)


def lettered(question: QuizQuestion) -> str:
    """A question with several right answers: its lettered options and the hint (type the
    letters: "a c")."""
    lines = "\n".join(marked(question.options, letters=True))
    return "\n\n".join(part for part in (question.text, lines, question.hint) if part)


class TextRenderer:
    """A reply as the plain texts a text-only channel sends, in order."""

    def __init__(
        self,
        t: Translator,
        caps: Capabilities = TEXT_ONLY,
        public_url: str = "",
        document_links: Mapping[str, str] | None = None,
    ) -> None:
        self.t = t
        self.caps = caps
        self.public_url = public_url
        # A document's link by its file name, where the channel keeps the files it sends.
        self.document_links = document_links or {}

    def render(self, messages: list[Out]) -> list[str]:
        """Every message of a reply; a text followed by a question goes as one."""
        texts: list[str] = []
        for message in merge_texts(messages, self.caps.max_text):
            texts.extend(self.render_one(message))
        if self.caps.slashless_commands:  # "PROGRES", as the person types it
            return [shown_commands(text) for text in texts]
        return texts

    def render_one(self, message: Out) -> list[str]:
        """One message as one text or more (none for what a phone's chat ignores)."""
        if isinstance(message, Say):
            return self.say(message.text)
        if isinstance(message, Ask):
            return self.say(options_text(message.text, message.options, self.t))
        if isinstance(message, QuizQuestion):
            return self.question(message)
        if isinstance(message, Show):
            return self.media(message)
        if isinstance(message, Document):
            return self.document(message)
        if isinstance(message, ClearScreen):  # the person's own phone: nothing to clear
            return []
        raise TypeError(f"no text for {type(message).__name__}")

    def say(self, text: str) -> list[str]:
        """Plain text within the channel's length."""
        return chunks(text, self.caps.max_text)

    def question(self, message: QuizQuestion) -> list[str]:
        """One answer: lettered options (and the extra ones, lettered after them); several:
        the lettered options and the hint, then the extra options as numbered lines."""
        if not message.multiple:
            options = message.options + message.extra
            return self.say(options_text(message.text, options, self.t, letters=True))
        body = lettered(message)
        if message.extra:
            body = "\n\n".join((body, "\n".join(marked(message.extra))))
        return self.say(body)

    def media(self, show: Show) -> list[str]:
        """The caption, and the file's address where the server is public."""
        link = self.public_url + show.url_path if self.public_url and show.url_path else ""
        text = "\n".join(part for part in (show.caption, link) if part)
        return self.say(text) if text else []

    def document(self, doc: Document) -> list[str]:
        """The caption and the document's link (or its name, where no link is kept)."""
        link = self.document_links.get(doc.filename) or f"📎 {doc.filename}"
        return self.say("\n".join(part for part in (doc.caption, link) if part))
