"""SMS throughput through Kannel: announcements from the bot (the real BotApp, its sender and
the SMS channel) → smsbox → bearerbox → Kannel's fake SMSC, against Kannel's own limit
measured alone in the same run (the same texts posted straight to smsbox's sendsms).

    python bench/sms_kannel.py [--messages 300] [--rounds 3] [--concurrency 32]

Needs Kannel (apt-get install kannel kannel-extras). Only 127.0.0.1 is used; everything runs
in a temporary folder. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import BotApp
from tests.kannel import PASSWORD, USER, Kannel, free_port, require_kannel
from tests.sender_support import broadcast, seed_learners
from tests.sms_driver import SECRET, SHORTCODE, sms_settings

TEXT = "Rappel : les examens commencent lundi. Révisez les fractions et les décimaux !"
# What the bot sends for TEXT: GSM-7, the footer with the command typed without its slash.
SENT = (
    "Rappel : les examens commencent lundi. Révisez les fractions et les décimaux !\n\n"
    "- Pour ne plus recevoir d'annonces : STOP_ANNONCES"
)
FIRST_LEARNER = 22_508_000_000


async def wait_until(kannel: Kannel, count: int, within: float = 600) -> None:
    """Until the fake SMSC got `count` messages in all."""
    deadline = time.monotonic() + within
    while kannel.count < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the SMSC got {kannel.count} of {count}")
        await asyncio.sleep(0.01)


async def kannel_alone(kannel: Kannel, messages: int, concurrency: int, first: int) -> float:
    """Messages a second, sendsms straight to smsbox until the SMSC has them all."""
    slots = asyncio.Semaphore(concurrency)
    target = kannel.count + messages
    url = kannel.sendsms_url + "/cgi-bin/sendsms"

    async def one(http: aiohttp.ClientSession, number: int) -> None:
        query = {
            "username": USER,
            "password": PASSWORD,
            "from": SHORTCODE,
            "to": str(number),
            "text": SENT,
            "charset": "UTF-8",
            "coding": "0",
        }
        async with slots, http.get(url, params=query) as reply:
            assert reply.status == 202, await reply.text()

    started = time.perf_counter()
    async with aiohttp.ClientSession() as http:
        await asyncio.gather(*(one(http, first + i) for i in range(messages)))
    await wait_until(kannel, target)
    return messages / (time.perf_counter() - started)


async def through_bot(bot: BotApp, kannel: Kannel, messages: int, round_: int) -> float:
    """Messages a second, an announcement to `messages` SMS learners until the SMSC has them."""
    assert bot.store is not None
    target = kannel.count + messages
    await bot.store.statement("DELETE FROM users WHERE channel = 'sms'")  # the last round's
    await seed_learners(bot.store, messages, channel="sms", first=FIRST_LEARNER + round_)
    started = time.perf_counter()
    _, queued = await broadcast(bot.store, {"fr": TEXT})
    assert queued == messages, queued
    await wait_until(kannel, target)
    return messages / (time.perf_counter() - started)


async def main(messages: int, rounds: int, concurrency: int) -> None:
    require_kannel()
    with tempfile.TemporaryDirectory(prefix="sms-bench-") as folder:
        port = free_port()
        bot_url = f"http://127.0.0.1:{port}"
        get_url = f"{bot_url}/sms/inbound?secret={SECRET}&from=%p&to=%P&text=%a&id=%I"
        kannel = Kannel(Path(folder), get_url)
        await kannel.start()
        settings = replace(
            sms_settings(f"sqlite:///{folder}/bench.db", kannel.sendsms_url),
            web_port=port,
            sms_kannel_user=USER,
            sms_kannel_password=PASSWORD,
            sms_callback_url=bot_url,  # delivery reports come back, as in production
            sms_pace=10_000.0,  # the bot's own pace out of the way: what the path allows
            log_level="WARNING",
        )
        bot = BotApp(settings)
        await bot.start()
        alone: list[float] = []
        bot_rates: list[float] = []
        try:
            for round_ in range(rounds):
                rate = await kannel_alone(kannel, messages, concurrency, 22_509_000_000)
                alone.append(rate)
                print(f"round {round_ + 1} kannel alone {rate:8.1f} SMS/s", flush=True)
                rate = await through_bot(bot, kannel, messages, round_)
                bot_rates.append(rate)
                print(f"round {round_ + 1} through bot  {rate:8.1f} SMS/s", flush=True)
        finally:
            await bot.stop()
            await kannel.stop()
        kannel_rate, bot_rate = statistics.median(alone), statistics.median(bot_rates)
        print(
            f"\n{messages} announcements, {rounds} rounds, {os.cpu_count()} cores (medians):"
            f" Kannel alone {kannel_rate:.1f} SMS/s, through the bot {bot_rate:.1f} SMS/s,"
            f" ratio bot/Kannel {bot_rate / kannel_rate:.2f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.messages, arguments.rounds, arguments.concurrency))
