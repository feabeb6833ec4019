"""`python -m bot run --workers N`: N processes serving one port and sharing PostgreSQL.

The parent migrates the database once, then starts N worker processes that each run the whole
bot (web chat, webhooks, sender) on the same port with SO_REUSEPORT, so the kernel spreads
connections among them. It restarts a worker that dies and stops them all on SIGTERM/SIGINT.
What must be shared lives in PostgreSQL: each learner's lock (bot/storage/locks.py), update
claims, the outbox and its send rates, scheduled work claimed once. Worker 0 is the one that
registers the Telegram webhook and its command menu, or runs the long polling (Telegram
allows a single poller; several workers should use webhook mode).

The same holds for N separate `python -m bot run` processes on several machines behind a
reverse proxy (README "Production"); only the port sharing is particular to `--workers`.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import secrets
import signal
import tempfile
import time
from dataclasses import dataclass, replace
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

from sqlalchemy.engine import make_url

from bot.config import Settings

log = logging.getLogger("imaginecole.workers")
RESTART_PAUSE = 2.0  # seconds before a dead worker is started again
STOP_GRACE = 20.0  # seconds a worker has to finish its replies on SIGTERM
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


@dataclass(frozen=True)
class WorkerSlot:
    """Which of the N workers a process is."""

    index: int = 0
    count: int = 1

    @property
    def primary(self) -> bool:
        """The worker that talks to Telegram about the bot itself (webhook, menu, polling)."""
        return self.index == 0


def refusal(settings: Settings, count: int) -> str | None:
    """Why `count` workers cannot run with these settings, or None."""
    if count < 1:
        return "--workers must be at least 1"
    if count == 1:
        return None
    if make_url(settings.database_url).get_backend_name() == "sqlite":
        return (
            "several workers need PostgreSQL (DATABASE_URL=postgresql://...): SQLite serves "
            "one process"
        )
    if settings.web_port == 0:
        return "several workers share one port: set WEB_PORT (or --port) to a fixed port"
    return None


def run_workers(settings: Settings, count: int) -> int:
    """Serve with `count` worker processes until SIGTERM or SIGINT; the exit status."""
    from bot.storage.db import migrate

    migrate(settings.database_url)  # once, before any worker handles anything
    if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
        # Worker 0 registers the webhook with this secret; every worker must check the same.
        settings = replace(settings, telegram_webhook_secret=secrets.token_urlsafe(32))
    if not os.environ.get(METRICS_DIR_ENV):
        # Counters of all workers add up in one folder (prometheus_client's multiprocess mode).
        os.environ[METRICS_DIR_ENV] = tempfile.mkdtemp(prefix="imaginecole-metrics-")
    else:
        for stale in Path(os.environ[METRICS_DIR_ENV]).glob("*.db"):
            stale.unlink()  # a previous run's counters
    spawn = multiprocessing.get_context("spawn")
    stopping = False

    def stop(signum: int, _: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        log.info("stopping %d workers (signal %d)", count, signum)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)

    def start(index: int) -> BaseProcess:
        process = spawn.Process(
            target=_serve, args=(settings, WorkerSlot(index, count)), name=f"worker-{index}"
        )
        process.start()
        return process

    workers = [start(index) for index in range(count)]
    log.info("started %d workers on port %d", count, settings.web_port)
    died_at: dict[int, float] = {}
    while not stopping:
        time.sleep(0.2)
        for index, process in enumerate(workers):
            if process.is_alive() or stopping:
                continue
            now = time.monotonic()
            since = died_at.setdefault(index, now)
            if since == now:
                log.warning("worker %d exited with status %s", index, process.exitcode)
            if now - since >= RESTART_PAUSE:
                del died_at[index]
                workers[index] = start(index)
                log.info("worker %d started again", index)
    return _stop_all(workers)


def _stop_all(workers: list[BaseProcess]) -> int:
    """SIGTERM every worker, wait for them, kill the ones that would not stop."""
    for process in workers:
        if process.is_alive() and process.pid is not None:
            os.kill(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    for process in workers:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            log.warning("worker %s did not stop in time: killed", process.name)
            process.kill()
            process.join()
    return 0


def _serve(settings: Settings, slot: WorkerSlot) -> None:
    """One worker process: the whole bot, sharing the port."""
    import asyncio

    from bot.app import serve
    from bot.logs import setup_logging

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    setup_logging(settings.log_level, settings.log_format)  # the parent's format
    asyncio.run(serve(settings, slot))
