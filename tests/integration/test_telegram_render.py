"""Rendering limits on Telegram: long texts split, buttons on the last part, polls that fit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot

from bot.conversations import Outcome
from bot.storage.store import SqlStore
from bot.telegram.render import TelegramChannel
from bot.telegram.request import AiohttpRequest
from dialogs.events import UserRef
from dialogs.messages import Ask, Document, Option, QuizQuestion, Say, Show
from tests.fakes.telegram_api import FakeBotApi

CHAT = 5550001


@pytest.fixture
async def channel(store: SqlStore) -> AsyncIterator[tuple[TelegramChannel, FakeBotApi]]:
    async with FakeBotApi() as api:
        bot = Bot("1:T", base_url=f"{api.url}/bot", request=AiohttpRequest())
        async with bot:
            yield TelegramChannel(bot, store), api


async def send(channel: TelegramChannel, *messages: object) -> None:
    await channel.send(Outcome(UserRef("telegram", str(CHAT)), list(messages), "fr", False, 1))  # type: ignore[arg-type]


async def test_a_long_text_is_split_and_the_buttons_come_last(
    channel: tuple[TelegramChannel, FakeBotApi],
) -> None:
    renderer, api = channel
    paragraph = "Le moustique anophèle pique la nuit. " * 40
    text = "\n\n".join([paragraph] * 8)  # about 12,000 characters
    await send(renderer, Ask(text, (Option("next", "Suivant"),), 3))
    sent = api.sent(CHAT)
    assert len(sent) >= 3
    assert all(len(call.params["text"]) <= 4096 for call in sent)
    assert [bool(call.params.get("reply_markup")) for call in sent] == [False] * (len(sent) - 1) + [
        True
    ]
    received = " ".join(call.params["text"] for call in sent)
    assert received.split() == text.split(), "nothing is lost or cut mid-word"


async def test_choice_questions_too_long_for_a_poll_become_buttons(
    channel: tuple[TelegramChannel, FakeBotApi],
) -> None:
    renderer, api = channel
    options = tuple(Option(chr(97 + i), f"Réponse {i}") for i in range(3))
    await send(renderer, QuizQuestion("Q" * 400, options, 9, correct_ids=("a",)))
    call = api.sent(CHAT)[-1]
    assert call.method == "sendMessage"
    data = [
        b["callback_data"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert data == ["9:a", "9:b", "9:c"], "the right answer is never in the callback data"


async def test_media_and_documents(
    channel: tuple[TelegramChannel, FakeBotApi], tmp_path: Path
) -> None:
    renderer, api = channel
    image = tmp_path / "galette.png"
    image.write_bytes(b"\x89PNG fake")
    await send(
        renderer,
        Show("image", image, "Une galette", "/media/x/galette.png"),
        Document("mes_donnees.json", b"{}", "application/json", "Vos données"),
        Say("Fin"),
    )
    assert [c.method for c in api.sent(CHAT)] == ["sendPhoto", "sendDocument", "sendMessage"]
    assert next(iter(api.sent(CHAT)[0].files.values())) == b"\x89PNG fake"


async def test_a_text_and_the_question_after_it_go_as_one_message(
    channel: tuple[TelegramChannel, FakeBotApi],
) -> None:
    renderer, api = channel
    await send(renderer, Say("✅ Bonne réponse !"), Ask("Question 2 sur 4", (Option("a", "A"),), 4))
    (call,) = api.sent(CHAT)
    assert call.params["text"] == "✅ Bonne réponse !\n\nQuestion 2 sur 4"
    assert call.params["reply_markup"]


async def test_course_media_are_uploaded_once(
    channel: tuple[TelegramChannel, FakeBotApi], tmp_path: Path
) -> None:
    renderer, api = channel
    image = tmp_path / "moustiquaire.png"
    image.write_bytes(b"\x89PNG net")
    show = Show("image", image, "Dormir sous la moustiquaire", "/media/x/moustiquaire.png")
    await send(renderer, show)
    await send(renderer, show)
    first, second = api.sent(CHAT)
    assert first.files and not second.files
    assert second.params["photo"] == first.result["photo"][-1]["file_id"]


async def test_an_expired_file_id_is_replaced_by_a_new_upload(
    channel: tuple[TelegramChannel, FakeBotApi], tmp_path: Path
) -> None:
    renderer, api = channel
    image = tmp_path / "galette.png"
    image.write_bytes(b"\x89PNG galette")
    show = Show("image", image, "", "/media/x/galette.png")
    await send(renderer, show)
    api.fail_next("sendPhoto", 400, "Bad Request: wrong file identifier/HTTP URL specified")
    await send(renderer, show)
    assert api.sent(CHAT)[-1].files, "uploaded again after the refusal"


async def test_a_worksheet_goes_as_a_document(
    channel: tuple[TelegramChannel, FakeBotApi], tmp_path: Path
) -> None:
    renderer, api = channel
    sheet = tmp_path / "fiche.txt"
    sheet.write_text("Recopie ce tableau.", encoding="utf-8")
    await send(renderer, Show("document", sheet, "La fiche", "/media/x/docs/fiche.txt"))
    (call,) = api.sent(CHAT)
    assert call.method == "sendDocument" and call.params["caption"] == "La fiche"
    assert next(iter(call.files.values())) == b"Recopie ce tableau."


async def test_a_voice_note_before_its_text_and_a_media_offer_as_a_button(
    channel: tuple[TelegramChannel, FakeBotApi],
) -> None:
    from tests.driver import AUDIO_COURSE

    renderer, api = channel
    voice = AUDIO_COURSE / "audio" / "histoire-awa.ogg"
    listen = Option("media", "🔊 Audio (3 Ko) - écouter ?")
    await send(
        renderer,
        Show("audio", voice, "", "/media/lecture-audio/audio/histoire-awa.ogg"),
        Ask("Lis bien cette petite histoire.", (listen, Option("next", "Suivant ▶️")), 5),
    )
    sent_voice, text = api.sent(CHAT)
    assert sent_voice.method == "sendVoice"  # an OGG plays inline as a voice note
    assert text.params["text"] == "Lis bien cette petite histoire."
    rows = text.params["reply_markup"]["inline_keyboard"]
    assert rows[0][0] == {"text": "🔊 Audio (3 Ko) - écouter ?", "callback_data": "5:media"}


async def test_several_answers_as_text_are_lettered_in_the_order_shown(
    channel: tuple[TelegramChannel, FakeBotApi],
) -> None:
    """A shuffled question (ids c, a, b) too long for a poll: a), b), c) as shown, the
    letters the quiz reads back (dialogs/options.py), whatever the ids."""
    renderer, api = channel
    options = (Option("c", "16"), Option("a", "3"), Option("b", "9"))
    asked = QuizQuestion("Q" * 400, options, 9, multiple=True, hint="a c")
    await send(renderer, asked)
    text = api.sent(CHAT)[-1].params["text"]
    assert "a) 16\nb) 3\nc) 9" in text
