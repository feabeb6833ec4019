"""The broadcast sender on the real store and outbox, sending through the real Telegram and
WhatsApp adapters to the fake platforms: exactly once, paced, crash-safe, replies first."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.app import BotApp
from bot.config import Settings
from bot.i18n import I18n
from bot.sender import ChannelPace, Deliver, Result, Sender, Sent
from bot.storage.admin import queue_notice
from bot.storage.outbox import Outbox, OutboxItem
from bot.storage.store import SqlStore
from bot.telegram.broadcast import telegram_deliverer
from bot.whatsapp.broadcast import whatsapp_deliverer
from dialogs.admin_ports import Audience
from dialogs.events import UserRef
from tests.fakes.graph_api import FakeGraphApi, visible_text
from tests.fakes.telegram_api import Call, FakeBotApi
from tests.sender_support import (
    TELEGRAM_FIRST_CHAT,
    broadcast,
    desk_stats,
    outbox,
    run,
    seed_learners,
    user_id,
)
from tests.store_driver import Person, open_conversations
from tests.telegram_driver import TelegramLearner, telegram_settings
from tests.whatsapp_driver import WhatsAppLearner, whatsapp_settings

FIRST = TELEGRAM_FIRST_CHAT


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 30.0) -> None:
    """Wait (polling) until `check()` is true; a deadline only against hanging, not a goal."""
    async with asyncio.timeout(seconds):
        while not await check():  # noqa: ASYNC110 - the database has nothing to wait on
            await asyncio.sleep(0.05)


@dataclass
class Rig:
    """The real bot on the test's database, its sender off; senders are built by the tests."""

    app: BotApp
    store: SqlStore
    senders: list[Sender] = field(default_factory=list)

    def sender(
        self,
        deliverers: dict[str, Deliver],
        *,
        worker: str = "t",
        lease: timedelta = timedelta(seconds=60),
        rate: float = 500.0,
        **options: object,
    ) -> Sender:
        """A started sender on the real outbox."""
        paces = {channel: ChannelPace(rate) for channel in deliverers}
        sender = Sender(
            Outbox(self.store, worker, lease),
            deliverers,
            paces,
            idle=0.05,
            **options,  # type: ignore[arg-type]
        )
        sender.start()
        self.senders.append(sender)
        return sender

    def telegram(self) -> Deliver:
        """The Telegram deliverer on the app's bot (pointed at the fake)."""
        assert self.app.telegram is not None
        return telegram_deliverer(self.app.telegram.app.bot, I18n())

    def whatsapp(self) -> Deliver:
        """The WhatsApp deliverer on the app's Graph client (pointed at the fake)."""
        whatsapp = self.app.whatsapp
        assert whatsapp is not None
        return whatsapp_deliverer(
            whatsapp.client, whatsapp.channels, I18n(), whatsapp.channel.template
        )

    async def done(self) -> None:
        """Wait until nothing is queued or being sent."""
        outbox_ = Outbox(self.store, "reader")
        await until(lambda: _none_left(outbox_))


async def _none_left(outbox_: Outbox) -> bool:
    return await outbox_.pending() == 0


@asynccontextmanager
async def start_rig(settings: Settings) -> AsyncIterator[Rig]:
    """The app started with these settings, stopped (senders first) afterwards."""
    app = BotApp(settings)
    await app.start()
    assert app.store is not None
    rig = Rig(app, app.store)
    try:
        yield rig
    finally:
        for sender in rig.senders:
            await sender.stop()
        await app.stop()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def tg(database_url: str, api: FakeBotApi) -> AsyncIterator[Rig]:
    """The Telegram bot on the fake Bot API, sender off (tests start their own)."""
    settings = replace(telegram_settings(database_url, api.url), sender_enabled=False)
    async with start_rig(settings) as rig:
        yield rig


def sends(api: FakeBotApi) -> list[Call]:
    """Successful sendMessage calls."""
    return [c for c in api.sent() if c.method == "sendMessage"]


def per_chat(api: FakeBotApi) -> Counter[int]:
    """How many messages each chat received."""
    return Counter(int(c.params["chat_id"]) for c in sends(api))


# --- delivery -------------------------------------------------------------------------------


