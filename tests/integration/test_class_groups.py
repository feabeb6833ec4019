"""Teaching at the right level on the real store: a teacher sees the class grouped by level
per skill (smallest groups first), gives work to one group only (told, listed in /devoirs,
counted and reminded for that group alone), and sees who has been absent and tells their
families, each about their own child; a forged state reaches no other class."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.conversations import Conversations
from bot.links import ClassLinks
from bot.storage.families import days_away
from bot.storage.reports import SqlReportDesk
from bot.storage.sql import as_json
from bot.storage.teaching import SqlTeachingDesk
from dialogs.messages import Document
from dialogs.ports import RecordAnswer
from dialogs.report_ports import AbsentFamily
from dialogs.state import DialogState
from dialogs.teaching_ports import Group
from tests.integration.test_class_reports import new_teacher, play, sql, stored_state, student
from tests.integration.test_family_summaries import TUESDAY, bot_at, linked, queued
from tests.integration.test_reminders import Clock
from tests.integration.test_teachers_classes import invite_code, national_admin
from tests.store_driver import Person, open_conversations

COURSE = "fractions"
FIRST = "parts-egales"
SENS = "MATH-CM-FRAC-SENS"
COMPARER = "MATH-CM-FRAC-COMPARER"


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        conversations.links = ClassLinks("https://ecole.example.org")
        yield conversations


def first_try(question: str, correct: bool, skill: str = SENS) -> RecordAnswer:
    """A first try at a question of the first lesson, testing a skill."""
    return RecordAnswer(
        COURSE, FIRST, question, "b", 1.0 if correct else 0.0, correct, skills=(skill,)
    )


async def a_class(talk: Conversations, database_url: str) -> tuple[Person, dict[str, Person]]:
    """Awa mastered the sense of fractions (three right), Moussa is on the way (one right),
    Fatou and Binta need help (one wrong), Omar has not answered; Awa also compared well."""
    code = await invite_code(await national_admin(talk, database_url))
    teacher, join = await new_teacher(talk, code, "teacher", "CM2 A")
    names = ("Awa", "Moussa", "Fatou", "Binta", "Omar")
    students = {name: await student(talk, name, join) for name in names}
    await play(talk, students["Awa"], *(first_try(q, True) for q in ("q1", "q2", "q3")))
    await play(talk, students["Awa"], first_try("q9", True, COMPARER))
    await play(talk, students["Moussa"], first_try("q1", True))
    await play(talk, students["Fatou"], first_try("q1", False))
    await play(talk, students["Binta"], first_try("q1", False))
    return teacher, students


async def open_groups(teacher: Person) -> list[str]:
    """The groups page of the class: its messages' texts."""
    await teacher.send("/classes")
    await teacher.tap("CM2 A")
    replies = await teacher.tap("Groupes par niveau")
    return [getattr(out, "text", "") for out in replies]


async def recipients(talk: Conversations, broadcast_id: int) -> set[str]:
    """Who a broadcast's outbox rows go to (external ids)."""
    rows = await sql(
        talk,
        "SELECT u.external_id FROM outbox o JOIN users u ON u.id = o.user_id"
        " WHERE o.broadcast_id = :id",
        id=broadcast_id,
    )
    return {str(row[0]) for row in rows}


async def class_id(talk: Conversations) -> int:
    rows = await sql(talk, "SELECT id FROM classes WHERE name = 'CM2 A'")
    return int(rows[0][0])


