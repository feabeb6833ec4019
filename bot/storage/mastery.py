"""Mastery per learner and skill (skill_mastery), and the skills' fitted BKT parameters
(skill_parameters). Plain SQL through a Runner (bot/storage/sql.py), inside the learner's turn.

Each graded first try updates the skills its question tests (content/mastery.py); a retry
after a wrong answer comes after the hint and the "try again": it is not new evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from bot.storage.sql import Runner, utc
from bot.storage.xapi import Journal
from content.mastery import DEFAULT_PARAMS, MASTERED, SkillParams, update
from content.skills import is_skill_code
from dialogs.mastery_ports import SkillMastery
from dialogs.ports import RecordAnswer

_KEY = "user_id = :uid AND skill = :skill"


async def params_of(runner: Runner, skill: str) -> SkillParams:
    """A skill's fitted parameters, or the defaults before any fit."""
    rows = await runner.run(
        "SELECT p_init, p_learn, p_guess, p_slip FROM skill_parameters WHERE skill = :skill",
        skill=skill,
    )
    if not rows:
        return DEFAULT_PARAMS
    p_init, p_learn, p_guess, p_slip = (float(value) for value in rows[0])
    return SkillParams(p_init, p_learn, p_guess, p_slip)


async def observe(
    runner: Runner,
    user_id: int,
    skills: Iterable[str],
    correct: bool,
    now: datetime,
    journal: Journal | None = None,
) -> None:
    """Update a learner's estimate of each skill after one graded answer; the first time
    one reaches mastery goes to the learning records."""
    for skill in dict.fromkeys(skills):
        if not is_skill_code(skill):
            continue  # never from a parsed course; a hand-made effect cannot widen the column
        params = await params_of(runner, skill)
        rows = await runner.run(
            f"SELECT p_known FROM skill_mastery WHERE {_KEY}", uid=user_id, skill=skill
        )
        before = float(rows[0][0]) if rows else params.p_init
        after = update(before, correct, params)
        if journal is not None and before < MASTERED <= after:
            await journal.mastered(skill, after, now)
        if rows:
            await runner.run(
                "UPDATE skill_mastery SET p_known = :p, answers = answers + 1,"
                f" correct = correct + :ok, updated_at = :now WHERE {_KEY}",
                uid=user_id,
                skill=skill,
                p=after,
                ok=int(correct),
                now=now,
            )
        else:
            await runner.run(
                "INSERT INTO skill_mastery (user_id, skill, p_known, answers, correct,"
                " updated_at) VALUES (:uid, :skill, :p, 1, :ok, :now)",
                uid=user_id,
                skill=skill,
                p=after,
                ok=int(correct),
                now=now,
            )


async def observe_answers(
    runner: Runner,
    user_id: int,
    answers: Sequence[RecordAnswer],
    now: datetime | None = None,
    journal: Journal | None = None,
) -> None:
    """Update mastery from a turn's recorded answers: first tries of questions with skills."""
    at = now or datetime.now(UTC)
    for answer in answers:
        if answer.try_number == 1 and answer.skills:
            await observe(runner, user_id, answer.skills, answer.correct, at, journal)


class SqlMasteryDesk:
    """One learner's mastery of skills, inside their turn's transaction."""

    def __init__(self, runner: Runner, user_id: int, journal: Journal | None = None) -> None:
        self.runner = runner
        self.user_id = user_id
        self.journal = journal

    async def observe(self, skills: tuple[str, ...], correct: bool, now: datetime) -> None:
        """Update the estimate of each skill after one graded answer testing them."""
        await observe(self.runner, self.user_id, skills, correct, now, self.journal)

    async def mine(self) -> list[SkillMastery]:
        """The learner's skills with an estimate, by code."""
        rows = await self.runner.run(
            "SELECT skill, p_known, answers, correct, updated_at FROM skill_mastery"
            " WHERE user_id = :uid ORDER BY skill",
            uid=self.user_id,
        )
        return [
            SkillMastery(str(skill), float(p), int(n), int(ok), utc(at) or datetime.now(UTC))
            for skill, p, n, ok, at in rows
        ]
