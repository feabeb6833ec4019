"""Assignments on the real store: a teacher gives a course or a lesson to a class with a
deadline; every student is told at once; the reminder is a scheduled notice the outbox queues
once, to those who have not finished; students open their work with /devoirs; taking the work
back cancels the reminder; students and other teachers cannot reach the teacher's steps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.conversations import Conversations
from bot.links import ClassLinks
from bot.storage.outbox import Outbox
from bot.storage.sql import PgRunner, Row, SqliteRunner, utc
from bot.storage.teaching import SqlTeachingDesk
from dialogs.flows import assignments
from dialogs.state import DialogState
from dialogs.when import zone_of
from tests.integration.test_teachers_classes import (
    become_teacher,
    invite_code,
    teacher_with_class,
)
from tests.store_driver import Person, open_conversations

COURSE = "fractions"  # four lessons, for CM2


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        conversations.links = ClassLinks("https://ecole.example.org")
        yield conversations


async def sql(talk: Conversations, query: str, **params: Any) -> list[Row]:
    """Run one statement in a transaction of its own."""
    store = talk.store
    if store.on_sqlite:
        async with store.sqlite_transaction() as db:
            return await SqliteRunner(db).run(query, **params)
    async with store.engine.begin() as conn:
        return await PgRunner(conn).run(query, **params)


async def user_id(talk: Conversations, person: Person) -> int:
    """The person's id in the store."""
    rows = await sql(
        talk,
        "SELECT id FROM users WHERE channel = :ch AND external_id = :ext",
        ch=person.user.channel,
        ext=person.user.external_id,
    )
    return int(rows[0][0])


async def finish(talk: Conversations, person: Person, *lessons: str) -> None:
    """Record lessons of the course as done by a person."""
    uid = await user_id(talk, person)
    for lesson in lessons:
        await sql(
            talk,
            "INSERT INTO lesson_progress (user_id, course_id, lesson_id, completed_at)"
            " VALUES (:uid, :course, :lesson, :now)",
            uid=uid,
            course=COURSE,
            lesson=lesson,
            now=datetime.now(UTC),
        )


async def recipients(talk: Conversations, broadcast_id: int) -> set[str]:
    """Who a broadcast's outbox rows go to (external ids)."""
    rows = await sql(
        talk,
        "SELECT u.external_id FROM outbox o JOIN users u ON u.id = o.user_id"
        " WHERE o.broadcast_id = :id",
        id=broadcast_id,
    )
    return {str(row[0]) for row in rows}


async def reminder(talk: Conversations) -> tuple[int, datetime, str]:
    """The reminder of the only assignment: (broadcast id, when, status)."""
    rows = await sql(
        talk,
        "SELECT b.id, b.scheduled_at, b.status FROM assignments a"
        " JOIN broadcasts b ON b.id = a.reminder_id",
    )
    at = utc(rows[0][1])
    assert at is not None
    return int(rows[0][0]), at, str(rows[0][2])


async def class_of(talk: Conversations, join: str, *names: str) -> list[Person]:
    """Students who joined the class with its code."""
    students = []
    for name in names:
        student = Person.on(talk, "telegram", name)
        await student.onboard()
        await student.send(f"/rejoindre {join}")
        await student.send(name)
        students.append(student)
    return students


async def give(teacher: Person, lesson: str, deadline: str) -> str:
    """The teacher gives the course (or one lesson) from the class page; what they read."""
    await teacher.send("/classes")
    await teacher.tap("CM2 A")
    await teacher.tap("Donner un travail")
    if "➕ Donner un nouveau travail" in teacher.options():  # the class already has work
        await teacher.tap("Donner un nouveau travail")
    await teacher.tap(COURSE)
    await teacher.tap(lesson)
    tapped = deadline in ("Sans date limite", "Dans une semaine")
    replies = await (teacher.tap(deadline) if tapped else teacher.send(deadline))
    return teacher.texts(replies)


