"""Mastery of skills on real databases: updated by first tries, exported, erased."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.storage.mastery import SqlMasteryDesk
from bot.storage.models import Base
from bot.storage.store import SqlStore
from content.mastery import SkillParams, trace, update
from dialogs.events import UserRef
from dialogs.ports import Effect, RecordAnswer

SKILL = "MATH-CM-FRAC-SENS"


async def play(store: SqlStore, user: UserRef, *effects: Effect) -> int:
    """One turn of `user` asking for `effects`; their user id."""
    async with store.turn(user) as tx:
        assert tx is not None
        tx.save(tx.profile, tx.state, effects)
        return tx.user_id


def said(question: str, correct: bool, try_number: int = 1, *skills: str) -> RecordAnswer:
    """An answer to a question of the fractions course's first lesson."""
    score = 1.0 if correct else 0.0
    tested = skills or (SKILL,)
    return RecordAnswer(
        "fractions", "parts-egales", question, "a", score, correct, try_number, tested
    )


async def estimates(store: SqlStore, user: UserRef) -> dict[str, tuple[float, int, int]]:
    """The learner's skills: chance known, answers, right ones."""
    async with store.turn(user) as tx:
        assert tx is not None
        return {m.skill: (m.p_known, m.answers, m.correct) for m in await tx.mastery.mine()}


async def rows(store: SqlStore) -> int:
    """How many estimates the table holds."""
    async with store.engine.connect() as conn:
        table = Base.metadata.tables["skill_mastery"]
        return (await conn.execute(select(func.count()).select_from(table))).scalar_one()


async def test_first_tries_update_the_skills_and_retries_do_not(store: SqlStore) -> None:
    awa = UserRef("telegram", "awa")
    await play(store, awa, said("q1", False))
    await play(store, awa, said("q1", True, 2))  # the retry after the hint: no new evidence
    await play(store, awa, said("q2", True, 1, SKILL, "MATH-CM-FRAC-LIRE"))
    found = await estimates(store, awa)
    assert found == {
        SKILL: (pytest.approx(trace([False, True])), 2, 1),
        "MATH-CM-FRAC-LIRE": (pytest.approx(trace([True])), 1, 1),
    }


async def test_fitted_parameters_are_used_once_stored(store: SqlStore) -> None:
    fitted = SkillParams(p_init=0.5, p_learn=0.0, p_guess=0.25, p_slip=0.1)
    async with store.turn(UserRef("web", "admin")) as tx:
        assert tx is not None
        await tx.runner.run(
            "INSERT INTO skill_parameters (skill, p_init, p_learn, p_guess, p_slip, answers,"
            " learners, fitted_at) VALUES (:s, 0.5, 0.0, 0.25, 0.1, 100, 10, :at)",
            s=SKILL,
            at=datetime.now(UTC),
        )
    fatou = UserRef("whatsapp", "fatou")
    await play(store, fatou, said("q1", True))
    assert (await estimates(store, fatou))[SKILL][0] == pytest.approx(update(0.5, True, fitted))


async def test_the_review_updates_through_the_desk(store: SqlStore) -> None:
    moussa = UserRef("web", "moussa")
    async with store.turn(moussa) as tx:
        assert tx is not None
        desk: SqlMasteryDesk = tx.mastery
        await desk.observe((SKILL, SKILL), True, datetime.now(UTC))
        tx.save(tx.profile, tx.state)
    assert await estimates(store, moussa) == {SKILL: (pytest.approx(trace([True])), 1, 1)}


async def test_skills_are_exported_and_erased(store: SqlStore) -> None:
    ali = UserRef("telegram", "ali")
    await play(store, ali, said("q1", True), said("q2", False, 1, "FR-5E-PP-ETRE"))
    exported = await store.export(ali)
    assert exported is not None
    assert [(s["skill"], s["answers"], s["correct"]) for s in exported["skills"]] == [
        ("FR-5E-PP-ETRE", 1, 0),
        (SKILL, 1, 1),
    ]
    assert "user_id" not in exported["skills"][0] and isinstance(
        exported["skills"][0]["updated_at"], str
    )
    assert await store.erase(ali)
    assert await rows(store) == 0
