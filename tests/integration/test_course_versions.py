"""A teacher's published course is a version: their edits make a draft that learners do not
see until it is published again, with what changed told in one line; the draft can be
dropped; a learner in the middle of a lesson or a quiz when it is republished loses nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.conversations import Conversations
from dialogs.flows import versions
from dialogs.state import DialogState
from tests.integration.test_authoring import teacher_of, write_course
from tests.store_driver import Person, open_conversations


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        yield conversations


async def published(talk: Conversations, database_url: str) -> Person:
    """A teacher of Senegal with the compost course published to their country."""
    teacher = await teacher_of(talk, database_url)
    await write_course(teacher)
    await teacher.tap("Publier")
    await teacher.tap("Les élèves de mon pays")
    await teacher.tap("CC BY-SA 4.0")
    await teacher.send("Awa Ndiaye")
    assert "Publié" in teacher.texts()
    return teacher


async def student_in_lesson(talk: Conversations, external_id: str = "221770001111") -> Person:
    student = Person.on(talk, "whatsapp", external_id)
    await student.onboard()
    await student.tap("Les cours")
    await student.tap("Sciences")
    await student.tap("Le compost")
    await student.tap("Faire un compost")
    return student


async def edit_first_step(teacher: Person, new_text: str) -> None:
    await teacher.send("/classes")
    await teacher.tap("Mes cours")
    await teacher.tap("Le compost")
    await teacher.tap("Modifier une leçon")
    await teacher.tap("l0")
    await teacher.tap("s0")
    await teacher.tap("Remplacer")
    await teacher.send(new_text)
    assert "Étape remplacée." in teacher.texts()


async def course_page(teacher: Person) -> str:
    await teacher.send("/classes")
    await teacher.tap("Mes cours")
    replies = await teacher.tap("Le compost")
    return teacher.texts(replies)


async def test_an_edit_is_a_draft_learners_see_only_once_published_again(
    talk: Conversations, database_url: str
) -> None:
    teacher = await published(talk, database_url)
    student = await student_in_lesson(talk)
    assert "Le compost transforme les épluchures en engrais." in student.texts()

    await edit_first_step(teacher, "Le compost nourrit la terre du jardin.")
    await teacher.send("/classes")
    await teacher.tap("Mes cours")
    assert any(label.startswith("📗✏️ Le compost") for label in teacher.options())
    page = await course_page(teacher)
    assert "Modifications non publiées (1 leçon modifiée)" in page
    assert "les élèves voient encore la version publiée" in page
    await teacher.tap("Question pour la dernière leçon")
    await teacher.send("Le compost sent-il mauvais s'il est bien fait ?")
    await teacher.tap("Vrai ou faux")
    await teacher.tap("Faux")
    await teacher.tap("Pas d'explication")

    await student.send("/menu")
    await student.tap("Les cours")
    await student.tap("Sciences")
    await student.tap("Le compost")
    await student.tap("Faire un compost")
    shown = student.texts()
    assert "Le compost nourrit la terre" not in shown, "a draft is not what learners see"

    await teacher.tap("Publier")
    assert "Nouvelle version : 1 leçon modifiée, 1 question ajoutée." in teacher.last_prompt().text
    await teacher.tap("Les élèves de mon pays")
    await teacher.tap("CC BY-SA 4.0")
    assert "Publié" in teacher.texts()
    assert "Modifications non publiées" not in teacher.last_prompt().text

    await student.send("/menu")
    await student.tap("Les cours")
    await student.tap("Sciences")
    await student.tap("Le compost")
    replies = await student.tap("Faire un compost")
    assert "Le compost nourrit la terre du jardin." in student.texts(replies)


async def test_a_draft_is_dropped_by_annuler_les_modifications(
    talk: Conversations, database_url: str
) -> None:
    teacher = await published(talk, database_url)
    await edit_first_step(teacher, "Un texte qui ne plaît pas.")
    await course_page(teacher)
    await teacher.tap("Annuler les modifications")
    assert "Annuler les modifications (1 leçon modifiée)" in teacher.last_prompt().text
    await teacher.tap("Garder les modifications")
    assert "Modifications non publiées" in teacher.last_prompt().text  # kept
    await teacher.tap("Annuler les modifications")
    await teacher.tap("Oui, revenir à la version publiée")
    assert "le cours est revenu à sa version publiée" in teacher.texts()
    assert "Modifications non publiées" not in teacher.last_prompt().text
    assert "Annuler les modifications" not in teacher.options()
    replies = await teacher.tap("Aperçu")
    assert "Le compost transforme les épluchures en engrais." in teacher.texts(replies)
    assert "ne plaît pas" not in teacher.texts(replies)
    await teacher.send("/classes")
    await teacher.tap("Mes cours")
    await teacher.tap("Le compost")
    await teacher.tap("Publier")
    assert "Ce cours est publié tel quel." in teacher.last_prompt().text


async def republish(talk: Conversations, source_edit: tuple[str, str]) -> None:
    """The teacher's new version, published (as the publish step would write it)."""
    async with talk.store.engine.begin() as conn:
        (source,) = (await conn.execute(text("SELECT source FROM authored_courses"))).one()
        new = str(source).replace(*source_edit)
        assert new != source
        await conn.execute(
            text("UPDATE authored_courses SET source = :s, published_source = :s"), {"s": new}
        )
    await talk.reload_library()