async def test_the_class_by_level_per_skill_smallest_groups_first(
    talk: Conversations, database_url: str
) -> None:
    teacher, _ = await a_class(talk, database_url)
    texts = await open_groups(teacher)
    assert texts[0] == "🎯 « CM2 A » par niveau · Les fractions"
    assert texts[1] == (
        f"🎯 Partager en parts égales ({SENS})\n"
        "📈 En bonne voie (1) : Moussa\n"
        "✅ Maîtrisé (1) : Awa\n"
        "🔁 À aider (2) : Binta, Fatou\n"
        "⬜ Pas encore de réponse (1) : Omar"
    )
    assert texts[2] == (
        f"🎯 Comparer des fractions ({COMPARER})\n"
        "📈 En bonne voie (1) : Awa\n"
        "⬜ Pas encore de réponse (4) : Binta, Fatou, Moussa, Omar"
    )
    assert len(texts) == 2 + 4 + 1, "a title, one message per skill of the course, the CSV"
    (csv_file,) = [
        out
        for out in teacher.sent
        if isinstance(out, Document) and out.filename.startswith("niveaux-")
    ]
    rows = list(csv.reader(io.StringIO(csv_file.data.decode("utf-8-sig"))))
    assert rows[0] == ["élève", "compétence", "code", "niveau"]
    assert ["Fatou", "Partager en parts égales", SENS, "À aider"] in rows
    assert not any("0." in cell for row in rows for cell in row), "never a probability"
    assert teacher.options()[:5] == [
        "📈 En bonne voie (1) · Partager en parts égales",
        "✅ Maîtrisé (1) · Partager en parts égales",
        "🔁 À aider (2) · Partager en parts égales",
        "⬜ Pas encore de réponse (1) · Partager en parts égales",
        "📈 En bonne voie (1) · Comparer des fractions",
    ]


async def test_work_for_one_group_reaches_that_group_only(
    talk: Conversations, database_url: str
) -> None:
    teacher, students = await a_class(talk, database_url)
    await open_groups(teacher)
    replies = await teacher.tap("À aider (2) · Partager en parts égales")
    assert teacher.texts(replies).startswith(
        "Un travail pour 2 élèves seulement (🎯 : les leçons de la compétence). « Les fractions »"
    )
    assert teacher.options()[:3] == [
        "📘 Tout le cours",
        "🎯 1. Partager en parts égales",
        "2. Comparer des fractions",
    ]
    await teacher.tap("1. Partager en parts égales")
    replies = await teacher.tap("Sans date limite")
    assert "Le travail est donné : 2 élèves sont prévenus." in teacher.texts(replies)
    (notice,) = await sql(talk, "SELECT id FROM broadcasts")
    assert await recipients(talk, int(notice[0])) == {"221-Fatou", "221-Binta"}
    await students["Fatou"].send("/devoirs")
    assert "⏳ « Les fractions · Partager en parts égales » (classe « CM2 A ») : à faire." in (
        students["Fatou"].texts()
    )
    await students["Awa"].send("/devoirs")
    assert "Vous n'avez aucun travail à faire pour le moment." in students["Awa"].texts()
    await teacher.send("/classes")
    replies = await teacher.tap("CM2 A")
    assert (
        "📚 « Les fractions · Partager en parts égales », sans date limite : 0 élève sur 2 a "
        "fini. (groupe « à aider » · Partager en parts égales)"
    ) in teacher.texts(replies)
    exported = await talk.store.export(students["Fatou"].user)
    assert exported is not None and [
        (w["course_id"], w["lesson_id"], w["skill"], w["skill_level"])
        for w in exported["group_work"]
    ] == [(COURSE, FIRST, SENS, "to_review")]
    awa = await talk.store.export(students["Awa"].user)
    assert awa is not None and awa["group_work"] == []
    assert await talk.store.erase(students["Fatou"].user)
    rows = await sql(talk, "SELECT COUNT(*) FROM assignment_students")
    assert rows[0][0] == 1, "Binta's row stays, Fatou's is gone"


