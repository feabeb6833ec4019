"""USSD through the real bot over HTTP: the aggregator's callbacks in, screens out."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.app import BotApp
from bot.storage.admin import SqlAdminDesk
from bot.ussd.sessions import UssdSessions
from dialogs.admin_ports import Audience, BroadcastDraft
from dialogs.events import UserRef
from tests.chat_drivers import UssdChat, WebChat
from tests.integration.test_same_journey import answer, onboard, open_lesson, read_to_the_quiz
from tests.sender_support import transaction
from tests.telegram_driver import start_bot
from tests.ussd_driver import UssdPhone, ussd_settings


@pytest.fixture(name="bot")
async def bot_fixture(database_url: str) -> AsyncIterator[BotApp]:
    bot = await start_bot(ussd_settings(database_url))
    yield bot
    await bot.stop()


@pytest.fixture(name="http")
async def http_fixture() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


async def test_a_first_dial_greets_in_screens_of_160_characters(
    bot: BotApp, http: aiohttp.ClientSession
) -> None:
    phone = UssdPhone(bot, http)
    first = await phone.dial()
    assert first == (
        "Bonjour et bienvenue sur Imaginecole ! Je vous accompagne dans vos leçons et vos quiz,"
        " ici même, dans la discussion.\n0. Suite"
    )
    second = await phone.press("0")
    assert second.startswith("Dans quelle langue")
    assert "1. Français" in second
    assert second.endswith("\n00. Retour")
    assert await phone.press("00") == first, "back to the page before"
    assert await phone.press("1") == second, "no option shown yet: a number turns the page"
    assert (await phone.press("1")).startswith("Avant de commencer"), "now it is Français"


async def test_a_time_out_then_a_new_dial_resumes_at_the_same_step(
    bot: BotApp, http: aiohttp.ClientSession
) -> None:
    chat = UssdChat(UssdPhone(bot, http))
    await chat.open()
    await onboard(chat)
    await open_lesson(chat)
    await chat.tap("Suivant")
    assert "(2/5)" in chat.last_text()
    # The operator's session timed out; the learner dials again.
    assert await chat.phone.dial() == (
        "Bon retour ! Reprendre là où vous vous êtes arrêté ?\n1. Continuer\n2. Menu\n"
        "3. Lier mon compte"
    )
    await chat.send("1")
    assert "Partager en parts égales (2/5)" in chat.last_text(), "the same page"
    await chat.tap("Suivant")
    assert "(3/5)" in chat.last_text()
    await chat.phone.dial()
    await chat.send("2")
    assert "Que voulez-vous faire" in chat.last_text()


async def test_a_replayed_callback_is_answered_the_same_and_handled_once(
    bot: BotApp, http: aiohttp.ClientSession
) -> None:
    chat = UssdChat(UssdPhone(bot, http))
    await chat.open()
    await onboard(chat)
    await open_lesson(chat)
    await read_to_the_quiz(chat)
    chat.turn_pages = False
    await answer(chat, right=True)
    answered = chat.phone.screen
    assert "Bonne réponse" in answered
    assert await chat.phone.replay() == answered, "the same screen again"
    whole = await chat.phone.read_all()
    assert "Question 2 sur 4" in whole, "handled once: not the third question"


async def test_a_forged_callback_is_refused_and_nothing_is_handled(
    bot: BotApp, http: aiohttp.ClientSession
) -> None:
    forger = UssdPhone(bot, http, secret="guessed", session="ATUid_forged")
    status, body = await forger.post("")
    assert status == 403
    assert "CON" not in body
    honest = UssdPhone(bot, http, phone=forger.phone)
    assert (await honest.dial()).startswith("Bonjour et bienvenue"), "still a newcomer"
    malformed = UssdPhone(bot, http)
    async with http.post(malformed.url, data={"text": "1"}) as response:
        assert response.status == 400


async def test_a_web_learner_links_a_ussd_phone_then_unlinks_it(
    bot: BotApp, http: aiohttp.ClientSession
) -> None:
    web = WebChat(bot, http)
    await web.open()
    await onboard(web)
    await open_lesson(web)
    await read_to_the_quiz(web)
    await web.send("/mon_code")
    code = re.search(r"Votre code : (\w+)", web.last_text())
    assert code is not None
    phone = UssdChat(UssdPhone(bot, http, phone="+221770000099"))
    await phone.open()
    await phone.send(f"LIER {code[1].lower()}")
    assert "suivra les leçons et les progrès du compte qui a donné ce code" in phone.reply
    await phone.tap("Oui, lier")
    assert "C'est lié" in phone.reply
    assert "Question 1 sur 4" in phone.reply, "where the web learner stands"
    assert "web" not in phone.reply.casefold(), "nothing of the other identity"
    told = await web.pushed()
    assert told["text"] == (
        "Un autre numéro suit maintenant vos leçons et vos progrès, avec votre code /mon_code. "
        "Si ce n'est pas vous, écrivez /delier."
    ), "the learner is told, without the number"
    await answer(phone, right=True)
    assert "Question 2 sur 4" in phone.reply
    await web.send("/progres")
    assert "Question 2 sur 4" in web.last_text(), "one learner: the answer counts on the web"
    await phone.send("/delier")
    assert "Ce numéro n'est plus lié" in phone.reply
    assert "Dans quelle langue" in phone.reply, "its own (new) conversation again"
    await phone.send("Lier ZZZZZZ")
    assert "Je ne trouve pas ce code" not in phone.reply, "not a code: the step's text"
    assert "Dans quelle langue" in phone.reply
    await phone.send("/lier ZZZZZZ")
    assert "Je ne trouve pas ce code" in phone.reply


async def test_the_learner_who_gave_the_code_cuts_off_a_linked_phone(
    bot: BotApp, http: aiohttp.ClientSession
) -> None:
    web = WebChat(bot, http)
    await web.open()
    await onboard(web)
    await web.send("/mon_code")
    code = re.search(r"Votre code : (\w+)", web.last_text())
    assert code is not None
    phone = UssdChat(UssdPhone(bot, http, phone="+221770000098"))
    await phone.open()
    await phone.send("/lier")
    assert "envoyez le code que MON_CODE vous donne" in phone.reply, "as typed on a phone"
    await phone.send(code[1])
    await phone.tap("Oui, lier")
    assert "Que voulez-vous faire" in phone.reply
    await web.send("/delier")
    assert "1 autre numéro ne suit plus vos progrès." in web.last_text()
    await phone.open()  # dials again
    assert "Dans quelle langue" in phone.reply, "the phone is on its own again"


async def test_erasing_a_linked_phone_keeps_the_learner_and_erasing_the_learner_frees_it(
    bot: BotApp, http: aiohttp.ClientSession
) -> None:
    web = WebChat(bot, http)
    await web.open()
    await onboard(web)
    await web.send("/mon_code")
    code = re.search(r"Votre code : (\w+)", web.last_text())
    assert code is not None
    store = bot.conversations.store
    for number in ("+221770000097", "+221770000096"):
        phone = UssdChat(UssdPhone(bot, http, phone=number))
        await phone.open()
        await phone.send(f"LIER {code[1]}")
        await phone.tap("Oui, lier")
        assert "Que voulez-vous faire" in phone.reply
    assert await store.erase(UserRef("ussd", "221770000097"))
    await web.send("/menu")
    assert "Que voulez-vous faire" in web.last_text(), "the learner is untouched"
    assert await store.step_of(UserRef("ussd", "221770000096")) == "menu", "still linked"
    assert await store.erase(UserRef("web", web.uid))
    assert await store.step_of(UserRef("ussd", "221770000096")) == "welcome", "its own again"


async def test_a_session_s_screens_are_forgotten_after_a_quarter_of_an_hour(
    bot: BotApp, http: aiohttp.ClientSession
) -> None:
    phone = UssdPhone(bot, http)
    await phone.dial()
    sessions = UssdSessions(bot.conversations.store)
    later = datetime.now(UTC) + timedelta(minutes=14)
    assert await sessions.prune(later) == 0
    assert await sessions.prune(later + timedelta(minutes=2)) == 1
    again = await phone.press("0")
    assert again.startswith("Bonjour et bienvenue"), "where the learner stands, once more"


async def test_commands_are_typed_and_shown_without_their_slash_as_on_sms(
    bot: BotApp, http: aiohttp.ClientSession
) -> None:
    chat = UssdChat(UssdPhone(bot, http))
    await chat.open()
    await onboard(chat)
    await open_lesson(chat)
    await chat.send("PROGRES")
    assert chat.reply.startswith("Vous n'avez pas encore terminé de leçon."), "/progres"
    await chat.send("aide")
    assert "PROGRES" in chat.reply, "commands shown as they are typed"
    assert "/progres" not in chat.reply
    await chat.send("MENU")
    assert "Que voulez-vous faire" in chat.reply
    await chat.send("progresser")
    assert "pas encore terminé de leçon" not in chat.reply, "a word, not a command"


async def test_an_announcement_counts_ussd_learners_as_unreachable_never_drops_them(
    bot: BotApp, http: aiohttp.ClientSession
) -> None:
    web = WebChat(bot, http)
    await web.open()
    await onboard(web)
    dialler = UssdChat(UssdPhone(bot, http, phone="+221770000095"))
    await dialler.open()
    await onboard(dialler)
    await web.send("/mon_code")
    code = re.search(r"Votre code : (\w+)", web.last_text())
    assert code is not None
    follower = UssdChat(UssdPhone(bot, http, phone="+221770000094"))
    await follower.open()
    await follower.send(f"LIER {code[1]}")
    await follower.tap("Oui, lier")
    store = bot.conversations.store
    [(admin,)] = await store.statement("SELECT id FROM users WHERE channel = 'web'")
    async with transaction(store) as runner:
        desk = SqlAdminDesk(runner, int(admin))
        reach = await desk.count_audience(Audience())
        assert sorted((r.caps.can_push, r.people) for r in reach) == [(False, 1), (True, 1)], (
            "the preview says one person cannot be written to; the linked phone is the web learner"
        )
        broadcast_id, total = await desk.create_broadcast(
            BroadcastDraft({"fr": "Examens"}, Audience())
        )
        assert total == 2
        [stats] = [b for b in await desk.broadcasts(None) if b.id == broadcast_id]
    assert (stats.counts.get("unreachable"), stats.queued) == (1, 1), "counted, not dropped"
    rows = await store.statement(
        "SELECT channel, status, error FROM outbox WHERE broadcast_id = :id ORDER BY id",
        id=broadcast_id,
    )
    assert [tuple(row) for row in rows] == [
        ("web", "queued", None),
        ("ussd", "unreachable", "cannot write first"),
    ]
