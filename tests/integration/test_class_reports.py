"""Seeing the class on the real store: the report (summary, chart, CSV, a student's
answers), grading essays, and "ask my teacher"; never another teacher's class, never for a
student."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from bot.charts import MatplotlibCharts
from bot.conversations import Conversations
from bot.links import ClassLinks
from bot.storage.sql import Row, as_json
from dialogs.events import UserRef
from dialogs.messages import Document
from dialogs.ports import CompleteLesson, Effect, RecordAnswer, RecordQuiz
from dialogs.spreadsheet import csv_bytes
from dialogs.state import DialogState
from tests.integration.test_teachers_classes import become_teacher, invite_code, national_admin
from tests.store_driver import Person, open_conversations

COURSE = "fractions"
FIRST = "parts-egales"


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        conversations.links = ClassLinks("https://ecole.example.org")
        conversations.charts = MatplotlibCharts()
        yield conversations


async def sql(talk: Conversations, statement: str, **params: Any) -> list[Row]:
    """Run one statement in a turn of a bystander (reads and test set-up)."""
    async with talk.store.turn(UserRef("web", "bystander")) as tx:
        assert tx is not None
        return await tx.runner.run(statement, **params)


async def play(talk: Conversations, person: Person, *effects: Effect) -> None:
    """What the lesson and quiz steps record, as one of the person's turns."""
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        tx.save(tx.profile, tx.state, effects)


async def go_to(talk: Conversations, person: Person, step: str, **data: Any) -> None:
    """Put a person at a step with some working data (a stale or forged state)."""
    async with talk.store.turn(person.user) as tx:
        assert tx is not None
        tx.save(tx.profile, DialogState(step=step, data=data, prompt=tx.state.prompt))


async def new_teacher(talk: Conversations, code: str, name: str, room: str) -> tuple[Person, str]:
    """A teacher with one class; the class's join code."""
    teacher = Person.on(talk, "telegram", name)
    await teacher.onboard(role="Enseignant")
    await become_teacher(teacher, code)
    await teacher.tap("Nouvelle classe")
    await teacher.send(room)
    await teacher.tap("CM2")
    replies = await teacher.tap("Mathématiques")
    return teacher, teacher.texts(replies).split("/rejoindre ")[1].split()[0]


async def student(talk: Conversations, name: str, join: str) -> Person:
    """A student who joined the class under `name`."""
    person = Person.on(talk, "whatsapp", f"221-{name}")
    await person.onboard()
    await person.send(f"/rejoindre {join}")
    await person.send(name)
    return person


def said(question: str, answer: str, correct: bool) -> RecordAnswer:
    """A first-try answer to a question of the first lesson of the fractions course."""
    return RecordAnswer(COURSE, FIRST, question, answer, 1.0 if correct else 0.0, correct)


async def a_class(talk: Conversations, database_url: str) -> tuple[Person, list[Person]]:
    """A teacher and three students: Awa finished the course, Moussa is half-way (and
    missed q3 like Fatou), Fatou did one lesson and has not come for ten days."""
    code = await invite_code(await national_admin(talk, database_url))
    teacher, join = await new_teacher(talk, code, "teacher", "CM2 A")
    awa, moussa, fatou = [await student(talk, n, join) for n in ("Awa", "Moussa", "Fatou")]
    lessons = [le.id for le in talk.library.get(COURSE).lessons]  # type: ignore[union-attr]
    # Stored as the quiz records them: option ids ("b" is "5"), "vrai"/"faux", typed text.
    await play(talk, awa, said("q1", "b", True), said("q2", "faux", True))
    await play(talk, awa, said("q3", "un quart", True))
    await play(talk, awa, RecordAnswer(COURSE, "comparer", "q1", "a, b, d", 1.0, True))
    await play(
        talk, awa, RecordQuiz(COURSE, FIRST, 4, 4), *(CompleteLesson(COURSE, le) for le in lessons)
    )
    await play(talk, moussa, said("q1", "b", True), said("q2", "faux", True))
    await play(talk, moussa, said("q3", "1/3", False))
    await play(talk, moussa, RecordQuiz(COURSE, FIRST, 2, 4), RecordQuiz(COURSE, FIRST, 3, 4))
    await play(talk, moussa, *(CompleteLesson(COURSE, le) for le in lessons[:2]))
    await play(talk, fatou, said("q1", "a", False), said("q2", "vrai", False))
    await play(talk, fatou, said("q3", "1/3 ", False))
    await play(talk, fatou, RecordQuiz(COURSE, FIRST, 1, 4), CompleteLesson(COURSE, FIRST))
    away = datetime.now(UTC) - timedelta(days=10)
    await sql(
        talk, "UPDATE users SET last_seen_at = :t WHERE external_id = :f", t=away, f="221-Fatou"
    )
    return teacher, [awa, moussa, fatou]


