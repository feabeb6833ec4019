"""A person who floods gets one polite notice, then a minute of silence: the dialog does not
run and nothing is stored, the platform still gets its acknowledgement; other learners, a
Telegram group's relays and WhatsApp statuses are untouched. Real conversations on the real
store, then the real WhatsApp webhook; the flood guard's clock is ours."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import text

from bot.conversations import Conversations, Outcome
from bot.flood import PAUSE, FloodGuard, FloodLimit
from bot.storage.channels import ChannelStore
from dialogs.events import GroupPosted, TextReceived, UserRef
from tests.fakes.graph_api import FakeGraphApi
from tests.store_driver import Person, open_conversations
from tests.telegram_driver import start_bot
from tests.whatsapp_driver import WhatsAppLearner, status_body, whatsapp_settings

SLOW_DOWN = "Doucement"


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def talk(database_url: str) -> AsyncIterator[Conversations]:
    async with open_conversations(database_url) as conversations:
        yield conversations


async def count(talk: Conversations, table: str) -> int:
    """Rows of a table, read outside any turn."""
    async with talk.store.engine.connect() as conn:
        found = await conn.execute(text(f"SELECT COUNT(*) FROM {table}"))
        return int(found.scalar_one())


async def test_a_flood_gets_one_notice_then_silence_then_recovery(
    talk: Conversations,
) -> None:
    awa = Person.on(talk, "telegram", "2001")
    await awa.onboard()
    clock = Clock()
    talk.flood = FloodGuard(FloodLimit(3, 3.0), clock)  # 3 in a row, then 3 a minute
    for _ in range(3):
        assert await awa.send("/aide")  # answered
    handled = await count(talk, "processed_updates")
    step = await talk.store.step_of(awa.user)

    notice = await awa.send("/aide")
    assert len(notice) == 1 and SLOW_DOWN in awa.texts(notice)
    for message in ("/aide", "/menu", "/supprimer_mes_donnees", "1"):
        assert await awa.send(message) == []  # silence, and nothing ran
    assert await count(talk, "processed_updates") == handled  # nothing stored
    assert await talk.store.step_of(awa.user) == step

    moussa = Person.on(talk, "telegram", "2002")
    assert await moussa.send("/start")  # another learner is heard meanwhile

    clock.now += PAUSE
    assert await awa.send("/aide")  # a minute later, heard again
    assert SLOW_DOWN not in awa.texts(awa.sent[-1:])


async def test_a_duplicate_is_still_a_duplicate(talk: Conversations) -> None:
    awa = UserRef("web", "awa-0123456789abcdef")
    got: list[Outcome] = []

    async def capture(outcome: Outcome) -> None:
        got.append(outcome)

    # "/start", not "Bonjour": a newcomer's greeting alone stores nothing, its claim neither
    # (tests/integration/test_resources.py), so a resent greeting is simply greeted again.
    assert await talk.handle(TextReceived(awa, "m1", "/start"), "web:awa:m1", capture)
    talk.flood = FloodGuard(FloodLimit(5, 5.0), Clock())
    assert not await talk.handle(TextReceived(awa, "m1", "/start"), "web:awa:m1", capture)
    assert len(got) == 1  # the redelivery is recognised, not answered twice


async def test_a_telegram_groups_relays_are_not_counted(talk: Conversations) -> None:
    talk.flood = FloodGuard(FloodLimit(1, 1.0), Clock())
    group = UserRef("telegram", "-100200300")

    async def ignore(_: Outcome) -> None:
        return None

    for i in range(5):
        event = GroupPosted(group, f"g{i}", sender_id="42", sender_name="Awa", text="Bonjour")
        await talk.handle(event, f"tg:g{i}", ignore)
    assert len(talk.flood) == 0  # never looked at


@pytest.fixture
async def api() -> AsyncIterator[FakeGraphApi]:
    async with FakeGraphApi() as fake:
        yield fake


async def test_on_whatsapp_the_flood_is_acknowledged_and_statuses_still_count(
    database_url: str, api: FakeGraphApi
) -> None:
    bot = await start_bot(whatsapp_settings(database_url, api.url, flood_limit="3,60"))
    try:
        async with aiohttp.ClientSession() as http:
            learner = WhatsAppLearner(api, bot, http)
            await learner.send("Bonjour")
            await learner.tap("Français")
            first = str(api.last(learner.phone)["wamid"])
            await learner.tap("J'accepte")
            notice = await learner.send("Sénégal")  # the 4th message in a row
            assert len(notice) == 1 and SLOW_DOWN in learner.texts(notice)
            assert await learner.exchange(status_body(learner.phone, first, "read")) == []
            assert await learner.send("Sénégal") == []  # exchange() checked the 200
            channels = ChannelStore(bot.conversations.store)  # type: ignore[union-attr]
            assert await channels.status_of(first) == ("read", None)
            assert await channels.inbox_pending() == []  # handled (dropped), not retried
    finally:
        await bot.stop()
