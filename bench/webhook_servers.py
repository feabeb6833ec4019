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
WORKER_VARIANTS = ("pg-1", "pg-2", "pg-4")  # `python -m bot run --workers N` on PostgreSQL
VARIANTS = ("full", "echo-aiohttp", "echo-httpx", *WORKER_VARIANTS)
POSTGRES_ENV = "BENCH_POSTGRES_URL"  # the server the pg-N variants create a database on
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"

Stop = Callable[[], Awaitable[None]]


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


def _has_setting(name: str) -> bool:
    """Whether the checkout under test knows a setting (bench/ also runs older checkouts)."""
    return name in getattr(Settings, "__dataclass_fields__", {})


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


async def start_workers(api_url: str, workdir: Path, count: int) -> tuple[int, Stop]:
    """`python -m bot run --workers N` on a fresh PostgreSQL database; port and stop."""
    import asyncpg
    from sqlalchemy.engine import make_url

    server = make_url(os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)).set(drivername="postgresql")
    name = f"imaginecole_bench_{os.getpid()}"
    admin = await asyncpg.connect(server.render_as_string(hide_password=False))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    port = _free_port()
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


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    """Start the variant, announce its port, run until SIGTERM or SIGINT."""
    if variant == "full":
        port, stop = await start_full(api_url, workdir)
    elif variant in WORKER_VARIANTS:
        port, stop = await start_workers(api_url, workdir, int(variant.removeprefix("pg-")))
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
