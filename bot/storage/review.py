"""The review deck (review_cards): FSRS cards of the questions a learner missed.

Core statements through a Runner (bot/storage/sql.py), inside the learner's turn. The card's whole
FSRS state is kept as JSON; `due` is copied out of it so the deck can be queried by date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from fsrs import Card, Rating, Scheduler
from sqlalchemy import Select, bindparam, delete, func, insert, select, update

from bot.storage.models import quiz_attempts, review_cards
from bot.storage.sql import Runner, as_json, utc
from bot.storage.xapi import Journal
from dialogs.ports import RecordAnswer
from dialogs.review_ports import DueCard, Recall

# No fuzzing: the same answers give the same schedule (and tests are deterministic).
SCHEDULER = Scheduler(enable_fuzzing=False)
RATINGS = {Recall.AGAIN: Rating.Again, Recall.HARD: Rating.Hard, Recall.GOOD: Rating.Good}
cards = review_cards  # as the statements name it
_KEY = (
    cards.c.user_id == bindparam("uid"),
    cards.c.course_id == bindparam("c"),
    cards.c.lesson_id == bindparam("l"),
    cards.c.question_id == bindparam("q"),
)
_CARD = select(cards.c.card).where(*_KEY)
_NEW = insert(cards).values(
    user_id=bindparam("uid"),
    course_id=bindparam("c"),
    lesson_id=bindparam("l"),
    question_id=bindparam("q"),
    card=bindparam("card"),
    due=bindparam("due"),
)
_RESCHEDULE = update(cards).where(*_KEY).values(card=bindparam("card"), due=bindparam("due"))
_FORGET = delete(cards).where(*_KEY)
_DUE_NOW = (cards.c.user_id == bindparam("uid"), cards.c.due <= bindparam("now"))
_DUE_COUNT = select(func.count()).select_from(cards).where(*_DUE_NOW)
_DUE = (
    select(cards.c.course_id, cards.c.lesson_id, cards.c.question_id, cards.c.due)
    .where(*_DUE_NOW)
    .order_by(cards.c.due, cards.c.course_id, cards.c.lesson_id, cards.c.question_id)
    .limit(bindparam("n"))
)


def recall_of(answer: RecordAnswer) -> Recall:
    """How a quiz answer rates: wrong Again, right at the second try Hard, else Good."""
    if not answer.correct:
        return Recall.AGAIN
    return Recall.HARD if answer.try_number > 1 else Recall.GOOD


Key = tuple[str, str, str]  # course, lesson, question
Attempts = dict[tuple[str, str], int]  # (course, lesson): the attempt an answer belongs to


@lru_cache(maxsize=32)
def _answers_reads(lessons: int, keys: int) -> Select[Any]:
    """One statement reading what a turn's answers need (a round trip each on PostgreSQL
    otherwise; bench/README.md, issue 21): the attempt number at each quiz (1 + those
    finished, as bot/storage/answers.py numbers them), then each question's card (NULL when
    it is not in the deck)."""
    attempts = [
        select(func.count() + 1)
        .where(
            quiz_attempts.c.user_id == bindparam("uid"),
            quiz_attempts.c.course_id == bindparam(f"ac{n}"),
            quiz_attempts.c.lesson_id == bindparam(f"al{n}"),
        )
        .scalar_subquery()
        for n in range(lessons)
    ]
    found = [
        select(cards.c.card)
        .where(
            cards.c.user_id == bindparam("uid"),
            cards.c.course_id == bindparam(f"c{n}"),
            cards.c.lesson_id == bindparam(f"l{n}"),
            cards.c.question_id == bindparam(f"q{n}"),
        )
        .scalar_subquery()
        for n in range(keys)
    ]
    return select(*attempts, *found)


async def answers_reads(
    runner: Runner, user_id: int, answers: Sequence[RecordAnswer]
) -> tuple[Attempts, dict[Key, Card | None]]:
    """What a turn's answers read before their writes, in one statement: the attempt at each
    quiz (for the learning records) and each question's card (for `schedule_answers`)."""
    lessons = list(dict.fromkeys((a.course_id, a.lesson_id) for a in answers))
    keys = list(dict.fromkeys((a.course_id, a.lesson_id, a.question_id) for a in answers))
    if not keys:
        return {}, {}
    params: dict[str, Any] = {"uid": user_id}
    for n, (course, lesson) in enumerate(lessons):
        params.update({f"ac{n}": course, f"al{n}": lesson})
    for n, (course, lesson, question) in enumerate(keys):
        params.update({f"c{n}": course, f"l{n}": lesson, f"q{n}": question})
    row = (await runner.run(_answers_reads(len(lessons), len(keys)), **params))[0]
    attempts = {lesson: int(number) for lesson, number in zip(lessons, row, strict=False)}
    found = row[len(lessons) :]
    return attempts, {
        key: None if card is None else Card.from_dict(as_json(card))
        for key, card in zip(keys, found, strict=True)
    }