async def test_a_learner_in_the_quiz_is_graded_on_the_question_they_were_shown(
    talk: Conversations, database_url: str
) -> None:
    await published(talk, database_url)
    student = await student_in_lesson(talk)
    for _ in range(5):
        if "Question 1 sur" in student.texts():
            break
        await student.tap("Suivant" if "Suivant" in str(student.options()) else "quiz")
    assert "Que met-on dans le compost ?" in student.last_prompt().text
    # A new first question, published while the learner reads the old first one.
    await republish(
        talk,
        ("? Que met-on", "? Le compost est-il utile ?\n* Oui\n- Non\n\n? Que met-on"),
    )
    replies = await student.tap("Des épluchures")
    said = student.texts(replies)
    # Graded against "Que met-on dans le compost ?" (one of its two right answers: a retry),
    # now the second question, never against the new first one.
    assert "Ce n'est pas encore ça" in said
    assert "Question 2 sur 2" in said and "Que met-on dans le compost ?" in said
    assert "Le compost est-il utile ?" not in said


async def test_a_question_gone_in_the_new_version_is_asked_again_not_graded(
    talk: Conversations, database_url: str
) -> None:
    await published(talk, database_url)
    student = await student_in_lesson(talk)
    for _ in range(5):
        if "Question 1 sur" in student.texts():
            break
        await student.tap("Suivant" if "Suivant" in str(student.options()) else "quiz")
    await republish(talk, ("Que met-on dans le compost ?", "Que jette-t-on au compost ?"))
    replies = await student.tap("Des épluchures")
    said = student.texts(replies)
    assert "Ce quiz vient d'être mis à jour : voici la question." in said
    assert "Que jette-t-on au compost ?" in said
    assert "Bonne réponse" not in said and "pas encore ça" not in said


async def test_a_lesson_removed_by_a_new_version_ends_calmly_and_progress_stays(
    talk: Conversations, database_url: str
) -> None:
    await published(talk, database_url)
    student = await student_in_lesson(talk)
    await republish(talk, ("{#faire-un-compost}", "{#le-compost}"))
    replies = await student.tap("Suivant")
    assert "Cette leçon n'est plus disponible." in student.texts(replies)
    replies = await student.send("/menu")
    assert "Que voulez-vous faire" in student.texts(replies)


async def test_a_student_cannot_discard_a_teachers_draft(talk: Conversations) -> None:
    student = Person.on(talk, "telegram", "pupil")
    await student.onboard()
    for step in versions.STEPS:
        async with talk.store.turn(student.user) as tx:
            assert tx is not None
            tx.save(tx.profile, DialogState(step=step, prompt=tx.state.prompt))
        replies = await student.send("1")
        assert "réservée aux enseignants" in student.texts(replies), step
