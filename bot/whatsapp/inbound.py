"""WhatsApp Cloud API webhook bodies as platform-neutral events (pure, no IO).

Meta's bodies are hostile input as far as shape goes: every part is checked and a part
that is not what we expect is skipped, never an exception (an error answer makes Meta
redeliver the same body for days).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from dialogs.events import Incoming, MediaReceived, OptionChosen, TextReceived, UserRef

JsonObject = dict[str, object]
EventMaker = Callable[[UserRef, str, JsonObject], Incoming | None]

CHANNEL = "whatsapp"
STALE_ID_CHARS = 32  # a stale or foreign id is kept short, as on Telegram
MAX_PROMPT_DIGITS = 18  # prompt numbers are small counters; this bounds int() on hostile ids
# Longer ids than any Meta writes (a number has at most 15 digits, a wamid about 60
# characters) are forged: skipped, since they fit no column (users.external_id: 128).
MAX_ID_CHARS = 128
LATEST_TIMESTAMP = 253402300799  # 9999-12-31T23:59:59Z, the last second datetime can hold

# Message types that are not something to answer: a reaction, a notice that the learner
# changed number or phone, the chat being opened, edits and deletions of earlier messages.
IGNORED_TYPES = frozenset({"reaction", "system", "request_welcome", "edit", "revoke"})

MEDIA_KINDS = {
    "image": "photo",
    "sticker": "sticker",
    "video": "video",
    "document": "document",
    "location": "location",
    "contacts": "contact",
}


@dataclass(frozen=True)
class InboundMessage:
    """A learner's message: the event for the dialogs and what the channel needs to answer."""

    event: Incoming
    wamid: str
    wa_id: str
    sent_at: datetime
    phone_number_id: str


@dataclass(frozen=True)
class StatusUpdate:
    """What happened to a message we sent (sent, delivered, read, failed...)."""

    wamid: str
    recipient: str
    status: str
    at: datetime
    error_code: int | None
    error_title: str


Parsed = InboundMessage | StatusUpdate


def parse_body(body: object) -> list[Parsed]:
    """Everything a webhook body carries that we act on; the rest is ignored, never an error."""
    found: list[Parsed] = []
    for entry in _objects(_object(body).get("entry")):
        for change in _objects(entry.get("changes")):
            if change.get("field") == "messages":
                found.extend(_parse_value(_object(change.get("value"))))
    return found


def _parse_value(value: JsonObject) -> list[Parsed]:
    """The messages and statuses of one change of the "messages" field."""
    found: list[Parsed] = []
    number = _string(_object(value.get("metadata")).get("phone_number_id"))
    if number:  # without it we cannot tell which of our numbers should answer
        found.extend(_messages(_objects(value.get("messages")), number))
    found.extend(s for s in map(_status, _objects(value.get("statuses"))) if s is not None)
    return found


def _messages(raws: list[JsonObject], number: str) -> list[InboundMessage]:
    """The learner messages among `raws`, in order."""
    return [m for m in (_message(raw, number) for raw in raws) if m is not None]


def _message(raw: JsonObject, number: str) -> InboundMessage | None:
    """One learner message, or None when it is malformed or nothing to answer."""
    wamid, wa_id = _string(raw.get("id")), _string(raw.get("from"))
    sent_at = parse_timestamp(raw.get("timestamp"))
    if not wamid or not wa_id or sent_at is None or max(len(wamid), len(wa_id)) > MAX_ID_CHARS:
        return None
    event = _event(UserRef(CHANNEL, wa_id), "wa:" + wamid, raw)
    if event is None:
        return None
    return InboundMessage(event, wamid, wa_id, sent_at, number)


def _event(user: UserRef, key: str, raw: JsonObject) -> Incoming | None:
    """The event a message of any type makes; types we cannot read are "other" media."""
    kind = _string(raw.get("type")) or ""
    if kind in IGNORED_TYPES:
        return None
    if kind in MEDIA_KINDS:
        media = _object(raw.get(kind))
        return MediaReceived(
            user,
            key,
            MEDIA_KINDS[kind],
            file_id=_string(media.get("id")) or "",
            filename=_string(media.get("filename")) or "",
            mime=_string(media.get("mime_type")) or "",
        )
    maker = EVENT_MAKERS.get(kind, _other)
    return maker(user, key, raw)


def _text(user: UserRef, key: str, raw: JsonObject) -> Incoming:
    """Typed text, passed through unchanged (commands such as "/start" included)."""
    body = _string(_object(raw.get("text")).get("body"))
    return _other(user, key, raw) if body is None else TextReceived(user, key, body)


