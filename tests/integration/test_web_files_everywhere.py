"""Files sent from the web chat go through the same flows as Telegram's and WhatsApp's: a
web teacher's photo in a circle, a web admin's PDF in an announcement. The page sends the
file over its socket; it is kept in the database (bot/storage/web_files.py), so the sender
fetches it from there for every platform (bot/attachments.py) and any worker takes the
page's frame naming it. The real bot, the fake Bot API and the fake Graph API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from bot.admin_cli import grant as cli_grant
from bot.app import BotApp
from bot.config import Settings
from bot.conversations import Conversations
from bot.i18n import I18n
from bot.storage.models import users
from bot.storage.records import export_learner
from bot.telegram.broadcast import telegram_deliverer
from bot.web import uploads
from bot.web.push import web_deliverer
from bot.whatsapp.broadcast import whatsapp_deliverer
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.telegram_api import FakeBotApi
from tests.integration.test_circle_relay import CIRCLE, wrote
from tests.integration.test_sender import Rig, start_rig
from tests.integration.test_teachers_classes import become_teacher, invite_code
from tests.integration.test_web_uploads import COURSE, Tab, a_teacher_importing, texts
from tests.sender_support import run, user_id
from tests.store_driver import Person
from tests.telegram_driver import SECRET, TOKEN
from tests.whatsapp_driver import whatsapp_settings

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40  # a "JPEG" of about 10 KB
PDF = b"%PDF-1.4\n" + b"calendrier des examens\n" * 800
WEB_AUTHOR, WEB_MEMBER = "web-author-0123456789", "web-member-0123456789"
TG_MEMBER, PHONE = "7000003", "22370000001"


@asynccontextmanager
async def everywhere(database_url: str) -> AsyncIterator[tuple[Rig, FakeBotApi, FakeGraphApi]]:
    """The bot on Telegram, WhatsApp and the web chat; its sender run by the test."""
    async with FakeBotApi() as api, FakeGraphApi() as graph:
        settings = whatsapp_settings(
            database_url,
            graph.url,
            telegram_bot_token=TOKEN,
            telegram_api_base_url=api.url,
            telegram_webhook_url="https://bot.example.org/telegram/webhook",
            telegram_webhook_secret=SECRET,
            sender_enabled=False,
            web_host="127.0.0.1",
            web_port=0,
        )
        async with start_rig(settings) as rig:
            yield rig, api, graph


async def send_everything(rig: Rig) -> None:
    """The real sender on the three channels, with the app's attachments."""
    app = rig.app
    assert app.telegram is not None and app.whatsapp is not None and app.chat is not None
    files, whatsapp, i18n = app.attachments(), app.whatsapp, I18n()
    secret = app.settings.pseudonym_secret
    rig.sender(
        {
            "telegram": telegram_deliverer(app.telegram.app.bot, i18n, files),
            "whatsapp": whatsapp_deliverer(
                whatsapp.client, whatsapp.channels, i18n, whatsapp.channel.template, files
            ),
            "web": web_deliverer(app.chat.inbox, i18n, secret),
        }
    )
    await rig.done()


async def a_circle(talk: Conversations, database_url: str) -> None:
    """An admin's circle, joined by a web teacher (who will post), a Telegram teacher and a
    web teacher."""
    admin = Person.on(talk, "telegram", "7000001")
    await admin.onboard(role="Enseignant")
    await cli_grant(database_url, "telegram", "7000001", "national_admin", "SN")
    await admin.send("/admin")
    for label in ("Cercles", "Nouveau cercle", "Mathématiques", "primaire", "Quitter le cercle"):
        await admin.tap(label)
    code = await invite_code(admin)
    for channel, ext in (("web", WEB_AUTHOR), ("telegram", TG_MEMBER), ("web", WEB_MEMBER)):
        person = Person.on(talk, channel, ext)
        await person.onboard(role="Enseignant")
        await become_teacher(person, code)
        await person.send("/cercles")
        await person.tap(CIRCLE)
        await person.tap("Rejoindre le cercle")


async def waiting(app: BotApp, uid: str) -> list[dict[str, Any]]:
    """The frames waiting in a web learner's inbox, oldest first."""
    assert app.chat is not None and app.store is not None
    rows = await app.chat.inbox.waiting(await user_id(app.store, "web", uid))
    return [row.frame for row in rows]


async def opened(http: aiohttp.ClientSession, app: BotApp, url: str) -> tuple[bytes, str]:
    """What the page's link to a file opens: its bytes and type."""
    async with http.get(f"http://127.0.0.1:{app.port}{url}") as response:
        assert response.status == 200
        return await response.read(), response.content_type


async def test_a_web_teacher_s_photo_in_a_circle_reaches_telegram_and_web_members(
    database_url: str,
) -> None:
    async with everywhere(database_url) as (rig, api, _graph), aiohttp.ClientSession() as http:
        app = rig.app
        assert app.conversations is not None
        await a_circle(app.conversations, database_url)
        tab = Tab(app, http)
        await tab.open(WEB_AUTHOR)
        author = Person.on(app.conversations, "web", WEB_AUTHOR)  # the same learner, by turns
        await author.send("/cercles")
        await author.tap(CIRCLE)
        await author.tap("Écrire")
        answer = await tab.upload(PHOTO, "photo", "tableau.jpg", "image/jpeg")
        assert answer == {
            "file": answer["file"],
            "name": "tableau.jpg",
            "mime": "image/jpeg",
            "size": len(PHOTO),
        }
        frame = {"type": "file", "file": answer["file"], "kind": "photo", "name": "tableau.jpg"}
        replies = await tab.send({**frame, "mime": "image/jpeg", "size": len(PHOTO)})
        assert "Message envoyé au cercle (2 membres" in texts(replies)

        await send_everything(rig)
        (photo,) = [c for c in api.sent(int(TG_MEMBER)) if c.method == "sendPhoto"]
        assert photo.files["photo"] == PHOTO
        assert "📎 tableau.jpg" in photo.params["caption"]
        media, said = await waiting(app, WEB_MEMBER)
        assert media["type"] == "media" and media["kind"] == "image"
        assert "📎 tableau.jpg" in said["text"]
        assert await opened(http, app, media["url"]) == (PHOTO, "image/jpeg")
        assert await waiting(app, WEB_AUTHOR) == []  # the author is not sent their own post