async def test_back_from_a_groups_work_is_the_groups_page_of_the_same_course(
    talk: Conversations, database_url: str
) -> None:
    teacher, _ = await a_class(talk, database_url)
    await open_groups(teacher)
    await teacher.tap("À aider (2) · Partager en parts égales")
    data = await stored_state(talk, teacher)
    assert data["flows"]["class_groups"] == {"course": COURSE}  # kept: it called the work
    assert data["flows"]["assignments"]["group"]["users"] != []
    assert [frame["callee"] for frame in data["calls"]] == ["class_groups", "assignments"]
    replies = await teacher.tap("⬅️ Les groupes")
    texts = [getattr(out, "text", "") for out in replies]
    assert texts[0] == "🎯 « CM2 A » par niveau · Les fractions"
    data = await stored_state(talk, teacher)
    assert set(data["flows"]) - {"classes", "class_in_hand"} == {"class_groups"}  # its caller's
    await teacher.tap("La classe")
    data = await stored_state(talk, teacher)
    assert (set(data.get("flows", {})) - {"classes", "class_in_hand"}, "calls" in data) == (
        set(),
        False,
    )


async def test_a_group_button_tapped_after_the_groups_changed_shows_them_anew(
    talk: Conversations, database_url: str
) -> None:
    teacher, students = await a_class(talk, database_url)
    await open_groups(teacher)
    await play(talk, students["Omar"], first_try("q1", True))  # Omar answers meanwhile
    replies = await teacher.tap("Pas encore de réponse (1) · Partager en parts égales")
    texts = [getattr(out, "text", "") for out in replies]
    assert texts[0] == "Les groupes ont changé depuis : les voici à jour."
    assert "📈 En bonne voie (2) : Moussa, Omar" in texts[2]
    assert await sql(talk, "SELECT id FROM assignments") == []


async def test_a_group_deadline_reminds_that_group_only(
    talk: Conversations, database_url: str
) -> None:
    teacher, _ = await a_class(talk, database_url)
    await open_groups(teacher)
    await teacher.tap("Maîtrisé (1) · Partager en parts égales")
    await teacher.tap("2. Comparer des fractions")
    replies = await teacher.tap("Dans une semaine")
    assert "Le travail est donné : 1 élève est prévenu." in teacher.texts(replies)
    rows = await sql(
        talk, "SELECT b.audience FROM assignments a JOIN broadcasts b ON b.id = a.reminder_id"
    )
    audience = as_json(rows[0][0])
    assert len(audience["user_ids"]) == 1 and audience["class_ids"] == [await class_id(talk)]


async def test_a_forged_group_never_reaches_another_class(
    talk: Conversations, database_url: str
) -> None:
    teacher, _ = await a_class(talk, database_url)
    other = Person.on(talk, "telegram", "stranger")
    await other.onboard()
    stranger = int((await sql(talk, "SELECT id FROM users WHERE external_id = 'stranger'"))[0][0])
    cid = await class_id(talk)
    async with talk.store.turn(teacher.user) as tx:
        assert tx is not None
        desk = SqlTeachingDesk(tx.runner, tx.user_id)
        assert await desk.assign(cid, COURSE, None, None, Group(SENS, "new", (stranger,))) is None
        group = {"skill": "x" * 500, "level": "y" * 500, "users": [stranger]}
        data = {"class": cid, "work": {"course": COURSE, "lesson": None, "group": group}}
        tx.save(tx.profile, DialogState(step="work_deadline", data=data, prompt=tx.state.prompt))
    replies = await teacher.send("Sans date limite")
    assert "Aucun élève de ce groupe n'est encore dans la classe." in teacher.texts(replies)
    assert await sql(talk, "SELECT id FROM assignments") == []
    assert await sql(talk, "SELECT id FROM broadcasts") == []
    for forged in ("x", ["x"], {"users": "x"}):
        async with talk.store.turn(teacher.user) as tx:
            assert tx is not None
            data = {"class": cid, "work": {"course": COURSE, "group": forged}}
            tx.save(tx.profile, DialogState(step="work_lesson", data=data, prompt=tx.state.prompt))
        replies = await teacher.send("Tout le cours")
        assert "À finir pour quand ?" in teacher.texts(replies), forged


