"""A course published for "my classes" opens for its author's students and for no one else,
whichever way it is reached: the lists, a lesson link, a paper code, a newcomer's link kept
through onboarding, and its media files over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text

from bot.app import BotApp
from bot.config import Settings
from bot.media_links import sign_media, signed
from bot.storage import authored_files
from content.paper import paper_code
from dialogs.flows.commands import lesson_payload
from dialogs.messages import Say, Show
from dialogs.ports import RecordAnswer
from tests.integration.test_authoring import write_course
from tests.integration.test_shared_library import new_class, publish, sees_compost, teacher
from tests.store_driver import Person

SECRET = b"audience-secret"
LESSON_TEXT = "Le compost transforme les épluchures en engrais."
NOT_FOUND = "Désolé, je ne trouve pas cette leçon."


@pytest.fixture
async def bot(database_url: str, tmp_path: Path) -> AsyncIterator[BotApp]:
    settings = Settings(
        database_url=database_url,
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=SECRET,
        public_url="https://ecole.example.org",
        authored_dir=str(tmp_path / "authored"),
    )
    app = BotApp(settings)
    await app.start()
    yield app
    await app.stop()


async def a_class_course(bot: BotApp, database_url: str) -> tuple[Person, Person, Person, str]:
    """A teacher's course for their classes; a student of the class; a student who is not."""
    assert bot.conversations is not None
    talk = bot.conversations
    author = await teacher(talk, database_url, "author")
    join = await new_class(author)
    student = Person.on(talk, "whatsapp", "221770000001")
    await student.onboard()
    await student.send(f"/rejoindre {join}")
    await student.send("Fatou")
    outsider = Person.on(talk, "whatsapp", "221770000002")
    await outsider.onboard()
    await write_course(author)
    await publish(author, "Les élèves de mes classes")
    (course_id,) = talk.library.restricted
    return author, student, outsider, course_id


def link_of(bot: BotApp, course_id: str) -> str:
    assert bot.conversations is not None
    course = bot.conversations.library.get(course_id)
    assert course is not None
    return f"/start {lesson_payload(course.id, course.lessons[0].id)}"


async def test_a_lesson_link_opens_for_the_class_only(bot: BotApp, database_url: str) -> None:
    author, student, outsider, course_id = await a_class_course(bot, database_url)
    assert await sees_compost(student) and not await sees_compost(outsider)
    link = link_of(bot, course_id)
    assert LESSON_TEXT in student.texts(await student.send(link))
    assert LESSON_TEXT in author.texts(await author.send(link))
    refused = outsider.texts(await outsider.send(link))
    assert NOT_FOUND in refused and "compost" not in refused.lower()
    other_teacher = await teacher(bot.conversations, database_url, "other")  # type: ignore[arg-type]
    refused = other_teacher.texts(await other_teacher.send(link))
    assert NOT_FOUND in refused and "compost" not in refused.lower()


async def test_a_newcomer_with_the_link_is_not_let_in_after_onboarding(
    bot: BotApp, database_url: str
) -> None:
    _, _, _, course_id = await a_class_course(bot, database_url)
    assert bot.conversations is not None
    newcomer = Person.on(bot.conversations, "telegram", "555")
    await newcomer.send(link_of(bot, course_id))
    await newcomer.tap("Français")
    await newcomer.tap("J'accepte")
    await newcomer.tap("Sénégal")
    await newcomer.tap("Élève")
    replies = await newcomer.tap("CM2")
    assert "Cette leçon n'est plus disponible." in newcomer.texts(replies)
    assert LESSON_TEXT not in newcomer.texts(newcomer.sent)


async def test_a_paper_code_grades_for_the_class_only(bot: BotApp, database_url: str) -> None:
    _, student, outsider, course_id = await a_class_course(bot, database_url)
    assert bot.conversations is not None
    course = bot.conversations.library.get(course_id)
    assert course is not None
    code = paper_code(course, course.lessons[-1])
    graded = student.texts(await student.send(f"{code} BC"))
    assert "📄 Livret « Faire un compost »" in graded
    refused = outsider.texts(await outsider.send(f"{code} BC"))  # maybe another course's code
    assert "compost" not in refused.lower() and "épluchures" not in refused.lower()


async def test_media_of_a_class_course_need_the_chats_signature(
    bot: BotApp, database_url: str
) -> None:
    _, _, _, course_id = await a_class_course(bot, database_url)
    folder = authored_files.course_folder(Path(bot.settings.authored_dir), course_id)
    (folder / "photo.png").write_bytes(b"\x89PNG secret picture")
    base = f"http://127.0.0.1:{bot.port}"
    path = f"/media/{course_id}/photo.png"
    async with aiohttp.ClientSession() as http:
        for refused in (path, f"{path}?k=", f"{path}?k=0123456789abcdef0123456789abcdef"):
            async with http.get(base + refused) as response:
                assert response.status == 404
                assert b"secret picture" not in await response.read()
        async with http.get(base + signed(SECRET, path)) as response:
            assert response.status == 200 and await response.read() == b"\x89PNG secret picture"
        async with http.get(base + signed(b"another-secret", path)) as response:
            assert response.status == 404
        # a booklet's short link only hands over to the chat, which decides who gets in
        assert bot.conversations is not None
        course = bot.conversations.library.get(course_id)
        assert course is not None
        lesson = f"/l/{course_id}/{course.lessons[0].id}"
        async with http.get(base + lesson, allow_redirects=False) as response:
            assert response.status == 302
            assert "compost" not in (await response.text()).lower()


def test_the_chat_signs_the_media_of_restricted_courses_only(tmp_path: Path) -> None:
    picture = tmp_path / "p.png"
    shown = [
        Show("image", picture, "", "/media/class-course/images/p.png"),
        Show("image", picture, "", "/media/fractions/pizza.png"),
        Say("Bonjour"),
    ]
    mine, bundled, said = sign_media(shown, SECRET, {"class-course"})
    assert isinstance(mine, Show) and isinstance(bundled, Show)
    assert mine.url_path == signed(SECRET, "/media/class-course/images/p.png")
    assert mine.url_path.startswith("/media/class-course/images/p.png?k=")
    assert bundled.url_path == "/media/fractions/pizza.png" and said == Say("Bonjour")


async def test_review_drops_a_class_course_once_the_student_left_the_class(
    bot: BotApp, database_url: str
) -> None:
    _, student, _, course_id = await a_class_course(bot, database_url)
    assert bot.conversations is not None and bot.engine is not None
    talk = bot.conversations
    course = talk.library.get(course_id)
    assert course is not None and course.lessons[-1].quiz is not None
    lesson = course.lessons[-1]
    question = lesson.quiz.questions[0]
    async with talk.store.turn(student.user) as tx:
        assert tx is not None
        said = RecordAnswer(course_id, lesson.id, question.id, "Du plastique", 0.0, False)
        tx.save(tx.profile, tx.state, [said])
    async with bot.engine.begin() as conn:
        await conn.execute(
            text("UPDATE review_cards SET due = :past"), {"past": datetime(2020, 1, 1, tzinfo=UTC)}
        )
    await student.send("/menu")
    assert "Que met-on dans le compost ?" in student.texts(await student.tap("Réviser"))
    async with bot.engine.begin() as conn:
        await conn.execute(text("DELETE FROM class_members"))
    await student.send("/menu")
    shown = student.texts(await student.tap("Réviser"))
    assert "Que met-on dans le compost ?" not in shown and "Réviser" not in student.options()