async def schedule_answers(
    runner: Runner,
    user_id: int,
    answers: Sequence[RecordAnswer],
    now: datetime | None = None,
    *,
    cards: dict[Key, Card | None] | None = None,
) -> None:
    """Put missed questions in the deck; reschedule questions already in it. `cards`: the
    questions' cards read already (`answers_reads`), kept up to date here."""
    at = now or datetime.now(UTC)
    known = {} if cards is None else cards
    for answer in answers:
        recall = recall_of(answer)
        key = (answer.course_id, answer.lesson_id, answer.question_id)
        if key not in known:
            known[key] = await _card(runner, user_id, key)
        found = known[key]
        if recall is Recall.GOOD and found is None:
            continue  # right at once: nothing to review
        known[key] = await _rated(runner, user_id, key, recall, at, found)


async def rate(runner: Runner, user_id: int, key: Key, recall: Recall, now: datetime) -> datetime:
    """Review a card (a new one if the question is not in the deck); returns its next due."""
    card = await _rated(runner, user_id, key, recall, now, await _card(runner, user_id, key))
    due = utc(card.due)
    assert due is not None
    return due


async def _rated(
    runner: Runner, user_id: int, key: Key, recall: Recall, now: datetime, found: Card | None
) -> Card:
    """Review the card `found` (None: a new one) and write it; the card as it is now."""
    # A new Card without an id sleeps 1 ms (on the event loop, for every learner) to keep its
    # millisecond id unique; the deck is keyed by the question, so the id is never read.
    card, _ = SCHEDULER.review_card(found or Card(card_id=0, due=now), RATINGS[recall], now)
    course, lesson, question = key
    params = {"uid": user_id, "c": course, "l": lesson, "q": question}
    state, due = card.to_dict(), utc(card.due)
    if found is None:
        await runner.run(_NEW, **params, card=dict(state), due=due)
    else:
        await runner.run(_RESCHEDULE, **params, card=dict(state), due=due)
    return card


async def _card(runner: Runner, user_id: int, key: tuple[str, str, str]) -> Card | None:
    """The FSRS card of a question in the deck, or None."""
    course, lesson, question = key
    rows = await runner.run(_CARD, uid=user_id, c=course, l=lesson, q=question)
    return Card.from_dict(as_json(rows[0][0])) if rows else None


class SqlReviewDesk:
    """One learner's review deck, inside their turn's transaction."""

    def __init__(self, runner: Runner, user_id: int, journal: Journal | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.journal = journal

    async def due_count(self, now: datetime) -> int:
        """How many questions are due at `now`."""
        rows = await self.runner.run(_DUE_COUNT, uid=self.user_id, now=now)
        return int(rows[0][0])

    async def due(self, now: datetime, limit: int) -> list[DueCard]:
        """The questions due at `now`, the longest overdue first, at most `limit`."""
        rows = await self.runner.run(_DUE, uid=self.user_id, now=now, n=limit)
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
        await self.runner.run(_FORGET, uid=self.user_id, c=course_id, l=lesson_id, q=question_id)


def _at(value: object) -> datetime:
    """A stored time, as an aware UTC datetime."""
    when = utc(value)
    assert when is not None
    return when