async def test_the_class_is_told_and_only_who_has_not_finished_is_reminded_once(
    talk: Conversations, database_url: str
) -> None:
    teacher, join = await teacher_with_class(talk, database_url)
    awa, _, binta = await class_of(talk, join, "awa", "moussa", "binta")
    day = datetime.now(UTC).astimezone(zone_of("SN")).date() + timedelta(days=10)
    told = await give(teacher, "Tout le cours", f"{day:%d/%m} 18:00")
    assert "Le travail est donné : 3 élèves sont prévenus." in told
    deadline = datetime(day.year, day.month, day.day, 18, tzinfo=zone_of("SN")).astimezone(UTC)
    reminder_id, at, status = await reminder(talk)
    assert (at, status) == (deadline - timedelta(hours=24), "scheduled")
    notice = await sql(talk, "SELECT id FROM broadcasts WHERE id <> :id", id=reminder_id)
    assert await recipients(talk, int(notice[0][0])) == {"awa", "moussa", "binta"}
    await finish(talk, awa, "parts-egales")
    await finish(talk, binta, "parts-egales", "comparer", "fraction-quantite", "decimaux")
    outbox = Outbox(talk.store, "w")
    assert await outbox.queue_due(at - timedelta(minutes=1)) == []
    assert await outbox.queue_due(at + timedelta(minutes=1)) == [reminder_id]
    assert await outbox.queue_due(at + timedelta(minutes=2)) == []
    assert await recipients(talk, reminder_id) == {"awa", "moussa"}
    await teacher.send("/classes")
    await teacher.tap("CM2 A")
    assert "« Les fractions », avant le" in teacher.texts()
    assert "1 élève sur 3 a fini." in teacher.texts()


async def test_the_teacher_learns_who_cannot_be_told_now(
    talk: Conversations, database_url: str
) -> None:
    teacher, join = await teacher_with_class(talk, database_url)
    await class_of(talk, join, "awa")
    web = Person.on(talk, "web", "browser-student")  # told through the web chat's inbox
    await web.onboard()
    await web.send(f"/rejoindre {join}")
    await web.send("Fatou")
    kiosk = Person.on(talk, "kiosk", "booth-student")  # a channel that cannot write first
    await kiosk.onboard()
    await kiosk.send(f"/rejoindre {join}")
    await kiosk.send("Binta")
    told = await give(teacher, "Tout le cours", "Sans date limite")
    assert "Le travail est donné : 2 élèves sont prévenus." in told
    assert (
        "1 élève ne peut pas être prévenu maintenant : ce travail l'attend dans /devoirs." in told
    )


async def test_students_list_and_open_their_work(talk: Conversations, database_url: str) -> None:
    teacher, join = await teacher_with_class(talk, database_url)
    awa, binta = await class_of(talk, join, "awa", "binta")
    outsider = Person.on(talk, "telegram", "outsider")
    await outsider.onboard()
    assert "📝 Mes devoirs" not in outsider.options()
    await give(teacher, "Tout le cours", "Sans date limite")
    await give(teacher, "Comparer des fractions", "Dans une semaine")
    await finish(talk, binta, "comparer")
    await awa.send("/menu")
    assert "📝 Mes devoirs" in awa.options()
    await awa.tap("Mes devoirs")
    assert "⏳ « Les fractions · Comparer des fractions » (classe « CM2 A ») : à faire." in (
        awa.texts()
    )
    assert "À finir avant le" in awa.texts() and "Sans date limite." in awa.texts()
    await binta.send("/devoirs")
    assert "✅ « Les fractions · Comparer des fractions » (classe « CM2 A ») : terminé." in (
        binta.texts()
    )
    opened = await awa.tap("Comparer des fractions")
    assert "Suivant" in " ".join(o.label for o in awa.last_prompt().options), opened
    await awa.send("/devoirs")
    whole = next(o for o in awa.last_prompt().options if o.label == "📘 Les fractions")
    page = await awa.tap(whole.id)
    assert "Choisissez une partie" in awa.texts(page)  # the course's page