async def open_class(teacher: Person, name: str = "CM2 A") -> None:
    await teacher.send("/classes")
    await teacher.tap(name)


async def test_the_report_counts_absences_with_the_class_s_own_setting(
    talk: Conversations, database_url: str
) -> None:
    teacher, _ = await a_class(talk, database_url)  # Fatou has not come for ten days
    await sql(talk, "UPDATE classes SET absence_days = 14")
    await open_class(teacher)
    await teacher.tap("Suivi de la classe")
    text = teacher.texts(await teacher.tap("Les fractions"))
    assert "Tout le monde est venu ces 14 derniers jours." in text
    assert "7 jours" not in text
    await sql(talk, "UPDATE classes SET absence_days = 3")
    await open_class(teacher)
    await teacher.tap("Suivi de la classe")
    text = teacher.texts(await teacher.tap("Les fractions"))
    assert "1 élève n'est pas venu depuis 3 jours ou plus : Fatou" in text


async def test_the_report_names_who_finished_and_the_hardest_question(
    talk: Conversations, database_url: str
) -> None:
    teacher, _ = await a_class(talk, database_url)
    await open_class(teacher)
    await teacher.tap("Suivi de la classe")
    assert teacher.options()[:2] == ["📘 Les fractions", "📚 Tous les cours"]
    replies = await teacher.tap("Les fractions")
    text = teacher.texts(replies)
    assert "3 élèves ont commencé : Awa, Fatou, Moussa" in text
    assert "1 élève a terminé toutes les leçons : Awa" in text
    assert "1 élève n'est pas venu depuis 7 jours ou plus : Fatou" in text
    assert "Score moyen (meilleur essai de chaque quiz)" in text
    hardest = text.split("Les questions les plus difficiles :")[1]
    first = hardest.strip().splitlines()[0]
    assert first.startswith("1. « Comment lit-on la fraction 1/4 ?")
    assert "67" in first and "« 1/3 » (2 fois)" in first
    chart = next(m for m in replies if isinstance(m, Document) and m.mime == "image/png")
    image = Image.open(io.BytesIO(chart.content))
    assert image.format == "PNG" and 400 <= image.width <= 1200 and 300 <= image.height <= 2000
    table = next(m for m in replies if isinstance(m, Document) and m.mime == "text/csv")
    assert table.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "élève",
        "cours",
        "leçon",
        "meilleur score",
        "sur",
        "essais",
        "dernier essai",
    ]
    today = datetime.now(UTC).date().isoformat()
    assert rows[1:] == [
        ["Awa", "Les fractions", "Partager en parts égales", "4", "4", "1", today],
        ["Fatou", "Les fractions", "Partager en parts égales", "1", "4", "1", today],
        ["Moussa", "Les fractions", "Partager en parts égales", "3", "4", "2", today],
    ]
    await teacher.tap("Moussa")
    answers = teacher.texts(teacher.sent[-2:])
    assert "Les réponses de Moussa :" in answers
    assert "❌ Partager en parts égales · Comment lit-on la fraction 1/4 ?" in answers
    assert "« 1/3 »" in answers and "✅" in answers
    assert "Comment lit-on la fraction 1/4 ? Écris-le en lettres. → « 1/3 »" in answers
    assert "quel est le dénominateur ? → « 5 »" in answers


