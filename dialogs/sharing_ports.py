"""What the shared library of teachers needs from storage: who may see which published
course, how much each is used and liked, and teachers' ratings and comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# Who a published teacher's course is for (authored_courses.visibility).
CLASSES = "classes"  # only the students of the author's classes
COUNTRY = "country"  # the learners (and teachers) of the author's country
EVERYWHERE = "all"  # every learner and teacher


@dataclass(frozen=True)
class ShelfEntry:
    """A published course as the shared library lists it."""

    course_id: str
    country: str  # the author's country ("" when unknown)
    visibility: str
    mine: bool  # written by the current teacher
    uses: int  # classes it was given to
    stars: float  # average rating, 0 when nobody rated it
    ratings: int


@dataclass(frozen=True)
class Review:
    """A teacher's rating of a course and their comment."""

    stars: int
    comment: str
    name: str
    country: str
    rated_at: datetime


class Shelf(Protocol):
    """Storage of the shared library, inside the current person's turn."""

    async def allowed(self) -> frozenset[str]:
        """The class-only courses this person may be offered (theirs or their teachers')."""
        ...

    async def entries(self, country: str | None) -> list[ShelfEntry]:
        """The published courses a teacher of `country` may browse (and their own)."""
        ...

    async def source(self, course_id: str, country: str | None) -> str | None:
        """The text of a course the teacher may browse, to copy it."""
        ...

    async def reviews(self, course_id: str) -> list[Review]:
        """The ratings and comments of a course, newest first."""
        ...

    async def rate(self, course_id: str, stars: int, comment: str, name: str, country: str) -> None:
        """The current teacher's rating of a course (it replaces their earlier one)."""
        ...

    async def signature(self) -> str | None:
        """The name the current teacher signs their courses with, if they gave it."""
        ...