async def test_a_broadcast_reaches_each_learner_once_in_their_language(
    database_url: str, api: FakeBotApi
) -> None:
    settings = replace(telegram_settings(database_url, api.url), broadcast_rate_telegram=200.0)
    async with start_rig(settings) as rig:
        await seed_learners(rig.store, 12, locale="fr")
        await seed_learners(rig.store, 8, first=FIRST + 100, locale="en")
        await seed_learners(rig.store, 5, first=FIRST + 200, locale="wo")  # no Wolof variant
        bid, total = await broadcast(
            rig.store, {"fr": "Rentrée le 3 octobre", "en": "School starts on 3 October"}
        )
        assert total == 25
        await rig.done()
        received = per_chat(api)
        assert len(received) == 25 and set(received.values()) == {1}
        for call in sends(api):
            chat, text = int(call.params["chat_id"]), call.params["text"]
            english = FIRST + 100 <= chat < FIRST + 200
            assert text.startswith("School starts" if english else "Rentrée le 3 octobre")
            assert text.rstrip().endswith("/stop_annonces")
        rows = await outbox(rig.store, bid)
        assert {row[2] for row in rows} == {"sent"}
        assert all(str(row[3]).startswith(f"tg:{row[1]}:") for row in rows)
        stats = next(s for s in await desk_stats(rig.store) if s.id == bid)
        assert stats.counts == {"sent": 25} and stats.status == "done"


async def test_a_429_pauses_the_channel_for_its_retry_after(tg: Rig, api: FakeBotApi) -> None:
    await seed_learners(tg.store, 12)
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2)
    await broadcast(tg.store, {"fr": "Annonce"})
    tg.sender({"telegram": tg.telegram()}, rate=50.0)
    await tg.done()
    refused = next(c for c in api.calls if c.method == "sendMessage" and not c.ok)
    after = [c.at - refused.at for c in sends(api) if c.at > refused.at]
    # Requests already on the wire when the 429 came back may land just after it; then nothing
    # until retry_after has passed.
    assert not [t for t in after if 0.2 < t < 2.0], after
    assert any(t >= 2.0 for t in after)
    assert len(per_chat(api)) == 12 and set(per_chat(api).values()) == {1}


# --- people who cannot be reached, failures ------------------------------------------------


async def test_blocked_and_deactivated_people_are_never_tried_again(
    tg: Rig, api: FakeBotApi
) -> None:
    await seed_learners(tg.store, 5)
    api.refuse_chat(FIRST + 1, 403, "Forbidden: bot was blocked by the user")
    api.refuse_chat(FIRST + 3, 403, "Forbidden: user is deactivated")
    first, _ = await broadcast(tg.store, {"fr": "Première"})
    tg.sender({"telegram": tg.telegram()})
    await tg.done()
    statuses = {int(row[1]): row[2] for row in await outbox(tg.store, first)}
    assert statuses == {
        FIRST: "sent",
        FIRST + 1: "unreachable",
        FIRST + 2: "sent",
        FIRST + 3: "unreachable",
        FIRST + 4: "sent",
    }
    second, total = await broadcast(tg.store, {"fr": "Deuxième"})
    assert total == 3
    await tg.done()
    assert {int(row[1]) for row in await outbox(tg.store, second)} == {FIRST, FIRST + 2, FIRST + 4}
    tried = Counter(int(c.params["chat_id"]) for c in api.calls if c.method == "sendMessage")
    assert tried[FIRST + 1] == 1 and tried[FIRST + 3] == 1 and tried[FIRST] == 2


async def test_a_refusal_that_cannot_improve_fails_at_once_with_its_reason(
    tg: Rig, api: FakeBotApi
) -> None:
    await seed_learners(tg.store, 2)
    api.refuse_chat(FIRST, 400, "Bad Request: message is too long")
    bid, _ = await broadcast(tg.store, {"fr": "Annonce"})
    tg.sender({"telegram": tg.telegram()}, retry_delay=timedelta(seconds=0.05))
    await tg.done()
    rows = {int(row[1]): row for row in await outbox(tg.store, bid)}
    assert rows[FIRST][2] == "failed" and "message is too long" in str(rows[FIRST][4]).lower()
    assert rows[FIRST][5] == 1
    assert rows[FIRST + 1][2] == "sent"
    async with tg.store.turn(UserRef("telegram", "stats-reader")) as tx:
        assert tx is not None
        listed = await tx.admin.broadcasts(None)
    stats = next(b for b in listed if b.id == bid)
    assert stats.counts == {"failed": 1, "sent": 1}
    assert stats.reasons == {"Message is too long": 1}  # as PTB words it


