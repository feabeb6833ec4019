"""The teacher's Monday alert of absent students on real databases, with a clock the test
moves: scheduled by the first pass, Monday 07:30 in the teacher's zone, once whatever the
passes, nothing when nobody is absent, never in quiet hours, stopped from the class's
absence page; and the class's own number of days."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta

from bot.absences import AbsenceLoop
from bot.admin_cli import grant as cli_grant
from bot.conversations import Conversations
from bot.storage.reports import SqlReportDesk
from dialogs.reminding import QuietHours
from tests.integration.test_family_summaries import TUESDAY, queued, sql
from tests.integration.test_reminders import Clock
from tests.store_driver import Person, open_conversations


@asynccontextmanager
async def bot_at(
    database_url: str, clock: Clock, quiet: QuietHours | None = None
) -> AsyncIterator[tuple[Conversations, AbsenceLoop]]:
    async with open_conversations(database_url) as conversations:
        conversations.clock = lambda: clock.now
        loop = AbsenceLoop(
            conversations.store,
            conversations.i18n,
            lambda: conversations.library,
            quiet or QuietHours(),
            clock=lambda: clock.now,
        )
        yield conversations, loop


async def a_class(
    talk: Conversations, database_url: str, country: str = "Sénégal"
) -> tuple[Person, int]:
    """A teacher (in `country`) with a class of Awa, Fatou and Omar, who all came Tuesday."""
    teacher = Person.on(talk, "telegram", "teacher")
    await teacher.onboard(country=country, role="Enseignant")
    await cli_grant(database_url, "telegram", "teacher", "teacher", "SN")
    ((tid,),) = await sql(talk, "SELECT id FROM users WHERE external_id = 'teacher'")
    ((cid,),) = await sql(
        talk,
        "INSERT INTO classes (teacher_id, name, level, subject, join_code, questions_open,"
        " created_at) VALUES (:tid, 'CM2 A', 'cm2', 'maths', 'ABC123', :no, :now) RETURNING id",
        tid=tid,
        no=False,
        now=TUESDAY,
    )
    for name in ("Awa", "Fatou", "Omar"):
        student = Person.on(talk, "whatsapp", f"221-{name}")
        await student.onboard()
        await sql(
            talk,
            "INSERT INTO class_members (class_id, user_id, name, joined_at)"
            " SELECT :cid, id, :name, :now FROM users WHERE external_id = :ext",
            cid=cid,
            name=name,
            now=TUESDAY,
            ext=f"221-{name}",
        )
    await sql(talk, "UPDATE users SET last_seen_at = :t WHERE external_id LIKE '221-%'", t=TUESDAY)
    return teacher, int(str(cid))


async def came(talk: Conversations, name: str, at: datetime) -> None:
    await sql(talk, "UPDATE users SET last_seen_at = :t WHERE external_id = :e", t=at, e=name)


async def test_the_alert_goes_on_monday_morning_once_naming_who_is_absent(
    database_url: str,
) -> None:
    clock = Clock(TUESDAY)
    async with bot_at(database_url, clock) as (talk, loop):
        await a_class(talk, database_url)
        assert await loop.run_once() == 0, "the first pass schedules, it does not alert"
        ((due,),) = await sql(talk, "SELECT next_absence_at FROM classes")
        assert str(due).startswith("2026-12-07 07:30")  # Monday, Dakar (UTC+0)
        await came(talk, "221-Awa", TUESDAY + timedelta(days=5))
        clock.at(7, 7, 29)
        assert await loop.run_once() == 0
        clock.at(7, 7, 30)  # Fatou and Omar: 5 days and 21 hours, under 7
        assert await loop.run_once() == 0, "nobody is absent: nothing is sent"
        assert await queued(talk, "telegram", "teacher") == []
        await came(talk, "221-Omar", TUESDAY + timedelta(days=9))
        clock.at(14, 7, 30)  # the next Monday: Fatou 12 days away, Awa 7
        assert await loop.run_once() == 1
        assert await loop.run_once() == 0, "once a week"
        [alert] = await queued(talk, "telegram", "teacher")
        assert alert == {
            "fr": "😴 « CM2 A » : 2 élèves ne sont pas venus depuis 7 jours ou plus :\n"
            "• Fatou : 12 jours\n"
            "• Awa : 7 jours\n\n"
            "Pour prévenir les familles ou arrêter cette alerte : /classes, puis la classe, "
            "puis « Absences »."
        }


async def test_the_alert_waits_for_the_end_of_the_quiet_hours_and_follows_the_zone(
    database_url: str,
) -> None:
    clock = Clock(TUESDAY)
    quiet = QuietHours(time(21), time(8))
    async with bot_at(database_url, clock, quiet) as (talk, loop):
        await a_class(talk, database_url, country="Tchad")  # N'Djamena: UTC+1
        await loop.run_once()
        ((due,),) = await sql(talk, "SELECT next_absence_at FROM classes")
        assert str(due).startswith("2026-12-07 07:00"), "08:00 in N'Djamena, not 07:30"
        clock.at(8, 23)  # the loop was down: now it is night in N'Djamena
        assert await loop.run_once() == 0
        ((due,),) = await sql(talk, "SELECT next_absence_at FROM classes")
        assert str(due).startswith("2026-12-09 07:00")
        clock.at(9, 7)
        assert await loop.run_once() == 1


async def test_a_teacher_stops_the_alert_and_sets_the_days(database_url: str) -> None:
    clock = Clock(TUESDAY)
    async with bot_at(database_url, clock) as (talk, loop):
        teacher, cid = await a_class(talk, database_url)
        await loop.run_once()
        await teacher.send("/classes")
        await teacher.tap("CM2 A")
        await teacher.tap("Absences")
        assert "😊 « CM2 A » : tout le monde est venu ces 7 derniers jours." in teacher.texts()
        await teacher.tap("Absent après 3 jours")
        clock.at(5, 12)  # Saturday: everyone away 4 days, over 3
        await teacher.send("/classes")
        await teacher.tap("CM2 A")
        replies = await teacher.tap("Absences")
        assert teacher.texts(replies).startswith(
            "😴 « CM2 A » : 3 élèves ne sont pas venus depuis 3 jours ou plus :"
        )
        replies = await teacher.tap("Plus d'alerte le lundi")
        assert "Plus d'alerte le lundi pour cette classe." in teacher.texts(replies)
        assert "🔔 M'alerter chaque lundi" in teacher.options()
        clock.at(7, 8)
        assert await loop.run_once() == 0
        await teacher.tap("M'alerter chaque lundi")
        assert await loop.run_once() == 0, "turned on again: from the next Monday"
        ((due,),) = await sql(talk, "SELECT next_absence_at FROM classes")
        assert str(due).startswith("2026-12-14 07:30")
        async with talk.store.transaction() as runner:  # another teacher's class: nothing
            other = SqlReportDesk(runner, 10_000, clock.now)
            assert await other.absence_settings(cid) == (7, False)
            assert not await other.set_absence_alerts(cid, True)
            assert not await other.set_absence_days(cid, 1)
        assert clock.now.tzinfo is UTC
