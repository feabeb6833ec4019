"""Graded answers to quiz questions (RecordAnswer), and what class reports read of them.

Core statements through a Runner (bot/storage/sql.py): the same statements on SQLite and
PostgreSQL, inside the learner's turn for the writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, bindparam, func, insert, select

from bot.storage.models import question_answers, quiz_attempts
from bot.storage.sql import Runner, utc
from dialogs.ports import RecordAnswer
from dialogs.report_ports import GivenAnswer, QuestionStat

MAX_ANSWER = 500  # characters, as the column holds them

# The attempt an answer belongs to: 1 + the attempts at this quiz finished before it. The
# quiz_attempts row only exists once a quiz is finished (never for one left half-way), so
# answers are numbered, not linked by row id; they must be written before the turn's RecordQuiz.
# The subquery has its own parameters: PostgreSQL types a value inserted into a VARCHAR column
# and the same value compared with one differently (varchar, text) and refuses one for both.
answers = question_answers  # as the statements name it


@lru_cache(maxsize=16)
def _keep(count: int) -> Insert:
    """The INSERT of `count` answers (a turn gives a few), built once per count."""
    return insert(answers).values(
        [
            {
                "user_id": bindparam("uid"),
                "course_id": bindparam(f"c{n}"),
                "lesson_id": bindparam(f"l{n}"),
                "question_id": bindparam(f"q{n}"),
                "attempt": select(func.count() + 1)
                .where(
                    quiz_attempts.c.user_id == bindparam("uid"),
                    quiz_attempts.c.course_id == bindparam(f"wc{n}"),
                    quiz_attempts.c.lesson_id == bindparam(f"wl{n}"),
                )
                .scalar_subquery(),
                "answer": bindparam(f"a{n}"),
                "correct": bindparam(f"ok{n}"),
                "score": bindparam(f"s{n}"),
                "try_number": bindparam(f"t{n}"),
                "answered_at": bindparam("at"),
            }
            for n in range(count)
        ]
    )


_OF_COURSE = (
    select(
        answers.c.lesson_id,
        answers.c.question_id,
        answers.c.attempt,
        answers.c.try_number,
        answers.c.answer,
        answers.c.correct,
        answers.c.score,
        answers.c.answered_at,
    )
    .where(answers.c.user_id == bindparam("uid"), answers.c.course_id == bindparam("course"))
    .order_by(answers.c.id)
)
_FIRST_ANSWERS = (
    select(answers.c.lesson_id, answers.c.question_id, answers.c.answer, answers.c.correct)
    .where(
        answers.c.id.in_(
            select(func.min(answers.c.id))
            .where(
                answers.c.course_id == bindparam("course"),
                answers.c.try_number == 1,
                answers.c.user_id.in_(bindparam("ids", expanding=True)),
            )
            .group_by(answers.c.user_id, answers.c.lesson_id, answers.c.question_id)
        )
    )
    .order_by(answers.c.id)
)


async def keep_answers(
    runner: Runner, user_id: int, answers: Sequence[RecordAnswer], now: datetime | None = None
) -> None:
    """Store a turn's graded answers, in one statement."""
    if not answers:
        return
    params: dict[str, Any] = {"uid": user_id, "at": now or datetime.now(UTC)}
    for n, answer in enumerate(answers):
        params.update(
            {
                f"c{n}": answer.course_id,
                f"l{n}": answer.lesson_id,
                f"wc{n}": answer.course_id,
                f"wl{n}": answer.lesson_id,
                f"q{n}": answer.question_id,
                f"a{n}": answer.answer[:MAX_ANSWER],
                f"ok{n}": answer.correct,
                f"s{n}": min(1.0, max(0.0, float(answer.score))),
                f"t{n}": answer.try_number,
            }
        )
    await runner.run(_keep(len(answers)), **params)


async def answers_of(runner: Runner, user_id: int, course_id: str) -> list[GivenAnswer]:
    """Every graded answer of one learner in one course, in the order given."""
    rows = await runner.run(_OF_COURSE, uid=user_id, course=course_id)
    return [
        GivenAnswer(str(le), str(q), int(at), int(tn), str(a), bool(ok), float(s), _at(when))
        for le, q, at, tn, a, ok, s, when in rows
    ]


async def question_stats(
    runner: Runner, user_ids: Iterable[int], course_id: str
) -> list[QuestionStat]:
    """Per question of a course, how these learners did on their first try at it.

    Each learner counts once per question: their first answer to it ever (first attempt,
    first try), what they knew before any feedback. Retries and later attempts come after
    the right answer was shown, so they would hide what the class got wrong. Questions come
    in the order they were first answered.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return []
    rows = await runner.run(_FIRST_ANSWERS, course=course_id, ids=ids)
    tallies: dict[tuple[str, str], _Tally] = {}
    for lesson_id, question_id, answer, correct in rows:
        tallies.setdefault((str(lesson_id), str(question_id)), _Tally()).add(
            str(answer), bool(correct)
        )
    return [tally.stat(lesson, question) for (lesson, question), tally in tallies.items()]


@dataclass
class _Tally:
    """The first answers to one question, counted."""

    answered: int = 0
    wrong: Counter[str] = field(default_factory=Counter)  # by folded answer
    spellings: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, answer: str, correct: bool) -> None:
        """Count one answer; wrong ones by their text, ignoring case and spaces."""
        self.answered += 1
        if not correct:
            key = " ".join(answer.casefold().split())
            self.wrong[key] += 1
            self.spellings.setdefault(key, Counter())[answer] += 1

    def stat(self, lesson_id: str, question_id: str) -> QuestionStat:
        """The counts as a report line; the most common wrong answer as mostly spelled."""
        total_wrong = sum(self.wrong.values())
        if not total_wrong:
            return QuestionStat(lesson_id, question_id, self.answered, 0, None, 0)
        key, count = self.wrong.most_common(1)[0]
        shown = self.spellings[key].most_common(1)[0][0]
        return QuestionStat(lesson_id, question_id, self.answered, total_wrong, shown, count)


def _at(value: Any) -> datetime:
    """A stored time, as an aware UTC datetime."""
    when = utc(value)
    assert when is not None
    return when
