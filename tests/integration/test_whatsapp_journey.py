"""The student's journey on WhatsApp: signed webhooks to the real bot, a fake Graph API."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from bot.app import BotApp
from bot.conversations import Outcome
from bot.storage.channels import ChannelStore
from bot.storage.store import SqlStore
from content.model import Question, QuestionType
from dialogs.events import UserRef
from dialogs.messages import Say
from tests.driver import bundled_library
from tests.fakes.graph_api import FakeGraphApi
from tests.telegram_driver import start_bot
from tests.whatsapp_driver import (
    APP_SECRET,
    VERIFY_TOKEN,
    WhatsAppLearner,
    button_reply_body,
    choices_of,
    encode,
    reaction_body,
    sign,
    status_body,
    text_body,
    unsupported_body,
    whatsapp_settings,
)

JSON = dict[str, object]
HOURS_25 = 25 * 3600


@pytest.fixture
async def api() -> AsyncIterator[FakeGraphApi]:
    async with FakeGraphApi() as fake:
        yield fake


@pytest.fixture
async def bot(database_url: str, api: FakeGraphApi) -> AsyncIterator[BotApp]:
    app = await start_bot(whatsapp_settings(database_url, api.url))
    yield app
    await app.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def learner(api: FakeGraphApi, bot: BotApp, http: aiohttp.ClientSession) -> WhatsAppLearner:
    return WhatsAppLearner(api, bot, http)


# --- helpers -------------------------------------------------------------------------------


async def onboard(learner: WhatsAppLearner) -> None:
    """Language, consent, country, role, class."""
    await learner.send("Bonjour")
    await learner.tap("Français")
    await learner.tap("J'accepte")
    await learner.tap("Sénégal")
    await learner.tap("Élève")
    await learner.tap("CM2")


async def test_the_consent_notice_says_the_number_is_only_used_to_reply(
    learner: WhatsAppLearner,
) -> None:
    await learner.send("Bonjour")
    await learner.tap("Français")
    notice = learner.texts()
    assert "Votre numéro de téléphone me sert seulement à vous répondre" in notice
    assert "ni votre numéro de téléphone" not in notice


async def open_first_lesson(learner: WhatsAppLearner) -> None:
    """Menu -> courses -> mathematics -> fractions -> its first part -> its first lesson."""
    await learner.tap("courses")
    await learner.tap("Mathématiques")
    await learner.tap("fractions")
    await learner.tap("Comprendre")
    await learner.tap("parts-egales")


async def read_to_the_quiz(learner: WhatsAppLearner) -> None:
    """Tap "next" until the first question is asked."""
    for _ in range(20):
        if "Question 1 sur" in learner.last_text():
            return
        await learner.tap("next")
    raise AssertionError("the lesson never reached its quiz")


def normalised(text: str) -> str:
    return " ".join(text.split())


def question_asked(learner: WhatsAppLearner) -> Question:
    """The bundled question the bot asked last."""
    shown = normalised(learner.last_text())
    for course in bundled_library().courses:
        for lesson in course.lessons:
            for question in lesson.quiz.questions if lesson.quiz else ():
                if normalised(question.text) in shown:
                    return question
    raise AssertionError(f"no bundled question in {shown!r}")


async def answer(learner: WhatsAppLearner, right: bool = True) -> list[dict[str, object]]:
    """Answer the current question, right or wrong, the way its rendering invites."""
    question = question_asked(learner)
    if question.type is QuestionType.TRUE_FALSE:
        return await learner.tap("true" if question.truth is right else "false")
    if question.type is QuestionType.SINGLE:
        index = next(i for i, c in enumerate(question.choices) if c.correct is right)
        return await learner.tap(chr(ord("a") + index))
    if question.type is QuestionType.SHORT:
        return await learner.send(question.accepted[0].upper() if right else "je ne sais pas")
    value = question.numeric[0].value
    return await learner.send(str(value).replace(".", ",") if right else str(value + 1))


async def user_id(bot: BotApp, phone: str) -> int:
    """The learner's row id."""
    assert bot.engine is not None
    async with bot.engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT id FROM users WHERE channel = 'whatsapp' AND external_id = :p"),
            {"p": phone},
        )
    assert found is not None, "no user row"
    return int(found)