async def stored_state(talk: Conversations, person: Person) -> dict[str, Any]:
    """The working data a person's last turn stored."""
    ((data,),) = await sql(
        talk, "SELECT state_data FROM users WHERE external_id = :ext", ext=person.user.external_id
    )
    found = as_json(data)
    assert isinstance(found, dict)
    return found


async def test_the_courses_reported_are_the_reports_own_until_the_class_page(
    talk: Conversations, database_url: str
) -> None:
    teacher, _ = await a_class(talk, database_url)
    await open_class(teacher)
    await teacher.tap("Suivi de la classe")
    await teacher.tap("Les fractions")
    data = await stored_state(talk, teacher)
    assert data["flows"]["class_reports"] == {"scope": [COURSE]}
    assert [frame["callee"] for frame in data["calls"]] == ["class_reports"]  # the page called
    await teacher.tap("Moussa")
    assert "Les réponses de Moussa :" in teacher.texts(teacher.sent[-2:])
    await teacher.tap("La classe")
    data = await stored_state(talk, teacher)
    assert (set(data.get("flows", {})) - {"classes", "class_in_hand"}, "calls" in data) == (
        set(),
        False,
    )


async def test_answers_read_as_the_learner_saw_them_never_as_option_ids(
    talk: Conversations, database_url: str
) -> None:
    teacher, _ = await a_class(talk, database_url)
    await open_class(teacher)
    await teacher.tap("Suivi de la classe")
    replies = await teacher.tap("Les fractions")
    text = teacher.texts(replies)
    hardest = text.split("Les questions les plus difficiles :")[1].strip().splitlines()
    denominator = next(line for line in hardest if "dénominateur" in line)
    assert "Réponse fausse la plus fréquente : « 3 » (1 fois)" in denominator
    true_false = next(line for line in hardest if "Fatou coupe une mangue" in line)
    assert "« Vrai » (1 fois)" in true_false
    sheets = [m for m in replies if isinstance(m, Document) and m.mime == "text/csv"]
    assert [m.filename.split("-")[0] for m in sheets] == ["suivi", "reponses"]
    rows = list(csv.reader(io.StringIO(sheets[1].content.decode("utf-8-sig"))))
    assert rows[0] == ["élève", "cours", "leçon", "question", "réponse", "juste", "essai", "date"]
    fatou = [row for row in rows[1:] if row[0] == "Fatou"]
    assert [row[4] for row in fatou] == ["3", "Vrai", "1/3"]
    assert [row[5] for row in fatou] == ["non", "non", "non"]
    assert fatou[0][3] == "Dans la fraction 3/5, quel est le dénominateur ?"
    assert {row[4] for row in rows[1:]} >= {"5", "Faux", "un quart"}
    answers = teacher.texts(await teacher.tap("Fatou"))
    awa = teacher.texts(await teacher.tap("Awa"))
    assert "Quelles fractions sont égales à 1/2 ? → « 2/4 ; 3/6 ; 5/10 »" in awa
    denominator = "❌ Partager en parts égales · Dans la fraction 3/5, quel est le dénominateur ?"
    assert f"{denominator} → « 3 »" in answers
    assert "→ « Vrai »" in answers and "« a »" not in answers and "« vrai »" not in answers


FORMULA = '=HYPERLINK("http://x.io","Ok")'


