"""The WhatsApp webhook servers under test, each run in its own process by
bench/whatsapp_webhook.py.

``python -m bench.whatsapp_servers VARIANT GRAPH_URL WORKDIR PACE`` (from the checkout) prints
``READY <port> <stats port>`` on stdout once it serves ``POST /whatsapp/webhook`` on 127.0.0.1,
and stops cleanly on SIGTERM (or when its stdin, a pipe from the load generator, closes).

* ``full``: the real ``BotApp`` (WhatsApp on, the Graph client pointed at GRAPH_URL, a fresh
  SQLite file in WORKDIR, INFO logging on stderr as ``python -m bot run`` sets it up),
  ``whatsapp_pace_seconds`` = PACE.
* ``bare``: a bare aiohttp app with the same route that only checks ``X-Hub-Signature-256``
  (the bot's own ``signature_ok``) and answers 200.

Both also serve ``GET /stats`` on a second port: bodies received (stored and spawned, for
``full``; verified, for ``bare``) and bodies not handled yet (the background backlog).
With ``BENCH_PROFILE=FILE`` in the environment, the whole serving time runs under cProfile
and the stats are written to FILE on the way out (CPU time with ``BENCH_PROFILE_CPU=1``).
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.processes import Stop, serve_until_stopped
from bench.webhook_servers import APP_SECRET, SIGNATURE_HEADER, whatsapp_settings
from bot.app import BotApp
from bot.logs import setup_logging
from bot.whatsapp.service import WEBHOOK_PATH, WhatsAppService, signature_ok

VARIANTS = ("full", "bare")


@dataclass
class Stats:
    """What the load generator asks between windows: received, and still to handle."""

    received: int = 0
    service: WhatsAppService | None = None

    def pending(self) -> int:
        """Bodies acknowledged whose background handling has not finished."""
        return 0 if self.service is None else len(self.service._tasks)

    async def handler(self, _request: web.Request) -> web.Response:
        """``GET /stats``."""
        body = {"received": self.received, "pending": self.pending()}
        return web.Response(text=json.dumps(body), content_type="application/json")


async def start_full(graph_url: str, workdir: Path, pace: float, stats: Stats) -> tuple[int, Stop]:
    """Start the real application, counting the bodies it stores; its port and how to stop."""
    setup_logging("INFO")
    app = BotApp(whatsapp_settings(graph_url, workdir, pace))
    await app.start()
    service = app.whatsapp
    assert service is not None, "WhatsApp is not enabled"
    stats.service = service
    spawn = service._spawn

    def counted(*args: Any) -> asyncio.Task[None]:
        stats.received += 1
        return spawn(*args)

    service._spawn = counted  # type: ignore[method-assign]
    return app.port, app.stop


def bare_app(stats: Stats) -> web.Application:
    """The same route: check the signature, answer 200, nothing else."""
    secret = APP_SECRET.encode()

    async def webhook(request: web.Request) -> web.Response:
        body = await request.read()
        if not signature_ok(secret, body, request.headers.get(SIGNATURE_HEADER)):
            return web.Response(status=401, text="bad signature")
        stats.received += 1
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, webhook)
    return app


async def start_site(app: web.Application) -> tuple[int, web.AppRunner]:
    """Serve an aiohttp app on a random port of 127.0.0.1 without an access log."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return int(runner.addresses[0][1]), runner


async def serve(variant: str, graph_url: str, workdir: Path, pace: float) -> None:
    """Start the variant and its stats port, announce both, run until SIGTERM or SIGINT."""
    stats = Stats()
    if variant == "full":
        port, stop = await start_full(graph_url, workdir, pace, stats)
    else:
        port, runner = await start_site(bare_app(stats))
        stop = runner.cleanup
    stats_app = web.Application()
    stats_app.router.add_get("/stats", stats.handler)
    stats_port, stats_runner = await start_site(stats_app)

    async def stop_both() -> None:
        await stats_runner.cleanup()
        await stop()

    await serve_until_stopped(f"{port} {stats_port}", stop_both)


def main(argv: list[str]) -> int:
    """Entry point: VARIANT GRAPH_URL WORKDIR PACE."""
    if len(argv) != 4 or argv[0] not in VARIANTS:
        print(f"usage: python -m bench.whatsapp_servers {{{','.join(VARIANTS)}}} URL DIR PACE")
        return 2
    run = serve(argv[0], argv[1], Path(argv[2]), float(argv[3]))
    profile_to = os.environ.get("BENCH_PROFILE")
    if not profile_to:
        asyncio.run(run)
        return 0
    cpu_only = os.environ.get("BENCH_PROFILE_CPU") == "1"  # CPU time, not the wall clock
    profiler = cProfile.Profile(time.process_time) if cpu_only else cProfile.Profile()
    profiler.enable()
    try:
        asyncio.run(run)
    finally:
        profiler.disable()
        profiler.dump_stats(profile_to)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
