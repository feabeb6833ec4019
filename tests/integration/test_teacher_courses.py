"""A course's audience on the real store: a teacher publishes a course for teachers (written
`public: enseignants` in its header); pupils are not offered it, other teachers are; a course
for teachers is never given to a pupils' class, even by a forged tap."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.conversations import Conversations
from bot.links import ClassLinks
from content.paper import paper_code
from tests.integration.test_authoring import teacher_of, write_course
from tests.integration.test_shared_library import teacher
from tests.integration.test_teachers_classes import teacher_with_class
from tests.store_driver import Person, open_conversations


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        conversations.links = ClassLinks("https://ecole.example.org")
        yield conversations


async def test_a_course_published_for_teachers_is_offered_to_teachers_only(
    talk: Conversations, database_url: str
) -> None:
    author = await teacher_of(talk, database_url)
    await write_course(author)
    await author.tap("Publier")
    await author.tap("Les enseignants de mon pays")
    await author.tap("CC BY-SA 4.0")
    await author.send("Awa Ndiaye")
    assert "Publié pour les enseignants de votre pays" in author.texts()
    async with talk.store.engine.connect() as conn:
        query = text("SELECT published_source FROM authored_courses")
        (source,) = (await conn.execute(query)).one()
    assert "\npublic: enseignants\n" in source

    pupil = Person.on(talk, "whatsapp", "221770001111")
    await pupil.onboard()
    await pupil.tap("Les cours")
    if any("Sciences" in label for label in pupil.options()):
        await pupil.tap("Sciences")
    assert not any("compost" in label for label in pupil.options())
    course_id = source.split("id: ", 1)[1].split("\n", 1)[0]
    replies = await pupil.send(f"/start l_{course_id}__faire-un-compost")
    assert "Ce cours est destiné aux enseignants" in pupil.texts(replies)

    colleague = Person.on(talk, "telegram", "colleague")
    await colleague.onboard(role="Enseignant")
    await colleague.tap("Les cours")
    await colleague.tap("Sciences")
    assert any("Le compost" in label for label in colleague.options())

    # Published again for pupils: the header says so, and pupils find it.
    await author.send("/classes")
    await author.tap("Mes cours")
    await author.tap("Le compost")
    await author.tap("Publier")
    await author.tap("Les élèves de mon pays")
    await author.tap("CC BY-SA 4.0")
    await pupil.send("/menu")
    await pupil.tap("Les cours")
    await pupil.tap("Sciences")
    assert any("Le compost" in label for label in pupil.options())


async def test_a_course_for_teachers_is_not_given_to_a_class(
    talk: Conversations, database_url: str
) -> None:
    teacher, _ = await teacher_with_class(talk, database_url)
    await teacher.send("/classes")
    await teacher.tap("CM2 A")
    await teacher.tap("Donner un travail")
    assert any("Les fractions" in label for label in teacher.options())
    assert not any("Enseigner" in label for label in teacher.options())
    replies = await teacher.tap_forged("enseigner-telephone")  # a stale or forged button
    assert "Enseigner" not in teacher.texts(replies)
    assert "Quel cours donner" in teacher.texts(replies)


async def test_a_course_for_teachers_in_the_shared_library_is_not_for_a_class_nor_by_a_forged_tap(
    talk: Conversations, database_url: str
) -> None:
    author = await teacher_of(talk, database_url)
    await write_course(author)
    await author.tap("Publier")
    await author.tap("Les enseignants de tous les pays")
    await author.tap("CC BY-SA 4.0")
    await author.send("Awa Ndiaye")
    colleague = await teacher(talk, database_url, "colleague-sn")
    await colleague.send("/classes")
    await colleague.tap("Bibliothèque partagée")
    await colleague.send("compost")
    await colleague.tap("Le compost")
    assert "Pour les enseignants (pas proposé aux élèves)." in colleague.texts()
    assert not any("Utiliser avec ma classe" in label for label in colleague.options())
    assert any("Copier pour l'adapter" in label for label in colleague.options())
    replies = await colleague.tap_forged("use")  # a stale button from before
    assert "Je n'ai pas compris" in colleague.texts(replies)
    assert "Quelle leçon" not in colleague.texts(replies)


async def test_a_pupil_s_paper_code_of_a_booklet_for_teachers_is_not_graded(
    talk: Conversations,
) -> None:
    """The bundled course for teachers prints exercises too: a pupil who types its code is
    not graded on it (the lists, links and paper codes keep the same audience)."""
    course = talk.library.get("enseigner-telephone")
    assert course is not None and course.for_teachers
    lesson = next(lesson for lesson in course.lessons if lesson.quiz is not None)
    code = paper_code(course, lesson)
    pupil = Person.on(talk, "telegram", "pupil-paper")
    await pupil.onboard()
    assert lesson.quiz is not None
    answers = " ; ".join("a" for _ in lesson.quiz.questions)
    refused = pupil.texts(await pupil.send(f"{code} {answers}"))
    assert "📄 Livret" not in refused and "j'attends" not in refused
    colleague = Person.on(talk, "telegram", "teacher-paper")
    await colleague.onboard(role="Enseignant")
    graded = colleague.texts(await colleague.send(f"{code} {answers}"))
    assert f"📄 Livret « {lesson.title} »" in graded