async def test_a_passing_server_error_is_retried_then_delivered(tg: Rig, api: FakeBotApi) -> None:
    await seed_learners(tg.store, 1)
    api.fail_next("sendMessage", 502, "Bad Gateway")
    api.fail_next("sendMessage", 500, "Internal Server Error")
    bid, _ = await broadcast(tg.store, {"fr": "Annonce"})
    tg.sender({"telegram": tg.telegram()}, retry_delay=timedelta(seconds=0.05))
    await tg.done()
    (row,) = await outbox(tg.store, bid)
    assert row[2] == "sent" and row[5] == 3
    assert len(sends(api)) == 1


async def test_a_lasting_server_error_fails_after_the_bounded_attempts(
    tg: Rig, api: FakeBotApi
) -> None:
    await seed_learners(tg.store, 1)
    api.refuse_chat(FIRST, 500, "Internal Server Error")
    bid, _ = await broadcast(tg.store, {"fr": "Annonce"})
    tg.sender({"telegram": tg.telegram()}, retry_delay=timedelta(seconds=0.05), max_attempts=3)
    await tg.done()
    (row,) = await outbox(tg.store, bid)
    assert row[2] == "failed" and row[4] == "NetworkError" and row[5] == 3
    assert len([c for c in api.calls if c.method == "sendMessage"]) == 3


# --- crashes and several senders -----------------------------------------------------------


async def test_what_a_crashed_sender_claimed_is_sent_after_its_lease(
    tg: Rig, api: FakeBotApi
) -> None:
    await seed_learners(tg.store, 30)
    bid, _ = await broadcast(tg.store, {"fr": "Annonce"})
    crashed = Outbox(tg.store, "a")
    claimed = await crashed.claim("telegram", 10, datetime.now(UTC))
    deliver = tg.telegram()
    for item in claimed[:3]:  # in flight when "a" died: sent, never recorded
        await deliver(item)
    claimed_chats = {int(item.external_id) for item in claimed}
    tg.sender({"telegram": deliver}, worker="b", lease=timedelta(seconds=1))
    await tg.done()
    received = per_chat(api)
    assert set(received) == set(range(FIRST, FIRST + 30))  # nothing lost
    duplicates = {chat for chat, n in received.items() if n > 1}
    assert duplicates == {int(item.external_id) for item in claimed[:3]}
    assert duplicates <= claimed_chats
    assert {row[2] for row in await outbox(tg.store, bid)} == {"sent"}


async def test_a_sender_killed_mid_batch_sends_again_only_what_was_in_flight(
    tg: Rig, api: FakeBotApi
) -> None:
    # Each result is written as soon as it is known: what went out before the kill is never
    # sent again, only the sends the platform took and whose answer never came back.
    await seed_learners(tg.store, 30)
    await broadcast(tg.store, {"fr": "Annonce"})
    real, started, in_flight = tg.telegram(), [0], set[int]()

    async def dying(item: OutboxItem) -> Result:
        started[0] += 1
        if started[0] <= 10:  # went out, result known
            return await real(item)
        if started[0] <= 12:  # taken by the platform, killed before its answer came
            await real(item)
            in_flight.add(int(item.external_id))
        await asyncio.Event().wait()  # never reaches the platform before the kill
        raise AssertionError("unreachable")

    doomed = tg.sender({"telegram": dying}, worker="a", rate=500.0)
    tg.senders.remove(doomed)
    await until(lambda: _sent_at_least(api, 12))
    await asyncio.sleep(0.2)  # the ten known results are written meanwhile
    for task in doomed._tasks:  # kill -9: no release, no result written
        task.cancel()
    await asyncio.gather(*doomed._tasks, return_exceptions=True)
    tg.sender({"telegram": tg.telegram()}, worker="b", lease=timedelta(seconds=1))
    await tg.done()
    received = per_chat(api)
    assert set(received) == set(range(FIRST, FIRST + 30))  # nothing lost
    assert {chat for chat, n in received.items() if n > 1} == in_flight  # 2, not 12