async def test_a_student_cannot_reach_the_groups(talk: Conversations, database_url: str) -> None:
    _, students = await a_class(talk, database_url)
    cid = await class_id(talk)
    for step in ("class_groups", "class_group_view", "class_absent"):
        async with talk.store.turn(students["Awa"].user) as tx:
            assert tx is not None
            data = {"class": cid, "groups_course": COURSE}
            tx.save(tx.profile, DialogState(step=step, data=data, prompt=tx.state.prompt))
        replies = await students["Awa"].send("1")
        assert "réservée aux enseignants" in students["Awa"].texts(replies), step


async def away(talk: Conversations, external_id: str, days: float) -> None:
    """The person last came `days` ago."""
    at = datetime.now(UTC) - timedelta(days=days)
    await sql(
        talk, "UPDATE users SET last_seen_at = :t WHERE external_id = :e", t=at, e=external_id
    )


async def guardian_of(talk: Conversations, learner: Person, guardian: str, name: str) -> Person:
    """A guardian who accepted the learner's invitation (their weekly summary's receiver)."""
    await learner.send("/famille")
    await learner.tap("Inviter un parent")
    said = await learner.send(name)
    code = learner.texts(said).split("/parent ")[1].split()[0]
    parent = Person.on(talk, "telegram", guardian)
    await parent.onboard()
    await parent.send(f"/parent {code}")
    await parent.tap("J'accepte")
    return parent


async def test_absences_are_listed_and_families_told_each_of_their_own_child(
    talk: Conversations, database_url: str
) -> None:
    teacher, students = await a_class(talk, database_url)
    await guardian_of(talk, students["Fatou"], "mother-of-fatou", "Fatou D.")
    await guardian_of(talk, students["Awa"], "father-of-awa", "Awa S.")
    await away(talk, "221-Fatou", 10.5)
    await away(talk, "221-Omar", 8.2)
    await away(talk, "221-Awa", 2)
    await teacher.send("/classes")
    await teacher.tap("CM2 A")
    replies = await teacher.tap("Absences")
    assert teacher.texts(replies) == (
        "😴 « CM2 A » : 2 élèves ne sont pas venus depuis 7 jours ou plus :\n"
        "• Fatou : 10 jours\n"
        "• Omar : 8 jours\n"
        "1 famille reçoit le résumé de la semaine et peut être prévenue."
    )
    assert teacher.options() == [
        "👪 Prévenir leurs familles",
        "⏱️ Absent après 3 jours",
        "⏱️ Absent après 14 jours",
        "🔕 Plus d'alerte le lundi",
        "⬅️ La classe",
    ]
    replies = await teacher.tap("Prévenir leurs familles")
    assert "1 famille est prévenue, chacune seulement pour son enfant." in teacher.texts(replies)
    rows = await sql(
        talk,
        "SELECT u.external_id, b.texts FROM outbox o JOIN users u ON u.id = o.user_id"
        " JOIN broadcasts b ON b.id = o.broadcast_id WHERE u.external_id LIKE '%-of-%'",
    )
    assert [(str(who), as_json(texts)["fr"]) for who, texts in rows] == [
        (
            "mother-of-fatou",
            "👪 Bonjour. Fatou D. n'est pas venu(e) apprendre sur Imaginecole depuis 10 jours. "
            "Un mot d'encouragement peut l'aider à reprendre. — Son enseignant(e)",
        )
    ]
    await teacher.send("/classes")
    await teacher.tap("CM2 A")
    replies = await teacher.tap("Absences")
    assert "famille" not in teacher.texts(replies), "told once per absence"
    assert "👪 Prévenir leurs familles" not in teacher.options()
    mother = await talk.store.export(Person.on(talk, "telegram", "mother-of-fatou").user)
    assert mother is not None and mother["family"]["following"][0]["absence_told_at"]
    replies = await teacher.tap("Absent après 3 jours")
    assert teacher.texts(replies).startswith(
        "😴 « CM2 A » : 2 élèves ne sont pas venus depuis 3 jours ou plus :"
    )
    assert "⏱️ Absent après 7 jours" in teacher.options()


