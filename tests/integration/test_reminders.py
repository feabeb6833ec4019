"""Daily reminders on real databases, with a clock the test moves across days and zones."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

import bot.reminders
from bot.conversations import Conversations
from bot.reminders import ReminderLoop
from bot.storage import reminders
from bot.storage.outbox import Outbox
from dialogs.events import UserRef
from dialogs.messages import Document
from dialogs.reminding import QuietHours
from tests.store_driver import Person, open_conversations

FRACTIONS = ("Les cours", "Mathématiques", "Les fractions", "Comprendre", "Partager en parts")
DAY_ONE = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # Dakar is UTC+0, N'Djamena UTC+1


@dataclass
class Clock:
    """The time every part of the bot reads in these tests."""

    now: datetime

    def at(self, day: int, hour: int, minute: int = 0, second: int = 0) -> None:
        """Move to day `day` (1 = DAY_ONE's date) at that UTC time."""
        base = DAY_ONE.replace(hour=hour, minute=minute, second=second)
        self.now = base + timedelta(days=day - 1)


@asynccontextmanager
async def bot_at(
    database_url: str, clock: Clock
) -> AsyncIterator[tuple[Conversations, ReminderLoop]]:
    """Conversations and a reminder loop (a worker process) reading `clock`."""
    async with open_conversations(database_url) as conversations:
        conversations.clock = lambda: clock.now
        loop = ReminderLoop(
            conversations.store,
            conversations.i18n,
            lambda: conversations.library,
            QuietHours(),
            clock=lambda: clock.now,
        )
        yield conversations, loop


async def queued(conversations: Conversations, external_id: str) -> list[str]:
    """The reminders in the outbox for that person, oldest first (their French text)."""
    async with conversations.store.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT b.texts FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id"
                " JOIN users u ON u.id = o.user_id WHERE u.external_id = :ext ORDER BY o.id"
            ),
            {"ext": external_id},
        )
        found = [json.loads(t) if isinstance(t, str) else t for (t,) in rows]
    return [texts.get("fr", "") for texts in found]


async def learner_with_a_lesson(conversations: Conversations, name: str, country: str) -> Person:
    """A Telegram learner who opened a lesson (their bookmark) and stopped there."""
    person = Person.on(conversations, "telegram", name)
    await person.onboard(country=country)
    for label in FRACTIONS:
        await person.tap(label)
    return person


async def test_a_reminder_at_six_in_dakar_day_after_day_until_stopped(database_url: str) -> None:
    clock = Clock(DAY_ONE)
    async with bot_at(database_url, clock) as (conversations, loop):
        awa = await learner_with_a_lesson(conversations, "awa", "Sénégal")
        await awa.send("/rappels")
        assert "🔔" in awa.texts(awa.sent[-1:])
        assert "18:00" in awa.options() and "07:00" in awa.options()
        said = await awa.tap("18:00")
        assert "chaque jour à 18:00" in awa.texts(said)
        clock.at(1, 17, 59, 59)
        assert await loop.run_once() == 0
        clock.at(1, 18)
        assert await loop.run_once() == 1
        [first] = await queued(conversations, "awa")
        assert "Partager en parts" in first and "/stop_rappels" in first
        clock.at(1, 18, 1)
        assert await loop.run_once() == 0  # at most one a day
        clock.at(2, 18)
        assert await loop.run_once() == 1
        await awa.send("/stop_rappels")
        assert "plus de rappel" in awa.texts(awa.sent[-2:])
        clock.at(3, 18)
        assert await loop.run_once() == 0
        assert len(await queued(conversations, "awa")) == 2


async def test_no_reminder_on_a_day_the_learner_already_learned(database_url: str) -> None:
    clock = Clock(DAY_ONE)
    async with bot_at(database_url, clock) as (conversations, loop):
        awa = await learner_with_a_lesson(conversations, "awa", "Sénégal")
        await awa.send("/rappels")
        await awa.tap("20:00")
        clock.at(2, 9)
        await awa.send("/menu")
        await awa.tap("Continuer")
        await awa.tap("Suivant")  # a lesson step read: a learning day
        clock.at(2, 20)
        assert await loop.run_once() == 0
        clock.at(3, 20)
        assert await loop.run_once() == 1


