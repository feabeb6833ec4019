"""A translator on Telegram, WhatsApp and the web chat: the string, a refused entry, a
proposal; a second translator (another worker on the same database) reviews it, and the
first one's chat then reads the reviewed Wolof."""

from __future__ import annotations

from bot.admin_cli import grant as cli_grant
from bot.app import BotApp
from bot.catalogs import string_key
from bot.storage.translations import add_views
from dialogs.roles import Grant, Role
from tests.chat_drivers import ChatLearner, TelegramChat, WebChat, WhatsAppChat
from tests.chat_drivers import chat_fixture as chat_fixture  # the `chat` fixture
from tests.integration.test_class_reports import sql
from tests.integration.test_translators_chat import PROGRES, PROGRES_WO, give
from tests.store_driver import Person, open_conversations


async def become_translator(chat: ChatLearner, database_url: str) -> None:
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
        async with talk.store.transaction() as runner:
            await add_views(runner, {string_key(PROGRES): 500})
    await cli_grant(database_url, chat.channel, str(external_id), "translator", "", language="wo")


async def test_translating_and_being_reviewed_on_every_channel(
    chat: ChatLearner, database_url: str
) -> None:
    await become_translator(chat, database_url)
    await chat.send("/traduire")
    assert chat.last_text().startswith("Wolof : 61 chaînes traduites sur ")
    await chat.tap("Traduire")
    shown = chat.last_text()
    assert "Français : « /progres : vos progrès et vos certificats »" in shown
    assert "À garder tel quel : /progres" in shown
    assert "Écrivez la traduction en Wolof :" in shown
    await chat.send("sa yokkute ak say seede")
    assert "Gardez la commande /progres telle quelle (sans la traduire)." in chat.last_text()
    await chat.send(PROGRES_WO)
    assert "Merci ! Un autre traducteur en Wolof va la relire" in chat.last_text()
    await chat.tap("Traduction")
    await chat.tap("Relire (1)")
    assert "Rien à relire en Wolof pour l'instant." in chat.last_text()

    async with open_conversations(database_url) as other_worker:
        moussa = Person.on(other_worker, "telegram", "7001")
        await moussa.onboard(role="Enseignant")
        await give(other_worker, moussa, Grant(Role.TRANSLATOR, None, "wo"))
        await moussa.send("/traduire")
        await moussa.tap("Relire (1)")
        done = await moussa.tap("Accepter")
        assert moussa.texts(done).startswith("Acceptée")

    # The chat's bot is another worker: it reads the review at its next check (every 5 s by
    # default, TRANSLATIONS_REFRESH_SECONDS), made due here.
    await chat.send("/langue")
    await chat.tap("Wolof")
    app(chat).conversations.catalogs.clock = lambda: float("inf")
    await chat.send("/aide")
    assert PROGRES_WO in chat.last_text() and PROGRES not in chat.last_text()


def app(chat: ChatLearner) -> BotApp:
    """The running bot behind a chat."""
    if isinstance(chat, TelegramChat):
        return chat.learner.app
    if isinstance(chat, WhatsAppChat):
        return chat.learner.bot
    assert isinstance(chat, WebChat)
    return chat.app
