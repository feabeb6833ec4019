"""The webhook servers under test, each run in its own process by bench/telegram_webhook.py.

``python bench/webhook_servers.py VARIANT API_URL WORKDIR`` prints ``READY <port>`` on stdout
once it serves ``POST /telegram/webhook`` on 127.0.0.1, and stops cleanly on SIGTERM (or when
its stdin, a pipe from the load generator, closes). It imports ``bot`` from ``PYTHONPATH``,
so the same script can run another checkout's bot (``--compare``).

* ``full``: the real ``BotApp`` (webhook mode, fresh SQLite file in WORKDIR, INFO logging on
  stderr as ``python -m bot run`` sets it up).
* ``pg-1`` / ``pg-2`` / ``pg-4``: ``python -m bot run --workers N`` (the real CLI: N processes
  sharing one port) on a fresh PostgreSQL database created on ``BENCH_POSTGRES_URL``'s server
  (default the local test server) and dropped afterwards; the CPU of the whole process tree
  is counted.
* ``echo-aiohttp`` / ``echo-httpx``: a bare python-telegram-bot echo bot behind the same
  aiohttp webhook shape, on our aiohttp transport or on PTB's default httpx transport.
* ``echo-aiogram``: a bare aiogram 3 echo bot behind the same webhook shape (run by the
  Python of its own environment, bench/aiogram-requirements.txt).
* ``whatsapp``: the real ``BotApp`` with WhatsApp on instead of Telegram, its Graph client
  pointed at API_URL (a fake Graph API), fresh SQLite file, ``whatsapp_pace_seconds`` 0. The
  webhook answers 200 once a body is stored; when its handling has finished (dialog, replies
  sent) the server writes ``H <phone>`` on stdout, which the closed-loop learners wait for.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

# Run as a script, this folder comes first on sys.path and bench/content.py would shadow the
# real `content` package: drop it, bot/ and content/ come from PYTHONPATH.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
# This checkout's bench/processes.py, also when another checkout comes first on PYTHONPATH
# (--compare runs that checkout's bot with this file).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.processes import Stop, free_port, serve_until_stopped

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
WORKER_VARIANTS = ("pg-1", "pg-2", "pg-4")  # `python -m bot run --workers N` on PostgreSQL
ECHO_VARIANTS = ("echo-aiohttp", "echo-httpx", "echo-aiogram")
VARIANTS = ("full", "whatsapp", *ECHO_VARIANTS, *WORKER_VARIANTS)
POSTGRES_ENV = "BENCH_POSTGRES_URL"  # the server the pg-N variants create a database on
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
# WhatsApp (the `whatsapp` variant here, and bench/whatsapp_servers.py)
ACCESS_TOKEN = "bench-graph-token"
PHONE_NUMBER_ID = "106540352242922"
APP_SECRET = "bench-app-secret"
SIGNATURE_HEADER = "X-Hub-Signature-256"
HANDLED_MARK = "H "  # "H <phone>" on stdout: a body of that number was handled


def full_settings(api_url: str, workdir: Path) -> Settings:
    """The bot's settings: webhook mode, embedded SQLite in a fresh file, a random port."""
    # Every simulated sender is 127.0.0.1: no per-address cap (a `--compare` checkout older
    # than the cap has no such setting).
    uncapped = (
        {"max_connections_per_address": 0} if _has_setting("max_connections_per_address") else {}
    )
    return Settings(
        database_url=f"sqlite:///{workdir / 'bench.db'}",
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"bench",
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api_url,
        telegram_webhook_url=WEBHOOK_URL,
        telegram_webhook_secret=SECRET,
        **uncapped,  # type: ignore[arg-type]
    )


def whatsapp_settings(graph_url: str, workdir: Path, pace: float) -> Settings:
    """WhatsApp on (Telegram off), embedded SQLite in a fresh file, a random port."""
    return Settings(
        database_url=f"sqlite:///{workdir / 'bench.db'}",
        web_host="127.0.0.1",
        web_port=0,
        pseudonym_secret=b"bench",
        whatsapp_access_token=ACCESS_TOKEN,
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_app_secret=APP_SECRET,
        whatsapp_api_base_url=graph_url,
        whatsapp_pace_seconds=pace,
        max_connections_per_address=0,  # every simulated sender is 127.0.0.1
    )


def _has_setting(name: str) -> bool:
    """Whether the checkout under test knows a setting (bench/ also runs older checkouts)."""
    return name in getattr(Settings, "__dataclass_fields__", {})


async def start_full(api_url: str, workdir: Path) -> tuple[int, Stop]:
    """Start the real application; returns its port and how to stop it."""
    setup_logging("INFO")
    app = BotApp(full_settings(api_url, workdir))
    await app.start()
    return app.port, app.stop