async def test_quiet_hours_are_refused_and_typed_times_are_read(database_url: str) -> None:
    clock = Clock(DAY_ONE)
    async with bot_at(database_url, clock) as (conversations, loop):
        ali = Person.on(conversations, "whatsapp", "22177000000")
        await ali.onboard()
        await ali.send("/menu")
        await ali.tap("Langue et profil")
        await ali.tap("Rappels")
        refused = await ali.send("22h")
        assert "Pas de rappel la nuit : entre 21:00 et 07:00" in ali.texts(refused)
        refused = await ali.send("٠٦:٣٠")  # 06:30 in Arabic digits
        assert "Pas de rappel la nuit" in ali.texts(refused)
        unread = await ali.send("à six heures")
        assert "Écrivez-la comme ceci" in ali.texts(unread)
        said = await ali.send("18h30")
        assert "chaque jour à 18:30" in ali.texts(said)
        clock.at(1, 18, 30)
        assert await loop.run_once() == 1
        [reminder] = await queued(conversations, "22177000000")
        assert "Quelques minutes suffisent" in reminder  # nothing concrete yet: gentle line
        await ali.send("/rappels")
        assert "Je vous rappelle chaque jour à 18:30" in ali.texts(ali.sent[-1:])
        stopped = await ali.tap("Ne plus me rappeler")
        assert "je ne vous enverrai plus de rappel" in ali.texts(stopped)
        clock.at(2, 18, 30)
        assert await loop.run_once() == 0


async def test_chad_is_reminded_an_hour_before_senegal(database_url: str) -> None:
    clock = Clock(DAY_ONE)
    async with bot_at(database_url, clock) as (conversations, loop):
        for name, country in (("awa", "Sénégal"), ("moussa", "Tchad")):
            person = await learner_with_a_lesson(conversations, name, country)
            await person.send("/rappels")
            await person.tap("18:00")
        clock.at(1, 16, 59)
        assert await loop.run_once() == 0
        clock.at(1, 17)  # 18:00 in N'Djamena, 17:00 in Dakar
        assert await loop.run_once() == 1
        assert len(await queued(conversations, "moussa")) == 1
        assert await queued(conversations, "awa") == []
        clock.at(1, 18)
        assert await loop.run_once() == 1
        assert len(await queued(conversations, "awa")) == 1


async def test_a_restarted_worker_and_two_racing_workers_queue_once(database_url: str) -> None:
    clock = Clock(DAY_ONE)
    async with bot_at(database_url, clock) as (conversations, _):
        awa = await learner_with_a_lesson(conversations, "awa", "Sénégal")
        await awa.send("/rappels")
        await awa.tap("18:00")
    clock.at(1, 18)
    async with (
        bot_at(database_url, clock) as (_, one),
        bot_at(database_url, clock) as (
            other_conversations,
            two,
        ),
    ):
        counts = await asyncio.gather(one.run_once(), two.run_once(), one.run_once())
        assert sum(counts) == 1
        assert len(await queued(other_conversations, "awa")) == 1
    async with bot_at(database_url, clock) as (restarted, loop):  # after a restart
        clock.at(1, 18, 0, 30)
        assert await loop.run_once() == 0
        assert len(await queued(restarted, "awa")) == 1


async def test_a_reminder_late_by_hours_is_skipped_not_sent_at_night(database_url: str) -> None:
    clock = Clock(DAY_ONE)
    async with bot_at(database_url, clock) as (conversations, loop):
        awa = await learner_with_a_lesson(conversations, "awa", "Sénégal")
        await awa.send("/rappels")
        await awa.tap("20:00")
        clock.at(2, 3)  # the workers were down from 19:00 until 03:00
        assert await loop.run_once() == 0
        clock.at(2, 20)
        assert await loop.run_once() == 1