def channels(bot: BotApp) -> ChannelStore:
    assert bot.whatsapp is not None
    return bot.whatsapp.channels


def webhook(bot: BotApp) -> str:
    return f"http://127.0.0.1:{bot.port}/whatsapp/webhook"


# --- verification and signatures ----------------------------------------------------------


async def test_meta_verification_echoes_the_challenge_for_the_right_token(
    bot: BotApp, http: aiohttp.ClientSession
) -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    async with http.get(webhook(bot), params=query) as response:
        assert response.status == 200
        assert await response.text() == "1158201444"
    async with http.get(webhook(bot), params={**query, "hub.verify_token": "wrong"}) as response:
        assert response.status == 403


async def test_forged_bodies_are_refused_and_nothing_is_processed(
    learner: WhatsAppLearner, api: FakeGraphApi, bot: BotApp
) -> None:
    body = text_body(learner.phone, "Bonjour")
    other = encode(text_body(learner.phone, "Salut"))
    assert await learner.post(body, signature=None) == 401
    assert await learner.post(body, signature="sha256=" + "0" * 64) == 401
    assert await learner.post(body, signature=sign(APP_SECRET, other)) == 401
    assert await learner.post(body, signature=sign("another-secret", encode(body))) == 401
    assert api.sent() == []
    assert bot.conversations is not None
    assert await bot.conversations.store.count_users() == 0
    assert await channels(bot).inbox_pending() == []
    assert await learner.post(body) == 200, "the same body, correctly signed, is handled"
    assert "Dans quelle langue" in learner.texts()


# --- the journey ---------------------------------------------------------------------------


async def test_the_whole_journey_on_whatsapp(learner: WhatsAppLearner, api: FakeGraphApi) -> None:
    reply = await learner.send("Bonjour")
    assert "Dans quelle langue" in learner.texts(reply)
    languages = [c["title"] for c in choices_of(reply[-1])]
    assert languages[:3] == ["Français", "English", "العربية"]

    reply = await learner.tap("Français")
    assert "/supprimer_mes_donnees" in learner.texts(reply)
    reply = await learner.tap("J'accepte")
    countries = learner.texts(reply)
    assert "Dans quel pays" in countries and "12. Autre pays" in countries
    assert reply[-1]["type"] == "text", "12 countries do not fit a list: numbered text"

    reply = await learner.send("42")  # no such number: asked again
    assert "Dans quel pays" in learner.texts(reply)
    reply = await learner.send("9")  # Sénégal, by its number
    assert "Vous êtes" in learner.texts(reply)

    reply = await learner.tap("Élève")
    assert "En quelle classe" in learner.texts(reply)
    reply = await learner.send("CM2")  # typed by name
    assert "Que voulez-vous faire" in learner.texts(reply)
    assert reply[-1]["type"] == "interactive"

    await open_first_lesson(learner)
    await read_to_the_quiz(learner)
    assert any(p["type"] == "image" for p in api.sent(learner.phone)), "lessons show images"

    reply = await answer(learner, right=True)
    assert "Bonne réponse" in learner.texts(reply)
    reply = await answer(learner, right=False)
    assert "pas encore ça" in learner.texts(reply)
    while "Quiz terminé" not in learner.texts():
        await answer(learner, right=True)
    assert re.search(r"Quiz terminé ! Votre score : [\d,.]+ sur 4 \(\d+", learner.texts())
    assert api.refusals() == [], "every payload passed Meta's validation"


async def test_the_country_can_be_typed_by_name(learner: WhatsAppLearner) -> None:
    await learner.send("Bonjour")
    await learner.tap("Français")
    await learner.tap("J'accepte")
    reply = await learner.send("Sénégal")
    assert "Vous êtes" in learner.texts(reply)


