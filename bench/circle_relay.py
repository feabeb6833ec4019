"""The relay fan-out: one message to a 5,000-member circle, time to enqueue and to deliver.

    python -m bench.circle_relay [--quick] [--members N] [--rounds R] [--wa-rate R]
                                 [--postgres URL]

Seeds N teachers in bulk (INSERT ... SELECT), half on Telegram, half on WhatsApp inside their
24-hour window, all members of one circle that follow every message; the author is a real
person of the flow. Then:
- enqueue: the author's turn that posts the message (the real Conversations, the real circle
  flow: N outbox rows written in that turn), beside a bare INSERT ... SELECT of N outbox rows
  in the same database; medians over --rounds;
- deliver: the real Sender against FakeBotApi(rate_limit=30) (Telegram's flood control) at
  30/s and the fake Graph API at --wa-rate, both channels at once, beside the theoretical
  minimum max(N_telegram / 30, N_whatsapp / rate).
SQLite by default; --postgres URL or TEST_POSTGRES_URL for PostgreSQL (a fresh database).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from bench.sender import database, wait_until
from bench.sender_runner import telegram_bot
from bot.conversations import Conversations
from bot.i18n import I18n
from bot.sender import ChannelPace, Sender
from bot.storage.channels import ChannelStore
from bot.storage.outbox import Outbox
from bot.storage.store import SqlStore
from bot.telegram.broadcast import telegram_deliverer
from bot.whatsapp.broadcast import whatsapp_deliverer
from bot.whatsapp.channel import TemplateSettings
from bot.whatsapp.client import GraphClient
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.telegram_api import FakeBotApi
from tests.sender_support import TELEGRAM_FIRST_CHAT, run, seed_learners
from tests.store_driver import Person, open_conversations

TELEGRAM_RATE = 30  # Telegram's bulk limit, enforced by the fake
WHATSAPP_FIRST = 221_700_000_000
CIRCLE = "Mathématiques - primaire"


async def seed_circle(store: SqlStore, members: int) -> int:
    """The circle and its members (bulk): teachers, half Telegram, half WhatsApp in window."""
    telegram = members // 2
    await seed_learners(store, telegram)
    await seed_learners(store, members - telegram, channel="whatsapp", first=WHATSAPP_FIRST)
    now = datetime.now(UTC)
    await run(store, "UPDATE users SET role = 'teacher' WHERE role = 'student'")
    await run(
        store,
        "INSERT INTO role_grants (user_id, role, country, granted_at)"
        " SELECT id, 'teacher', 'SN', :now FROM users",
        now=now,
    )
    rows = await run(
        store,
        "INSERT INTO circles (name, subject, level_group, created_at)"
        " VALUES (:name, 'maths', 'primary', :now) RETURNING id",
        name=CIRCLE,
        now=now,
    )
    circle = int(rows[0][0])
    await run(
        store,
        "INSERT INTO circle_members (circle_id, user_id, digest, joined_at)"
        " SELECT :cid, id, 'every', :now FROM users",
        cid=circle,
        now=now,
    )
    await run(
        store,
        "INSERT INTO channel_contacts (user_id, last_inbound_at)"
        " SELECT id, :at FROM users WHERE channel = 'whatsapp'",
        at=now - timedelta(hours=1),
    )
    return circle


async def author(talk: Conversations) -> Person:
    """A teacher of the flow, in the circle, about to write."""
    person = Person.on(talk, "telegram", "42")
    await person.onboard(role="Enseignant")
    await run(
        talk.store,
        "INSERT INTO role_grants (user_id, role, country, granted_at)"
        " SELECT id, 'teacher', 'SN', :now FROM users WHERE external_id = '42'",
        now=datetime.now(UTC),
    )
    await person.send("/cercles")
    await person.tap(CIRCLE)
    await person.tap("Rejoindre le cercle")
    return person


async def timed_post(person: Person, round_: int) -> float:
    """The author's turn that posts one message (seconds)."""
    await run(  # earlier posts out of the moderation's flood window: each post goes out
        person.conversations.store,
        "UPDATE circle_messages SET created_at = :old",
        old=datetime.now(UTC) - timedelta(days=2),
    )
    await person.tap("Écrire")
    started = time.perf_counter()
    replies = await person.send(f"Message {round_} : comment enseignez-vous les fractions ?")
    elapsed = time.perf_counter() - started
    assert "Message envoyé au cercle" in person.texts(replies), person.texts(replies)
    return elapsed


async def bare_insert(store: SqlStore) -> float:
    """The baseline: N outbox rows from one INSERT ... SELECT in a transaction (seconds)."""
    started = time.perf_counter()
    await run(
        store,
        "INSERT INTO outbox (broadcast_id, user_id, channel, status, attempts, not_before)"
        " SELECT (SELECT MAX(id) FROM broadcasts), id, channel, 'queued', 0, :now FROM users"
        " WHERE external_id <> '42' ORDER BY id",
        now=datetime.now(UTC),
    )
    return time.perf_counter() - started


async def relayed_to_everyone(store: SqlStore, members: int) -> None:
    """The post wrote one outbox row per member (the author excepted)."""
    rows = await run(store, "SELECT COUNT(*) FROM outbox")
    assert int(rows[0][0]) == members, rows


