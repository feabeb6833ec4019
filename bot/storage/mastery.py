"""Mastery per learner and skill (skill_mastery), and the skills' fitted BKT parameters
(skill_parameters). Core statements through a Runner (bot/storage/sql.py), inside the learner's
turn.

Each graded first try updates the skills its question tests (content/mastery.py); a retry
after a wrong answer comes after the hint and the "try again": it is not new evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import bindparam, insert, select
from sqlalchemy import update as sql_update

from bot.storage.models import placed_out, skill_mastery, skill_parameters, skill_struggles
from bot.storage.sql import Runner, utc
from bot.storage.xapi import Journal
from content.mastery import DEFAULT_PARAMS, MASTERED, SkillParams, update
from content.placement import FAILURES
from content.skills import is_skill_code
from dialogs.mastery_ports import SkillMastery
from dialogs.ports import RecordAnswer

sm, ss = skill_mastery, skill_struggles  # as the statements name them
_PARAMS = select(
    skill_parameters.c.p_init,
    skill_parameters.c.p_learn,
    skill_parameters.c.p_guess,
    skill_parameters.c.p_slip,
).where(skill_parameters.c.skill == bindparam("skill"))
_KEY = (sm.c.user_id == bindparam("uid"), sm.c.skill == bindparam("skill"))
_KNOWN = select(sm.c.p_known).where(*_KEY)
# What an answer's update of one skill reads, in one statement (one round trip on PostgreSQL,
# bench/README.md, issue 21): the skill's four parameters (NULLs before any fit), then the
# learner's estimate (NULL before their first answer on it; the columns are NOT NULL).
_PARAMS_AND_KNOWN = select(
    *(
        select(column).where(skill_parameters.c.skill == bindparam("skill")).scalar_subquery()
        for column in (
            skill_parameters.c.p_init,
            skill_parameters.c.p_learn,
            skill_parameters.c.p_guess,
            skill_parameters.c.p_slip,
        )
    ),
    _KNOWN.scalar_subquery(),
)
_UPDATE_KNOWN = (
    sql_update(sm)
    .where(*_KEY)
    .values(
        p_known=bindparam("p"),
        answers=sm.c.answers + 1,
        correct=sm.c.correct + bindparam("ok"),
        updated_at=bindparam("now"),
    )
)
_FIRST_KNOWN = insert(sm).values(
    user_id=bindparam("uid"),
    skill=bindparam("skill"),
    p_known=bindparam("p"),
    answers=1,
    correct=bindparam("ok"),
    updated_at=bindparam("now"),
)
_MINE = (
    select(sm.c.skill, sm.c.p_known, sm.c.answers, sm.c.correct, sm.c.updated_at)
    .where(sm.c.user_id == bindparam("uid"))
    .order_by(sm.c.skill)
)
_STRUGGLE_KEY = (
    ss.c.user_id == bindparam("uid"),
    ss.c.course_id == bindparam("course"),
    ss.c.skill == bindparam("skill"),
)
_WRONG = select(ss.c.wrong).where(*_STRUGGLE_KEY)
_SET_WRONG = (
    sql_update(ss)
    .where(*_STRUGGLE_KEY)
    .values(wrong=bindparam("wrong"), updated_at=bindparam("now"))
)
_FIRST_WRONG = insert(ss).values(
    user_id=bindparam("uid"),
    course_id=bindparam("course"),
    skill=bindparam("skill"),
    wrong=bindparam("wrong"),
    updated_at=bindparam("now"),
)
_PLACE_OUT = insert(placed_out).values(
    user_id=bindparam("uid"),
    course_id=bindparam("course"),
    lesson_id=bindparam("lesson"),
    placed_at=bindparam("now"),
)
_PLACED_OUT = select(placed_out.c.lesson_id).where(
    placed_out.c.user_id == bindparam("uid"), placed_out.c.course_id == bindparam("course")
)


async def params_of(runner: Runner, skill: str) -> SkillParams:
    """A skill's fitted parameters, or the defaults before any fit."""
    rows = await runner.run(_PARAMS, skill=skill)
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
        *fitted, known = (await runner.run(_PARAMS_AND_KNOWN, uid=user_id, skill=skill))[0]
        params = DEFAULT_PARAMS if fitted[0] is None else SkillParams(*map(float, fitted))
        before = params.p_init if known is None else float(known)
        after = update(before, correct, params)
        if journal is not None and before < MASTERED <= after:
            await journal.mastered(skill, after, now)
        if known is not None:
            await runner.run(
                _UPDATE_KNOWN,
                uid=user_id,
                skill=skill,
                p=after,
                ok=int(correct),
                now=now,
            )
        else:
            await runner.run(
                _FIRST_KNOWN,
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
        rows = await self.runner.run(_MINE, uid=self.user_id)
        return [
            SkillMastery(str(skill), float(p), int(n), int(ok), utc(at) or datetime.now(UTC))
            for skill, p, n, ok, at in rows
        ]

    async def struggle(
        self, course_id: str, skills: tuple[str, ...], now: datetime
    ) -> tuple[str, ...]:
        """Count one wrong graded answer on each skill within a course; the skills now failed
        twice are returned, and counted from zero again."""
        failed: list[str] = []
        for skill in dict.fromkeys(skills):
            if not is_skill_code(skill):
                continue
            args = {"uid": self.user_id, "course": course_id, "skill": skill}
            rows = await self.runner.run(_WRONG, **args)
            wrong = (int(rows[0][0]) if rows else 0) + 1
            if wrong >= FAILURES:
                failed.append(skill)
                wrong = 0
            if rows:
                await self.runner.run(_SET_WRONG, wrong=wrong, now=now, **args)
            else:
                await self.runner.run(_FIRST_WRONG, wrong=wrong, now=now, **args)
        return tuple(failed)

    async def place_out(self, course_id: str, lesson_ids: tuple[str, ...], now: datetime) -> None:
        """Mark lessons as skipped after the course's placement quiz (neither done nor scored)."""
        placed = await self.placed_out(course_id)
        for lesson_id in dict.fromkeys(lesson_ids):
            if lesson_id in placed:
                continue
            await self.runner.run(
                _PLACE_OUT,
                uid=self.user_id,
                course=course_id,
                lesson=lesson_id,
                now=now,
            )

    async def placed_out(self, course_id: str) -> frozenset[str]:
        """The lessons of a course the learner skipped after its placement quiz."""
        rows = await self.runner.run(_PLACED_OUT, uid=self.user_id, course=course_id)
        return frozenset(str(row[0]) for row in rows)
