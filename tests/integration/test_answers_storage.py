"""Graded answers on real databases: stored, numbered by attempt, exported, erased, reported."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.storage.answers import answers_of, question_stats
from bot.storage.models import question_answers
from bot.storage.store import SqlStore
from dialogs.events import UserRef
from dialogs.ports import Effect, EraseLearner, RecordAnswer, RecordQuiz
from dialogs.report_ports import QuestionStat


async def play(store: SqlStore, user: UserRef, *effects: Effect) -> int:
    """One turn of `user` asking for `effects`; their user id."""
    async with store.turn(user) as tx:
        assert tx is not None
        tx.save(tx.profile, tx.state, effects)
        return tx.user_id


def said(question: str, answer: str, correct: bool, try_number: int = 1) -> RecordAnswer:
    """An answer to a question of the geography course's first lesson."""
    return RecordAnswer("geo", "l1", question, answer, 1.0 if correct else 0.0, correct, try_number)


async def stored_answers(store: SqlStore) -> int:
    """How many answers the table holds."""
    async with store.engine.connect() as conn:
        count = select(func.count()).select_from(question_answers)
        return (await conn.execute(count)).scalar_one()


async def test_answers_are_numbered_by_attempt_exported_and_erased(store: SqlStore) -> None:
    amina = UserRef("telegram", "amina")
    await play(store, amina, said("q1", "Bamako", False))
    await play(store, amina, said("q1", "Niamey", True, 2))
    # The last answer of an attempt comes in the turn that records the attempt.
    uid = await play(store, amina, said("q2", "vrai", True), RecordQuiz("geo", "l1", 1.5, 2))
    long = "x" * 600
    elsewhere = RecordAnswer("maths", "l1", "q1", "3", 1, True)
    await play(store, amina, said("q1", long, False), elsewhere)
    async with store.turn(amina) as tx:
        assert tx is not None
        given = await answers_of(tx.runner, uid, "geo")
    assert [(a.question_id, a.attempt, a.try_number, a.answer, a.correct) for a in given] == [
        ("q1", 1, 1, "Bamako", False),
        ("q1", 1, 2, "Niamey", True),
        ("q2", 1, 1, "vrai", True),
        ("q1", 2, 1, "x" * 500, False),
    ]
    assert given[1].score == 1.0 and given[0].answered_at.tzinfo is not None
    exported = await store.export(amina)
    assert exported is not None
    first = exported["answers"][0]
    assert first["question_id"] == "q1" and first["answer"] == "Bamako"
    assert first["correct"] is False and first["try_number"] == 1 and first["attempt"] == 1
    assert "user_id" not in first and isinstance(first["answered_at"], str)
    assert len(exported["answers"]) == 5
    assert await store.erase(amina)
    assert await stored_answers(store) == 0


async def test_erasing_in_a_turn_takes_the_answers_too(store: SqlStore) -> None:
    moussa = UserRef("whatsapp", "moussa")
    await play(store, moussa, said("q1", "a", True))
    await play(store, moussa, EraseLearner())
    assert await stored_answers(store) == 0


async def test_question_stats_count_each_learners_first_try(store: SqlStore) -> None:
    class_ = [
        await play(store, UserRef("web", "a"), said("q1", "b", True), said("q2", "Bamako", False)),
        await play(store, UserRef("web", "b"), said("q1", "a", False), said("q2", "bamako", False)),
        await play(store, UserRef("web", "c"), said("q1", "c", False), said("q2", "Dakar", False)),
        await play(store, UserRef("web", "e"), said("q1", "c", False), said("q2", "bamako", False)),
    ]
    # Retries and later attempts come after the feedback: they do not count.
    await play(store, UserRef("web", "a"), said("q2", "Niamey", True, 2))
    await play(store, UserRef("web", "b"), RecordQuiz("geo", "l1", 0, 2))
    await play(store, UserRef("web", "b"), said("q1", "b", True))
    # Another lesson, answered by one learner only, and noise outside the class or course.
    await play(store, UserRef("web", "a"), RecordAnswer("geo", "l2", "q1", "12", 0.5, False))
    await play(store, UserRef("web", "d"), said("q1", "d", False), said("q1", "d", False))
    await play(store, UserRef("web", "c"), RecordAnswer("maths", "l1", "q1", "c", 0, False))
    async with store.turn(UserRef("web", "teacher")) as tx:
        assert tx is not None
        stats = await question_stats(tx.runner, class_, "geo")
        assert await question_stats(tx.runner, [], "geo") == []
    assert stats == [
        QuestionStat("l1", "q1", 4, 3, "c", 2),
        QuestionStat("l1", "q2", 4, 4, "bamako", 3),
        QuestionStat("l2", "q1", 1, 1, "12", 1),
    ]
    assert stats[0].wrong_share == 0.75 and stats[1].wrong_share == 1.0


async def test_a_question_everyone_got_right_has_no_wrong_answer(store: SqlStore) -> None:
    ids = [await play(store, UserRef("web", str(n)), said("q1", "b", True)) for n in range(3)]
    async with store.turn(UserRef("web", "0")) as tx:
        assert tx is not None
        (stat,) = await question_stats(tx.runner, ids, "geo")
    assert stat == QuestionStat("l1", "q1", 3, 0, None, 0) and stat.wrong_share == 0.0
