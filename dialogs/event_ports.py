"""What circle events and course discussion threads need from storage. Like the other desks,
they run inside the person's own turn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dialogs.circle_ports import CirclePost


@dataclass(frozen=True)
class CircleEvent:
    """A webinar or meeting of a circle: its moment in UTC, and who said they will come."""

    id: int
    circle_id: int
    title: str
    link: str
    starts_at: datetime
    coming: int = 0  # how many said they will come
    mine: bool = False  # whether the current person said they will come


class EventDesk(Protocol):
    """Storage for the events of circles, inside the person's turn."""

    async def announce(self, circle_id: int, title: str, link: str, starts_at: datetime) -> int:
        """A new event of a circle; its id."""
        ...

    async def set_reminder(self, event_id: int, broadcast_id: int) -> None:
        """Remember the scheduled notice that reminds those who will come."""
        ...

    async def upcoming(self, circle_id: int) -> list[CircleEvent]:
        """The events of a circle not started yet, soonest first."""
        ...

    async def come(self, event_id: int, coming: bool) -> None:
        """The current person will come (True) or no longer comes (False)."""
        ...

    async def members(self, circle_id: int) -> list[tuple[int, str]]:
        """The other members of a circle, with their country: (user id, country)."""
        ...


class ThreadDesk(Protocol):
    """Storage for the discussion threads of shared courses, inside the person's turn."""

    async def circle_of(self, subject: str, level_group: str) -> int | None:
        """The open circle of a subject and level group, if there is one."""
        ...

    async def thread(self, circle_id: int, course_id: str, limit: int) -> list[CirclePost]:
        """The last messages of a course's thread, oldest first."""
        ...

    async def tag(self, message_id: int, course_id: str) -> None:
        """File a circle message in a course's thread."""
        ...
