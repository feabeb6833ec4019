"""The review deck (review_cards): FSRS cards of the questions a learner missed.

Plain SQL through a Runner (bot/storage/sql.py), inside the learner's turn. The card's whole
FSRS state is kept as JSON; `due` is copied out of it so the deck can be queried by date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler

from bot.storage.sql import Runner, as_json, utc
from bot.storage.xapi import Journal
from dialogs.ports import RecordAnswer
from dialogs.review_ports import DueCard, Recall

# No fuzzing: the same answers give the same schedule (and tests are deterministic).
SCHEDULER = Scheduler(enable_fuzzing=False)
RATINGS = {Recall.AGAIN: Rating.Again, Recall.HARD: Rating.Hard, Recall.GOOD: Rating.Good}
_KEY = "user_id = :uid AND course_id = :c AND lesson_id = :l AND question_id = :q"


def recall_of(answer: RecordAnswer) -> Recall:
    """How a quiz answer rates: wrong Again, right at the second try Hard, else Good."""
    if not answer.correct:
        return Recall.AGAIN
    return Recall.HARD if answer.try_number > 1 else Recall.GOOD


async def schedule_answers(
    runner: Runner, user_id: int, answers: Sequence[RecordAnswer], now: datetime | None = None
) -> None:
    """Put missed questions in the deck; reschedule questions already in it."""
    at = now or datetime.now(UTC)
    for answer in answers:
        recall = recall_of(answer)
        key = (answer.course_id, answer.lesson_id, answer.question_id)
        if recall is Recall.GOOD and await _card(runner, user_id, key) is None:
            continue  # right at once: nothing to review
        await rate(runner, user_id, key, recall, at)


async def rate(
    runner: Runner, user_id: int, key: tuple[str, str, str], recall: Recall, now: datetime
) -> datetime:
    """Review a card (a new one if the question is not in the deck); returns its next due."""
    found = await _card(runner, user_id, key)
    card, _ = SCHEDULER.review_card(found or Card(due=now), RATINGS[recall], now)
    course, lesson, question = key
    params = {"uid": user_id, "c": course, "l": lesson, "q": question}
    state, due = card.to_dict(), utc(card.due)
    if found is None:
        await runner.run(
            "INSERT INTO review_cards (user_id, course_id, lesson_id, question_id, card, due)"
            " VALUES (:uid, :c, :l, :q, :card, :due)",
            **params,
            card=dict(state),
            due=due,
        )
    else:
        await runner.run(
            f"UPDATE review_cards SET card = :card, due = :due WHERE {_KEY}",
            **params,
            card=dict(state),
            due=due,
        )
    assert due is not None
    return due


async def _card(runner: Runner, user_id: int, key: tuple[str, str, str]) -> Card | None:
    """The FSRS card of a question in the deck, or None."""
    course, lesson, question = key
    rows = await runner.run(
        f"SELECT card FROM review_cards WHERE {_KEY}", uid=user_id, c=course, l=lesson, q=question
    )
    return Card.from_dict(as_json(rows[0][0])) if rows else None


class SqlReviewDesk:
    """One learner's review deck, inside their turn's transaction."""

    def __init__(self, runner: Runner, user_id: int, journal: Journal | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.journal = journal

    async def due_count(self, now: datetime) -> int:
        """How many questions are due at `now`."""
        rows = await self.runner.run(
            "SELECT COUNT(*) FROM review_cards WHERE user_id = :uid AND due <= :now",
            uid=self.user_id,
            now=now,
        )
        return int(rows[0][0])

    async def due(self, now: datetime, limit: int) -> list[DueCard]:
        """The questions due at `now`, the longest overdue first, at most `limit`."""
        rows = await self.runner.run(
            "SELECT course_id, lesson_id, question_id, due FROM review_cards"
            " WHERE user_id = :uid AND due <= :now"
            " ORDER BY due, course_id, lesson_id, question_id LIMIT :n",
            uid=self.user_id,
            now=now,
            n=limit,
        )
        return [DueCard(str(c), str(le), str(q), _at(due)) for c, le, q, due in rows]

    async def review(
        self, course_id: str, lesson_id: str, question_id: str, recall: Recall, now: datetime
    ) -> datetime:
        """Reschedule a question after an answer; returns when it is due next."""
        if self.journal is not None:
            await self.journal.reviewed(course_id, lesson_id, question_id, recall.value, now)
        return await rate(
            self.runner, self.user_id, (course_id, lesson_id, question_id), recall, now
        )

    async def forget(self, course_id: str, lesson_id: str, question_id: str) -> None:
        """Take a question out of the deck."""
        await self.runner.run(
            f"DELETE FROM review_cards WHERE {_KEY}",
            uid=self.user_id,
            c=course_id,
            l=lesson_id,
            q=question_id,
        )


def _at(value: object) -> datetime:
    """A stored time, as an aware UTC datetime."""
    when = utc(value)
    assert when is not None
    return when
