"""One broadcast sender process for bench/sender.py's chaos run (killed with -9 at random).

    python -m bench.sender_runner DATABASE_URL API_URL [--rate R] [--lease S]

Sends the Telegram outbox of DATABASE_URL through the (fake) Bot API at API_URL, with the
real Sender, Outbox and deliverer, until killed or sent SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from datetime import timedelta

from telegram import Bot

from bot.i18n import I18n
from bot.sender import ChannelPace, Sender, worker_name
from bot.storage.db import create_engine
from bot.storage.outbox import Outbox
from bot.storage.store import SqlStore
from bot.telegram.broadcast import telegram_deliverer
from bot.telegram.request import AiohttpRequest

TOKEN = "123456:BENCH-token"


async def telegram_bot(api_url: str) -> Bot:
    """A PTB Bot on our aiohttp transport, talking to `api_url`."""
    bot = Bot(TOKEN, base_url=f"{api_url}/bot", request=AiohttpRequest())
    await bot.initialize()
    return bot


async def main(database_url: str, api_url: str, rate: float, lease: float) -> None:
    """Send until SIGTERM (or until killed)."""
    engine = create_engine(database_url)
    store = SqlStore(engine)
    bot = await telegram_bot(api_url)
    outbox = Outbox(store, worker_name(), timedelta(seconds=lease))
    sender = Sender(
        outbox, {"telegram": telegram_deliverer(bot, I18n())}, {"telegram": ChannelPace(rate)}
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    sender.start()
    print("ready", flush=True)
    await stop.wait()
    await sender.stop()
    await bot.shutdown()
    store.close()
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database_url")
    parser.add_argument("api_url")
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--lease", type=float, default=3.0)
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.api_url, args.rate, args.lease))
