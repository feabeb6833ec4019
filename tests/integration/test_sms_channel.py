"""SMS through the real bot and a fake smsbox: Kannel's get-url in, sendsms out, delivery
reports back; the secret, duplicates, STOP, the daily budget and announcements (SQLite, and
PostgreSQL when TEST_POSTGRES_URL is set)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from bot.app import BotApp
from bot.conversations import Outcome
from bot.sender import Failed, Sent
from bot.sms.service import SmsService
from bot.storage.admin import SqlAdminDesk
from bot.storage.channels import ChannelStore
from bot.storage.outbox import OutboxItem
from dialogs.events import UserRef
from dialogs.messages import Say
from tests.fakes.smsbox import FakeSmsbox
from tests.sender_support import transaction
from tests.sms_driver import SmsLearner, sms_settings
from tests.telegram_driver import start_bot
from tests.unit.test_paper_answers import right_line

# The picker in three texts: its Arabic line keeps one in UCS-2, two SMS of 67 characters.
LANGUAGES = [
    "Bonjour et bienvenue sur Imaginecole ! Je vous accompagne dans vos lecons et vos quiz, "
    "ici meme, dans la discussion.",
    "Dans quelle langue voulez-vous apprendre ?\n\n"
    "1. Francais\n2. English\n3. العربية\n4. Wolof\n5. Hausa\n6. Bamanankan\n7. Pulaar",
    "Répondez avec le numéro de votre choix.",
]
MENU = (
    "Que voulez-vous faire ?\n\n1. Les cours\n2. Mes progrès\n3. Aide\n4. Rejoindre une classe"
    "\n5. Langue et profil\n6. Changer d'élève\n7. Mes données\n\n"
    "Répondez avec le numéro de votre choix."
)
STOPPED = "C'est noté : vous ne recevrez plus de SMS de notre part. Pour reprendre, écrivez START."
SPENT = "Vous avez recu tous les SMS prévus pour aujourd'hui. La suite demain : écrivez-nous alors."


@dataclass
class Sms:
    learner: SmsLearner
    smsbox: FakeSmsbox
    bot: BotApp

    @property
    def service(self) -> SmsService:
        service = self.bot.channel(SmsService)
        assert service is not None
        return service


async def _sms(database_url: str, **settings: Any) -> AsyncIterator[Sms]:
    async with FakeSmsbox() as smsbox, aiohttp.ClientSession() as http:
        bot = await start_bot(sms_settings(database_url, smsbox.url, **settings))
        try:
            yield Sms(SmsLearner(smsbox, bot, http), smsbox, bot)
        finally:
            await bot.stop()


@pytest.fixture
async def sms(database_url: str) -> AsyncIterator[Sms]:
    async for one in _sms(database_url, sms_callback_url="http://127.0.0.1:9"):
        yield one


async def onboard(learner: SmsLearner) -> None:
    """Language, consent, country, role, class: each answered with the number shown."""
    assert await learner.send("START") == LANGUAGES
    for typed in ("1", "1", "9", "1", "e"):
        await learner.send(typed)
    assert learner.smsbox.texts(learner.phone)[-1] == "Merci ! Votre profil est pret.\n\n" + MENU


async def test_a_learner_reads_a_lesson_answers_its_quiz_and_asks_progres(sms: Sms) -> None:
    learner = sms.learner
    await onboard(learner)
    assert await learner.send("1") == [
        "Choisissez une matière :\n\n1. Santé\n2. Mathématiques\n3. Histoire et géographie\n"
        "4. Menu\n\nRépondez avec le numéro de votre choix."
    ]
    await learner.send("Mathématiques")  # the option's words
    await learner.send("1")  # Les fractions
    await learner.send("1")  # Comprendre les fractions
    page = await learner.send("a")  # Partager en parts égales
    assert page[0].startswith("Comprendre les fractions\nPartager en parts égales (1/5)")
    for _ in range(4):
        await learner.send("Suivant")
    quiz = await learner.send("1")  # Passer au quiz
    assert quiz == [
        "Bravo, vous avez lu toute la lecon ! Voici un quiz de 4 questions.",
        "Question 1 sur 4\n\nDans la fraction 3/5, quel est le dénominateur ?\n\n"
        "a) 3\nb) 5\nc) 8\nd) 15\ne) Menu\n\nRépondez avec la lettre de votre choix.",
    ]
    right = await learner.send("b")
    assert right[0] == (
        "Bonne réponse !\nLe dénominateur est le nombre du bas : on a coupé en 5 parts égales."
    )
    assert "Question 2 sur 4" in right[-1]
    await learner.send("Faux")  # an option's word
    await learner.send("un quart")
    await learner.send("6")
    progress = await learner.send("PROGRES")
    assert progress[0].startswith("Vos progrès\n\nLes fractions\n1 lecon terminée sur 4")
    for text in sms.smsbox.sent(learner.phone):  # every text GSM-7, but the language picker
        assert text["coding"] == ("2" if "العربية" in text["text"] else "0")


async def test_a_forged_call_is_refused_and_nothing_is_kept(sms: Sms) -> None:
    learner = sms.learner
    assert await learner.call("START", secret="guessed") == 403
    assert await learner.call("START", secret="") == 403
    assert sms.smsbox.texts(learner.phone) == []
    assert await sms.service.sms.user_id(learner.phone) is None
    assert await learner.report("anything", 16, secret="guessed") == 403


async def test_a_malformed_call_gets_a_clear_answer(sms: Sms) -> None:
    url = sms.learner.url("/sms/inbound")
    async with sms.learner.http.get(url, params={"secret": "kannel-callback-secret"}) as reply:
        assert (reply.status, await reply.text()) == (400, "from and id are required")


async def test_a_message_kannel_delivers_twice_is_handled_once(sms: Sms) -> None:
    learner = sms.learner
    assert await learner.send("START", message_id="kannel-uuid-1") == LANGUAGES
    assert await learner.send("START", message_id="kannel-uuid-1") == []
    assert await learner.send("1", message_id="kannel-uuid-2") != []


async def test_stop_is_confirmed_at_once_and_nothing_is_pushed_until_the_learner_writes(
    sms: Sms,
) -> None:
    learner = sms.learner
    await onboard(learner)
    assert await learner.send("ARRÊT") == [STOPPED]
    assert await learner.send("stop") == []  # already stopped: not confirmed twice
    uid = await sms.service.sms.user_id(learner.phone)
    push = Outcome(
        UserRef("sms", learner.phone), [Say("Rappel : ta leçon t'attend 📚")], "fr", False, uid
    )
    await sms.service.send(push)
    assert sms.smsbox.texts(learner.phone)[-1] == STOPPED  # nothing pushed
    assert await learner.send("MENU") == [MENU]  # writing again: answered, pushes again
    await sms.service.send(push)
    assert sms.smsbox.texts(learner.phone)[-1] == "Rappel : ta lecon t'attend"


async def test_a_stranger_who_sends_stop_is_confirmed_and_nothing_is_kept(sms: Sms) -> None:
    assert await sms.learner.send("STOP") == [STOPPED]
    assert await sms.service.sms.user_id(sms.learner.phone) is None


@pytest.fixture
async def budgeted(database_url: str) -> AsyncIterator[Sms]:
    async for one in _sms(database_url, sms_daily_budget=5):  # the picker costs 4
        yield one


async def test_the_daily_budget_is_told_once_then_nothing_until_the_next_day(
    budgeted: Sms,
) -> None:
    learner, service = budgeted.learner, budgeted.service
    now = [datetime(2026, 12, 7, 9, tzinfo=UTC)]
    service.clock = lambda: now[0]
    assert await learner.send("START") == LANGUAGES
    assert await learner.send("1") == [SPENT]  # the consent notice takes 2 more
    assert await learner.send("1") == []  # told once: nothing more, nothing handled blind
    now[0] += timedelta(days=1)
    replies = await learner.send("1")  # the next day: first, where they are (consent, 4 SMS)
    assert replies[0].startswith("Avant de commencer : je garde seulement votre langue")
    assert replies[-1].startswith("Etes-vous d'accord ?")
    assert await learner.send("1") == [SPENT]  # the day's 5 spent again (4 + 2 > 5)


async def test_delivery_reports_are_recorded_like_whatsapps(sms: Sms) -> None:
    learner = sms.learner
    await learner.send("START")
    query = sms.smsbox.sent(learner.phone)[0]
    report = urlsplit(query["dlr-url"])
    assert report.path == "/sms/dlr" and query["dlr-mask"] == "31"
    message_id = parse_qs(report.query)["id"][0]
    channels = ChannelStore(sms.service.sms.store)
    assert await channels.status_of(message_id) == ("accepted", None)
    assert await learner.report(message_id, 8) == 200  # the SMSC took it
    assert await learner.report(message_id, 1) == 200  # the phone got it
    assert await channels.status_of(message_id) == ("delivered", None)
    await learner.send("1")
    failed = parse_qs(urlsplit(sms.smsbox.sent(learner.phone)[-1]["dlr-url"]).query)["id"][0]
    assert await learner.report(failed, 16) == 200  # the SMSC rejected it
    assert await channels.status_of(failed) == ("failed", 16)
    assert await channels.failures("sms") == {16: 1}


async def test_a_text_smsbox_refuses_is_recorded_as_a_failure(sms: Sms) -> None:
    learner = sms.learner
    await onboard(learner)
    sms.smsbox.fail_next(400)
    assert await learner.send("MENU") == []
    assert await ChannelStore(sms.service.sms.store).failures("sms") == {400: 1}
    assert await learner.send("MENU") == [MENU]


async def test_announcements_reach_learners_who_did_not_send_stop(sms: Sms) -> None:
    learner = sms.learner
    await onboard(learner)
    uid = await sms.service.sms.user_id(learner.phone)
    assert uid is not None
    deliver = sms.service.deliverer()
    item = OutboxItem(1, 1, uid, "sms", learner.phone, "fr", {"fr": "Examens lundi 🎉 !"}, None, 0)
    sent = await deliver(item)
    assert isinstance(sent, Sent) and sent.platform_id
    assert sms.smsbox.texts(learner.phone)[-1] == (
        "Examens lundi !\n\n- Pour ne plus recevoir d'annonces : STOP_ANNONCES"
    )
    rows = await sms.service.sms.store.statement(
        "SELECT kind, segments FROM sent_messages WHERE id = :id", id=sent.platform_id
    )
    assert [tuple(row) for row in rows] == [("broadcast", 1)]
    async with transaction(sms.service.sms.store) as runner:
        figures = await SqlAdminDesk(runner, 0).impact(None, 1)  # what /stats shows
    assert (figures.paid_announcements, figures.paid_parts) == (1, 1)
    await learner.send("STOP")
    assert await deliver(item) == Failed("STOP", retryable=False)


async def test_smsbox_away_is_tried_again_then_the_reply_is_given_up_not_the_learner(
    sms: Sms,
) -> None:
    learner = sms.learner
    await onboard(learner)
    sms.service.backoff = 0.01
    sms.smsbox.fail_next(503, 503)  # away twice, then back: the menu goes
    assert await learner.send("MENU") == [MENU]
    sms.smsbox.fail_next(503, 503, 503)  # away for the three attempts: that reply is lost
    assert await learner.send("MENU") == []
    assert await ChannelStore(sms.service.sms.store).failures("sms") == {503: 1}
    assert await learner.send("MENU") == [MENU]


async def test_paper_answers_from_a_booklet_are_graded_by_sms(sms: Sms) -> None:
    learner = sms.learner
    await onboard(learner)
    assert await learner.send(right_line("PAL1")) == [  # "PAL1 B V ..." as printed
        'Livret "Qu\'est-ce que le paludisme ?" : 4 sur 4.\n1. OK\n2. OK\n3. OK\n4. OK\n'
        "Excellent ! Vous maitrisez cette lecon.\n\n"
        + MENU.removesuffix("\n\nRépondez avec le numéro de votre choix."),
        "Répondez avec le numéro de votre choix.",
    ]
    rows = await sms.service.sms.store.statement(
        "SELECT q.course_id, q.lesson_id FROM quiz_attempts q JOIN users u ON u.id = q.user_id"
        " WHERE u.external_id = :phone",
        phone=learner.phone,
    )
    assert [tuple(row) for row in rows] == [("paludisme", "maladie")]


async def test_what_sms_keeps_is_in_the_learners_export_and_goes_with_erasure(sms: Sms) -> None:
    learner = sms.learner
    await onboard(learner)
    await learner.send("STOP")
    store = sms.service.sms.store
    exported = await store.export(UserRef("sms", learner.phone))
    assert exported is not None
    [kept] = exported["sms_contact"]
    assert kept["stopped_at"] is not None and kept["told"] is False  # no budget here: 0 counted
    assert {row["segments"] for row in exported["sent_messages"]} == {1, 2}  # parts each
    await learner.send("SUPPRIMER_MES_DONNEES")
    await learner.send("1")  # yes, erase everything
    assert await sms.service.sms.user_id(learner.phone) is None
    assert await store.statement("SELECT COUNT(*) FROM sms_contacts") == [(0,)]
