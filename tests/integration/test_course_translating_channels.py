"""A translator translates a course's text on Telegram, WhatsApp and the web chat; a second
translator (another worker on the same database) accepts it; the first one's chat, read in
Wolof, then shows it once its worker reads the library again (no restart)."""

from __future__ import annotations

from dialogs.roles import Grant, Role
from tests.chat_drivers import ChatLearner
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture
from tests.integration.test_translators_channels import app, become_translator
from tests.integration.test_translators_chat import give
from tests.store_driver import Person, open_conversations


async def test_translating_a_course_and_reading_it_on_every_channel(
    chat: ChatLearner, database_url: str
) -> None:
    await become_translator(chat, database_url)
    await chat.send("/traduire_cours")
    assert chat.last_text() == "Quel cours traduire en Wolof ?"
    await chat.tap("Les fractions")
    assert chat.last_text().startswith("« Les fractions » en Wolof : ")
    await chat.tap("Traduire")
    assert "Les fractions · Résumé du cours" in chat.last_text()
    await chat.tap("Passer")
    assert (
        "Les fractions · Titre d'un module\n"
        "Français : « Comprendre les fractions »\n"
        "Un bouton : au plus 24 caractères."
    ) in chat.last_text()
    await chat.send("Xam xaaj yi, ak li ñuy tekki ci wàll wu nekk")
    assert chat.last_text().startswith("Trop long : 44 caractères, un bouton en montre au plus 24.")
    await chat.send("Xam xaaj yi")
    assert "Merci ! Une autre personne qui parle Wolof va la relire" in chat.last_text()

    async with open_conversations(database_url) as other_worker:
        moussa = Person.on(other_worker, "telegram", "7002")
        await moussa.onboard(role="Enseignant")
        await give(other_worker, moussa, Grant(Role.TRANSLATOR, None, "wo"))
        await moussa.send("/traduire_cours")
        await moussa.tap("Les fractions")
        review = await moussa.tap("🔎")
        assert "Proposé : « Xam xaaj yi »" in moussa.texts(review)
        done = await moussa.tap("Accepter")
        assert moussa.texts(done).startswith("Acceptée")

    await chat.send("/langue")
    await chat.tap("Wolof")
    # The chat's bot is another worker: it reads the library again every LIBRARY_REFRESH
    # seconds; made due here.
    await app(chat).conversations.reload_library()
    await chat.send("/menu")
    await chat.tap("Njàng yi")
    await chat.tap("Mathématiques")
    await chat.tap("Xaaj yi")
    assert "🧩 Xam xaaj yi" in " ".join(chat.options())
