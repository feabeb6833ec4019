"""A school server with no internet: `python -m bot run` with Telegram, WhatsApp, an LRS and
a national instance all configured, none of them reachable, and a learner on the web chat
going through a lesson and its quiz meanwhile.

Two ways to be offline (tests/integration/test_offline.py):
- in a network namespace with nothing but loopback (`unshare -n`, as root): every external
  name fails to resolve, every address is unreachable. The test runs this module as a script
  inside the namespace: `python -m tests.offline_school`;
- with every external URL pointing at a local host that accepts connections and never
  answers (the worst kind: a connection that hangs rather than fails).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import aiohttp

ROOT = Path(__file__).resolve().parents[1]


def external(base: str) -> dict[str, str]:
    """Every setting that names another host, all at `base` (a scheme and host)."""
    return {
        "TELEGRAM_BOT_TOKEN": "123456:offline-school",
        "TELEGRAM_API_BASE_URL": f"{base}/telegram",
        "WHATSAPP_ACCESS_TOKEN": "offline",
        "WHATSAPP_PHONE_NUMBER_ID": "1234",
        "WHATSAPP_APP_SECRET": "offline-secret",
        "WHATSAPP_API_BASE_URL": f"{base}/graph",
        "XAPI_LRS_URL": f"{base}/xAPI",
        "SYNC_URL": f"{base}/national",
        "SYNC_TOKEN": "ecole-token",
        "SYNC_EVERY": "1",
    }


def real_hosts() -> dict[str, str]:
    """The external settings as in production (their names cannot resolve offline)."""
    found = external("https://national.imaginecole.example")
    found.pop("TELEGRAM_API_BASE_URL")  # the real api.telegram.org
    found.pop("WHATSAPP_API_BASE_URL")  # the real graph.facebook.com
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def hanging_host() -> AsyncIterator[str]:
    """A host that accepts every connection and never says a word."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        for writer in held:
            writer.close()


@asynccontextmanager
async def school_server(folder: Path, settings: dict[str, str]) -> AsyncIterator[int]:
    """`python -m bot run` in `folder`, until its web chat answers; its port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNC_", "XAPI_"))}
    env |= {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{folder / 'school.db'}",
        "WEB_HOST": "127.0.0.1",
        "PSEUDONYM_SECRET": "school",
        "FLOOD_LIMIT": "",  # one test learner answers faster than any child
        "WEB_ADDRESS_FLOOD_LIMIT": "",
        "RENDER_WARM": "false",  # no interpreter importing matplotlib for nothing
        **settings,
    }
    log = (folder / "bot.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--port", str(port), cwd=folder, env=env,
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        await _until_serving(port, process)
        yield port
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
        log.close()


async def _until_serving(port: int, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            if process.returncode is not None:
                raise RuntimeError(f"the bot stopped ({process.returncode})")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as reply:
                    if reply.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the bot never served")


async def lesson_and_quiz(port: int) -> dict[str, Any]:
    """A learner through the first fractions lesson and its quiz; what /readyz says then."""
    from tests.chat_drivers import WebChat
    from tests.integration.test_same_journey import (
        answer,
        onboard,
        open_lesson,
        read_to_the_quiz,
    )

    async with aiohttp.ClientSession() as http:
        chat = WebChat(cast(Any, SimpleNamespace(port=port)), http)
        await chat.open()
        try:
            await onboard(chat)
            await open_lesson(chat)
            await read_to_the_quiz(chat)
            for _ in range(4):
                await answer(chat, right=True)
            score = chat.last_text()
        finally:
            await chat.close()
        async with http.get(f"http://127.0.0.1:{port}/readyz") as reply:
            ready = await reply.json()
    return {"score": score, "ready": ready}


async def offline(settings: dict[str, str]) -> dict[str, Any]:
    """The whole scenario in a fresh folder."""
    with tempfile.TemporaryDirectory(prefix="offline-school-") as folder:
        async with school_server(Path(folder), settings) as port:
            done = await lesson_and_quiz(port)
            await asyncio.sleep(2.5)  # the sync loop has tried a few times by now
            ready = await _ready(port)
        done["later"] = ready
        done["log"] = (Path(folder) / "bot.log").read_text(errors="replace")
    return done


async def _ready(port: int) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/readyz") as reply,
    ):
        found: dict[str, Any] = await reply.json()
        return found


def main() -> int:
    """Inside the namespace: bring loopback up, run the scenario, print it as JSON."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    print(json.dumps(asyncio.run(offline(real_hosts()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