async def test_a_duplicate_delivery_gets_one_reply(
    learner: WhatsAppLearner, api: FakeGraphApi
) -> None:
    body = text_body(learner.phone, "Bonjour")
    assert await learner.post(body) == 200
    assert await learner.post(body) == 200
    assert len(api.sent(learner.phone)) == 1


async def test_a_stale_button_gets_the_current_question_again(
    learner: WhatsAppLearner, api: FakeGraphApi
) -> None:
    await onboard(learner)
    menu = learner.last_question()
    old = next(c for c in choices_of(menu) if c["id"].endswith(":help"))
    reply = await learner.tap("courses")
    assert "Choisissez une matière" in learner.texts(reply)
    reply = await learner.exchange(button_reply_body(learner.phone, old["id"], old["title"]))
    assert "ancien message" in learner.texts(reply)
    assert "Choisissez une matière" in learner.texts(reply)
    reply = await learner.exchange(button_reply_body(learner.phone, "garbage", "?"))
    assert "ancien message" in learner.texts(reply)
    reply = await learner.tap("Mathématiques")
    assert "Choisissez un cours" in learner.texts(reply), "nothing lost"


async def test_odd_messages_get_clear_answers_and_nothing_is_lost(
    learner: WhatsAppLearner, api: FakeGraphApi
) -> None:
    await onboard(learner)
    reply = await learner.send_photo()
    assert "ce type de message" in learner.texts(reply)
    assert reply[-1]["type"] == "interactive", "the options come again"
    reply = await learner.send("x" * 10_000)
    assert "Je n'ai pas compris" in learner.texts(reply)
    reply = await learner.exchange(reaction_body(learner.phone, api.last(learner.phone)["wamid"]))
    assert reply == [], "a reaction is not answered"
    reply = await learner.exchange(unsupported_body(learner.phone))
    assert "ce type de message" in learner.texts(reply)
    reply = await learner.tap("courses")
    assert "Choisissez une matière" in learner.texts(reply)
    assert api.refusals() == []


# --- statuses, the window, errors ------------------------------------------------------------


async def test_status_updates_are_recorded_against_the_sent_message(
    learner: WhatsAppLearner, api: FakeGraphApi, bot: BotApp
) -> None:
    await learner.send("Bonjour")
    wamid = str(api.last(learner.phone)["wamid"])
    store = channels(bot)
    assert await store.status_of(wamid) == ("accepted", None)
    for status in ("sent", "read", "delivered"):  # "read" may come before "delivered"
        assert await learner.post(status_body(learner.phone, wamid, status)) == 200
    assert await store.status_of(wamid) == ("read", None)

    await learner.tap("Français")
    failed = str(api.last(learner.phone)["wamid"])
    assert await learner.post(status_body(learner.phone, failed, "failed", code=131049)) == 200
    assert await store.status_of(failed) == ("failed", 131049)
    assert await store.failures("whatsapp") == {131049: 1}
    assert await store.inbox_pending() == []


async def test_a_reply_to_a_day_old_message_is_held_until_the_learner_writes_again(
    learner: WhatsAppLearner, api: FakeGraphApi, bot: BotApp
) -> None:
    learner.clock = time.time() - HOURS_25
    await learner.send("Bonjour")
    assert api.sent(learner.phone) == [], "outside the 24-hour window nothing free-form goes"
    assert await channels(bot).has_held(await user_id(bot, learner.phone))

    learner.clock = None
    reply = await learner.send("Français")  # answers the held question: progress was kept
    texts = [learner.texts([p]) for p in reply]
    assert "Dans quelle langue" in texts[0], "the held reply comes first"
    assert "/supprimer_mes_donnees" in texts[-1]
    assert not await channels(bot).has_held(await user_id(bot, learner.phone))


