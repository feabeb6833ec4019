"""Several worker processes on one PostgreSQL database behave like one process.

Real `python -m bot run` processes serve the Telegram webhook; the fake Bot API records what
they send. Many learners go through onboarding, a lesson and its quiz at the same time; each
of their updates goes to a worker picked at random, and some are delivered twice, to two
workers at once (Telegram retries when it does not hear back in time). Then the replies every
learner read and what the database holds about them must equal a run on a single process.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import sys
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from bot.storage.db import create_engine
from tests.chat_drivers import TelegramChat
from tests.conftest import POSTGRES_ENV, fresh_postgres_database
from tests.fakes.telegram_api import FakeBotApi
from tests.telegram_driver import SECRET, TOKEN, TelegramLearner

ROOT = Path(__file__).resolve().parents[2]
FRACTIONS = ("Les cours", "Mathématiques", "Les fractions", "Comprendre", "Partager en parts")
LEARNERS = 24
LOST = "/aide"  # what a learner sends when no answer came: help, then the question again
TWICE = 0.2  # share of updates delivered twice, to two workers at once
STARTUP = 120.0  # seconds: a worker imports the whole stack on a busy 2-core machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def worker_env(database_url: str, api_url: str, port: int) -> dict[str, str]:
    """The environment of one worker: webhook mode against the fake Bot API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=database_url,
        WEB_HOST="127.0.0.1",
        WEB_PORT=str(port),
        PSEUDONYM_SECRET="workers-test",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api_url,
        TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram/webhook",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        CERTIFICATE_SIGNING_KEY="",
        LOG_LEVEL="WARNING",
        FLOOD_LIMIT="off",  # a scripted learner taps faster than a person
        RENDER_WARM="false",  # no interpreter importing matplotlib per worker started
    )
    return env


class Fleet:
    """Worker processes of one deployment: started, killed with SIGKILL, started again."""

    def __init__(self, database_url: str, api_url: str, tmp: Path, count: int, shared: bool):
        self.env = lambda port: worker_env(database_url, api_url, port)
        self.tmp = tmp
        self.ports = [free_port()] if shared else [free_port() for _ in range(count)]
        self.extra = ["--workers", str(count)] if shared else []
        self.processes: list[asyncio.subprocess.Process | None] = [None] * len(self.ports)
        self.starts = 0
        self.redelivered = 0  # deliveries nobody answered, made again (Telegram's retries)

    async def start(self, index: int) -> None:
        port = self.ports[index]
        self.starts += 1
        log = (self.tmp / f"worker-{index}-{self.starts}.log").open("wb")
        self.processes[index] = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--port", str(port), *self.extra,
            cwd=self.tmp, env=self.env(port), stdout=log, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        await self._until_ready(index)

    def kill(self, index: int) -> None:
        process = self.processes[index]
        assert process is not None
        process.kill()  # SIGKILL: no clean-up, connections and sessions just vanish

    def live(self) -> list[int]:
        return [
            port
            for port, process in zip(self.ports, self.processes, strict=True)
            if process is not None and process.returncode is None
        ]

    async def stop(self) -> None:
        running = [p for p in self.processes if p is not None and p.returncode is None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()

    async def _until_ready(self, index: int) -> None:
        process, port = self.processes[index], self.ports[index]
        assert process is not None
        async with aiohttp.ClientSession() as http:
            for _ in range(int(STARTUP * 4)):
                if process.returncode is not None:
                    raise AssertionError(f"a worker exited:\n{_logs(self.tmp)[-4000:]}")
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.25)
        raise AssertionError(f"worker on port {port} never answered")


@asynccontextmanager
async def workers(
    database_url: str, api_url: str, tmp: Path, count: int, shared_port: bool = False
) -> AsyncIterator[Fleet]:
    """`count` separate worker processes (each its port), or `--workers count` on one port."""
    fleet = Fleet(database_url, api_url, tmp, count, shared_port)
    try:
        await asyncio.gather(*(fleet.start(i) for i in range(len(fleet.ports))))
        yield fleet
    finally:
        await fleet.stop()


def _logs(tmp: Path) -> str:
    return "\n".join(f.read_text() for f in sorted(tmp.glob("worker-*.log")))


