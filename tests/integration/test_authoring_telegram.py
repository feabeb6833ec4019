"""Over HTTP with the fake Bot API: a teacher sends a photo and a GIFT file as documents
(fetched by getFile before the turn), publishes, and a student of Senegal sees the image."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from bot.admin_cli import grant
from bot.app import BotApp
from tests.fakes.telegram_api import FakeBotApi
from tests.telegram_driver import TelegramLearner, start_bot, telegram_settings

JPEG = b"\xff\xd8\xff\xe0 a compost heap"
GIFT = "Que met-on dans le compost ? {=des épluchures ~du plastique}\n".encode()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(database_url: str, api: FakeBotApi, tmp_path: Path) -> AsyncIterator[BotApp]:
    settings = telegram_settings(database_url, api.url)
    app = await start_bot(replace(settings, authored_dir=str(tmp_path / "authored")))
    yield app
    await app.stop()


async def onboard(person: TelegramLearner, role: str) -> None:
    """Language, consent, Senegal, role, CM2."""
    await person.send("/start")
    for label in ("Français", "J'accepte", "Sénégal", role, "CM2"):
        await person.tap(label)


async def test_a_photo_and_a_gift_file_reach_a_student(
    api: FakeBotApi, bot: BotApp, database_url: str
) -> None:
    async with aiohttp.ClientSession() as http:
        teacher = TelegramLearner(api, bot, http, user_id=900_001)
        await onboard(teacher, "Enseignant")
        await grant(database_url, "telegram", "900001", "teacher", "SN")
        await teacher.send("/classes")
        for label in ("Mes cours", "Nouveau cours"):
            await teacher.tap(label)
        await teacher.send("Le compost")
        for label in ("Sciences", "CM2", "Français", "Nouvelle leçon"):
            await teacher.tap(label)
        await teacher.send("Notre tas")
        await teacher.send("Voici le tas de compost de l'école.")

        photo = api.updates.photo(teacher.user_id)
        api.add_file(photo["message"]["photo"][-1]["file_id"], JPEG, "photos/file_1.jpg")
        replies = await teacher._exchange(photo)
        assert "Étape 2 ajoutée." in teacher.texts(replies)
        await teacher.tap("Leçon terminée")

        await teacher.tap("Importer un fichier")
        document = api.updates.document(teacher.user_id, "compost.gift", "text/plain")
        api.add_file(document["message"]["document"]["file_id"], GIFT)
        replies = await teacher._exchange(document)
        assert "1 question ajoutée au quiz de la dernière leçon." in teacher.texts(replies)

        await teacher.tap("Publier")
        await teacher.tap("mon pays")
        if any("CC BY-SA 4.0" in b["text"] for b in _buttons(teacher)):
            await teacher.tap("CC BY-SA 4.0")
        if "Publié" not in teacher.texts(api.sent(teacher.user_id)[-2:]):
            await teacher.send("Awa Ndiaye")
        assert "Publié" in teacher.texts()

        student = TelegramLearner(api, bot, http, user_id=900_002)
        await onboard(student, "Élève")
        for label in ("Les cours", "Sciences", "Le compost", "Notre tas"):
            await student.tap(label)
        replies = await student.tap("Suivant")
        (sent,) = [c for c in replies if c.method == "sendPhoto"]
        assert sent.files["photo"] == JPEG


def _buttons(person: TelegramLearner) -> list[dict[str, str]]:
    markup = person.last_keyboard().params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


async def test_files_are_fetched_only_where_taken_and_never_past_the_limit(
    api: FakeBotApi, bot: BotApp, database_url: str
) -> None:
    async with aiohttp.ClientSession() as http:
        student = TelegramLearner(api, bot, http, user_id=900_011)
        await onboard(student, "Élève")
        notes = api.updates.document(student.user_id, "notes.txt", "text/plain")
        api.add_file(notes["message"]["document"]["file_id"], b"x" * 1024, "documents/notes.txt")
        replies = await student._exchange(notes)
        assert "Je ne peux pas utiliser ce type de message ici" in student.texts(replies)
        assert not [c for c in api.calls if c.method == "getFile"], "not even asked for"

        teacher = TelegramLearner(api, bot, http, user_id=900_012)
        await onboard(teacher, "Enseignant")
        await grant(database_url, "telegram", "900012", "teacher", "SN")
        await teacher.send("/classes")
        for label in ("Mes cours", "Nouveau cours"):
            await teacher.tap(label)
        await teacher.send("Le compost")
        for label in ("Sciences", "CM2", "Français", "Importer un fichier"):
            await teacher.tap(label)
        # The update does not say its size (Telegram's field is optional): getFile does.
        big = api.updates.document(teacher.user_id, "quiz.gift", "text/plain")
        del big["message"]["document"]["file_size"]
        path = api.add_file(big["message"]["document"]["file_id"], b"x" * 600_000)
        replies = await teacher._exchange(big)
        assert "Ce fichier est trop lourd" in teacher.texts(replies)
        assert api.downloads[path] == 0