async def test_the_web_chat_offers_reminders_that_wait_in_the_page(database_url: str) -> None:
    clock = Clock(DAY_ONE)
    async with bot_at(database_url, clock) as (conversations, _):
        web = Person.on(conversations, "web", "tab")
        await web.onboard(country="Sénégal")
        said = await web.send("/rappels")
        assert web.texts(said) == (
            "🔔 Voulez-vous un petit rappel chaque jour pour continuer d'apprendre ?\n"
            "Ici, le rappel vous attend dans cette page : vous le verrez en l'ouvrant, sans "
            "sonnerie quand elle est fermée.\n"
            "Choisissez une heure, ou écrivez-la (par exemple 18h30). Heure de chez vous : Sénégal."
        )
        said = await web.tap("18:00")
        assert "je vous rappellerai chaque jour à 18:00" in web.texts(said)


async def test_a_channel_that_cannot_write_first_offers_no_reminders(database_url: str) -> None:
    clock = Clock(DAY_ONE)
    async with bot_at(database_url, clock) as (conversations, _):
        kiosk = Person.on(conversations, "kiosk", "booth")
        await kiosk.onboard()
        said = await kiosk.send("/rappels")
        assert "Ici, je ne peux pas vous écrire en premier : pas de rappels possibles." in (
            kiosk.texts(said)
        )
        assert "Que voulez-vous faire" in kiosk.texts(said)  # back at the menu


