"""Chaos: workers killed with SIGKILL at random points lose nothing that was acknowledged.

Two `python -m bot run` workers on one PostgreSQL database serve the Telegram webhook and send
a broadcast at the same time. A seeded random schedule kills one of them with -9 (in the
middle of turns, of replies being sent, of the broadcast's batches) and starts it again. Each
learner goes through onboarding, a lesson and its quiz, and only ever answers what it was
sent: a reply lost would stop its journey. Like Telegram, an update nobody answered is
delivered again to a live worker. In the end:
- no reply lost: every learner read every reply a calm run gives, in order;
- no update lost or counted twice: what the database holds equals the calm run;
- duplicates only for what was in flight at the kills: replies committed by the dead worker
  and not yet forgotten, announcements it had claimed and not yet recorded (each chat
  announced twice was such a claim at a kill).
Nothing here waits a fixed time for something to happen: a learner goes on once its reply
is whole (its kept copy gone from `pending_replies`, deleted only after every message was
taken by the platform), and the waits' limits only stop a hang, sized for a restart on a
busy machine (STARTUP).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from bot.storage.db import create_engine
from tests.chat_drivers import ChatLearner, TelegramChat, WhatsAppChat
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.telegram_api import FakeBotApi
from tests.integration.test_workers import (
    FRACTIONS,
    STARTUP,
    Fleet,
    SpreadLearner,
    database_state,
    worker_env,
)
from tests.sender_support import TELEGRAM_FIRST_CHAT, broadcast, seed_learners
from tests.store_driver import open_conversations
from tests.telegram_driver import SECRET, TOKEN, TelegramLearner, start_bot
from tests.whatsapp_driver import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    WEBHOOK_PATH,
    WhatsAppLearner,
    encode,
    sign,
    visible,
    whatsapp_settings,
)

SEED = int(os.environ.get("CHAOS_SEED") or 20261207)  # another seed: another schedule
LEARNERS = 10  # on Telegram's webhook (answered once handled)
PHONES = 4  # on WhatsApp's (answered once stored in the inbox, handled after)
AUDIENCE = 800  # the broadcast's recipients, sent at RATE while the kills happen
RATE = 40
KILLS = 3
# Seconds before a dead worker's claims are taken over (production: 10 and 60). Not shorter:
# a live worker's claim must outlast what a loaded machine makes of a send (with 2, a reply
# committed and sent over 2 seconds was claimed by the other worker's resender meanwhile,
# and a kill then left it uncounted).
LEASE = 10
# Seconds a learner waits for a reply before calling it lost: a WhatsApp body stored by a
# killed worker is handled when that worker is up again, and a start may take STARTUP.
REPLY_WAIT = STARTUP * 2


class Kept:
    """The replies the database still keeps to send (`pending_replies`), on one engine: a
    reply is written with its turn and deleted once every message of it was sent."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    async def replies(self, channel: str, address: str) -> int:
        async with self.engine.connect() as conn:
            found = await conn.execute(
                text(
                    "SELECT COUNT(*) FROM pending_replies"
                    " WHERE channel = :channel AND external_id = :address"
                ),
                {"channel": channel, "address": address},
            )
            return int(found.scalar_one())

    async def whole(self, channel: str, address: str, who: str) -> None:
        """Wait until the reply that began to arrive is whole: nothing kept for the address
        (its last message sent, by its worker or a resender), however slow the machine."""
        deadline = time.monotonic() + REPLY_WAIT
        while await self.replies(channel, address):
            if time.monotonic() > deadline:
                raise AssertionError(f"{who}: a reply never ended")
            await asyncio.sleep(0.1)


async def first_message(count: Any, before: int, who: str) -> None:
    """Wait until a message came beyond the `before` first ones."""
    deadline = time.monotonic() + REPLY_WAIT
    while count() == before:
        if time.monotonic() > deadline:
            raise AssertionError(f"{who}: a reply was lost")
        await asyncio.sleep(0.1)


