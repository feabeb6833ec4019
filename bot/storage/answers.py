"""Graded answers to quiz questions (RecordAnswer), and what class reports read of them.

Plain SQL through a Runner (bot/storage/sql.py): the same statements on SQLite and
PostgreSQL, inside the learner's turn for the writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.storage.sql import Runner, utc
from dialogs.ports import RecordAnswer
from dialogs.report_ports import GivenAnswer, QuestionStat

MAX_ANSWER = 500  # characters, as the column holds them

# The attempt an answer belongs to: 1 + the attempts at this quiz finished before it. The
# quiz_attempts row only exists once a quiz is finished (never for one left half-way), so
# answers are numbered, not linked by row id; they must be written before the turn's RecordQuiz.
# The subquery has its own parameters: PostgreSQL types a value inserted into a VARCHAR column
# and the same value compared with one differently (varchar, text) and refuses one for both.
_ROW = (
    "(:uid, :c{n}, :l{n}, :q{n}, (SELECT COUNT(*) + 1 FROM quiz_attempts WHERE"
    " user_id = :uid AND course_id = :wc{n} AND lesson_id = :wl{n}),"
    " :a{n}, :ok{n}, :s{n}, :t{n}, :at)"
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
    rows = ", ".join(_ROW.format(n=n) for n in range(len(answers)))
    await runner.run(
        "INSERT INTO question_answers (user_id, course_id, lesson_id, question_id, attempt,"
        f" answer, correct, score, try_number, answered_at) VALUES {rows}",
        **params,
    )


async def answers_of(runner: Runner, user_id: int, course_id: str) -> list[GivenAnswer]:
    """Every graded answer of one learner in one course, in the order given."""
    rows = await runner.run(
        "SELECT lesson_id, question_id, attempt, try_number, answer, correct, score,"
        " answered_at FROM question_answers WHERE user_id = :uid AND course_id = :course"
        " ORDER BY id",
        uid=user_id,
        course=course_id,
    )
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
    params: dict[str, Any] = {f"u{n}": uid for n, uid in enumerate(ids)}
    params["course"] = course_id
    members = ", ".join(f":u{n}" for n in range(len(ids)))
    rows = await runner.run(
        "SELECT lesson_id, question_id, answer, correct FROM question_answers WHERE id IN"
        " (SELECT MIN(id) FROM question_answers WHERE course_id = :course AND try_number = 1"
        f" AND user_id IN ({members}) GROUP BY user_id, lesson_id, question_id) ORDER BY id",
        **params,
    )
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