async def test_streaks_in_progress_export_and_erasure(database_url: str) -> None:
    clock = Clock(DAY_ONE)
    async with bot_at(database_url, clock) as (conversations, _):
        awa = await learner_with_a_lesson(conversations, "awa", "Sénégal")
        await awa.send("/rappels")
        await awa.tap("18:00")
        for day in (1, 2, 4):  # day 3 missed: forgiven
            clock.at(day, 9)
            await awa.send("/menu")
            await awa.tap("Continuer")
            await awa.tap("Suivant")
        shown = await awa.send("/progres")
        assert "Série en cours : 3 jours" in awa.texts(shown)
        assert "Meilleure série : 3 jours" in awa.texts(shown)
        clock.at(8, 9)
        shown = await awa.send("/progres")
        assert "s'est arrêtée, ce n'est pas grave" in awa.texts(shown)
        assert "Meilleure série : 3 jours" in awa.texts(shown)
        [document] = [m for m in await awa.send("/mes_donnees") if isinstance(m, Document)]
        data = json.loads(document.content)
        assert [d["day"] for d in data["learning_days"]] == [
            "2026-12-01",
            "2026-12-02",
            "2026-12-04",
        ]
        assert data["reminder"][0]["local_time"] == "18:00"
        assert await conversations.store.erase(UserRef("telegram", "awa"))
        async with conversations.store.engine.connect() as conn:
            for table in ("reminders", "learning_days"):
                left = (await conn.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one()
                assert left == 0


async def test_two_claimers_that_read_the_same_due_row_take_it_once(database_url: str) -> None:
    clock = Clock(DAY_ONE)
    async with bot_at(database_url, clock) as (conversations, _):
        awa = await learner_with_a_lesson(conversations, "awa", "Sénégal")
        await awa.send("/rappels")
        await awa.tap("18:00")
        store = conversations.store
        clock.at(1, 18)
        async with store.turn(awa.user) as tx:  # both read it before either takes it
            assert tx is not None
            seen = await reminders.due_now(tx.runner, clock.now, 10)
            tomorrow = clock.now + timedelta(days=1)
            taken = [await reminders.take(tx.runner, due, tomorrow) for due in seen + seen]
        assert taken == [True, False]


async def test_the_reminder_names_reviews_and_a_close_deadline_without_a_footer(
    database_url: str,
) -> None:
    clock = Clock(DAY_ONE)
    async with bot_at(database_url, clock) as (conversations, loop):
        awa = await learner_with_a_lesson(conversations, "awa", "Sénégal")
        await awa.send("/rappels")
        await awa.tap("17:00")
        async with conversations.store.turn(awa.user) as tx:  # her class, her review deck
            assert tx is not None
            run, me = tx.runner.run, tx.user_id
            for question in ("q1", "q2"):
                await run(
                    "INSERT INTO review_cards (user_id, course_id, lesson_id, question_id,"
                    " card, due) VALUES (:me, 'c', 'l', :q, :card, :due)",
                    me=me,
                    q=question,
                    card={},
                    due=clock.now,
                )
            await run(
                "INSERT INTO classes (id, teacher_id, name, level, subject, join_code,"
                " questions_open, created_at) VALUES (7, :me, 'CM2 B', 'CM2', 'maths',"
                " 'ABC123', FALSE, :now)",
                me=me,
                now=clock.now,
            )
            await run(
                "INSERT INTO class_members (class_id, user_id, name, joined_at)"
                " VALUES (7, :me, 'Awa', :now)",
                me=me,
                now=clock.now,
            )
            course = conversations.library.courses[0]
            await run(
                "INSERT INTO assignments (class_id, course_id, lesson_id, deadline, created_at)"
                " VALUES (7, :course, NULL, :deadline, :now)",
                course=course.id,
                deadline=clock.now + timedelta(days=2),
                now=clock.now,
            )
        clock.at(1, 17)
        assert await loop.run_once() == 1
        [reminder] = await queued(conversations, "awa")
        assert "2 questions à revoir" in reminder
        assert "À rendre avant le" in reminder and course.title in reminder
        [item] = await Outbox(conversations.store, "worker").claim("telegram", 10, clock.now)
        assert item.personal and item.with_footer("stop annonces") == item.text == reminder


async def test_a_pass_takes_every_due_reminder_batch_after_batch(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.reminders, "BATCH", 2)
    clock = Clock(DAY_ONE)
    async with bot_at(database_url, clock) as (conversations, loop):
        for name in ("awa", "binta", "coumba"):
            person = Person.on(conversations, "telegram", name)
            await person.onboard()
            await person.send("/rappels")
            await person.tap("12:00")
        clock.at(1, 12)
        assert await loop.run_once() == 3


async def test_moving_to_another_country_keeps_the_chosen_local_time(database_url: str) -> None:
    clock = Clock(DAY_ONE)
    async with bot_at(database_url, clock) as (conversations, loop):
        awa = await learner_with_a_lesson(conversations, "awa", "Sénégal")
        await awa.send("/rappels")
        await awa.tap("18:00")
        await awa.send("/menu")
        await awa.tap("Langue et profil")
        await awa.tap("Pays")
        await awa.tap("Tchad")
        clock.at(1, 18)  # 19:00 in N'Djamena: not her time any more
        assert await loop.run_once() == 0
        clock.at(2, 17)  # 18:00 in N'Djamena
        assert await loop.run_once() == 1


async def test_a_reminder_that_fails_is_skipped_and_the_others_go(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One learner's reminder that raised failed the whole batch, pass after pass: nobody
    was reminded any more (a poison row)."""
    monkeypatch.setattr(bot.reminders, "BATCH", 2)
    clock = Clock(DAY_ONE)
    async with bot_at(database_url, clock) as (conversations, loop):
        ids = {}
        for name in ("awa", "binta", "coumba"):
            person = Person.on(conversations, "telegram", name)
            await person.onboard()
            await person.send("/rappels")
            await person.tap("12:00")
            async with conversations.store.turn(person.user) as tx:
                assert tx is not None
                ids[name] = tx.user_id
        real = loop._text

        async def text_of(runner: Any, learner: Any, now: datetime) -> str:
            if learner.user_id == ids["awa"]:
                raise KeyError("a course that is gone")
            return await real(runner, learner, now)

        loop._text = text_of  # type: ignore[method-assign]
        clock.at(1, 12)
        assert await loop.run_once() == 2
        assert await queued(conversations, "awa") == []
        assert len(await queued(conversations, "binta")) == 1
        assert await loop.run_once() == 0, "not tried again at every pass"
