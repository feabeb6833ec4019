"""`python -m bot mastery fit`: each skill's BKT parameters, fitted from the answers recorded.

The answers are the first tries kept in `question_answers` (quizzes and paper answers), in the
order each learner gave them; the skills of each question come from the library as it stands
(the bundled courses and the teachers' published ones). A skill with too few answers keeps
the defaults (content/mastery.py) and its stored fit, if any, is left as it was. Run it now
and then (a cron job, after a term): estimates already stored are not recomputed, the new
parameters apply to the answers that follow.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import bindparam, delete, insert, select

from bot.storage.authoring import published_library
from bot.storage.db import create_engine, migrate_async
from bot.storage.models import question_answers, skill_parameters
from bot.storage.sql import Runner
from bot.storage.store import SqlStore
from content.library import load_library
from content.mastery import SkillParams
from content.mastery_fit import Fit, fit
from content.skills import question_skills

_qa = question_answers.c
_FIRST_TRIES = (
    select(_qa.user_id, _qa.course_id, _qa.lesson_id, _qa.question_id, _qa.correct)
    .where(_qa.try_number == 1)
    .order_by(_qa.user_id, _qa.id)
)
_FORGET = delete(skill_parameters).where(skill_parameters.c.skill == bindparam("skill"))
_KEEP = insert(skill_parameters).values(
    skill=bindparam("skill"),
    p_init=bindparam("init"),
    p_learn=bindparam("learn"),
    p_guess=bindparam("guess"),
    p_slip=bindparam("slip"),
    answers=bindparam("n"),
    learners=bindparam("m"),
    fitted_at=bindparam("at"),
)

MIN_ANSWERS = 50  # below, a fit says more about chance than about the skill
MIN_LEARNERS = 5


@dataclass(frozen=True)
class SkillFit:
    """What the fit found for one skill; `stored` False when it had too few answers."""

    skill: str
    fit: Fit
    stored: bool


async def fit_skills(
    database_url: str,
    library_path: Path,
    min_answers: int = MIN_ANSWERS,
    min_learners: int = MIN_LEARNERS,
) -> list[SkillFit]:
    """Fit every skill of the library that has answers; store the fits with enough of them."""
    await migrate_async(database_url)
    engine = create_engine(database_url)
    store = SqlStore(engine)
    try:
        published, restricted = await published_library(store)
        library = load_library(library_path).with_courses(published, restricted)
        skills_of = {
            (course.id, lesson_id, question_id): skills
            for course in library.courses
            for (lesson_id, question_id), skills in question_skills(course).items()
        }
        async with store.transaction() as runner:
            sequences = await _sequences(runner, skills_of)
            found: list[SkillFit] = []
            now = datetime.now(UTC)
            for skill in sorted(sequences):
                result = fit(list(sequences[skill].values()))
                enough = result.answers >= min_answers and result.learners >= min_learners
                if enough:
                    await _store(runner, skill, result, now)
                found.append(SkillFit(skill, result, enough))
    finally:
        store.close()
        await engine.dispose()
    return found


async def _sequences(
    runner: Runner, skills_of: dict[tuple[str, str, str], tuple[str, ...]]
) -> dict[str, dict[int, list[bool]]]:
    """Per skill, per learner, their first tries in the order given."""
    rows = await runner.run(_FIRST_TRIES)
    sequences: dict[str, dict[int, list[bool]]] = defaultdict(dict)
    for user_id, course, lesson, question, correct in rows:
        for skill in skills_of.get((str(course), str(lesson), str(question)), ()):
            sequences[skill].setdefault(int(user_id), []).append(bool(correct))
    return sequences


async def _store(runner: Runner, skill: str, result: Fit, now: datetime) -> None:
    """Replace a skill's stored parameters."""
    params: SkillParams = result.params
    await runner.run(_FORGET, skill=skill)
    await runner.run(
        _KEEP,
        skill=skill,
        init=params.p_init,
        learn=params.p_learn,
        guess=params.p_guess,
        slip=params.p_slip,
        n=result.answers,
        m=result.learners,
        at=now,
    )


def table(found: list[SkillFit]) -> str:
    """The fits as a short table for the operator."""
    if not found:
        return "no answers to questions with skills yet: the defaults stay"
    width = max(len("skill"), *(len(f.skill) for f in found))
    lines = [
        f"{'skill':<{width}}  learners  answers  p_init  p_learn  p_guess  p_slip",
    ]
    for item in found:
        p = item.fit.params
        head = f"{item.skill:<{width}}  {item.fit.learners:>8}  {item.fit.answers:>7}"
        if item.stored:
            lines.append(
                f"{head}  {p.p_init:>6.2f}  {p.p_learn:>7.2f}  {p.p_guess:>7.2f}  {p.p_slip:>6.2f}"
            )
        else:
            lines.append(f"{head}  too few answers: left as it was")
    stored = sum(1 for item in found if item.stored)
    lines.append(f"{stored} of {len(found)} skills fitted and stored")
    return "\n".join(lines)
