"""A course for teachers (`public: enseignants`, like the bundled "Enseigner avec un
téléphone") on Telegram, WhatsApp and the web chat: a pupil is never offered it and is told
it is for teachers when a link brings them to it; a teacher opens it."""

from __future__ import annotations

from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture

LINK = "/start l_enseigner-telephone__groupe-classe"
FOR_TEACHERS = "Ce cours est destiné aux enseignants"


async def onboard(chat: ChatLearner, role: str) -> None:
    await chat.send("/start")
    for label in ("Français", "J'accepte", "Sénégal", role, "CM2"):
        await chat.tap(label)
    assert "Que voulez-vous faire" in chat.last_text()


async def test_a_pupil_is_not_offered_a_course_for_teachers_nor_opens_it_by_link(
    chat: ChatLearner,
) -> None:
    await onboard(chat, "Élève")
    await chat.tap("Les cours")
    assert not any("Autres sujets" in label for label in chat.options())
    assert not any("Enseigner" in label for label in chat.options())
    await chat.send(LINK)
    assert FOR_TEACHERS in chat.last_text()
    assert "Organiser le groupe" not in chat.last_text()
    assert "Que voulez-vous faire" in chat.last_text() or any(
        "Les cours" in label for label in chat.options()
    )


async def test_a_teacher_finds_and_opens_a_course_for_teachers(chat: ChatLearner) -> None:
    await onboard(chat, "Enseignant")
    await chat.tap("Les cours")
    await chat.tap("Autres sujets")
    assert any("Enseigner avec un téléphone" in label for label in chat.options())
    await chat.send(LINK)
    assert FOR_TEACHERS not in chat.last_text()
    assert "Organiser le groupe classe" in chat.last_text()


async def test_a_course_for_teachers_is_not_offered_to_a_pupils_class(
    chat: ChatLearner, database_url: str
) -> None:
    from tests.integration.test_course_versions_chat import become_teacher

    await become_teacher(chat, database_url)
    await chat.send("/classes")
    await chat.tap("Nouvelle classe")
    await chat.send("CM2 A")
    await chat.tap("CM2")
    await chat.tap("Sciences")
    assert "/rejoindre" in chat.last_text()
    await chat.send("/classes")
    await chat.tap("CM2 A")
    await chat.tap("Donner un travail")
    assert any("Les fractions" in label for label in chat.options())
    assert not any("Enseigner" in label for label in chat.options())