async def test_outside_the_window_a_template_goes_instead(
    database_url: str, api: FakeGraphApi, http: aiohttp.ClientSession
) -> None:
    settings = whatsapp_settings(database_url, api.url, whatsapp_template_name="reprise_cours")
    bot = await start_bot(settings)
    try:
        learner = WhatsAppLearner(api, bot, http, clock=time.time() - HOURS_25)
        reply = await learner.send("Bonjour")
        assert [p["type"] for p in reply] == ["template"]
        assert reply[0]["template"]["name"] == "reprise_cours"
        reply = await learner.send("Salut")  # still a day old: no second template
        assert reply == []
        learner.clock = None
        reply = await learner.send("Bonjour")
        assert "Dans quelle langue" in learner.texts(reply[:1])
    finally:
        await bot.stop()


async def test_an_unreachable_number_is_marked_and_not_sent_to_again(
    learner: WhatsAppLearner, api: FakeGraphApi, bot: BotApp
) -> None:
    api.fail_next(131026, to=learner.phone)
    assert await learner.send("Bonjour") == []
    uid = await user_id(bot, learner.phone)
    assert (await channels(bot).contact(uid)).unreachable_at is not None
    requests = len(api.times(learner.phone))
    outcome = Outcome(
        UserRef("whatsapp", learner.phone), [Say("Nouveau cours !")], "fr", False, uid
    )
    assert bot.whatsapp is not None
    await bot.whatsapp.channel.send(outcome)  # a broadcast, not an answer
    assert len(api.times(learner.phone)) == requests, "nothing tried"


async def test_a_rate_limit_is_waited_out_and_the_reply_still_arrives(
    learner: WhatsAppLearner, api: FakeGraphApi
) -> None:
    api.fail_next(130429)
    reply = await learner.send("Bonjour")
    assert "Dans quelle langue" in learner.texts(reply)
    assert api.refusals(learner.phone) == [130429]


async def test_a_closed_window_reported_by_meta_holds_the_reply(
    database_url: str, api: FakeGraphApi, http: aiohttp.ClientSession
) -> None:
    settings = whatsapp_settings(database_url, api.url, whatsapp_template_name="reprise_cours")
    bot = await start_bot(settings)
    try:
        learner = WhatsAppLearner(api, bot, http)
        api.fail_next(131047, to=learner.phone)
        reply = await learner.send("Bonjour")
        assert [p["type"] for p in reply] == ["template"]
        assert await channels(bot).has_held(await user_id(bot, learner.phone))
        reply = await learner.send("Français")
        assert "Dans quelle langue" in learner.texts(reply[:1])
        assert "/supprimer_mes_donnees" in learner.texts(reply)
    finally:
        await bot.stop()


# --- media, recovery, pacing, logs ---------------------------------------------------------


async def test_a_lesson_image_is_uploaded_once_and_then_sent_by_its_id(
    learner: WhatsAppLearner, api: FakeGraphApi, bot: BotApp
) -> None:
    other = WhatsAppLearner(api, bot, learner.http, phone="221779876543")
    for someone in (learner, other):
        await onboard(someone)
        await open_first_lesson(someone)
        await someone.tap("next")
    await learner.tap("back")
    await learner.tap("next")
    images = [p["image"] for p in api.sent() if p["type"] == "image"]
    assert len(images) == 3
    assert len(api.uploads) == 1
    (media_id,) = api.uploads
    assert all(image["id"] == media_id for image in images)
    assert api.uploads[media_id].mime == "image/png"


async def test_with_a_public_url_images_go_by_link(
    database_url: str, api: FakeGraphApi, http: aiohttp.ClientSession
) -> None:
    settings = whatsapp_settings(database_url, api.url, public_url="https://ecole.example.org")
    bot = await start_bot(settings)
    try:
        learner = WhatsAppLearner(api, bot, http)
        await onboard(learner)
        await open_first_lesson(learner)
        await learner.tap("next")
        (image,) = [p["image"] for p in api.sent() if p["type"] == "image"]
        assert image["link"].startswith("https://ecole.example.org/")
        assert "id" not in image and api.uploads == {}
    finally:
        await bot.stop()


