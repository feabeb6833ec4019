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
  and not yet forgotten, announcements it had sent and not yet recorded.
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
LEASE = 2  # seconds before a dead worker's claims are taken over (production: 10 and 60)
REPLY_WAIT = 60.0  # seconds a learner waits for a reply before calling it lost


class PatientLearner(SpreadLearner):
    """Delivers each update until a worker answers 200, then waits for the reply to arrive:
    when the worker died after its commit, the redelivery is a duplicate and the reply comes
    from the resender (or with the learner's next turn: there is none without a reply)."""

    late = 0  # replies that came after the 200 (the resender's)

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        before = len(self.api.sent(self.user_id))
        status = await super().post(update, secret)
        if len(self.api.sent(self.user_id)) > before:
            return status
        deadline = time.monotonic() + REPLY_WAIT
        while len(self.api.sent(self.user_id)) == before:
            if time.monotonic() > deadline:
                raise AssertionError(f"learner {self.user_id}: a reply was lost")
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # a resent reply's other messages follow within ms
        self.late += 1
        return status


class PatientPhone(WhatsAppLearner):
    """A WhatsApp learner: its body goes to a random live worker until one stores it (200),
    then it waits for the whole reply (a worker killed with the body in its inbox leaves it
    for the next start; one killed after the turn leaves the reply for the resender)."""

    fleet: Fleet
    rng: random.Random

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
        deadline = time.monotonic() + REPLY_WAIT
        while len(self.api.sent(self.phone)) == before:
            if time.monotonic() > deadline:
                raise AssertionError(f"phone {self.phone}: a reply was lost")
            await asyncio.sleep(0.1)
        await settled(lambda: len(self.api.sent(self.phone)))
        return 200


GO_ON = "J'ai compris, on continue ▶️"  # after a remediation (dialogs/flows/placement.py)


async def settled(count: Any) -> None:
    """Wait until a reply's messages stop coming (sent one by one after the 200)."""
    seen = -1
    while seen != count():
        seen = count()
        await asyncio.sleep(0.5)


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
        self.sends_in_flight = 0  # announcements sent and not recorded
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
        messages), and the announcements it claimed whose message the platform already took."""
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
        await asyncio.sleep(0.2)  # a request the dead worker had written still arrives
        reached = {int(c.params["chat_id"]) for c in self.api.sent()}
        self.sends_in_flight += sum(1 for (chat,) in claimed if int(chat) in reached)


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
                journeys = [strict_journey(TelegramChat(learner)) for learner in learners]
                for phone in phones():
                    whatsapp = PatientPhone(graph, None, http, phone)  # type: ignore[arg-type]
                    whatsapp.fleet, whatsapp.rng = fleet, random.Random(rng.random())
                    journeys.append(strict_journey(WhatsAppChat(whatsapp)))
                await asyncio.wait_for(asyncio.gather(*journeys, chaos.run()), STARTUP * 2)
            await until_sent(postgres)
        finally:
            await fleet.stop()
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
        f" (resent), {chaos.replies_in_flight} reply messages and {chaos.sends_in_flight}"
        f" announcements in flight at the kills, {duplicates} announcements twice"
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
    # Every announcement arrived; twice only where it was in flight at a kill.
    assert set(announced) == set(range(TELEGRAM_FIRST_CHAT, TELEGRAM_FIRST_CHAT + AUDIENCE))
    assert duplicates <= chaos.sends_in_flight, (duplicates, chaos.sends_in_flight)


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