async def test_a_live_senders_claims_outlast_the_lease(tg: Rig, api: FakeBotApi) -> None:
    # Batches slower than the lease: a live sender renews its claims, so another sender never
    # takes (and sends again) what is still on its way.
    await seed_learners(tg.store, 40)
    await broadcast(tg.store, {"fr": "Annonce"})
    real = tg.telegram()

    async def slow(item: OutboxItem) -> Result:
        await asyncio.sleep(0.3)
        return await real(item)

    lease = timedelta(seconds=1)
    tg.sender({"telegram": slow}, worker="one", lease=lease, rate=20.0)
    tg.sender({"telegram": slow}, worker="two", lease=lease, rate=20.0)
    await tg.done()
    received = per_chat(api)
    assert len(received) == 40 and set(received.values()) == {1}


async def _sent_at_least(api: FakeBotApi, count: int) -> bool:
    return len(sends(api)) >= count


async def test_two_senders_share_the_work_and_the_rate(
    tg: Rig, api: FakeBotApi, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("several sender processes are a PostgreSQL setup")
    await seed_learners(tg.store, 120)
    await broadcast(tg.store, {"fr": "Annonce"})
    rate = 60.0
    tg.sender({"telegram": tg.telegram()}, worker="one", rate=rate)
    tg.sender({"telegram": tg.telegram()}, worker="two", rate=rate)
    await tg.done()
    received = per_chat(api)
    assert len(received) == 120 and set(received.values()) == {1}
    times = sorted(c.at for c in sends(api))
    achieved = (len(times) - 1) / (times[-1] - times[0])
    assert achieved <= rate * 1.15, achieved  # shared: not twice the rate
    workers = {row[0] for row in await run(tg.store, "SELECT DISTINCT claimed_by FROM outbox")}
    assert workers == {"one", "two"}


# --- WhatsApp ------------------------------------------------------------------------------


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphApi]:
    async with FakeGraphApi() as fake:
        yield fake


async def open_window(store: SqlStore, phone: str) -> None:
    """The learner wrote an hour ago: their 24-hour window is open."""
    await run(
        store,
        "INSERT INTO channel_contacts (user_id, last_inbound_at) VALUES (:uid, :at)",
        uid=await user_id(store, "whatsapp", phone),
        at=datetime.now(UTC) - timedelta(hours=1),
    )


async def test_whatsapp_sends_text_in_the_window_and_the_template_outside(
    database_url: str, graph: FakeGraphApi
) -> None:
    settings = replace(
        whatsapp_settings(database_url, graph.url, whatsapp_template_name="annonce_generale"),
        sender_enabled=False,
    )
    async with start_rig(settings) as rig:
        await seed_learners(rig.store, 2, channel="whatsapp", first=221770000001)
        await open_window(rig.store, "221770000001")
        bid, _ = await broadcast(rig.store, {"fr": "Examens le 12 juin"})
        rig.sender({"whatsapp": rig.whatsapp()})
        await rig.done()
        inside, outside = graph.sent("221770000001"), graph.sent("221770000002")
        assert len(inside) == 1 and inside[0]["type"] == "text"
        assert "Examens le 12 juin" in visible_text(inside[0])
        assert len(outside) == 1 and outside[0]["type"] == "template"
        assert outside[0]["template"]["name"] == "annonce_generale"
        rows = await outbox(rig.store, bid)
        assert {row[2] for row in rows} == {"sent"} and all(row[3] for row in rows)
        held = await run(rig.store, "SELECT payload FROM pending_messages")
        assert len(held) == 1 and "Examens le 12 juin" in str(held[0][0])  # the text waits too
        # the template is paid (the text in the window is not), and it is no SMS
        (stats,) = await desk_stats(rig.store)
        assert (stats.parts, stats.paid_templates) == (0, 1)


