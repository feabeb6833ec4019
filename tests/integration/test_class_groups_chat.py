"""A teacher sees the class by level per skill and gives work to one group, on Telegram,
WhatsApp and the web chat; the group's students, on all three channels, are told, and the
others are not."""

from __future__ import annotations

from dialogs.ports import RecordAnswer
from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture
from tests.class_chat import teacher_with_class
from tests.integration.test_class_reports import play, sql
from tests.store_driver import Person, open_conversations

COURSE = "fractions"
SENS = "MATH-CM-FRAC-SENS"


def first_try(correct: bool) -> RecordAnswer:
    """A first try at the first question of the first lesson (the sense of fractions)."""
    return RecordAnswer(COURSE, "parts-egales", "q1", "b", float(correct), correct, skills=(SENS,))


async def test_a_teacher_gives_work_to_the_group_to_help_on_every_channel(
    chat: ChatLearner, database_url: str
) -> None:
    async with open_conversations(database_url) as talk:
        join = await teacher_with_class(chat, talk, database_url)
        students = {}
        for channel, name, correct in (
            ("telegram", "Awa", True),
            ("whatsapp", "Fatou", False),
            ("web", "Binta", False),
            ("telegram", "Omar", False),
        ):
            person = Person.on(talk, channel, f"{channel}-{name}")
            await person.onboard()
            await person.send(f"/rejoindre {join}")
            await person.send(name)
            await play(talk, person, first_try(correct))
            students[name] = person
    await chat.send("/classes")
    await chat.tap("CM2 B")
    await chat.tap("Groupes par niveau")
    assert "🔁 À aider (3) : Binta, Fatou, Omar" in chat.last_text()
    await chat.tap("À aider (3)")
    assert "Un travail pour 3 élèves seulement" in chat.last_text()
    await chat.tap("Partager en parts égales")
    await chat.tap("Sans date limite")
    assert "Le travail est donné : 3 élèves sont prévenus." in chat.last_text()
    async with open_conversations(database_url) as talk:
        rows = await sql(
            talk,
            "SELECT u.channel, u.external_id FROM outbox o JOIN users u ON u.id = o.user_id"
            " JOIN assignments a ON a.course_id = :course"
            " JOIN broadcasts b ON b.id = o.broadcast_id AND b.created_at = a.created_at",
            course=COURSE,
        )
    told = {(str(channel), str(who)) for channel, who in rows}
    assert told == {
        ("whatsapp", "whatsapp-Fatou"),
        ("web", "web-Binta"),
        ("telegram", "telegram-Omar"),
    }