async def test_a_family_of_a_student_who_came_back_is_not_told(
    talk: Conversations, database_url: str
) -> None:
    teacher, students = await a_class(talk, database_url)
    await guardian_of(talk, students["Fatou"], "mother-of-fatou", "Fatou D.")
    await away(talk, "221-Fatou", 10)
    cid = await class_id(talk)
    since = datetime.now(UTC) - timedelta(days=7)
    async with talk.store.turn(teacher.user) as tx:
        assert tx is not None
        desk = SqlReportDesk(tx.runner, tx.user_id)
        (family,) = await desk.absent_families(cid, since)
        forged = AbsentFamily(family.link_id + 1000, family.user_id, "x")
        assert not await desk.tell_family(cid, forged, since, {"fr": "?"})
    await students["Fatou"].send("/menu")  # she comes back
    async with talk.store.turn(teacher.user) as tx:
        assert tx is not None
        desk = SqlReportDesk(tx.runner, tx.user_id)
        assert await desk.absent_families(cid, since) == []
        assert not await desk.tell_family(cid, family, since, {"fr": "?"})


async def test_the_weekly_summary_says_gently_when_a_learner_of_a_class_is_absent(
    database_url: str,
) -> None:
    clock = Clock(TUESDAY)  # Awa comes on Tuesday 1 December, then no more
    async with bot_at(database_url, clock) as (talk, loop):
        mother = Person.on(talk, "whatsapp", "22177000009")
        awa = await linked(talk, mother)
        ((uid,),) = await sql(talk, "SELECT id FROM users WHERE external_id = 'awa'")
        rows = await sql(
            talk,
            "INSERT INTO classes (teacher_id, name, level, subject, join_code, questions_open,"
            " created_at) VALUES (:uid, 'CM2 A', 'cm2', 'maths', 'ABC123', :no, :now)"
            " RETURNING id",
            uid=uid,
            no=False,
            now=TUESDAY,
        )
        await sql(
            talk,
            "INSERT INTO class_members (class_id, user_id, name, joined_at)"
            " VALUES (:cid, :uid, 'Awa', :now)",
            cid=rows[0][0],
            uid=uid,
            now=TUESDAY,
        )
        assert awa.user.external_id == "awa"
        await sql(talk, "UPDATE users SET last_seen_at = :t WHERE id = :uid", t=TUESDAY, uid=uid)
        clock.at(6, 18)  # Sunday: 5 days away, under the class's 7
        assert await loop.run_once() == 1
        clock.at(13, 18)  # 12 days away
        assert await loop.run_once() == 1
        first, second = await queued(talk, "whatsapp", "22177000009")
        encourage = "💬 Un mot d'encouragement peut l'aider à reprendre cette semaine."
        assert encourage in first["fr"] and "n'est pas venu" not in first["fr"]
        assert second["fr"] == (
            "👪 La semaine d'Awa\n"
            "📅 0 jour d'étude sur 7.\n"
            "📚 Aucune leçon terminée cette semaine.\n"
            "💬 Awa n'est pas venu(e) apprendre depuis 12 jours. Un mot d'encouragement peut "
            "l'aider à reprendre cette semaine.\n"
            "Pour ne plus recevoir ces résumés : /stop_parent"
        )
        await sql(talk, "UPDATE classes SET absence_days = 3")
        async with talk.store.transaction() as runner:  # a class that says 3 days
            assert await days_away(runner, int(uid), TUESDAY + timedelta(days=2, hours=23)) == 0
            assert await days_away(runner, int(uid), TUESDAY + timedelta(days=3)) == 3