async def enqueue(talk: Conversations, person: Person, members: int, rounds: int) -> None:
    """Median of the author's posting turns beside the bare insert."""
    turns, bare = [], []
    for n in range(rounds):
        turns.append(await timed_post(person, n))
        await relayed_to_everyone(talk.store, members)
        await run(talk.store, "DELETE FROM outbox")
        bare.append(await bare_insert(talk.store))
        await run(talk.store, "DELETE FROM outbox")
    turn, base = statistics.median(turns), statistics.median(bare)
    print(
        f"enqueue: posting turn {turn * 1000:7.1f} ms (rounds {fmt(turns)})"
        f"   bare INSERT ... SELECT {base * 1000:6.1f} ms (rounds {fmt(bare)})"
        f"   ratio {turn / base:.1f}"
    )


def fmt(seconds: list[float]) -> str:
    """Milliseconds, one decimal."""
    return ", ".join(f"{s * 1000:.1f}" for s in seconds)


async def deliver(talk: Conversations, person: Person, members: int, wa_rate: float) -> None:
    """One more post, delivered by the real sender at the platforms' rates."""
    store = talk.store
    async with (
        FakeBotApi(rate_limit=TELEGRAM_RATE, record=True) as api,
        FakeGraphApi(record=True, strict=False) as graph,
    ):
        bot = await telegram_bot(api.url)
        client = GraphClient(
            base_url=graph.url,
            api_version="v21.0",
            phone_number_id=graph.phone_number_id,
            access_token=graph.access_token,
        )
        channels = ChannelStore(store)
        sender = Sender(
            Outbox(store, "bench"),
            {
                "telegram": telegram_deliverer(bot, I18n()),
                "whatsapp": whatsapp_deliverer(client, channels, I18n(), TemplateSettings()),
            },
            {"telegram": ChannelPace(TELEGRAM_RATE), "whatsapp": ChannelPace(wa_rate)},
            idle=0.02,
        )
        try:
            await timed_post(person, -1)
            started = time.perf_counter()
            sender.start()
            await wait_until(lambda: drained(store))
            elapsed = time.perf_counter() - started
        finally:
            await sender.stop()
            await bot.shutdown()
            await client.close()
        report(api, graph, members, wa_rate, elapsed)


async def drained(store: SqlStore) -> bool:
    """Nothing left to send."""
    return await Outbox(store, "bench").pending() == 0


def report(
    api: FakeBotApi, graph: FakeGraphApi, members: int, wa_rate: float, elapsed: float
) -> None:
    """Delivery against the theoretical minimum, per channel and together."""
    n_tg, n_wa = members // 2, members - members // 2
    tg_times = sorted(c.at for c in api.sent() if c.method == "sendMessage")
    wa_times = graph.times(accepted_only=True)
    first = min(tg_times[0], wa_times[0])
    tg_span, wa_span = tg_times[-1] - first, wa_times[-1] - first
    least = max(n_tg / TELEGRAM_RATE, n_wa / wa_rate)
    print(
        f"deliver: {members:,} members in {elapsed:.1f} s (theoretical minimum {least:.1f} s,"
        f" ratio {elapsed / least:.2f})\n"
        f"  telegram {len(tg_times):,}/{n_tg:,} in {tg_span:.1f} s"
        f" (min {n_tg / TELEGRAM_RATE:.1f} s, {len(tg_times) / tg_span:.2f}/s),"
        f" 429s {api.throttled}"
        f"\n  whatsapp {len(wa_times):,}/{n_wa:,} in {wa_span:.1f} s"
        f" (min {n_wa / wa_rate:.1f} s, {len(wa_times) / wa_span:.2f}/s)"
    )
    assert len(set(c.params["chat_id"] for c in api.sent())) == n_tg, "Telegram members missed"
    assert len(wa_times) == n_wa, "WhatsApp members missed"
    assert min(c.params["chat_id"] for c in api.sent()) >= TELEGRAM_FIRST_CHAT


async def main(args: argparse.Namespace) -> None:
    """Seed, enqueue, deliver."""
    postgres = args.postgres or os.environ.get("TEST_POSTGRES_URL")
    kind = "postgres" if postgres else "sqlite"
    members = args.members or (500 if args.quick else 5_000)
    async with database(kind, postgres) as url, open_conversations(url) as talk:
        started = time.perf_counter()
        await seed_circle(talk.store, members)
        person = await author(talk)
        print(f"{kind}: {members:,} members seeded in {time.perf_counter() - started:.1f} s")
        await enqueue(talk, person, members, args.rounds)
        if not args.no_deliver:
            await deliver(talk, person, members, args.wa_rate)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="500 members")
    parser.add_argument("--members", type=int, help="circle size (5,000; 500 with --quick)")
    parser.add_argument("--rounds", type=int, default=5, help="posting turns measured")
    parser.add_argument("--wa-rate", type=float, default=80.0, help="WhatsApp messages/s")
    parser.add_argument("--no-deliver", action="store_true", help="only the enqueue")
    parser.add_argument("--postgres", help="PostgreSQL server URL (else TEST_POSTGRES_URL)")
    asyncio.run(main(parser.parse_args()))
    sys.exit(0)
