"""Ports of mastery: how likely a learner is to master each skill (content/mastery.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class SkillMastery:
    """A learner's estimate for one skill, as stored."""

    skill: str  # a `skill:` code of the courses
    p_known: float  # the chance it is known, 0..1: never shown as such to a learner
    answers: int  # answers that counted
    correct: int  # of which right
    updated_at: datetime


class MasteryDesk(Protocol):
    """One learner's mastery of skills, inside their turn's transaction."""

    async def observe(self, skills: tuple[str, ...], correct: bool, now: datetime) -> None:
        """Update the estimate of each skill after one graded answer testing them."""
        ...

    async def mine(self) -> list[SkillMastery]:
        """The learner's skills with an estimate, by code."""
        ...

    async def struggle(
        self, course_id: str, skills: tuple[str, ...], now: datetime
    ) -> tuple[str, ...]:
        """Count one wrong graded answer on each skill within a course; the skills now failed
        twice (content/placement.py FAILURES) are returned, and counted from zero again."""
        ...

    async def place_out(self, course_id: str, lesson_ids: tuple[str, ...], now: datetime) -> None:
        """Mark lessons as skipped after the course's placement quiz (neither done nor scored)."""
        ...

    async def placed_out(self, course_id: str) -> frozenset[str]:
        """The lessons of a course the learner skipped after its placement quiz."""
        ...
