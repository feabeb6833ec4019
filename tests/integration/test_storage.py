"""SqlStore on real databases: SQLite always, PostgreSQL when TEST_POSTGRES_URL is set."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.storage.admin import grant_role, grants_of
from bot.storage.db import create_engine
from bot.storage.models import Base
from bot.storage.pseudonym import pseudonym
from bot.storage.store import SqlStore
from dialogs.events import UserRef
from dialogs.ports import CompleteLesson, EraseLearner, RecordQuiz, SubmitEssay
from dialogs.roles import Grant, Role
from dialogs.state import DialogState, Profile

AMINA = UserRef("telegram", "42")


async def set_step(store: SqlStore, user: UserRef, step: str, key: str | None = None) -> None:
    """One turn that moves `user` to `step`."""
    async with store.turn(user, key) as tx:
        assert tx is not None
        tx.save(tx.profile, DialogState(step, tx.state.data, tx.state.prompt))


async def step_of(store: SqlStore, user: UserRef) -> str:
    """The step `user` is waiting in, read through an export."""
    exported = await store.export(user)
    assert exported is not None
    return str(exported["state"]["step"])


async def rows_per_table(store: SqlStore) -> dict[str, int]:
    """How many rows each table holds."""
    async with store.engine.connect() as conn:
        return {
            name: (await conn.execute(select(func.count()).select_from(table))).scalar_one()
            for name, table in Base.metadata.tables.items()
        }


async def test_a_new_user_is_created_once(store: SqlStore) -> None:
    async with store.turn(AMINA, "telegram:1") as first:
        assert first is not None and first.is_new
        assert first.profile == Profile() and first.state == DialogState()
    async with store.turn(AMINA, "telegram:2") as second:
        assert second is not None and not second.is_new
        assert second.user_id == first.user_id
    assert await store.count_users() == 1


async def test_profile_and_state_round_trip(store: SqlStore) -> None:
    consented = datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1)))
    profile = Profile("ar", "TD", "student", "6e", consented, {"course": "maths", "step": 3})
    data = {"answer": "مرحبا بالعالم", "wolof": "Nanga def?", "nested": [1, 2.5, None, True]}
    async with store.turn(AMINA, "telegram:1") as tx:
        assert tx is not None
        tx.save(profile, DialogState("quiz.ask", data, 7))
    async with store.turn(AMINA, "telegram:2") as tx:
        assert tx is not None
        assert tx.profile == profile
        assert tx.profile.consented_at is not None
        assert tx.profile.consented_at.tzinfo == UTC
        assert tx.state == DialogState("quiz.ask", data, 7)


async def test_both_ways_of_reading_a_learner_agree(store: SqlStore) -> None:
    consented = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)  # no microseconds: still parsed back
    profile = Profile("fr", "SN", "teacher", "3e", consented, None)
    state = DialogState("menu", {"emoji": "🦁", "rtl": "سلام"}, 3)
    async with store.turn(AMINA) as tx:
        assert tx is not None and tx.is_new
        tx.save(profile, state)
    async with store.turn(AMINA, "with-a-key") as keyed:  # claim and read in one statement
        assert keyed is not None
        assert (keyed.profile, keyed.state) == (profile, state)
    async with store.turn(AMINA) as unkeyed:  # insert-or-read without a claim
        assert unkeyed is not None and not unkeyed.is_new
        assert (unkeyed.profile, unkeyed.state) == (profile, state)


async def test_broken_unicode_from_a_client_is_stored_not_fatal(store: SqlStore) -> None:
    data = {"typed": "\ud83d half an emoji", "fine": "ok"}
    async with store.turn(AMINA, "k1") as tx:
        assert tx is not None
        tx.save(tx.profile, DialogState("menu", data))
    async with store.turn(AMINA, "k2") as tx:
        assert tx is not None and tx.state.data == data


async def test_a_duplicate_delivery_is_skipped(store: SqlStore) -> None:
    await set_step(store, AMINA, "menu", "telegram:1")
    async with store.turn(AMINA, "telegram:1") as tx:
        assert tx is None
    assert await step_of(store, AMINA) == "menu"
    # The same key on another channel is another update.
    await set_step(store, UserRef("whatsapp", "42"), "menu", "telegram:1")
    assert await store.count_users() == 2


async def test_a_redelivery_after_erasure_does_not_bring_the_learner_back(store: SqlStore) -> None:
    # The claim stays while the learner's row is gone: a duplicate with no learner to read
    # (PostgreSQL claims and reads in one statement; the claim decides, not the row).
    await set_step(store, AMINA, "menu", "telegram:1")
    async with store.turn(AMINA, "telegram:2") as tx:
        assert tx is not None
        tx.save(tx.profile, tx.state, [EraseLearner()])
    assert await store.count_users() == 0
    async with store.turn(AMINA, "telegram:2") as tx:
        assert tx is None
    assert await store.count_users() == 0
    async with store.turn(AMINA, "telegram:3") as tx:
        assert tx is not None and tx.is_new and tx.profile == Profile()


async def test_an_exception_rolls_back_everything_including_the_claim(store: SqlStore) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with store.turn(AMINA, "telegram:1") as tx:
            assert tx is not None
            tx.save(tx.profile, DialogState("menu"), [CompleteLesson("maths", "l1")])
            raise RuntimeError("boom")
    assert await store.count_users() == 0
    async with store.turn(AMINA, "telegram:1") as tx:
        assert tx is not None and tx.is_new  # the redelivery is processed again


async def test_a_cancelled_turn_is_rolled_back(store: SqlStore) -> None:
    entered = asyncio.Event()

    async def stuck() -> None:
        async with store.turn(AMINA, "telegram:1") as tx:
            assert tx is not None
            tx.save(tx.profile, DialogState("menu"))
            entered.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(stuck())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await store.count_users() == 0
    await set_step(store, AMINA, "lesson", "telegram:1")
    assert await step_of(store, AMINA) == "lesson"


async def test_turns_without_a_key_are_never_deduplicated(store: SqlStore) -> None:
    await set_step(store, AMINA, "one")
    await set_step(store, AMINA, "two")
    assert await step_of(store, AMINA) == "two"


async def test_lesson_completion_is_idempotent(store: SqlStore) -> None:
    done = [CompleteLesson("maths", "l1"), CompleteLesson("maths", "l1")]
    for key in ("k1", "k2"):
        async with store.turn(AMINA, key) as tx:
            assert tx is not None
            tx.save(tx.profile, tx.state, done)
    async with store.turn(AMINA, "k3") as tx:
        assert tx is not None
        lessons = await tx.records.lessons_done()
    assert [(lesson.course_id, lesson.lesson_id) for lesson in lessons] == [("maths", "l1")]
    assert lessons[0].at.tzinfo == UTC


async def test_a_first_turn_can_read_records_and_write_effects(store: SqlStore) -> None:
    async with store.turn(AMINA, "k1") as tx:
        assert tx is not None and tx.is_new
        assert await tx.records.lessons_done() == []
        tx.save(tx.profile, DialogState("menu"), [CompleteLesson("maths", "l1")])
    async with store.turn(AMINA, "k2") as tx:
        assert tx is not None and tx.state.step == "menu"
        assert len(await tx.records.lessons_done()) == 1


async def test_what_comes_with_the_learner_is_what_a_read_of_its_own_finds(
    store: SqlStore,
) -> None:
    """The roles, the lessons done and the learner's own address come with their row (one
    round trip less each on PostgreSQL): the same answers as their own statements, on
    either way of loading a learner, and a role given during the turn is seen at once."""
    done = [CompleteLesson("maths", "l2"), CompleteLesson("maths", "l1"), CompleteLesson("fr", "a")]
    async with store.turn(AMINA, "k1") as tx:
        assert tx is not None
        assert await tx.admin.grants() == []
        now = datetime.now(UTC)
        await grant_role(tx.runner, tx.user_id, Grant(Role.TRANSLATOR, None, "wo"), None, now)
        await grant_role(tx.runner, tx.user_id, Grant(Role.TEACHER, "SN"), None, now)
        tx.save(tx.profile, tx.state, done)
    for key in ("k2", None):  # claimed with the learner's row, then found without a claim
        async with store.turn(AMINA, key) as tx:
            assert tx is not None
            roles = await tx.admin.grants()
            assert roles == await grants_of(tx.runner, tx.user_id)
            assert roles == [Grant(Role.TEACHER, "SN"), Grant(Role.TRANSLATOR, None, "wo")]
            lessons = await tx.records.lessons_done()
            # completed in one turn, so at one time: then by course and lesson
            assert [(d.course_id, d.lesson_id) for d in lessons] == [
                ("fr", "a"),
                ("maths", "l1"),
                ("maths", "l2"),
            ]
            assert {d.at for d in lessons} == {lessons[0].at} and lessons[0].at.tzinfo == UTC
            assert (await tx.journal.actor())["account"]["name"] == pseudonym(
                AMINA, store.xapi.secret
            )
    async with store.turn(AMINA, "k3") as tx:
        assert tx is not None
        await tx.admin.grant(tx.user_id, Grant(Role.MODERATOR, "SN"))
        assert Grant(Role.MODERATOR, "SN") in await tx.admin.grants()
    async with store.turn(AMINA, "k4") as tx:
        assert tx is not None
        invite = await tx.teaching.create_invite("ML", 1, 7)
        assert await tx.teaching.use_invite(invite.code, "ML") is None
        assert Grant(Role.TEACHER, "ML") in await tx.admin.grants()


async def test_quiz_attempts_are_all_kept_and_the_best_is_reported(store: SqlStore) -> None:
    for key, score in (("k1", 2.0), ("k2", 4.5), ("k3", 3.0)):
        async with store.turn(AMINA, key) as tx:
            assert tx is not None
            tx.save(tx.profile, tx.state, [RecordQuiz("maths", "l1", score, 5.0)])
    async with store.turn(AMINA, "k4") as tx:
        assert tx is not None
        (score,) = await tx.records.quiz_scores()
    assert (score.course_id, score.lesson_id, score.best, score.max_score) == (
        "maths",
        "l1",
        4.5,
        5,
    )
    assert score.attempts == 3 and score.last_at.tzinfo == UTC


async def fill(store: SqlStore, user: UserRef) -> int:
    """Give `user` a profile, progress, a quiz attempt and a poll; returns their id."""
    profile = Profile("fr", "SN", "student", "cm2", datetime.now(UTC), {"course": "maths"})
    async with store.turn(user, f"{user.external_id}:1") as tx:
        assert tx is not None
        effects = [CompleteLesson("maths", "l1"), RecordQuiz("maths", "l1", 3.0, 4.0)]
        tx.save(profile, DialogState("menu", {"n": "ñ"}, 2), effects)
    await store.remember_poll("5551234", tx.user_id, 2, ["a", "b"])
    return tx.user_id


async def test_export_contains_everything_and_is_json(store: SqlStore) -> None:
    await fill(store, AMINA)
    exported = await store.export(AMINA)
    assert exported is not None
    json.dumps(exported)
    assert exported["user"]["channel"] == "telegram" and exported["user"]["external_id"] == "42"
    assert exported["profile"]["country"] == "SN"
    assert exported["profile"]["consented_at"].endswith("+00:00")
    assert exported["state"] == {"step": "menu", "data": {"n": "ñ"}, "prompt": 2}
    assert [(r["course_id"], r["lesson_id"]) for r in exported["lessons_done"]] == [("maths", "l1")]
    assert exported["quiz_attempts"][0]["score"] == 3.0
    assert exported["telegram_polls"][0]["option_ids"] == ["a", "b"]
    async with store.turn(AMINA, "again") as tx:
        assert tx is not None
        assert await tx.records.export() == exported
    assert await store.export(UserRef("telegram", "nobody")) is None


async def test_the_erase_effect_removes_every_row_of_the_learner(store: SqlStore) -> None:
    await fill(store, AMINA)
    other = UserRef("web", "browser-1")
    await set_step(store, other, "menu")
    async with store.turn(AMINA, "erase") as tx:
        assert tx is not None
        tx.save(tx.profile, tx.state, [EraseLearner(), CompleteLesson("maths", "l2")])
    counts = await rows_per_table(store)
    assert counts["users"] == 1 and counts["processed_updates"] == 2
    assert counts["lesson_progress"] == counts["quiz_attempts"] == counts["telegram_polls"] == 0
    assert await store.lookup_poll("5551234") is None
    assert await store.export(AMINA) is None
    assert await step_of(store, other) == "menu"


async def test_erase_by_reference(store: SqlStore) -> None:
    await fill(store, AMINA)
    assert await store.erase(AMINA) is True
    assert await store.erase(AMINA) is False
    counts = await rows_per_table(store)
    assert counts["users"] == counts["telegram_polls"] == counts["quiz_attempts"] == 0


async def test_polls_map_back_to_their_prompt(store: SqlStore) -> None:
    user_id = await fill(store, AMINA)
    await store.remember_poll("5551234", user_id, 2, ["a", "b"])  # remembered twice: harmless
    assert await store.lookup_poll("5551234") == (AMINA, 2, ["a", "b"])
    assert await store.lookup_poll("unknown") is None


async def test_prune_processed_forgets_old_keys(store: SqlStore) -> None:
    await set_step(store, AMINA, "menu", "telegram:1")
    assert await store.prune_processed(datetime.now(UTC) - timedelta(hours=1)) == 0
    assert await store.prune_processed(datetime.now(UTC) + timedelta(seconds=1)) == 1
    async with store.turn(AMINA, "telegram:1") as tx:
        assert tx is not None


async def test_old_claims_are_forgotten_in_batches_and_recent_ones_kept(store: SqlStore) -> None:
    from bot.housekeeping import KEEP_CLAIMS, tidy

    for n in range(5):
        await set_step(store, AMINA, "menu", f"telegram:{n}")
    assert await tidy(store, datetime.now(UTC)) == 0, "recent claims guard against retries"
    later = datetime.now(UTC) + KEEP_CLAIMS + timedelta(seconds=1)
    assert await store.prune_processed(later - KEEP_CLAIMS, batch=2) == 5


async def test_store_calls_inside_a_turn_fail_fast(store: SqlStore) -> None:
    async with store.turn(AMINA, "k1") as tx:
        assert tx is not None
        with pytest.raises(RuntimeError, match=r"open store\.turn"):
            await store.count_users()
        with pytest.raises(RuntimeError, match=r"open store\.turn"):
            await store.remember_poll("1", tx.user_id, 1, ["a"])
        with pytest.raises(RuntimeError, match=r"open store\.turn"):
            async with store.turn(UserRef("web", "someone else")):
                pass
    assert await store.count_users() == 1


async def increment(store: SqlStore, user: UserRef, key: str) -> bool:
    """One turn adding 1 to state.data["n"], yielding to other tasks in between."""
    async with store.turn(user, key) as tx:
        assert tx is not None
        data = dict(tx.state.data)
        await asyncio.sleep(0)
        data["n"] = data.get("n", 0) + 1
        tx.save(tx.profile, DialogState(tx.state.step, data, tx.state.prompt))
        return tx.is_new


async def test_concurrent_turns_of_one_learner_are_serialised(store: SqlStore) -> None:
    await asyncio.gather(*(increment(store, AMINA, f"k{i}") for i in range(50)))
    exported = await store.export(AMINA)
    assert exported is not None and exported["state"]["data"]["n"] == 50


async def test_concurrent_first_messages_create_one_learner(store: SqlStore) -> None:
    created = await asyncio.gather(*(increment(store, AMINA, f"k{i}") for i in range(20)))
    assert created.count(True) == 1
    assert await store.count_users() == 1


async def test_two_workers_on_one_database_serialise_a_learner(database_url: str) -> None:
    engines = [create_engine(database_url), create_engine(database_url)]
    try:
        stores = [SqlStore(engine) for engine in engines]
        await asyncio.gather(*(increment(stores[i % 2], AMINA, f"k{i}") for i in range(40)))
        exported = await stores[0].export(AMINA)
        assert exported is not None and exported["state"]["data"]["n"] == 40
        assert await stores[1].count_users() == 1
    finally:
        for engine in engines:
            await engine.dispose()


async def test_state_survives_a_restart(database_url: str) -> None:
    engine = create_engine(database_url)
    await set_step(SqlStore(engine), AMINA, "lesson.show", "telegram:1")
    await engine.dispose()
    engine = create_engine(database_url)
    try:
        async with SqlStore(engine).turn(AMINA, "telegram:2") as tx:
            assert tx is not None and not tx.is_new
            assert tx.state.step == "lesson.show"
    finally:
        await engine.dispose()


async def test_an_essay_is_kept_replaced_exported_and_erased(store: SqlStore) -> None:
    user = UserRef("telegram", "essay-writer")
    for text in ("Première réponse.", "Réponse corrigée."):
        async with store.turn(user) as tx:
            assert tx is not None
            tx.save(tx.profile, tx.state, [SubmitEssay("francais", "redaction", "q1", text)])
    exported = await store.export(user)
    assert exported is not None
    assert [(e["question_id"], e["text"]) for e in exported["essays"]] == [
        ("q1", "Réponse corrigée.")
    ]
    assert await store.erase(user)
    assert await store.export(user) is None
