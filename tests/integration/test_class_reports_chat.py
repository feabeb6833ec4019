"""A teacher reads their class report on Telegram, WhatsApp and the web chat: the answers
read as the students saw them (an option's label, Vrai/Faux), never an option id."""

from __future__ import annotations

from bot.admin_cli import grant as cli_grant
from dialogs.ports import RecordAnswer
from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture
from tests.integration.test_class_reports import play, sql, student
from tests.store_driver import open_conversations

COURSE = "fractions"
FIRST = "parts-egales"


async def test_a_teacher_reads_answers_as_text_on_every_channel(
    chat: ChatLearner, database_url: str
) -> None:
    await chat.send("/start")
    for label in ("Français", "J'accepte", "Sénégal", "Enseignant", "CM2"):
        await chat.tap(label)
    async with open_conversations(database_url) as talk:
        rows = await sql(
            talk,
            "SELECT external_id FROM users WHERE channel = :c AND consented_at IS NOT NULL",
            c=chat.channel,
        )
        ((external_id,),) = rows
        await cli_grant(database_url, chat.channel, str(external_id), "teacher", "SN")
        await chat.send("/classes")
        await chat.tap("Nouvelle classe")
        await chat.send("CM2 B")
        await chat.tap("CM2")
        await chat.tap("Mathématiques")
        join = chat.last_text().split("/rejoindre ")[1].split()[0]
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