class PatientLearner(SpreadLearner):
    """Delivers each update until a worker answers 200, then waits for the whole reply: when
    the worker died after its commit (maybe in the middle of the reply), the redelivery is a
    duplicate and the reply comes from the resender (or with the learner's next turn: there
    is none without a reply)."""

    late = 0  # replies that came after the 200 (the resender's)
    kept: Kept

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        def sent() -> int:
            return len(self.api.sent(self.user_id))

        before = sent()
        status = await super().post(update, secret)
        if sent() == before:
            await first_message(sent, before, f"learner {self.user_id}")
            self.late += 1
        await self.kept.whole("telegram", str(self.user_id), f"learner {self.user_id}")
        return status


class PatientPhone(WhatsAppLearner):
    """A WhatsApp learner: its body goes to a random live worker until one stores it (200),
    then it waits for the whole reply (a worker killed with the body in its inbox leaves it
    for the next start; one killed after the turn leaves the reply for the resender)."""

    fleet: Fleet
    rng: random.Random
    kept: Kept

    async def post(self, body: dict[str, Any] | bytes, signature: str | None = "sign") -> int:
        raw = body if isinstance(body, bytes) else encode(body)
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(APP_SECRET, raw)}
        before = len(self.api.sent(self.phone))
        for _ in range(200):
            port = self.rng.choice(self.fleet.live())
            url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
            try:
                async with self.http.post(url, data=raw, headers=headers) as response:
                    if response.status == 200:
                        break
            except (TimeoutError, aiohttp.ClientError):
                pass  # the worker died with the request: Meta will retry
            self.fleet.redelivered += 1
            await asyncio.sleep(0.2)
        await first_message(lambda: len(self.api.sent(self.phone)), before, f"phone {self.phone}")
        # sent one by one after the 200: whole once nothing is kept for the phone
        await self.kept.whole("whatsapp", self.phone, f"phone {self.phone}")
        return 200


GO_ON = "J'ai compris, on continue ▶️"  # after a remediation (dialogs/flows/placement.py)


async def strict_journey(chat: ChatLearner) -> None:
    """Onboarding, a lesson to its quiz, the quiz, the progress: only what was offered."""
    await chat.send("/start")
    for label in ("Français", "J'accepte", "Sénégal", "Élève", "CM2", *FRACTIONS):
        assert any(label in offered for offered in chat.options()), (label, chat.options())
        await chat.tap(label)
    for _ in range(30):
        if "Question 1 sur" in chat.last_text():
            break
        await chat.tap("Passer au quiz" if "Passer au quiz ▶️" in chat.options() else "Suivant")
    for _ in range(20):
        shown = chat.last_text()
        if "Quiz terminé" in shown:
            break
        if GO_ON in chat.options():  # a skill missed twice: the author's worked example
            await chat.tap(GO_ON)
            continue
        assert "Question" in shown, shown
        options = [label for label in chat.options() if "Menu" not in label]
        if options:
            await chat.tap(options[0])
        else:
            await chat.send("un quart")
    await chat.send("/progres")


def ids() -> list[int]:
    return [910_000 + n for n in range(LEARNERS)]


def phones() -> list[str]:
    return [f"22177{n:07d}" for n in range(PHONES)]


def both_channels(url: str, api: FakeBotApi, graph: FakeGraphApi) -> Any:
    """Settings of a bot on Telegram's webhook and WhatsApp's, at the fakes."""
    return whatsapp_settings(
        url,
        graph.url,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api.url,
        telegram_webhook_url="https://bot.example.org/telegram/webhook",
        telegram_webhook_secret=SECRET,
        flood_limit="off",
    )


Texts = dict[int | str, list[str]]


async def calm_texts(tmp: Path) -> tuple[Texts, dict[str, list[Any]]]:
    """What each learner reads on one undisturbed process (SQLite), and what it stores."""
    url = f"sqlite:///{tmp / 'calm.db'}"
    async with FakeBotApi() as api, FakeGraphApi() as graph:
        app = await start_bot(both_channels(url, api, graph))
        try:
            async with aiohttp.ClientSession() as http:
                chats: list[ChatLearner] = [
                    TelegramChat(TelegramLearner(api, app, http, uid)) for uid in ids()
                ]
                chats += [WhatsAppChat(WhatsAppLearner(graph, app, http, p)) for p in phones()]
                await asyncio.gather(*(strict_journey(chat) for chat in chats))
            texts = read(api, graph)
        finally:
            await app.stop()
    return texts, await database_state(url)


