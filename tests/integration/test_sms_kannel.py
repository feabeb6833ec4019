"""SMS end to end through real Kannel processes: bearerbox, smsbox and Kannel's fake SMSC
(tests/kannel.py). A learner types into the fake SMSC; smsbox calls the bot's get-url; the
bot answers through sendsms; the SMSC prints what it got. Onboarding, a lesson, its quiz,
PROGRES, then STOP; and a delivery report back through the dlr-url."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.sms.service import SmsService
from bot.storage.channels import ChannelStore
from tests.kannel import PASSWORD, USER, Kannel, free_port, require_kannel
from tests.sms_driver import SECRET, SHORTCODE, sms_settings
from tests.telegram_driver import start_bot

PHONE = "22507111111"


def answered(texts: list[str]) -> bool:
    """The reply ends with something to answer (numbered or lettered options, or a command)."""
    return bool(texts) and "Répondez avec" in texts[-1]


@dataclass
class Phone:
    """A basic phone writing to the shortcode through the SMSC."""

    kannel: Kannel
    bot: BotApp

    async def send(self, text: str, done: Callable[[list[str]], bool] = answered) -> list[str]:
        """Type a text; the texts that came back once `done` says the reply is whole."""
        since = len(self.kannel.received[PHONE])
        await self.kannel.mo(PHONE, SHORTCODE, text)
        return await self.kannel.wait_for(PHONE, done, since)


@pytest.fixture
async def phone(tmp_path: Path) -> AsyncIterator[Phone]:
    require_kannel()
    port = free_port()
    bot_url = f"http://127.0.0.1:{port}"
    get_url = f"{bot_url}/sms/inbound?secret={SECRET}&from=%p&to=%P&text=%a&id=%I"
    kannel = Kannel(tmp_path, get_url)
    database = tmp_path / "imaginecole.db"
    settings = sms_settings(f"sqlite:///{database}", kannel.sendsms_url)
    settings = replace(
        settings,
        web_port=port,
        sms_kannel_user=USER,
        sms_kannel_password=PASSWORD,
        sms_callback_url=bot_url,
    )
    await kannel.start()
    bot = await start_bot(settings)
    try:
        yield Phone(kannel, bot)
    finally:
        await bot.stop()
        await kannel.stop()


async def test_a_learner_onboards_learns_answers_asks_progres_and_stops(phone: Phone) -> None:
    first = await phone.send("START")
    assert first[-2:] == [
        "Dans quelle langue voulez-vous apprendre ?\n\n"
        "1. Francais\n2. English\n3. العربية\n4. Wolof\n5. Hausa\n6. Bamanankan\n7. Pulaar",
        "Répondez avec le numéro de votre choix.",
    ]
    await phone.send("1")  # Français
    await phone.send("1")  # J'accepte
    await phone.send("Sénégal")  # the option's words
    await phone.send("1")  # Élève
    menu = await phone.send("CM2")
    assert menu[-1].startswith("Merci ! Votre profil est pret.\n\nQue voulez-vous faire ?")
    await phone.send("1")  # Les cours
    await phone.send("2")  # Mathématiques
    await phone.send("1")  # Les fractions
    await phone.send("1")  # Comprendre les fractions
    page = await phone.send("a")  # Partager en parts égales
    assert "Partager en parts égales (1/5)" in page[0]
    for _ in range(4):
        await phone.send("1")  # Suivant
    quiz = await phone.send("1")  # Passer au quiz
    assert quiz[-1] == (
        "Question 1 sur 4\n\nDans la fraction 3/5, quel est le dénominateur ?\n\n"
        "a) 3\nb) 5\nc) 8\nd) 15\ne) Menu\n\nRépondez avec la lettre de votre choix."
    )
    right = await phone.send("b")
    assert right[0].startswith("Bonne réponse !")
    progress = await phone.send("PROGRES")
    assert progress[0].startswith("Vos progrès\n\nLes fractions\n")
    stopped = await phone.send("STOP", done=bool)
    assert stopped == [
        "C'est noté : vous ne recevrez plus de SMS de notre part. Pour reprendre, écrivez START."
    ]
    service = phone.bot.channel(SmsService)
    assert service is not None
    uid = await service.sms.user_id(PHONE)
    assert uid is not None and await service.sms.stopped(uid)


async def test_delivery_reports_come_back_through_the_dlr_url(phone: Phone) -> None:
    await phone.send("START")
    service = phone.bot.channel(SmsService)
    assert service is not None
    rows = await service.sms.store.statement("SELECT id FROM sent_messages WHERE channel = 'sms'")
    assert rows
    channels = ChannelStore(service.sms.store)
    for _ in range(200):  # the fake SMSC acknowledges (8), then reports it delivered (1)
        if await channels.status_of(str(rows[0][0])) == ("delivered", None):
            break
        await asyncio.sleep(0.05)
    assert await channels.status_of(str(rows[0][0])) == ("delivered", None)
