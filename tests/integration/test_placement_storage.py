"""Placement and remediation on real databases: lessons placed out per course, wrong
answers counted per skill and course until the second, exported and erased."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.storage.models import Base
from bot.storage.store import SqlStore
from dialogs.events import UserRef

SENS, COMPARER = "MATH-CM-FRAC-SENS", "MATH-CM-FRAC-COMPARER"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


async def struggle(store: SqlStore, user: UserRef, course: str, *skills: str) -> tuple[str, ...]:
    """One turn with a wrong answer on `skills` in `course`: the skills now failed twice."""
    async with store.turn(user) as tx:
        assert tx is not None
        failed = await tx.mastery.struggle(course, skills, NOW)
        tx.save(tx.profile, tx.state)
        return failed


async def count(store: SqlStore, table: str) -> int:
    """Rows of a table."""
    async with store.engine.connect() as conn:
        rows = select(func.count()).select_from(Base.metadata.tables[table])
        return (await conn.execute(rows)).scalar_one()


async def test_a_skill_failed_twice_in_a_course_is_told_once_then_counted_anew(
    store: SqlStore,
) -> None:
    awa = UserRef("telegram", "awa")
    assert await struggle(store, awa, "fractions", SENS) == ()
    assert await struggle(store, awa, "proportionnalite", SENS) == (), "another course"
    assert await struggle(store, awa, "fractions", SENS, COMPARER) == (SENS,)
    assert await struggle(store, awa, "fractions", SENS) == (), "from zero after remediation"
    assert await struggle(store, awa, "fractions", COMPARER, COMPARER) == (COMPARER,)
    moussa = UserRef("whatsapp", "moussa")
    assert await struggle(store, moussa, "fractions", SENS) == (), "each learner their own"


async def test_placed_out_lessons_are_kept_per_course_once(store: SqlStore) -> None:
    fatou = UserRef("web", "fatou")
    async with store.turn(fatou) as tx:
        assert tx is not None
        await tx.mastery.place_out("fractions", ("parts-egales", "comparer"), NOW)
        await tx.mastery.place_out("fractions", ("comparer",), NOW)  # twice: kept once
        tx.save(tx.profile, tx.state)
    async with store.turn(fatou) as tx:
        assert tx is not None
        assert await tx.mastery.placed_out("fractions") == {"parts-egales", "comparer"}
        assert await tx.mastery.placed_out("paludisme") == frozenset()
    assert await count(store, "placed_out") == 2


async def test_placement_and_struggles_are_exported_and_erased(store: SqlStore) -> None:
    ali = UserRef("telegram", "ali")
    async with store.turn(ali) as tx:
        assert tx is not None
        await tx.mastery.place_out("fractions", ("parts-egales",), NOW)
        await tx.mastery.struggle("fractions", (COMPARER,), NOW)
        tx.save(tx.profile, tx.state)
    exported = await store.export(ali)
    assert exported is not None
    assert exported["placed_out"] == [
        {"course_id": "fractions", "lesson_id": "parts-egales", "placed_at": NOW.isoformat()}
    ]
    assert exported["skill_struggles"] == [
        {"course_id": "fractions", "skill": COMPARER, "wrong": 1, "updated_at": NOW.isoformat()}
    ]
    assert await store.erase(ali)
    assert await count(store, "placed_out") == 0
    assert await count(store, "skill_struggles") == 0