async def start_whatsapp(graph_url: str, workdir: Path) -> tuple[int, Stop]:
    """The real application with WhatsApp on, saying on stdout which number's body it has
    finished handling; its port and how to stop it."""
    setup_logging("INFO")
    app = BotApp(whatsapp_settings(graph_url, workdir, 0.0))
    await app.start()
    assert app.whatsapp is not None, "WhatsApp is not enabled"
    say_when_handled(app.whatsapp)
    return app.port, app.stop


def say_when_handled(service: Any) -> None:
    """Wrap the service's handling of a stored body: once it has finished (whatever its
    outcome), write "H <phone>" on stdout, the number taken from the raw body (no parsing:
    the bench's bodies carry one message, `"from":"<phone>"`)."""
    handle = service._handle
    mark = HANDLED_MARK.encode()

    def handled(body_id: int, body: bytes, *args: Any, **kwargs: Any) -> Coroutine[Any, Any, None]:
        async def run() -> None:
            try:
                await handle(body_id, body, *args, **kwargs)
            finally:
                start = body.find(b'"from":"') + 8
                os.write(sys.stdout.fileno(), mark + body[start : body.find(b'"', start)] + b"\n")

        return run()

    service._handle = handled


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


async def start_aiogram(api_url: str) -> tuple[int, Stop]:
    """A bare aiogram 3 echo bot behind the same webhook (checked secret, answered once the
    update was handled, like the PTB echo bots): `Update.model_validate`, then
    `Dispatcher.feed_update`, a message handler that answers `send_message(chat_id, text)`."""
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message
    from aiogram.types import Update as AiogramUpdate

    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api_url)))
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await bot.send_message(message.chat.id, message.text or "")

    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), SECRET.encode()):
            return web.Response(status=401)
        update = AiogramUpdate.model_validate(await request.json(), context={"bot": bot})
        await dispatcher.feed_update(bot, update)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()

    async def stop() -> None:
        await runner.cleanup()
        await bot.session.close()

    return int(runner.addresses[0][1]), stop


async def start_workers(api_url: str, workdir: Path, count: int) -> tuple[int, Stop]:
    """`python -m bot run --workers N` on a fresh PostgreSQL database; port and stop."""
    import asyncpg
    from sqlalchemy.engine import make_url

    server = make_url(os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)).set(drivername="postgresql")
    name = f"imaginecole_bench_{os.getpid()}"
    admin = await asyncpg.connect(server.render_as_string(hide_password=False))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": server.set(database=name).render_as_string(hide_password=False),
        "WEB_HOST": "127.0.0.1",
        "PSEUDONYM_SECRET": "bench",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api_url,
        "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "AUTHORED_DIR": str(workdir / "authored"),
        "MAX_CONNECTIONS_PER_ADDRESS": "0",  # every simulated sender is 127.0.0.1
        # No per-person flood limit, as `full` has none: a closed loop sends each learner's
        # next update at once, more than 60 a minute on a fast machine, and a flooded
        # learner's updates are dropped unanswered ("no reply" errors, cheaper than a turn).
        "FLOOD_LIMIT": "off",
    }
    log = (workdir / "workers.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "run", "--workers", str(count), "--port", str(port)),
        cwd=workdir, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    await _until_healthy(port, process)

    async def stop() -> None:
        process.terminate()
        await process.wait()
        log.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    return port, stop


async def _until_healthy(port: int, process: asyncio.subprocess.Process) -> None:
    """Wait until every worker could have started (the port answers, then a grace period)."""
    import aiohttp

    async with aiohttp.ClientSession() as http:
        while process.returncode is None:
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        break
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    if process.returncode is not None:
        raise RuntimeError("the workers did not start")
    await asyncio.sleep(5.0)  # the other workers finish importing and bind the port too


async def serve(variant: str, api_url: str, workdir: Path) -> None:
    """Start the variant, announce its port, run until SIGTERM, SIGINT or stdin closes."""
    if variant == "full":
        port, stop = await start_full(api_url, workdir)
    elif variant == "whatsapp":
        port, stop = await start_whatsapp(api_url, workdir)
    elif variant in WORKER_VARIANTS:
        port, stop = await start_workers(api_url, workdir, int(variant.removeprefix("pg-")))
    elif variant == "echo-aiogram":
        port, stop = await start_aiogram(api_url)
    else:
        port, stop = await start_echo(api_url, variant.removeprefix("echo-"))
    await serve_until_stopped(str(port), stop)


def main(argv: list[str]) -> int:
    """Entry point: VARIANT API_URL WORKDIR."""
    if len(argv) != 3 or argv[0] not in VARIANTS:
        print(f"usage: python bench/webhook_servers.py {{{','.join(VARIANTS)}}} API_URL WORKDIR")
        return 2
    asyncio.run(serve(argv[0], argv[1], Path(argv[2])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