async def test_a_single_lesson_reminds_who_has_not_done_that_lesson(
    talk: Conversations, database_url: str
) -> None:
    teacher, join = await teacher_with_class(talk, database_url)
    awa, moussa = await class_of(talk, join, "awa", "moussa")
    before = datetime.now(UTC)
    await give(teacher, "Comparer des fractions", "demain 20h")
    after = datetime.now(UTC)
    reminder_id, at, _ = await reminder(talk)
    rows = await sql(talk, "SELECT deadline FROM assignments")
    deadline = utc(rows[0][0])
    assert deadline is not None and deadline - at < timedelta(hours=24)  # closer than 48 h
    assert before + (deadline - before) / 2 <= at <= after + (deadline - after) / 2
    await finish(talk, awa, "parts-egales")  # another lesson of the course: not this one
    await finish(talk, moussa, "comparer")
    assert await Outbox(talk.store, "w").queue_due(deadline) == [reminder_id]
    assert await recipients(talk, reminder_id) == {"awa"}


async def test_taking_work_back_cancels_its_reminder(
    talk: Conversations, database_url: str
) -> None:
    teacher, join = await teacher_with_class(talk, database_url)
    await class_of(talk, join, "awa")
    await give(teacher, "Tout le cours", "Dans une semaine")
    reminder_id, at, _ = await reminder(talk)
    await teacher.send("/classes")
    await teacher.tap("CM2 A")
    await teacher.tap("Donner un travail")
    assert "1. 📚 « Les fractions », avant le" in teacher.texts()
    await teacher.tap("Retirer le travail n°1")
    assert "son rappel ne partira pas" in teacher.texts()
    status = await sql(talk, "SELECT status FROM broadcasts WHERE id = :id", id=reminder_id)
    assert status[0][0] == "cancelled"
    assert await sql(talk, "SELECT id FROM assignments") == []
    assert await Outbox(talk.store, "w").queue_due(at + timedelta(days=1)) == []
    assert await recipients(talk, reminder_id) == set()


async def test_a_typed_deadline_must_be_within_120_days(
    talk: Conversations, database_url: str
) -> None:
    teacher, join = await teacher_with_class(talk, database_url)
    await class_of(talk, join, "awa")
    far = datetime.now(UTC).date() + timedelta(days=200)
    told = await give(teacher, "Tout le cours", f"{far:%d/%m/%Y} 08:00")
    assert "pas dans les 120 prochains jours" in told
    assert await sql(talk, "SELECT id FROM assignments") == []


async def test_a_student_cannot_reach_the_teacher_steps(talk: Conversations) -> None:
    student = Person.on(talk, "telegram", "student")
    await student.onboard()
    for step in ("work_home", "work_course", "work_lesson", "work_deadline"):
        async with talk.store.turn(student.user) as tx:
            assert tx is not None
            data = {"class": 1, "work": {"course": COURSE, "lesson": None}}
            tx.save(tx.profile, DialogState(step=step, data=data, prompt=tx.state.prompt))
        replies = await student.send("1")
        assert "réservée aux enseignants" in student.texts(replies), step
    assert set(assignments.STEPS) >= {"work_home", "work_deadline", "homework"}


async def test_a_teacher_cannot_give_work_to_another_teachers_class(
    talk: Conversations, database_url: str
) -> None:
    _, join = await teacher_with_class(talk, database_url)
    other = Person.on(talk, "telegram", "other-teacher")
    await other.onboard(role="Enseignant")
    await become_teacher(other, await invite_code(Person.on(talk, "telegram", "admin-Sénégal")))
    rows = await sql(talk, "SELECT id FROM classes WHERE join_code = :code", code=join)
    class_id = int(rows[0][0])
    async with talk.store.turn(other.user) as tx:
        assert tx is not None
        data = {"class": class_id, "work": {"course": COURSE, "lesson": None}}
        tx.save(tx.profile, DialogState(step="work_deadline", data=data, prompt=tx.state.prompt))
        assert (
            await SqlTeachingDesk(tx.runner, tx.user_id).assign(class_id, COURSE, None, None)
            is None
        )
        assert await SqlTeachingDesk(tx.runner, tx.user_id).assignments(class_id) == []
    replies = await other.send("1")  # "Sans date limite", on a class that is not theirs
    assert "Le travail est donné" not in other.texts(replies)
    assert await sql(talk, "SELECT id FROM assignments") == []
    assert await sql(talk, "SELECT id FROM broadcasts") == []
