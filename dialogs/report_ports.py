"""What class reports read about quiz answers (bot/storage/answers.py fills them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class QuestionStat:
    """How a group of learners did on one question, on their first try at it."""

    lesson_id: str
    question_id: str
    answered: int  # learners who answered it
    wrong: int  # of them, how many without full marks
    top_wrong: str | None  # the most common answer without full marks
    top_wrong_count: int

    @property
    def wrong_share(self) -> float:
        """The share of answers without full marks, 0..1."""
        return self.wrong / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class GivenAnswer:
    """One graded answer of one learner."""

    lesson_id: str
    question_id: str
    attempt: int  # which attempt at the lesson's quiz, from 1
    try_number: int  # 1, or 2 for the retry after a wrong first try
    answer: str
    correct: bool  # full marks
    score: float  # 0..1, before the retry's halving
    answered_at: datetime