async def test_a_body_stored_before_a_crash_is_handled_at_start(
    database_url: str, api: FakeGraphApi, http: aiohttp.ClientSession, store: SqlStore
) -> None:
    phone = "221775550000"
    await ChannelStore(store).inbox_put(encode(text_body(phone, "Bonjour")), datetime.now(UTC))
    bot = await start_bot(whatsapp_settings(database_url, api.url))
    try:
        assert bot.whatsapp is not None
        await bot.whatsapp.drain()
        assert "Dans quelle langue" in "\n".join(api.texts(phone))
        assert await channels(bot).inbox_pending() == []
    finally:
        await bot.stop()


async def test_a_body_whose_handling_failed_is_retried_by_the_sweep(
    learner: WhatsAppLearner, bot: BotApp, api: FakeGraphApi
) -> None:
    service = bot.whatsapp
    assert service is not None
    conversations = service.conversations
    real = conversations.handle
    calls = 0

    async def flaky(*args: Any, **kwargs: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("the database went away for a moment")
        return await real(*args, **kwargs)

    conversations.handle = flaky  # type: ignore[method-assign]
    await learner.post(text_body(learner.phone, "Bonjour"))
    await service.drain()
    assert api.texts(learner.phone) == []  # the first attempt failed: nothing sent...
    assert len(await channels(bot).inbox_pending()) == 1  # ...and nothing lost
    await service._resume(datetime.now(UTC) + timedelta(minutes=5))  # what the sweep does
    await service.drain()
    assert "Dans quelle langue" in "\n".join(api.texts(learner.phone))
    assert await channels(bot).inbox_pending() == []


async def test_messages_to_one_learner_are_paced_while_learners_are_served_together(
    database_url: str, api: FakeGraphApi, http: aiohttp.ClientSession
) -> None:
    bot = await start_bot(whatsapp_settings(database_url, api.url, whatsapp_pace_seconds=0.2))
    try:
        awa = WhatsAppLearner(api, bot, http, phone="221770000001")
        ali = WhatsAppLearner(api, bot, http, phone="221770000002")
        for someone in (awa, ali):
            await onboard(someone)
            await open_first_lesson(someone)
        before = {p: len(api.times(p)) for p in (awa.phone, ali.phone)}
        await asyncio.gather(awa.tap("next"), ali.tap("next"))  # an image, then the text
        times = {p: api.times(p)[before[p] :] for p in (awa.phone, ali.phone)}
        for phone, arrivals in times.items():
            assert len(arrivals) == 2, phone
            assert arrivals[1] - arrivals[0] >= 0.19
        first, second = times[awa.phone], times[ali.phone]
        assert first[0] < second[1] and second[0] < first[1], "both replies went at once"
    finally:
        await bot.stop()


async def test_logs_show_no_phone_numbers_and_no_message_text(
    learner: WhatsAppLearner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await onboard(learner)
    await learner.send("Mon secret est 0102030405")
    await learner.post(text_body(learner.phone, "forgé"), signature=None)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "handled channel=whatsapp" in logged, "one line per event"
    assert learner.phone not in logged
    assert "0102030405" not in logged and "secret" not in logged and "Bonjour" not in logged


async def test_a_held_lesson_image_is_delivered_with_the_rest(
    learner: WhatsAppLearner, api: FakeGraphApi, bot: BotApp
) -> None:
    await onboard(learner)
    await open_first_lesson(learner)
    api.fail_next(131047, to=learner.phone)  # Meta says the window closed
    assert await learner.tap("next") == []
    reply = await learner.send("Bonjour")
    assert [p["type"] for p in reply][:2] == ["image", "interactive"], "the held step, whole"
    assert "Partager en parts égales (2/5)" in learner.texts(reply[1:2])
    assert api.refusals() == [131047]


async def test_two_learners_reaching_the_same_image_at_once_upload_it_once(
    learner: WhatsAppLearner, api: FakeGraphApi, bot: BotApp
) -> None:
    other = WhatsAppLearner(api, bot, learner.http, phone="221779876543")
    for someone in (learner, other):
        await onboard(someone)
        await open_first_lesson(someone)
    await asyncio.gather(learner.tap("next"), other.tap("next"))
    assert len(api.uploads) == 1
