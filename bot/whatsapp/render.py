"""Semantic messages as WhatsApp Cloud API messages, within WhatsApp's limits.

Up to 3 options become reply buttons, up to 10 a list, more than that text where each option
follows its mark, a number or a letter (`dialogs.options.marks`: letters for quiz questions
and where a label is a number), and the typed mark (or the option's text) is understood by
the dialogs. A label cut to fit a button or a row keeps its full text in the body, after the
same mark, and the buttons carry the marks too, so nothing is lost. Whether options are
shown marked is `dialogs.options.shows_marks` with WhatsApp's capabilities (bot/channels.py),
the same decision the dialogs keep with the prompt to know whether a typed mark is an
answer. Long texts are split at
paragraph or sentence boundaries. Pure functions: the channel uploads and sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.channels import WHATSAPP
from bot.outgoing import merge_texts
from bot.text_render import chunks, lettered, options_text
from dialogs.context import Translator
from dialogs.messages import Ask, ClearScreen, Document, Option, Out, QuizQuestion, Say, Show
from dialogs.options import cut, marked, shows_marks

TEXT_LIMIT = 4096
BODY_LIMIT = 1024  # body of an interactive message, and media captions
BUTTONS_MAX = 3
BUTTON_TITLE = 20
ROWS_MAX = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
LIST_BUTTON = 20

Payload = dict[str, Any]


@dataclass(frozen=True)
class Outgoing:
    """One WhatsApp message: its payload (without `to`) and a file to upload, if any."""

    payload: Payload
    upload_path: Path | None = None  # a course file: uploaded once, then sent by media id
    upload_bytes: bytes | None = None  # generated content (a booklet, an export)
    filename: str = ""
    mime: str = ""

    @property
    def kind(self) -> str:
        """The WhatsApp message type: text, interactive, image, audio, document, template."""
        return str(self.payload["type"])

    @property
    def needs_upload(self) -> bool:
        """Whether a file must be uploaded (or found in the media cache) before sending."""
        kind = self.kind
        target = self.payload.get(kind)
        if kind not in MEDIA_TYPES.values() or not isinstance(target, dict):
            return False
        return "link" not in target and "id" not in target


def render(messages: list[Out], t: Translator, public_url: str = "") -> list[Outgoing]:
    """Every message of a reply, in order."""
    rendered: list[Outgoing] = []
    for message in _merge(messages):
        rendered.extend(render_one(message, t, public_url))
    return rendered


def _merge(messages: list[Out]) -> list[Out]:
    """A text followed by a question goes as one message (the shared rule of the channels)."""
    return merge_texts(messages, BODY_LIMIT)


def render_one(message: Out, t: Translator, public_url: str = "") -> list[Outgoing]:
    """One semantic message as one or more WhatsApp messages."""
    if isinstance(message, Say):
        return texts(message.text)
    if isinstance(message, Ask):
        marks = shows_marks(WHATSAPP, message)
        return choices(message.text, message.options, message.prompt, t, shown=marks)
    if isinstance(message, QuizQuestion):
        return question(message, t)
    if isinstance(message, Show):
        return media(message, public_url)
    if isinstance(message, ClearScreen):  # a phone's chat is the person's own: nothing to clear
        return []
    return [document(message)]


def texts(text: str, limit: int = TEXT_LIMIT) -> list[Outgoing]:
    """Plain text, split within WhatsApp's 4,096 characters (bot/text_render.py)."""
    return [_text(chunk) for chunk in chunks(text, limit)]


def _text(body: str) -> Outgoing:
    """One text message (links are not previewed: previews cost data)."""
    return Outgoing({"type": "text", "text": {"body": body, "preview_url": False}})


def choices(
    text: str,
    options: tuple[Option, ...],
    prompt: int,
    t: Translator,
    letters: bool = False,
    shown: bool = False,
) -> list[Outgoing]:
    """A question with options: buttons, a list, or marked text (`letters`: a quiz's).

    `shown`: the options are shown marked (`dialogs.options.shows_marks`): a label cut to fit
    is whole in the body after its mark, and the buttons carry the marks too.
    """
    if not options:
        return texts(text)
    if len(options) > ROWS_MAX:
        return numbered(text, options, t, letters)
    full = "\n".join(marked(options, letters)) if shown else ""
    body = f"{text}\n\n{full}" if full else text
    parts = chunks(body, BODY_LIMIT)
    before = [_text(part) for part in parts[:-1]]
    if len(options) <= BUTTONS_MAX:
        return [*before, _buttons(parts[-1], options, prompt, letters, shown)]
    return [*before, _list(parts[-1], options, prompt, t, letters, shown)]


