"""What the authoring flows need from storage: teachers' courses as course-format text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class AuthoredCourse:
    """A teacher's course: its text (our course format) and where it stands."""

    course_id: str
    source: str
    status: str  # draft, published
    visibility: str  # country, all


class AuthoringDesk(Protocol):
    """Storage for the current teacher's courses, inside their turn."""

    async def create(self, course_id: str, source: str, country: str) -> None:
        """A new draft."""
        ...

    async def mine(self) -> list[AuthoredCourse]:
        """The current teacher's courses, newest first."""
        ...

    async def get(self, course_id: str) -> AuthoredCourse | None:
        """One of the current teacher's courses."""
        ...

    async def save(self, course_id: str, source: str) -> None:
        """A new text for one of the current teacher's courses."""
        ...

    async def publish(self, course_id: str, visibility: str) -> None:
        """Make a course visible to learners (of the teacher's country, or of all)."""
        ...

    async def taken(self, course_id: str) -> bool:
        """Whether a course id is used by any teacher's course."""
        ...