class SpreadLearner(TelegramLearner):
    """A learner whose updates reach a random live worker, some of them twice at once; like
    Telegram, an update nobody answered is delivered again (to a worker still alive)."""

    def __init__(self, api: FakeBotApi, http: aiohttp.ClientSession, user_id: int, **how: Any):
        super().__init__(api, None, http, user_id)  # type: ignore[arg-type]
        self.fleet: Fleet = how["fleet"]
        self.rng: random.Random = how["rng"]
        self.statuses: list[int] = []
        self.redelivered = 0

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        for _ in range(200):
            status = await self._deliver(update, secret)
            if status == 200:
                return status
            self.redelivered += 1
            self.fleet.redelivered += 1
            await asyncio.sleep(0.2)
        raise AssertionError(f"update {update['update_id']} never answered")

    async def _deliver(self, update: dict[str, Any], secret: str | None) -> int | None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret or ""}
        live = self.fleet.live()
        copies = 2 if self.rng.random() < TWICE else 1
        targets = self.rng.sample(live, min(copies, len(live)))
        if copies == 2 and len(targets) == 1:
            targets *= 2

        async def deliver(port: int) -> int | None:
            url = f"http://127.0.0.1:{port}/telegram/webhook"
            try:
                async with self.http.post(url, json=update, headers=headers) as response:
                    return response.status
            except (TimeoutError, aiohttp.ClientError):
                return None  # the worker died with the request: Telegram will retry

        statuses = await asyncio.gather(*(deliver(port) for port in targets))
        self.statuses += [s for s in statuses if s is not None]
        return 200 if 200 in statuses else None


GO_ON = "J'ai compris, on continue ▶️"  # after a remediation (dialogs/flows/placement.py)


async def journey(chat: TelegramChat) -> None:
    """Onboarding, a lesson read to its quiz, the quiz answered, the progress asked."""
    await chat.send("/start")
    for label in ("Français", "J'accepte", "Sénégal", "Élève", "CM2", *FRACTIONS):
        await choose(chat, label)
    for _ in range(30):
        if "Question 1 sur" in chat.last_text():
            break
        await chat.tap("Passer au quiz" if "Passer au quiz ▶️" in chat.options() else "Suivant")
    for _ in range(20):  # the first option of every question, "un quart" when written
        shown = chat.last_text()
        if "Quiz terminé" in shown:
            break
        if GO_ON in chat.options():  # a skill missed twice: the author's worked example
            await chat.tap(GO_ON)
            continue
        if "Question" not in shown:  # its reply was lost with a killed worker
            await chat.send(LOST)
            continue
        options = [label for label in chat.options() if "Menu" not in label]
        if options:
            await chat.tap(options[0])
        else:
            await chat.send("un quart")
    await chat.send("/progres")


async def choose(chat: TelegramChat, label: str) -> None:
    """Tap `label`; when its question never arrived (a reply lost with a killed worker), say
    something first: the bot answers with the question it is waiting on, as a person would."""
    if not any(label in offered for offered in chat.options()):
        await chat.send(LOST)
    await chat.tap(label)


async def run_all(
    api: FakeBotApi, fleet: Fleet, seed: int, meanwhile: Awaitable[None] | None = None
) -> dict[int, str]:
    """Every learner's journey at once (and `meanwhile`); what each read, by Telegram id."""
    rng = random.Random(seed)
    async with aiohttp.ClientSession() as http:
        learners = [
            SpreadLearner(api, http, 900_000 + n, fleet=fleet, rng=random.Random(rng.random()))
            for n in range(LEARNERS)
        ]
        journeys = asyncio.gather(*(journey(TelegramChat(learner)) for learner in learners))
        await asyncio.gather(journeys, *([meanwhile] if meanwhile else []))
    if meanwhile is None:
        for learner in learners:
            assert set(learner.statuses) == {200}, learner.statuses
            assert learner.redelivered == 0
    return {learner.user_id: learner.texts() for learner in learners}


