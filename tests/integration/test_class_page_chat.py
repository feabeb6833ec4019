"""The class page on Telegram, WhatsApp and the web chat: nine options (WhatsApp's list
holds ten, so one more fits), a list on WhatsApp with every label readable, and the rarely
used tools under "Plus…" (the students, opening or closing the questions)."""

from __future__ import annotations

from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture
from tests.class_chat import teacher_with_class
from tests.integration.test_class_reports import student
from tests.store_driver import open_conversations

PAGE = [
    "🔗 Code, liens et QR",
    "📚 Donner un travail",
    "📊 Suivi de la classe",
    "🎯 Groupes par niveau",
    "😴 Absences",
    "📝 À corriger (0)",
    "❓ Questions des élèves (0)",
    "➕ Plus…",
    "⬅️ Mes classes",
]


async def test_the_class_page_fits_a_whatsapp_list_and_plus_holds_the_rare_tools(
    chat: ChatLearner, database_url: str
) -> None:
    async with open_conversations(database_url) as talk:
        join = await teacher_with_class(chat, talk, database_url)
        await student(talk, "Aïssatou", join)
    await chat.send("/classes")
    await chat.tap("CM2 B")
    assert "CM2 B · CM2 · Mathématiques\n1 élève · code" in chat.last_text()
    assert chat.options() == PAGE
    if chat.channel == "whatsapp":
        asked = chat.asked()
        assert isinstance(asked, dict)
        interactive = asked["interactive"]
        assert interactive["type"] == "list", "ten options at most: a list, not numbered text"
        (section,) = interactive["action"]["sections"]
        assert len(section["rows"]) == len(PAGE) <= 10
    await chat.tap("Plus…")
    assert chat.last_text().startswith("Plus d'outils pour « CM2 B » :")
    assert chat.options() == ["👥 Les élèves", "🔕 Fermer les questions", "⬅️ La classe"]
    await chat.tap("Les élèves")
    assert "1. Aïssatou" in chat.last_text()
    await chat.tap("La classe")
    await chat.tap("Plus…")
    await chat.tap("Fermer les questions")
    assert "Les questions sont fermées" in chat.last_text()
    assert chat.options() == PAGE
    await chat.tap("Plus…")
    assert "🔔 Ouvrir les questions" in chat.options()
    await chat.tap("La classe")
    assert chat.options() == PAGE
