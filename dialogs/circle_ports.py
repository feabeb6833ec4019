"""What the circles' flows need from storage: circles, members, messages, digests, and
"find a colleague" requests. Like the other desks, it runs inside the person's own turn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dialogs.admin_ports import Attachment
from dialogs.roles import Grant

DIGESTS = ("every", "daily", "mute")  # every message, one digest a day, nothing


@dataclass(frozen=True)
class CircleInfo:
    """A circle as listed: its members, and how the current person follows it (or not)."""

    id: int
    name: str
    subject: str
    level_group: str
    members: int = 0
    digest: str | None = None  # None: not a member


@dataclass(frozen=True)
class Colleague:
    """A teacher as colleagues see them: name (None if unknown), country, school."""

    user_id: int
    name: str | None
    country: str
    school: str


@dataclass(frozen=True)
class CirclePost:
    """A message of a circle, with who wrote it and the start of the one it answers."""

    id: int
    author: Colleague
    text: str
    created_at: datetime
    has_file: bool = False
    quoted: str = ""  # the start of the message answered ("" when not a reply)
    removed: bool = False  # removed by a moderator: shown as such, never quoted


@dataclass(frozen=True)
class Posted:
    """What became of a posted message: relayed now (every channel that writes first, the web
    chat's inbox included), held (no channel holds any today: 0), waiting for the digest."""

    id: int
    relayed: int
    held: int
    digest: tuple[int, ...]  # members who get it in tonight's digest


@dataclass(frozen=True)
class ColleagueAsk:
    """A request for a colleague, proposed to the current person."""

    id: int
    asker: Colleague
    subject: str
    level: str


class CircleDesk(Protocol):
    """Storage for circles and colleagues, inside the person's turn."""

    async def circles(self) -> list[CircleInfo]:
        """Every circle the current person may see: open circles and their own exchanges."""
        ...

    async def create_circle(self, name: str, subject: str, level_group: str) -> int:
        """A new circle; its id."""
        ...

    async def set_digest(self, circle_id: int, digest: str | None) -> None:
        """Join (or change how one follows) a circle; None: leave it."""
        ...

    async def recent(self, circle_id: int, limit: int) -> list[CirclePost]:
        """The last messages of a circle, oldest first."""
        ...

    async def me(self) -> Colleague:
        """The current person as colleagues see them."""
        ...

    async def post(
        self,
        circle_id: int,
        text: str,
        relay: dict[str, str],
        attachment: Attachment | None = None,
        reply_to: int | None = None,
    ) -> Posted:
        """Keep a message and relay `relay` (language -> text) to the members who want it."""
        ...

    async def digest_posts(self, circle_id: int) -> list[CirclePost]:
        """The messages of the coming digest of a circle."""
        ...

    async def schedule_digest(
        self, circle_id: int, user_ids: tuple[int, ...], texts: dict[str, str]
    ) -> None:
        """Write (or rewrite) the circle's coming digest and add these people to it."""
        ...

    async def notice(self, user_ids: tuple[int, ...], texts: dict[str, str]) -> None:
        """A personal notice to these people on their channel (web: their next visit)."""
        ...

    async def ask_colleague(self, asker_id: int, subject: str, level: str) -> Colleague | None:
        """Propose a request to the next matching teacher of another country (None: nobody)."""
        ...

    async def asks(self) -> list[ColleagueAsk]:
        """The requests proposed to the current person, waiting for their answer."""
        ...

    async def answer(self, ask_id: int, accept: bool) -> tuple[ColleagueAsk, int | None] | None:
        """Accept (a one-to-one circle is made: its id) or decline a request proposed to me."""
        ...


class GroupDesk(Protocol):
    """A Telegram group (or forum topic) linked to a circle, inside the group's own turn."""

    async def person_grants(self, external_id: str) -> list[Grant]:
        """The roles of a Telegram user, read from their private chat's row."""
        ...

    async def find_circle(self, handle: str) -> CircleInfo | None:
        """An open circle by its number or its name (any case)."""
        ...

    async def linked(self) -> CircleInfo | None:
        """The circle this group is linked to, if any."""
        ...

    async def link(self, circle_id: int) -> None:
        """Make the group a member of the circle (and of no other one)."""
        ...

    async def unlink(self) -> CircleInfo | None:
        """Take the group out of its circle; the circle it was in."""
        ...