async def test_a_web_admin_s_pdf_announcement_reaches_a_whatsapp_learner_and_a_web_learner(
    database_url: str,
) -> None:
    async with everywhere(database_url) as (rig, _api, graph), aiohttp.ClientSession() as http:
        app = rig.app
        talk = app.conversations
        assert talk is not None
        await Person.on(talk, "whatsapp", PHONE).onboard()
        await wrote(talk, PHONE, hours=1)
        await Person.on(talk, "web", WEB_MEMBER).onboard()
        admin = Person.on(talk, "web", WEB_AUTHOR)
        await admin.onboard(role="Enseignant")
        await cli_grant(database_url, "web", WEB_AUTHOR, "national_admin", "SN")
        await admin.send("/admin")
        await admin.tap("Nouvelle annonce")

        tab = Tab(app, http)
        await tab.open(WEB_AUTHOR)
        answer = await tab.upload(PDF, "document", "examens.pdf", "application/pdf")
        frame = {"type": "file", "file": answer["file"], "kind": "document"}
        replies = await tab.send({**frame, "name": "examens.pdf", "mime": "application/pdf"})
        assert "Pièce jointe reçue. Écrivez maintenant le texte de l'annonce." in texts(replies)
        await admin.send("Voici le calendrier des examens.")
        for label in ("Continuer", "Les élèves", "Toutes les classes", "Toutes les langues"):
            await admin.tap(label)
        await admin.tap("Pas de classe précise")
        await admin.tap("Tout le monde")
        assert "Avec une pièce jointe : document examens.pdf" in admin.texts()
        await admin.tap("Envoyer maintenant")

        await send_everything(rig)
        (message,) = graph.sent(PHONE)
        assert message["document"]["filename"] == "examens.pdf"
        (upload,) = graph.uploads.values()
        assert upload.data == PDF and message["document"]["id"] == upload.media_id
        # On the web: a card with the file's name and size, not a bare link (chat.js fileCard).
        card, said = await waiting(app, WEB_MEMBER)
        assert {k: v for k, v in card.items() if k != "url"} == {
            "type": "document",
            "filename": "examens.pdf",
            "mime": "application/pdf",
            "size": len(PDF),
        }
        assert said["text"].startswith("Voici le calendrier des examens.")
        assert await opened(http, app, card["url"]) == (PDF, "application/pdf")

        # The file is the admin's: in their export, and erased with them.
        assert app.engine is not None
        async with app.engine.connect() as conn:
            exported = await conn.run_sync(
                export_learner, users.c.id == await user_id(app.store, "web", WEB_AUTHOR)
            )
        assert exported is not None
        (kept,) = exported["web_files"]
        assert (kept["filename"], kept["mime"], kept["size"]) == (
            "examens.pdf",
            "application/pdf",
            len(PDF),
        )
        await admin.send("/supprimer_mes_donnees")
        await admin.tap("Oui")
        assert await run(app.store, "SELECT id FROM web_files") == []


async def test_a_file_received_by_one_worker_is_taken_by_another(database_url: str) -> None:
    """The tab's socket reconnects to another worker before its frame goes: that worker
    takes the frame (the file is in the database, not in the first worker's memory)."""

    def settings() -> Settings:
        return Settings(
            database_url=database_url, web_host="127.0.0.1", web_port=0, pseudonym_secret=b"t"
        )

    first, second = BotApp(settings()), BotApp(settings())
    await first.start()
    await second.start()
    try:
        async with aiohttp.ClientSession() as http:
            tab = Tab(first, http)
            await a_teacher_importing(first, tab, database_url)
            answer = await tab.upload(COURSE.encode(), "document", "compost.md", "text/markdown")
            await tab.ws.close()  # the socket drops; the page comes back to the other worker
            again = Tab(second, http)
            again.count = tab.count  # the page's message ids go on
            await again.open()
            frame = {"type": "file", "file": answer["file"], "kind": "document"}
            replies = await again.send({**frame, "name": "compost.md"})
            assert "Le brouillon « Le compost » est prêt." in texts(replies)
            # Another learner's frame naming that file gets nothing of it.
            assert second.chat is not None
            assert await second.chat.uploads.kept_size("web-stranger-0123", answer["file"]) is None
    finally:
        await second.stop()
        await first.stop()


async def test_a_learner_s_uploads_of_a_day_are_bounded(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files kept in the database for weeks: one learner may not fill it."""
    monkeypatch.setattr(uploads, "DAY_BYTES", len(COURSE.encode()) * 2)
    settings = Settings(
        database_url=database_url, web_host="127.0.0.1", web_port=0, pseudonym_secret=b"t"
    )
    app = BotApp(settings)
    await app.start()
    try:
        async with aiohttp.ClientSession() as http:
            tab = Tab(app, http)
            await a_teacher_importing(app, tab, database_url)
            for _ in range(2):
                answer = await tab.upload(COURSE.encode(), "document", "c.md", "text/markdown")
                assert answer["size"] == len(COURSE.encode())
            answer = await tab.upload(COURSE.encode(), "document", "c.md", "text/markdown")
            assert answer == {"code": "busy"}
    finally:
        await app.stop()
