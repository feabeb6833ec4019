"""The weekly summary to a guardian on real databases, with a clock the test moves: its whole
text in the guardian's language, Sunday 18:00 in the guardian's zone, never in quiet hours,
once a week whatever the passes; a guardian on the web chat has it waiting in the outbox for
the inbox. Also: export and erasure cover guardians and the learner's sex."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import text

from bot.conversations import Conversations
from bot.families import SummaryLoop
from dialogs.reminding import QuietHours
from tests.integration.test_reminders import Clock
from tests.store_driver import Person, open_conversations

TUESDAY = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # Dakar is UTC+0, N'Djamena UTC+1


@asynccontextmanager
async def bot_at(
    database_url: str, clock: Clock, quiet: QuietHours | None = None
) -> AsyncIterator[tuple[Conversations, SummaryLoop]]:
    async with open_conversations(database_url) as conversations:
        conversations.clock = lambda: clock.now
        loop = SummaryLoop(
            conversations.store,
            conversations.i18n,
            lambda: conversations.library,
            quiet or QuietHours(),
            clock=lambda: clock.now,
        )
        yield conversations, loop


async def sql(talk: Conversations, query: str, **params: object) -> list[tuple[object, ...]]:
    async with talk.store.transaction() as runner:
        return [tuple(row) for row in await runner.run(query, **params)]


async def queued(talk: Conversations, channel: str, external_id: str) -> list[dict[str, str]]:
    """The notices in the outbox for that person, oldest first (all their languages)."""
    async with talk.store.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT b.texts FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id"
                " JOIN users u ON u.id = o.user_id WHERE u.channel = :c"
                " AND u.external_id = :ext ORDER BY o.id"
            ),
            {"c": channel, "ext": external_id},
        )
        return [json.loads(t) if isinstance(t, str) else t for (t,) in rows]


async def linked(
    talk: Conversations, guardian: Person, country: str = "Sénégal", english: bool = False
) -> Person:
    """Awa (Telegram) invites `guardian`, who onboards in `country` and accepts."""
    awa = Person.on(talk, "telegram", "awa")
    await awa.onboard()
    await awa.send("/famille")
    await awa.tap("Inviter un parent")
    said = await awa.send("Awa")
    code = awa.texts(said).split("/parent ")[1].split()[0]
    await guardian.onboard(country=country)
    if english:
        await guardian.send("/langue")
        await guardian.tap("English")
    await guardian.send(f"/parent {code}")
    await guardian.tap("J'accepte" if not english else "I agree")
    return awa


async def a_week_of_work(talk: Conversations, awa: Person) -> None:
    """Three days of learning, one lesson finished, one skill answered, one work late."""
    ((uid,),) = await sql(talk, "SELECT id FROM users WHERE external_id = 'awa'")
    for day in (2, 3, 5):
        await sql(
            talk,
            "INSERT INTO learning_days (user_id, day) VALUES (:uid, :day)",
            uid=uid,
            day=(TUESDAY + timedelta(days=day - 1)).date(),
        )
    await sql(
        talk,
        "INSERT INTO lesson_progress (user_id, course_id, lesson_id, completed_at)"
        " VALUES (:uid, 'fractions', 'parts-egales', :at)",
        uid=uid,
        at=TUESDAY + timedelta(days=1),
    )
    await sql(
        talk,
        "INSERT INTO skill_mastery (user_id, skill, p_known, answers, correct, updated_at)"
        " VALUES (:uid, 'MATH-CM-FRAC-SENS', 0.97, 4, 4, :at)",
        uid=uid,
        at=TUESDAY + timedelta(days=1),
    )


async def test_the_summary_goes_on_sunday_at_six_with_the_week_in_words(
    database_url: str,
) -> None:
    clock = Clock(TUESDAY)
    async with bot_at(database_url, clock) as (talk, loop):
        mother = Person.on(talk, "whatsapp", "22177000002")
        awa = await linked(talk, mother)
        assert "premier résumé le 6 décembre 2026" in mother.texts()
        await a_week_of_work(talk, awa)
        clock.at(6, 17, 59)  # Sunday, Dakar
        assert await loop.run_once() == 0
        clock.at(6, 18)
        assert await loop.run_once() == 1
        assert await loop.run_once() == 0, "once a week"
        [notice] = await queued(talk, "whatsapp", "22177000002")
        assert notice == {
            "fr": "👪 La semaine d'Awa\n"
            "📅 3 jours d'étude sur 7.\n"
            "📚 1 leçon terminée : « Partager en parts égales ».\n"
            "🎯 Compétences travaillées :\n"
            "✅ Partager en parts égales : maîtrisé\n"
            "Pour ne plus recevoir ces résumés : /stop_parent"
        }
        clock.at(13, 18)  # the next Sunday: a quiet week
        assert await loop.run_once() == 1
        quiet_week = (await queued(talk, "whatsapp", "22177000002"))[-1]["fr"]
        assert quiet_week == (
            "👪 La semaine d'Awa\n"
            "📅 0 jour d'étude sur 7.\n"
            "📚 Aucune leçon terminée cette semaine.\n"
            "💬 Un mot d'encouragement peut l'aider à reprendre cette semaine.\n"
            "Pour ne plus recevoir ces résumés : /stop_parent"
        )
        await mother.send("/stop_parent")
        clock.at(20, 18)
        assert await loop.run_once() == 0


async def test_the_summary_is_in_the_guardians_language_and_time_zone(
    database_url: str,
) -> None:
    clock = Clock(TUESDAY)
    async with bot_at(database_url, clock) as (talk, loop):
        father = Person.on(talk, "telegram", "father")
        awa = await linked(talk, father, country="Tchad", english=True)
        await a_week_of_work(talk, awa)
        clock.at(6, 17)  # 18:00 in N'Djamena
        assert await loop.run_once() == 1
        [notice] = await queued(talk, "telegram", "father")
        assert notice == {
            "en": "👪 Awa's week\n"
            "📅 3 days of study out of 7.\n"
            "📚 1 lesson finished: « Partager en parts égales ».\n"
            "🎯 Skills practised:\n"
            "✅ Partager en parts égales: mastered\n"
            "To stop receiving these summaries: /stop_parent"
        }


async def test_a_summary_late_at_night_waits_for_the_morning(database_url: str) -> None:
    clock = Clock(TUESDAY)
    async with bot_at(database_url, clock) as (talk, loop):
        web = Person.on(talk, "web", "web-guardian")
        await linked(talk, web)
        clock.at(6, 22)  # the loop was down at six: now it is night in Dakar
        assert await loop.run_once() == 0
        ((due,),) = await sql(talk, "SELECT next_summary_at FROM guardians")
        assert str(due).startswith("2026-12-07 07:00")
        clock.at(7, 7)
        assert await loop.run_once() == 1
        assert len(await queued(talk, "web", "web-guardian")) == 1, "waits for the inbox"
        ((due,),) = await sql(talk, "SELECT next_summary_at FROM guardians")
        assert str(due).startswith("2026-12-13 18:00")


async def test_a_deployment_whose_quiet_hours_cover_six_sends_at_their_end(
    database_url: str,
) -> None:
    clock = Clock(TUESDAY)
    quiet = QuietHours(time(17), time(19))
    async with bot_at(database_url, clock, quiet) as (talk, loop):
        mother = Person.on(talk, "whatsapp", "22177000003")
        await linked(talk, mother)
        clock.at(6, 18)
        assert await loop.run_once() == 0
        clock.at(6, 19)
        assert await loop.run_once() == 1


async def test_both_sides_export_the_link_and_the_learner_her_answer(database_url: str) -> None:
    clock = Clock(TUESDAY)
    async with bot_at(database_url, clock) as (talk, _loop):
        mother = Person.on(talk, "whatsapp", "22177000004")
        awa = await linked(talk, mother)
        await sql(
            talk,
            "INSERT INTO learner_sex (user_id, sex, updated_at)"
            " SELECT id, 'girl', :now FROM users WHERE external_id = 'awa'",
            now=TUESDAY,
        )
        mine = await talk.store.export(awa.user)
        theirs = await talk.store.export(mother.user)
        assert mine is not None and theirs is not None
        assert mine["sex"] == [{"sex": "girl", "updated_at": TUESDAY.isoformat()}]
        [link] = mine["family"]["guardians"]
        assert link["learner_name"] == "Awa" and link["accepted_at"] == TUESDAY.isoformat()
        assert link["next_summary_at"] == "2026-12-06T18:00:00+00:00"
        assert mine["family"]["following"] == []
        assert [f["learner_name"] for f in theirs["family"]["following"]] == ["Awa"]
        assert theirs["sex"] == [] and theirs["family"]["guardians"] == []
