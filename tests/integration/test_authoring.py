"""A teacher writes a course in the chat, previews, publishes it to their country, gets it as
a file; students of that country find it in the library, others do not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.admin_cli import grant as cli_grant
from bot.conversations import Conversations
from content.format import parse_course
from dialogs.flows import authoring
from dialogs.messages import Ask, Document
from dialogs.state import DialogState
from tests.store_driver import Person, open_conversations


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        yield conversations


async def teacher_of(talk: Conversations, database_url: str) -> Person:
    teacher = Person.on(talk, "telegram", "author")
    await teacher.onboard(role="Enseignant")
    await cli_grant(database_url, "telegram", "author", "teacher", "SN")
    return teacher


async def write_course(teacher: Person) -> None:
    await teacher.send("/classes")
    await teacher.tap("Mes cours")
    await teacher.tap("Nouveau cours")
    await teacher.send("Le compost au jardin de l'école")
    await teacher.tap("Sciences")
    await teacher.tap("CM2")
    await teacher.tap("Français")
    assert "Le brouillon « Le compost au jardin de l'école » est prêt." in teacher.texts()
    await teacher.tap("Nouvelle leçon")
    await teacher.send("Faire un compost")
    await teacher.send(
        "Le compost transforme les épluchures en engrais.\n- des feuilles\n- des épluchures"
    )
    await teacher.send("# On arrose un peu chaque semaine.")
    assert "Étape 2 ajoutée." in teacher.texts()
    await teacher.tap("Leçon terminée")
    await teacher.tap("Question pour la dernière leçon")
    await teacher.send("Que met-on dans le compost ?")
    await teacher.tap("Réponses à choisir")
    await teacher.send("Du plastique\nDes épluchures\nDes feuilles")
    await teacher.tap("Des épluchures")
    await teacher.tap("Des feuilles")
    await teacher.tap("Valider")
    await teacher.send("Les déchets végétaux se décomposent.")
    assert "Question ajoutée." in teacher.texts()


async def test_a_course_written_in_the_chat_is_previewed_published_and_exported(
    talk: Conversations, database_url: str
) -> None:
    teacher = await teacher_of(talk, database_url)
    await write_course(teacher)
    assert "« Le compost au jardin de l'école » : 1 leçon, 1 question." in teacher.texts()
    await teacher.tap("Question pour la dernière leçon")
    await teacher.send("Le compost sent-il mauvais s'il est bien fait ?")
    await teacher.tap("Vrai ou faux")
    await teacher.tap("Faux")
    await teacher.tap("Pas d'explication")
    assert "« Le compost au jardin de l'école » : 1 leçon, 2 questions." in teacher.texts()
    replies = await teacher.tap("Aperçu")
    preview = teacher.texts(replies)
    assert "1. Faire un compost" in preview and "# On arrose un peu chaque semaine." in preview
    assert "✅ Des épluchures" in preview and "▫️ Du plastique" in preview
    replies = await teacher.tap("Recevoir le fichier")
    exported = next(m for m in replies if isinstance(m, Document))
    course = parse_course(exported.content.decode("utf-8"), Path("course.md"))
    assert course.title == "Le compost au jardin de l'école" and course.countries == ("SN",)
    assert [c.correct for c in course.lessons[0].quiz.questions[0].choices] == [False, True, True]  # type: ignore[union-attr]

    student = Person.on(talk, "whatsapp", "221770001111")
    await student.onboard()  # Senegal, CM2
    await student.tap("Les cours")
    assert not any("compost" in label for label in student.options())  # still a draft

    await teacher.tap("Publier")
    await teacher.tap("Les élèves de mon pays")
    await teacher.tap("CC BY-SA 4.0")
    await teacher.send("Awa Ndiaye")  # asked once: the name the teacher signs with
    assert "Publié" in teacher.texts()
    await student.send("/menu")
    await student.tap("Les cours")
    await student.tap("Sciences")
    assert any("Le compost" in label for label in student.options())
    await student.tap("Le compost")
    await student.tap("Faire un compost")
    assert "Le compost transforme les épluchures en engrais." in student.texts()

    malian = Person.on(talk, "telegram", "ml-student")
    await malian.onboard(country="Mali")
    await malian.tap("Les cours")
    if "🔬 Sciences" in malian.options() or "Sciences" in malian.options():
        await malian.tap("Sciences")
    assert not any("compost" in label for label in malian.options())


async def test_a_student_cannot_write_courses(talk: Conversations) -> None:
    student = Person.on(talk, "telegram", "pupil")
    await student.onboard()

    for step in authoring.STEPS:
        async with talk.store.turn(student.user) as tx:
            assert tx is not None
            tx.save(tx.profile, DialogState(step=step, prompt=tx.state.prompt))
        replies = await student.send("1")
        assert "réservée aux enseignants" in student.texts(replies), step


async def test_true_false_and_written_questions_are_built_by_prompts(
    talk: Conversations, database_url: str
) -> None:
    teacher = await teacher_of(talk, database_url)
    await write_course(teacher)
    await teacher.tap("Question pour la dernière leçon")
    await teacher.send("Le plastique pourrit dans le compost.")
    await teacher.tap("Vrai ou faux")
    await teacher.tap("Faux")
    await teacher.send("Le plastique ne se décompose pas.")
    await teacher.tap("Question pour la dernière leçon")
    await teacher.send("Comment appelle-t-on l'engrais obtenu ?")
    await teacher.tap("Réponse à écrire")
    await teacher.send("le compost\ncompost")
    await teacher.tap("Pas d'explication")
    replies = await teacher.tap("Recevoir le fichier")
    exported = next(m for m in replies if isinstance(m, Document))
    course = parse_course(exported.content.decode("utf-8"), Path("course.md"))
    questions = course.lessons[0].quiz.questions  # type: ignore[union-attr]
    assert [q.type.value for q in questions] == ["multiple", "true_false", "short"]
    assert (
        questions[1].truth is False
        and questions[1].explanation == "Le plastique ne se décompose pas."
    )
    assert questions[2].accepted == ("le compost", "compost")


async def test_lists_typed_on_one_line_with_the_separators_people_use(
    talk: Conversations, database_url: str
) -> None:
    """On a phone whose Enter sends, a list comes on one line: ";", "/", " - " or commas."""
    teacher = await teacher_of(talk, database_url)
    await write_course(teacher)
    await teacher.tap("Question pour la dernière leçon")
    await teacher.send("Quelles villes sont au Sénégal ?")
    replies = await teacher.tap("Réponses à choisir")
    asked = [m for m in replies if isinstance(m, Ask)]
    assert asked[-1].lines, "the page shows its new-line button"
    await teacher.send("Dakar; Bamako / Thiès")
    assert teacher.options()[:2] == ["⬜ Dakar", "⬜ Bamako / Thiès"], "the first separator wins"
    await teacher.tap("Dakar")
    await teacher.tap("Valider")
    await teacher.tap("Pas d'explication")
    await teacher.tap("Question pour la dernière leçon")
    await teacher.send("Combien font 1/2 + 1/2 ?")
    await teacher.tap("Réponse à écrire")
    await teacher.send("1, un, 2/2 - 1,0")
    await teacher.tap("Pas d'explication")
    replies = await teacher.tap("Recevoir le fichier")
    exported = next(m for m in replies if isinstance(m, Document))
    course = parse_course(exported.content.decode("utf-8"), Path("course.md"))
    questions = course.lessons[0].quiz.questions  # type: ignore[union-attr]
    assert [c.text for c in questions[1].choices] == ["Dakar", "Bamako / Thiès"]
    assert questions[2].accepted == ("1, un, 2/2", "1,0")
