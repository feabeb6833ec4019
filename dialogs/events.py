"""Incoming events: what a learner did, whatever the platform."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UserRef:
    """A person on one channel: its name in the registry and the channel's id of them."""

    channel: str
    external_id: str


@dataclass(frozen=True)
class Incoming:
    """Base of every event; `message_id` is the platform's id, the idempotency key."""

    user: UserRef
    message_id: str


@dataclass(frozen=True)
class TextReceived(Incoming):
    """The learner typed text (commands too: "/start")."""

    text: str
    cut_from: int = 0  # the length of the text before the engine cut it (0: not cut)


@dataclass(frozen=True)
class OptionChosen(Incoming):
    """The learner tapped an option of the prompt numbered `prompt`."""

    prompt: int
    option_id: str


@dataclass(frozen=True)
class OptionsChosen(Incoming):
    """The learner picked several options at once (multiple-choice poll or checkboxes)."""

    prompt: int
    option_ids: tuple[str, ...]


@dataclass(frozen=True)
class MediaReceived(Incoming):
    """The learner sent a photo, sticker, voice note, document... (`kind` names it)."""

    kind: str
    file_id: str = ""  # the platform's id of the file (photos and documents), to reuse it
    filename: str = ""
    mime: str = ""
    size: int = 0  # bytes, when the platform says (0: unknown)
    # The file itself, fetched by the adapter before the turn when the dialog takes files
    # (a course file, or a lesson step being written): never network IO inside a turn.
    content: bytes | None = None


@dataclass(frozen=True)
class Resumed(Incoming):
    """The learner came back (web chat reopened): show where they are, change nothing."""


@dataclass(frozen=True)
class Entered(Incoming):
    """Internal: a step was entered and should show its prompt."""


@dataclass(frozen=True)
class GroupPosted(Incoming):
    """A message in a Telegram group (or forum topic): `user` is the group, not a person."""

    sender_id: str  # the Telegram user who wrote it
    sender_name: str
    text: str = ""  # the text, or a media's caption
    kind: str = "text"  # "text", or the media kind ("photo", "document"...)
    file_id: str = ""
    filename: str = ""
    mime: str = ""