async def test_a_name_that_is_a_formula_is_text_in_the_teachers_csv(
    talk: Conversations, database_url: str
) -> None:
    code = await invite_code(await national_admin(talk, database_url))
    teacher, join = await new_teacher(talk, code, "teacher", "CM2 A")
    for name in (FORMULA, "@SUM(1+1)", "-2+3", "+33"):
        person = await student(talk, name, join)
        await play(talk, person, said("q1", "3", False))
        await play(talk, person, RecordQuiz(COURSE, FIRST, 1, 4), CompleteLesson(COURSE, FIRST))
    await open_class(teacher)
    await teacher.tap("Suivi de la classe")
    replies = await teacher.tap("Les fractions")
    table = next(m for m in replies if isinstance(m, Document) and m.mime == "text/csv")
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    names = sorted(row[0] for row in rows[1:])
    assert names == sorted(["'" + FORMULA, "'@SUM(1+1)", "'-2+3", "'+33"])
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_every_csv_cell_that_reads_as_a_formula_is_quoted() -> None:
    rows = [["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "Awa", "", 3, -2.5]]
    read = next(csv.reader(io.StringIO(csv_bytes(rows).decode("utf-8-sig"))))
    assert read == ["'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "Awa", "", "3", "-2.5"]


async def essay_of(talk: Conversations, person: Person) -> None:
    """A free answer waiting for the teacher (the quiz keeps essays this way)."""
    await sql(
        talk,
        "INSERT INTO essay_answers (user_id, course_id, lesson_id, question_id, text,"
        " submitted_at) SELECT id, :c, :l, 'q3', 'On dit un quart.', :at FROM users"
        " WHERE external_id = :who",
        c=COURSE,
        l=FIRST,
        at=datetime.now(UTC),
        who=person.user.external_id,
    )


async def notices_to(talk: Conversations, person: Person) -> list[dict[str, str]]:
    """The texts of the personal notices queued for a person."""
    rows = await sql(
        talk,
        "SELECT b.texts, b.audience FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id"
        " JOIN users u ON u.id = o.user_id WHERE u.external_id = :who ORDER BY o.id",
        who=person.user.external_id,
    )
    assert all(as_json(audience)["personal"] for _, audience in rows)
    return [as_json(texts) for texts, _ in rows]


async def test_grading_an_essay_tells_the_student(talk: Conversations, database_url: str) -> None:
    teacher, (awa, _, _) = await a_class(talk, database_url)
    await essay_of(talk, awa)
    await open_class(teacher)
    await teacher.tap("À corriger (1)")
    assert "Copie d'Awa" in teacher.texts() and "On dit un quart." in teacher.texts()
    assert "Comment lit-on la fraction 1/4 ?" in teacher.texts()
    await teacher.send("25")
    assert "entre 0 et 20" in teacher.texts()
    await teacher.send("15")
    await teacher.send("Bien, mais attention à l'orthographe.")
    assert "Note enregistrée : 15/20. Awa va la recevoir." in teacher.texts()
    assert "Aucune copie à corriger." in teacher.texts()
    ((score, by),) = await sql(talk, "SELECT score, graded_by FROM essay_answers")
    assert score == 0.75 and by is not None
    (notice,) = await notices_to(talk, awa)
    assert "15/20" in notice["fr"] and "attention à l'orthographe" in notice["fr"]


async def to_a_lesson(talk: Conversations, person: Person) -> list[str]:
    """Read the first lesson of the fractions course to its last step; the options shown."""
    await go_to(talk, person, "course", course=COURSE)
    await person.send("?")  # the course's page again: go_to moved the state only
    await person.tap(person.options()[0])  # the first part of the course
    await person.tap(person.options()[0])  # its first lesson
    while any(label.startswith("Suivant") for label in person.options()):
        await person.tap("Suivant")  # the question to the teacher comes with the last step
    return person.options()


async def test_ask_my_teacher_round_trip_and_muting(talk: Conversations, database_url: str) -> None:
    teacher, (awa, _, _) = await a_class(talk, database_url)
    loner = Person.on(talk, "telegram", "loner")
    await loner.onboard()
    assert not any("Demander" in o for o in await to_a_lesson(talk, loner))
    assert "❓ Demander à mon enseignant" in await to_a_lesson(talk, awa)
    await awa.tap("Demander à mon enseignant")
    await awa.send("Pourquoi 1/4 est plus petit que 1/2 ?")
    assert "Votre question est envoyée" in awa.texts()
    assert "Partager en parts égales" in awa.texts(awa.sent[-1:])  # back in the lesson
    ((text, lesson),) = await sql(talk, "SELECT text, lesson_id FROM teacher_questions")
    assert text.startswith("Pourquoi") and lesson == FIRST
    (told,) = await notices_to(talk, teacher)
    assert "Question d'Awa (CM2 A) sur « Partager en parts égales »" in told["fr"]
    assert "/questions" in told["fr"]
    await teacher.send("/questions")
    assert "Pourquoi 1/4 est plus petit que 1/2 ?" in teacher.texts()
    await teacher.send("Parce que le gâteau est coupé en plus de parts.")
    assert "Réponse envoyée à Awa." in teacher.texts()
    (answer,) = await notices_to(talk, awa)
    assert "« Pourquoi 1/4 est plus petit que 1/2 ? »" in answer["fr"]
    assert "coupé en plus de parts" in answer["fr"]
    await open_class(teacher)
    assert "❓ Questions des élèves (0)" in teacher.options()
    await teacher.tap("Plus…")
    await teacher.tap("Fermer les questions")
    await teacher.tap("Plus…")
    assert "🔔 Ouvrir les questions" in teacher.options()
    assert not any("Demander" in o for o in await to_a_lesson(talk, awa))


async def test_another_teachers_class_stays_closed(talk: Conversations, database_url: str) -> None:
    teacher, (awa, _, _) = await a_class(talk, database_url)
    await essay_of(talk, awa)
    ((code,),) = await sql(talk, "SELECT code FROM teacher_invites")
    other, _ = await new_teacher(talk, str(code), "other", "6e B")
    ((class_id,),) = await sql(talk, "SELECT id FROM classes WHERE name = 'CM2 A'")
    ((own_id,),) = await sql(talk, "SELECT id FROM classes WHERE name = '6e B'")
    for step in ("class_report", "class_answers", "class_essays", "class_questions"):
        await go_to(talk, other, step, **{"class": class_id, "report": [COURSE]})
        replies = await other.send("1")
        assert "Awa" not in other.texts(replies) and not any(
            "CM2 A" in o for o in other.options()
        ), step
    awa_key = [
        int((await sql(talk, "SELECT user_id FROM class_members"))[0][0]),
        COURSE,
        FIRST,
        "q3",
    ]
    await go_to(
        talk, other, "essay_comment", essay={"key": awa_key, "score": 1.0}, **{"class": own_id}
    )
    await other.send("Bravo")
    assert "Cette copie n'est plus à corriger." in other.texts()
    assert (await sql(talk, "SELECT graded_at FROM essay_answers"))[0][0] is None
    await to_a_lesson(talk, awa)
    await awa.tap("Demander à mon enseignant")
    await awa.send("Une question")
    ((question_id,),) = await sql(talk, "SELECT id FROM teacher_questions")
    await go_to(talk, other, "class_questions", questions_all=True, tq=question_id)
    await other.send("Une fausse réponse")
    assert "Cette question a déjà une réponse." in other.texts()
    assert (await sql(talk, "SELECT answer FROM teacher_questions"))[0][0] is None
    await other.send("/questions")
    assert "Une question" not in other.texts(other.sent[-2:])
    assert teacher is not other


async def test_a_student_cannot_reach_the_teacher_steps(
    talk: Conversations, database_url: str
) -> None:
    _, (awa, _, _) = await a_class(talk, database_url)
    await awa.send("/questions")
    assert "réservée aux enseignants" in awa.texts()
    for step in (
        "class_report",
        "class_answers",
        "class_essays",
        "essay_comment",
        "class_questions",
    ):
        await go_to(talk, awa, step, **{"class": 1, "questions_all": True})
        replies = await awa.send("1")
        assert "réservée aux enseignants" in awa.texts(replies), step


async def test_an_arabic_teacher_reads_the_course_texts_isolated_right_to_left(
    talk: Conversations, database_url: str
) -> None:
    teacher, _ = await a_class(talk, database_url)
    await open_class(teacher)
    await teacher.tap("Suivi de la classe")
    await teacher.tap("Les fractions")
    await sql(talk, "UPDATE users SET locale = 'ar' WHERE external_id = 'teacher'")
    answers = teacher.texts(await teacher.tap("Fatou"))
    assert "← « \u20683\u2069 »" in answers and "« \u2068صحيح\u2069 »" in answers
    assert "\u2068Dans la fraction 3/5, quel est le dénominateur ?\u2069" in answers