async def database_state(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """What the database holds about the learners, without ids and times."""
    engine = create_engine(database_url)
    queries = {
        "users": "SELECT external_id, locale, country, role, level, state_step FROM users",
        "lessons": "SELECT u.external_id, p.course_id, p.lesson_id FROM lesson_progress p"
        " JOIN users u ON u.id = p.user_id",
        "quizzes": "SELECT u.external_id, q.course_id, q.lesson_id, q.score, q.max_score"
        " FROM quiz_attempts q JOIN users u ON u.id = q.user_id",
        "answers": "SELECT u.external_id, a.question_id, a.try_number, a.answer, a.correct"
        " FROM question_answers a"
        " JOIN users u ON u.id = a.user_id",
        "claims": "SELECT channel, COUNT(*) FROM processed_updates GROUP BY channel",
    }
    try:
        async with engine.connect() as conn:
            return {
                name: sorted(tuple(row) for row in (await conn.execute(text(sql))).all())
                for name, sql in queries.items()
            }
    finally:
        await engine.dispose()


@pytest.fixture
def postgres(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share a PostgreSQL database")
    return database_url


async def test_three_workers_end_like_one_process(postgres: str, tmp_path: Path) -> None:
    async with fresh_postgres_database(os.environ[POSTGRES_ENV]) as single_db:
        await same_as_one_process(postgres, single_db, tmp_path)


async def same_as_one_process(postgres: str, single_db: str, tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "three").mkdir()
    async with FakeBotApi() as api, workers(single_db, api.url, tmp_path / "one", 1) as fleet:
        alone = await run_all(api, fleet, seed=7)
    async with FakeBotApi() as api, workers(postgres, api.url, tmp_path / "three", 3) as fleet:
        spread = await run_all(api, fleet, seed=7)
    assert spread == alone  # every learner read the same replies, in the same order
    one, three = await database_state(single_db), await database_state(postgres)
    assert three == one
    assert len(three["quizzes"]) == LEARNERS  # everyone reached the end of the quiz
    assert all("Question 1 sur" in texts for texts in spread.values())


async def test_workers_flag_shares_one_port(postgres: str, tmp_path: Path) -> None:
    async with FakeBotApi() as api:
        async with workers(postgres, api.url, tmp_path, 2, shared_port=True) as fleet:
            texts = await run_all(api, fleet, seed=3)
        webhooks = [c for c in api.calls if c.method == "setWebhook"]
    assert len(webhooks) == 1, "only the primary worker registers the webhook"
    assert all("Question 1 sur" in t for t in texts.values())


def test_several_workers_refuse_sqlite_and_a_random_port(tmp_path: Path) -> None:
    from bot.config import Settings
    from bot.workers import refusal

    sqlite = Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}")
    assert refusal(sqlite, 1) is None
    assert "PostgreSQL" in (refusal(sqlite, 2) or "")
    pg = Settings(database_url="postgresql://postgres@127.0.0.1/test", web_port=0)
    assert "port" in (refusal(pg, 2) or "")
    assert refusal(Settings(database_url="postgresql://x@h/db", web_port=8080), 4) is None


async def test_a_worker_killed_mid_conversation_loses_no_progress(
    postgres: str, tmp_path: Path
) -> None:
    """kill -9 one of two workers while every learner is mid-journey, start it again: the
    deliveries it took are delivered again elsewhere; every journey ends, no update counts
    twice, and what the database holds equals a run without the crash."""
    async with fresh_postgres_database(os.environ[POSTGRES_ENV]) as calm_db:
        (tmp_path / "calm").mkdir()
        (tmp_path / "crash").mkdir()
        async with FakeBotApi() as api, workers(calm_db, api.url, tmp_path / "calm", 1) as fleet:
            await run_all(api, fleet, seed=11)
        calm = await database_state(calm_db)

    async def crash(fleet: Fleet) -> None:
        await api.wait_for_count(LEARNERS * 12, timeout=STARTUP)  # everyone is in the lesson
        fleet.kill(0)
        await asyncio.sleep(1.0)
        await fleet.start(0)

    async with FakeBotApi() as api, workers(postgres, api.url, tmp_path / "crash", 2) as fleet:
        texts = await run_all(api, fleet, seed=11, meanwhile=crash(fleet))
        assert fleet.starts == 3, "the killed worker was started again"
        assert fleet.redelivered > 0, "some deliveries died with the worker"
    crashed = await database_state(postgres)
    assert len(texts) == LEARNERS
    for table in ("users", "lessons", "quizzes", "answers"):
        assert crashed[table] == calm[table], table  # nothing lost, nothing counted twice


async def test_workers_log_json_lines_like_their_parent(postgres: str, tmp_path: Path) -> None:
    """`LOG_FORMAT=json` reaches the worker processes too, not only the parent."""
    async with FakeBotApi() as api:
        fleet = Fleet(postgres, api.url, tmp_path, 2, shared=True)
        plain = fleet.env
        fleet.env = lambda port: {**plain(port), "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}
        try:
            await fleet.start(0)
            for _ in range(int(STARTUP * 4)):  # both workers said where the web chat is
                if _logs(tmp_path).count("web chat on") >= 2:
                    break
                await asyncio.sleep(0.25)
        finally:
            await fleet.stop()
    lines = [line for line in _logs(tmp_path).splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line, parent's and workers'
    started = [r["pid"] for r in records if r["message"].startswith("web chat on")]
    assert len(set(started)) == 2, "each worker logged its start as JSON"
    parent = {r["pid"] for r in records if r["message"].startswith("started 2 workers")}
    assert parent and parent.isdisjoint(started)
