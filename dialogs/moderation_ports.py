"""What moderation of teachers' circles needs from storage: screening a message before it is
relayed, reports, held messages, sanctions, and the audit log. It runs inside the turn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dialogs.admin_ports import Attachment
from dialogs.circle_ports import CirclePost, Posted

HELD_WHY = ("word", "link", "flood")  # why the filter held a message


@dataclass(frozen=True)
class Screened:
    """The filter's verdict on a message about to be posted."""

    verdict: str  # ok, held (see `why`), muted (until `until`), limited (rate limit)
    why: str = ""
    until: datetime | None = None


@dataclass(frozen=True)
class Pending:
    """A message waiting for a moderator: held by the filter, or reported by members."""

    post: CirclePost
    circle_id: int
    circle_name: str
    held: str  # why the filter held it ("" when it was relayed and then reported)
    reasons: tuple[str, ...]  # the reports' reasons ("" for a report without one)


@dataclass(frozen=True)
class LogEntry:
    """One line of the audit log."""

    at: datetime
    moderator: str
    action: str
    circle: str
    message_id: int | None
    member: str
    reason: str


class ModerationDesk(Protocol):
    """Storage for moderation, inside the person's turn."""

    async def screen(self, circle_id: int, text: str) -> Screened:
        """Whether the current person's message may go: sanction, rate limit, filter."""
        ...

    async def hold(
        self, circle_id: int, text: str, attachment: Attachment | None, reply_to: int | None
    ) -> int:
        """Keep a message without relaying it, for a moderator; its id."""
        ...

    async def report(self, message_id: int, reason: str) -> tuple[int, ...]:
        """Report a message of a circle; the moderators to tell."""
        ...

    async def pending(self) -> list[Pending]:
        """Held and reported messages, oldest first."""
        ...

    async def remove(self, message_id: int, reason: str) -> int:
        """Remove a message (never relayed again); how many relayed copies will be withdrawn."""
        ...

    async def release(self, message_id: int, relay: dict[str, str]) -> Posted | None:
        """Relay a held message now (None when it is no longer held)."""
        ...

    async def dismiss(self, message_id: int, reason: str) -> None:
        """Close the reports of a message without acting on it."""
        ...

    async def warn(self, message_id: int, reason: str) -> None:
        """Record a warning to the author of a message (the flow sends the notice)."""
        ...

    async def mute(self, message_id: int, until: datetime, reason: str) -> None:
        """Refuse the author's posts in the message's circle until then."""
        ...

    async def exclude(self, message_id: int, reason: str) -> None:
        """Take the author of a message out of its circle (and refuse their posts there)."""
        ...

    async def journal(self, limit: int) -> list[LogEntry]:
        """The last entries of the audit log, newest first."""
        ...
