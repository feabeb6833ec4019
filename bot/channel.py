"""What a channel is to the running bot: one interface Telegram, WhatsApp and the web chat
implement, and that `BotApp` (bot/app.py) iterates over without naming any of them.

A channel is listed once in the registry (bot/channels.py: its name, capabilities, whether
the settings enable it, and how it is built from a `ChannelContext`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from aiohttp import web

if TYPE_CHECKING:
    from bot.attachments import Attachments
    from bot.config import Settings
    from bot.conversations import Conversations, Outcome
    from bot.i18n import I18n
    from bot.links import ClassLinks
    from bot.sender import Deliver
    from bot.storage.store import SqlStore
    from bot.supervise import Supervisor
    from dialogs.capabilities import Capabilities

Route = tuple[
    str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]
]  # method, path, handler


@dataclass
class ChannelContext:
    """What a channel is built from: the process's shared parts."""

    settings: Settings
    conversations: Conversations
    store: SqlStore
    i18n: I18n
    supervisor: Supervisor
    files: Attachments  # announcement files, fetched from the channel they were sent on
    links: ClassLinks
    primary: bool = True  # the first of `--workers N`: registers webhooks, polls


class Channel(Protocol):
    """One channel, as the running bot sees it."""

    name: str  # as stored with each person: its key in the registry
    capabilities: Capabilities  # what the dialogs may ask of it (dialogs/capabilities.py)
    pace: float  # the broadcast sender's messages per second on this channel

    def routes(self) -> list[Route]:
        """The HTTP routes it serves on the shared server (webhooks, a page's socket)."""
        ...

    async def start(self) -> None:
        """Connect (under the Supervisor: a failure is retried in the background)."""
        ...

    async def leaving(self) -> None:
        """The process is about to stop: tell the people connected (before anything stops)."""
        ...

    async def stop(self) -> None:
        """Let the work in hand finish, then close (after the HTTP server stopped)."""
        ...

    async def send(self, outcome: Outcome) -> None:
        """Render and send a reply."""
        ...

    def deliverer(self) -> Deliver:
        """How the broadcast sender delivers one outbox item (bot/sender.py)."""
        ...

    async def fetch(self, file_id: str, limit: int) -> tuple[bytes, str, str]:
        """A file a person sent on this channel: bytes, name, MIME type (`limit` bytes at
        most: bot/attachments.py's `TooLarge` past it, `Unavailable` when it cannot be had)."""
        ...
