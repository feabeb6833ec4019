"""What the authoring flows need from storage: teachers' courses as course-format text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class AuthoredCourse:
    """A teacher's course: its text (our course format) and where it stands."""

    course_id: str
    source: str
    status: str  # draft, published
    visibility: str  # country, all
    published: str | None = None  # the text learners see (source is the draft), if published

    @property
    def draft_pending(self) -> bool:
        """Whether the teacher changed a published course since they published it."""
        return self.published is not None and self.published != self.source


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

    async def discard(self, course_id: str) -> bool:
        """Put a published course's draft back to its published text (False: none)."""
        ...

    async def taken(self, course_id: str) -> bool:
        """Whether a course id is used by any teacher's course."""
        ...

    async def add_media(self, course_id: str, name: str, data: bytes, mime: str) -> None:
        """Keep a file of one of the current teacher's courses under its path (images/p3.jpg)."""
        ...

    async def media_names(self, course_id: str) -> set[str]:
        """The paths of a course's files."""
        ...

    async def folder(self, course_id: str) -> Path:
        """The course's folder with its files written out: parse its text as folder/course.md."""
        ...

    def path_of(self, course_id: str) -> Path:
        """Where a course's text is parsed from (folder/course.md); no IO."""
        ...