def _buttons(
    body: str, options: tuple[Option, ...], prompt: int, letters: bool, shown: bool
) -> Outgoing:
    """Up to three reply buttons; the reply's id is "<prompt>:<option id>"."""
    buttons = [
        {"type": "reply", "reply": {"id": f"{prompt}:{o.id}", "title": title}}
        for o, title in zip(options, titles(options, BUTTON_TITLE, letters, shown), strict=True)
    ]
    interactive = {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}
    return Outgoing({"type": "interactive", "interactive": interactive})


def _list(
    body: str, options: tuple[Option, ...], prompt: int, t: Translator, letters: bool, shown: bool
) -> Outgoing:
    """Up to ten rows behind one button; a long label continues in the row's description."""
    rows = []
    for option, title in zip(options, titles(options, ROW_TITLE, letters, shown), strict=True):
        row = {"id": f"{prompt}:{option.id}", "title": title}
        if len(option.label) > ROW_TITLE:
            row["description"] = cut(option.label, ROW_DESCRIPTION)
        rows.append(row)
    # Translators: the button that opens a WhatsApp list of choices (at most 20 characters).
    button = cut(t.gettext("Choisir"), LIST_BUTTON)
    action = {"button": button, "sections": [{"rows": rows}]}
    interactive = {"type": "list", "body": {"text": body}, "action": action}
    return Outgoing({"type": "interactive", "interactive": interactive})


def titles(
    options: tuple[Option, ...], limit: int, letters: bool = False, shown: bool = False
) -> list[str]:
    """Labels cut to fit; marked as in the body where options are `shown` marked, and when
    cutting made two of them the same (WhatsApp refuses buttons sharing a title)."""
    cuts = [cut(o.label, limit) for o in options]
    if not shown and len(set(cuts)) == len(cuts):
        return cuts
    return [cut(line, limit) for line in marked(options, letters)]


def numbered(
    text: str, options: tuple[Option, ...], t: Translator, letters: bool = False
) -> list[Outgoing]:
    """More options than a list holds: the text-only rendering (bot/text_render.py)."""
    return texts(options_text(text, options, t, letters))


def question(message: QuizQuestion, t: Translator) -> list[Outgoing]:
    """A single choice as options; several right answers as lettered text to type."""
    if not message.multiple:
        options = message.options + message.extra
        shown = shows_marks(WHATSAPP, message)
        return choices(message.text, options, message.prompt, t, letters=True, shown=shown)
    body = lettered(message)  # nothing can be ticked: the text-only rendering
    if not message.extra:
        return texts(body)
    return choices(body, message.extra, message.prompt, t)


MEDIA_TYPES = {"image": "image", "audio": "audio", "document": "document", "video": "video"}


def media(show: Show, public_url: str = "") -> list[Outgoing]:
    """A course file by link (when the web server is public) or by uploaded media id.

    WhatsApp audio has no caption: the caption goes as a text before it.
    """
    kind = MEDIA_TYPES.get(show.kind, "document")
    target: dict[str, Any] = {}
    if public_url and show.url_path:
        target["link"] = public_url + show.url_path
    caption = show.caption
    before: list[Outgoing] = []
    if caption and (kind == "audio" or len(caption) > BODY_LIMIT):
        before, caption = texts(caption), ""
    if caption:
        target["caption"] = caption
    if kind == "document":
        target["filename"] = show.path.name
    out = Outgoing(
        {"type": kind, kind: target}, upload_path=None if target.get("link") else show.path
    )
    return [*before, out]


def document(doc: Document) -> Outgoing:
    """Generated bytes (a booklet, an export) as a document, uploaded before sending."""
    target: dict[str, Any] = {"filename": doc.filename}
    if doc.caption:
        target["caption"] = cut(doc.caption, BODY_LIMIT)
    return Outgoing(
        {"type": "document", "document": target},
        upload_bytes=doc.data,
        filename=doc.filename,
        mime=doc.mime,
    )


def template(name: str, language: str, params: list[str]) -> Outgoing:
    """An approved template message (the only kind allowed outside the 24-hour window)."""
    body: Payload = {"name": name, "language": {"code": language}}
    if params:
        parameters = [{"type": "text", "text": p} for p in params]
        body["components"] = [{"type": "body", "parameters": parameters}]
    return Outgoing({"type": "template", "template": body})


def visible_text(outgoing: Outgoing) -> str:
    """What a person reads in a message, for templates' parameters and for logs in tests."""
    payload = outgoing.payload
    kind = outgoing.kind
    if kind == "text":
        return str(payload["text"]["body"])
    if kind == "interactive":
        return str(payload["interactive"]["body"]["text"])
    return str(payload.get(kind, {}).get("caption", ""))
