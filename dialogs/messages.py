"""Outgoing messages: semantic, never platform widgets; each channel renders them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
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
    lines: bool = False  # the answer is a list, one item per line (a composer for several lines)
    # The answer is a secret (a PIN): a channel that can mask what is typed does so, and
    # never shows nor keeps it (the web chat's password field).
    secret: bool = False


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


@dataclass(frozen=True, eq=False)
class Later:
    """A document's bytes still to make (a certificate, a booklet, a chart).

    The bot makes them after the turn's commit, outside its transaction and lock, off the
    event loop (bot/rendering.py), before the reply is sent. `key` names the content: two
    equal keys give the same bytes (a cache may answer).
    """

    key: str
    make: Callable[[], Awaitable[bytes]] = field(repr=False)


class LaterLost(Exception):
    """Raised by a `Later` read back from a reply kept across a crash: the bytes were never
    made and what makes them stayed with the process that died (the person is told to ask
    again)."""


@dataclass(frozen=True)
class Document:
    """A file to send: an export, a booklet, a certificate, a chart."""

    filename: str
    content: bytes | Later
    mime: str = "application/octet-stream"
    caption: str = ""

    @property
    def data(self) -> bytes:
        """The bytes to send; channels get documents whose bytes are made (bot/rendering.py)."""
        if isinstance(self.content, Later):
            raise RuntimeError(f"{self.filename} is not made yet")
        return self.content


@dataclass(frozen=True)
class ClearScreen:
    """What was shown so far belongs to someone else now (another learner of a shared
    device, an erased one): a channel whose device keeps the conversation (the web page)
    clears it from the screen and from the device's storage; the others ignore it.

    `forget`: the device also forgets who used it (it opens as a new visitor's next time).
    """

    forget: bool = False


Out = Say | Ask | QuizQuestion | Show | Document | ClearScreen