async def test_whatsapp_without_template_holds_the_announcement_for_the_next_message(
    database_url: str, graph: FakeGraphApi
) -> None:
    settings = replace(whatsapp_settings(database_url, graph.url), sender_enabled=False)
    async with start_rig(settings) as rig:
        phone = "221770000009"
        await seed_learners(rig.store, 1, channel="whatsapp", first=int(phone))
        bid, _ = await broadcast(rig.store, {"fr": "Examens le 12 juin"})
        rig.sender({"whatsapp": rig.whatsapp()})
        await rig.done()
        assert graph.sent(phone) == []
        assert [row[2] for row in await outbox(rig.store, bid)] == ["held"]
        held = await run(rig.store, "SELECT COUNT(*) FROM pending_messages")
        assert held[0][0] == 1
        async with aiohttp.ClientSession() as http:
            replies = await WhatsAppLearner(graph, rig.app, http, phone=phone).send("Bonjour")
        assert len(replies) >= 2
        assert "Examens le 12 juin" in visible_text(replies[0])
        assert "Examens le 12 juin" not in "".join(visible_text(r) or "" for r in replies[1:])


# --- schedules, replies first, opting out --------------------------------------------------


async def test_a_scheduled_broadcast_is_queued_when_its_time_comes(tg: Rig) -> None:
    await seed_learners(tg.store, 4)
    at = datetime.now(UTC) + timedelta(minutes=5)
    bid, total = await broadcast(tg.store, {"fr": "Plus tard"}, scheduled_at=at)
    assert total == 0
    reader = Outbox(tg.store, "scheduler")
    assert await reader.queue_due(at - timedelta(seconds=1)) == []
    assert await outbox(tg.store, bid) == []
    assert await reader.queue_due(at) == [bid]
    assert len(await outbox(tg.store, bid)) == 4
    assert await reader.queue_due(at + timedelta(seconds=1)) == []  # queued once


async def test_the_sender_sends_a_scheduled_broadcast_not_before_its_time(
    tg: Rig, api: FakeBotApi
) -> None:
    await seed_learners(tg.store, 3)
    loop = asyncio.get_running_loop()
    created = loop.time()
    await broadcast(
        tg.store, {"fr": "Bientôt"}, scheduled_at=datetime.now(UTC) + timedelta(seconds=1)
    )
    tg.sender({"telegram": tg.telegram()}, schedule_every=0.1)
    await until(lambda: _sent_count(api, 3))
    await tg.done()
    assert min(c.at for c in sends(api)) >= created + 1.0 - 0.01


async def _sent_count(api: FakeBotApi, count: int) -> bool:
    return len(sends(api)) >= count


async def test_a_learner_is_answered_while_a_long_broadcast_goes_out(
    database_url: str, api: FakeBotApi
) -> None:
    settings = replace(telegram_settings(database_url, api.url), broadcast_rate_telegram=10.0)
    async with start_rig(settings) as rig:
        await seed_learners(rig.store, 300)
        await broadcast(rig.store, {"fr": "Annonce"})
        await until(lambda: _sent_count(api, 3))
        async with aiohttp.ClientSession() as http:
            replies = await TelegramLearner(api, rig.app, http, user_id=777_001).send("/start")
        assert replies, "the learner got no reply"
        left = await Outbox(rig.store, "reader").pending()
        assert left > 200, left  # the broadcast is far from done: the reply did not wait


async def test_a_learner_who_stopped_announcements_is_not_in_the_audience(
    database_url: str,
) -> None:
    async with open_conversations(database_url) as conversations:
        quiet = Person.on(conversations, "telegram", "6000001")
        keen = Person.on(conversations, "telegram", "6000002")
        await quiet.onboard()
        await keen.onboard()
        await quiet.send("/stop_annonces")
        store = conversations.store
        bid, total = await broadcast(store, {"fr": "Annonce"}, Audience(countries=("SN",)))
        assert total == 1
        assert [row[1] for row in await outbox(store, bid)] == ["6000002"]


async def test_one_persons_messages_arrive_in_the_order_they_were_queued(tg: Rig) -> None:
    await seed_learners(tg.store, 1)
    person = await user_id(tg.store, "telegram", str(FIRST))
    async with tg.store.transaction() as runner:
        for n in (1, 2, 3):
            await queue_notice(runner, person, {"fr": f"Message {n}"}, datetime.now(UTC))
    arrived: list[str] = []

    async def slow_first(item: OutboxItem) -> Result:
        """The platform takes longer over the first message than over the next ones."""
        if item.texts["fr"] == "Message 1":
            await asyncio.sleep(0.3)
        arrived.append(item.texts["fr"])
        return Sent()

    tg.sender({"telegram": slow_first}, rate=1000.0)
    await tg.done()
    assert arrived == ["Message 1", "Message 2", "Message 3"]