def read(api: FakeBotApi, graph: FakeGraphApi) -> Texts:
    """Every message each learner received, as its text (a poll's question)."""
    texts: Texts = {
        uid: [
            str(c.params.get("text") or c.params.get("question") or c.params.get("caption") or "")
            for c in api.sent(uid)
        ]
        for uid in ids()
    }
    for phone in phones():
        texts[phone] = [visible(payload) for payload in graph.sent(phone)]
    return texts


def extra_after_matching(calm: list[str], seen: list[str]) -> int | None:
    """How many messages `seen` has beyond `calm`, when `calm` is a subsequence of it (in
    order, nothing missing); None when a message of `calm` is missing."""
    position = 0
    for message in seen:
        if position < len(calm) and message == calm[position]:
            position += 1
    return len(seen) - len(calm) if position == len(calm) else None


async def scalar_rows(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return [tuple(row) for row in (await conn.execute(text(sql), params)).all()]
    finally:
        await engine.dispose()


class Chaos:
    """Kills at random moments and counts what was in flight at each."""

    def __init__(self, fleet: Fleet, url: str, api: FakeBotApi, rng: random.Random) -> None:
        self.fleet, self.url, self.api, self.rng = fleet, url, api, rng
        self.replies_in_flight = 0  # messages of replies committed and not forgotten
        # Each chat whose announcement a dead worker had claimed and not recorded, as many
        # times as it was so at a kill: the platform may have taken it before the kill.
        self.sends_in_flight: Counter[int] = Counter()
        self.kills = 0

    async def run(self) -> None:
        # Right after the platform took its n-th call, n drawn among the first two thirds of
        # the run's: turns, replies and announcements are on their way, at random points.
        start = self.api.counts.total()
        for target in sorted(self.rng.sample(range(50, 750), KILLS)):
            await self.api.wait_for_count(start + target, timeout=STARTUP)
            victim = self.rng.randrange(len(self.fleet.ports))
            process = self.fleet.processes[victim]
            assert process is not None
            self.fleet.kill(victim)
            await process.wait()
            self.kills += 1
            await self._count(process.pid)
            await self.fleet.start(victim)

    async def _count(self, pid: int) -> None:
        """What the dead worker had in flight: its committed replies still kept (their
        messages), and the announcements it claimed and had not recorded. Whether the
        platform took one of them before the kill is not waited for (a request the dead
        worker had written may still arrive later on a loaded machine): a chat announced
        twice must be one of them, checked at the end."""
        worker = f"%:{pid}"
        rows = await scalar_rows(
            self.url, "SELECT payload FROM pending_replies WHERE claimed_by LIKE :w", w=worker
        )
        self.replies_in_flight += sum(len(json.loads(row[0])["messages"]) for row in rows)
        claimed = await scalar_rows(
            self.url,
            "SELECT u.external_id FROM outbox o JOIN users u ON u.id = o.user_id"
            " WHERE o.status = 'sending' AND o.claimed_by LIKE :w",
            w=worker,
        )
        self.sends_in_flight.update(int(chat) for (chat,) in claimed)


@pytest.fixture
def postgres(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share a PostgreSQL database")
    return database_url


async def test_killed_workers_lose_no_reply_no_update_no_announcement(
    postgres: str, tmp_path: Path
) -> None:
    calm, calm_state = await calm_texts(tmp_path)
    async with open_conversations(postgres) as seeder:  # the broadcast's audience, queued
        await seed_learners(seeder.store, AUDIENCE)
        await broadcast(seeder.store, {"fr": "Annonce"})
    rng = random.Random(SEED)
    kept = Kept(postgres)
    async with FakeBotApi() as api, FakeGraphApi() as graph:
        fleet = Fleet(postgres, api.url, tmp_path, 2, shared=False)
        fleet.env = lambda port: (
            worker_env(postgres, api.url, port)
            | {
                "REPLY_LEASE_SECONDS": str(LEASE),
                "BROADCAST_LEASE_SECONDS": str(LEASE),
                "BROADCAST_RATE_TELEGRAM": str(RATE),
                "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
                "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
                "WHATSAPP_APP_SECRET": APP_SECRET,
                "WHATSAPP_API_BASE_URL": graph.url,
                "WHATSAPP_PACE_SECONDS": "0",
                "WHATSAPP_BACKOFF_SECONDS": "0.01",
            }
        )
        try:
            await asyncio.gather(*(fleet.start(i) for i in range(len(fleet.ports))))
            chaos = Chaos(fleet, postgres, api, rng)
            async with aiohttp.ClientSession() as http:
                learners = [
                    PatientLearner(api, http, uid, fleet=fleet, rng=random.Random(rng.random()))
                    for uid in ids()
                ]
                for learner in learners:
                    learner.kept = kept
                journeys = [strict_journey(TelegramChat(learner)) for learner in learners]
                for phone in phones():
                    whatsapp = PatientPhone(graph, None, http, phone)  # type: ignore[arg-type]
                    whatsapp.fleet, whatsapp.rng = fleet, random.Random(rng.random())
                    whatsapp.kept = kept
                    journeys.append(strict_journey(WhatsAppChat(whatsapp)))
                # a limit against a hang only: each kill's restart may take STARTUP
                hang = STARTUP * (KILLS + 2)
                await asyncio.wait_for(asyncio.gather(*journeys, chaos.run()), hang)
            await until_sent(postgres)
        finally:
            await fleet.stop()
            await kept.engine.dispose()
        seen = read(api, graph)
        announced = Counter(
            int(c.params["chat_id"])
            for c in api.sent()
            if int(c.params["chat_id"]) >= TELEGRAM_FIRST_CHAT
        )
    late = sum(learner.late for learner in learners)
    duplicates = sum(announced.values()) - len(announced)
    print(  # shown with -s, and on failure
        f"chaos: {chaos.kills} kills, {fleet.redelivered} redeliveries, {late} replies sent late"
        f" (resent), {chaos.replies_in_flight} reply messages and"
        f" {chaos.sends_in_flight.total()} announcements in flight at the kills,"
        f" {duplicates} announcements twice"
    )
    assert chaos.kills == KILLS and fleet.redelivered > 0, "the kills hit work in progress"
    # No reply lost (the journeys ended, every calm message is there in order), duplicates
    # only among the replies in flight at the kills.
    extra = {who: extra_after_matching(calm[who], seen[who]) for who in calm}
    assert None not in extra.values(), extra
    assert sum(n for n in extra.values() if n) <= chaos.replies_in_flight, extra
    # No update lost or counted twice: the learners' rows equal the calm run's.
    state = await database_state(postgres)
    for table in ("lessons", "quizzes", "answers"):
        assert state[table] == calm_state[table], table
    journeys = [row for row in state["users"] if row[0].startswith(("910", "22177"))]
    assert journeys == calm_state["users"]
    # Every announcement arrived; twice only where it was in flight at a kill (per chat, as
    # many extra times as kills found it claimed and unrecorded by the dead worker).
    assert set(announced) == set(range(TELEGRAM_FIRST_CHAT, TELEGRAM_FIRST_CHAT + AUDIENCE))
    twice = {chat: n - 1 for chat, n in announced.items() if n > 1}
    beyond = {chat: n for chat, n in twice.items() if n > chaos.sends_in_flight[chat]}
    assert beyond == {}, (beyond, chaos.sends_in_flight)


async def until_sent(url: str) -> None:
    """Wait until no reply and no announcement is left to send (a dead worker's included)."""
    for _ in range(int(STARTUP * 10)):
        left = await scalar_rows(
            url,
            "SELECT (SELECT COUNT(*) FROM pending_replies),"
            " (SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending'))",
        )
        if left[0] == (0, 0):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"still to send: {left}")
