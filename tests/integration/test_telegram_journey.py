"""The student's journey on Telegram: the real PTB Application over HTTP to a fake Bot API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.app import BotApp
from content.model import Question, QuestionType
from tests.driver import bundled_library
from tests.fakes.telegram_api import Call, FakeBotApi
from tests.telegram_driver import (
    SECRET,
    TelegramLearner,
    buttons,
    start_bot,
    telegram_settings,
)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(database_url: str, api: FakeBotApi) -> AsyncIterator[BotApp]:
    app = await start_bot(telegram_settings(database_url, api.url))
    yield app
    await app.stop()


@pytest.fixture
async def learner(api: FakeBotApi, bot: BotApp) -> AsyncIterator[TelegramLearner]:
    async with aiohttp.ClientSession() as http:
        yield TelegramLearner(api, bot, http)


async def onboard(learner: TelegramLearner) -> None:
    """Language, consent, country, role, class."""
    await learner.send("/start")
    await learner.tap("Français")
    await learner.tap("J'accepte")
    await learner.tap("Sénégal")
    await learner.tap("Élève")
    await learner.tap("CM2")


def question_asked(call: Call) -> Question:
    """The bundled question whose text the bot just sent."""
    shown = str(call.params.get("question") or call.params.get("text"))
    for course in bundled_library().courses:
        for lesson in course.lessons:
            for question in lesson.quiz.questions if lesson.quiz else ():
                if question.text in shown:
                    return question
    raise AssertionError(f"no bundled question in {shown!r}")


async def answer_right(learner: TelegramLearner) -> list[Call]:
    """Answer the current question correctly, the way its rendering invites."""
    call = learner.api.sent(learner.user_id)[-1]
    question = question_asked(call)
    if call.method == "sendPoll":
        if question.type is QuestionType.TRUE_FALSE:
            return await learner.vote(0 if question.truth else 1)
        right = [i for i, c in enumerate(question.choices) if c.correct]
        return await learner.vote(*right)
    if question.type is QuestionType.SHORT:
        return await learner.send(question.accepted[0].upper())
    return await learner.send(str(question.numeric[0].value).replace(".", ","))


async def open_first_lesson(learner: TelegramLearner) -> None:
    """Menu -> courses -> mathematics -> the fractions course (its lessons have pictures)
    -> its first lesson."""
    await learner.tap("Les cours")
    for option in ("mathematiques", "fractions"):
        offered = [b["callback_data"].split(":")[1] for b in buttons(learner.last_keyboard())]
        if option in offered:
            await learner.tap(option)
    while not any(b["text"].startswith("1.") for b in buttons(learner.last_keyboard())):
        await learner.tap(buttons(learner.last_keyboard())[0]["callback_data"].split(":")[1])
    await learner.tap("1.")


async def test_the_whole_journey_on_telegram(learner: TelegramLearner, api: FakeBotApi) -> None:
    await learner.send("/start")
    labels = [b["text"] for b in buttons(learner.last_keyboard())]
    assert labels[:3] == ["Français", "English", "العربية"]
    await learner.tap("Français")
    assert "/supprimer_mes_donnees" in learner.texts()
    await learner.tap("J'accepte")
    await learner.tap("Sénégal")
    await learner.tap("Élève")
    reply = await learner.tap("CM2")
    assert "Que voulez-vous faire" in learner.texts(reply)

    await open_first_lesson(learner)
    while "sendPoll" not in [c.method for c in api.sent(learner.user_id)[-2:]] and (
        "Question 1" not in learner.texts(api.sent(learner.user_id)[-1:])
    ):
        await learner.tap("next")
    assert any(c.method == "sendPhoto" for c in api.sent(learner.user_id)), "lessons show images"

    while "Quiz terminé" not in learner.texts():
        reply = await answer_right(learner)
        assert "Bonne réponse" in learner.texts(reply)
    assert "100" in learner.texts()
    assert any(c.method == "sendPoll" for c in api.sent(learner.user_id)), "native quiz polls"
    assert all(
        len(b["callback_data"].encode()) <= 64
        for call in api.sent(learner.user_id)
        for b in buttons(call)
    )

    reply = await learner.send("/progres")
    assert "1 leçon terminée sur" in learner.texts(reply)
    assert "meilleur score 100" in learner.texts(reply)

    reply = await learner.send("/mes_donnees")
    assert reply[0].method == "sendDocument"
    assert b'"level": "CM2"' in next(iter(reply[0].files.values()))


async def test_callback_queries_are_answered_in_the_webhook_response(
    learner: TelegramLearner, api: FakeBotApi
) -> None:
    await learner.send("/start")
    data = buttons(learner.last_keyboard())[0]["callback_data"]
    update = api.updates.callback(
        learner.user_id, data, learner.last_keyboard().result["message_id"]
    )
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with learner.http.post(learner.webhook, json=update, headers=headers) as response:
        answer = await response.json()
    query_id = update["callback_query"]["id"]
    assert answer == {"method": "answerCallbackQuery", "callback_query_id": query_id}
    assert not [c for c in api.calls if c.method == "answerCallbackQuery"], "no extra request"


async def test_a_wrong_secret_is_rejected_and_nothing_processed(
    learner: TelegramLearner, api: FakeBotApi, bot: BotApp
) -> None:
    update = api.updates.text(learner.user_id, "/start")
    assert await learner.post(update, secret="wrong") == 401
    assert await learner.post(update, secret=None) == 401
    assert api.sent() == []
    assert bot.conversations is not None
    assert await bot.conversations.store.count_users() == 0
    assert await learner.post(update) == 200, "the same update, correctly signed, is handled"
    assert api.sent(learner.user_id)


async def test_a_duplicate_delivery_is_handled_once(
    learner: TelegramLearner, api: FakeBotApi
) -> None:
    update = api.updates.text(learner.user_id, "/start")
    await learner.post(update)
    sent = len(api.sent(learner.user_id))
    await learner.post(update)
    assert len(api.sent(learner.user_id)) == sent


async def test_odd_input_gets_a_helpful_answer(learner: TelegramLearner, api: FakeBotApi) -> None:
    await onboard(learner)
    menu = learner.last_keyboard()
    for update in (
        api.updates.sticker(learner.user_id),
        api.updates.photo(learner.user_id),
        api.updates.voice(learner.user_id),
    ):
        reply = await learner._exchange(update)
        assert "ce type de message" in learner.texts(reply)
        assert buttons(reply[-1]), "the options come again"
    for text in ("x" * 10_000, "مرحبا، كيف حالك؟", "🙂"):
        reply = await learner.send(text)
        assert "Je n'ai pas compris" in learner.texts(reply)
    await learner.tap("Les cours")
    reply = await learner.tap("Aide", of=menu)
    assert "ancien message" in learner.texts(reply)
    reply = await learner._exchange(api.updates.callback(learner.user_id, "garbage", 1))
    assert "ancien message" in learner.texts(reply)


async def test_restart_in_the_middle_of_a_quiz(
    database_url: str, api: FakeBotApi, learner: TelegramLearner, bot: BotApp
) -> None:
    await onboard(learner)
    await open_first_lesson(learner)
    while "Question 1" not in learner.texts(api.sent(learner.user_id)[-1:]):
        await learner.tap("next")
    await answer_right(learner)
    assert "Question 2" in learner.texts(api.sent(learner.user_id)[-1:])
    await bot.stop()

    restarted = await start_bot(telegram_settings(database_url, api.url))
    try:
        learner.app = restarted
        reply = await answer_right(learner)
        assert "Bonne réponse" in learner.texts(reply)
        assert "Question 3" in learner.texts(reply) or "Quiz terminé" in learner.texts(reply)
    finally:
        await restarted.stop()
        learner.app = bot


async def test_health_and_readiness(learner: TelegramLearner, bot: BotApp) -> None:
    base = f"http://127.0.0.1:{bot.port}"
    async with learner.http.get(f"{base}/healthz") as response:
        assert response.status == 200
    async with learner.http.get(f"{base}/readyz") as response:
        assert response.status == 200
        assert (await response.json())["database"] is True


async def test_polling_confirms_updates_only_after_handling(database_url: str) -> None:
    async with FakeBotApi() as api:
        app = await start_bot(telegram_settings(database_url, api.url, webhook=False))
        try:
            api.push_update(api.updates.text(4242, "/start"))
            call = await api.wait_for(
                lambda c: c.method == "sendMessage" and "reply_markup" in c.params
            )
            assert "Français" in str(call.params["reply_markup"])
            for _ in range(100):  # the next getUpdates confirms it, after the reply was sent
                if not api.pending:
                    break
                await asyncio.sleep(0.02)
            assert not api.pending
            message_id = call.result["message_id"]
            data = call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            api.push_update(api.updates.callback(4242, data, message_id))
            await api.wait_for("answerCallbackQuery")  # polling answers taps through the API
        finally:
            await app.stop()


async def test_logs_never_show_message_text_or_telegram_ids(
    learner: TelegramLearner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="imaginecole")
    caplog.set_level(logging.INFO)
    await onboard(learner)
    await learner.send("Mon secret est 0102030405")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "handled channel=telegram" in logged, "one line per event"
    assert str(learner.user_id) not in logged
    assert "0102030405" not in logged and "secret" not in logged


async def test_the_command_menu_is_published_in_every_language(
    api: FakeBotApi, bot: BotApp
) -> None:
    await api.wait_for(
        lambda c: c.method == "setMyCommands" and c.params.get("language_code") == "ar"
    )
    french = next(
        c for c in api.calls if c.method == "setMyCommands" and "language_code" not in c.params
    )
    assert {"command": "progres", "description": "Mes progrès"} in french.params["commands"]


async def test_a_429_is_waited_out_and_the_reply_still_arrives(
    learner: TelegramLearner, api: FakeBotApi
) -> None:
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    reply = await learner.send("/start")
    assert "Dans quelle langue" in learner.texts(reply)


async def test_a_learner_who_blocked_the_bot_does_not_break_the_turn(
    learner: TelegramLearner, api: FakeBotApi
) -> None:
    api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    assert await learner.send("/start") == []  # nothing could be sent; the webhook said 200
    reply = await learner.send("Français")  # unblocked later: the language question stood
    assert "/supprimer_mes_donnees" in learner.texts(reply)
