"""Outgoing messages: semantic, never platform widgets; each channel renders them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Option:
    """A tappable option: a short stable id (<= 16 ASCII chars) and a label for people."""

    id: str
    label: str


@dataclass(frozen=True)
class Say:
    """Plain text; channels split it at paragraph or sentence boundaries when too long."""

    text: str


@dataclass(frozen=True)
class Ask:
    """Text with options; `prompt` numbers the question so stale taps can be recognised."""

    text: str
    options: tuple[Option, ...]
    prompt: int
    columns: int = 1  # how many buttons per row read well


@dataclass(frozen=True)
class QuizQuestion:
    """A choice question; channels may render it natively (a Telegram quiz poll)."""

    text: str
    options: tuple[Option, ...]
    prompt: int
    multiple: bool = False
    correct_ids: tuple[str, ...] = ()  # only for native quiz rendering; grading stays ours
    extra: tuple[Option, ...] = ()  # navigation buttons shown beside the choices ("menu")
    submit: str = ""  # label of the button that sends several ticked options
    hint: str = ""  # how to answer by typing, for channels that render the choices as text


@dataclass(frozen=True)
class Show:
    """A media file (image or audio) with an optional caption."""

    kind: str  # "image" | "audio"
    path: Path
    caption: str = ""
    url_path: str = ""  # where the web server serves it, e.g. /media/fractions/pizza.png


@dataclass(frozen=True)
class Document:
    """A file to send: an export, later a booklet."""

    filename: str
    content: bytes
    mime: str = "application/octet-stream"
    caption: str = ""


Out = Say | Ask | QuizQuestion | Show | Document
