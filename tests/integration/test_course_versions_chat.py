"""A teacher republishes a course on Telegram, WhatsApp and the web chat: their edit is a
draft the course page tells them about, "Publier" shows what changed in one line first, and
"Annuler les modifications" goes back to the published text."""

from __future__ import annotations

from bot.admin_cli import grant as cli_grant
from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture
from tests.integration.test_class_reports import sql
from tests.store_driver import open_conversations


async def become_teacher(chat: ChatLearner, database_url: str) -> None:
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


async def open_course(chat: ChatLearner) -> None:
    await chat.send("/classes")
    await chat.tap("Mes cours")
    await chat.tap("Le compost")


async def test_a_teacher_republishes_with_the_changes_told_on_every_channel(
    chat: ChatLearner, database_url: str
) -> None:
    await become_teacher(chat, database_url)
    await chat.send("/classes")
    await chat.tap("Mes cours")
    await chat.tap("Nouveau cours")
    await chat.send("Le compost")
    for label in ("Sciences", "CM2", "Français", "Nouvelle leçon"):
        await chat.tap(label)
    await chat.send("Faire un compost")
    await chat.send("Le compost transforme les épluchures en engrais.")
    await chat.tap("Leçon terminée")
    await chat.tap("Publier")
    await chat.tap("Les élèves de mon pays")
    await chat.tap("CC BY-SA 4.0")
    await chat.send("Awa Ndiaye")
    assert "Publié" in chat.last_text() or "Publié" in str(chat.options())

    await open_course(chat)
    await chat.tap("Modifier une leçon")
    await chat.tap("Faire un compost")
    await chat.tap("Le compost transforme")
    await chat.tap("Remplacer")
    await chat.send("Le compost nourrit la terre.")
    await open_course(chat)
    assert "Modifications non publiées (1 leçon modifiée)" in chat.last_text()
    await chat.tap("Publier")
    assert "Nouvelle version : 1 leçon modifiée." in chat.last_text()
    await chat.tap("Le cours")
    await chat.tap("Annuler les modifications")
    await chat.tap("Oui, revenir à la version publiée")
    assert "Modifications non publiées" not in chat.last_text()
    assert not any("Annuler les modifications" in label for label in chat.options())
