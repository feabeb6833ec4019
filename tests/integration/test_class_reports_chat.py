"""A teacher reads their class report on Telegram, WhatsApp and the web chat: the answers
read as the students saw them (an option's label, Vrai/Faux), never an option id."""

from __future__ import annotations

from dialogs.ports import RecordAnswer
from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture
from tests.class_chat import teacher_with_class
from tests.integration.test_class_reports import play, student
from tests.store_driver import open_conversations

COURSE = "fractions"
FIRST = "parts-egales"


async def test_a_teacher_reads_answers_as_text_on_every_channel(
    chat: ChatLearner, database_url: str
) -> None:
    async with open_conversations(database_url) as talk:
        join = await teacher_with_class(chat, talk, database_url)
        aissatou = await student(talk, "Aïssatou", join)
        await play(
            talk,
            aissatou,
            RecordAnswer(COURSE, FIRST, "q1", "a", 0.0, False),
            RecordAnswer(COURSE, FIRST, "q2", "vrai", 0.0, False),
        )
    await chat.send("/classes")
    await chat.tap("CM2 B")
    await chat.tap("Suivi de la classe")
    await chat.tap("Les fractions")
    report = chat.last_text()
    assert "Réponse fausse la plus fréquente : « 3 » (1 fois)" in report
    assert "« Vrai » (1 fois)" in report
    await chat.tap("Aïssatou")
    answers = chat.last_text()
    assert "Les réponses d'Aïssatou :" in answers
    assert "quel est le dénominateur ? → « 3 »" in answers and "→ « Vrai »" in answers
    assert "« a »" not in answers and "« vrai »" not in answers