def _interactive(user: UserRef, key: str, raw: JsonObject) -> Incoming:
    """A reply button or list row tapped; other interactive replies (flows...) are "other"."""
    interactive = _object(raw.get("interactive"))
    kind = _string(interactive.get("type"))
    if kind not in ("button_reply", "list_reply"):
        return _other(user, key, raw)
    data = _string(_object(interactive.get(kind)).get("id"))
    return _other(user, key, raw) if data is None else option_chosen(user, key, data)


def _button(user: UserRef, key: str, raw: JsonObject) -> Incoming:
    """A template's quick-reply button: our payload is an option, any other is its text."""
    button = _object(raw.get("button"))
    payload, text = _string(button.get("payload")), _string(button.get("text"))
    if payload is not None and (our_option(payload) is not None or text is None):
        return option_chosen(user, key, payload)
    return _other(user, key, raw) if text is None else TextReceived(user, key, text)


def _audio(user: UserRef, key: str, raw: JsonObject) -> Incoming:
    """A voice note (recorded in the chat) or another audio file."""
    audio = _object(raw.get("audio"))
    kind = "voice" if audio.get("voice") is True else "audio"
    file_id, mime = _string(audio.get("id")) or "", _string(audio.get("mime_type")) or ""
    return MediaReceived(user, key, kind, file_id=file_id, mime=mime)


def _other(user: UserRef, key: str, raw: JsonObject) -> Incoming:
    """Something the bot cannot read (unsupported, order, flow reply...): say so politely."""
    return MediaReceived(user, key, "other")


EVENT_MAKERS: dict[str, EventMaker] = {
    "text": _text,
    "interactive": _interactive,
    "button": _button,
    "audio": _audio,
}


def option_chosen(user: UserRef, key: str, data: str) -> OptionChosen:
    """ "12:next" -> the option "next" of prompt 12; anything else is a stale tap."""
    ours = our_option(data)
    if ours is None:
        return OptionChosen(user, key, -1, data[:STALE_ID_CHARS])
    return OptionChosen(user, key, *ours)


def our_option(data: str) -> tuple[int, str] | None:
    """(prompt, option id) from an id we made ("12:next"), None for any other id."""
    prompt, _, option = data.partition(":")
    digits = prompt.isascii() and prompt.isdigit() and len(prompt) <= MAX_PROMPT_DIGITS
    return (int(prompt), option) if digits and option else None


def _status(raw: JsonObject) -> StatusUpdate | None:
    """The status of a message we sent, or None when it is malformed."""
    wamid, status = _string(raw.get("id")), _string(raw.get("status"))
    at = parse_timestamp(raw.get("timestamp"))
    if not wamid or not status or at is None:
        return None
    error = next(iter(_objects(raw.get("errors"))), {})
    code = error.get("code")
    title = _string(error.get("title")) or _string(error.get("message")) or ""
    recipient = _string(raw.get("recipient_id")) or ""
    error_code = code if isinstance(code, int) and not isinstance(code, bool) else None
    return StatusUpdate(wamid, recipient, status, at, error_code, title)


def parse_timestamp(value: object) -> datetime | None:
    """Unix seconds (Meta sends a string of digits; an integer is accepted) in UTC, or None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 12:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return datetime.fromtimestamp(value, UTC) if 0 <= value <= LATEST_TIMESTAMP else None


def _object(value: object) -> JsonObject:
    """`value` if it is a JSON object, else an empty one."""
    return cast(JsonObject, value) if isinstance(value, dict) else {}


def _objects(value: object) -> list[JsonObject]:
    """The objects in a JSON array; other items, or a value that is no array, give nothing."""
    if not isinstance(value, list):
        return []
    return [cast(JsonObject, item) for item in value if isinstance(item, dict)]


def _string(value: object) -> str | None:
    """`value` if it is a string."""
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class RawMessage:
    """One learner message of a body as Meta sent it, for the dead letters."""

    wamid: str
    wa_id: str
    payload: JsonObject  # the change's value with this message and its sender's contact only


def raw_messages(body: object) -> list[RawMessage]:
    """Each message of a body on its own (a body may carry several senders' messages)."""
    found: list[RawMessage] = []
    for entry in _objects(_object(body).get("entry")):
        for change in _objects(entry.get("changes")):
            value = _object(change.get("value"))
            for raw in _objects(value.get("messages")):
                wamid, wa_id = _string(raw.get("id")) or "", _string(raw.get("from")) or ""
                contacts = [c for c in _objects(value.get("contacts")) if c.get("wa_id") == wa_id]
                payload: JsonObject = {
                    "metadata": value.get("metadata"),
                    "contacts": contacts,
                    "messages": [raw],
                }
                found.append(RawMessage(wamid[:MAX_ID_CHARS], wa_id[:MAX_ID_CHARS], payload))
    return found
