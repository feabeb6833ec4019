"""Ports of the spaced review: the learner's deck of questions to see again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Protocol


class Recall(Enum):
    """How well a question was answered, as the review scheduler rates it."""

    AGAIN = "again"  # wrong
    HARD = "hard"  # right at the second try, or partly right
    GOOD = "good"  # right at once


@dataclass(frozen=True)
class DueCard:
    """A question of the deck that is due."""

    course_id: str
    lesson_id: str
    question_id: str
    due: datetime


class ReviewDesk(Protocol):
    """One learner's review deck, inside their turn's transaction."""

    async def due_count(self, now: datetime) -> int:
        """How many questions are due at `now`."""
        ...

    async def due(self, now: datetime, limit: int) -> list[DueCard]:
        """The questions due at `now`, the longest overdue first, at most `limit`."""
        ...

    async def review(
        self, course_id: str, lesson_id: str, question_id: str, recall: Recall, now: datetime
    ) -> datetime:
        """Reschedule a question after an answer; returns when it is due next."""
        ...

    async def forget(self, course_id: str, lesson_id: str, question_id: str) -> None:
        """Take a question out of the deck (it no longer exists, or cannot be asked here)."""
        ...
