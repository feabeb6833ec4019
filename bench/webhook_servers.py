"""The webhook servers under test, each run in its own process by bench/telegram_webhook.py.

``python bench/webhook_servers.py VARIANT API_URL WORKDIR`` prints ``READY <port>`` on stdout
once it serves ``POST /telegram/webhook`` on 127.0.0.1, and stops cleanly on SIGTERM (or when
its stdin, a pipe from the load generator, closes). It imports ``bot`` from ``PYTHONPATH``,
so the same script can run another checkout's bot (``--compare``).

* ``full``: the real ``BotApp`` (webhook mode, fresh SQLite file in WORKDIR, INFO logging on
  stderr as ``python -m bot run`` sets it up).
* ``echo-aiohttp`` / ``echo-httpx``: a bare python-telegram-bot echo bot behind the same
  aiohttp webhook shape, on our aiohttp transport or on PTB's default httpx transport.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import signal
import stat
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

# Run as a script, this folder comes first on sys.path and bench/content.py would shadow the
# real `content` package: drop it, bot/ and content/ come from PYTHONPATH.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import BotApp
from bot.config import Settings
from bot.logs import setup_logging
from bot.telegram.request import AiohttpRequest

TOKEN = "123456:BENCH-token"
SECRET = "bench-secret_token"
WEBHOOK_PATH = "/telegram/webhook"
WEBHOOK_URL = f"https://bench.example{WEBHOOK_PATH}"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
VARIANTS = ("full", "echo-aiohttp", "echo-httpx")

Stop = Callable[[], Awaitable[None]]


def full_settings(api_url: str, workdir: Path) -> Settings:
    """The bot's settings: webhook mode, embedded SQLite in a fresh file, a random port."""
    return Settings(
        database_url=f"sqlite:///{workdir / 'bench.db'}",
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"bench",
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api_url,
        telegram_webhook_url=WEBHOOK_URL,
        telegram_webhook_secret=SECRET,
    )


async def start_full(api_url: str, workdir: Path) -> tuple[int, Stop]:
    """Start the real application; returns its port and how to stop it."""
    setup_logging("INFO")
    app = BotApp(full_settings(api_url, workdir))
    await app.start()
    return app.port, app.stop


def echo_application(api_url: str, transport: str) -> Application:  # type: ignore[type-arg]
    """A PTB Application that echoes text, on the aiohttp or the default httpx transport."""
    builder = ApplicationBuilder().token(TOKEN).base_url(f"{api_url}/bot").updater(None)
    if transport == "aiohttp":
        builder = builder.request(AiohttpRequest())
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    return application


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back to the chat it came from."""
    assert update.effective_chat is not None and update.effective_message is not None
    await context.bot.send_message(update.effective_chat.id, update.effective_message.text or "")


def echo_server(application: Application) -> web.Application:  # type: ignore[type-arg]
    """The webhook route: check the secret, decode, process, answer once handled."""

    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), SECRET.encode()):
            return web.Response(status=401)
        update = Update.de_json(await request.json(), application.bot)
        await application.process_update(update)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, webhook)
    return app


async def start_echo(api_url: str, transport: str) -> tuple[int, Stop]:
    """Start an echo bot on a random port; returns its port and how to stop it."""
    application = echo_application(api_url, transport)
    await application.initialize()
    runner = web.AppRunner(echo_server(application))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()

    async def stop() -> None:
        await runner.cleanup()
        await application.shutdown()

    return int(runner.addresses[0][1]), stop


async def serve(variant: str, api_url: str, workdir: Path) -> None:
    """Start the variant, announce its port, run until SIGTERM or SIGINT."""
    if variant == "full":
        port, stop = await start_full(api_url, workdir)
    else:
        port, stop = await start_echo(api_url, variant.removeprefix("echo-"))
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    watch = asyncio.create_task(_until_parent_gone(stopping))
    print(f"READY {port}", flush=True)
    try:
        await stopping.wait()
    finally:
        watch.cancel()
        await stop()


async def _until_parent_gone(stopping: asyncio.Event) -> None:
    """Stop when stdin is a pipe and it closes: the load generator died without a SIGTERM."""
    if not stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode):
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    await reader.read()
    stopping.set()


def main(argv: list[str]) -> int:
    """Entry point: VARIANT API_URL WORKDIR."""
    if len(argv) != 3 or argv[0] not in VARIANTS:
        print(f"usage: python bench/webhook_servers.py {{{','.join(VARIANTS)}}} API_URL WORKDIR")
        return 2
    asyncio.run(serve(argv[0], argv[1], Path(argv[2])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
