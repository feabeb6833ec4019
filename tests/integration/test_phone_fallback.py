"""The phone fallback (bot/fallbacks.py): a WhatsApp learner who said "Me joindre par SMS" and
whose number stops being on WhatsApp (Graph's 131026) gets their pushes by SMS at the same
number, is told why by SMS, and answers by SMS as the same learner. Through the real bot,
the fake Graph API and the fake smsbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.app import BotApp
from bot.sms.service import sms_text
from bot.storage.admin import queue_notice
from dialogs.events import UserRef
from tests.chat_drivers import WhatsAppChat
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.smsbox import FakeSmsbox
from tests.integration.test_same_journey import answer, onboard, open_lesson, read_to_the_quiz
from tests.sms_driver import SmsLearner, sms_settings
from tests.telegram_driver import start_bot
from tests.whatsapp_driver import WhatsAppLearner, whatsapp_settings

PHONE = "221770004455"
WHY = sms_text(  # as SMS writes it (GSM-7)
    "Nos messages WhatsApp ne parviennent plus à ce numéro. Comme vous l'avez demandé, nous "
    "vous écrivons désormais ici, par SMS. Répondez à ce message pour continuer vos leçons."
)


@dataclass
class Phones:
    bot: BotApp
    graph: FakeGraphApi
    smsbox: FakeSmsbox
    http: aiohttp.ClientSession

    def whatsapp(self, phone: str = PHONE) -> WhatsAppChat:
        return WhatsAppChat(WhatsAppLearner(self.graph, self.bot, self.http, phone=phone))

    def sms(self, phone: str = PHONE) -> SmsLearner:
        return SmsLearner(self.smsbox, self.bot, self.http, phone=phone)

    async def notice(self, phone: str, text: str) -> None:
        """A personal notice to the WhatsApp learner (a teacher's answer, a reminder)."""
        store = self.bot.conversations.store
        [(uid,)] = await store.statement(
            "SELECT id FROM users WHERE channel = 'whatsapp' AND external_id = :ext", ext=phone
        )
        async with store.transaction() as runner:
            await queue_notice(runner, int(uid), {"fr": text}, datetime.now(UTC))

    async def texts(self, phone: str, count: int) -> list[str]:
        """The SMS the number got, once there are `count`."""
        for _ in range(200):
            if len(self.smsbox.texts(phone)) >= count:
                break
            await asyncio.sleep(0.05)
        return self.smsbox.texts(phone)


@pytest.fixture(name="phones")
async def phones_fixture(database_url: str) -> AsyncIterator[Phones]:
    async with FakeGraphApi() as graph, FakeSmsbox() as smsbox, aiohttp.ClientSession() as http:
        sms = sms_settings(database_url, smsbox.url, sms_daily_budget=10, sms_pace=100.0)
        settings = whatsapp_settings(database_url, graph.url)
        settings = replace(
            settings,
            **{name: getattr(sms, name) for name in vars(sms) if name.startswith("sms_")},
        )
        bot = await start_bot(settings)
        yield Phones(bot, graph, smsbox, http)
        await bot.stop()


async def opt_in(chat: WhatsAppChat) -> None:
    await chat.send("/menu")
    await chat.tap("Langue et profil")
    await chat.tap("Me joindre par SMS")
    assert chat.last_text() == (
        "📱 Si ce numéro ne reçoit plus nos messages ici, nous pouvons vous écrire par SMS au "
        "même numéro : rappels, annonces, réponses des enseignants (quelques messages par jour "
        "au plus). Répondre par SMS continue vos leçons.\n\nC'est désactivé."
    )
    await chat.tap("Activer")
    assert chat.last_text().startswith(
        "C'est noté : si ce numéro ne reçoit plus nos messages ici, nous vous écrirons par SMS."
    )


async def test_an_opted_in_learner_off_whatsapp_gets_pushes_by_sms_and_answers_by_sms(
    phones: Phones,
) -> None:
    chat = phones.whatsapp()
    await onboard(chat)
    await open_lesson(chat)
    await read_to_the_quiz(chat)
    await answer(chat, right=True)
    await chat.send("/aide")
    assert (
        "/secours_sms : vous écrire par SMS si ce numéro ne reçoit plus nos messages ici"
        in chat.last_text()
    ), "the help names the setting where it exists"
    await opt_in(chat)
    async with phones.bot.conversations.store.turn(UserRef("whatsapp", PHONE)) as tx:
        assert tx is not None
        [kept] = (await tx.records.export())["phone_fallback"]
    assert sorted(kept) == ["opted_at", "switched_at"], "in the learner's export"
    phones.graph.unreachable.add(PHONE)  # the number left WhatsApp: 131026
    await phones.notice(PHONE, "Votre enseignant a répondu : revoyez la leçon 2.")
    texts = await phones.texts(PHONE, 2)
    assert texts == [WHY, sms_text("Votre enseignant a répondu : revoyez la leçon 2.")], (
        "told why first, then the push that met 131026, by SMS"
    )
    await phones.notice(PHONE, "Rappel : votre leçon vous attend.")
    assert (await phones.texts(PHONE, 3))[2] == sms_text("Rappel : votre leçon vous attend.")
    assert phones.graph.refusals(PHONE) == [131026], "WhatsApp was tried once, then not again"
    replies = await phones.sms().send("PROGRES")
    assert sms_text("1 leçon terminée sur 4") in replies[0], (
        "the same learner: where they stood on WhatsApp"
    )
    phones.graph.unreachable.discard(PHONE)
    await chat.send("/menu")  # back on WhatsApp: pushes go there again
    assert "Que voulez-vous faire" in chat.last_text()
    seen, texted = len(phones.graph.sent(PHONE)), len(phones.smsbox.texts(PHONE))
    await phones.notice(PHONE, "Bon retour !")
    await phones.graph.wait_for(seen + 1, PHONE)
    assert phones.graph.texts(PHONE)[-1].startswith("Bon retour !")
    assert len(phones.smsbox.texts(PHONE)) == texted, "not by SMS as well"


async def test_a_learner_who_did_not_opt_in_is_not_written_to_by_sms(phones: Phones) -> None:
    phone = "221770004466"
    chat = phones.whatsapp(phone)
    await onboard(chat)
    phones.graph.unreachable.add(phone)
    await phones.notice(phone, "Votre enseignant a répondu.")
    for _ in range(40):
        if phones.graph.refusals(phone):
            break
        await asyncio.sleep(0.05)
    assert phones.graph.refusals(phone) == [131026]
    await asyncio.sleep(0.3)
    assert phones.smsbox.texts(phone) == []


async def test_the_choice_is_not_offered_where_there_is_no_sms(database_url: str) -> None:
    async with FakeGraphApi() as graph, aiohttp.ClientSession() as http:
        bot = await start_bot(whatsapp_settings(database_url, graph.url))
        try:
            chat = WhatsAppChat(WhatsAppLearner(graph, bot, http, phone="221770004477"))
            await onboard(chat)
            await chat.send("/menu")
            await chat.tap("Langue et profil")
            assert not any("SMS" in label for label in chat.options())
            await chat.send("/aide")
            assert "/secours_sms" not in chat.last_text()
            await chat.send("/secours_sms")
            assert "Ce réglage n'est pas disponible ici." in chat.last_text()
        finally:
            await bot.stop()
